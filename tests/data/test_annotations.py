"""The ``summeval_annotations`` source: per-annotator SummEval judgments as item metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.data import DatasetSpec, load_items
from bench.errors import BenchError

DIMS = ("coherence", "consistency", "fluency", "relevance")
SYSTEMS = {f"M{k}" for k in (8, 9, 10, 11, 12, 13, 14, 15, 17, 20, 22, 23)}


@pytest.fixture(scope="module")
def annotation_items(annotations_path):
    spec = DatasetSpec(name="summeval_annotations", source="summeval_annotations", path=str(annotations_path))
    return load_items(spec)


# --- the real data --------------------------------------------------------------------------------------


@pytest.mark.summeval
def test_shape_and_metadata_format(annotation_items):
    assert len(annotation_items) == 1200
    assert len({it.id for it in annotation_items}) == 1200
    assert {it.metadata["system"] for it in annotation_items} == SYSTEMS
    assert len({it.metadata["doc_id"] for it in annotation_items}) == 100
    for item in annotation_items:
        meta = item.metadata
        assert set(meta) == {"doc_id", "system", "expert", "turker", "annotators"}
        assert item.id == f"{meta['doc_id']}/{meta['system']}"
        assert set(meta["annotators"]) == {"expert", "turker"}
        for group, size in (("expert", 3), ("turker", 5)):
            panel = meta["annotators"][group]
            assert len(panel) == size
            assert all(tuple(a) == DIMS and all(type(v) is int and 1 <= v <= 5 for v in a.values()) for a in panel)
            assert meta[group] == {d: sum(a[d] for a in panel) / size for d in DIMS}
        json.dumps(item.to_json())  # stored with the samples: plain JSON


@pytest.mark.summeval
def test_same_items_as_the_summeval_source(annotation_items, summeval_items):
    """Same ids, order, candidates and references as ``dataset=summeval`` for these 12 systems."""
    wanted = [it for it in summeval_items if it.metadata["system"] in SYSTEMS]
    assert [it.id for it in annotation_items] == [it.id for it in wanted]
    for ours, theirs in zip(annotation_items, wanted):
        assert ours.candidate == theirs.candidate
        assert ours.references == theirs.references
        assert ours.metadata["doc_id"] == theirs.metadata["doc_id"]
        assert ours.metadata["system"] == theirs.metadata["system"]


@pytest.mark.summeval
def test_expert_means_equal_the_summeval_scores_exactly(annotation_items, summeval_raw):
    for item in annotation_items:
        scores = summeval_raw[item.metadata["doc_id"]]["sys_summs"][item.metadata["system"]]["scores"]
        assert dict(item.metadata["expert"]) == scores  # float ==, as SOURCE.md reports: 1200/1200


@pytest.mark.summeval
def test_through_the_config(annotations_path, run_config, annotation_items):
    config = run_config("dataset=summeval_annotations", f"dataset.path={annotations_path}")
    assert config.dataset.source == "summeval_annotations"
    assert (config.dataset.doc_key, config.dataset.system_key) == ("doc_id", "system")
    assert tuple(config.dataset.human) == tuple(f"expert.{d}" for d in DIMS)
    assert load_items(config.dataset) == annotation_items


def _samples(results_dir: Path) -> dict[str, dict]:
    (path,) = results_dir.glob("*/*/samples.jsonl")
    return {row["id"]: row["scores"] for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


@pytest.mark.summeval
def test_bench_run_rouge_equals_the_summeval_run(tmp_path, bench_main, annotations_path, summeval_path):
    ours = bench_main("run", "dataset=summeval_annotations", f"dataset.path={annotations_path}", "metrics=[rouge]",
                     f"results_dir={tmp_path}/a", cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    theirs = bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "metrics=[rouge]",
                       f"results_dir={tmp_path}/s", cwd=tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    a, s = _samples(tmp_path / "a"), _samples(tmp_path / "s")
    assert len(a) == 1200 and set(a) <= set(s)
    assert {k: a[k] for k in a} == {k: s[k] for k in a}  # every type and stat, exactly


# --- a tiny synthetic copy: format and bad input ---------------------------------------------------------


def _annotation(score: int) -> dict:
    return {d: score for d in DIMS}


def _write(tmp_path: Path, rows: dict[str, list] | None = None, *, text: bool = True) -> Path:
    """``tmp/summeval/{bartscore json, annotations/M8_..., M9_...}``; returns the annotations folder."""
    base = tmp_path / "summeval"
    folder = base / "annotations"
    folder.mkdir(parents=True)
    docs = {"dm-test-a": "The cat sat (on the mat) .", "dm-test-b": "A dog 's day ."}
    refs = ["Original highlight .", "Crowd reference ."]
    if text:
        data = {
            doc: {"src": "article", "ref_summ": refs[0], "ref_summs": refs,
                  "sys_summs": {s: {"sys_summ": f"{summary} {s}", "scores": {d: 2.0 for d in DIMS}}
                                for s in ("M0", "M8", "M9")}}
            for doc, summary in docs.items()
        }
        (base / "bartscore_SummEval_data.json").write_text(json.dumps(data), encoding="utf-8")
    if rows is None:
        rows = {
            s: [{"id": doc, "model_id": s,
                 # the annotations copy: lower case, untokenised, PTB brackets kept
                 "decoded": f"{summary.lower().replace('(', '-lrb- ').replace(')', ' -rrb-')} {s.lower()}",
                 "expert_annotations": [_annotation(1), _annotation(2), _annotation(4)],
                 "turker_annotations": [_annotation(k) for k in (1, 2, 3, 4, 5)],
                 "references": ["Original highlight.", "Crowd reference."], "filepath": "x", "text": "article"}
                for doc, summary in docs.items()]
            for s in ("M8", "M9")
        }
    for system, lines in rows.items():
        body = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
        (folder / f"{system}_outputs_annotations.jsonl").write_text(body, encoding="utf-8")
    return folder


def _load(path: Path) -> list:
    return load_items(DatasetSpec(source="summeval_annotations", path=str(path)))


def test_synthetic_items_and_metadata(tmp_path):
    items = _load(_write(tmp_path))
    assert [it.id for it in items] == ["dm-test-a/M8", "dm-test-a/M9", "dm-test-b/M8", "dm-test-b/M9"]
    assert items[0].candidate == "The cat sat (on the mat) . M8"  # the summeval copy's text
    assert items[0].references == ("Original highlight .", "Crowd reference .")
    assert items[0].metadata == {
        "doc_id": "dm-test-a", "system": "M8",
        "expert": {d: 7 / 3 for d in DIMS}, "turker": {d: 3.0 for d in DIMS},
        "annotators": {"expert": [_annotation(1), _annotation(2), _annotation(4)],
                       "turker": [_annotation(k) for k in (1, 2, 3, 4, 5)]},
    }


def _rows(tmp_path: Path, edit) -> dict[str, list]:
    """The default rows of ``_write`` with ``edit(rows)`` applied (written to a scratch copy first)."""
    scratch = _write(tmp_path / "scratch")
    rows = {p.name.split("_")[0]: [json.loads(x) for x in p.read_text().splitlines()] for p in scratch.glob("*.jsonl")}
    edit(rows)
    return rows


def _set(system: int, row: int, key: str, value):
    def edit(rows):
        rows[f"M{system}"][row][key] = value
    return edit


BAD = [
    ("malformed line", lambda r: r["M9"].__setitem__(1, '{"id": "dm-test-b", '),
     r"M9_outputs_annotations.jsonl:2 is not valid JSON"),
    ("not an object", lambda r: r["M8"].__setitem__(0, "[1, 2]"), "is not a JSON object"),
    ("no id", _set(8, 0, "id", None), "has no str field 'id'"),
    ("references not a list", _set(8, 0, "references", "x"), "has no list field 'references'"),
    ("wrong model_id", _set(8, 1, "model_id", "M9"), "model_id 'M9' in the file of M8"),
    ("unknown document", _set(9, 0, "id", "dm-test-zzz"), "dm-test-zzz/M9 is not a SummEval summary"),
    ("duplicate row", lambda r: r["M8"].append(r["M8"][0]), "duplicate annotations for dm-test-a/M8"),
    ("other summary", _set(8, 0, "decoded", "a different summary"), "decoded does not match dm-test-a/M8"),
    ("other references", _set(8, 0, "references", ["Original highlight."]), "references do not match"),
    ("fewer experts", _set(9, 1, "expert_annotations", [_annotation(1), _annotation(2)]),
     r"M9_outputs_annotations.jsonl:2: 2 expert_annotations, but 3 at .*M8_outputs_annotations.jsonl:1"),
    ("more turkers", _set(8, 1, "turker_annotations", [_annotation(3)] * 6), "6 turker_annotations, but 5 at"),
    ("no experts", _set(8, 0, "expert_annotations", []), "expert_annotations is not a non-empty list"),
    ("missing dimension", _set(8, 0, "turker_annotations", [{"coherence": 1}] * 5),
     r"turker_annotations\[0\] is not a dict"),
    ("score out of range", _set(8, 0, "expert_annotations", [_annotation(1), _annotation(6), _annotation(2)]),
     r"expert_annotations\[1\].coherence = 6 is not an integer 1-5"),
    ("boolean score", _set(8, 0, "expert_annotations", [_annotation(True)] * 3), "= True is not an integer 1-5"),
    ("float score", _set(8, 0, "expert_annotations", [_annotation(2.5)] * 3), "= 2.5 is not an integer 1-5"),
]


@pytest.mark.parametrize("edit, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_rows_are_one_line_errors(tmp_path, edit, message):
    folder = _write(tmp_path, _rows(tmp_path, edit))
    with pytest.raises(BenchError, match=message) as info:
        _load(folder)
    assert "\n" not in str(info.value) and info.value.fix


def test_missing_folder(tmp_path):
    with pytest.raises(BenchError, match="SummEval annotations folder not found") as info:
        _load(tmp_path / "nowhere")
    assert "llm_summeval_model_output_annotations" in info.value.fix


def test_path_is_a_file(tmp_path):
    (tmp_path / "file.jsonl").write_text("{}\n")
    with pytest.raises(BenchError, match="SummEval annotations folder is not a folder"):
        _load(tmp_path / "file.jsonl")


def test_folder_without_annotation_files(tmp_path):
    folder = _write(tmp_path, rows={})
    with pytest.raises(BenchError, match=r"holds no M\*_outputs_annotations.jsonl files"):
        _load(folder)


def test_missing_text_file(tmp_path):
    with pytest.raises(BenchError, match="bartscore_SummEval_data.json not found") as info:
        _load(_write(tmp_path, text=False))
    assert "beside the annotations folder" in info.value.fix


def test_not_utf8(tmp_path):
    folder = _write(tmp_path)
    (folder / "M8_outputs_annotations.jsonl").write_bytes(b'{"id": "caf\xe9"}\n')
    with pytest.raises(BenchError, match="is not valid UTF-8"):
        _load(folder)
