"""What machine and software produced a run (recorded, not part of any signature)."""

from __future__ import annotations

import platform
import subprocess
import sys
from typing import Any

from bench.paths import project_root
from bench.signature import package_version, python_version

PACKAGES = (
    "bench", "rouge-score", "rouge-score-rs", "bert-score", "transformers", "tokenizers",
    "torch", "datasets", "hydra-core", "omegaconf", "nltk", "numpy",
)


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(project_root()), *args], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def git_state() -> dict[str, Any]:
    """Commit and dirty flag of the checkout (or working directory), None where git is absent."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def device() -> str:
    # Only ask torch if a metric already imported it: ROUGE-only runs stay torch-free.
    """The device BERTScore could use: CUDA's name if torch is loaded and sees one, else cpu."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"


def capture() -> dict[str, Any]:
    """Python, platform, package versions, git state and device of this run (recorded, not signed)."""
    return {
        "python": python_version(),
        "platform": platform.platform(),
        "packages": {name: package_version(name) for name in PACKAGES},
        "git": git_state(),
        "device": device(),
    }
