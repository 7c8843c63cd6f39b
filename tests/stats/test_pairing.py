"""Pairing per-item scores (a run's samples, read by attribute) into systems x documents tables."""

import numpy as np
import pytest

from bench.errors import BenchError
from bench.results.model import Sample
from bench.stats.pairing import by_field, by_runs, choose_stats
from bench.values import Facts

# what the runs declare: rouge1 ranks its F-measure, higher is better; len's one stat, lower is better
FACTS = {"rouge1": Facts(True, 0.0, 1.0, primary="fmeasure"), "len": Facts(False, primary="ratio"),
         "m": Facts(True, primary="f1")}


def _sample(id_, scores, metadata=None):
    return Sample(id_, "", 1, metadata or {}, {m: dict(v) for m, v in scores.items()})


def _item(doc, system, r1, extra=None, id_=None):
    return _sample(id_ or f"{doc}/{system}", {"rouge1": {"precision": r1 / 2, "recall": r1, "fmeasure": r1},
                                               "len": {"ratio": 1 - r1}},
                   {"doc_id": doc, "system": system, **(extra or {})})


def test_one_run_by_system_pairs_documents_in_natural_order():
    samples = [_item(d, s, 0.1 * k + j) for k, d in enumerate(["d2", "d10", "d1"]) for j, s in enumerate(["M11", "M2"])]
    tables = by_field(samples, "system", "doc_id", FACTS)
    assert [(t.metric, t.stat) for t in tables] == [("rouge1", "fmeasure"), ("len", "ratio")]
    assert [t.higher_is_better for t in tables] == [True, False]  # each metric's declared direction
    t = tables[0]
    assert t.systems == ("M2", "M11") and t.docs == ("d1", "d2", "d10")
    np.testing.assert_allclose(t.scores, [[1.2, 1.0, 1.1], [0.2, 0.0, 0.1]])


def test_items_of_one_system_on_one_document_are_averaged():
    samples = [_item("d1", "A", 0.2), _item("d1", "A", 0.4, id_="d1/A#2"), _item("d1", "B", 0.1)]
    assert by_field(samples, "system", "doc_id", FACTS)[0].scores[:, 0].tolist() == pytest.approx([0.3, 0.1])


def test_a_system_missing_documents_is_an_error_naming_them():
    samples = [_item(d, s, 0.1) for d in ["d1", "d2", "d3"] for s in ["A", "B"] if not (s == "B" and d != "d1")]
    with pytest.raises(BenchError, match="B lacks d2, d3"):
        by_field(samples, "system", "doc_id", FACTS)


def test_a_missing_field_lists_the_fields_present():
    with pytest.raises(BenchError, match=r"no metadata field 'sys'; fields present: doc_id, system, expert.coherence"):
        by_field([_item("d1", "A", 0.1, {"expert": {"coherence": 3.0}})], "sys", "doc_id", FACTS)


def test_runs_pair_by_item_id_and_must_share_items():
    a = [_sample(f"i{k}", {"m": {"f1": k / 10}}) for k in range(4)]
    b = [_sample(f"i{k}", {"m": {"f1": k / 5}}) for k in reversed(range(4))]
    t = by_runs([("A", a), ("B", b)], FACTS)[0]
    np.testing.assert_allclose(t.scores, [[0, 0.1, 0.2, 0.3], [0, 0.2, 0.4, 0.6]])
    with pytest.raises(BenchError, match="B lacks i3"):
        by_runs([("A", a), ("B", b[1:])], FACTS)
    with pytest.raises(BenchError, match="share the system name 'A'"):
        by_runs([("A", a), ("A", b)], FACTS)


def test_stat_choice():
    assert choose_stats(["precision", "recall", "fmeasure"], None, "fmeasure") == ["fmeasure"]  # the declared primary
    assert choose_stats(["precision", "recall", "fmeasure"], None, "recall") == ["recall"]
    assert choose_stats(["ratio"], None, "ratio") == ["ratio"]
    assert choose_stats(["precision", "recall"], "all", "recall") == ["precision", "recall"]
    assert choose_stats(["precision", "recall"], "recall", "precision") == ["recall"]
    with pytest.raises(BenchError, match="no stat 'f9'"):
        by_field([_item("d1", "A", 0.1), _item("d1", "B", 0.2)], "system", "doc_id", FACTS, stat="f9")
