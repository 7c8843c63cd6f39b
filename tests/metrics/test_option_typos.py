"""Every option of every built-in metric family gets "did you mean" for a typo, from the command line (a
Hydra override of a key the composed config lacks) and from Python (a keyword dict). The default config
composes only the default metrics, so a family outside it (bleu, chrf, chrfpp) once got no suggestion;
the suggestions now come from the family's spec (the registry's, as ``bench.config.parse`` checks them)."""

from __future__ import annotations

import dataclasses

import pytest

import bench
from bench.errors import BenchError
from bench.metrics.registry import BUILT_IN, lookup

OPTIONS = [(family, f.name) for family in BUILT_IN for f in dataclasses.fields(lookup(family).spec)]


def typo(option: str) -> str:
    """The option with one inner letter dropped (``lowercase`` -> ``lowercse``): closest to itself."""
    k = len(option) // 2
    return option[:k] + option[k + 1:]


@pytest.mark.parametrize("family,option", OPTIONS, ids=[f"{f}.{o}" for f, o in OPTIONS])
def test_python_typo_suggests_the_option(family, option):
    with pytest.raises(BenchError) as info:
        bench.score(["a b"], ["a c"], metrics=[family], ci={"resamples": 0}, **{family: {typo(option): 1}})
    assert f"did you mean {option!r}?" in str(info.value) and "\n" not in str(info.value)


# one CLI run per family (a composition each): the family's first and last options
CLI = [(family, opts[k]) for family in BUILT_IN
       for opts in [[f.name for f in dataclasses.fields(lookup(family).spec)]] for k in (0, -1)]


@pytest.mark.parametrize("family,option", CLI, ids=[f"{f}.{o}" for f, o in CLI])
def test_cli_typo_suggests_the_option_and_writes_nothing(bench_main, tmp_path, family, option):
    wrong = typo(option)
    result = bench_main("run", f"metrics=[{family}]", f"metrics.{family}.{wrong}=1", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"bench: error: unknown option 'metrics.{family}.{wrong}'") and f"did you mean {option!r}?" in line
    assert not list(tmp_path.iterdir())
