#!/usr/bin/env python3
"""An independent implementation of FORMAT.md §6 (`kvalitet validate --format csv`) with pandas,
pingouin and scipy, for checking the Swift code: alpha from pingouin's
`cronbach_alpha(nan_policy="pairwise")`, Feldt's interval from scipy's F quantiles, C from pandas'
pairwise `DataFrame.cov()`, ICC(1) from an explicit one-way ANOVA, and omega (written to a second
file with --omega) from a one-factor minres fit done by direct minimisation of the off-diagonal
residuals with scipy (kvalitet iterates principal axes instead: two routes to the same solution).

Usage: validate_reference.py --set SET.yaml [--omega OMEGA.csv] INPUT... > validation.csv
"""
import argparse
import csv
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import pingouin as pg
import yaml
from scipy import optimize, stats

from score_reference import counted_respondents, set_rules

HEADER = ("set,period,dimension,item,k,n,alpha,alpha_ci_low,alpha_ci_high,alpha_std,mean_inter_item_r,"
          "alpha_if_deleted,item_total_r,floor,ceiling,dont_know_share,unanswered_share,unit_icc,flags").split(",")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", required=True)
    ap.add_argument("--omega")
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    sdef = yaml.safe_load(open(args.set, encoding="utf-8"))
    smin, smax, _, _, _ = set_rules(sdef)
    scoring = sdef.get("scoring", "mean")
    positive = sdef.get("positive", smax - (smax - smin) // 4)
    min_answered = Fraction(str(sdef.get("min_answered", 0.5)))

    def value(code, rev):
        if scoring == "share":
            return 1 if (code == positive) != rev else 0
        return smin + smax - code if rev else code

    respondents, _, _ = counted_respondents(sdef, args.inputs)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(HEADER)
    omegas = []
    for period in sorted({r["period"] for r in respondents}, key=lambda p: p.encode()):
        rs = [r for r in respondents if r["period"] == period]
        for dim in sdef["dimensions"]:
            ids = [it["id"] for it in dim["items"]]
            rev = {it["id"]: bool(it.get("reverse", False)) for it in dim["items"]}
            k = len(ids)
            frame = pd.DataFrame([{i: (value(r["cells"][i], rev[i]) if isinstance(r["cells"].get(i), int) else np.nan)
                                   for i in ids} for r in rs], columns=ids, dtype=float)
            data = frame[frame.notna().any(axis=1)]
            n = len(data)
            C = data.cov() if n >= 2 else None
            ok = C is not None and k >= 2 and not C.isna().any().any()
            alpha = lo = hi = astd = rbar = omega = None
            R = None
            if ok:
                c = C.to_numpy()
                if c.sum() != 0:
                    alpha = float(pg.cronbach_alpha(data=data, nan_policy="pairwise")[0])
                    df1, df2 = n - 1, (n - 1) * (k - 1)
                    lo = 1 - (1 - alpha) * float(stats.f.isf(0.025, df1, df2))
                    hi = 1 - (1 - alpha) * float(stats.f.isf(0.975, df1, df2))
                sd = np.sqrt(np.diag(c))
                if (sd > 0).all():
                    R = c / np.outer(sd, sd)
                    rbar = float(R[~np.eye(k, dtype=bool)].mean())
                    astd = k * rbar / (1 + (k - 1) * rbar)
                    # Only a proper one-factor fit: k >= 3, every loading above 0 and at most 1.
                    lam = minres_loadings(R) if k >= 3 else None
                    if lam is not None and ((lam > 1e-6) & (lam <= 1 + 1e-9)).all():
                        omega = float(1 - (1 - lam ** 2).sum() / R.sum())
            # ICC(1) of dimension scores between municipality+unit.
            groups = {}
            for r in rs:
                vals = [value(r["cells"][i], rev[i]) for i in ids if isinstance(r["cells"].get(i), int)]
                if vals and Fraction(len(vals), k) >= min_answered:
                    groups.setdefault((r["municipality"], r["unit"]), []).append(sum(vals) / len(vals))
            icc = None
            G = len(groups)
            N = sum(len(g) for g in groups.values())
            if G >= 2 and N > G:
                allv = np.concatenate([np.array(g) for g in groups.values()])
                grand = allv.mean()
                ssb = sum(len(g) * (np.mean(g) - grand) ** 2 for g in groups.values())
                ssw = sum(((np.array(g) - np.mean(g)) ** 2).sum() for g in groups.values())
                msb, msw = ssb / (G - 1), ssw / (N - G)
                n0 = (N - sum(len(g) ** 2 for g in groups.values()) / N) / (G - 1)
                den = msb + (n0 - 1) * msw
                if den > 0:
                    icc = max(0.0, float((msb - msw) / den))
            flags = []
            if alpha is not None and alpha < 0.70:
                flags.append("alpha-low")
            if alpha is not None and alpha > 0.95:
                flags.append("alpha-high")
            write(out, [sdef["id"], period, dim["id"], "", k, n, alpha, lo, hi, astd, rbar, None, None, None, None,
                        None, None, icc, ";".join(flags)])
            omegas.append([sdef["id"], period, dim["id"], "" if omega is None else repr(omega)])
            for j, i in enumerate(ids):
                raw = [r["cells"][i] for r in rs if isinstance(r["cells"].get(i), int)]
                dk = sum(1 for r in rs if r["cells"].get(i) == "dk")
                un = sum(1 for r in rs if r["cells"].get(i, "blank") == "blank")
                aid = itr = None
                if ok and k >= 3:
                    rest = data.drop(columns=[i])
                    if C.drop(index=i, columns=i).to_numpy().sum() != 0:
                        aid = float(pg.cronbach_alpha(data=rest, nan_policy="pairwise")[0])
                if ok:
                    c = C.to_numpy()
                    others = [x for x in range(k) if x != j]
                    den = c[j, j] * c[np.ix_(others, others)].sum()
                    if den > 0:
                        itr = float((c[j].sum() - c[j, j]) / np.sqrt(den))
                floor = raw.count(smin) / len(raw) if raw else None
                ceiling = raw.count(smax) / len(raw) if raw else None
                dks, uns = (dk / len(rs), un / len(rs)) if rs else (None, None)
                flags = []
                if itr is not None and itr < 0.30:
                    flags.append("item-total-low")
                if itr is not None and itr < 0:
                    flags.append("item-negative")
                for name, share in [("floor", floor), ("ceiling", ceiling), ("dont-know-high", dks),
                                    ("unanswered-high", uns)]:
                    if share is not None and share > 0.15:
                        flags.append(name)
                write(out, [sdef["id"], period, dim["id"], i, k, len(raw), None, None, None, None, None, aid, itr,
                            floor, ceiling, dks, uns, None, ";".join(flags)])
    if args.omega:
        with open(args.omega, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["set", "period", "dimension", "omega"])
            w.writerows(omegas)


def minres_loadings(R):
    """One factor: the loadings minimising the sum of squared off-diagonal residuals of R."""
    k = len(R)
    mask = ~np.eye(k, dtype=bool)

    def loss(lam):
        return ((R - np.outer(lam, lam))[mask] ** 2).sum()

    def grad(lam):
        resid = (R - np.outer(lam, lam)) * mask
        return -4 * resid @ lam

    start = np.sqrt(np.clip(np.abs(R * mask).max(axis=1), 1e-3, None))
    fit = optimize.minimize(loss, start, jac=grad, method="BFGS", options={"gtol": 1e-13, "maxiter": 10000})
    if not np.isfinite(fit.x).all():
        return None
    lam = fit.x
    return -lam if lam.sum() < 0 else lam


def write(out, row):
    out.writerow(["" if v is None else repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in row])


if __name__ == "__main__":
    main()
