"""bench compare's core on toy runs: labels, the runs' own intervals, the paired tests of bench systems."""

import numpy as np
import pytest

from bench.analysis.compare import Run, compare
from bench.errors import BenchError
from bench.stats import correction, paired
from bench.stats.leaderboard import SystemsSpec


def _run(name, values, stem, refs="sha256:r", ci=(0.1, 0.9)):
    samples = [{"id": f"i{k}", "scores": {"rouge1": {"precision": v, "fmeasure": v}}} for k, v in enumerate(values)]
    record = {"metrics": {"rouge1": {"precision": float(np.mean(values)), "fmeasure": float(np.mean(values))}},
              "inputs": {"references_fingerprint": refs}, "volatile": {"run_id": name},
              "config": {"metrics": {"rouge": {"use_stemmer": stem}}},
              "intervals": {"signature": "ci|boot:1000", "metrics": {"rouge1": {"fmeasure": list(ci)}}}}
    return Run(f"/r/{name}", record, samples)


def _three():
    g = np.random.default_rng(0)
    base = g.random(40)
    return [_run("a", base, True), _run("b", base - 0.05 + g.normal(0, 0.01, 40), False),
            _run("c", base + g.normal(0, 0.01, 40), None)]


def test_rows_are_labelled_by_what_differs_and_tests_are_those_of_bench_systems():
    runs = _three()
    out = compare(runs, SystemsSpec(resamples=2000)).to_json()
    assert out["labels"] == ["metrics.rouge.use_stemmer=true", "metrics.rouge.use_stemmer=false",
                             "metrics.rouge.use_stemmer=null"]
    assert out["metrics"] == [{"metric": "rouge1", "stat": "fmeasure", "higher_is_better": True}]
    assert all(v["ci"] == [0.1, 0.9] for v in out["values"])  # the run's own interval, never recomputed
    scores = np.array([[s["scores"]["rouge1"]["fmeasure"] for s in r.samples] for r in runs])
    want = paired.approximate_randomization(scores, [(1, 0), (2, 0)], 2000, np.random.default_rng(0))
    ar = [d for d in out["differences"] if d["test"] == "ar"]
    assert [d["p"] for d in ar] == list(want.p) and [d["p_adjusted"] for d in ar] == list(correction.holm(want.p))
    assert ar[0]["significant"] and ar[0]["delta"] < 0 and ar[0]["better"] is False and ar[0]["decides"]
    assert not any(d["decides"] for d in out["differences"] if d["test"] == "bootstrap")


def test_mismatched_items_or_references_are_one_line_errors():
    a, b, _ = _three()
    short = Run(b.path, b.record, b.samples[:-1])
    with pytest.raises(BenchError, match="score different items"):
        compare([a, short], SystemsSpec(resamples=100))
    other = _run("z", [0.5] * 40, False, refs="sha256:other")
    with pytest.raises(BenchError, match="different references"):
        compare([a, other], SystemsSpec(resamples=100))
    with pytest.raises(BenchError, match="at least two runs"):
        compare([a], SystemsSpec(resamples=100))
