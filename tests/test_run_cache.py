"""The result cache: identical runs are answered from the store without torch; force recomputes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import run_cache


# the console script of this interpreter's environment, activated or not
BENCH = str(Path(sys.executable).with_name("bench"))


def bench(*args, cwd):
    return subprocess.run([BENCH, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_key_ignores_where_results_go_but_not_what_is_scored():
    from bench.config import parse

    base = {"dataset": {"name": "seed"}, "metrics": {"rouge": {"use_stemmer": True}}, "results_dir": "a"}
    other_dir = {**base, "results_dir": "b", "force": True}
    other_opt = {**base, "metrics": {"rouge": {"use_stemmer": False}}}
    key = lambda plain, fp="sha256:i": run_cache.run_key(plain, parse(plain), fp)  # noqa: E731
    assert key(base) == key(other_dir)
    assert key(base) != key(other_opt)
    assert key(base) != key(base, fp="sha256:j")


@pytest.mark.slow
def test_rerun_is_answered_from_the_store_without_torch(tmp_path):
    results = tmp_path / "results"
    first = bench("run", f"results_dir={results}", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    run_dir = first.stdout.strip().splitlines()[-1]
    # Same command in a process that fails loudly if torch is imported.
    probe = (
        "import sys, builtins; real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    if name == 'torch' or name.startswith('torch.'): raise SystemExit('torch imported')\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        f"sys.argv = ['bench', 'run', 'results_dir={results}']\n"
        "from bench.cli import main; sys.exit(main())\n"
    )
    second = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1] == run_dir
    assert "answered from the store" in second.stderr and "CACHED" in second.stdout
    forced = bench("run", f"results_dir={results}", "force=true", "metrics=[rouge]", cwd=tmp_path)
    assert forced.returncode == 0 and forced.stdout.strip().splitlines()[-1] != run_dir
    assert len(list(Path(results).glob("seed/*/result.json"))) == 2
