"""The result cache: identical runs are answered from the store without torch; force recomputes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import _cli

from bench.metrics.sentences import get_splitter
from bench.results import run_cache



def bench(*args, cwd):
    """A process of its own: the test that uses it checks what a whole process imports."""
    return _cli.process(*args, cwd=cwd)


def _key(plain, fp="sha256:i", signatures=("rouge1|tok:default",)):
    from bench.config import parse

    return run_cache.run_key(plain, parse(plain), [fp], signatures)


def test_key_ignores_where_results_go_but_not_what_is_scored():
    base = {"dataset": {"name": "seed"}, "metrics": {"rouge": {"use_stemmer": True}}, "results_dir": "a"}
    other_dir = {**base, "results_dir": "b", "force": True}
    other_opt = {**base, "metrics": {"rouge": {"use_stemmer": False}}}
    assert _key(base) == _key(other_dir)
    assert _key(base) != _key(other_opt)
    assert _key(base) != _key(base, fp="sha256:j")


def test_key_is_made_of_every_signature_component():
    base = {"dataset": {"name": "seed"}, "metrics": {"rouge": {}}}
    one = ("rouge1|engine:rouge-score-rs@0.2.1|tok:default", "rouge2|engine:rouge-score-rs@0.2.1|tok:default")
    assert _key(base, signatures=one) == _key(base, signatures=one[::-1])  # a set: order does not matter
    for changed in ("rouge1|engine:rouge-score-rs@0.2.2|tok:default", "rouge1|engine:rouge-score-rs@0.2.1|tok:unicode-v1"):
        assert _key(base, signatures=one) != _key(base, signatures=(changed, one[1]))


def _seed_rouge(compose, results, *extra):
    from bench.cli.app import execute

    import io

    return execute(compose("metrics=[rouge]", f"results_dir={results}", *extra), out=io.StringIO())


@pytest.mark.parametrize("dist, component", [("nltk", "split:punkt@nltk-99.0+abbrev1"), ("rouge-score-rs", "engine:rouge-score-rs@99.0")])
def test_a_changed_signature_component_is_recomputed_not_answered_from_the_store(tmp_path, compose, monkeypatch, dist, component):
    """The stale-cache bug: a version that enters a signature must enter the key (nothing else was changed)."""
    import json

    import bench.signature

    results = tmp_path / "results"
    first = _seed_rouge(compose, results)
    assert _seed_rouge(compose, results) == first  # unchanged: answered from the store
    real = bench.signature._installed_version
    monkeypatch.setattr(bench.signature, "_installed_version", lambda d: "99.0" if d == dist else real(d))
    get_splitter.cache_clear()  # splitters are built once per process, with their version
    second = _seed_rouge(compose, results)
    assert second != first  # recomputed
    record = json.loads((second / "result.json").read_text())
    assert any(component in sig for sig in record["signatures"].values())
    assert _seed_rouge(compose, results) == second  # and that one is answered from the store in turn


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
