"""Dataset sources: each turns a ``DatasetSpec`` into a list of ``Item``.

A plain dict registry, resolved lazily so that only the chosen source's
imports (e.g. HF ``datasets``) are paid for.
"""

from __future__ import annotations

import importlib
import random

from bench.data.items import Item
from bench.data.spec import ColumnSpec, DatasetSpec
from bench.errors import BenchError, unknown_choice


SOURCES = {
    "seed": "bench.data.seed",
    "files": "bench.data.files",
    "hub": "bench.data.hub",
    "summeval": "bench.data.summeval",
    "summeval_annotations": "bench.data.annotations",
}

__all__ = ["ColumnSpec", "DatasetSpec", "SOURCES", "load_items", "select"]


def load_items(spec: DatasetSpec) -> list[Item]:
    """The items of ``spec``'s source (seed, files, hub, summeval), before selection and extraction."""
    if spec.source not in SOURCES:
        raise unknown_choice("dataset source (dataset.source)", spec.source, SOURCES)
    return importlib.import_module(SOURCES[spec.source]).load(spec)


def select(items: list[Item], limit: int | None, sample: int | None, seed: int) -> list[Item]:
    """Seeded random subset (kept in source order), then the first ``limit`` items."""
    for name, value in (("limit", limit), ("sample", sample)):
        if value is not None and value < 1:
            raise BenchError(f"{name}={value} must be a positive integer", f"pass {name}=N with N >= 1, or null")
    if sample is not None and sample < len(items):
        keep = sorted(random.Random(seed).sample(range(len(items)), sample))
        items = [items[i] for i in keep]
    if limit is not None:
        items = items[:limit]
    return items
