"""Intervals for a run's aggregates, overall and per group, from its per-item scores.

One function serves a computed run and a merge of shards: both hand it the
items in corpus order, so a merged record carries exactly the intervals of the
unsharded run. The block it returns is stored in ``result.json`` under
``intervals`` (and ``groups``), with the signature of its resampling.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from bench.stats.intervals import BootSpec, CISpec, Interval, n_units, unit_intervals
from bench.stats.pairing import lookup, natural_key
from bench.values import available_mean, to_memory, to_stored

# Per-item scores in either of two shapes, the same numbers: one metric -> stat -> value mapping per item (as
# samples.jsonl stores them, None or NaN where missing), or columns, metric -> stat -> one float per item (NaN where
# missing), which a million items hold without a million dicts. Metrics and stats in the order the run lists them.
Scores = Sequence[Mapping[str, Mapping[str, Any]]] | Mapping[str, Mapping[str, Any]]


def _columns(scores: Scores) -> list[tuple[str, str]]:
    if isinstance(scores, Mapping):
        return [(m, s) for m, stats in scores.items() for s in stats]
    return [(m, s) for m, stats in scores[0].items() for s in stats] if scores else []


def _matrix(scores: Scores, cols: list[tuple[str, str]]) -> np.ndarray:
    """Items x ``cols``, float64, NaN where a value is missing (``None`` stored, NaN in memory: an unparsed
    LLM-judge answer). Columns are stacked in C; per-item mappings cost a Python lookup per cell, however
    written (itemgetters and per-column lists timed no faster), so they are read as they always were."""
    if isinstance(scores, Mapping):
        arrays = [np.asarray(scores[m][s], dtype=np.float64) for m, s in cols]
        if any(a.ndim != 1 or len(a) != len(arrays[0]) for a in arrays):
            raise ValueError("score columns must be 1-D, one value per item, all of one length")
        return np.column_stack(arrays) if arrays else np.empty((0, 0))
    return np.array([[to_memory(it[m][s]) for m, s in cols] for it in scores], dtype=np.float64)


def _count(scores: Scores) -> int:
    """How many items ``scores`` holds."""
    if isinstance(scores, Mapping):
        cols = _columns(scores)
        return len(np.asarray(scores[cols[0][0]][cols[0][1]])) if cols else 0
    return len(scores)


def _take(scores: Scores, rows: Sequence[int]) -> Scores:
    """The scores of items ``rows``, in the same shape."""
    if isinstance(scores, Mapping):
        index = np.asarray(rows, dtype=np.int64)
        return {m: {s: np.asarray(col, dtype=np.float64)[index] for s, col in stats.items()} for m, stats in scores.items()}
    return [scores[k] for k in rows]


def _means(scores: Scores) -> dict[str, dict[str, Any]]:
    """metric -> stat -> the mean over the items that have a value (``available_mean``), ``None`` when none has."""
    if isinstance(scores, Mapping):
        return {m: {s: to_stored(available_mean(np.asarray(col, dtype=np.float64).tolist())) for s, col in stats.items()}
                for m, stats in scores.items()}
    return {m: {s: to_stored(available_mean([it[m][s] for it in scores])) for s in stats}
            for m, stats in scores[0].items()}


def _block(scores: Scores, units: Sequence[str] | None, spec: BootSpec,
           salt: tuple[str, ...]) -> tuple[dict[str, dict[str, list[float] | None]], int]:
    cols = _columns(scores)
    out: dict[str, dict[str, list[float] | None]] = {}
    n_items = _count(scores)
    if not cols or not n_items:
        return out, 0
    values = _matrix(scores, cols)
    present = ~np.isnan(values)
    complete = [j for j in range(len(cols)) if present[:, j].all()]
    cis: list[Interval | None] = [None] * len(cols)
    if complete:  # every column with a value on every item: drawn together, as always
        for j, ci in zip(complete, unit_intervals(values[:, complete], units, spec, *salt)):
            cis[j] = ci
    for j in range(len(cols)):
        # a column with missing items: bootstrapped over the units of the items that have a value (the rest keep
        # their unit structure), from the same seeded stream, so it equals a run of those items alone
        if j in complete or not present[:, j].any():
            continue
        rows = np.flatnonzero(present[:, j])
        cis[j] = unit_intervals(values[rows, j:j + 1], None if units is None else [units[k] for k in rows], spec, *salt)[0]
    for (m, s), ci, column, has in zip(cols, cis, values.T, present.T):
        # the stored interval holds the stored mean, computed as every run's mean is (fsum / n: base.py, merge.py,
        # groups below): rounding can put a constant column's percentile bounds an ulp beside it
        column = column[has]
        mean = available_mean(column.tolist())
        if ci is not None and column.min() == column.max():
            ci = Interval(mean, mean)  # every resample's mean is the mean: the rounding of the sums is noise
        out.setdefault(m, {})[s] = None if ci is None else ci.around(mean).as_list()
    return out, n_units(n_items, units)


def _units(metadata: Sequence[Mapping[str, Any]], ids: Sequence[str], unit_field: str | None) -> list[str]:
    """Each item's resampling unit: its document (``unit_field``) or, when items are the unit, its own id."""
    if unit_field is None:
        return [str(i) for i in ids]
    out = []
    for item_id, meta in zip(ids, metadata):
        try:
            out.append(str(lookup(meta, unit_field)))
        except KeyError:
            from bench.errors import BenchError

            raise BenchError(f"item {item_id} has no metadata field {unit_field!r} to resample documents by",
                             "set ci.unit=item, or name the document field in the dataset config (doc_key)") from None
    return out


