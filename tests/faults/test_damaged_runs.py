"""Every reader on a store with one damaged file: one ``bench: error:`` line, exit 2, nothing written.

The table is reader x (stored file, damage). ``bench ls`` and ``bench.load_runs`` instead list the
healthy runs and name the skipped one on stderr. The CLI readers run in-process (``bench.cli.main``);
``test_each_reader_in_a_process`` repeats one damage per reader in a real ``bench`` process, which is
what proves that no traceback reaches a terminal.
"""

from __future__ import annotations

import json
import warnings

import pytest

from damage import JSON, JSONL, TEXT
from faults_support import assert_one_error, snapshot

pytestmark = pytest.mark.faults

# reader -> (argv builder, the run whose files are damaged)
READERS = {
    "ls": (lambda s: ["ls", s.results], "a"),
    "show": (lambda s: ["show", s.a], "a"),
    "export": (lambda s: ["export", s.a, "--format", "jsonl"], "a"),
    "report": (lambda s: ["report", s.a, "--format", "markdown"], "a"),  # stores analyses/report-*.md
    "systems": (lambda s: ["systems", s.a, "--resamples", "20", "--ci-resamples", "20"], "a"),
    "meta": (lambda s: ["meta", s.a, "--resamples", "10", "--test-resamples", "10"], "a"),
    "diff": (lambda s: ["diff", s.a, s.b], "a"),
    "check": (lambda s: ["check", s.a, "--baseline", s.baseline, "--output", s.root / "check.txt"], "a"),
    "baseline": (lambda s: ["baseline", s.a, "--output", s.root / "new-baseline.json"], "a"),
    "merge": (lambda s: ["merge", *s.shards, "--results-dir", s.results], "shard"),
    "reproduce": (lambda s: ["reproduce", s.a], "a"),
}
PYTHON_READERS = ("load_run", "load_runs", "check")
RUN_FILES = {"result.json": JSON, "samples.jsonl": JSONL}
CASES = [(f, d) for f, table in RUN_FILES.items() for d in table]


def _target(store, which: str):
    return store.shards[0] if which == "shard" else store.a


def _healthy_runs(store, damaged) -> list[str]:
    return [p.name for p in store.results.glob("*/*") if (p / "result.json").is_file() and p != damaged]


@pytest.mark.parametrize("reader", list(READERS))
def test_healthy_store_reads(toy, cli, reader):
    """The table's other half: on the undamaged store every reader succeeds (so a refusal means the damage)."""
    argv, _ = READERS[reader]
    outcome = cli(*argv(toy))
    assert outcome.code == 0, outcome.err
    assert "Traceback" not in outcome.err


@pytest.mark.parametrize("file, damage", CASES)
@pytest.mark.parametrize("reader", list(READERS))
def test_reader_refuses_damaged_run(toy, cli, reader, file, damage):
    argv, which = READERS[reader]
    run = _target(toy, which)
    RUN_FILES[file][damage](run / file)
    before = snapshot(toy.root)
    outcome = cli(*argv(toy))
    assert snapshot(toy.root) == before, "a reader wrote something from a damaged run"
    if reader == "ls":
        assert outcome.code == 0 and "Traceback" not in outcome.err, outcome.err
        for name in _healthy_runs(toy, run):
            assert name in outcome.out, f"healthy run {name} is not listed"
        if file == "result.json":  # ls reads only the record: its damage is seen, and named
            assert run.name in outcome.err and run.name not in outcome.out, (outcome.out, outcome.err)
        return
    assert_one_error(outcome, "is damaged", run.name)


@pytest.mark.parametrize("file, damage", CASES)
@pytest.mark.parametrize("reader", PYTHON_READERS)
def test_library_refuses_damaged_run(toy, reader, file, damage):
    import bench
    from bench.errors import BenchError

    RUN_FILES[file][damage](toy.a / file)
    before = snapshot(toy.root)
    if reader == "load_runs":
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = bench.load_runs(toy.results)
        listed = set(frame["path"].map(lambda p: p.rstrip("/").rsplit("/", 1)[-1]))
        assert set(_healthy_runs(toy, toy.a)) <= listed
        if file == "result.json":
            assert toy.a.name not in listed
            assert any(toy.a.name in str(w.message) for w in caught), [str(w.message) for w in caught]
    else:
        with pytest.raises(BenchError, match="is damaged") as info:
            bench.load_run(toy.a) if reader == "load_run" else bench.check(toy.a, toy.baseline)
        assert toy.a.name in str(info.value) and "\n" not in str(info.value)
    assert snapshot(toy.root) == before


@pytest.mark.parametrize("damage", list(TEXT))
@pytest.mark.parametrize("reader", ["show", "export", "systems", "check", "baseline", "reproduce"])
def test_config_yaml_is_not_read(toy, cli, reader, damage):
    """config.yaml is the run's human-readable copy of its config; every reader takes the config from
    result.json, so its damage changes nothing (and never gives a traceback)."""
    argv, _ = READERS[reader]
    TEXT[damage](toy.a / "config.yaml")
    outcome = cli(*argv(toy))
    assert outcome.code == 0 and "Traceback" not in outcome.err, outcome.err


@pytest.mark.parametrize("damage", list(TEXT))
def test_damaged_index_entry_is_a_cache_miss(toy, damage):
    """An .index entry only lets `bench run` answer from the store; a damaged one is a miss, never an error."""
    from bench.results import run_cache

    key = json.loads((toy.a / "result.json").read_text())["run_key"]
    assert run_cache.find(toy.results, key) is not None
    TEXT[damage](toy.index_entry())
    assert run_cache.find(toy.results, key) is None


BASELINE_READERS = ("check", "bench.check")


@pytest.mark.parametrize("damage", list(JSON))
@pytest.mark.parametrize("reader", BASELINE_READERS)
def test_damaged_baseline_is_refused(toy, cli, reader, damage):
    from bench.errors import BenchError

    JSON[damage](toy.baseline)
    before = snapshot(toy.root)
    if reader == "check":
        assert_one_error(cli("check", toy.a, "--baseline", toy.baseline, "--output", toy.root / "check.txt"),
                         toy.baseline.name)
    else:
        import bench

        with pytest.raises(BenchError, match=toy.baseline.name):
            bench.check(toy.a, toy.baseline)
    assert snapshot(toy.root) == before


@pytest.mark.parametrize("damage", list(JSON))
@pytest.mark.parametrize("kind", ["systems", "meta"])
def test_damaged_artefact_is_refused_by_report(toy, cli, kind, damage):
    path = toy.artefact(kind)
    JSON[damage](path)
    before = snapshot(toy.root)
    assert_one_error(cli("report", path, "--format", "markdown"), path.name)
    assert snapshot(toy.root) == before


@pytest.mark.parametrize("reader", list(READERS))
def test_each_reader_in_a_process(toy, bench_cli, reader):
    """One damage per reader through the real console script: exit 2 and one line at the process level."""
    argv, which = READERS[reader]
    run = _target(toy, which)
    JSONL["line_without_scores"](run / "samples.jsonl")
    if reader == "ls":
        JSON["wrong_type"](run / "result.json")
    before = snapshot(toy.root)
    proc = bench_cli(*map(str, argv(toy)), cwd=toy.root)
    assert snapshot(toy.root) == before
    if reader == "ls":
        assert proc.returncode == 0 and "Traceback" not in proc.stderr and run.name in proc.stderr, proc.stderr
        assert all(name in proc.stdout for name in _healthy_runs(toy, run))
    else:
        assert_one_error(proc, "is damaged", run.name)
