#!/usr/bin/env bash
# Writes Docs/report-eksempelvik.png and Docs/report-fravaer-eksempelvik.png, the screenshots of the
# SFO sample's report and of the sick-leave sample's section the README shows
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
# The sick-leave section alone (the sample export, its register and cost parameters).
.build/release/kvalitet report --register Samples/register-eksempelvik.yaml --absence Samples/fravaer/ \
    --costs Samples/kostnader-eksempelvik.yaml --output "$work/fravaer.html" 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-background-networking \
    --user-data-dir="$work/profile" --window-size=1000,1700 --screenshot="$work/fravaer.png" \
    "file://$work/fravaer.html" 2>/dev/null
cp "$work/fravaer.png" Docs/report-fravaer-eksempelvik.png
echo "wrote Docs/report-fravaer-eksempelvik.png"
