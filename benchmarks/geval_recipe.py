"""Fidelity check: reproduce the SummEval summary-level ROUGE correlations printed in
G-Eval (Liu et al., 2023) Table 1 (rows taken from UniEval, Zhong et al., 2022) from bench runs.

    python benchmarks/geval_recipe.py [--results-dir DIR] [--quick]

Summary-level correlation, as in UniEval's reproduce/correlation.py and G-Eval's
meta_eval_summeval.py: for each of the 100 documents correlate the metric with the mean
expert score over the 16 systems, then average over documents. A document whose metric
scores or human scores are constant over the systems is either skipped (what both public
scripts do), counted as 0, or left to scipy's NaN and skipped by nanmean (same as skip).

The script searches over bench options (multiref policy, stemming, tokenizer) and over the
analysis choices (statistic, ROUGE-L vs ROUGE-Lsum, constant-group handling, tau variant),
prints the max |delta| against the published values per recipe, and the side-by-side table
for the best recipe.
"""
from __future__ import annotations

import argparse
import itertools
import math
import tempfile
from collections import defaultdict

import numpy as np
from scipy.stats import kendalltau, spearmanr

import _smoke  # beside this file
import bench

DIMS = ["coherence", "consistency", "fluency", "relevance"]
METRICS = ["ROUGE-1", "ROUGE-2", "ROUGE-L"]

# G-Eval Table 1 (summary-level, SummEval), rho / tau per dimension.
PUBLISHED = {
    "ROUGE-1": {"coherence": (0.167, 0.126), "consistency": (0.160, 0.130),
                "fluency": (0.115, 0.094), "relevance": (0.326, 0.252), "avg": (0.192, 0.150)},
    "ROUGE-2": {"coherence": (0.184, 0.139), "consistency": (0.187, 0.155),
                "fluency": (0.159, 0.128), "relevance": (0.290, 0.219), "avg": (0.205, 0.161)},
    "ROUGE-L": {"coherence": (0.128, 0.099), "consistency": (0.115, 0.092),
                "fluency": (0.105, 0.084), "relevance": (0.311, 0.237), "avg": (0.165, 0.128)},
}

# bench-side options (one bench run each)
MULTIREF = ["first", "max", "max_each", "mean"]
STEMMER = [True, False]
# analysis-side options
# f_of_mean_pr: F recomputed from the (multiref-reduced) P and R, as ROUGE-1.5.5's "-f A" model
# average does when multiref=mean; equal to fmeasure for first/max
STATS = ["fmeasure", "recall", "precision", "f_of_mean_pr"]
LTYPES = ["rougeL", "rougeLsum"]
CONSTANT = ["skip", "zero"]      # skip == scipy NaN + nanmean
TAU = ["b", "c"]
SPLITTERS = ["punkt", "nltk", "pysbd", "newline"]   # rougeLsum only

# the best recipe found by the full search (used by --quick)
CHOSEN_BENCH = ("mean", True, "default", "punkt")
CHOSEN_ANALYSIS = ("fmeasure", "rougeLsum", "skip", "b")


def bench_overrides(multiref: str, stem: bool, tok: str, splitter: str = "punkt") -> list[str]:
    ov = ["experiment=summeval_rouge", f"multiref={multiref}",
          f"metrics.rouge.use_stemmer={'true' if stem else 'false'}"]
    if tok != "default":
        ov.append(f"metrics.rouge.tokenizer={tok}")
    if splitter != "punkt":
        ov.append(f"metrics.rouge.sentence_splitter={splitter}")
    return ov


def load_groups(samples):
    """doc_id -> list of (system, metadata, scores), systems in a fixed order."""
    groups = defaultdict(list)
    for s in samples:
        md = s.metadata
        groups[md["doc_id"]].append((md["system"], md["expert"], s.scores))
    for g in groups.values():
        g.sort(key=lambda r: r[0])
    return groups


def stat_of(sc, stat):
    if stat == "f_of_mean_pr":
        p, r = sc["precision"], sc["recall"]
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)
    return sc[stat]


