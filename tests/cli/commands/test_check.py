"""`bench baseline`, `bench check`, `bench diff`, `bench reproduce` end to end, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests import _cli

ROUGE_ONLY = "metrics=[rouge]"


def bench(*args, cwd):
    return _cli.run(*args, cwd=cwd)  # in process (tests/_cli.py)


def one_line_error(proc):
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("bench: error:"), proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, toy_store):
    """A ROUGE-only seed run and its baseline (a copy of the session's toy store: the tests write beside it)."""
    store = toy_store.copy_to(tmp_path_factory.mktemp("check"))
    return store.root, store.seed, store.baseline


def test_unchanged_run_passes(seeded):
    tmp, run_dir, base = seeded
    proc = bench("check", run_dir, "--baseline", base, cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout


def test_baseline_is_never_overwritten_implicitly(seeded):
    tmp, run_dir, base = seeded
    line = one_line_error(bench("baseline", run_dir, "--output", base, cwd=tmp))
    assert "--update" in line
    assert bench("baseline", run_dir, "--output", base, "--update", cwd=tmp).returncode == 0


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "junit"])
def test_nudged_baseline_fails_and_names_the_metric(seeded, fmt):
    tmp, run_dir, base = seeded
    data = json.loads(base.read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.001
    nudged = tmp / f"nudged-{fmt}.json"
    nudged.write_text(json.dumps(data))
    proc = bench("check", run_dir, "--baseline", nudged, "--format", fmt, "--junit", tmp / f"{fmt}.xml", cwd=tmp)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "rouge2" in proc.stdout
    if fmt == "json":
        out = json.loads(proc.stdout)
        assert out["verdict"] == "regression"
        assert [(s["metric"], s["stat"]) for s in out["stats"] if s["verdict"] == "regression"] == [("rouge2", "fmeasure")]
    suite = ET.parse(tmp / f"{fmt}.xml").getroot()
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["rouge2"] and suite.get("failures") == "1" and suite.get("tests") == str(len(data["metrics"]))  # one testcase per metric


def test_changed_option_is_a_signature_difference(seeded):
    tmp, _, base = seeded
    proc = bench("check", "--baseline", base, ROUGE_ONLY, "metrics.rouge.use_stemmer=false",
                 f"results_dir={tmp}/results", cwd=tmp)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "stem: porter -> no" in proc.stdout
    allowed = bench("check", "--baseline", base, "--allow", "stem", ROUGE_ONLY, "metrics.rouge.use_stemmer=false",
                    f"results_dir={tmp}/results", cwd=tmp)
    assert allowed.returncode in (0, 1)  # comparable now; the numbers decide


def test_reproduce_says_identical_and_diff_shows_signature(seeded):
    tmp, run_dir, _ = seeded
    proc = bench("reproduce", run_dir, cwd=tmp)
    assert proc.returncode == 0 and proc.stdout.startswith("IDENTICAL"), proc.stdout + proc.stderr
    other = bench("run", ROUGE_ONLY, "metrics.rouge.use_stemmer=false", f"results_dir={tmp}/results", cwd=tmp)
    other_dir = other.stdout.strip().splitlines()[-1]
    diff = bench("diff", run_dir, other_dir, cwd=tmp)
    assert diff.returncode == 0
    assert "signature rouge1: stem: porter -> no" in diff.stdout


def test_reproduce_detects_drift(seeded, tmp_path):
    tmp, run_dir, _ = seeded
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    record = json.loads((copy / "result.json").read_text())
    record["metrics"]["rouge1"]["recall"] += 1e-9
    (copy / "result.json").write_text(json.dumps(record))
    proc = bench("reproduce", copy, cwd=tmp)
    assert proc.returncode == 1 and "DRIFTED" in proc.stdout and "rouge1.recall" in proc.stdout


def _bad_baselines(tmp: Path, base: Path):
    data = json.loads(base.read_text())
    yield "missing", tmp / "nope.json", "not found"
    corrupt = tmp / "corrupt.json"
    corrupt.write_text('{"kind": "bench-baseline", ')
    yield "corrupt", corrupt, "corrupt"
    other = tmp / "other.json"
    other.write_text(json.dumps({**data, "experiment": "summeval"}))
    yield "other experiment", other, "experiment 'summeval'"
    old = tmp / "old.json"
    old.write_text(json.dumps({**data, "schema_version": 0}))
    yield "schema", old, "schema_version 0"


def test_bad_baselines_exit_2_with_one_line(seeded):
    tmp, run_dir, base = seeded
    for name, path, expected in _bad_baselines(tmp, base):
        line = one_line_error(bench("check", run_dir, "--baseline", path, cwd=tmp))
        assert expected in line, (name, line)


def test_a_directory_that_is_not_a_run(seeded, tmp_path):
    tmp, _, base = seeded
    assert "is not a run" in one_line_error(bench("check", tmp_path, "--baseline", base, cwd=tmp))
    assert "is not a run" in one_line_error(bench("reproduce", tmp_path, cwd=tmp))
    assert "is not a run" in one_line_error(bench("baseline", tmp_path, cwd=tmp))


def _nudged(base: Path, path: Path) -> Path:
    """The baseline with rouge2 F raised by 0.005: the run drops by 0.005 against it."""
    data = json.loads(base.read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.005
    path.write_text(json.dumps(data))
    return path


def test_check_settings_apply_to_a_stored_run_in_any_order(seeded):
    """The settings are the invocation's, before or after RUN_DIR; never the run's stored ones."""
    tmp, run_dir, base = seeded
    nudged = _nudged(base, tmp / "nudged-order.json")
    assert bench("check", run_dir, "--baseline", nudged, cwd=tmp).returncode == 1
    for args in ([run_dir, "check.tolerances.rouge2.abs=0.01"], ["check.tolerances.rouge2.abs=0.01", run_dir]):
        proc = bench("check", *args, "--baseline", nudged, "--format", "json", cwd=tmp)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        stats = {(s["metric"], s["stat"]): s for s in json.loads(proc.stdout)["stats"]}
        assert stats[("rouge2", "fmeasure")]["allowed_drop"] == 0.01
    other = bench("check", run_dir, "limit=3", "--baseline", nudged, cwd=tmp)
    assert "only check settings apply" in one_line_error(other)


def test_check_overrides_apply_when_the_run_is_answered_from_the_store(seeded):
    tmp, _, base = seeded
    nudged = _nudged(base, tmp / "nudged-cached.json")
    common = ["--baseline", nudged, ROUGE_ONLY, f"results_dir={tmp}/results"]
    first = bench("check", *common, cwd=tmp)
    assert first.returncode == 1
    proc = bench("check", *common, "check.tolerances.rouge2.abs=0.01", cwd=tmp)
    assert "answered from the store" in proc.stderr  # the run came from the cache ...
    assert proc.returncode == 0, proc.stdout  # ... and the override still decided the verdict


def test_default_tolerance_turns_the_failing_check_into_a_pass_that_says_why(seeded):
    """No ROUGE metric has an entry of its own, so check.default.* is theirs; the seed run's one item skips the bootstrap."""
    tmp, run_dir, base = seeded
    data = json.loads(base.read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.0389
    nudged = tmp / "nudged-default.json"
    nudged.write_text(json.dumps(data))
    assert bench("check", run_dir, "--baseline", nudged, cwd=tmp).returncode == 1
    proc = bench("check", run_dir, "check.default.abs=0.05", "--baseline", nudged, cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "within tolerance (-0.0389 inside ±0.05)" in proc.stdout
    assert "paired bootstrap skipped: 1 paired item, it needs at least min_items=30" in proc.stdout
    assert "(bootstrap skipped: too few items; see the note)" in proc.stdout
