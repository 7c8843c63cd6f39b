"""False-regression rate of ``bench check``'s changed-candidates rule under the null, on SummEval.

    python benchmarks/gate_calibration.py [--nulls 2000] [--path ../shared/data/summeval/...]

SummEval is scored once with bench (``experiment=summeval_rouge`` plus BLEU: 16 systems x 100
documents); the per-document scores stay in memory. A null case: draw a pair of systems (A, B) and,
for each document, give A's summary to the "baseline" and B's to the "run" or the other way round,
each with probability 1/2. The two sides are then exchangeable, so there is no true difference, and
every regression the gate reports is a false one. Each case goes through the gate's own decision
(``bench.gate.compare.judge`` on two sides whose candidates differ: the paired bootstrap, then the
rule), with the shipped settings (alpha 0.05, 2000 resamples, seed 0):

- ``min_effect=0``: a significant drop alone is a regression. The p-value is one-sided in the observed
  direction and a regression needs an observed drop, so this is a one-sided test at alpha: the rate
  should be about alpha (0.05); the bootstrap's small-sample bias may put it slightly above.
- the default minimum effect (the metric's facts: 0.005 ROUGE, 0.5 BLEU point): the rate can only be
  lower, by how often a significant null difference is smaller than the minimum effect.

Corpus BLEU is gated on its corpus value (``bench.gate.compare.judge_corpus``): a one-sided paired
bootstrap of the documents' summed sufficient statistics, so its rate should also be about alpha.
For reference the same null cases go through sacrebleu's own paired bootstrap p-value
(``bench.stats.corpus.paired_bootstrap_p``, equal to sacrebleu's), two-sided, with a regression
needing p < alpha and an observed drop: a calibrated two-sided test would flag about alpha / 2
(0.025) that way. ``--corpus-nulls`` cases (default 500: each runs two 2,000-resample corpus tests).

Each rate comes with a Wilson 95% interval for a binomial proportion over the null cases.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.gate.compare import CORPUS, REGRESSED, CheckSpec, Side, Tolerance, decide, judge, judge_corpus  # noqa: E402
from bench.results.model import Inputs, MetricSummary  # noqa: E402
from bench.stats.corpus import paired_bootstrap_p  # noqa: E402
from bench.values import Stats  # noqa: E402

import _smoke  # noqa: E402  (beside this file: a script's own folder is on sys.path)

METRICS = (("rouge1", "fmeasure"), ("rouge2", "fmeasure"), ("rougeL", "fmeasure"), ("bleu", "score"))


def summeval(path: str | None):
    """metric -> (systems x documents matrix of per-item scores, facts), from one bench run of SummEval."""
    import bench

    overrides = ["experiment=summeval_rouge", "metrics=[rouge,bleu]", "ci.resamples=0", *_smoke.limit(48)]
    run = bench.evaluate(overrides + ([f"dataset.path={path}"] if path else []))
    systems = sorted({s.metadata["system"] for s in run.samples})
    docs = sorted({s.metadata["doc_id"] for s in run.samples})
    out = {}
    for metric, stat in METRICS:
        matrix = np.full((len(systems), len(docs)), np.nan)
        for s in run.samples:
            matrix[systems.index(s.metadata["system"]), docs.index(s.metadata["doc_id"])] = s.scores[metric][stat]
        assert not np.isnan(matrix).any(), "every system summarises every document"
        out[metric] = (matrix, run.metrics[metric].facts)
    from bench.results.corpus import corpus_metric

    bleu = corpus_metric(run, "bleu")  # corpus BLEU: per-item sufficient statistics and sacrebleu's scorer
    stats = np.zeros((len(systems), len(docs), len(bleu.rows[0])))
    for s, row in zip(run.samples, bleu.rows):
        stats[systems.index(s.metadata["system"]), docs.index(s.metadata["doc_id"])] = row
    out["bleu corpus"] = (stats, run.metrics["bleu"].facts, bleu.score)
    return out, systems, docs


def side(metric: str, stat: str, values: np.ndarray, facts, docs: list[str], candidates: str) -> Side:
    """One side of the gate: one metric's per-document scores (its mean as the aggregate)."""
    summary = MetricSummary(metric, Stats({stat: float(values.mean())}), facts, f"{metric}|x:1")
    return Side({metric: summary}, {metric: f"{metric}|x:1"}, Inputs(len(docs), candidates, "sha256:refs", candidates),
                tuple(docs), {metric: {stat: values.tolist()}})


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95% interval of a binomial proportion k/n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def calibrate(scores, docs: list[str], nulls: int, spec: CheckSpec) -> list[dict]:
    rows = []
    for metric, stat in METRICS:
        matrix, facts = scores[metric]
        pairs = list(itertools.combinations(range(matrix.shape[0]), 2))
        zero = replace(spec, tolerances={metric: Tolerance(min_effect=0.0)})
        hits = {"zero": 0, "default": 0}
        smallest = math.inf  # the smallest null drop that the test found significant
        for k in range(nulls):
            gen = np.random.default_rng(30_000 + k)
            a, b = pairs[gen.integers(len(pairs))]
            swap = gen.integers(2, size=matrix.shape[1]).astype(bool)
            base = side(metric, stat, np.where(swap, matrix[a], matrix[b]), facts, docs, "sha256:baseline")
            run = side(metric, stat, np.where(swap, matrix[b], matrix[a]), facts, docs, "sha256:run")
            row = judge(base, run, metric, stat, spec)  # the gate's decision, default minimum effect
            hits["default"] += row.verdict == REGRESSED
            again = decide(metric, stat, row.baseline, row.run, facts, zero, False, row.p_value, row.test, row.n_items)
            hits["zero"] += again.verdict == REGRESSED
            if again.verdict == REGRESSED:
                smallest = min(smallest, -row.gain)
        for setting, effect in (("zero", 0.0), ("default", facts.min_effect)):
            lo, hi = wilson(hits[setting], nulls)
            rows.append({"metric": f"{metric} {stat}", "min_effect": effect, "rate": hits[setting] / nulls,
                         "lo": lo, "hi": hi, "n": nulls, "smallest": smallest})
    return rows