def intervals(ids: Sequence[str], scores: Scores,
              metadata: Sequence[Mapping[str, Any]], spec: BootSpec, unit_field: str | None) -> dict[str, Any]:
    """The ``intervals`` block: signature, unit, number of units, and metric -> stat -> [lo, hi] or None (n/a)."""
    units = _units(metadata, ids, unit_field)
    block, count = _block(scores, units, spec, ())
    return {"signature": spec.signature, "unit_field": unit_field, "n_units": count, "metrics": block}


def groups(ids: Sequence[str], scores: Scores,
           metadata: Sequence[Mapping[str, Any]], spec: BootSpec, unit_field: str | None, by: str) -> dict[str, Any]:
    """The ``groups`` block: per value of metadata field ``by``, its items' means and intervals.

    Each group draws from its own stream (seeded by ``spec.seed`` and the group's name), so a
    group's interval does not depend on which other groups the run holds."""
    from bench.errors import BenchError

    members: dict[str, list[int]] = {}
    for k, (item_id, meta) in enumerate(zip(ids, metadata)):
        try:
            members.setdefault(str(lookup(meta, by)), []).append(k)
        except KeyError:
            raise BenchError(f"item {item_id} has no metadata field {by!r} to group by",
                             "pass group_by=FIELD naming a metadata field every item has") from None
    units = _units(metadata, ids, unit_field)
    out: dict[str, Any] = {}
    for name in sorted(members, key=natural_key):
        rows = members[name]
        sub = _take(scores, rows)
        block, count = _block(sub, None if units is None else [units[k] for k in rows], spec, (name,))
        out[name] = {"n_items": len(rows), "n_units": count, "metrics": _means(sub), "intervals": block}
    return {"by": by, "signature": spec.signature, "unit_field": unit_field, "values": out}



def corpus(ids: Sequence[str], metadata: Sequence[Mapping[str, Any]], spec: BootSpec, unit_field: str | None,
           rows: Mapping[str, tuple[Sequence[Sequence[float]], Any]]) -> dict[str, dict[str, list[float] | None]]:
    """The ``intervals.corpus`` block: per corpus metric (BLEU, chrF), the interval of its corpus value,
    resampling the same units as the means and re-scoring summed sufficient statistics
    (``bench.stats.corpus``). ``rows``: metric -> (per-item rows, summed rows -> {stat: value})."""
    from bench.stats.corpus import corpus_interval

    units = None if unit_field is None else _units(metadata, ids, unit_field)
    out: dict[str, dict[str, list[float] | None]] = {}
    for name, (metric_rows, stats_of) in rows.items():
        stats = list(stats_of(_sum(metric_rows)))
        block = {}
        for stat in stats:
            ci = corpus_interval(metric_rows, units, spec, lambda summed, s=stat: stats_of(summed)[s], name, stat)
            block[stat] = None if ci is None else [ci.lo, ci.hi]
        out[name] = block
    return out


def _sum(rows: Sequence[Sequence[float]]) -> list[float]:
    return np.asarray(rows, dtype=np.float64).sum(axis=0).tolist()


def blocks(ci: CISpec, doc_key: str | None, seed: int, group_by: str | None, ids: Sequence[str],
           scores: Scores,
           metadata: Sequence[Mapping[str, Any]],
           corpus_rows: Mapping[str, tuple[Sequence[Sequence[float]], Any]] | None = None,
           ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A run's ``intervals`` and ``groups`` blocks (either None when not asked for), from its items
    in corpus order: a computed run and a merge of its shards both call this. ``scores``: per-item mappings or
    columns (``Scores``), the same blocks either way. ``corpus_rows``
    (metric -> per-item sufficient statistics and their scorer) adds ``intervals.corpus``."""
    spec, unit_field = ci.resolve(doc_key, seed)
    if group_by is not None and spec is None:
        spec, unit_field = CISpec().resolve(doc_key, seed)  # groups always carry their intervals
    if (ci.unit == "auto" and spec is not None and unit_field is not None and len(ids) > 1
            and len(set(_units(metadata, ids, unit_field))) == 1):
        # one document (SummEval's first 16 items: 16 systems on one article): there is no between-document
        # variation to resample, so `auto` resamples its items, and the signature says unit:item
        from dataclasses import replace

        spec, unit_field = replace(spec, unit="item"), None
    whole = None if ci.resamples == 0 else intervals(ids, scores, metadata, spec, unit_field)
    if whole is not None and corpus_rows and ids:
        whole["corpus"] = corpus(ids, metadata, spec, unit_field, corpus_rows)
    grouped = None if group_by is None else groups(ids, scores, metadata, spec, unit_field, group_by)
    return whole, grouped
