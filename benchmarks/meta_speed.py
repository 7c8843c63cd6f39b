"""Speed of `bench meta` on SummEval, side by side with nlpstats on the same data.

    python benchmarks/meta_speed.py [--path ../shared/data/summeval/bartscore_SummEval_data.json]

1. A SummEval ROUGE + BERTScore run (`bench run dataset=summeval`, 5 metrics), then the full
   meta-evaluation table: 5 metrics x 4 expert dimensions x 3 levels x 3 coefficients (+ system
   pairwise accuracy), BOOT-BOTH 1,000 resamples, PERM-BOTH tests at summary-level Kendall.
2. One summary-level Kendall BOOT-BOTH interval and one PERM-BOTH test (1,000 resamples each),
   ROUGE-1 F vs expert relevance: bench against nlpstats 0.0.1 on the same matrices.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import load_run  # noqa: E402
from bench.analysis import meta as analysis  # noqa: E402
from bench.stats import correlation, meta  # noqa: E402

import _smoke  # noqa: E402  (beside this file: a script's own folder is on sys.path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", default=None)
    ap.add_argument("--results-dir", default=None, help="reuse a results dir (default: a temporary one)")
    args = ap.parse_args()
    _smoke.announce()
    # a smoke run: three documents, 20 resamples (every step still runs)
    n = _smoke.cap(1000, 20)
    resampling = ["--resamples", str(n), "--test-resamples", str(n)] if _smoke.on() else []
    exe = str(Path(sys.executable).with_name("bench"))
    tmp = args.results_dir or tempfile.mkdtemp()
    extra = [f"dataset.path={args.path}"] if args.path else []
    t = time.perf_counter()
    proc = subprocess.run([exe, "run", "dataset=summeval", f"results_dir={tmp}", *extra, *_smoke.limit(48)],
                          capture_output=True, text=True, check=True)
    run_dir = proc.stdout.strip().splitlines()[-1]
    print(f"run (ROUGE + BERTScore, SummEval): {time.perf_counter() - t:.1f} s -> {run_dir}")

    t = time.perf_counter()
    scores = analysis.load([load_run(run_dir)])
    result = analysis.evaluate(scores, analysis.MetaSpec(resamples=n, test_resamples=n))
    full = time.perf_counter() - t
    n_ci = sum(1 for r in result.correlations if r.coefficient != "pairwise_accuracy")
    print(f"full table: {len(scores.metrics)} metrics, {n_ci} intervals (+ pairwise accuracy), "
          f"{len(result.comparisons)} PERM-BOTH tests: {full:.1f} s")
    t = time.perf_counter()
    subprocess.run([exe, "meta", run_dir, "--no-save", *resampling], capture_output=True, text=True, check=True)
    print(f"`bench meta RUN` end to end (fresh process): {time.perf_counter() - t:.1f} s")

    X = scores.metrics["rouge1"]
    Z = scores.humans["expert.relevance"]
    t = time.perf_counter()
    r = meta.draw(np.random.default_rng(0), *X.shape, n, "both")
    ours_ci = meta.percentile_interval(correlation.batched(meta.gather(X, r), meta.gather(Z, r), "summary", "kendall"), 0.95)
    ours_ci_s = time.perf_counter() - t
    Y = scores.metrics["rouge2"]
    t = time.perf_counter()
    ours_p = meta.permutation_p(X, Y, Z, "summary", "kendall", "skip", "perm-both", n, np.random.default_rng(0))
    ours_p_s = time.perf_counter() - t

    from nlpstats.correlations import bootstrap, permutation_test

    np.random.seed(0)
    t = time.perf_counter()
    theirs_ci = bootstrap(X, Z, "input", "kendall", "both", n_resamples=n)
    theirs_ci_s = time.perf_counter() - t
    t = time.perf_counter()
    theirs_p = permutation_test(X, Y, Z, "input", "kendall", "both", n_resamples=n).pvalue
    theirs_p_s = time.perf_counter() - t
    print(f"\n| summary-level Kendall, ROUGE-1 F vs expert relevance, {n:,} resamples | bench | nlpstats | ratio |")
    print("|---|---|---|---|")
    print(f"| BOOT-BOTH interval | {ours_ci_s:.3f} s [{ours_ci[0]:.4f}, {ours_ci[1]:.4f}] | {theirs_ci_s:.2f} s "
          f"[{theirs_ci.lower:.4f}, {theirs_ci.upper:.4f}] | {theirs_ci_s / ours_ci_s:.0f}x |")
    print(f"| PERM-BOTH test (ROUGE-1 vs ROUGE-2) | {ours_p_s:.3f} s p={ours_p:.4f} | {theirs_p_s:.2f} s p={theirs_p:.4f} "
          f"| {theirs_p_s / ours_p_s:.0f}x |")


if __name__ == "__main__":
    main()
