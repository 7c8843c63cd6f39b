"""Stored runs as one flat table: a row per item x metric x stat, for pandas, DuckDB, spreadsheets.

Columns, in this order::

    run_id  experiment  item_id  system  document  metric  stat  value  <metadata columns...>

``system`` and ``document`` are the metadata fields the run's dataset declares as
``system_key`` and ``doc_key`` (null when it declares none); the metadata columns
are every item's metadata flattened with dots (``expert.coherence``), lists and
other non-scalar values JSON-encoded, null where an item lacks the field. A
metadata field named like a fixed column is prefixed ``metadata.``.

The wide table (``wide_table``, ``bench export --wide``) has one row per run x item and one column per
metric stat, for pivoting without pandas (which items a system fails on)::

    run_id  experiment  item_id  system  document  <metric>.<stat>...  <metadata columns...>

Metric columns are named ``rouge1.fmeasure`` and follow the run summary's metric order, each metric's stats
as stored; a run without a metric, or an item without a value (an unparsed LLM-judge answer), has null
there. A metadata column named like a fixed or metric column is prefixed ``metadata.``.

The corpus table (``corpus_table``) has one row per run x metric that has a corpus value (BLEU,
chrF: scored from statistics summed over all items, not a mean of item scores)::

    run_id  experiment  metric  stat  corpus  ci_lo  ci_hi  mean  items  signature

``corpus`` is the corpus value, ``ci_lo``/``ci_hi`` its bootstrap interval (null where the run has
none), ``mean`` the mean of the item scores of the same stat, for contrast.

Building the tables (``table``, ``corpus_table``) is pure; ``encode`` turns one into bytes of one
format and ``write`` puts those bytes in place atomically (bench.atomic).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from bench import dotted
from bench.errors import BenchError
from bench.results.model import Run

FORMATS = ("parquet", "csv", "jsonl")
FIXED = ("run_id", "experiment", "item_id", "system", "document", "metric", "stat", "value")
CORPUS = ("run_id", "experiment", "metric", "stat", "corpus", "ci_lo", "ci_hi", "mean", "items", "signature")


def _scalar(value: Any) -> Any:
    # one cell holds one scalar: lists (and empty dicts) become their JSON text, which any reader can parse back
    return value if value is None or isinstance(value, (str, int, float, bool)) else json.dumps(value, sort_keys=True)


def _keyed(metadata: Mapping[str, Any], key: str | None) -> Any:
    return _scalar(dotted.get(metadata, key, None)) if key else None


def table(runs: Sequence[Run]) -> dict[str, list[Any]]:
    """The flat table of ``runs`` as column name -> values, in row order.

    Rows follow the runs as given, then item order, then each item's metrics and stats as stored.
    """
    # the stored lines, not Samples: an export of a million items should not build a million objects
    flat_meta = [[{_column(k): _scalar(v) for k, v in dotted.flatten(s.get("metadata") or {}).items()}
                  for s in run.plain_samples] for run in runs]
    meta_cols = sorted({k for per_run in flat_meta for meta in per_run for k in meta})
    cols: dict[str, list[Any]] = {name: [] for name in (*FIXED, *meta_cols)}
    for run, metas in zip(runs, flat_meta):
        system_key = dotted.get(run.config, "dataset.system_key", None)
        doc_key = dotted.get(run.config, "dataset.doc_key", None)
        for sample, meta in zip(run.plain_samples, metas):
            system = _keyed(sample.get("metadata") or {}, system_key)
            document = _keyed(sample.get("metadata") or {}, doc_key)
            for metric, stats in sample["scores"].items():
                for stat, value in stats.items():
                    for name, cell in zip(FIXED, (run.run_id, run.experiment, sample["id"], system, document,
                                                  metric, stat, value)):
                        cols[name].append(cell)
                    for name in meta_cols:
                        cols[name].append(meta.get(name))
    return {name: _one_kind(values) for name, values in cols.items()}


WIDE_FIXED = FIXED[:5]


def wide_table(runs: Sequence[Run]) -> dict[str, list[Any]]:
    """The wide table of ``runs`` (see the module docstring): a row per run x item, in the runs' order and
    item order; values exactly as stored (the same numbers as the long table's ``value`` column)."""
    from bench.results.catalog import metric_order

    stats: dict[str, list[str]] = {}  # metric -> its stats, in the order first stored
    for run in runs:
        for sample in run.plain_samples:
            for metric, values in sample["scores"].items():
                known = stats.setdefault(metric, [])
                known += [s for s in values if s not in known]
    metric_cols = [(m, s, f"{m}.{s}") for m in sorted(stats, key=metric_order) for s in stats[m]]
    taken = {*WIDE_FIXED, *(c for _, _, c in metric_cols)}

    def column(name: str) -> str:
        return f"metadata.{name}" if name in taken else name

    flat_meta = [[{column(k): _scalar(v) for k, v in dotted.flatten(s.get("metadata") or {}).items()}
                  for s in run.plain_samples] for run in runs]
    meta_cols = sorted({k for per_run in flat_meta for meta in per_run for k in meta})
    cols: dict[str, list[Any]] = {name: [] for name in (*WIDE_FIXED, *(c for _, _, c in metric_cols), *meta_cols)}
    for run, metas in zip(runs, flat_meta):
        system_key = dotted.get(run.config, "dataset.system_key", None)
        doc_key = dotted.get(run.config, "dataset.doc_key", None)
        for sample, meta in zip(run.plain_samples, metas):
            metadata = sample.get("metadata") or {}
            for name, cell in zip(WIDE_FIXED, (run.run_id, run.experiment, sample["id"],
                                               _keyed(metadata, system_key), _keyed(metadata, doc_key))):
                cols[name].append(cell)
            scores = sample["scores"]
            for metric, stat, name in metric_cols:
                cols[name].append(scores.get(metric, {}).get(stat))
            for name in meta_cols:
                cols[name].append(meta.get(name))
    return {name: _one_kind(values) for name, values in cols.items()}


def corpus_table(runs: Sequence[Run]) -> dict[str, list[Any]]:
    """One row per run x metric x corpus stat (columns ``CORPUS``), in the runs' order and each run's
    metric order; a ``BenchError`` when no run has a corpus value (an empty file would look like a bug)."""
    from bench.results.catalog import metric_order

    cols: dict[str, list[Any]] = {name: [] for name in CORPUS}
    for run in runs:
        for metric in sorted(run.metrics, key=metric_order):
            summary = run.metrics[metric]
            for stat, value in (summary.corpus or {}).items():
                ci = summary.corpus_intervals.get(stat)
                for name, cell in zip(CORPUS, (run.run_id, run.experiment, metric, stat, value,
                                               ci.lo if ci else None, ci.hi if ci else None,
                                               summary.stats.get(stat), run.inputs.items, summary.signature or None)):
                    cols[name].append(cell)
    if not cols["run_id"]:
        raise BenchError("no metric of these runs has a corpus value (only BLEU, chrF and chrF++ have one)",
                         "export runs scored with metrics=[bleu,chrf], or export the item table")
    return cols


def _column(name: str) -> str:
    return f"metadata.{name}" if name in FIXED else name


def _one_kind(values: list[Any]) -> list[Any]:
    # Parquet needs one type per column: a field that is a number in one item and text in another
    # becomes text throughout (numbers mixed with numbers stay numbers; bools are not numbers here).
    kinds = {"number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
             for v in values if v is not None}
    if len(kinds) <= 1:
        return values
    return [v if v is None or isinstance(v, str) else json.dumps(v) for v in values]


def rows(columns: Mapping[str, list[Any]]) -> Iterator[dict[str, Any]]:
    """The table's rows as dicts (column order kept)."""
    names = list(columns)
    for cells in zip(*(columns[n] for n in names)):
        yield dict(zip(names, cells))


# A spreadsheet reads a CSV cell starting with one of these as a formula (OWASP's "CSV injection"); an
# item id, a system name or any metadata text may start with one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(cell: Any) -> Any:
    # text only: a number (-0.25) is no formula, and prefixing it would turn it into text
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def encode(columns: Mapping[str, list[Any]], fmt: str, csv_safe: bool = False) -> bytes:
    """The table as a file of ``fmt``: Parquet (pyarrow), CSV (header row, empty cell for null), JSON lines.

    ``csv_safe`` (CSV only): each text cell (and column name) starting with ``= + - @``, a tab or a carriage
    return gets a ``'`` in front, so a spreadsheet shows it as text instead of running it as a formula;
    off by default, since it changes the values (numbers are never changed)."""
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(pa.table({n: pa.array(v) for n, v in columns.items()}), sink)
        return sink.getvalue().to_pybytes()
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")  # floats as repr: the shortest text that reads back exactly
        # csv quotes a cell holding a "\n" (the line terminator) but not one holding a bare "\r", which every
        # reader takes for a line break: a row with such a cell is written with every cell quoted (a quoted
        # number still reads as a number)
        quote_all = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_ALL)
        safe = _spreadsheet_safe if csv_safe else (lambda cell: cell)
        for row in [list(columns), *zip(*columns.values())]:
            cells = [safe(c) for c in row]
            (quote_all if any(isinstance(c, str) and "\r" in c for c in cells) else writer).writerow(cells)
        return text.getvalue().encode("utf-8")
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n" for row in rows(columns)).encode()
    from bench.errors import unknown_choice

    raise unknown_choice("export format", fmt, FORMATS)


def write(path: str | Path, data: bytes) -> None:
    """Put ``data`` at ``path`` atomically (a reader sees the old file or the new one, never half)."""
    from bench import faults
    from bench.atomic import write_atomic
    from bench.paths import output_target

    # never over a device, FIFO, link, folder or another bench file; replacing a plain file is the caller's call
    path = output_target(path, force=True, force_fix="")
    try:
        faults.point("write_file")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise BenchError(f"cannot write {path}: {exc.strerror or exc}", "check the path and free disk space") from None
