"""What machine and software produced a run (recorded, not part of any signature).

Two git states: ``git``, the project bench was run in (the working directory, the user's own
checkout; None outside git), and ``bench``, bench's version and the commit of its own source.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench.metrics import registry
from bench.paths import PACKAGE
from bench.signature import package_version, python_version

# bench's own packages; the metrics name theirs (bench.metrics.registry.recorded_packages).
CORE_PACKAGES = ("bench", "datasets", "hydra-core", "omegaconf", "numpy")


def packages() -> tuple[str, ...]:
    """Every distribution whose version a run records: bench's own and the built-in metrics'."""
    return tuple(dict.fromkeys((*CORE_PACKAGES, *registry.recorded_packages())))


def _git(where: Path, *args: str) -> str | None:
    # GIT_OPTIONAL_LOCKS=0: `git status` may otherwise refresh the project's .git/index, a write
    # outside results_dir and bench's cache (nothing else is written there).
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        out = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, timeout=10,
                             check=True, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def git_state(where: Path | None = None) -> dict[str, Any]:
    """Commit and dirty flag (tracked files changed) of the git checkout holding ``where`` (default: the
    working directory, the user's project); both None where it is no git checkout or git is absent."""
    where = Path.cwd() if where is None else where
    commit = _git(where, "rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = _git(where, "status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def bench_state() -> dict[str, Any]:
    """bench's own version, and the commit and dirty flag of its source checkout (None when installed
    from a wheel: the version says it all)."""
    source = PACKAGE.parent
    state = git_state(source) if (source / ".git").exists() else {"commit": None, "dirty": None}
    return {"version": package_version("bench"), **state}


def device() -> str:
    """The device a model-based metric could use (the metrics say: bench.metrics.registry.device)."""
    return registry.device()


def capture() -> dict[str, Any]:
    """Python, platform, package versions, git state and device of this run (recorded, not signed)."""
    return {
        "python": python_version(),
        "platform": platform.platform(),
        "packages": {name: package_version(name) for name in packages()},
        "git": git_state(),  # the project bench ran in (the working directory), not bench's own source
        "bench": bench_state(),
        "device": device(),
    }
