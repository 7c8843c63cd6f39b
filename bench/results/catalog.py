"""The stored runs of a results directory: find them, summarise them, filter and order them.

Reading is the only side effect, and it is confined to ``scan`` and ``resolve`` (and ``select``,
which orders runs started in the same second by when their files were written); everything else
here is a pure function of the ``Run``s, so ``bench.ls``, ``bench.load_runs`` and the commands
over them share one notion of what a run is::

    results/<experiment>/<run id>/result.json      a run
    results/baselines/  results/.staging/  results/.index/  results/<experiment>/analyses/
                                                   not runs (bench.results.store, bench.analysis.artefacts)

A damaged run is not fatal: ``scan`` validates each run's record (``bench.results.run_record.listed``)
and returns a damaged one as a one-line problem beside the good runs, and the
caller decides how to report it. A listing reads each run's ``result.json`` and the store's
verified-samples index, not its samples: a run's ``samples.jsonl`` is checked in full only when the
index does not vouch for it (a run stored before the index, or one whose samples changed size or mtime),
and is read when something uses the run's items.
"""

from __future__ import annotations

import json
import operator
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from bench import dotted, jsonio
from bench.errors import BenchError
from bench.values import to_stored
from bench.results import run_record
from bench.results.model import MetricSummary, Run
from bench.results.store import RESULT, STAGING

# Top-level folders of a results directory that hold no runs (store.py: .staging, .index; the gate: baselines).
NOT_EXPERIMENTS = frozenset({"baselines", STAGING, ".index"})
# Folders beside the runs of an experiment that hold no run (bench.analysis.artefacts.ANALYSES).
NOT_RUNS = frozenset({"analyses"})
_RUN_ID_TIME = re.compile(r"(\d{8}-\d{6})(?:-|$)")


@dataclass(frozen=True)
class ListedRun:
    """One row of a listing (``bench.ls``, ``bench ls``): a stored run, when it started, and its label.

    ``label``: the config keys and values that tell it apart from the other listed runs of its
    experiment (``bench.analysis.labels``; given by ``bench.ls``), None when nothing does. The row's
    facts are the run's own (``run.metrics[m].value``, ``.interval``); ``to_dict()`` is the
    ``bench ls --json`` object.
    """

    run: Run
    started_at: datetime | None = None
    label: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.run.path) if self.run.path is not None else Path(self.run.experiment)

    @property
    def run_id(self) -> str:
        return self.run.run_id or self.path.name

    @property
    def dataset(self) -> str | None:
        return self.run.inputs.dataset or lookup(self.run.config, "dataset.name")

    @property
    def metrics(self) -> list[MetricSummary]:
        """The run's metrics in the run summary's order."""
        return [self.run.metrics[m] for m in sorted(self.run.metrics, key=metric_order)]

    @property
    def ci_signature(self) -> str | None:
        info = self.run.interval_info
        return None if info is None else info.signature

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``bench ls --json``."""
        run, git = self.run, self.run.environment.git
        return {
            "path": str(self.path), "experiment": run.experiment, "run_id": self.run_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "items": run.inputs.items, "dataset": self.dataset, "git_commit": git.commit, "git_dirty": git.dirty,
            "ci_signature": self.ci_signature, "label": self.label,
            "metrics": {m.name: {"metric": m.name, "stat": m.primary, "mean": to_stored(m.value),
                                 "ci": None if m.interval is None else list(m.interval),
                                 **({"missing": m.missing} if m.missing else {})} for m in self.metrics},
        }


@dataclass(frozen=True)
class Listing(Sequence[ListedRun]):
    """What ``bench.ls`` returns: the rows (a sequence of ``ListedRun``, newest first) and ``problems``,
    one line per damaged run that was skipped (``<path>: <problem>``)."""

    rows: tuple[ListedRun, ...]
    problems: tuple[str, ...] = ()
    legend: tuple[str, ...] = ()  # the full labels of rows labelled by a letter (``<experiment> A: <keys>``)

    def __getitem__(self, k):  # type: ignore[override]
        return self.rows[k]

    def __len__(self) -> int:
        return len(self.rows)

    def to_json(self) -> list[dict[str, Any]]:
        """The ``bench ls --json`` list."""
        return [row.to_dict() for row in self.rows]


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


def scan(results_dir: str | Path) -> tuple[list[Run], list[str]]:
    """Every readable run under ``results_dir`` (``Run``s with validated records and verified samples, read
    on first use: ``run_record.listed``) and one line per damaged run (``<path>: <problem>``).

    A missing ``results_dir`` is a ``BenchError``: an empty listing would hide a typo.
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise BenchError(f"no results directory {root}", "pass the results directory your runs were written to")
    runs, problems = [], []
    for run_dir in run_dirs(root):
        try:
            runs.append(run_record.listed(run_dir, root))
        except run_record.DamagedRun as exc:
            problems.append(f"skipped damaged run {run_dir}: {exc.what}")
        except BenchError as exc:
            problems.append(f"skipped {run_dir}: {exc.problem}")
        except OSError as exc:  # removed between listing and reading
            problems.append(f"skipped {run_dir}: {exc.strerror or exc}")
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
                     f"pass a run directory, <experiment>/<run id>, or the id of a run stored under {root}")


