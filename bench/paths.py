"""Where the project's own files live (configs, seeds, results)."""

from __future__ import annotations

import os
import re
from pathlib import Path


def project_root() -> Path:
    """The checkout that holds ``configs/`` and ``seeds/``.

    ``BENCH_HOME`` overrides it (for an installed copy run from elsewhere);
    otherwise it is the parent of the ``bench`` package, which is where an
    editable install (the documented set-up) puts it.
    """
    env = os.environ.get("BENCH_HOME")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def config_dir() -> Path:
    return project_root() / "configs"


# One path component: letters, digits, '.', '_' and '-', not starting with '.'
# (so never '', '.', '..', a hidden name, or anything with a separator).
_SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def safe_component(value: object, what: str, fix: str) -> str:
    """``value`` if it is safe as one path component, else a one-line ``BenchError`` ending in ``fix``."""
    from bench.errors import BenchError

    text = str(value)
    if not _SAFE.fullmatch(text) or len(text) > 200:
        raise BenchError(
            f"{what} {text!r} is not a safe name (one path component of letters, digits, '.', '_' or '-', "
            "not starting with '.')",
            fix,
        )
    return text


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` lies inside ``root`` once both are resolved (symlinks and '..' followed)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
