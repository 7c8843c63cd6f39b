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
SUMMEVAL = ROOT.parent / "shared" / "data" / "summeval" / "bartscore_SummEval_data.json"


def _require(path: Path) -> Path:
    if path.is_file():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing; CI=true requires ../shared beside the checkout")
    pytest.skip(f"{path} is absent (../shared is not beside this checkout); SummEval tests need it")


@pytest.fixture(scope="session")
def summeval_path() -> Path:
    return _require(SUMMEVAL)


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
