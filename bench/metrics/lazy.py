"""Import one submodule of a package without running the package's ``__init__``.

``import nltk.tokenize.punkt`` first runs ``nltk/__init__.py``, which imports
all of nltk (scipy.stats, sklearn, ...): about 2 s for the one module bench
uses. ``bert_score/__init__.py`` likewise imports its plotting code (matplotlib,
pandas) before ``bert_score.utils``. ``submodule`` imports just the module
asked for: the package is stood in for by a bare module with the same
``__path__`` while it loads, then it and the submodules loaded under it are
forgotten, so a later ``import nltk`` (a user's, or the ``nltk`` splitter's)
runs the real ``__init__`` as if nothing had happened (it loads its own copy
of those few modules then; the module returned here stays valid).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from importlib import metadata


_loaded: dict[str, types.ModuleType] = {}  # loaded this way once per process


def submodule(package: str, name: str, dist: str | None = None):
    """``package.name`` (e.g. ``submodule("nltk", "tokenize.punkt")``); ``dist``: the distribution whose
    version the stand-in offers as ``__version__`` (bert_score.utils reads it), default ``package``."""
    full = f"{package}.{name}"
    if full in _loaded:
        return _loaded[full]
    if full in sys.modules or package in sys.modules:
        return importlib.import_module(full)
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return importlib.import_module(full)  # not a package on disk: the plain way (and its plain error)
    stand_in = types.ModuleType(package)
    stand_in.__path__ = list(spec.submodule_search_locations)
    stand_in.__spec__ = spec
    try:
        stand_in.__version__ = metadata.version(dist or package)
    except metadata.PackageNotFoundError:
        pass
    before = set(sys.modules)
    sys.modules[package] = stand_in
    try:
        module = _loaded[full] = importlib.import_module(full)
        return module
    finally:
        # Forget the stand-in and what was loaded under it: a later `import package` then runs the real
        # __init__ from scratch (its own copies of those submodules; the module returned here stays valid).
        for key in [k for k in sys.modules if k not in before and (k == package or k.startswith(package + "."))]:
            del sys.modules[key]
