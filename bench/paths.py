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


# Kinds of file bench writes that an export, a report or a check's --output must never replace: the
# envelope kinds (bench.results.envelope; named here because this stage comes before results) and a run's files.
_ENVELOPES = {"bench-baseline": "a bench baseline", "systems": "a stored leaderboard (bench systems)",
              "meta": "a stored meta-evaluation (bench meta)", "compare": "a stored comparison (bench compare)",
              "check": "a bench check result"}
_SNIFF_LIMIT = 512 * 2**20  # larger files are not parsed to tell their kind (still never replaced without force)


def _in_run(path: Path) -> bool:
    folder = path.parent
    return (folder / "result.json").is_file() and (folder / "samples.jsonl").is_file()


def bench_file_kind(path: Path) -> tuple[str, str] | None:
    """(kind, description) when ``path`` is a file bench wrote that a later command must not replace: a file
    of a stored run (``result.json``, ``samples.jsonl``, ``config.yaml`` beside them), a baseline, an analysis
    artefact, a check result; else None. Read, never trusted: a damaged file is simply not recognised."""
    import json

    if _in_run(path):
        return "run", f"a file of the stored run {path.parent}"
    try:
        with path.open("rb") as fh:
            if fh.read(1) != b"{":  # every JSON and JSON lines file bench writes starts with an object
                return None
            fh.seek(0)
            if path.suffix == ".jsonl":
                text = fh.readline(_SNIFF_LIMIT)
            elif path.stat().st_size <= _SNIFF_LIMIT:
                text = fh.read()
            else:
                return None
        data = json.loads(text.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("kind")
    if isinstance(kind, str) and kind in _ENVELOPES and "schema_version" in data:
        return kind, _ENVELOPES[kind]
    if {"run_key", "samples_sha256", "schema_version"} <= data.keys():
        return "run", "a stored run's result.json"
    if {"id", "scores", "candidate"} <= data.keys():
        return "run", "a stored run's samples.jsonl"
    return None


def output_target(path: str | Path, force: bool, force_fix: str, kind: str | None = None) -> Path:
    """``path`` if bench may put a new file there, else a one-line ``BenchError`` (before any work is done).

    Never replaced: what is not a regular file (a device such as /dev/null, a FIFO, a socket, a folder) or a
    symbolic link (whatever it points to: an atomic write would put a regular file in the link's place),
    and a file bench wrote of another kind than ``kind`` (``bench_file_kind``), whatever ``force`` says.
    Any other existing file only with ``force``; ``force_fix`` says how to give it (``pass --force ...``)."""
    import stat

    from bench.errors import BenchError

    path = Path(path)
    if _in_run(path):  # a stored run is never edited: checks and reproductions read what is there
        raise BenchError(f"{path} lies inside the stored run {path.parent}", "write it somewhere else")
    try:
        st = path.lstat()
    except FileNotFoundError:
        return path
    except OSError as exc:
        # e.g. a parent that is a file (ENOTDIR): worded as the writers word a failed write
        raise BenchError(f"cannot write {path}: {exc.strerror or exc}", "check the path") from None
    elsewhere = "name a new file (to send the output to a device or a pipe, use stdout)"
    if stat.S_ISLNK(st.st_mode):
        raise BenchError(f"{path} is a symbolic link; bench replaces only regular files", elsewhere)
    if stat.S_ISDIR(st.st_mode):
        raise BenchError(f"{path} is a folder", "name a file inside it or another file")
    if not stat.S_ISREG(st.st_mode):
        what = ("a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "not a regular file")
        raise BenchError(f"{path} is {what}; bench writes only regular files", elsewhere)
    found = bench_file_kind(path)
    if found is not None and found[0] != kind:
        raise BenchError(f"{path} is {found[1]}; bench never replaces it with another kind of file",
                         "name another file")
    if not force:
        raise BenchError(f"{path} exists", force_fix)
    return path


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (a folder named after a dead one may be removed)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def cache_subfolder(name: str) -> Path | None:
    """``<cache>/<name>``, made if need be; None when the cache dir is unusable or the folder cannot be made
    (e.g. a full disk): scratch then goes to the system's temp dir."""
    cache = usable_cache_dir()
    if cache is None:
        return None
    try:
        (cache / name).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return cache / name
