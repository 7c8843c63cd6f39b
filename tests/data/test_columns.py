"""bench.data.columns: items a column at a time, the same values as datasets' row-by-row Python formatter."""

from __future__ import annotations

import json

import pytest

from bench.data import columns
from bench.data.columns import to_items
from bench.data.items import Item
from bench.data.spec import ColumnSpec

ROWS = [
    {"doc": 7, "summary": "Cand é \"q\"", "ref": "Ref one.", "refs": ["a", "b"], "system": "M1", "score": 1.5,
     "tags": ["x", "y"], "flag": True},
    {"doc": 8, "summary": "", "ref": "Ref two.", "refs": ["c"], "system": "M2", "score": None, "tags": [],
     "flag": False},
]
SPEC = ColumnSpec(id="doc", candidate="summary", references=("ref", "refs"))


def _load(folder, rows, in_memory):
    import datasets

    path = folder / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(folder / "cache"),
                                 keep_in_memory=in_memory)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Each way datasets holds a loaded file (loading is the slow part: once per module)."""
    return {mode: _load(tmp_path_factory.mktemp(mode), ROWS * 3, mode == "in-memory")
            for mode in ("in-memory", "memory-mapped")}


def _by_rows(dataset, spec):
    """The definition: one formatted row at a time (what to_items did before it read columns)."""
    used = {spec.id, spec.candidate, *spec.references, spec.source}
    out = []
    for k, row in enumerate(dataset):
        refs = []
        for col in spec.references:
            refs.extend(row[col] if isinstance(row[col], list) else [row[col]])
        out.append(Item(str(k if spec.id is None else row[spec.id]), row[spec.candidate], tuple(refs),
                        {c: v for c, v in row.items() if c not in used}))
    return out


NO_IDS = ColumnSpec(id=None, candidate="summary", references=("ref",))


@pytest.mark.parametrize("mode", ["in-memory", "memory-mapped"])
@pytest.mark.parametrize("spec", [SPEC, NO_IDS], ids=["ids", "row-numbers"])
def test_items_equal_the_row_by_row_reading(loaded, mode, spec):
    items = to_items(loaded[mode], spec, "data.jsonl")
    assert items == _by_rows(loaded[mode], spec) and len(items) == 6
    assert {type(it.id) for it in items} == {str}


def test_a_memory_mapped_file_is_read_in_batches_not_through_its_table(loaded, monkeypatch):
    expected = _by_rows(loaded["memory-mapped"], SPEC)

    def no_table(*_args):
        raise AssertionError("read through the memory-mapped table")

    monkeypatch.setattr(columns, "column", no_table)
    assert to_items(loaded["memory-mapped"], SPEC, "data.jsonl") == expected


def test_an_index_mapping_is_read_through_the_formatter(loaded):
    dataset = loaded["memory-mapped"].select([1, 0])  # rows reordered by an index mapping
    assert [it.id for it in to_items(dataset, SPEC, "data.jsonl")] == ["8", "7"]
