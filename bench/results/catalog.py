"""The stored runs of a results directory: find them, summarise them, filter and order them.

Reading is the only side effect, and it is confined to ``scan`` (and ``resolve``);
everything else here is a pure function of the records, so ``bench ls``,
``bench show`` and ``bench.load_runs`` share one notion of what a run is::

    results/<experiment>/<run id>/result.json      a run
    results/baselines/  results/.staging/  results/.index/  results/<experiment>/analyses/
                                                   not runs (bench.results.store, bench.analysis.artefacts)

A damaged run is not fatal: ``scan`` validates each run (``bench.results.run_record``)
and returns a damaged one as a one-line problem beside the good runs, and the
caller decides how to report it.
"""

from __future__ import annotations

import json
import operator
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from bench import dotted
from bench.errors import BenchError
from bench.results import run_record
from bench.results.store import RESULT, STAGING

# Top-level folders of a results directory that hold no runs (store.py: .staging, .index; the gate: baselines).
NOT_EXPERIMENTS = frozenset({"baselines", STAGING, ".index"})
# Folders beside the runs of an experiment that hold no run (bench.analysis.artefacts.ANALYSES).
NOT_RUNS = frozenset({"analyses"})
_RUN_ID_TIME = re.compile(r"(\d{8}-\d{6})(?:-|$)")


@dataclass(frozen=True)
class StoredRun:
    """One readable run: its directory, its ``result.json`` record (plain dicts), and when that file was
    written (``st_mtime_ns``; 0 when not read from disk), which orders runs started in the same second."""

    path: Path
    record: Mapping[str, Any]
    written_ns: int = 0


# --- finding runs (reads) ------------------------------------------------------------------------------


def run_dirs(results_dir: Path) -> list[Path]:
    """``<experiment>/<run>`` directories that hold a ``result.json``, skipping the folders that are not runs."""
    out = []
    for exp in _children(results_dir):
        if exp.name in NOT_EXPERIMENTS or exp.name.startswith("."):
            continue
        out += [run for run in _children(exp)
                if run.name not in NOT_RUNS and not run.name.startswith(".") and (run / RESULT).exists()]
    return out


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:  # removed or unreadable while we look: nothing to list there
        return []


def scan(results_dir: str | Path) -> tuple[list[StoredRun], list[str]]:
    """Every readable run under ``results_dir`` and one line per damaged record (``<path>: <problem>``).

    A missing ``results_dir`` is a ``BenchError``: an empty listing would hide a typo.
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise BenchError(f"no results directory {root}", "pass the results_dir your runs were written to")
    runs, problems = [], []
    for run_dir in run_dirs(root):
        try:
            record = run_record.load(run_dir).record_dict()
            written = (run_dir / RESULT).stat().st_mtime_ns
        except run_record.DamagedRun as exc:
            problems.append(f"skipped damaged run {run_dir}: {exc.what}")
            continue
        except BenchError as exc:
            problems.append(f"skipped {run_dir}: {exc.problem}")
            continue
        except OSError as exc:  # removed between listing and reading
            problems.append(f"skipped {run_dir}: {exc.strerror or exc}")
            continue
        runs.append(StoredRun(run_dir, record, written))
    return runs, problems


def resolve(run: str | Path, results_dir: str | Path = "results") -> Path:
    """A run directory from what the user typed: a path, ``<experiment>/<run id>`` or a bare run id under ``results_dir``."""
    path = Path(run)
    if (path / RESULT).exists() or (path.name == RESULT and path.is_file()):  # a damaged record: the reader says so
        return path.parent if path.name == RESULT else path
    root = Path(results_dir)
    if (root / path / RESULT).exists():
        return root / path
    matches = [d for d in run_dirs(root) if d.name == path.name] if len(path.parts) == 1 and root.is_dir() else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise BenchError(f"run id {run} is in several experiments: {', '.join(str(m) for m in matches)}",
                         "pass the run directory")
    raise BenchError(f"no run {run} (no {RESULT} there, nor under {root})",
                     "pass a run directory printed by `bench run` or `bench ls`, or a run id with --results-dir")


# --- one run's facts (pure) ----------------------------------------------------------------------------


def started_at(record: Mapping[str, Any]) -> datetime | None:
    """When the run started (timezone-aware): ``volatile.started_at``, else the time in its run id (local time)."""
    volatile = record.get("volatile") or {}
    text = volatile.get("started_at")
    if isinstance(text, str):
        try:
            return _aware(datetime.fromisoformat(text))
        except ValueError:
            pass
    match = _RUN_ID_TIME.match(str(volatile.get("run_id", "")))
    if match:  # store.new_run_id formats local time
        return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").astimezone()
    return None


def _aware(moment: datetime) -> datetime:
    # bench writes UTC offsets; a naive time (hand-written record, or a user's --since) is read as UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def main_stat(record: Mapping[str, Any], metric: str) -> str:
    """The stat a one-line view shows for ``metric``: the record's primary stat."""
    return run_record.primary_of(record)[metric]


