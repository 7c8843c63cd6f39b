"""Direction is honoured everywhere: a lower-is-better metric that lives only in the tests
(``lengthgap_plugin``) regresses when it rises, in ``compare``, ``bench check``, ``bench diff``'s
movers, the run table and multi-reference selection."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import bench
import lengthgap_plugin
from bench.cli import summary
from bench.cli.app import execute
from bench.config import compose
from bench.cli.commands import check as check_cmd
from bench.cli.commands import diff as diff_cmd
from bench.cli.commands.reproduce import reproduce
from bench.gate import baselines, compare
from bench.metrics import multiref
from bench.metrics.registry import unregister
from bench.results.model import Inputs, MetricSummary
from bench.values import Facts, Stats



@pytest.fixture()
def length_gap():
    lengthgap_plugin.register()
    yield
    unregister("length_gap")


def _data(path, extra_words: int, n: int = 40):
    lines = []
    for i in range(n):
        ref = " ".join(f"w{j}" for j in range(10 + i % 5))
        cand = " ".join(f"w{j}" for j in range(8 + i % 5 + extra_words))
        lines.append(json.dumps({"id": f"d{i}", "candidate": cand, "reference": ref}))
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(tmp_path, data, *extra):
    overrides = ["dataset=files", f"dataset.path={data}", "metrics=[length_gap]", lengthgap_plugin.SEARCHPATH,
                 f"results_dir={tmp_path / 'results'}", "name=gap", *extra]
    return execute(compose(overrides), out=io.StringIO()), overrides


def _side(metric_values, higher, candidates="sha256:c"):
    ids = tuple(f"i{k}" for k in range(len(metric_values)))
    mean = sum(metric_values) / len(metric_values)
    summary = MetricSummary("m", Stats({"v": mean}), Facts(higher, primary="v"), "m|x:1")
    return compare.Side({"m": summary}, {"m": "m|x:1"}, Inputs(len(ids), "sha256:i", "sha256:r", candidates), ids,
                        {"m": {"v": list(metric_values)}})


@pytest.mark.parametrize("higher, run_values, verdict", [
    (True, [0.5] * 40, "regression"), (True, [0.7] * 40, "improved"),
    (False, [0.7] * 40, "regression"), (False, [0.5] * 40, "improved"),
])
def test_compare_follows_the_metric_direction(higher, run_values, verdict):
    base, run = _side([0.6] * 40, higher), _side(run_values, higher, "sha256:other")  # changed candidates
    report_ = compare.check("e", base, run, compare.CheckSpec())
    (stat,) = report_.stats
    assert stat.verdict == verdict
    assert report_.status == (compare.REGRESSION if verdict == "regression" else compare.PASS)


def test_direction_that_differs_from_the_baseline_is_incomparable():
    report_ = compare.check("e", _side([0.6] * 40, True), _side([0.6] * 40, False), compare.CheckSpec())
    assert report_.status == compare.INCOMPARABLE and "direction" in report_.problems[0]


def test_multiref_best_reference_is_the_lowest_for_lower_is_better():
    rows = [(0.5,), (0.1,), (0.3,)]
    assert multiref.reduce(rows, "max", 0, higher_is_better=False) == (0.1,)
    assert multiref.reduce(rows, "max_each", 0, higher_is_better=False) == (0.1,)
    assert multiref.reduce(rows, "max", 0) == (0.5,)


def test_lower_is_better_metric_end_to_end(tmp_path, length_gap, capsys):
    base_dir, _ = _run(tmp_path, _data(tmp_path / "base.jsonl", extra_words=1))
    record = json.loads((base_dir / "result.json").read_text())
    assert record["higher_is_better"] == {"length_gap": False}
    assert "(lower is better)" in summary.of_run(bench.load_run(base_dir))
    baseline = tmp_path / "gap.json"
    baselines.write_baseline(base_dir, baseline, update=False)
    assert json.loads(baseline.read_text())["higher_is_better"] == {"length_gap": False}

    worse_dir, worse_overrides = _run(tmp_path, _data(tmp_path / "worse.jsonl", extra_words=0))  # gaps grow
    better_dir, _ = _run(tmp_path, _data(tmp_path / "better.jsonl", extra_words=2))  # gaps shrink to 0
    w = json.loads((worse_dir / "result.json").read_text())["metrics"]["length_gap"]["gap"]
    b = json.loads((better_dir / "result.json").read_text())["metrics"]["length_gap"]["gap"]
    assert b < record["metrics"]["length_gap"]["gap"] < w

    capsys.readouterr()
    assert check_cmd.main([str(worse_dir), "--baseline", str(baseline), "--format", "json"]) == 1  # a rise regresses
    out = json.loads(capsys.readouterr().out)
    assert [s["verdict"] for s in out["stats"]] == ["regression"]
    assert any("lower is better" in n for n in out["notes"])
    assert check_cmd.main([str(better_dir), "--baseline", str(baseline), "--format", "json"]) == 0
    assert [s["verdict"] for s in json.loads(capsys.readouterr().out)["stats"]] == ["improved"]
    # the same through a check that runs the experiment first (answered from the store here)
    assert check_cmd.main(["--baseline", str(baseline), *worse_overrides]) == 1

    d = diff_cmd.build(str(base_dir), str(worse_dir), top=3)
    assert d["metrics"]["length_gap"]["gap"]["b_is"] == "worse"
    assert d["top_movers"]["length_gap"] and all(m["b_is"] == "worse" for m in d["top_movers"]["length_gap"])
    assert "lower is better" in diff_cmd.table(d)
    assert diff_cmd.build(str(base_dir), str(better_dir), top=3)["metrics"]["length_gap"]["gap"]["b_is"] == "better"

    found = reproduce(str(worse_dir))
    assert found.identical and found.metrics == 1


@pytest.mark.slow  # installs a plug-in and runs bench in processes (~17 s)
def test_plugin_metric_through_entry_points_end_to_end(tmp_path, bench_cli):
    """The test-only metric as another package would ship it: entry points `bench.metrics` (the class) and
    `bench.configs` (its config group), found on sys.path; run, baseline, check, diff, reproduce by the CLI."""
    import os

    site = tmp_path / "site"
    dist = site / "bench_lengthgap-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: bench-lengthgap\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[bench.metrics]\nlength_gap = lengthgap_plugin:LengthGap\n\n"
                                           "[bench.configs]\nlength_gap = lengthgap_plugin:CONFIGS\n")
    tests_dir = Path(lengthgap_plugin.__file__).parent
    # prepended, not replacing: the subprocess must import this checkout's bench (PYTHONPATH), not another install
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(tests_dir), *filter(None, [os.environ.get("PYTHONPATH")])])}
    results = tmp_path / "results"

    def run(data):
        proc = bench_cli("run", "dataset=files", f"dataset.path={data}", "metrics=[length_gap,rouge]", "name=gap",
                         f"results_dir={results}", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "length_gap (lower is better)" in proc.stdout and "rouge1" in proc.stdout
        return Path(proc.stdout.strip().splitlines()[-1])

    base = run(_data(tmp_path / "base.jsonl", extra_words=1))
    worse = run(_data(tmp_path / "worse.jsonl", extra_words=0))
    assert bench_cli("baseline", base, "--output", tmp_path / "b.json", cwd=tmp_path, env=env).returncode == 0
    checked = bench_cli("check", worse, "--baseline", tmp_path / "b.json", cwd=tmp_path, env=env)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    at = next(ln for ln in lines if ln.startswith("metric ")).index(" verdict ") + 1  # the table's verdict column
    assert [ln[at:].split()[0] for ln in lines if ln.startswith("length_gap")] == ["regression"]
    diff = bench_cli("diff", base, worse, cwd=tmp_path, env=env)
    assert diff.returncode == 0 and "length_gap gap" in " ".join(diff.stdout.split()) and "worse" in diff.stdout
    repro = bench_cli("reproduce", worse, cwd=tmp_path, env=env)
    assert repro.returncode == 0 and repro.stdout.startswith("IDENTICAL"), repro.stdout + repro.stderr
    # the check that runs the experiment first composes with the plug-in's config group too
    rerun = bench_cli("check", "--baseline", tmp_path / "b.json", "dataset=files", f"dataset.path={tmp_path / 'worse.jsonl'}",
                      "metrics=[length_gap,rouge]", "name=gap", f"results_dir={results}", cwd=tmp_path, env=env)
    assert rerun.returncode == 1, rerun.stdout + rerun.stderr
    missing = bench_cli("run", "metrics=[length_gapp]", cwd=tmp_path, env=env)
    assert missing.returncode == 2 and "did you mean 'length_gap'" in missing.stderr
