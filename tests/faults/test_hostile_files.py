"""Damaged or hostile JSON: nested 100,000 deep, a key twice, NaN. Every JSON and JSON Lines file bench
reads goes through ``bench.jsonio``; each case is one ``bench: error:`` line (exit 2), no traceback,
nothing written or replaced, and ``bench ls`` / ``bench.load_runs`` list the healthy runs and name the
damaged one.

Before: ``RecursionError`` tracebacks from check, report, meta, run, show and baseline, ``bench ls``
listing nothing, and a JSON Lines dataset line nested that deep killing the process (pyarrow's JSON
reader, SIGSEGV, exit 139) with scratch files left behind. A baseline with two ``"experiment"`` keys
or a judgments line with two scores for one name was read with the last one silently winning.

The ``bench.jsonio`` tests and the dataset cases need no store and run in the default tier; the
reader x file table runs on the fault tier's toy store (``pytest.mark.faults``).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import pytest

from faults_support import assert_one_error, snapshot

DEEP = 100_000  # what the issue tried: far past Python's recursion limit (1,000) and pyarrow's stack


def _deep(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


# --- bench.jsonio itself -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    '{"a": [1, 2.5, {"b": null}], "c": "x"}',
    '"[[[[{{{{ brackets in a string are text"',
    '{"quote": "a \\" [[[", "slash": "\\\\", "u": "\\u005b\\u005b"}',
    "[" * 100 + "]" * 100,  # exactly the limit
    '{"x": "line\\u2028sep"}',
])
def test_sound_json_reads_as_json_does(text):
    from bench import jsonio

    assert jsonio.loads(text) == json.loads(text)


@pytest.mark.parametrize("text, line, column", [
    ("[" * 101 + "]" * 101, 1, 101),
    ('{"a": 1,\n "b":\n  ' + _deep(), 3, 102),  # the object is level 1: its 100th '[' is level 101
    ('["]]]]", ' + "[" * 101 + "]" * 101 + "]", 1, 109),  # closers inside a string do not lower the depth
    (_deep(), 1, 101),
    ("{" + '"k":{' * DEEP, 1, 6 + 5 * 99),  # cut short, never closed: still measured, still refused
])
def test_deep_json_is_refused_naming_its_line(text, line, column):
    from bench import jsonio

    with pytest.raises(jsonio.JsonError) as info:
        jsonio.loads(text)
    assert (info.value.lineno, info.value.colno) == (line, column)
    assert str(info.value) == f"nested more than 100 levels deep at line {line}, column {column}"


def test_depth_check_does_not_recurse():
    """A limit far under the interpreter's recursion limit would prove nothing: the check runs with the
    recursion limit lowered below the depth it measures."""
    from bench import jsonio

    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        with pytest.raises(jsonio.JsonError, match="nested more than 150 levels deep"):
            jsonio.check_depth(_deep(5_000), max_depth=150)
    finally:
        sys.setrecursionlimit(saved)


def test_json_lines_depth_restarts_at_each_line():
    from bench import jsonio

    jsonio.check_depth("\n".join(["[" * 60 + "]" * 60] * 5), lines=True)  # 300 brackets, none deeper than 60
    with pytest.raises(jsonio.JsonError) as info:
        jsonio.check_depth('{"a": 1}\n\n' + _deep(200), lines=True)
    assert info.value.lineno == 3


@pytest.mark.parametrize("text, words", [
    ('{"experiment": "a", "experiment": "b"}', "key 'experiment' appears twice"),
    ('[{"k": 1}, {"x": {"k": 1, "k": 1}}]', "key 'k' appears twice"),  # equal values too: still two keys
    ('{"s": NaN}', "non-finite number NaN"),
    ('{"s": -Infinity}', "non-finite number -Infinity"),
    ('{"s": 1', "Expecting ',' delimiter at line 1, column 8"),
    ("1" * 5000, "Exceeds the limit (4300 digits)"),
])
def test_refused_json(text, words):
    from bench import jsonio

    with pytest.raises(jsonio.JsonError) as info:
        jsonio.loads(text)
    assert words in str(info.value) and "\n" not in str(info.value)


# --- datasets: refused before pyarrow sees the bytes ----------------------------------------------------------


def _rows(n: int = 4) -> list[dict]:
    return [{"id": f"i{k}", "candidate": f"the cat sat on mat {k}", "reference": f"a cat sat on the mat {k}"}
            for k in range(n)]


def _deep_row() -> str:
    return '{"id": "deep", "candidate": "a b", "reference": "a c", "meta": ' + _deep() + "}"


def test_deep_jsonl_dataset_line_is_one_line_in_a_process(tmp_path, bench_cli):
    """In a real process: the failure this replaces was the process itself dying (SIGSEGV, exit 139)."""
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _rows()) + _deep_row() + "\n", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    before = snapshot(tmp_path)
    proc = bench_cli("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]",
                     f"results_dir={tmp_path / 'results'}", cwd=tmp_path, env={"BENCH_CACHE_DIR": str(cache)})
    line = assert_one_error(proc, str(data), "nested more than 100 levels deep at line 5")
    assert "dataset" not in line.split(";")[0] or "jsonl" in line
    assert snapshot(tmp_path) == before, "scratch files or a run were left behind"


@pytest.mark.parametrize("fmt, write", [
    ("jsonl", lambda rows: "".join(json.dumps(r) + "\n" for r in rows) + _deep_row() + "\n"),
    ("json", lambda rows: json.dumps(rows)[:-1] + ", " + _deep_row() + "]"),
    ("json", lambda rows: "[\n" + ",\n".join(json.dumps(r) for r in rows) + ",\n" + _deep_row() + "\n]"),
], ids=["jsonl", "json-one-line", "json-lines"])
def test_deep_dataset_file_is_refused(tmp_path, bench_main, fmt, write):
    data = tmp_path / f"data.{fmt}"
    data.write_text(write(_rows()), encoding="utf-8")
    before = snapshot(tmp_path)
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]",
                      f"results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert_one_error(proc, f"cannot read {data} as {fmt}: nested more than 100 levels deep")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("cache", ["usable", "a file"])
def test_hub_folder_with_a_deep_jsonl_file_is_refused(tmp_path, monkeypatch, bench_cli, cache):
    """A local folder read through the hub source: its JSON files are checked before datasets reads them;
    a sound folder still loads, also with an unusable cache dir (the download cache is a temp folder then)."""
    import bench

    folder = tmp_path / "hub"
    folder.mkdir()
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in _rows()), encoding="utf-8")
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache" if cache == "usable" else blocker))
    overrides = ["dataset=hub", f"dataset.path={folder}", "dataset.split=test", "dataset.columns.id=id",
                 "dataset.columns.candidate=candidate", "dataset.columns.references=[reference]", "metrics=[rouge]"]
    assert len(bench.evaluate(overrides).ids) == 4
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in _rows()) + _deep_row() + "\n")
    # in a process of its own: were the check missing, pyarrow would kill the process (SIGSEGV)
    before = snapshot(tmp_path)
    proc = bench_cli("run", *overrides, f"results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert_one_error(proc, "test.jsonl as jsonl: nested more than 100 levels deep at line 5")
    assert snapshot(tmp_path) == before


def test_deep_summeval_json_is_refused(tmp_path):
    import bench
    from bench.errors import BenchError

    data = tmp_path / "summeval.json"
    data.write_text('{"d1": {"src": "x", "ref_summs": ["y"], "sys_summs": ' + _deep() + "}}", encoding="utf-8")
    with pytest.raises(BenchError, match="nested more than 100 levels deep at line 1") as info:
        bench.evaluate(["dataset=summeval", f"dataset.path={data}", "metrics=[rouge]"])
    assert "\n" not in str(info.value)


# --- stored files, on the toy store ------------------------------------------------------------------------


def _deep_json(path: Path) -> None:
    """The file's first value nested DEEP levels: a record or baseline a hostile hand could write."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    key = next(iter(k for k in doc if k not in ("kind", "schema_version")))
    text = json.dumps(doc)
    at = text.index(json.dumps(key)) + len(json.dumps(key)) + 2  # after '"key": '
    path.write_text(text[:at] + "[" * DEEP + "1" + "]" * DEEP + ", " + '"_": ' + text[at:], encoding="utf-8")


