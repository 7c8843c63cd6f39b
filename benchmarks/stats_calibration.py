"""Calibration, power and speed of bench's paired tests on SummEval ROUGE scores.

    python benchmarks/stats_calibration.py [--seeds 1000] [--path ../shared/data/summeval/...]
    python benchmarks/stats_calibration.py --only splits --family-seeds 500   # the cluster rules alone

Null cases are made from real per-document scores: for two systems, each
document's two outputs are swapped with probability 1/2 (so per-document
differences are symmetric about zero and the null holds exactly); for all 16
systems, each document's 16 outputs are permuted at random. A test at alpha
must reject about alpha of null cases: within alpha + 2 standard errors
(sqrt(alpha (1 - alpha) / seeds)) and not far below it.

Reported, per test: the false-positive rate of each pair test (bench's shifted
paired bootstrap, approximate randomisation, sacrebleu's paired bootstrap rule
applied to the same resamples, and ``bench check``'s one-sided bootstrap), the
family-wise rate of a 16-system leaderboard under Holm and BH, the false-split
rate of each cluster rule (``--only splits``: the leaderboard itself, as ``bench
systems`` runs it), power for a few
effect sizes, and the leaderboard's time next to sacrebleu's paired bootstrap on
the same per-document scores.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import correction, paired, resample  # noqa: E402
from bench.stats.leaderboard import SystemsSpec, Table, leaderboard  # noqa: E402

import _smoke  # noqa: E402  (beside this file: a script's own folder is on sys.path)

ALPHA = 0.05


def summeval_scores(path: str | None) -> tuple[dict[str, np.ndarray], list[str], list[str]]:
    """metric -> systems x docs ROUGE F-measure matrix from a bench ROUGE run of SummEval."""
    import bench
    from bench.stats.pairing import by_field

    overrides = ["experiment=summeval_rouge", *_smoke.limit(48)] + ([f"dataset.path={path}"] if path else [])
    run = bench.evaluate(overrides)
    tables = by_field(run.samples, "system", "doc_id", run.facts)
    return {t.metric: t.scores for t in tables}, list(tables[0].systems), list(tables[0].docs)


def sacrebleu_rule_p(draws: np.ndarray, observed: float, resamples: int) -> float:
    """sacrebleu's paired-bootstrap p from the resampled differences: |d*| centred on its mean, one tail."""
    folded = np.abs(draws)
    return (np.count_nonzero(folded - folded.mean() > abs(observed)) + 1) / (resamples + 1)


def pair_null(scores: np.ndarray, seeds: int, resamples: int, shift: float = 0.0) -> dict[str, float]:
    """Rejection rates at ALPHA of each pair test over ``seeds`` swapped (and shifted) copies of two systems."""
    hits = dict.fromkeys(["bootstrap", "ar", "sacrebleu_bootstrap", "check_regression", "check_any"], 0)
    pairs_of_systems = list(itertools.combinations(range(scores.shape[0]), 2))
    n = scores.shape[1]
    for seed in range(seeds):
        gen = np.random.default_rng(10_000 + seed)
        a, b = pairs_of_systems[gen.integers(len(pairs_of_systems))]
        swap = gen.integers(2, size=n).astype(bool)
        x = np.where(swap, scores[a], scores[b])
        y = np.where(swap, scores[b], scores[a]) + shift
        pair = np.stack([y, x])
        bs = paired.paired_bootstrap(pair, [(0, 1)], resamples, np.random.default_rng(seed))
        ar = paired.approximate_randomization(pair, [(0, 1)], resamples, np.random.default_rng(seed))
        hits["bootstrap"] += bs.p[0] < ALPHA
        hits["ar"] += ar.p[0] < ALPHA
        counts = resample.counts(resample.bootstrap_indices(np.random.default_rng(seed), n, resamples), n)
        draws = counts @ (y - x) / n
        hits["sacrebleu_bootstrap"] += sacrebleu_rule_p(draws, float((y - x).mean()), resamples) < ALPHA
        d = y - x  # bench check: run (y, the shifted one) minus baseline (x); a regression is a significant fall
        p = paired.one_sample_bootstrap_p(d, resamples, seed)
        hits["check_regression"] += d.mean() < 0 and p < ALPHA
        hits["check_any"] += p < ALPHA
    return {k: v / seeds for k, v in hits.items()}


