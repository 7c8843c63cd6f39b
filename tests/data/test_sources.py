"""bench.data: the seed pair, local files, local "hub" datasets, SummEval, and item selection.

File tests write real text (paragraphs of the seed article) in each format to
``tmp_path`` and read it back through ``datasets``, as a user's file would be.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from pathlib import Path

from bench import data
from bench.data import DatasetSpec, load_items, select
from bench.data.items import Item
from bench.data.seed import CANDIDATE_NAME, REFERENCE_NAME, SEED_SHA256
from bench.data.spec import ColumnSpec
from bench.errors import BenchError

ROOT = Path(__file__).resolve().parents[2]  # the checkout (tests/conftest.py's ROOT; not imported: other conftest modules shadow the name)

SEEDS = ROOT / "seeds"
PARAS = [p for p in (SEEDS / REFERENCE_NAME).read_text(encoding="utf-8").split("\n") if p.strip()]


# --- the seed pair ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [REFERENCE_NAME, CANDIDATE_NAME])
def test_repo_seeds_are_byte_identical_to_shared(shared_seeds, name):
    assert (SEEDS / name).read_bytes() == (shared_seeds / name).read_bytes()


@pytest.mark.parametrize("name", [REFERENCE_NAME, CANDIDATE_NAME])
def test_seed_hashes_pinned_in_code_match_the_files(name):
    import hashlib

    assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == SEED_SHA256[name]


def test_seed_item():
    (item,) = load_items(DatasetSpec())
    assert item.id == "seed-000"
    assert item.candidate == (SEEDS / CANDIDATE_NAME).read_text(encoding="utf-8")  # raw: extraction comes later
    assert item.references == ((SEEDS / REFERENCE_NAME).read_text(encoding="utf-8").strip(),)
    assert dict(item.metadata) == {"candidate_file": CANDIDATE_NAME, "reference_file": REFERENCE_NAME}


TAMPER = [
    ("candidate-edited", "candidate_file", CANDIDATE_NAME, lambda b: b.replace(b"Total Views : 10", b"Total Views : 11")),
    ("candidate-crlf", "candidate_file", CANDIDATE_NAME, lambda b: b.replace(b"\n", b"\r\n")),
    ("candidate-trailing-newline", "candidate_file", CANDIDATE_NAME, lambda b: b + b"\n"),
    ("reference-edited", "reference_file", REFERENCE_NAME, lambda b: b.replace(b"Tuesday", b"Monday")),
]


@pytest.mark.parametrize("option, name, edit", [t[1:] for t in TAMPER], ids=[t[0] for t in TAMPER])
def test_tampered_seed_is_an_error_naming_sha256(tmp_path, option, name, edit):
    copy = tmp_path / name  # same file name: the pinned hash applies
    copy.write_bytes(edit((SEEDS / name).read_bytes()))
    with pytest.raises(BenchError) as info:
        load_items(DatasetSpec(**{option: str(copy)}))
    assert "SHA-256" in str(info.value)
    assert str(copy) in str(info.value)
    assert SEED_SHA256[name][:12] in str(info.value)


def test_untouched_copy_of_a_seed_loads(tmp_path):
    copy = tmp_path / CANDIDATE_NAME
    shutil.copyfile(SEEDS / CANDIDATE_NAME, copy)
    (item,) = load_items(DatasetSpec(candidate_file=str(copy)))
    assert item.candidate == (SEEDS / CANDIDATE_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content, message",
    [(None, "file not found"), (b"caf\xe9 au lait", "is not valid UTF-8")],
    ids=["missing", "latin-1"],
)
def test_seed_file_errors(tmp_path, content, message):
    path = tmp_path / "my_candidate.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BenchError, match=message):
        load_items(DatasetSpec(candidate_file=str(path)))


# --- local files through `datasets` -------------------------------------------------------------------

ROWS = [
    {"doc": f"d{k}", "summary": PARAS[k], "ref_a": PARAS[k + 1], "ref_b": PARAS[k + 2],
     "refs": [PARAS[k + 3], PARAS[k + 4]], "lang": "en"}
    for k in range(3)
]


def _write(path, fmt, rows):
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    elif fmt == "csv":
        import pandas as pd

        pd.DataFrame([{k: v for k, v in r.items() if k != "refs"} for r in rows]).to_csv(path, index=False)
    elif fmt == "parquet":
        import pandas as pd

        pd.DataFrame(rows).to_parquet(path, index=False)
    return path


FILE_CASES = [
    # (format, reference columns, expected references of row k)
    ("jsonl", ("ref_a", "ref_b"), lambda r: (r["ref_a"], r["ref_b"])),
    ("jsonl", ("refs",), lambda r: tuple(r["refs"])),
    ("jsonl", ("ref_b", "refs"), lambda r: (r["ref_b"], *r["refs"])),
    ("json", ("ref_a", "ref_b"), lambda r: (r["ref_a"], r["ref_b"])),
    ("json", ("refs",), lambda r: tuple(r["refs"])),
    ("csv", ("ref_a",), lambda r: (r["ref_a"],)),
    ("csv", ("ref_a", "ref_b"), lambda r: (r["ref_a"], r["ref_b"])),
    ("parquet", ("refs",), lambda r: tuple(r["refs"])),
    ("parquet", ("ref_a", "ref_b", "refs"), lambda r: (r["ref_a"], r["ref_b"], *r["refs"])),
]


@pytest.mark.parametrize("fmt, ref_cols, expected", FILE_CASES, ids=[f"{c[0]}-{'+'.join(c[1])}" for c in FILE_CASES])
def test_files_column_mapping(tmp_path, fmt, ref_cols, expected):
    path = _write(tmp_path / f"data.{fmt}", fmt, ROWS)
    spec = DatasetSpec(name="mine", source="files", path=str(path),
                       columns=ColumnSpec(id="doc", candidate="summary", references=ref_cols))
    items = load_items(spec)
    assert [it.id for it in items] == ["d0", "d1", "d2"]
    assert [it.candidate for it in items] == [r["summary"] for r in ROWS]
    assert [it.references for it in items] == [expected(r) for r in ROWS]
    for item in items:
        # metadata: every column that is not the id, the candidate or a reference column
        unused = {"ref_a", "ref_b", "refs", "lang"} - set(ref_cols) - ({"refs"} if fmt == "csv" else set())
        assert set(item.metadata) == unused
        assert item.metadata["lang"] == "en"


def test_files_through_the_config(tmp_path, run_config):
    path = _write(tmp_path / "data.jsonl", "jsonl", ROWS)
    config = run_config("dataset=files", f"dataset.path={path}", "dataset.columns.id=doc",
                        "dataset.columns.candidate=summary", "dataset.columns.references=[ref_a,refs]")
    items = load_items(config.dataset)
    assert [it.references for it in items] == [(r["ref_a"], *r["refs"]) for r in ROWS]


def test_files_id_null_numbers_rows(tmp_path):
    path = _write(tmp_path / "data.csv", "csv", ROWS)
    spec = DatasetSpec(source="files", path=str(path), columns=ColumnSpec(id=None, candidate="summary", references=("ref_a",)))
    assert [it.id for it in load_items(spec)] == ["0", "1", "2"]


def test_files_numeric_ids_become_strings(tmp_path):
    rows = [{"id": 10 + k, "candidate": PARAS[k], "reference": PARAS[k + 1]} for k in range(2)]
    path = _write(tmp_path / "data.csv", "csv", rows)
    assert [it.id for it in load_items(DatasetSpec(source="files", path=str(path)))] == ["10", "11"]


def test_files_format_option_overrides_extension(tmp_path):
    path = _write(tmp_path / "data.txt", "jsonl", ROWS)
    spec = DatasetSpec(source="files", path=str(path), format="jsonl",
                       columns=ColumnSpec(id="doc", candidate="summary", references=("ref_a",)))
    assert len(load_items(spec)) == 3


FILE_ERRORS = [
    ("missing", None, {}, "dataset.path: file not found"),
    ("directory", "DIR", {}, "is not a file"),
    ("not-utf8", b'{"id": "a", "candidate": "caf\xe9", "reference": "x"}\n', {}, "is not valid UTF-8 (near byte 29)"),
    ("bad-json", b'{"id": "a", "candidate": \n', {}, "cannot read"),
    ("unknown-extension", b"id,candidate,reference\n", {"suffix": ".tsv"}, "unknown file format"),
    ("unknown-column", None, {"rows": True, "candidate": "summry"},
     "unknown column 'summry' (dataset.columns.candidate)"),
    ("unknown-reference-column", None, {"rows": True, "references": ("ref_a", "ref_c")},
     "unknown column 'ref_c' (dataset.columns.references)"),
    ("no-reference-columns", None, {"rows": True, "references": ()}, "dataset.columns.references is empty"),
]


@pytest.mark.parametrize("content, opts, message", [e[1:] for e in FILE_ERRORS], ids=[e[0] for e in FILE_ERRORS])
def test_files_errors(tmp_path, content, opts, message):
    path = tmp_path / f"data{opts.get('suffix', '.jsonl')}"
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    elif opts.get("rows"):
        _write(path, "jsonl", ROWS)
    columns = ColumnSpec(id="doc", candidate=opts.get("candidate", "summary"), references=opts.get("references", ("ref_a",)))
    with pytest.raises(BenchError) as info:
        load_items(DatasetSpec(source="files", path=str(path), columns=columns))
    assert message in str(info.value)
    if opts.get("rows") and opts.get("candidate"):
        assert "valid choices: doc, lang, ref_a, ref_b, refs, summary" in str(info.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_files_unreadable(tmp_path):
    path = _write(tmp_path / "data.jsonl", "jsonl", ROWS)
    path.chmod(0)
    try:
        with pytest.raises(BenchError, match="cannot read"):
            load_items(DatasetSpec(source="files", path=str(path)))
    finally:
        path.chmod(0o644)


def test_files_path_unset():
    with pytest.raises(BenchError, match="dataset.path is not set"):
        load_items(DatasetSpec(source="files"))


# --- hub: a local dataset directory (offline) ---------------------------------------------------------


@pytest.fixture(scope="module")
def hub_dirs(tmp_path_factory):
    import datasets

    root = tmp_path_factory.mktemp("hub")
    ds = datasets.Dataset.from_list(ROWS)
    ds.save_to_disk(str(root / "plain"))
    datasets.DatasetDict({"test": ds, "train": ds.select([0])}).save_to_disk(str(root / "splits"))
    return root


@pytest.mark.parametrize(
    "folder, split, n",
    [("plain", "train", 3), ("plain", "whatever", 3), ("splits", "test", 3), ("splits", "train", 1)],
)
def test_hub_local_dataset_directory(hub_dirs, folder, split, n):
    spec = DatasetSpec(source="hub", path=str(hub_dirs / folder), split=split,
                       columns=ColumnSpec(id="doc", candidate="summary", references=("ref_a", "refs")))
    items = load_items(spec)
    assert len(items) == n
    assert items[0] == Item("d0", ROWS[0]["summary"], (ROWS[0]["ref_a"], *ROWS[0]["refs"]),
                            {"ref_b": ROWS[0]["ref_b"], "lang": "en"})


def test_hub_through_the_config(hub_dirs, run_config):
    config = run_config("dataset=hub", f"dataset.path={hub_dirs / 'splits'}", "dataset.columns.id=doc",
                        "dataset.columns.candidate=summary", "dataset.columns.references=[refs]")
    assert config.dataset.split == "test"
    assert [it.references for it in load_items(config.dataset)] == [tuple(r["refs"]) for r in ROWS]


@pytest.mark.parametrize(
    "path, split, message",
    # datasets names the missing split itself (its error is not a KeyError in every version)
    [("splits", "validation", r"split.*'?validation'?.*(not found|Unknown split)"),
     ("no-such-dataset-dir-xyz", "test", "cannot load dataset"),
     (None, "test", "dataset.path is not set")],
)
def test_hub_errors(hub_dirs, path, split, message):
    full = None if path is None else (str(hub_dirs / path) if path == "splits" else path)
    with pytest.raises(BenchError, match=message):
        load_items(DatasetSpec(source="hub", path=full, split=split))


# --- SummEval -----------------------------------------------------------------------------------------


@pytest.mark.summeval
def test_summeval_shape(summeval_items):
    assert len(summeval_items) == 1600
    assert len({it.id for it in summeval_items}) == 1600
    assert {len(it.references) for it in summeval_items} == {11}
    assert len({it.metadata["doc_id"] for it in summeval_items}) == 100
    systems = {it.metadata["system"] for it in summeval_items}
    assert systems == {f"M{k}" for k in (0, 1, 2, 5, 8, 9, 10, 11, 12, 13, 14, 15, 17, 20, 22, 23)}
    for item in summeval_items:
        assert set(item.metadata) == {"doc_id", "system", "expert"}
        assert set(item.metadata["expert"]) == {"coherence", "consistency", "fluency", "relevance"}
        assert all(1.0 <= v <= 5.0 for v in item.metadata["expert"].values())
        assert item.id == f"{item.metadata['doc_id']}/{item.metadata['system']}"


@pytest.mark.summeval
def test_summeval_items_match_the_raw_file(summeval_items, summeval_raw):
    for item in summeval_items:
        doc = summeval_raw[item.metadata["doc_id"]]
        entry = doc["sys_summs"][item.metadata["system"]]
        assert item.candidate == entry["sys_summ"]
        assert item.references == tuple(doc["ref_summs"])
        assert item.references[0] == doc["ref_summ"]  # the original CNN/DM highlight comes first
        assert dict(item.metadata["expert"]) == entry["scores"]
    # order: documents sorted by id, systems by number
    assert [it.id for it in summeval_items[:3]] == [f"{sorted(summeval_raw)[0]}/M{k}" for k in (0, 1, 2)]


@pytest.mark.summeval
def test_summeval_through_the_config(summeval_path, run_config, summeval_items):
    config = run_config("dataset=summeval", f"dataset.path={summeval_path}")
    assert load_items(config.dataset) == summeval_items


@pytest.mark.parametrize(
    "content, message",
    [(b"{not json", "is not valid JSON"), (b'{"a": {"src": "x"}}', "does not look like SummEval"),
     (b"[1, 2]", "does not look like SummEval")],
)
def test_summeval_bad_file(tmp_path, content, message):
    path = tmp_path / "summeval.json"
    path.write_bytes(content)
    with pytest.raises(BenchError, match=message):
        load_items(DatasetSpec(source="summeval", path=str(path)))


def test_unknown_source():
    with pytest.raises(BenchError, match="unknown dataset source .*'hubb'.*did you mean 'hub'"):
        load_items(DatasetSpec(source="hubb"))


# --- selection: limit and seeded sample ---------------------------------------------------------------

POOL = [Item(f"i{k:03d}", f"candidate {k}", (f"reference {k}",)) for k in range(200)]


@pytest.mark.parametrize(
    "limit, sample, seed, n",
    [(None, None, 0, 200), (10, None, 0, 10), (500, None, 0, 200), (None, 20, 0, 20), (None, 20, 7, 20),
     (5, 20, 3, 5), (None, 200, 0, 200), (None, 999, 0, 200)],
)
def test_select_sizes_and_order(limit, sample, seed, n):
    out = select(POOL, limit, sample, seed)
    assert len(out) == n
    ids = [it.id for it in out]
    assert ids == sorted(ids)  # source order kept
    assert select(POOL, limit, sample, seed) == out  # deterministic
    if sample is None:
        assert out == POOL[:n]


def test_sample_depends_on_seed_and_limit_applies_after_sampling():
    a, b = select(POOL, None, 20, 0), select(POOL, None, 20, 1)
    assert a != b
    assert select(POOL, 5, 20, 0) == a[:5]
    assert [it.id for it in a] == [f"i{k:03d}" for k in sorted(__import__("random").Random(0).sample(range(200), 20))]


@pytest.mark.parametrize("limit, sample", [(0, None), (-1, None), (None, 0)])
def test_select_rejects_non_positive(limit, sample):
    with pytest.raises(BenchError, match="must be a positive integer"):
        select(POOL, limit, sample, 0)


@pytest.mark.summeval
def test_summeval_sample_is_deterministic(summeval_items):
    first = data.select(summeval_items, 10, 50, 2024)
    again = data.select(list(summeval_items), 10, 50, 2024)
    assert [it.id for it in first] == [it.id for it in again]
    assert len({it.metadata["doc_id"] for it in data.select(summeval_items, None, 50, 2024)}) > 1
