"""bench meta flags a lower-is-better metric: its rows say so and its table label says it was negated."""

from __future__ import annotations

from bench.analysis import render_meta


def _row(metric, stat, higher):
    return {"metric": metric, "stat": stat, "human": "expert.relevance", "level": "summary", "coefficient": "kendall",
            "value": 0.2, "ci": [0.1, 0.3], "groups_skipped": 0, "higher_is_better": higher}


def test_lower_is_better_rows_are_flagged_in_the_table():
    payload = {"correlations": [_row("rouge1", "fmeasure", True), _row("repeated_2", "value", False),
                                _row("bleu", "score", True)],
               "systems": 16, "documents": 100, "signature": "meta|x"}
    text = render_meta.text(payload)
    assert "repeated_2 (lower is better, negated)" in text
    assert "\nbleu " in text and "\nrouge1 " in text and "bleu.score" not in text


def test_load_negates_a_lower_is_better_metric(monkeypatch):
    import numpy as np

    from bench.analysis import meta
    from bench.results import store

    samples = [{"id": f"{d}/{s}", "metadata": {"system": s, "doc_id": d, "h": float(k + j)},
                "scores": {"good": {"value": float(k + j)}, "bad": {"value": float(k + j)}}}
               for k, d in enumerate("abc") for j, s in enumerate(("S1", "S2"))]
    record = {"metrics": {"good": {"value": 0.0}, "bad": {"value": 0.0}}, "signatures": {"good": "g", "bad": "b"},
              "higher_is_better": {"good": True, "bad": False},
              "config": {"dataset": {"system_key": "system", "doc_key": "doc_id", "human": ["h"]}}}
    monkeypatch.setattr(store, "load_run", lambda d: record)
    monkeypatch.setattr(store, "load_samples", lambda d: samples)
    scores = meta.load(["run"])
    assert scores.lower_is_better == {"bad"}
    np.testing.assert_array_equal(scores.metrics["bad"], -scores.metrics["good"])
