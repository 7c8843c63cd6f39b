"""Bad analysis input is one line: judgments files, every option of the analysis commands, the spec
dataclasses from Python, and numeric warnings that must never reach the user."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

from faults_support import assert_one_error, overrides, snapshot, write_toy

pytestmark = pytest.mark.faults


def _ids(store) -> list[str]:
    return [json.loads(line)["id"] for line in (store.a / "samples.jsonl").read_text().splitlines()]


def _lines(store, value_at_3: str, id_at_3: str | None = None) -> str:
    ids = _ids(store)
    return "".join('{"id": %s, "q": %s}\n' % (json.dumps(id_at_3 if k == 3 and id_at_3 else i),
                                             value_at_3 if k == 3 else "1.5") for k, i in enumerate(ids))


# name -> (file contents as bytes, or a callable store -> bytes; None: no file; "dir": a directory), what the line says
JUDGMENTS = {
    "missing": (None, "does not exist"),
    "directory": ("dir", "is a directory"),
    "not_utf8": (b'{"id": "d0/s0", "q": 1, "note": "caf\xe9"}\n', "is not UTF-8"),
    "empty": (b"", "holds no judgments"),
    "blank_lines_only": (b"\n  \n", "holds no judgments"),
    "not_json": (b"{id: d0/s0}\n", "line 1 is not JSON"),
    "not_an_object": (b"[1, 2]\n", "line 1 is a JSON list, not an object"),
    "no_id": (b'{"q": 1}\n', "line 1 has no id"),
    "null_id": (b'{"id": null, "q": 1}\n', "line 1 has no id"),
    "duplicate_ids": (lambda s: _lines(s, "1.0", id_at_3=_ids(s)[0]).encode(), "line 4 repeats id 'd0/s0'"),
    "text_score": (lambda s: _lines(s, '"bad"').encode(), 'human score \'q\' is "bad", not a finite number'),
    "null_score": (lambda s: _lines(s, "null").encode(), "is null, not a finite number"),
    "nan_score": (lambda s: _lines(s, "NaN").encode(), "is NaN, not a finite number"),
    "infinite_score": (lambda s: _lines(s, "Infinity").encode(), "is Infinity, not a finite number"),
    "overflowing_score": (lambda s: _lines(s, "1e999").encode(), "is Infinity, not a finite number"),
    "bool_score": (lambda s: _lines(s, "true").encode(), "is true, not a finite number"),
    "missing_item": (lambda s: "".join('{"id": "%s", "q": 1}\n' % i for i in _ids(s)[1:]).encode(),
                     "has no judgment for item d0/s0"),
}


def _judgments(store, case: str):
    content, _ = JUDGMENTS[case]
    path = store.root.parent / "judgments.jsonl"  # beside the store: the snapshot covers the store
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content(store) if callable(content) else content)
    return path


@pytest.mark.parametrize("case", list(JUDGMENTS))
def test_bad_judgments_file_is_one_line(toy, cli, case):
    path = _judgments(toy, case)
    before = snapshot(toy.root)
    outcome = cli("meta", toy.a, "--judgments", path, "--human", "q", "--resamples", "10", "--test-resamples", "10")
    assert_one_error(outcome, JUDGMENTS[case][1])
    assert snapshot(toy.root) == before


def test_good_judgments_file_is_used(toy, cli):
    path = toy.root.parent / "judgments.jsonl"
    path.write_text("".join(json.dumps({"id": i, "q": float(k % 4)}) + "\n" for k, i in enumerate(_ids(toy))))
    outcome = cli("meta", toy.a, "--judgments", path, "--human", "q", "--resamples", "10", "--test-resamples", "10",
                  "--no-save", "--format", "json")
    assert outcome.code == 0, outcome.err
    assert {r["human"] for r in json.loads(outcome.out)["correlations"]} == {"q"}


def test_bad_judgments_in_a_process(toy, bench_cli):
    path = _judgments(toy, "nan_score")
    proc = bench_cli("meta", str(toy.a), "--judgments", str(path), "--human", "q", cwd=toy.root)
    assert_one_error(proc, "is NaN, not a finite number")


def test_bad_judgments_from_python(toy):
    import bench
    from bench.errors import BenchError

    with pytest.raises(BenchError, match="is null, not a finite number"):
        bench.meta(toy.a, humans=["q"], judgments=_judgments(toy, "null_score"), resamples=10, test_resamples=10)


# (command, extra argv) -> what the line says. Every option of every analysis command that takes a value.
def _options(s):
    a, b = str(s.a), str(s.b)
    return {
        ("systems", "seed"): (["systems", a, "--seed", "-1"], "seed must be >= 0, got -1"),
        ("systems", "resamples"): (["systems", a, "--resamples", "0"], "resamples must be >= 1"),
        ("systems", "negative_resamples"): (["systems", a, "--resamples", "-5"], "resamples must be >= 1"),
        ("systems", "ci_resamples"): (["systems", a, "--ci-resamples", "0"], "ci_resamples must be >= 1"),
        ("systems", "alpha"): (["systems", a, "--alpha", "1.5"], "alpha must lie in (0, 1)"),
        ("systems", "alpha_nan"): (["systems", a, "--alpha", "nan"], "alpha must lie in (0, 1)"),
        ("systems", "level"): (["systems", a, "--level", "0"], "level must lie in (0, 1)"),
        ("systems", "level_inf"): (["systems", a, "--level", "inf"], "level must lie in (0, 1)"),
        ("systems", "correction"): (["systems", a, "--correction", "bonferroni"], "unknown correction bonferroni"),
        ("systems", "tests"): (["systems", a, "--tests", "t-test"], "unknown test(s) t-test"),
        ("systems", "no_tests"): (["systems", a, "--tests", ","], "unknown test(s) (none)"),
        ("systems", "stat"): (["systems", a, "--stat", "f1"], "has no stat 'f1'"),
        ("systems", "metrics"): (["systems", a, "--metrics", "bleu"], "no metric bleu"),
        ("systems", "by"): (["systems", a, "--by", "model"], "no metadata field 'model'"),
        ("systems", "names"): (["systems", a, "--names", "x,y"], "--names"),
        ("systems", "by_several"): (["systems", a, b, "--by", "system"], "pass one run with --by,"),
        ("systems", "format"): (["systems", a, "--format", "xml"], "invalid choice: 'xml'"),
        ("systems", "seed_text"): (["systems", a, "--seed", "one"], "invalid int value: 'one'"),
        ("meta", "seed"): (["meta", a, "--seed", "-1"], "seed must be >= 0, got -1"),
        ("meta", "resamples"): (["meta", a, "--resamples", "0"], "resamples must be >= 1"),
        ("meta", "test_resamples"): (["meta", a, "--test-resamples", "-1"], "test_resamples must be >= 1"),
        ("meta", "alpha"): (["meta", a, "--alpha", "0"], "alpha must lie in (0, 1)"),
        ("meta", "level"): (["meta", a, "--level", "1"], "level must lie in (0, 1)"),
        ("meta", "levels"): (["meta", a, "--levels", "document"], "unknown level(s) document"),
        ("meta", "coefficients"): (["meta", a, "--coefficients", "tau"], "unknown coefficient(s) tau"),
        ("meta", "constant"): (["meta", a, "--constant", "drop"], "unknown constant rule drop"),
        ("meta", "resampling"): (["meta", a, "--resampling", "items"], "unknown resampling scheme items"),
        ("meta", "tests"): (["meta", a, "--tests", "ttest"], "unknown test(s) ttest"),
        ("meta", "compare"): (["meta", a, "--compare", "summary"], "is not LEVEL:COEFFICIENT"),
        ("meta", "compare_coefficient"): (["meta", a, "--compare", "summary:tau"], "unknown coefficient in compare tau"),
        ("meta", "correction"): (["meta", a, "--correction", "sidak"], "unknown correction sidak"),
        ("meta", "stat"): (["meta", a, "--stat", "f1"], "has no stat 'f1'"),
        ("meta", "metrics"): (["meta", a, "--metrics", "bleu"], "no metric bleu"),
        ("meta", "human"): (["meta", a, "--human", "fluency"], "has no human score 'fluency'"),
        ("meta", "system"): (["meta", a, "--system", "model"], "no metadata field 'model'"),
        ("meta", "annotators"): (["meta", a, "--resample-annotators"], "no per-annotator scores"),
        ("ls", "since"): (["ls", s.results, "--since", "yesterday"], "is not an ISO date or time"),
        ("ls", "since_month"): (["ls", s.results, "--since", "2026-13-01"], "is not an ISO date or time"),
        ("ls", "where"): (["ls", s.results, "--where", "nokey"], "is not KEY=VALUE"),
        ("ls", "where_empty_key"): (["ls", s.results, "--where", "=x"], "is not KEY=VALUE"),
        ("ls", "results_dir"): (["ls", s.root / "nowhere"], "no results directory"),
        ("show", "run"): (["show", "nosuch"], "no run nosuch"),
        ("diff", "top"): (["diff", a, b, "--top", "-1"], "--top"),
        ("diff", "format"): (["diff", a, b, "--format", "xml"], "invalid choice"),
        ("export", "format"): (["export", a, "--format", "parquet"], "parquet is binary"),
        ("export", "output"): (["export", a, "--output", "scores.xlsx"], "cannot tell the format"),
        ("report", "input"): (["report", "nosuch"], "nosuch does not exist"),
        ("report", "format"): (["report", a, "--format", "pdf"], "invalid choice: 'pdf'"),
        ("check", "baseline"): (["check", a, "--baseline", "nosuch.json"], "not found"),
        ("check", "format"): (["check", a, "--baseline", s.baseline, "--format", "xml"], "invalid choice"),
        ("baseline", "exists"): (["baseline", a, "--output", s.baseline], "already exists"),
        ("merge", "one"): (["merge", a], "need at least two shard runs"),
        ("merge", "not_shards"): (["merge", a, b], "not a shard"),
        ("reproduce", "run"): (["reproduce", "nosuch"], "nosuch is not a run"),
        ("no_command", "name"): (["sytems", a], "unknown command 'sytems'"),
    }


OPTION_CASES = list(_options(SimpleNamespace(a="A", b="B", results="R", root=Path("."), baseline="base")))


@pytest.mark.parametrize("case", OPTION_CASES, ids=["-".join(c) for c in OPTION_CASES])
def test_bad_option_is_one_line(toy, cli, case):
    argv, says = _options(toy)[case]
    before = snapshot(toy.root)
    outcome = cli(*argv)
    assert "Traceback" not in outcome.err
    assert outcome.code == 2 and len(outcome.err_lines) == 1, (outcome.code, outcome.err)
    line = outcome.err_lines[0]
    assert line.startswith(("bench: error:", f"bench {argv[0]}: error:")), line
    assert says in line, line
    assert snapshot(toy.root) == before


def test_negative_seed_in_a_process(toy, bench_cli):
    for command in ("systems", "meta"):
        proc = bench_cli(command, str(toy.a), "--seed", "-1", cwd=toy.root)
        assert_one_error(proc, "seed must be >= 0, got -1")


# Python callers get the same BenchError from the spec dataclasses; messages name fields, never flags.
SPECS = [
    ("SystemsSpec", {"seed": -1}, "seed must be >= 0"),
    ("SystemsSpec", {"seed": 1.5}, "seed must be an integer"),
    ("SystemsSpec", {"seed": True}, "seed must be an integer"),
    ("SystemsSpec", {"resamples": 0}, "resamples must be >= 1"),
    ("SystemsSpec", {"ci_resamples": 0}, "ci_resamples must be >= 1"),
    ("SystemsSpec", {"alpha": math.nan}, "alpha must lie in (0, 1)"),
    ("SystemsSpec", {"level": 1.0}, "level must lie in (0, 1)"),
    ("SystemsSpec", {"tests": ()}, "unknown test(s) (none)"),
    ("SystemsSpec", {"correction": "x"}, "unknown correction x"),
    ("MetaSpec", {"seed": -1}, "seed must be >= 0"),
    ("MetaSpec", {"resamples": 0}, "resamples must be >= 1"),
    ("MetaSpec", {"test_resamples": 0}, "test_resamples must be >= 1"),
    ("MetaSpec", {"alpha": 0.0}, "alpha must lie in (0, 1)"),
    ("MetaSpec", {"level": math.inf}, "level must lie in (0, 1)"),
    ("MetaSpec", {"levels": ("doc",)}, "unknown level(s) doc"),
    ("MetaSpec", {"coefficients": ()}, "unknown coefficient(s) (none)"),
    ("MetaSpec", {"compare": ("summary",)}, "is not a (level, coefficient) pair"),
    ("MetaSpec", {"compare": (("summary", "tau"),)}, "unknown coefficient in compare tau"),
    ("BootSpec", {"seed": -1}, "seed must be an integer >= 0"),
    ("BootSpec", {"resamples": 0}, "resamples must be >= 1"),
]


@pytest.mark.parametrize("spec, kwargs, says", SPECS, ids=[f"{s}-{next(iter(k))}" for s, k, _ in SPECS])
def test_spec_dataclasses_refuse_bad_fields(spec, kwargs, says):
    from bench.analysis.meta import MetaSpec
    from bench.errors import BenchError
    from bench.stats.intervals import BootSpec
    from bench.stats.leaderboard import SystemsSpec

    cls = {"SystemsSpec": SystemsSpec, "MetaSpec": MetaSpec, "BootSpec": BootSpec}[spec]
    with pytest.raises(BenchError) as info:
        cls(**kwargs)
    message = str(info.value)
    assert says in message and "\n" not in message
    assert "--" not in message, f"a library message names a CLI flag: {message}"


# ---- numeric warnings never reach the user ------------------------------------------------------

@pytest.fixture(scope="module")
def constant_run(tmp_path_factory):
    """A run whose every candidate equals its reference: every metric is constant (1.0)."""
    import bench

    tmp = tmp_path_factory.mktemp("constant")
    data = write_toy(tmp / "same.jsonl", same=True)
    patch = pytest.MonkeyPatch()
    patch.setenv("HF_DATASETS_CACHE", str(tmp / "hf"))
    try:
        return bench.save(bench.evaluate(overrides(data, "same")), tmp / "results")
    finally:
        patch.undo()


def _judgments_constant(run, path):
    ids = [json.loads(line)["id"] for line in (run / "samples.jsonl").read_text().splitlines()]
    path.write_text("".join(json.dumps({"id": i, "q": 2.0}) + "\n" for i in ids))
    return path


ANALYSES = [
    ["systems", "--resamples", "20", "--ci-resamples", "20"],
    ["meta", "--resamples", "10", "--test-resamples", "10", "--levels", "sample,summary,system",
     "--coefficients", "pearson,spearman,kendall,kendall_c"],
    ["meta", "--resamples", "10", "--tests", "williams,perm-inputs,perm-systems", "--constant", "zero"],
    ["diff"],
    ["show"],
]


@pytest.mark.parametrize("argv", ANALYSES, ids=["systems", "meta", "meta-williams", "diff", "show"])
def test_constant_scores_give_no_warning(constant_run, toy, cli, argv, tmp_path):
    run = str(constant_run)
    args = [argv[0], run, *([str(toy.a)] if argv[0] == "diff" else []), *argv[1:]]
    if argv[0] == "meta":
        args += ["--judgments", str(_judgments_constant(constant_run, tmp_path / "q.jsonl")), "--human", "q"]
    args += ["--no-save"] if argv[0] in ("systems", "meta") else []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning raised inside bench fails the test
        outcome = cli(*args)
    assert outcome.code == 0 and "Warning" not in outcome.err, outcome.err


def test_constant_metric_is_na_with_its_count(constant_run, cli, tmp_path):
    judged = _judgments_constant(constant_run, tmp_path / "q.jsonl")
    outcome = cli("meta", constant_run, "--judgments", judged, "--human", "q", "--resamples", "10",
                  "--test-resamples", "10", "--levels", "summary", "--coefficients", "kendall", "--no-save",
                  "--format", "json")
    rows = json.loads(outcome.out)["correlations"]
    assert rows and all(r["value"] is None and r["groups_skipped"] == 6 and r["groups_used"] == 0 for r in rows)
    text = cli("meta", constant_run, "--judgments", judged, "--human", "q", "--resamples", "10",
               "--test-resamples", "10", "--levels", "summary", "--coefficients", "kendall", "--no-save").out
    assert "n/a" in text and "skipped (constant): q 6" in text


def test_constant_scores_give_no_warning_in_a_process(constant_run, bench_cli, tmp_path):
    judged = _judgments_constant(constant_run, tmp_path / "q.jsonl")
    env = {"PYTHONWARNINGS": "error::RuntimeWarning"}  # scipy's ConstantInputWarning is a RuntimeWarning
    for argv in (["meta", str(constant_run), "--judgments", str(judged), "--human", "q", "--resamples", "10",
                  "--test-resamples", "10", "--tests", "perm-both,williams", "--no-save"],
                 ["systems", str(constant_run), "--resamples", "20", "--ci-resamples", "20", "--no-save"]):
        proc = bench_cli(*argv, cwd=tmp_path, env=env)
        assert proc.returncode == 0 and "Warning" not in proc.stderr, proc.stderr


def test_constant_scores_give_no_warning_from_python(constant_run):
    import numpy as np

    import bench
    from bench.stats import correlation

    X = np.ones((3, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for level in correlation.LEVELS:
            for coef in correlation.COEFFICIENTS:
                assert math.isnan(correlation.point(X, X, level, coef).value)
                assert math.isnan(correlation.value(X, X, level, coef).value)
        payload = bench.meta(constant_run, resamples=10, test_resamples=10, tests=("perm-both", "williams")).to_json()
        board = bench.systems(constant_run, resamples=20, ci_resamples=20).to_json()
    assert all(r["value"] is None for r in payload["correlations"] if r["level"] != "system")
    assert board  # a leaderboard of three tied systems, without a warning


def test_bad_settings_from_python(toy):
    import bench
    from bench.errors import BenchError

    with pytest.raises(BenchError, match="seed must be >= 0"):
        bench.systems(toy.a, seed=-1)
