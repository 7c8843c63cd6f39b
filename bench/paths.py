"""Where bench's own files live (configs, seeds), and the checks for names that become paths."""

from __future__ import annotations

import os
import re
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent


def _home() -> Path | None:
    env = os.environ.get("BENCH_HOME")
    return Path(env) if env else None


def config_dir() -> Path:
    """bench's own configs: ``configs/`` at the top of the checkout, which the package reaches as
    ``bench/_configs`` (a symlink there, a real copy in a wheel); ``BENCH_HOME/configs`` overrides it."""
    home = _home()
    return home / "configs" if home else (PACKAGE / "_configs").resolve()


def seeds_dir() -> Path:
    """The seed documents: ``seeds/`` at the top of the checkout, ``bench/_seeds`` in a wheel."""
    home = _home()
    return home / "seeds" if home else (PACKAGE / "_seeds").resolve()


def project_root() -> Path:
    """Where the git state of a run is read: bench's checkout when bench runs from one, else the working
    directory (an installed bench records the user's project). ``BENCH_HOME`` overrides it."""
    home = _home()
    if home:
        return home
    checkout = PACKAGE.parent
    return checkout if (checkout / "pyproject.toml").is_file() and (checkout / "configs").is_dir() else Path.cwd()


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


def cache_dir() -> Path:
    """bench's cache directory: ``$BENCH_CACHE_DIR``, else ``~/.cache/bench``. With ``results_dir`` the only
    place bench writes (model hashes, embeddings, the ``datasets`` library's files)."""
    env = os.environ.get("BENCH_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "bench"
