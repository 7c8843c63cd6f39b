"""bench meta flags a lower-is-better metric: its rows say so and its table label says it was negated."""

from __future__ import annotations

from bench.analysis import render_meta
from bench.analysis.meta import Correlation, MetaEvaluation
from bench.values import Interval


def _row(metric, stat, higher):
    return Correlation("r", metric, stat, "expert.relevance", higher, "summary", "kendall", 0.2, Interval(0.1, 0.3),
                       100, 0, 1000)


def test_lower_is_better_rows_are_flagged_in_the_table():
    result = MetaEvaluation("meta|x", 16, 100, (_row("rouge1", "fmeasure", True), _row("repeated_2", "value", False),
                                                _row("bleu", "score", True)), ())
    text = render_meta.text(result)
    assert "repeated_2 (lower is better, negated)" in text and "0.200 [0.100, 0.300]" in text
    assert "\nbleu " in text and "\nrouge1 " in text and "bleu.score" not in text


def test_load_negates_a_lower_is_better_metric():
    import numpy as np

    import bench
    from bench.analysis import meta

    # a real (validated) run; "bad" is rouge1's values declared lower-is-better
    cands = [f"the cat sat {k} " + "on the mat " * (k % 3) for k in range(12)]
    run = bench.score(cands, [f"the cat sat on the mat {k // 2}" for k in range(12)], ids=[f"i{k}" for k in range(12)],
                      systems=[f"S{k % 2}" for k in range(12)], documents=[f"d{k // 2}" for k in range(12)],
                      metadata=[{"h": float(k % 5)} for k in range(12)], ci={"resamples": 0})
    data = run.to_dict()
    record, samples = data["record"], data["samples"]
    for block in ("metrics", "signatures", "primary", "facts"):
        record[block]["bad"] = record[block]["rouge1"]
    record["higher_is_better"]["bad"] = False
    for s in samples:
        s["scores"]["bad"] = s["scores"]["rouge1"]
    scores = meta.load([bench.Run.of(record, samples).validated], humans=["h"])
    assert scores.lower_is_better == {"bad"}
    np.testing.assert_array_equal(scores.metrics["bad"], -scores.metrics["rouge1"])
