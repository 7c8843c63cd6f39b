"""Run keys: answer a run from the store when nothing that produced it changed.

The key is a SHA-256 over everything that can change a stored number: the
scoring config (not where results go, not progress bars or cache locations),
the inputs fingerprint, the model weights' hash, the versions of every
package in the environment record, the Python version and machine, and a hash
of bench's own source files (so editing the harness invalidates its cache
even without a version bump). Computing it imports no torch: versions come
from package metadata and the weights hash is memoised per file stat.
"""

from __future__ import annotations

import copy
import hashlib
import json
import platform
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from bench.config import RunConfig
from bench.environment import PACKAGES
from bench.signature import package_version, python_version

# Options that never change a number.
NOT_SCORING_TOP = ("results_dir", "force", "check", "name")
NOT_SCORING_METRIC = ("progress", "cache", "cache_dir")


@lru_cache(maxsize=1)
def source_hash() -> str:
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _models(config: RunConfig) -> dict[str, str]:
    out = {}
    for family, spec in config.metrics.items():
        if hasattr(spec, "model"):
            from bench.metrics.models import resolve

            out[family] = resolve(spec.model).weights_sha256
    return out


def scoring_config(plain: Mapping[str, Any]) -> dict[str, Any]:
    cfg = copy.deepcopy(dict(plain))
    for key in NOT_SCORING_TOP:
        cfg.pop(key, None)
    for spec in (cfg.get("metrics") or {}).values():
        for key in NOT_SCORING_METRIC:
            spec.pop(key, None)
    return cfg


def run_key(plain: Mapping[str, Any], config: RunConfig, inputs_fingerprint: str) -> str:
    payload = {
        "config": scoring_config(plain),
        "experiment": config.name,
        "inputs": inputs_fingerprint,
        "models": _models(config),
        "packages": {name: package_version(name) for name in PACKAGES},
        "python": python_version(),
        "machine": [platform.system(), platform.machine()],
        "bench_source": source_hash(),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
