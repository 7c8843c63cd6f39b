"""bench.results.run_record: the one validated reader of stored runs, on a toy run damaged file by file."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest

import bench
from bench.results import run_record, store
from bench.results.model import Run
from bench.results.run_record import DamagedRun, legacy_primary

CANDS = ["the cat sat", "a dog ran far", "birds fly high", "fish swim"]
REFS = ["a cat sat on the mat", "the dog ran", "birds can fly high", "fish can swim fast"]


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    """One stored ROUGE run of four tiny items (copied per test before it is damaged)."""
    return bench.save(bench.score(CANDS, REFS, ids=["a", "b", "c", "d"]), tmp_path_factory.mktemp("toy"))


@pytest.fixture
def run(toy, tmp_path) -> Path:
    dest = tmp_path / "results" / toy.parent.name / toy.name
    shutil.copytree(toy, dest)
    return dest


def _lines(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


def _record(run: Path) -> dict:
    return json.loads((run / "result.json").read_text())


def _write_samples(run: Path, text: str, rehash: bool = True) -> None:
    """Damage samples.jsonl; ``rehash`` records the damaged bytes' hash, so the line checks (not the hash) must catch it."""
    (run / "samples.jsonl").write_text(text)
    if rehash:
        record = _record(run)
        record["samples_sha256"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
        (run / "result.json").write_text(json.dumps(record))


def _dump(lines: list) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_a_stored_run_loads_with_its_primary_stats_and_verified_samples(run):
    loaded = run_record.load(run)
    assert isinstance(loaded, Run) and loaded.__class__ is bench.Run and loaded.hashed and loaded.path == run
    assert loaded.experiment == "memory" and loaded.ids == ("a", "b", "c", "d")
    assert dict(loaded.primary) == {m: "fmeasure" for m in ("rouge1", "rouge2", "rougeL", "rougeLsum")}
    assert _record(run)["primary"] == dict(loaded.primary)  # recorded from MetricResult.primary, not inferred
    raw = (run / "samples.jsonl").read_bytes()
    assert _record(run)["samples_sha256"] == "sha256:" + hashlib.sha256(raw).hexdigest()
    json.dumps(loaded.record_dict())  # plain data
    with pytest.raises(TypeError):
        loaded.data["metrics"]["rouge1"] = {}  # read-only


def _drop_line(run):
    _write_samples(run, _dump(_lines(run)[:-1]))


def _cut_mid_line(run):
    _write_samples(run, (run / "samples.jsonl").read_text()[:-30])


def _no_scores(run):
    lines = _lines(run)
    del lines[1]["scores"]
    _write_samples(run, _dump(lines))


def _duplicate_id(run):
    lines = _lines(run)
    lines[2]["id"] = "a"
    _write_samples(run, _dump(lines))


def _stat_missing(run):
    lines = _lines(run)
    del lines[0]["scores"]["rougeL"]["recall"]
    _write_samples(run, _dump(lines))


def _nan_score(run):
    text = (run / "samples.jsonl").read_text()
    _write_samples(run, text.replace('"fmeasure": ', '"fmeasure": NaN, "x": ', 1))


def _text_score(run):
    lines = _lines(run)
    lines[3]["scores"]["rouge1"]["fmeasure"] = "0.5"
    _write_samples(run, _dump(lines))


def _not_an_object(run):
    _write_samples(run, _dump(_lines(run)[:3] + [[1, 2]]))


def _bad_source_hash(run):
    lines = _lines(run)
    lines[0]["source_sha256"] = "abc"
    _write_samples(run, _dump(lines))


def _id_not_text(run):
    lines = _lines(run)
    lines[0]["id"] = 7
    _write_samples(run, _dump(lines))


def _edited_not_rehashed(run):
    lines = _lines(run)
    lines[0]["scores"]["rouge1"]["fmeasure"] = 0.99
    _write_samples(run, _dump(lines), rehash=False)


def _no_samples(run):
    (run / "samples.jsonl").unlink()


def _record_edit(**changes):
    def damage(run):
        record = _record(run)
        for dotted, value in changes.items():
            *path, last = dotted.split("__")
            node = record
            for key in path:
                node = node[key]
            if value is _DELETE:
                del node[last]
            else:
                node[last] = value
        (run / "result.json").write_text(json.dumps(record))
    return damage


_DELETE = object()

SAMPLE_DAMAGE = [
    (_drop_line, "samples.jsonl has 3 lines for inputs.items 4"),
    (_cut_mid_line, "samples.jsonl ends mid-line"),
    (_no_scores, "samples.jsonl line 2: scores is missing, not an object"),
    (_duplicate_id, "samples.jsonl holds item id 'a' twice"),
    (_stat_missing, "samples.jsonl line 1: scores.rougeL.recall is None, not a finite number"),
    (_nan_score, "samples.jsonl line 1 is not JSON (non-finite number NaN)"),
    (_text_score, "samples.jsonl line 4: scores.rouge1.fmeasure is '0.5', not a finite number"),
    (_not_an_object, "samples.jsonl line 4: the line is list [1, 2], not an object"),
    (_bad_source_hash, "samples.jsonl line 1: source_sha256 is str \"abc\", not 64 hex digits"),
    (_id_not_text, "samples.jsonl line 1: id is int 7, not text"),
    (_edited_not_rehashed, "samples.jsonl does not match the SHA-256 recorded in result.json"),
    (_no_samples, "samples.jsonl is missing or unreadable"),
]
RECORD_DAMAGE = [
    (_record_edit(metrics__rouge1=5), "result.json: metrics.rouge1 is int 5, not an object"),
    (_record_edit(metrics__rouge2__recall=float("inf")), "result.json is corrupt or unreadable (non-finite number Infinity)"),
    (_record_edit(metrics__rouge2__recall=True), "result.json: metrics.rouge2.recall is True, not a finite number"),
    (_record_edit(signatures=_DELETE), "result.json: signatures is missing, not an object"),
    (_record_edit(signatures__rouge1=_DELETE), "result.json: signatures names metrics"),
    (_record_edit(higher_is_better__rouge1="yes"), "result.json: higher_is_better.rouge1 is str \"yes\", not true/false"),
    (_record_edit(primary__rouge1="f1"), "result.json: primary.rouge1 is 'f1', not one of its stats"),
    (_record_edit(inputs__items="4"), "result.json: inputs.items is '4', not a count"),
    (_record_edit(inputs=_DELETE), "result.json: inputs is missing, not an object"),
    (_record_edit(environment=[]), "result.json: environment is list [], not an object"),
    (_record_edit(volatile=_DELETE), "result.json: volatile is missing, not an object"),
    (_record_edit(intervals__metrics__rouge1__fmeasure=[0.1]), "result.json: intervals.metrics.rouge1.fmeasure is list"),
    (_record_edit(corpus={"bleu": {"score": 1.0}}), "result.json: corpus names metric 'bleu'"),
    (_record_edit(corpus={"rouge1": {"fmeasure": "x"}}), "result.json: corpus.rouge1.fmeasure is 'x', not a finite number"),
    (_record_edit(schema_version=2), "result.json: schema_version is 2; this bench reads 1"),
    (_record_edit(samples_sha256="md5:00"), "result.json: samples_sha256 is 'md5:00', not sha256:<64 hex>"),
]


@pytest.mark.parametrize("damage, what", SAMPLE_DAMAGE + RECORD_DAMAGE,
                         ids=[d.__name__ for d, _ in SAMPLE_DAMAGE] + [f"record-{k}" for k in range(len(RECORD_DAMAGE))])
def test_damage_is_one_line_naming_the_run_and_what(run, damage, what):
    damage(run)
    with pytest.raises(DamagedRun) as info:
        run_record.load(run)
    message = str(info.value)
    assert message.startswith(f"run {run} is damaged: ") and what in message, message
    assert "\n" not in message and message.endswith("(bench never repairs a run)")
    with pytest.raises(DamagedRun):  # the library reader refuses it the same way
        bench.load_run(run)


def test_a_run_stored_before_hashing_loads_with_one_notice(run, caplog):
    record = _record(run)
    del record["samples_sha256"], record["primary"]  # as bench wrote runs before this record model
    (run / "result.json").write_text(json.dumps(record))
    with caplog.at_level(logging.WARNING, logger="bench"):
        first, again = run_record.load(run), run_record.load(run)
    assert not first.hashed and dict(first.primary) == dict(again.primary) == {
        m: "fmeasure" for m in record["metrics"]}  # the old rule, applied in one place
    notices = [r.getMessage() for r in caplog.records if "stored before samples were hashed" in r.getMessage()]
    assert len(notices) == 1 and str(run) in notices[0]


def test_an_old_run_with_damaged_samples_is_still_refused(run):
    record = _record(run)
    del record["samples_sha256"]
    (run / "result.json").write_text(json.dumps(record))
    (run / "samples.jsonl").write_text(_dump(_lines(run)[:2]))
    with pytest.raises(DamagedRun, match="samples.jsonl has 2 lines for inputs.items 4"):
        run_record.load(run)


def test_optional_blocks_of_other_branches_are_accepted(run):
    record = _record(run)
    record["corpus"] = {"rouge1": {"fmeasure": 0.5}}  # contract 2
    lines = _lines(run)
    lines[0]["source_sha256"] = "0" * 64  # contract 3
    text = _dump(lines)
    record["samples_sha256"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    (run / "samples.jsonl").write_text(text)
    (run / "result.json").write_text(json.dumps(record))
    assert run_record.load(run).data["corpus"]["rouge1"]["fmeasure"] == 0.5


def test_legacy_primary_is_fmeasure_then_f1_then_the_first_stat():
    assert legacy_primary(("precision", "recall", "fmeasure")) == "fmeasure"
    assert legacy_primary(("precision", "recall", "f1")) == "f1"
    assert legacy_primary(("ratio", "diff")) == "ratio"


def test_metric_results_carry_their_primary_stat():
    from bench.metrics.base import MetricResult
    from bench.signature import Signature

    sig = Signature("m", (("v", "1"),))
    assert MetricResult("m", ("a", "b"), ((1.0, 2.0),), sig, primary="b").primary == "b"
    assert MetricResult("m", ("precision", "f1"), ((1.0, 2.0),), sig).primary == "f1"  # a plug-in without one
    with pytest.raises(ValueError, match="primary stat 'c' is not one of"):
        MetricResult("m", ("a", "b"), ((1.0, 2.0),), sig, primary="c")


def test_an_unsaved_run_is_validated_when_an_analysis_takes_it():
    run = bench.score(CANDS, REFS)
    assert run.validated.ids == ("0", "1", "2", "3") and run.validated.path is None
    record = run.as_dict()
    record["metrics"]["rouge1"]["fmeasure"] = float("nan")
    with pytest.raises(DamagedRun, match=r"^run in memory is damaged: metrics.rouge1.fmeasure is nan"):
        bench.Run.of(record, run.to_dict()["samples"]).validated


def test_a_damaged_run_never_answers_from_the_run_cache(tmp_path):
    from bench.results import run_cache

    saved = bench.save(bench.score(CANDS, REFS), tmp_path)
    key = _record(saved)["run_key"]
    assert run_cache.find(tmp_path, key).path == saved
    _write_samples(saved, _dump(_lines(saved)[:-1]))
    assert run_cache.find(tmp_path, key) is None  # computed again rather than read damaged


def test_a_candidate_holding_a_line_separator_loads_back(tmp_path):
    # the store writes text unescaped: U+2028, U+0085 and \x1c are inside a JSON string, not line ends
    texts = ["the cat\u2028sat", "a dog\x85barked", "rain\x1cfell"]
    saved = bench.save(bench.score(texts, ["the cat sat", "a dog barked", "rain fell"]), tmp_path)
    assert [s.candidate for s in bench.load_run(saved).samples] == texts


def test_corpus_statistics_of_two_widths_are_damage(tmp_path):
    run = bench.score(["a b c d", "a b"], ["a b c d e", "a b c"], metrics=["bleu"])
    data = run.to_dict()
    data["samples"][1]["corpus_stats"]["bleu"] = data["samples"][1]["corpus_stats"]["bleu"][:-1]
    with pytest.raises(DamagedRun, match="corpus_stats.bleu has 9 statistics, line 1 has 10"):
        bench.Run.of(data["record"], data["samples"]).validated


def test_a_loaded_run_is_validated_once(tmp_path, monkeypatch):
    from bench.results import validate

    saved = bench.save(bench.score(["a b c"], ["a b"]), tmp_path)
    run = bench.load_run(saved)
    monkeypatch.setattr(validate, "validate_run", lambda *a, **k: pytest.fail("validated twice"))
    assert run.validated is run


# --- listing: records and the verified-samples index, samples on first use ----------------------------------


class _Opens:
    """Records the paths this process opens while ``active`` (an audit hook cannot be removed: it idles)."""

    active = False
    paths: list = []

    @classmethod
    def hook(cls, event, args):
        if cls.active and event == "open" and isinstance(args[0], (str, bytes, Path)):
            cls.paths.append(str(args[0]))


import sys as _sys  # noqa: E402

_sys.addaudithook(_Opens.hook)


def _opened_while(fn):
    _Opens.paths, _Opens.active = [], True
    try:
        return fn(), list(_Opens.paths)
    finally:
        _Opens.active = False


def _entry(run: Path) -> Path:
    return run.parent.parent / ".verified" / run.parent.name / f"{run.name}.json"


def _same_size_and_mtime_edit(run: Path) -> None:
    """A hand edit of one score that keeps the file's size and then restores its mtime (``touch -d``)."""
    import os

    path = run / "samples.jsonl"
    stat = path.stat()
    text = path.read_text()
    first = json.loads(text.splitlines()[0])
    old = json.dumps(first)
    metric = next(iter(first["scores"]))
    stat_name = next(iter(first["scores"][metric]))
    first["scores"][metric][stat_name] = 0.0 if first["scores"][metric][stat_name] != 0.0 else 1.0
    new = json.dumps(first)
    new = new + " " * (len(old) - len(new)) if len(new) <= len(old) else new[: len(old)]
    edited = text.replace(text.splitlines()[0], new, 1)
    assert len(edited.encode()) == stat.st_size and edited != text
    path.write_text(edited)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_listing_verifies_an_unindexed_run_once_then_reads_only_its_record(run):
    root = run.parent.parent
    assert not _entry(run).exists()  # copied without the store's index: as a store from before it
    first, opened = _opened_while(lambda: run_record.listed(run, root))
    assert str(run / "samples.jsonl") in opened and not first.plain_samples.loaded  # checked, not held
    assert json.loads(_entry(run).read_text())["samples_sha256"] == _record(run)["samples_sha256"]
    again, opened = _opened_while(lambda: run_record.listed(run, root))
    assert not any(p.endswith("samples.jsonl") for p in opened), opened
    assert any(p.endswith("result.json") for p in opened)  # the check can fail: opens are seen
    assert again.record_dict() == first.record_dict() and len(again) == 4 and not again.plain_samples.loaded
    # the samples are read, and verified, when used: the same items as the full reader's
    assert again.samples == run_record.load(run).samples and again.plain_samples.loaded


def test_a_listing_refuses_samples_that_changed_size(run):
    root = run.parent.parent
    run_record.listed(run, root)
    (run / "samples.jsonl").write_text(_dump(_lines(run)[:3]))
    with pytest.raises(DamagedRun, match="does not match the SHA-256 recorded"):
        run_record.listed(run, root)


def test_a_touched_run_is_checked_again_and_listed(run):
    import os

    root = run.parent.parent
    run_record.listed(run, root)
    before = json.loads(_entry(run).read_text())
    os.utime(run / "samples.jsonl", ns=(1, 1))
    listed, opened = _opened_while(lambda: run_record.listed(run, root))
    assert str(run / "samples.jsonl") in opened and listed.samples == run_record.load(run).samples  # checked again
    assert json.loads(_entry(run).read_text()) == {**before, "mtime_ns": 1}


def test_missing_samples_are_damage_even_with_an_entry(run):
    root = run.parent.parent
    run_record.listed(run, root)
    (run / "samples.jsonl").unlink()
    with pytest.raises(DamagedRun, match="samples.jsonl is missing or unreadable"):
        run_record.listed(run, root)


@pytest.mark.parametrize("entry", ["", "{", "[1]", '{"kind": "samples-verified"}', "{\"kind\": \"samples-verified\", \"version\": 1, "
                                   "\"record_sha256\": \"sha256:" + "0" * 64 + "\", \"samples_sha256\": \"sha256:" + "0" * 64
                                   + "\", \"size\": true, \"mtime_ns\": 1}"])
def test_a_damaged_index_entry_falls_back_to_the_full_check(run, entry):
    root = run.parent.parent
    run_record.listed(run, root)
    _entry(run).write_text(entry)
    listed, opened = _opened_while(lambda: run_record.listed(run, root))
    assert str(run / "samples.jsonl") in opened and listed.samples == run_record.load(run).samples
    assert store.read_verified(root, run) is not None  # and is written again, sound
    (run / "samples.jsonl").write_text(_dump(_lines(run)[:3]))
    _entry(run).write_text(entry)
    with pytest.raises(DamagedRun):  # a damaged entry vouches for nothing
        run_record.listed(run, root)


def test_an_entry_of_another_record_vouches_for_nothing(run):
    """An edited record: its samples are checked again in full against it."""
    root = run.parent.parent
    run_record.listed(run, root)
    record = _record(run)
    record["samples_sha256"] = "sha256:" + hashlib.sha256(b"other samples").hexdigest()
    (run / "result.json").write_text(json.dumps(record))
    with pytest.raises(DamagedRun, match="does not match the SHA-256 recorded"):
        run_record.listed(run, root)
    record = _record(run)
    record["samples_sha256"] = json.loads(_entry(run).read_text())["samples_sha256"]
    record["inputs"]["items"] = 3  # the same samples, a record they do not fit: its lines are checked again
    (run / "result.json").write_text(json.dumps(record))
    with pytest.raises(DamagedRun, match="samples.jsonl has 4 lines for inputs.items 3"):
        run_record.listed(run, root)


def test_a_same_size_same_mtime_edit_is_listed_but_refused_by_every_reader_that_uses_the_run(run):
    """The documented limit: a listing trusts size and mtime; readers that use the samples re-hash them."""
    root = run.parent.parent
    run_record.listed(run, root)
    _same_size_and_mtime_edit(run)
    listed = run_record.listed(run, root)  # trusted: the edit restored what the index compares
    with pytest.raises(DamagedRun, match="does not match the SHA-256 recorded"):
        listed.samples  # noqa: B018  (using the listed run's items verifies them)
    with pytest.raises(DamagedRun, match="does not match the SHA-256 recorded"):
        run_record.load(run)
    with pytest.raises(DamagedRun):
        bench.load_run(run)


def test_a_listed_run_whose_record_changed_before_use_is_refused(run):
    root = run.parent.parent
    run_record.listed(run, root)
    listed = run_record.listed(run, root)
    record = _record(run)
    record["volatile"]["notes"] = {"edited": True}
    (run / "result.json").write_text(json.dumps(record))
    with pytest.raises(DamagedRun, match="result.json changed since the run was listed"):
        listed.scores("rouge1")


def test_an_old_run_is_listed_with_its_notice_and_trusted_after(run, caplog):
    root = run.parent.parent
    record = _record(run)
    del record["samples_sha256"], record["primary"]
    (run / "result.json").write_text(json.dumps(record))
    run_record._noticed.clear()
    with caplog.at_level(logging.WARNING, logger="bench"):
        first = run_record.listed(run, root)
        again, opened = _opened_while(lambda: run_record.listed(run, root))
    assert not any(p.endswith("samples.jsonl") for p in opened) and not first.hashed and not again.hashed
    assert [r for r in caplog.records if "stored before samples were hashed" in r.getMessage()]
    (run / "samples.jsonl").write_text(_dump(_lines(run)[:2]))  # size changed: checked again, refused
    with pytest.raises(DamagedRun, match="samples.jsonl has 2 lines for inputs.items 4"):
        run_record.listed(run, root)


def test_a_read_only_index_is_not_fatal(run, monkeypatch):
    root = run.parent.parent

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store, "write_atomic", refuse)
    assert run_record.listed(run, root).samples == run_record.load(run).samples
    assert not _entry(run).exists()