def family_null(scores: np.ndarray, seeds: int, resamples: int) -> dict[str, float]:
    """Family-wise false-positive rates of a leaderboard of exchangeable systems."""
    k, n = scores.shape
    out = {"holm_bootstrap": 0, "holm_ar": 0, "bh_bootstrap": 0, "bh_ar": 0, "pair_bootstrap": 0.0, "pair_ar": 0.0}
    pairs = list(itertools.combinations(range(k), 2))
    for seed in range(seeds):
        gen = np.random.default_rng(20_000 + seed)
        perm = np.argsort(gen.random((k, n)), axis=0)
        shuffled = np.take_along_axis(scores, perm, axis=0)
        for test, fn in (("bootstrap", paired.paired_bootstrap), ("ar", paired.approximate_randomization)):
            p = fn(shuffled, pairs, resamples, np.random.default_rng(seed)).p
            out[f"holm_{test}"] += bool((correction.holm(p) < ALPHA).any())
            out[f"bh_{test}"] += bool((correction.benjamini_hochberg(p) < ALPHA).any())
            out[f"pair_{test}"] += float(np.mean(p < ALPHA))
    return {k_: v / seeds for k_, v in out.items()}


RULES = ("ar", "bootstrap", "max", "min")  # min: the old "any test separates" rule, kept to show why it went


def split_null(scores: np.ndarray, seeds: int, resamples: int) -> dict[str, float]:
    """False-split rates of the cluster rules: the share of null leaderboards (each document's 16
    outputs permuted among the systems) whose clusters are not one. ``bench.stats.leaderboard`` is run
    as ``bench systems`` runs it (Holm, alpha 0.05, the default ``cluster_test``); the other rules'
    clusters come from the same pair rows through the same ``ranking.clusters``."""
    from bench.stats import ranking

    k, n = scores.shape
    systems = tuple(f"S{s}" for s in range(k))
    docs = tuple(f"d{d}" for d in range(n))
    default = SystemsSpec().cluster_test
    splits = dict.fromkeys(RULES, 0)
    for seed in range(seeds):
        gen = np.random.default_rng(20_000 + seed)
        perm = np.argsort(gen.random((k, n)), axis=0)
        shuffled = np.take_along_axis(scores, perm, axis=0)
        lb = leaderboard([Table("rouge1", "fmeasure", systems, docs, shuffled)],
                         SystemsSpec(resamples=resamples, ci_resamples=10, seed=seed))
        order = [systems.index(r.system) for r in lb.systems]
        q = {t: {(systems.index(r.a), systems.index(r.b)): r.p_adjusted for r in lb.pairs if r.test == t}
             for t in ("bootstrap", "ar")}
        rule_q = {"ar": q["ar"], "bootstrap": q["bootstrap"],
                  "max": {p: max(q["ar"][p], q["bootstrap"][p]) for p in q["ar"]},
                  "min": {p: min(q["ar"][p], q["bootstrap"][p]) for p in q["ar"]}}
        for rule in RULES:
            pos = {s: i for i, s in enumerate(order)}
            cl = ranking.clusters(order, lambda i, j: rule_q[rule][(i, j) if pos[i] < pos[j] else (j, i)] < ALPHA)
            if rule == default:  # the leaderboard's own clusters are the rule's
                assert [cl[systems.index(r.system)] for r in lb.systems] == [r.cluster for r in lb.systems]
            splits[rule] += max(cl.values()) > 1
    return {r: v / seeds for r, v in splits.items()}


