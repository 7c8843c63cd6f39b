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


# Modules are light (torch etc. load only when a model is needed).
METRICS = {
    "rouge": Entry("bench.metrics.rouge", "RougeSpec", "Rouge"),
    "bertscore": Entry("bench.metrics.bertscore", "BertScoreSpec", "BertScore"),
}


def build(family: str, spec: Any) -> Any:
    if family not in METRICS:
        raise unknown_choice("metric", family, METRICS)
    return METRICS[family].build(spec)
