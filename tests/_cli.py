"""``bench`` in the test process: ``bench.cli.main(argv)`` with what a fresh process would have.

A subprocess costs a Python start and bench's imports (~1-2 s each, more on a busy 2-core machine);
most CLI tests only need the exit code and the two streams. ``run`` calls ``bench.cli.main`` with
stdout/stderr captured, the environment and working directory set, and returns a
``subprocess.CompletedProcess`` so a test reads ``returncode``/``stdout``/``stderr`` either way.

What a process would start fresh and ``main`` changes is saved and restored around each call:
``sys.argv`` (Hydra reads it), ``os.environ`` (``HYDRA_FULL_ERROR``, the sweep log), the working
directory, the SIGINT/SIGTERM handlers (``bench.interrupts.install``), the root logger's handlers and
level (``setup_logging``'s ``basicConfig`` must bind to the captured stderr, as it binds to a new
process's), ``bench.results.store.published``, Hydra's ``GlobalHydra`` and warning filters.
Python warnings are printed to the captured stderr as a process would print them.

Keep a subprocess (``bench_cli`` in tests/conftest.py) for what needs a process of its own: signals,
fault injection, launchers (joblib/submitit sweeps), pipes, the installed console script or wheel,
and checks of what a whole process prints (no traceback at process level, no heavy import).
"""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import traceback
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

# What tests/conftest.py's subprocess runner puts in a child's environment.
BASE_ENV = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TQDM_DISABLE": "1"}


def _exit_code(exc: SystemExit, err: io.StringIO) -> int:
    """What the interpreter makes of an uncaught SystemExit (None: 0, int: itself, other: printed, 1)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=err)
    return 1


def _show(message, category, filename, lineno, file=None, line=None) -> None:
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def run(*args, cwd: Path | str, env: dict | None = None, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``bench <args>`` in this process, in ``cwd`` with ``env`` added; ``timeout`` is accepted and unused."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig

    from bench import cli
    from bench.results import store

    argv = [str(a) for a in args]
    saved_argv, saved_env, saved_cwd = list(sys.argv), dict(os.environ), os.getcwd()
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_published = list(store.published)
    saved_hydra_config = HydraConfig.instance().cfg  # set by @hydra.main; bench.cli.app._hydra_files reads it
    out, err = io.StringIO(), io.StringIO()
    os.environ.update({**BASE_ENV, **{k: str(v) for k, v in (env or {}).items()}})
    os.chdir(cwd)
    GlobalHydra.instance().clear()
    store.published.clear()
    root.handlers = []
    try:
        with redirect_stdout(out), redirect_stderr(err), warnings.catch_warnings():
            warnings.resetwarnings()  # a fresh interpreter's filters, not pytest's
            warnings.simplefilter("default")
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                warnings.filterwarnings("ignore", category=category)
            warnings.showwarning = _show
            try:
                code = cli.main(argv)
            except SystemExit as exc:
                code = _exit_code(exc, err)
            except Exception:  # what the interpreter would print for an uncaught exception
                traceback.print_exc(file=err)
                code = 1
    finally:
        for handler in root.handlers:
            if handler not in saved_handlers:
                root.removeHandler(handler)
        root.handlers = saved_handlers
        root.setLevel(saved_level)
        for signum, handler in saved_signals.items():
            signal.signal(signum, handler)
        GlobalHydra.instance().clear()
        HydraConfig.instance().cfg = saved_hydra_config
        store.published[:] = saved_published
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv = saved_argv
    return subprocess.CompletedProcess(["bench", *argv], code, out.getvalue(), err.getvalue())


def bench_exe() -> str:
    """The ``bench`` console script of this interpreter's environment (activated or not)."""
    import shutil

    exe = Path(sys.executable).with_name("bench")
    found = str(exe) if exe.is_file() else shutil.which("bench")
    if found is None:
        raise RuntimeError("the `bench` console script is not installed (pip install -e .)")
    return found


def process(*args, cwd: Path | str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``bench <args>`` as a process of the console script, with the offline test environment (``BASE_ENV``)."""
    full_env = {**os.environ, **BASE_ENV, **{k: str(v) for k, v in (env or {}).items()}}
    return subprocess.run([bench_exe(), *map(str, args)], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
