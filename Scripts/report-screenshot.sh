#!/usr/bin/env bash
# Writes Docs/report-eksempelvik.png, the screenshot of the SFO sample's report the README shows
# (needs Debian's chromium). Run from the repository root.
set -euo pipefail
swift build -c release --product kvalitet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/release/kvalitet report --register Samples/register-eksempelvik.yaml \
    --reference Samples/referanse/landssnitt-fiktivt.csv --reference-label "Landssnitt (fiktivt)" \
    --output "$work/rapport.html" Samples/sfo-foresatte-eksempelvik.csv 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-background-networking \
    --user-data-dir="$work/profile" --window-size=1000,1500 --screenshot="$work/shot.png" \
    "file://$work/rapport.html" 2>/dev/null
cp "$work/shot.png" Docs/report-eksempelvik.png
echo "wrote Docs/report-eksempelvik.png"
