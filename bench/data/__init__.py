"""Dataset sources: each turns a ``DatasetSpec`` into a list of ``Item``.

A plain dict registry, resolved lazily so that only the chosen source's
imports (e.g. HF ``datasets``) are paid for.
"""

from __future__ import annotations

import importlib
import random
from typing import Sequence

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

__all__ = ["ColumnSpec", "DatasetSpec", "SOURCES", "load_items", "select", "selection", "stream_items"]


def load_items(spec: DatasetSpec) -> list[Item]:
    """The items of ``spec``'s source (seed, files, hub, summeval), before selection and extraction."""
    if spec.source not in SOURCES:
        raise unknown_choice("dataset source (dataset.source)", spec.source, SOURCES)
    return importlib.import_module(SOURCES[spec.source]).load(spec)


def select(items: list[Item], limit: int | None, sample: int | None, seed: int) -> list[Item]:
    """Seeded random subset (kept in source order), then the first ``limit`` items."""
    return [items[i] for i in selection(len(items), limit, sample, seed)]


def selection(n: int, limit: int | None, sample: int | None, seed: int) -> Sequence[int]:
    """The positions ``select`` keeps of ``n`` items, in order (a range when nothing is sampled)."""
    for name, value in (("limit", limit), ("sample", sample)):
        if value is not None and value < 1:
            raise BenchError(f"{name}={value} must be a positive integer", f"pass {name}=N with N >= 1, or null")
    keep: Sequence[int] = range(n)
    if sample is not None and sample < n:
        keep = sorted(random.Random(seed).sample(range(n), sample))
    return keep[:limit] if limit is not None else keep


def stream_items(spec: DatasetSpec):
    """A context manager giving ``(rows, batches)``: the source's row count and its items a batch (a list) at
    a time in row order, read as they are needed; None when ``spec``'s source reads only whole
    (``load_items``). Only a source module with a ``stream`` function streams (local files do)."""
    if spec.source not in SOURCES:
        raise unknown_choice("dataset source (dataset.source)", spec.source, SOURCES)
    module = importlib.import_module(SOURCES[spec.source])
    return module.stream(spec) if hasattr(module, "stream") else None