def per_doc(groups, rtype, stat, dim):
    """Per document: (rho, tau_b, tau_c) over the 16 systems, or None for a constant group."""
    out = []
    for doc in sorted(groups):
        pred = [stat_of(r[2][rtype], stat) for r in groups[doc]]
        human = [r[1][dim] for r in groups[doc]]
        if len(set(pred)) <= 1 or len(set(human)) <= 1:
            out.append(None)   # scipy would return NaN here
            continue
        out.append((spearmanr(pred, human)[0],
                    kendalltau(pred, human, variant="b")[0],
                    kendalltau(pred, human, variant="c")[0]))
    return out


def summary_level(docs, constant, tau_variant):
    """Mean over documents of per-document rho and tau; returns (rho, tau, n_constant)."""
    k = 1 if tau_variant == "b" else 2
    vals = [d for d in docs if d is not None]
    n_const = len(docs) - len(vals)
    denom = len(vals) if constant == "skip" else len(docs)   # zero: a constant group counts as 0
    rho = math.fsum(d[0] for d in vals) / denom
    tau = math.fsum(d[k] for d in vals) / denom
    return rho, tau, n_const


def table_for(cache, stat, ltype, constant, tau_variant):
    out = {}
    for m, rtype in zip(METRICS, ["rouge1", "rouge2", ltype]):
        row, rs, ts = {}, [], []
        for dim in DIMS:
            rho, tau, sk = summary_level(cache[(rtype, stat, dim)], constant, tau_variant)
            row[dim] = (rho, tau, sk)
            rs.append(rho)
            ts.append(tau)
        row["avg"] = (float(np.mean(rs)), float(np.mean(ts)), None)
        out[m] = row
    return out


def deltas(tab, rounded=True):
    """(max |delta|, mean |delta|, {metric: max |delta|}) over the 30 published numbers."""
    d, per = [], {}
    for m in METRICS:
        dm = []
        for col in DIMS + ["avg"]:
            for k in range(2):
                v = round(tab[m][col][k], 3) if rounded else tab[m][col][k]
                dm.append(abs(v - PUBLISHED[m][col][k]))
        per[m] = max(dm)
        d += dm
    return max(d), float(np.mean(d)), per


def n_nondefault(key):
    """Tie-break: prefer rouge-score's own tokenizer and bench's default splitter."""
    return int(key[2] != "default") + int(key[3] != "punkt")


