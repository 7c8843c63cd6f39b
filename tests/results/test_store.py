"""bench.results.store: atomic, schema-versioned run directories, and clear errors reading them back."""

from __future__ import annotations

import json
import math
import re

import pytest

from bench.errors import BenchError
from bench.results import run_record, store


RECORD = {"schema_version": store.SCHEMA_VERSION, "experiment": "seed", "metrics": {"rouge1": {"fmeasure": 0.1 + 0.2}},
          "b": [1, 2], "a": "caf\u00e9", "config": {}, "signatures": {"rouge1": "rouge1|v:1"}, "environment": {},
          "inputs": {"items": 2, "fingerprint": "sha256:in", "references_fingerprint": "sha256:ref"}, "volatile": {}}
SAMPLES = [{"id": "x", "candidate": "c", "n_references": 1, "metadata": {}, "scores": {"rouge1": {"fmeasure": 1 / 3}}},
           {"id": "y", "candidate": "na\u00efve", "n_references": 1, "metadata": {}, "scores": {"rouge1": {"fmeasure": 0.5}}}]
FILES = {"config.yaml": "name: seed\n", ".hydra/overrides.yaml": "- results_dir=x\n"}


def write(tmp_path, run_id="20250101-000000-abcdef", experiment="seed", files=FILES):
    return store.write_run(tmp_path / "results", experiment, RECORD, SAMPLES, files, run_id)


def test_write_run_layout(tmp_path):
    run = write(tmp_path)
    assert run == tmp_path / "results" / "seed" / "20250101-000000-abcdef"
    assert sorted(p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file()) == [
        ".hydra/overrides.yaml", "config.yaml", "result.json", "samples.jsonl"]
    assert (run / "config.yaml").read_text() == "name: seed\n"
    assert not (tmp_path / "results" / ".staging").exists()  # staging is cleaned up
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [".verified", "seed"]


def test_the_writer_records_its_samples_as_verified(tmp_path):
    """The entry a listing trusts: the record's and samples' SHA-256 (computed here, not by the store) and the
    samples file's size and mtime, in the store's .verified/ folder (never inside the run)."""
    import hashlib

    run = write(tmp_path)
    entry = json.loads((tmp_path / "results" / ".verified" / "seed" / f"{run.name}.json").read_text())
    raw = (run / "samples.jsonl").read_bytes()
    stat = (run / "samples.jsonl").stat()
    assert entry == {"kind": "samples-verified", "version": 1,
                     "record_sha256": "sha256:" + hashlib.sha256((run / "result.json").read_bytes()).hexdigest(),
                     "samples_sha256": "sha256:" + hashlib.sha256(raw).hexdigest(),
                     "size": len(raw), "mtime_ns": stat.st_mtime_ns}
    assert store.read_verified(tmp_path / "results", run) == entry


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"kind": "samples-verified", "version": 2}',
                                  '{"kind": "samples-verified", "version": 1, "record_sha256": "sha256:x", '
                                  '"samples_sha256": "sha256:x", "size": 1, "mtime_ns": 1}'])
def test_a_damaged_verified_entry_is_no_entry(tmp_path, text):
    run = write(tmp_path)
    (tmp_path / "results" / ".verified" / "seed" / f"{run.name}.json").write_text(text)
    assert store.read_verified(tmp_path / "results", run) is None


def test_verified_entries_are_only_for_runs_of_the_store(tmp_path):
    assert store.verified_file(tmp_path, tmp_path / "exp" / "run") == tmp_path / ".verified" / "exp" / "run.json"
    for elsewhere in (tmp_path / "run", tmp_path / "a" / "b" / "run", tmp_path / ".staging" / "run", tmp_path.parent / "x" / "y"):
        assert store.verified_file(tmp_path, elsewhere) is None