def corpus_side(stats: np.ndarray, facts, docs: list[str], candidates: str, score) -> Side:
    """One side of the corpus gate: the documents' BLEU statistics and the corpus BLEU of their sum."""
    value = score(stats.sum(axis=0).tolist())
    summary = MetricSummary("bleu", Stats({"score": float(stats.shape[0])}), facts, "bleu|x:1",
                            corpus=Stats({"score": value}))
    return Side({"bleu": summary}, {"bleu": "bleu|x:1"}, Inputs(len(docs), candidates, "sha256:refs", candidates),
                tuple(docs), {"bleu": {"score": [0.0] * len(docs)}}, {"bleu": [tuple(r) for r in stats.tolist()]})


def calibrate_corpus(scores, docs: list[str], nulls: int, spec: CheckSpec) -> list[dict]:
    """The corpus BLEU rule under the null: sacrebleu's paired bootstrap on exchangeable sides."""
    stats, facts, score = scores["bleu corpus"]
    pairs = list(itertools.combinations(range(stats.shape[0]), 2))
    zero = replace(spec, tolerances={"bleu": Tolerance(min_effect=0.0)})
    hits = {"zero": 0, "default": 0, "sacrebleu": 0}
    smallest = math.inf
    for k in range(nulls):
        gen = np.random.default_rng(60_000 + k)
        a, b = pairs[gen.integers(len(pairs))]
        swap = gen.integers(2, size=stats.shape[1]).astype(bool)[:, None]
        base = corpus_side(np.where(swap, stats[a], stats[b]), facts, docs, "sha256:baseline", score)
        run = corpus_side(np.where(swap, stats[b], stats[a]), facts, docs, "sha256:run", score)
        row = judge_corpus(base, run, "bleu", spec, False, score)
        hits["default"] += row.verdict == REGRESSED
        again = decide("bleu", "score", row.baseline, row.run, facts, zero, False, row.p_value, row.test, row.n_items,
                       level=CORPUS)
        hits["zero"] += again.verdict == REGRESSED
        if again.verdict == REGRESSED:
            smallest = min(smallest, -row.gain)
        p = paired_bootstrap_p(base.corpus_rows("bleu"), run.corpus_rows("bleu"), score, spec.resamples, spec.seed)
        theirs = decide("bleu", "score", row.baseline, row.run, facts, zero, False, p, row.test, row.n_items,
                        level=CORPUS)
        hits["sacrebleu"] += theirs.verdict == REGRESSED
    out = []
    for setting, effect, name in (("zero", 0.0, "bleu corpus score"), ("default", facts.min_effect, "bleu corpus score"),
                                  ("sacrebleu", 0.0, "bleu corpus score, sacrebleu's p (reference)")):
        lo, hi = wilson(hits[setting], nulls)
        out.append({"metric": name, "min_effect": effect, "rate": hits[setting] / nulls,
                    "lo": lo, "hi": hi, "n": nulls, "smallest": smallest if setting != "sacrebleu" else math.nan})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nulls", type=int, default=2000, help="null cases per metric (default 2000)")
    ap.add_argument("--corpus-nulls", type=int, default=500, help="null cases of the corpus BLEU rule (default 500)")
    ap.add_argument("--path", default=None, help="bartscore_SummEval_data.json (default: the dataset config's)")
    args = ap.parse_args()
    _smoke.announce()
    nulls = _smoke.cap(args.nulls, 5)
    corpus_nulls = _smoke.cap(args.corpus_nulls, 3)
    spec = CheckSpec()
    scores, systems, docs = summeval(args.path)
    print(f"SummEval: {len(systems)} systems x {len(docs)} documents; {nulls} null cases per metric; "
          f"alpha {spec.alpha}, {spec.resamples} resamples, seed {spec.seed}, min_items {spec.min_items}")
    print(f"expected with min_effect=0: about alpha = {spec.alpha} (a one-sided test at alpha)")
    print("| metric | min_effect | false-regression rate | 95% interval (Wilson) | smallest significant null drop |\n"
          "|---|---|---|---|---|")
    for r in [*calibrate(scores, docs, nulls, spec), *calibrate_corpus(scores, docs, corpus_nulls, spec)]:
        print(f"| {r['metric']} ({r['n']} nulls) | {r['min_effect']:g} | {r['rate']:.3f} | [{r['lo']:.3f}, {r['hi']:.3f}] | "
              f"{r['smallest']:.4g} |")
    print(f"expected: about alpha = {spec.alpha} for the gate's rows; about alpha / 2 = {spec.alpha / 2} for "
          "sacrebleu's two-sided p read as a drop (reference)")


if __name__ == "__main__":
    main()