def print_side_by_side(tab, title):
    print(f"\n{title}")
    hdr = "| metric | corr | " + " | ".join(DIMS + ["avg"]) + " |"
    print(hdr)
    print("|" + "---|" * (2 + len(DIMS) + 1))
    for m in METRICS:
        for k, name in enumerate(["rho", "tau"]):
            cells = []
            for col in DIMS + ["avg"]:
                p, b = PUBLISHED[m][col][k], tab[m][col][k]
                cells.append(f"{p:.3f} / {b:.3f} ({b - p:+.3f})")
            print(f"| {m} | {name} | " + " | ".join(cells) + " |")
    print("cells: published / bench (bench - published); bench values rounded to 3 dp")
    sk = {m: [tab[m][d][2] for d in DIMS] for m in METRICS}
    print("documents skipped (constant metric or human score over the 16 systems), "
          "per metric x (coh, con, flu, rel):", sk)
    print("max |delta| without rounding bench to 3 dp: %.4f" % deltas(tab, rounded=False)[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results-dir", default=None, help="bench results_dir (default: a temp dir)")
    ap.add_argument("--quick", action="store_true", help="only the chosen recipe")
    args = ap.parse_args()
    results_dir = args.results_dir or tempfile.mkdtemp(prefix="geval_recipe_")
    _smoke.announce()
    where = [f"results_dir={results_dir}", *_smoke.limit(48)]  # a smoke run: three documents

    # bench runs: the multiref x stemmer grid with the default tokenizer and punkt, then
    # sensitivity runs around the chosen options (sentence splitter for ROUGE-Lsum, tokenizer)
    if args.quick:
        bench_grid = [CHOSEN_BENCH]
    else:
        bench_grid = [(m, st, "default", "punkt") for m, st in itertools.product(MULTIREF, STEMMER)]
        bench_grid += [("mean", True, "default", sp) for sp in SPLITTERS if sp != "punkt"]
        bench_grid += [("mean", True, "unicode", "punkt")]
    rows, tables = [], {}
    for multiref, stem, tok, splitter in bench_grid:
        ov = bench_overrides(multiref, stem, tok, splitter) + where
        try:
            run = bench.evaluate(ov)
        except Exception as e:  # e.g. an optional sentence splitter that is not installed
            print(f"skipped bench run {' '.join(ov)}: {type(e).__name__}: {str(e).splitlines()[0]}")
            continue
        groups = load_groups(run.samples)  # outside the try: a reading error is a bug, not a skipped run
        cache = {(rt, st, d): per_doc(groups, rt, st, d)
                 for rt in ["rouge1", "rouge2", "rougeL", "rougeLsum"] for st in STATS for d in DIMS}
        analysis = ([CHOSEN_ANALYSIS] if args.quick
                    else itertools.product(STATS, LTYPES, CONSTANT, TAU))
        for stat, ltype, constant, tv in analysis:
            tab = table_for(cache, stat, ltype, constant, tv)
            mx, mean, per = deltas(tab)
            key = (multiref, stem, tok, splitter, stat, ltype, constant, tv)
            rows.append((mx, mean, key, per))
            tables[key] = tab

    # rank by max |delta| (bench rounded to 3 dp, as published); ties: fewer non-default text
    # options, then mean |delta|
    rows.sort(key=lambda r: (round(r[0], 6), n_nondefault(r[2]), r[1]))
    print("Search over recipes (sorted by max |delta| over the 30 published numbers; "
          "bench values rounded to 3 dp first; splitter only matters for rougeLsum)")
    print("| max abs delta | mean abs delta | max R-1 | max R-2 | max R-L | multiref | stemmer | tokenizer "
          "| splitter | stat | ROUGE-L type | constant groups | tau |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for mx, mean, k, per in rows:
        print(f"| {mx:.3f} | {mean:.4f} | " + " | ".join(f"{per[m]:.3f}" for m in METRICS) + " | "
              + " | ".join(str(x) for x in k[:7]) + f" | tau-{k[7]} |")

    best = rows[0]
    k = best[2]
    if k[:4] == CHOSEN_BENCH:
        # configs/experiment/geval_rouge.yaml packages the chosen bench options
        a = {x.id: x.scores for x in bench.evaluate(
            bench_overrides(*k[:4]) + where).samples}
        b = {x.id: x.scores for x in bench.evaluate(
            ["experiment=geval_rouge", *where]).samples}
        same = a.keys() == b.keys() and all(
            a[i][t][st] == b[i][t][st] for i in a for t in a[i] for st in a[i][t])
        print(f"experiment=geval_rouge gives the same per-item scores as the overrides: {same}")
    ov = bench_overrides(*k[:4]) + where
    g = load_groups(bench.evaluate(ov).samples)   # reused from the store, not recomputed
    for dim in DIMS:
        hum = [doc for doc in g if len({r[1][dim] for r in g[doc]}) <= 1]
        met = {rt: [doc for doc in g if len({stat_of(r[2][rt], k[4]) for r in g[doc]}) <= 1]
               for rt in ["rouge1", "rouge2", k[5]]}
        print(f"constant groups, {dim}: human score constant in {len(hum)} documents; "
              f"metric constant in " + ", ".join(f"{rt} {len(v)}" for rt, v in met.items()))
    print_side_by_side(
        tables[k],
        f"Chosen recipe: bench run {' '.join(bench_overrides(*k[:4]))}; "
        f"stat={k[4]}, ROUGE-L column = {k[5]}, constant groups = {k[6]}, Kendall tau-{k[7]} "
        f"-> max |delta| {best[0]:.3f}, mean |delta| {best[1]:.4f}")


if __name__ == "__main__":
    main()
