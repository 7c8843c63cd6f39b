"""What machine and software produced a run (recorded, not part of any signature)."""

from __future__ import annotations

import platform
import subprocess
from typing import Any

from bench.metrics import registry
from bench.paths import project_root
from bench.signature import package_version, python_version

# bench's own packages; the metrics name theirs (bench.metrics.registry.recorded_packages).
CORE_PACKAGES = ("bench", "datasets", "hydra-core", "omegaconf", "numpy")


def packages() -> tuple[str, ...]:
    """Every distribution whose version a run records: bench's own and the built-in metrics'."""
    return tuple(dict.fromkeys((*CORE_PACKAGES, *registry.recorded_packages())))


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
    """The device a model-based metric could use (the metrics say: bench.metrics.registry.device)."""
    return registry.device()


def capture() -> dict[str, Any]:
    """Python, platform, package versions, git state and device of this run (recorded, not signed)."""
    return {
        "python": python_version(),
        "platform": platform.platform(),
        "packages": {name: package_version(name) for name in packages()},
        "git": git_state(),
        "device": device(),
    }