def test_result_json_is_sorted_exact_and_round_trips(tmp_path):
    run = write(tmp_path)
    text = (run / "result.json").read_text(encoding="utf-8")
    digest = store.samples_sha256((run / "samples.jsonl").read_bytes())  # the store records its samples' bytes
    stored = {**RECORD, "samples_sha256": digest}
    assert text == json.dumps(stored, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert "caf\u00e9" in text  # not \u-escaped
    assert run_record.load(run).record_dict() == stored
    assert run_record.load(run / "result.json").record_dict() == stored
    assert run_record.load(run).metrics["rouge1"].fmeasure == 0.1 + 0.2  # repr floats: bit-exact


def test_samples_one_sorted_line_per_item(tmp_path):
    run = write(tmp_path)
    lines = (run / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(SAMPLES)
    assert [json.loads(line) for line in lines] == SAMPLES
    assert lines[0] == json.dumps(SAMPLES[0], sort_keys=True, ensure_ascii=False)
    assert run_record.load(run).samples_list() == SAMPLES


def test_runs_never_overwrite_each_other(tmp_path):
    first = write(tmp_path)
    before = (first / "result.json").read_bytes()
    with pytest.raises(BenchError, match="already exists"):
        write(tmp_path)  # same run id
    assert (first / "result.json").read_bytes() == before
    assert not (tmp_path / "results" / ".staging").exists()
    second = write(tmp_path, run_id="20250101-000000-123456")
    assert sorted(p.name for p in first.parent.iterdir()) == ["20250101-000000-123456", "20250101-000000-abcdef"]
    assert second != first


def test_unwritable_results_dir_is_a_bench_error(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("a file where the results directory should be")
    with pytest.raises(BenchError, match="cannot write results under"):
        write(tmp_path)


def test_nan_is_never_written(tmp_path):
    bad = {**RECORD, "metrics": {"rouge1": {"fmeasure": math.nan}}}
    with pytest.raises(ValueError):
        store.write_run(tmp_path / "results", "seed", bad, SAMPLES, {}, "r1")
    assert not (tmp_path / "results" / "seed").exists()
    assert not (tmp_path / "results" / ".staging").exists()


def test_new_run_ids_are_unique_and_sortable():
    ids = [store.new_run_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", i) for i in ids)


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda d: None, "is not a run (no result.json)"),
        (lambda d: (d / "result.json").write_text("{truncated"), "is damaged: result.json is corrupt or unreadable"),
        (lambda d: (d / "result.json").write_text("[1, 2]"), "is damaged: result.json: the record is list [1, 2], not an object"),
        (lambda d: (d / "result.json").write_text('{"metrics": {}}'), "is damaged: result.json: no schema_version (not written by bench)"),
        (lambda d: (d / "result.json").write_text('{"schema_version": 999}'), "is damaged: result.json: schema_version is 999; this bench reads 1"),
    ],
    ids=["missing", "bad-json", "not-object", "no-schema", "future-schema"],
)
def test_load_run_errors(tmp_path, setup, message):
    setup(tmp_path)
    with pytest.raises(BenchError) as info:
        run_record.load(tmp_path)
    assert message in str(info.value)


def test_load_samples_missing(tmp_path):
    run = write(tmp_path)
    (run / "samples.jsonl").unlink()
    with pytest.raises(BenchError, match="is damaged: samples.jsonl is missing or unreadable"):
        run_record.load(run)


def test_write_json_atomic_replaces_and_leaves_no_temp(tmp_path):
    path = tmp_path / "baseline.json"
    store.write_json_atomic(path, {"b": 1, "a": 2})
    store.write_json_atomic(path, {"b": 3})
    assert json.loads(path.read_text()) == {"b": 3}
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


def test_index_keys_are_never_paths(tmp_path):
    import pytest as _pytest

    with _pytest.raises(ValueError, match="not a run key"):
        store.index_run(tmp_path, "sha256:../../escaped", tmp_path)
    assert store.find_indexed(tmp_path, "sha256:../../escaped") is None
    assert not (tmp_path.parent / "escaped").exists()


def test_a_run_with_a_tampered_key_is_written_but_not_indexed(tmp_path, caplog):
    run = store.write_run(tmp_path / "results", "seed", RECORD, SAMPLES, {}, "r9", key="sha256:../../../escaped")
    assert (run / "result.json").is_file()
    assert not (tmp_path / "results" / ".index").exists() and not (tmp_path / "escaped").exists()
    assert "not indexed" in caplog.text
