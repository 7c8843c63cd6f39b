"""load items -> extract candidates -> validate -> score -> aggregate.

Pure: reads the inputs, writes nothing, knows nothing of Hydra. ``bench.app``
wraps it; tests call it directly.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from bench import data
from bench.config import RunConfig
from bench.extract import extract
from bench.items import Item, fingerprint, validate
from bench.metrics import multiref
from bench.metrics.base import MetricResult
from bench.metrics.registry import build

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    config: RunConfig
    items: tuple[Item, ...]
    metrics: tuple[MetricResult, ...]
    inputs_fingerprint: str
    timings: Mapping[str, float] = field(default_factory=dict)

    def metric(self, name: str) -> MetricResult:
        return next(m for m in self.metrics if m.name == name)

    def aggregates(self) -> dict[str, dict[str, float]]:
        return {m.name: m.means() for m in self.metrics}


def prepare(config: RunConfig) -> list[Item]:
    """The items exactly as they will be scored (selected, extracted, validated)."""
    spec = config.dataset
    items = data.select(data.load_items(spec), config.limit, config.sample, config.seed)
    items = [replace(it, candidate=extract(it.candidate, spec.extract)) for it in items]
    return validate(items, f"dataset {spec.name!r}")


def run(config: RunConfig, metrics: Mapping[str, Any] | None = None) -> RunResult:
    """Score ``config``'s items with every configured metric.

    ``metrics`` may pass already-built metric objects (family -> object) so a
    caller scoring many configs builds models once.
    """
    multiref.check_policy(config.multiref)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    # Build metrics first: a bad metric option should fail before data loading work.
    built = dict(metrics or {})
    for family, spec in config.metrics.items():
        if family not in built:
            built[family] = build(family, spec)
    timings["setup_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    items = prepare(config)
    inputs = fingerprint(items)
    timings["load_s"] = time.perf_counter() - t0
    results: list[MetricResult] = []
    for family in config.metrics:
        t0 = time.perf_counter()
        log.info("scoring %d items with %s", len(items), family)
        results.extend(built[family].score(items, config.multiref, inputs))
        timings[f"{family}_s"] = time.perf_counter() - t0
    return RunResult(config, tuple(items), tuple(results), inputs, timings)
