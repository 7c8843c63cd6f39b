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
from dataclasses import replace
from typing import Any, Mapping, Sequence

from bench.errors import BenchError
from bench.gate.compare import Side
from bench.paths import safe_component
from bench.results import run_record, store
from bench.results.run_record import RunRecord


BASELINE_KIND = "bench-baseline"


def default_baseline(experiment: str, results_dir: str | Path = "results") -> Path:
    """``results/baselines/<experiment>.json``."""
    safe_component(experiment, "experiment name", "pass --baseline FILE")
    return Path(results_dir) / "baselines" / f"{experiment}.json"


def per_item_columns(samples: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, ...], dict[str, dict[str, list[float]]]]:
    """Item ids and metric -> stat -> per-item values of a run's (validated) samples."""
    ids = tuple(s["id"] for s in samples)
    columns: dict[str, dict[str, list[float]]] = {}
    for s in samples:
        for metric, stats in s["scores"].items():
            for stat, value in stats.items():
                columns.setdefault(metric, {}).setdefault(stat, []).append(value)
    return ids, columns


def side_of(run: RunRecord) -> Side:
    """A validated run as one side of a comparison."""
    ids, columns = per_item_columns(run.samples)
    columns = {m: {s: columns[m][s] for s in stats} for m, stats in run.metrics.items()}  # the record's metrics only
    return Side(run.metrics, run.signatures, run.inputs.references_fingerprint, ids, columns,
                run.higher_is_better, run.primary)


def side_from_run(record: Mapping[str, Any], samples: Sequence[Mapping[str, Any]]) -> Side:
    """Plain ``record`` and ``samples`` as one side, validated first (``DamagedRun`` if they are not sound)."""
    return side_of(RunRecord.of(record, samples))


def load_run_side(run_dir: str | Path) -> tuple[dict[str, Any], Side]:
    """A stored run's record (plain) and its comparison side, validated on load."""
    run = run_record.load(run_dir)
    return run.record_dict(), side_of(run)


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
        if not isinstance(data.get("experiment"), str):
            raise TypeError("experiment")
        per = data["per_item"]
        higher = data.get("higher_is_better", {})
        side = Side(data["metrics"], data["signatures"], data["inputs"]["references_fingerprint"], tuple(per["ids"]),
                    per["scores"], higher, data.get("primary") or {})
        _validate(side)
        items = data["inputs"]["items"]
        if items != len(side.ids):
            raise ValueError(f"it holds {len(side.ids)} per-item ids for inputs.items {items!r}")
        side = replace(side, higher_is_better=run_record.direction_of(data), primary=run_record.primary_of(data))
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
    if not isinstance(side.metrics, dict) or not side.metrics:
        raise ValueError("it holds no metric")
    for block, what in ((side.signatures, "signatures"), (side.per_item, "per_item.scores"),
                        (side.higher_is_better, "higher_is_better"), (side.primary, "primary")):
        if not isinstance(block, dict):
            raise ValueError(f"its {what} is not an object")
    if not (set(side.metrics) == set(side.signatures) == set(side.per_item)):
        raise ValueError("its metrics, signatures and per-item scores name different metrics")
    if not isinstance(side.references_fingerprint, str) or not all(isinstance(s, str) for s in side.signatures.values()):
        raise ValueError("its fingerprints or signatures are not text")
    if not all(isinstance(i, str) for i in side.ids) or len(set(side.ids)) != len(side.ids):
        raise ValueError("its per-item ids are not distinct texts")
    for metric, stats in side.metrics.items():
        if not isinstance(stats, dict) or not stats:
            raise ValueError(f"metric {metric!r} has no stats")
        for stat, value in stats.items():
            _number(value, f"{metric}.{stat}")
            column = side.per_item[metric][stat]
            if not isinstance(column, list) or len(column) != len(side.ids):
                raise ValueError(f"{metric}.{stat} has {len(column)} per-item values for {len(side.ids)} ids")
            for k, v in enumerate(column):
                _number(v, f"{metric}.{stat} of item {k}")
    for metric, flag in side.higher_is_better.items():
        if metric not in side.metrics or not isinstance(flag, bool):
            raise ValueError(f"higher_is_better.{metric} is {flag!r}")
    for metric, stat in side.primary.items():
        if metric not in side.metrics or stat not in side.metrics[metric]:
            raise ValueError(f"primary.{metric} is {stat!r}, not one of its stats")


def write_baseline(run: RunRecord | str | Path, path: Path, update: bool,
                   overwrite_fix: str = "pass --update to replace it deliberately") -> dict[str, Any]:
    """Write a run's baseline (``baseline_of``) atomically through the store (never over an existing one without ``update``).

    ``run`` is a validated ``RunRecord`` or a run directory (loaded and validated here)."""
    run = run if isinstance(run, RunRecord) else run_record.load(run)
    path = Path(path)
    if path.exists() and not update:
        raise BenchError(f"baseline {path} already exists", overwrite_fix)
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BenchError(f"baseline {path} is unreadable ({exc})", "remove it, or pass --output for another file") from None
        old_experiment = old.get("experiment") if isinstance(old, dict) else None
        if old_experiment != run.experiment:
            raise BenchError(
                f"baseline {path} belongs to experiment {old_experiment!r}, the run to {run.experiment!r}",
                "pass --output for another file",
            )
    baseline = baseline_of(run)
    store.write_json_atomic(path, baseline)
    return baseline


def baseline_of(run: RunRecord) -> dict[str, Any]:
    """A run's baseline data (pure): its aggregates, signatures, directions, primary stats, inputs, environment
    and per-item scores."""
    record = run.record_dict()
    ids, columns = per_item_columns(run.samples)
    return {
        "kind": BASELINE_KIND,
        "schema_version": store.SCHEMA_VERSION,
        "experiment": record["experiment"],
        "source_run": record["volatile"].get("run_id"),
        "config": record["config"],
        "metrics": record["metrics"],
        "signatures": record["signatures"],
        "higher_is_better": run_record.direction_of(record),
        "primary": run_record.primary_of(record),
        "inputs": record["inputs"],
        "environment": record["environment"],
        "per_item": {"ids": list(ids), "scores": {m: {s: columns[m][s] for s in stats} for m, stats in record["metrics"].items()}},
    }
