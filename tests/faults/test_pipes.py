"""Stdout closed early (``bench ls | head -1``): a quiet end with 128 + SIGPIPE, no BrokenPipeError.

``closed`` hands the process a pipe whose reader is already gone, so its first write fails every time
(a real ``| head`` races: a short output may fit in the pipe before head exits); the shell case then
checks the everyday form.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from faults_support import overrides

pytestmark = pytest.mark.faults

SIGPIPE_STATUS = 128 + signal.SIGPIPE


def _closed(bench_exe, args, cwd) -> subprocess.CompletedProcess:
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "TQDM_DISABLE": "1"}
    try:
        return subprocess.run([bench_exe, *map(str, args)], cwd=cwd, stdout=write, stderr=subprocess.PIPE, text=True,
                              env=env, timeout=300)
    finally:
        os.close(write)


COMMANDS = {
    "ls": lambda s: ["ls", s.results],
    "ls-json": lambda s: ["ls", s.results, "--json"],
    "show": lambda s: ["show", s.a],
    "export": lambda s: ["export", s.a, "--format", "csv"],
    "diff": lambda s: ["diff", s.a, s.b],
    "systems": lambda s: ["systems", s.a, "--resamples", "20", "--ci-resamples", "20", "--no-save"],
    "meta": lambda s: ["meta", s.a, "--resamples", "10", "--test-resamples", "10", "--no-save"],
    "check": lambda s: ["check", s.a, "--baseline", s.baseline],
    "help": lambda s: ["--help"],
    "run": lambda s: ["run", *overrides(s.data, "piped"), f"results_dir={s.root / 'piped'}"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_closed_stdout_ends_quietly(toy, bench_exe, command):
    proc = _closed(bench_exe, COMMANDS[command](toy), toy.root)
    assert proc.returncode == SIGPIPE_STATUS, proc.stderr
    noise = [line for line in proc.stderr.splitlines() if not line.startswith("[bench]")]  # run's progress log
    assert noise == [], proc.stderr


def test_closed_stdout_after_a_run_keeps_the_run(toy, bench_exe):
    """`bench run | head -1`: the run is stored before its table is printed; the pipe changes nothing."""
    proc = _closed(bench_exe, COMMANDS["run"](toy), toy.root)
    assert proc.returncode == SIGPIPE_STATUS
    (run,) = (toy.root / "piped" / "piped").iterdir()
    assert {"result.json", "samples.jsonl", "config.yaml"} <= {p.name for p in run.iterdir()}


def test_real_head_in_a_shell(toy, bench_exe):
    """The everyday form: one line reaches the user; bench's status is 0 (its output fit the pipe
    before head left) or 141, never a traceback."""
    script = f"set -o pipefail; for i in 1 2 3; do '{bench_exe}' ls '{toy.results}'; done | head -1"
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, SIGPIPE_STATUS) and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stdout.splitlines()) == 1


def test_in_process_broken_pipe_returns_the_status(monkeypatch):
    """bench.cli.main itself turns a BrokenPipeError into the status (callers of main() get it too)."""
    import bench.cli as cli

    def broken(argv):
        raise BrokenPipeError

    silenced = []
    monkeypatch.setattr(cli, "_dispatch", broken)
    monkeypatch.setattr(os, "dup2", lambda fd, onto: silenced.append(onto))  # not over pytest's own capture
    assert cli.main(["ls"]) == SIGPIPE_STATUS
    assert len(silenced) <= 1  # stdout pointed at devnull (when it is a real file)
