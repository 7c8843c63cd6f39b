"""Metric families by config name. Plain dict; each entry names its spec and class lazily."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from bench.errors import unknown_choice


@dataclass(frozen=True)
class Entry:
    module: str
    spec_name: str
    class_name: str

    @property
    def spec(self) -> type:
        return getattr(importlib.import_module(self.module), self.spec_name)

    def build(self, spec: Any) -> Any:
        return getattr(importlib.import_module(self.module), self.class_name)(spec)


@dataclass(frozen=True)
class Registered:
    """A metric family registered at run time with its spec dataclass and metric class."""

    spec: type
    cls: type

    def build(self, spec: Any) -> Any:
        return self.cls(spec)


# Modules are light (torch etc. load only when a model is needed).
METRICS: dict[str, Any] = {
    "rouge": Entry("bench.metrics.rouge", "RougeSpec", "Rouge"),
    "bertscore": Entry("bench.metrics.bertscore", "BertScoreSpec", "BertScore"),
}


def register(family: str, spec: type, cls: type) -> None:
    """Add a metric family: ``spec`` (a frozen dataclass: the ``metrics.<family>`` options) and ``cls``
    (built from a spec; ``names()``, ``signatures(items, policy, inputs)`` and ``score(...)``, see base.Metric).

    Its config group file ``metrics/<family>.yaml`` goes in a config directory on Hydra's search path.
    """
    from bench.paths import safe_component

    safe_component(family, "metric family", "name it with letters, digits, '_' or '-'")
    if family in METRICS and METRICS[family] != Registered(spec, cls):
        raise ValueError(f"metric family {family!r} is already registered")
    METRICS[family] = Registered(spec, cls)


def unregister(family: str) -> None:
    """Remove a family added with ``register`` (tests)."""
    if isinstance(METRICS.get(family), Registered):
        del METRICS[family]


def build(family: str, spec: Any) -> Any:
    if family not in METRICS:
        raise unknown_choice("metric", family, METRICS)
    return METRICS[family].build(spec)
