"""Where bench's own files live (configs, seeds), and the checks for names that become paths."""

from __future__ import annotations

import os
import re
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent


def _home() -> Path | None:
    env = os.environ.get("BENCH_HOME")
    return Path(env) if env else None


# The packages an installed bench carries configs/ and seeds/ as (pyproject.toml maps the folders onto them).
CONFIG_PACKAGE = "bench._configs"
SEEDS_PACKAGE = "bench._seeds"


def _checkout() -> Path | None:
    """bench's source checkout when bench is imported from one (also an editable install), else None."""
    root = PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / "configs" / "config.yaml").is_file() else None


def _packaged(package: str) -> Path:
    """The folder of a data package a wheel installed beside bench (``bench/_configs``, ``bench/_seeds``)."""
    return PACKAGE / package.rpartition(".")[2]


def config_dir() -> Path:
    """bench's own configs: ``configs/`` at the top of the checkout, or what a wheel installed of it as the
    package ``bench._configs``; ``BENCH_HOME/configs`` overrides both."""
    home = _home()
    if home:
        return home / "configs"
    checkout = _checkout()
    return checkout / "configs" if checkout else _packaged(CONFIG_PACKAGE)


def config_search_path() -> str:
    """Where Hydra finds bench's configs: ``pkg://bench._configs`` when bench is installed from its wheel
    (Hydra reads the package, wherever it was installed), else the absolute ``config_dir()``."""
    if _home() is None and _checkout() is None:
        return f"pkg://{CONFIG_PACKAGE}"
    return str(config_dir())


def seeds_dir() -> Path:
    """The seed documents: ``seeds/`` at the top of the checkout, the package ``bench._seeds`` in a wheel."""
    home = _home()
    if home:
        return home / "seeds"
    checkout = _checkout()
    return checkout / "seeds" if checkout else _packaged(SEEDS_PACKAGE)


def project_root() -> Path:
    """Where the git state of a run is read: bench's checkout when bench runs from one, else the working
    directory (an installed bench records the user's project). ``BENCH_HOME`` overrides it."""
    home = _home()
    if home:
        return home
    return _checkout() or Path.cwd()


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


def cache_problem(root: Path) -> str | None:
    """Why bench cannot write its cache under ``root`` (it is a file, lies under a file, or is not
    writable: permissions or a read-only mount), or None when it can. Nothing is created here."""
    existing = root
    while not os.path.lexists(existing) and existing.parent != existing:
        existing = existing.parent  # the folder that ``mkdir(parents=True)`` would create ``root`` in
    if not existing.is_dir():
        return f"{existing} is not a folder" if existing == root else f"{existing}, on its path, is not a folder"
    # access(2) answers for the real user and sees a read-only mount (EROFS) even for root
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable"
    return None


_warned: set[str] = set()


def usable(root: Path, name: str) -> Path | None:
    """``root`` when bench can write a cache there, else None after one warning naming ``name`` (once per
    process and folder, not per file or text): the cache then degrades to no cache, and no number changes."""
    import logging

    problem = cache_problem(root)
    if problem is None:
        return root
    if str(root) not in _warned:
        _warned.add(str(root))
        logging.getLogger("bench").warning(
            "%s: %s; running without a cache (set BENCH_CACHE_DIR to a writable folder)", name, problem)
    return None


def usable_cache_dir() -> Path | None:
    """``cache_dir()`` when bench can write there, else None after one warning naming BENCH_CACHE_DIR."""
    name = "BENCH_CACHE_DIR" if os.environ.get("BENCH_CACHE_DIR") else "bench's cache dir (BENCH_CACHE_DIR unset)"
    return usable(cache_dir(), name)
