"""The source document as an item field: which datasets declare it, how files map it, what it changes."""

from __future__ import annotations

import json

import pytest

from bench.data import DatasetSpec, load_items
from bench.data.items import Item, fingerprint, require_sources, sources_fingerprint, validate
from bench.data.spec import ColumnSpec
from bench.errors import BenchError


def test_seed_source_is_its_article():
    (item,) = load_items(DatasetSpec())
    assert item.source == item.references[0] and item.source.startswith(item.source.strip())


@pytest.mark.summeval
def test_summeval_source_is_the_src_article(summeval_items, summeval_raw):
    assert len(summeval_items) == 1600
    for item in summeval_items:
        assert item.source == summeval_raw[item.metadata["doc_id"]]["src"]


def test_files_map_a_source_column(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [{"id": "1", "candidate": "c", "reference": "r", "article": "the article"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    spec = DatasetSpec(source="files", path=str(path), columns=ColumnSpec(source="article"))
    (item,) = load_items(spec)
    assert item.source == "the article" and "article" not in item.metadata
    (plain,) = load_items(DatasetSpec(source="files", path=str(path)))
    assert plain.source is None and plain.metadata["article"] == "the article"
    with pytest.raises(BenchError, match=r"unknown column 'text' \(dataset.columns.source\)"):
        load_items(DatasetSpec(source="files", path=str(path), columns=ColumnSpec(source="text")))


def test_source_is_not_in_the_items_fingerprint_but_in_its_own():
    a, b = Item("1", "c", ("r",)), Item("1", "c", ("r",), source="s")
    assert fingerprint([a]) == fingerprint([b])  # the committed baselines' input hashes stay the same
    assert sources_fingerprint([a]) != sources_fingerprint([b])
    assert sources_fingerprint([b]) != sources_fingerprint([Item("1", "c", ("r",), source="t")])


def test_empty_source_is_rejected_and_missing_one_named():
    with pytest.raises(BenchError, match="source of item '1'"):
        validate([Item("1", "c", ("r",), source="  ")], "test")
    with pytest.raises(BenchError, match="item '2' has no source document, which X needs"):
        require_sources([Item("1", "c", ("r",), source="s"), Item("2", "c", ("r",))], "X")
