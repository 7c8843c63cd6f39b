"""bench.cli: command dispatch, help, version, and unknown commands."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bench
from bench import cli


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["help"], []], ids=["--help", "-h", "help", "no-args"])
def test_help_lists_run(tmp_path, bench_main, args):
    proc = bench_main(*args, cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: bench <command>")
    assert any(line.split()[:1] == ["run"] for line in proc.stdout.splitlines())
    assert proc.stderr == ""


def test_version(tmp_path, bench_main):
    proc = bench_main("--version", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, f"bench {bench.__version__}\n")


@pytest.mark.parametrize(
    "command, words",
    [("nope", ["unknown command 'nope'", "valid choices:", "run"]), ("rnu", ["unknown command 'rnu'", "did you mean 'run'"])],
)
def test_unknown_command_exits_2(tmp_path, bench_main, command, words):
    proc = bench_main(command, "x=1", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("bench: error: ")
    for word in words:
        assert word in line
    assert list(tmp_path.iterdir()) == []


def test_run_help_is_hydras_and_lists_the_groups(tmp_path, bench_main):
    proc = bench_main("run", "--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "bench run" in proc.stdout
    for group in ("dataset", "metrics", "experiment"):
        assert group in proc.stdout
    for option in ("files", "hub", "seed", "summeval", "rouge", "bertscore"):
        assert option in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_run_cfg_job_prints_the_composed_config(tmp_path, bench_main):
    proc = bench_main("run", "--cfg", "job", "metrics=[rouge]", "multiref=mean", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    import yaml

    cfg = yaml.safe_load(proc.stdout)
    assert cfg["multiref"] == "mean"
    assert list(cfg["metrics"]) == ["source_stats", "rouge"]  # the seed dataset adds its source statistics
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_bench(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0
    assert "run" in proc.stdout


# --- in process: main() returns exit codes, so it is callable from tests and other tools ---------------


def test_main_in_process(capsys):
    assert cli.main(["--help"]) == 0
    assert "run" in capsys.readouterr().out
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"bench {bench.__version__}\n"
    assert cli.main(["frobnicate"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("bench: error: unknown command 'frobnicate'")


def test_importing_the_cli_stays_light():
    # `bench --help` must not pay for torch, transformers or datasets.
    code = ("import sys, bench.cli; bench.cli.main(['--help']); "
            "print(sorted(m for m in ('torch', 'transformers', 'datasets', 'hydra') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
