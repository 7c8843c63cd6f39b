"""Read stored runs and baselines into comparison ``Side``s, and create baselines.

Baselines are committed files (``results/baselines/<experiment>.json``)
written only by ``bench baseline``: a copy of one run's aggregates,
signatures, input fingerprints and per-item scores, so that ``bench check``
can run a paired test without the original run directory.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench.errors import BenchError
from bench.gate.compare import Side
from bench.paths import safe_component
from bench.results import store


BASELINE_KIND = "bench-baseline"


def default_baseline(experiment: str, results_dir: str | Path = "results") -> Path:
    """``results/baselines/<experiment>.json``."""
    safe_component(experiment, "experiment name", "pass --baseline FILE")
    return Path(results_dir) / "baselines" / f"{experiment}.json"


def per_item_columns(samples: list[dict[str, Any]]) -> tuple[tuple[str, ...], dict[str, dict[str, list[float]]]]:
    """Item ids and metric -> stat -> per-item values of a run's samples."""
    ids = tuple(s["id"] for s in samples)
    columns: dict[str, dict[str, list[float]]] = {}
    for s in samples:
        for metric, stats in s["scores"].items():
            for stat, value in stats.items():
                columns.setdefault(metric, {}).setdefault(stat, []).append(value)
    return ids, columns


def side_from_run(record: dict[str, Any], samples: list[dict[str, Any]]) -> Side:
    """A run as one side of a comparison."""
    ids, columns = per_item_columns(samples)
    return Side(record["metrics"], record["signatures"], record["inputs"]["references_fingerprint"], ids, columns,
                record.get("higher_is_better", {}))


def load_run_side(run_dir: str | Path) -> tuple[dict[str, Any], Side]:
    """A stored run's record and its comparison side."""
    record = store.load_run(run_dir)
    return record, side_from_run(record, store.load_samples(run_dir))


def load_baseline(path: str | Path) -> tuple[dict[str, Any], Side]:
    """A baseline file's data and comparison side, validated (one-line error if it is not sound)."""
    p = Path(path)
    if not p.is_file():
        raise BenchError(f"baseline {p} not found", "create it with `bench baseline RUN_DIR` and commit it")
    data = store.read_versioned(p, "re-create it with `bench baseline RUN_DIR --update`")
    if data.get("kind") != BASELINE_KIND:
        raise BenchError(f"{p} is not a bench baseline", "create one with `bench baseline RUN_DIR`")
    fix = "re-create it with `bench baseline RUN_DIR --update`"
    try:
        per = data["per_item"]
        side = Side(data["metrics"], data["signatures"], data["inputs"]["references_fingerprint"], tuple(per["ids"]),
                    per["scores"], data.get("higher_is_better", {}))
        _validate(side)
    except (KeyError, TypeError, AttributeError) as exc:
        raise BenchError(f"baseline {p} is corrupt (missing or malformed {exc})", fix) from None
    except ValueError as exc:
        raise BenchError(f"baseline {p} is corrupt ({exc})", fix) from None
    return data, side


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} is {value!r}, not a finite number")
    return float(value)


def _validate(side: Side) -> None:
    """Every metric has stats, a signature and per-item values of the right length; every number is finite."""
    if not side.metrics:
        raise ValueError("it holds no metric")
    if not (set(side.metrics) == set(side.signatures) == set(side.per_item)):
        raise ValueError("its metrics, signatures and per-item scores name different metrics")
    for metric, stats in side.metrics.items():
        if not stats:
            raise ValueError(f"metric {metric!r} has no stats")
        for stat, value in stats.items():
            _number(value, f"{metric}.{stat}")
            column = side.per_item[metric][stat]
            if len(column) != len(side.ids):
                raise ValueError(f"{metric}.{stat} has {len(column)} per-item values for {len(side.ids)} ids")
            for k, v in enumerate(column):
                _number(v, f"{metric}.{stat} of item {k}")


def write_baseline(run_dir: str | Path, path: Path, update: bool) -> dict[str, Any]:
    """Write a run's baseline (``baseline_of``) atomically through the store (never over an existing one without ``update``)."""
    record = store.load_run(run_dir)
    samples = store.load_samples(run_dir)
    if path.exists() and not update:
        raise BenchError(f"baseline {path} already exists", "pass --update to replace it deliberately")
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("experiment") != record["experiment"]:
            raise BenchError(
                f"baseline {path} belongs to experiment {old.get('experiment')!r}, the run to {record['experiment']!r}",
                "pass --output for another file",
            )
    baseline = baseline_of(record, samples)
    path.parent.mkdir(parents=True, exist_ok=True)
    store.write_json_atomic(path, baseline)
    return baseline


def baseline_of(record: dict[str, Any], samples: list[dict[str, Any]]) -> dict[str, Any]:
    """A run's baseline data (pure): its aggregates, signatures, inputs, environment and per-item scores."""
    ids, columns = per_item_columns(samples)
    return {
        "kind": BASELINE_KIND,
        "schema_version": store.SCHEMA_VERSION,
        "experiment": record["experiment"],
        "source_run": record["volatile"]["run_id"],
        "config": record["config"],
        "metrics": record["metrics"],
        "signatures": record["signatures"],
        "higher_is_better": record.get("higher_is_better", {}),
        "inputs": record["inputs"],
        "environment": record["environment"],
        "per_item": {"ids": list(ids), "scores": columns},
    }
