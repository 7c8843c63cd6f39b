"""Where the project's own files live (configs, seeds, results)."""

from __future__ import annotations

import os
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