# --- one run's facts (pure) ----------------------------------------------------------------------------


def started_at(run: Run) -> datetime | None:
    """When the run started (timezone-aware): its recorded start, else the time in its run id (local time)."""
    text = run.volatile.started_at
    if isinstance(text, str):
        try:
            return _aware(datetime.fromisoformat(text))
        except ValueError:
            pass
    match = _RUN_ID_TIME.match(str(run.run_id or ""))
    if match:  # store.new_run_id formats local time
        return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").astimezone()
    return None


def _aware(moment: datetime) -> datetime:
    # bench writes UTC offsets; a naive time (hand-written record, or a user's since) is read as UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def listed(run: Run, label: str | None = None) -> ListedRun:
    """The listing row of one run."""
    return ListedRun(run, started_at(run), label)


def metric_order(name: str) -> tuple[int, str]:
    """Sort key of a metric name: the order the run summary uses."""
    from bench.metrics.registry import display_order  # the run summary's order: ROUGE first

    return display_order(name)


_MISSING = object()


def lookup(tree: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """``tree["a"]["b"]`` for ``a.b``, or ``default`` when a step is missing."""
    return dotted.get(tree, path, default)


# --- filters and order (pure) --------------------------------------------------------------------------


Filter = Callable[[Run], bool]
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, "<=": operator.le, "!=": operator.ne, "==": operator.eq, "=": operator.eq,
    ">": operator.gt, "<": operator.lt}
_WHERE = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(>=|<=|!=|==|=|>|<)\s*(.*?)\s*$")