def interval(record: Mapping[str, Any], metric: str, stat: str) -> list[float] | None:
    """``[lo, hi]`` of a mean's interval, or None (no ``intervals`` block, or too few units: n/a)."""
    block = record.get("intervals") or {}
    ci = ((block.get("metrics") or {}).get(metric) or {}).get(stat)
    return list(ci) if isinstance(ci, (list, tuple)) and len(ci) == 2 else None


def summary(run: StoredRun) -> dict[str, Any]:
    """The facts ``bench ls`` shows (and ``--json`` prints) for one run."""
    rec = run.record
    volatile, inputs = rec.get("volatile") or {}, rec.get("inputs") or {}
    git = (rec.get("environment") or {}).get("git") or {}
    moment = started_at(rec)
    metrics = {}
    for name, stats in sorted(rec["metrics"].items(), key=lambda kv: metric_order(kv[0])):
        stat = main_stat(rec, name)
        metrics[name] = {"metric": name, "stat": stat, "mean": stats[stat], "ci": interval(rec, name, stat)}
    return {
        "path": str(run.path),
        "experiment": rec["experiment"],
        "run_id": volatile.get("run_id") or run.path.name,
        "started_at": moment.isoformat() if moment else None,
        "items": inputs.get("items"),
        "dataset": inputs.get("dataset") or lookup(rec.get("config") or {}, "dataset.name"),
        "git_commit": git.get("commit"),
        "git_dirty": git.get("dirty"),
        "ci_signature": (rec.get("intervals") or {}).get("signature"),
        "metrics": metrics,
    }


def metric_order(name: str) -> tuple[int, str]:
    """Sort key of a metric name: the order the run summary uses."""
    from bench.metrics.registry import display_order  # the run summary's order: ROUGE first

    return display_order(name)


_MISSING = object()


def lookup(tree: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """``tree["a"]["b"]`` for ``a.b``, or ``default`` when a step is missing."""
    return dotted.get(tree, path, default)


# --- filters and order (pure) --------------------------------------------------------------------------


Filter = Callable[[StoredRun], bool]
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, "<=": operator.le, "!=": operator.ne, "==": operator.eq, "=": operator.eq,
    ">": operator.gt, "<": operator.lt}
_WHERE = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=|<=|!=|==|=|>|<)\s*(.*?)\s*$")


