"""Intervals and groups of a run's aggregates."""

import numpy as np
import pytest

from bench.errors import BenchError
from bench.stats import aggregate
from bench.stats.intervals import BootSpec, mean_intervals


def _run(n_docs=30, systems=("M1", "M2", "M10")):
    g = np.random.default_rng(0)
    ids, scores, meta = [], [], []
    for d in range(n_docs):
        for s in systems:
            ids.append(f"d{d}/{s}")
            f = float(g.random())
            scores.append({"rouge1": {"recall": f / 2, "fmeasure": f}})
            meta.append({"doc_id": f"d{d}", "system": s})
    return ids, scores, meta


def test_overall_intervals_resample_documents_with_the_seed():
    ids, scores, meta = _run()
    block = aggregate.intervals(ids, scores, meta, BootSpec(unit="doc"), "doc_id")
    assert block["signature"] == "ci|boot:1000|level:95|unit:doc|seed:0|method:percentile|min:5"
    assert block["n_units"] == 30 and block["unit_field"] == "doc_id"
    values = np.array([[s["rouge1"]["recall"], s["rouge1"]["fmeasure"]] for s in scores])
    want = mean_intervals(values, [m["doc_id"] for m in meta], BootSpec(unit="doc"), np.random.default_rng(0))
    assert block["metrics"]["rouge1"] == {"recall": want[0].as_list(), "fmeasure": want[1].as_list()}


def test_groups_have_their_means_and_intervals_in_natural_order():
    ids, scores, meta = _run()
    block = aggregate.groups(ids, scores, meta, BootSpec(), None, "system")
    assert list(block["values"]) == ["M1", "M2", "M10"]
    m2 = block["values"]["M2"]
    mine = [s["rouge1"]["fmeasure"] for s, m in zip(scores, meta) if m["system"] == "M2"]
    assert m2["n_items"] == 30 and m2["metrics"]["rouge1"]["fmeasure"] == pytest.approx(np.mean(mine), abs=1e-15)
    lo, hi = m2["intervals"]["rouge1"]["fmeasure"]
    assert lo < m2["metrics"]["rouge1"]["fmeasure"] < hi


def test_a_group_interval_does_not_depend_on_the_other_groups():
    ids, scores, meta = _run()
    keep = [k for k, m in enumerate(meta) if m["system"] != "M10"]
    alone = aggregate.groups([ids[k] for k in keep], [scores[k] for k in keep], [meta[k] for k in keep],
                             BootSpec(), None, "system")
    full = aggregate.groups(ids, scores, meta, BootSpec(), None, "system")
    assert alone["values"]["M2"] == full["values"]["M2"]


def test_one_item_has_no_interval():
    block = aggregate.intervals(["a"], [{"m": {"f1": 0.5}}], [{}], BootSpec(), None)
    assert block["metrics"] == {"m": {"f1": None}} and block["n_units"] == 1


def test_missing_unit_or_group_field_is_an_error():
    ids, scores, meta = _run(3)
    with pytest.raises(BenchError, match="no metadata field 'document'"):
        aggregate.intervals(ids, scores, meta, BootSpec(unit="doc"), "document")
    with pytest.raises(BenchError, match="to group by"):
        aggregate.groups(ids, scores, meta, BootSpec(), None, "model")