def parse_since(text: str | datetime) -> datetime:
    """An ISO date (``2026-12-01``) or datetime (``2026-12-01T13:00``, UTC unless it names an offset)."""
    if isinstance(text, datetime):
        return _aware(text)
    try:
        return _aware(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise BenchError(f"since {text!r} is not an ISO date or time",
                         "use e.g. 2026-12-01 or 2026-12-01T13:00 (UTC) or 2026-12-01T13:00+01:00") from None


def since(moment: datetime) -> Filter:
    """Runs that started at or after ``moment``; a run with no known start time never matches."""
    def keep(run: Run) -> bool:
        start = started_at(run)
        return start is not None and start >= moment

    return keep


def experiment(name: str) -> Filter:
    """Runs of one experiment."""
    return lambda run: run.experiment == name


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
        raise BenchError(f"where {text!r} is not KEY=VALUE", "use e.g. dataset.name=summeval or rouge1.fmeasure>0.4")
    key, op, raw = match.groups()
    wanted = _value(raw)
    ordered = op in (">", ">=", "<", "<=")
    if ordered and not _is_number(wanted):
        raise BenchError(f"where {text!r} compares with {raw!r}, not a number", f"use {key}={raw} to match text")
    compare = _OPS[op]

    def keep(run: Run) -> bool:
        value = field(run, key)
        if value is _MISSING:
            return op == "!="
        if ordered:
            return _is_number(value) and compare(value, wanted)
        equal = _equal(value, wanted, raw)
        return equal if op != "!=" else not equal

    return keep


def field(run: Run, key: str) -> Any:
    """What a where-KEY names in a run: a metric's mean, else a config value (``_MISSING`` if neither)."""
    metric, _, stat = key.partition(".")
    summary = run.metrics.get(metric)
    if summary is not None:
        if not stat:
            return summary.value
        if "." not in stat and stat in summary:
            return summary[stat]
    return _thawed(lookup(run.config, key, _MISSING))


def _thawed(value: Any) -> Any:
    # the run's config is read-only (tuples, MappingProxyType): compare it as the JSON it was stored as
    from bench.results.model import thawed

    return value if value is _MISSING else thawed(value)


def _value(raw: str) -> Any:
    try:
        return jsonio.loads(raw)
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


def select(runs: Iterable[Run], filters: Sequence[Filter] = ()) -> list[Run]:
    """The runs every filter keeps, newest first (start time, then finish time, then when written, then run id)."""
    return sorted((r for r in runs if all(f(r) for f in filters)), key=_newest_key, reverse=True)


def _written_ns(run: Run) -> int:
    """When the run's ``result.json`` was written (0 for an unsaved run or one gone since)."""
    if run.path is None:
        return 0
    try:
        return (Path(run.path) / RESULT).stat().st_mtime_ns
    except OSError:
        return 0


def _newest_key(run: Run) -> tuple[float, str, int, str]:
    start = started_at(run)
    # started_at has one-second resolution: finished_at, then the file's write time (ns), then the run id
    # (random after its timestamp: only makes the order total) order runs of the same second
    name = run.run_id or (Path(run.path).name if run.path is not None else "")
    return (start.timestamp() if start else float("-inf"), str(run.volatile.finished_at or ""), _written_ns(run), name)


# --- run-level rows for bench.load_runs (pure) ---------------------------------------------------------

# config blocks that say nothing about how a run's numbers were made: the gate's settings, where it was stored
_NOT_RUN_CONFIG = ("check", "results_dir", "force")
# the columns of metric_rows before the config keys (an empty store still gets them)
ROW_COLUMNS = ("run_id", "experiment", "started_at", "dataset", "items", "git_commit", "git_dirty", "path",
               "metric", "stat", "mean", "ci_lo", "ci_hi", "signature")


def metric_rows(run: Run) -> list[dict[str, Any]]:
    """One row per metric x stat of a run: its mean and interval, the run's facts and its config.

    Config keys are flattened with dots under ``config.`` (lists JSON-encoded), without
    the gate's ``check`` block, ``results_dir`` and ``force``.
    """
    from bench.results.model import thawed

    facts = listed(run).to_dict()
    base = {name: facts[name] for name in ROW_COLUMNS[:8]}
    config = {k: v for k, v in thawed(run.config).items() if k not in _NOT_RUN_CONFIG}
    flat = {f"config.{k}": json.dumps(v, sort_keys=True) if isinstance(v, (list, dict)) else v
            for k, v in dotted.flatten(config).items()}
    out = []
    for metric in sorted(run.metrics, key=metric_order):
        summary = run.metrics[metric]
        for stat, mean in summary.items():
            ci = summary.interval_of(stat)
            out.append({**base, "metric": metric, "stat": stat, "mean": to_stored(mean),
                        "ci_lo": ci.lo if ci else None, "ci_hi": ci.hi if ci else None,
                        "signature": summary.signature or None, **flat})
    return out
