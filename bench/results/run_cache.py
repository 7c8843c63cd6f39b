"""Run keys: answer a run from the store only when nothing that produced it changed.

The key is a SHA-256 over exactly what a stored number depends on:

- every signature the run will produce (``bench.pipeline.declare``), which name
  each metric's engine, options, versions, model hashes and inputs; the
  scored results must carry exactly those, so nothing can enter a signature
  without entering the key;
- the scoring config (not where results go, not progress bars or cache
  locations) and the inputs fingerprint (of the shard too, when sharded);
- the Python version and machine, and a hash of bench's own source files (so
  editing the harness invalidates its cache even without a version bump).

Computing it imports no torch: versions come from package metadata and the
weights hash is memoised per file stat.
"""

from __future__ import annotations

import copy
import hashlib
import json
import platform
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from bench.config import RunConfig
from bench.signature import python_version

# Options that never change a number (a metric's own: its spec's ``not_scoring``, bench.metrics.base).
NOT_SCORING_TOP = ("results_dir", "force", "check", "name")


@lru_cache(maxsize=1)
def source_hash() -> str:
    """SHA-256 of bench's own source files: every ``.py`` file of the whole ``bench`` package, not just this folder."""
    from bench.paths import PACKAGE

    root = PACKAGE
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def metric_code(config: RunConfig) -> dict[str, str]:
    """SHA-256 of the source file of each metric that is not bench's own (plug-ins, ``register()``-ed):
    their code changes numbers too, and ``source_hash`` covers only bench's files."""
    import inspect

    from bench.metrics.registry import Entry, lookup

    out = {}
    for family in config.metrics:
        entry = lookup(family)
        if isinstance(entry, Entry):  # built in: covered by source_hash
            continue
        out[family] = hashlib.sha256(Path(inspect.getsourcefile(entry.cls)).read_bytes()).hexdigest()
    return out


def scoring_config(plain: Mapping[str, Any], config: RunConfig) -> dict[str, Any]:
    """The config without the options that never change a number (each metric's say which: its spec's)."""
    from bench.metrics.base import not_scoring_options

    cfg = copy.deepcopy(dict(plain))
    for key in NOT_SCORING_TOP:
        cfg.pop(key, None)
    for family, spec in (cfg.get("metrics") or {}).items():
        for key in not_scoring_options(type(config.metrics[family])):
            spec.pop(key, None)
    return cfg


def run_key(plain: Mapping[str, Any], config: RunConfig, inputs: Sequence[str], signatures: Sequence[object]) -> str:
    """``inputs``: the fingerprints scored (corpus, then shard if any); ``signatures``: as ``declare`` gives them."""
    payload = {
        "config": scoring_config(plain, config),
        "experiment": config.name,
        "inputs": list(inputs),
        "signatures": sorted(str(s) for s in signatures),  # a set: a merged record lists them in key order
        "metric_code": metric_code(config),
        "python": python_version(),
        "machine": [platform.system(), platform.machine()],
        "bench_source": source_hash(),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def find(results_dir: str | Path, key: str):
    """The stored run (a validated ``Run``) with this key, or None: none indexed, or the indexed one is
    damaged (it never answers for a new run: the run is computed again, with a warning)."""
    import logging

    from bench.errors import BenchError
    from bench.results import run_record, store

    run_dir = store.find_indexed(results_dir, key)
    if run_dir is None:
        return None
    try:
        return run_record.load(run_dir)
    except BenchError:
        logging.getLogger("bench").warning("run %s has this run's key but is damaged: computing the run again", run_dir)
        return None
