"""Pair per-item scores into systems x documents matrices for ``bench systems``.

Two shapes of input, one output (``leaderboard.Table`` per metric and stat):

- one run whose items name their system and document in metadata
  (SummEval: ``system`` and ``doc_id``); several items of one system on one
  document are averaged into that document's score;
- several runs, one system each, on the same items, paired by item id.

Every system must have every document: a missing one is an error naming the
system and the ids, never a silent drop (the means would no longer be paired).

Items are a run's samples (``bench.results.model.Sample``: ``.id``, ``.metadata``,
``.scores[metric][stat]``), read by attribute; each metric's primary stat and
direction come from its ``Facts``, never a default.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from bench import dotted
from bench.errors import BenchError
from bench.stats.intervals import natural_key  # noqa: F401  (re-exported: systems and documents sort by it)
from bench.stats.leaderboard import Table
from bench.values import Facts

def lookup(metadata: Mapping[str, Any], path: str) -> Any:
    """``metadata["expert"]["coherence"]`` for ``expert.coherence``; KeyError when absent."""
    return dotted.get(metadata, path)


def fields(metadata: Mapping[str, Any]) -> list[str]:
    """Dotted names of the fields of one item's metadata (for error messages)."""
    return list(dotted.flatten(metadata))


def metadata_fields(samples: Sequence[Any]) -> list[str]:
    """Dotted names of the metadata fields present in the first item (for error messages)."""
    return fields(samples[0].metadata) if samples else []


def choose_stats(stats: Sequence[str], wanted: str | None, primary: str) -> list[str]:
    """The stats to rank: ``wanted`` (a name, or ``all``), else the metric's primary stat (its ``Facts``)."""
    if wanted == "all":
        return list(stats)
    if wanted:
        return [wanted] if wanted in stats else []
    return [primary] if primary in stats else list(stats)


def _names(samples: Sequence[Any]) -> dict[str, list[str]]:
    return {metric: list(stats) for metric, stats in samples[0].scores.items()}


def _select(available: Mapping[str, list[str]], metrics: Sequence[str] | None, stat: str | None,
            facts: Mapping[str, Facts]) -> list[tuple[str, str]]:
    if metrics:
        unknown = [m for m in metrics if m not in available]
        if unknown:
            raise BenchError(f"no metric {', '.join(unknown)} in the run(s)", f"choose from {', '.join(available)}")
    chosen = []
    for metric in metrics or list(available):
        stats = choose_stats(available[metric], stat, facts[metric].primary)
        if not stats:
            raise BenchError(f"metric {metric} has no stat {stat!r}", f"choose from {', '.join(available[metric])} or all")
        chosen += [(metric, s) for s in stats]
    return chosen


def _missing_message(missing: Mapping[str, list[str]]) -> str:
    parts = []
    for system, ids in sorted(missing.items()):
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        parts.append(f"{system} lacks {shown}")
    return "; ".join(parts)


def _tables(cells: Mapping[str, Mapping[str, list[Any]]], chosen: list[tuple[str, str]],
            facts: Mapping[str, Facts], what: str) -> list[Table]:
    systems = sorted(cells, key=natural_key)
    docs = sorted({d for per_doc in cells.values() for d in per_doc}, key=natural_key)
    missing = {s: [d for d in docs if d not in cells[s]] for s in systems}
    missing = {s: ids for s, ids in missing.items() if ids}
    if missing:
        raise BenchError(f"not every system has every {what}: {_missing_message(missing)}",
                         "score every system on the same items (or select the common ones)")
    if len(systems) < 2:
        raise BenchError(f"need at least two systems, found {len(systems)} ({', '.join(systems)})",
                         "name the system field (by) of a run whose items carry one, or pass two or more runs")
    tables = []
    for metric, stat in chosen:
        # a cell's score is the mean of its items that have a value (NaN where none has: unparsed judge answers)
        matrix = np.array([[_cell_mean([it.scores[metric][stat] for it in cells[s][d]]) for d in docs]
                           for s in systems])
        kept = ~np.isnan(matrix).any(axis=0)
        if kept.all():
            tables.append(Table(metric, stat, tuple(systems), tuple(docs), matrix, facts[metric].higher_is_better))
            continue
        # pairs need a value on both sides: only the documents every system has a value on are ranked
        if kept.sum() < 2:
            raise BenchError(f"metric {metric} {stat} has a value for every system on {int(kept.sum())} {what}(s) "
                             "(the others hold items without a value: unparsed judge answers); a paired test needs 2",
                             "rescore the items without a value, or leave the metric out (metrics=[...])")
        tables.append(Table(metric, stat, tuple(systems), tuple(d for d, k in zip(docs, kept) if k), matrix[:, kept],
                            facts[metric].higher_is_better, left_out=int((~kept).sum()), left_out_what=what))
    return tables


def _cell_mean(values: Sequence[float]) -> float:
    """The mean of one (system, document) cell's items: ``np.mean`` as always when every item has a value,
    else over those that have one (NaN when none has)."""
    from bench.values import available_mean, is_missing

    return available_mean(values) if any(is_missing(v) for v in values) else np.mean(values)


def by_field(samples: Sequence[Any], by: str, doc: str, facts: Mapping[str, Facts],
             metrics: Sequence[str] | None = None, stat: str | None = None) -> list[Table]:
    """Tables from one run's samples: the system is metadata field ``by``, the document metadata field ``doc``;
    ``facts``: metric -> its ``Facts`` (the primary stat ranked by default, the direction)."""
    if not samples:
        raise BenchError("the run has no items", "rank a run that scored items")
    cells: dict[str, dict[str, list]] = {}
    for item in samples:
        meta = item.metadata
        try:
            system, document = str(lookup(meta, by)), str(lookup(meta, doc))
        except KeyError as exc:
            fields = ", ".join(metadata_fields(samples)) or "(none)"
            raise BenchError(f"item {item.id} has no metadata field {exc.args[0]!r}; fields present: {fields}",
                             "name system and document fields (by, doc) that the items have") from None
        cells.setdefault(system, {}).setdefault(document, []).append(item)
    return _tables(cells, _select(_names(samples), metrics, stat, facts), facts, "document")


def by_runs(runs: Sequence[tuple[str, Sequence[Any]]], facts: Mapping[str, Facts],
            metrics: Sequence[str] | None = None, stat: str | None = None) -> list[Table]:
    """Tables from several runs (name, samples), one system each, paired by item id; ``facts`` as ``by_field``."""
    names = [n for n, _ in runs]
    if len(set(names)) != len(names):
        raise BenchError(f"two runs share the system name {next(n for n in names if names.count(n) > 1)!r}",
                         "give each run its own system name (names)")
    cells = {name: {item.id: [item] for item in samples} for name, samples in runs}
    common = set.intersection(*(set(_names(s)) for _, s in runs if s)) if all(s for _, s in runs) else set()
    if not common:
        raise BenchError("the runs share no metric", "rank runs scored with the same metrics")
    available = {m: v for m, v in _names(runs[0][1]).items() if m in common}
    return _tables(cells, _select(available, metrics, stat, facts), facts, "item")