def _deep_line(path: Path) -> None:
    """Line 2 of samples.jsonl nested DEEP levels, and the record's SHA-256 made to match (a hostile hand
    would): the line itself must be refused, not only the mismatch."""
    import hashlib

    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:-1] + ', "deep": ' + _deep() + "}"
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes(raw)
    record = path.parent / "result.json"
    doc = json.loads(record.read_text(encoding="utf-8"))
    doc["samples_sha256"] = "sha256:" + hashlib.sha256(raw).hexdigest()
    record.write_text(json.dumps(doc), encoding="utf-8")


def _twice(key: str):
    def damage(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        value = json.dumps(json.loads(text)[key])
        path.write_text(text.replace("{", "{" + json.dumps(key) + ": " + value + ", ", 1), encoding="utf-8")
    return damage


# reader -> argv on the toy store (the damaged run is store.a)
READERS = {
    "show": lambda s: ["show", s.a],
    "export": lambda s: ["export", s.a, "--format", "jsonl"],
    "report": lambda s: ["report", s.a, "--format", "markdown"],
    "systems": lambda s: ["systems", s.a, "--resamples", "20", "--ci-resamples", "20"],
    "meta": lambda s: ["meta", s.a, "--resamples", "10", "--test-resamples", "10"],
    "check": lambda s: ["check", s.a, "--baseline", s.baseline, "--output", s.root / "check.txt"],
    "baseline": lambda s: ["baseline", s.a, "--output", s.root / "new-baseline.json"],
    "diff": lambda s: ["diff", s.a, s.b],
}
RUN_DAMAGE = {"result.json": {"deep": _deep_json, "twice": _twice("experiment")},
              "samples.jsonl": {"deep": _deep_line}}
RUN_CASES = [(f, d) for f, table in RUN_DAMAGE.items() for d in table]
WORDS = {"deep": "nested more than 100 levels deep", "twice": "key 'experiment' appears twice"}
LINE = {"samples.jsonl": "samples.jsonl line 2 is not JSON", "result.json": "result.json is corrupt"}


@pytest.mark.faults
@pytest.mark.parametrize("file, damage", RUN_CASES)
@pytest.mark.parametrize("reader", list(READERS))
def test_reader_refuses_hostile_run(toy, cli, reader, file, damage):
    RUN_DAMAGE[file][damage](toy.a / file)
    before = snapshot(toy.root)
    outcome = cli(*READERS[reader](toy))
    assert_one_error(outcome, "is damaged", toy.a.name, LINE[file], WORDS[damage])
    assert snapshot(toy.root) == before


@pytest.mark.faults
@pytest.mark.parametrize("damage", list(RUN_DAMAGE["result.json"]))
def test_ls_lists_the_healthy_runs_and_names_the_hostile_one(toy, cli, damage):
    RUN_DAMAGE["result.json"][damage](toy.a / "result.json")
    before = snapshot(toy.root)
    outcome = cli("ls", toy.results)
    assert outcome.code == 0 and "Traceback" not in outcome.err, outcome.err
    healthy = [p.name for p in toy.results.glob("*/*") if (p / "result.json").is_file() and p != toy.a]
    assert healthy and all(name in outcome.out for name in healthy), outcome.out
    assert toy.a.name not in outcome.out and toy.a.name in outcome.err and WORDS[damage] in outcome.err
    assert snapshot(toy.root) == before


@pytest.mark.faults
@pytest.mark.parametrize("file, damage", RUN_CASES)
@pytest.mark.parametrize("reader", ["load_run", "load_runs", "check"])
def test_library_refuses_hostile_run(toy, reader, file, damage):
    import bench
    from bench.errors import BenchError

    RUN_DAMAGE[file][damage](toy.a / file)
    before = snapshot(toy.root)
    if reader == "load_runs":
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = bench.load_runs(toy.results)
        listed = set(frame["path"].map(lambda p: p.rstrip("/").rsplit("/", 1)[-1]))
        assert toy.b.name in listed
        if file == "result.json":
            assert toy.a.name not in listed
            assert any(toy.a.name in str(w.message) and WORDS[damage] in str(w.message) for w in caught)
    else:
        with pytest.raises(BenchError, match=WORDS[damage]) as info:
            bench.load_run(toy.a) if reader == "load_run" else bench.check(toy.a, toy.baseline)
        assert toy.a.name in str(info.value) and "\n" not in str(info.value)
    assert snapshot(toy.root) == before


BASELINE_DAMAGE = {"deep": (_deep_json, WORDS["deep"]), "twice": (_twice("experiment"), WORDS["twice"]),
                   "nan": (lambda p: p.write_text(p.read_text().replace('"fmeasure": ', '"fmeasure": NaN, "x": ', 1)),
                           "non-finite number NaN")}


@pytest.mark.faults
@pytest.mark.parametrize("damage", list(BASELINE_DAMAGE))
def test_hostile_baseline_is_refused(toy, cli, damage):
    import bench
    from bench.errors import BenchError

    edit, words = BASELINE_DAMAGE[damage]
    edit(toy.baseline)
    before = snapshot(toy.root)
    assert_one_error(cli("check", toy.a, "--baseline", toy.baseline, "--output", toy.root / "check.txt"),
                     toy.baseline.name, words)
    with pytest.raises(BenchError, match=words):
        bench.check(toy.a, toy.baseline)
    # --update replaces a baseline, never a file it cannot tell is one: a deep file is refused, not replaced
    if damage == "deep":
        assert_one_error(cli("baseline", toy.a, "--output", toy.baseline, "--update"), "is not a bench baseline")
    assert snapshot(toy.root) == before


def _judgment_lines(store, line_at_2: str) -> str:
    ids = [json.loads(line)["id"] for line in (store.a / "samples.jsonl").read_text().splitlines()]
    return "".join((line_at_2 % json.dumps(i) if k == 1 else '{"id": %s, "q": 1.5}' % json.dumps(i)) + "\n"
                   for k, i in enumerate(ids))


JUDGMENTS = {
    "two_scores": ('{"id": %s, "q": 1.0, "q": 5.0}', "line 2 is not JSON (key 'q' appears twice"),
    "two_ids": ('{"id": %s, "q": 1.0, "id": "d9/s9"}', "line 2 is not JSON (key 'id' appears twice"),
    "deep": ('{"id": %s, "q": 1.0, "note": ' + _deep() + "}", "line 2 is not JSON (nested more than 100 levels"),
}


@pytest.mark.faults
@pytest.mark.parametrize("case", list(JUDGMENTS))
def test_hostile_judgments_line_is_refused(toy, cli, case):
    line, words = JUDGMENTS[case]
    path = toy.root.parent / "judgments.jsonl"  # beside the store: the snapshot covers the store
    path.write_text(_judgment_lines(toy, line), encoding="utf-8")
    before = snapshot(toy.root)
    outcome = cli("meta", toy.a, "--judgments", path, "--human", "q", "--resamples", "10", "--test-resamples", "10")
    assert_one_error(outcome, str(path), words)
    assert snapshot(toy.root) == before


@pytest.mark.faults
@pytest.mark.parametrize("kind", ["systems", "meta"])
@pytest.mark.parametrize("damage", ["deep", "twice"])
def test_hostile_artefact_is_refused_by_report(toy, cli, kind, damage):
    path = toy.artefact(kind)
    (_deep_json if damage == "deep" else _twice("kind"))(path)
    before = snapshot(toy.root)
    assert_one_error(cli("report", path, "--format", "markdown"), path.name,
                     "nested more than 100 levels deep" if damage == "deep" else "key 'kind' appears twice")
    assert snapshot(toy.root) == before


@pytest.mark.faults
def test_hostile_run_in_a_process(toy, bench_cli):
    """In a real process, where a RecursionError would have been a traceback on the terminal."""
    _deep_json(toy.a / "result.json")
    before = snapshot(toy.root)
    for argv in (["show", toy.a], ["check", toy.a, "--baseline", toy.baseline]):
        assert_one_error(bench_cli(*map(str, argv), cwd=toy.root), toy.a.name, WORDS["deep"])
    ls = bench_cli("ls", str(toy.results), cwd=toy.root)
    assert ls.returncode == 0 and toy.b.name in ls.stdout and toy.a.name in ls.stderr, ls.stderr
    assert snapshot(toy.root) == before