def parse_since(text: str) -> datetime:
    """An ISO date (``2026-12-01``) or datetime (``2026-12-01T13:00``, UTC unless it names an offset)."""
    try:
        return _aware(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise BenchError(f"--since {text!r} is not an ISO date or time",
                         "use e.g. 2026-12-01 or 2026-12-01T13:00 (UTC) or 2026-12-01T13:00+01:00") from None


def since(moment: datetime) -> Filter:
    """Runs that started at or after ``moment``; a run with no known start time never matches."""
    def keep(run: StoredRun) -> bool:
        start = started_at(run.record)
        return start is not None and start >= moment

    return keep


def experiment(name: str) -> Filter:
    """Runs of one experiment."""
    return lambda run: run.record["experiment"] == name


def parse_where(text: str) -> Filter:
    """A ``KEY<op>VALUE`` filter, op one of ``= == != > >= < <=``.

    KEY is a metric (``rouge1.fmeasure``, or ``rouge1`` for its main stat) when the
    run has that metric, else a dotted config key (``dataset.name``,
    ``metrics.bertscore.layer``). VALUE is read as JSON when it parses (``5``,
    ``true``, ``null``), else as text; ``=`` also matches the text of a number or
    list (``layer=5`` matches 5). A run without the key never matches, except by ``!=``.
    """
    match = _WHERE.match(text)
    if not match or not match.group(3):
        raise BenchError(f"--where {text!r} is not KEY=VALUE", "use e.g. dataset.name=summeval or rouge1.fmeasure>0.4")
    key, op, raw = match.groups()
    wanted = _value(raw)
    ordered = op in (">", ">=", "<", "<=")
    if ordered and not _is_number(wanted):
        raise BenchError(f"--where {text!r} compares with {raw!r}, not a number", f"use {key}={raw} to match text")
    compare = _OPS[op]

    def keep(run: StoredRun) -> bool:
        value = field(run.record, key)
        if value is _MISSING:
            return op == "!="
        if ordered:
            return _is_number(value) and compare(value, wanted)
        equal = _equal(value, wanted, raw)
        return equal if op != "!=" else not equal

    return keep


def field(record: Mapping[str, Any], key: str) -> Any:
    """What a ``--where`` KEY names in a record: a metric's mean, else a config value (``_MISSING`` if neither)."""
    metric, _, stat = key.partition(".")
    stats = record["metrics"].get(metric)
    if isinstance(stats, Mapping):
        if not stat:
            return stats[main_stat(record, metric)]
        if "." not in stat and stat in stats:
            return stats[stat]
    return lookup(record.get("config") or {}, key, _MISSING)


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equal(value: Any, wanted: Any, raw: str) -> bool:
    if _is_number(value) and _is_number(wanted):
        return value == wanted
    if value == wanted:
        return True
    # a config value and the text a user typed: 5 and "5", [a, b] and "[a,b]", True and "True"
    text = json.dumps(value) if isinstance(value, (list, dict, bool)) or value is None else str(value)
    return text.replace(" ", "") == raw.replace(" ", "") or str(value) == raw


def select(runs: Iterable[StoredRun], filters: Sequence[Filter] = ()) -> list[StoredRun]:
    """The runs every filter keeps, newest first (start time, then finish time, then when written, then run id)."""
    return sorted((r for r in runs if all(f(r) for f in filters)), key=_newest_key, reverse=True)


def _newest_key(run: StoredRun) -> tuple[float, str, int, str]:
    start = started_at(run.record)
    volatile = run.record.get("volatile") or {}
    # started_at has one-second resolution: finished_at, then the file's write time (ns), then the run id
    # (random after its timestamp: only makes the order total) order runs of the same second
    return (start.timestamp() if start else float("-inf"), str(volatile.get("finished_at") or ""),
            run.written_ns, str(volatile.get("run_id") or run.path.name))


# --- run-level rows for bench.load_runs (pure) ---------------------------------------------------------

# config blocks that say nothing about how a run's numbers were made: the gate's settings, where it was stored
_NOT_RUN_CONFIG = ("check", "results_dir", "force")
# the columns of metric_rows before the config keys (an empty store still gets them)
ROW_COLUMNS = ("run_id", "experiment", "started_at", "dataset", "items", "git_commit", "git_dirty", "path",
               "metric", "stat", "mean", "ci_lo", "ci_hi", "signature")


def metric_rows(run: StoredRun) -> list[dict[str, Any]]:
    """One row per metric x stat of a run: its mean and interval, the run's facts and its config.

    Config keys are flattened with dots under ``config.`` (lists JSON-encoded), without
    the gate's ``check`` block, ``results_dir`` and ``force``.
    """
    rec, facts = run.record, summary(run)
    base = {name: facts[name] for name in ROW_COLUMNS[:8]}
    config = {k: v for k, v in (rec.get("config") or {}).items() if k not in _NOT_RUN_CONFIG}
    flat = {f"config.{k}": json.dumps(v, sort_keys=True) if isinstance(v, (list, dict)) else v
            for k, v in dotted.flatten(config).items()}
    out = []
    for metric, stats in sorted(rec["metrics"].items(), key=lambda kv: metric_order(kv[0])):
        for stat, mean in stats.items():
            ci = interval(rec, metric, stat)
            out.append({**base, "metric": metric, "stat": stat, "mean": mean,
                        "ci_lo": ci[0] if ci else None, "ci_hi": ci[1] if ci else None,
                        "signature": (rec.get("signatures") or {}).get(metric), **flat})
    return out