def sacrebleu_time(tables: list[Table], resamples: int) -> tuple[float, int]:
    """Seconds for sacrebleu's paired bootstrap over every pair and metric (its per-system API, looped)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from stats.sacrebleu_oracle import sacrebleu_p

    t0 = time.perf_counter()
    calls = 0
    for t in tables:
        for a, b in itertools.combinations(range(len(t.systems)), 2):
            sacrebleu_p("bootstrap", t.scores[a], t.scores[b], resamples, 0)
            calls += 1
    return time.perf_counter() - t0, calls


def ci_overhead(path: str | None, repeats: int) -> tuple[float, float, float]:
    """Median wall seconds of a forced SummEval ROUGE ``bench run`` without and with intervals
    (alternating, in fresh processes), and the in-process ``intervals_s`` of the latter."""
    import statistics
    import subprocess
    import tempfile

    import bench

    exe = str(Path(sys.executable).with_name("bench"))
    extra = ([f"dataset.path={path}"] if path else []) + _smoke.limit(48)
    times: dict[str, list[float]] = {"off": [], "on": []}
    inner = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            for mode, opts in (("off", ["ci.resamples=0"]), ("on", [])):
                t = time.perf_counter()
                proc = subprocess.run([exe, "run", "experiment=summeval_rouge", "force=true", f"results_dir={tmp}",
                                       *extra, *opts], capture_output=True, text=True, check=True)
                times[mode].append(time.perf_counter() - t)
                if mode == "on":
                    run_dir = Path(proc.stdout.strip().splitlines()[-1])
                    inner.append(bench.load_run(run_dir).volatile.timings_s["intervals_s"])
    return statistics.median(times["off"]), statistics.median(times["on"]), statistics.median(inner)


def cli_time(path: str | None) -> dict[str, float]:
    """Wall seconds of ``bench systems`` on a stored SummEval ROUGE run (a fresh process: imports included)."""
    import subprocess
    import tempfile

    exe = str(Path(sys.executable).with_name("bench"))
    extra = ([f"dataset.path={path}"] if path else []) + _smoke.limit(48)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([exe, "run", "experiment=summeval_rouge", f"results_dir={tmp}", *extra],
                              capture_output=True, text=True, check=True)
        run_dir = proc.stdout.strip().splitlines()[-1]
        for label, opts in (("4 ROUGE metrics, 1,000 resamples", ["--resamples", "1000"]),
                            ("4 ROUGE metrics, default 10,000 resamples", [])):
            t = time.perf_counter()
            subprocess.run([exe, "systems", run_dir, "--no-save", *opts], capture_output=True, text=True, check=True)
            out[label] = time.perf_counter() - t
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=2000)
    ap.add_argument("--family-seeds", type=int, default=500)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--path", default=None)
    ap.add_argument("--overhead-repeats", type=int, default=5)
    ap.add_argument("--only", choices=["splits"], help="run only this part (splits: the cluster rules' false-split rates)")
    args = ap.parse_args()
    _smoke.announce()
    big = _smoke.cap(10_000, 200)  # the leaderboard's resamples
    pb = _smoke.cap(1000, 50)  # the paired bootstrap timed beside sacrebleu's
    if _smoke.on():  # a smoke run: three documents, a handful of seeds and resamples
        args.seeds, args.family_seeds, args.resamples, args.overhead_repeats = 8, 4, 100, 1

    if args.only == "splits":
        matrices, systems, docs = summeval_scores(args.path)
        fse = math.sqrt(ALPHA * (1 - ALPHA) / args.family_seeds)
        print(f"## False splits of a {len(systems)}-system leaderboard under the null "
              f"(ROUGE-1 F, {args.family_seeds} seeds, {big} resamples, Holm, alpha {ALPHA})")
        print(f"acceptable: <= alpha + 2 SE = {ALPHA + 2 * fse:.4f} (SE {fse:.4f}); default rule: "
              f"{SystemsSpec().cluster_test}\n")
        print("| cluster rule | false-split rate |\n|---|---|")
        for rule, rate in split_null(matrices["rouge1"], args.family_seeds, big).items():
            print(f"| {rule} | {rate:.4f} |")
        return

    off, on, inner = ci_overhead(args.path, args.overhead_repeats)
    print(f"## Cost of intervals: forced `bench run experiment=summeval_rouge`, median of {args.overhead_repeats}, alternating\n")
    print(f"ci.resamples=0: {off:.2f} s; default (1,000 resamples over 100 documents): {on:.2f} s "
          f"({(on / off - 1) * 100:+.1f}%); intervals_s inside the run: {inner:.3f} s\n")

    t0 = time.perf_counter()
    matrices, systems, docs = summeval_scores(args.path)
    print(f"SummEval ROUGE run: {len(systems)} systems x {len(docs)} documents ({time.perf_counter() - t0:.1f} s)")
    se = math.sqrt(ALPHA * (1 - ALPHA) / args.seeds)
    print(f"\n## Pair tests under the null (ROUGE-1 F, {args.seeds} seeds, {args.resamples} resamples, alpha {ALPHA})")
    print(f"acceptable: <= alpha + 2 SE = {ALPHA + 2 * se:.4f} (SE {se:.4f})\n")
    null = pair_null(matrices["rouge1"], args.seeds, args.resamples)
    print("| test | false-positive rate |\n|---|---|")
    for name, rate in null.items():
        print(f"| {name} | {rate:.4f} |")

    print(f"\n## 16-system leaderboard under the null ({args.family_seeds} seeds, {big} resamples)")
    fam = family_null(matrices["rouge1"], args.family_seeds, big)
    fse = math.sqrt(ALPHA * (1 - ALPHA) / args.family_seeds)
    print(f"family-wise: acceptable <= {ALPHA + 2 * fse:.4f}; per pair uncorrected: about {ALPHA}\n")
    print("| rate | value |\n|---|---|")
    for name, rate in fam.items():
        print(f"| {name} | {rate:.4f} |")

    print(f"\n## Power (ROUGE-1 F; per-document shift added to one of two swapped systems; {args.seeds // 2} seeds)\n")
    print("| shift | bootstrap | ar | check (regression) |\n|---|---|---|---|")
    for shift in (0.0025, 0.005, 0.01, 0.02):
        power = pair_null(matrices["rouge1"], args.seeds // 2, args.resamples, shift=-shift)
        print(f"| {shift} | {power['bootstrap']:.3f} | {power['ar']:.3f} | {power['check_regression']:.3f} |")

    tables = [Table(m, "fmeasure", tuple(systems), tuple(docs), s) for m, s in matrices.items()]
    print("\n## Speed: 16 systems, 120 pairs, 4 ROUGE metrics, both tests")
    timings = {}
    for b in sorted({_smoke.cap(1000, 100), big}):
        t = time.perf_counter()
        leaderboard(tables, SystemsSpec(resamples=b))
        timings[b] = time.perf_counter() - t
        print(f"bench leaderboard, {b} resamples: {timings[b]:.2f} s")
    t = time.perf_counter()
    for tb in tables:
        paired.paired_bootstrap(tb.scores, list(itertools.combinations(range(len(systems)), 2)), pb,
                                np.random.default_rng(0))
    ours_bs = time.perf_counter() - t
    cli = cli_time(args.path)
    for label, secs in cli.items():
        print(f"`bench systems RUN` end to end ({label}): {secs:.2f} s")
    theirs, calls = sacrebleu_time(tables, pb)
    print(f"paired bootstrap only, {pb} resamples, {calls} pair-metrics: bench {ours_bs:.3f} s, sacrebleu {theirs:.2f} s"
          f" -> {theirs / ours_bs:.0f}x")


if __name__ == "__main__":
    main()
