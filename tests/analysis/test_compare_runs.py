"""bench compare's core on toy runs: labels, the runs' own intervals, the paired tests of bench systems."""

import numpy as np
import pytest

from bench.analysis import render_compare
from bench.analysis.compare import compare
from bench.errors import BenchError
from bench.results.model import Run
from bench.stats import correction, paired
from bench.stats.leaderboard import SystemsSpec

ROUGE1 = {"range": [0.0, 1.0], "kind": "quality", "corpus": False, "drift": 0.0, "min_effect": 0.005}


def _run(name, values, stem, refs="sha256:r", ci=(0.1, 0.9), higher=True, ids=None):
    ids = ids or [f"i{k}" for k in range(len(values))]
    samples = [{"id": i, "candidate": "c", "n_references": 1, "metadata": {},
                "scores": {"rouge1": {"precision": v, "fmeasure": v}}} for i, v in zip(ids, values)]
    record = {"experiment": "toy", "metrics": {"rouge1": {"precision": float(np.mean(values)),
                                                          "fmeasure": float(np.mean(values))}},
              "signatures": {"rouge1": "rouge|x"}, "higher_is_better": {"rouge1": higher},
              "primary": {"rouge1": "fmeasure"}, "facts": {"rouge1": ROUGE1},
              "inputs": {"items": len(values), "fingerprint": f"sha256:{name}", "references_fingerprint": refs},
              "volatile": {"run_id": name}, "config": {"metrics": {"rouge": {"use_stemmer": stem}}},
              "intervals": {"signature": "ci|boot:1000", "metrics": {"rouge1": {"fmeasure": list(ci)}}}}
    return Run.of(record, samples)


def _three(higher=True):
    g = np.random.default_rng(0)
    base = g.random(40)
    return [_run("a", base, True, higher=higher), _run("b", base - 0.05 + g.normal(0, 0.01, 40), False, higher=higher),
            _run("c", base + g.normal(0, 0.01, 40), None, higher=higher)]


def test_rows_are_labelled_by_what_differs_and_tests_are_those_of_bench_systems():
    runs = _three()
    result = compare(runs, SystemsSpec(resamples=2000))
    out = result.to_json()
    assert out["kind"] == "compare" and out["schema_version"] == 1
    assert out["labels"] == ["metrics.rouge.use_stemmer=true", "metrics.rouge.use_stemmer=false",
                             "metrics.rouge.use_stemmer=null"]
    assert out["metrics"] == [{"metric": "rouge1", "stat": "fmeasure", "higher_is_better": True}]
    assert all(v["ci"] == [0.1, 0.9] for v in out["values"])  # the run's own interval, never recomputed
    scores = np.array([[s.scores["rouge1"]["fmeasure"] for s in r.samples] for r in runs])
    want = paired.approximate_randomization(scores, [(1, 0), (2, 0)], 2000, np.random.default_rng(0))
    ar = [d for d in out["differences"] if d["test"] == "ar"]
    assert [d["p"] for d in ar] == list(want.p) and [d["p_adjusted"] for d in ar] == list(correction.holm(want.p))
    assert ar[0]["significant"] and ar[0]["delta"] < 0 and ar[0]["better"] is False and ar[0]["decides"]
    assert not any(d["decides"] for d in out["differences"] if d["test"] == "bootstrap")
    assert [s["run_id"] for s in out["sources"]] == ["a", "b", "c"]
    assert render_compare.text(result).splitlines()[2].startswith("metrics.rouge.use_stemmer=true  ")


def test_a_lower_is_better_metric_reads_a_drop_as_better():
    ar = [d for d in compare(_three(higher=False), SystemsSpec(resamples=500)).differences if d.test == "ar"]
    assert ar[0].delta < 0 and ar[0].better is True


def test_items_pair_by_id_whatever_their_order():
    a, b, _ = _three()
    shuffled = _run("b2", [s.scores["rouge1"]["fmeasure"] for s in reversed(b.samples)], False,
                    ids=[s.id for s in reversed(b.samples)])
    one = [d.p for d in compare([a, b], SystemsSpec(resamples=300)).differences]
    two = [d.p for d in compare([a, shuffled], SystemsSpec(resamples=300)).differences]
    assert one == two


def test_mismatched_items_or_references_are_one_line_errors():
    a, b, _ = _three()
    short = _run("s", [s.scores["rouge1"]["fmeasure"] for s in b.samples[:-1]], False)
    with pytest.raises(BenchError, match="score different items"):
        compare([a, short], SystemsSpec(resamples=100))
    other = _run("z", [0.5] * 40, False, refs="sha256:other")
    with pytest.raises(BenchError, match="different references"):
        compare([a, other], SystemsSpec(resamples=100))
    with pytest.raises(BenchError, match="at least two runs"):
        compare([a], SystemsSpec(resamples=100))
    with pytest.raises(BenchError, match="no metric bleu in every run"):
        compare([a, b], SystemsSpec(resamples=100), metrics=["bleu"])
