"""Baseline files: read into a typed ``Baseline`` (one reader), and written from a ``Run``.

A baseline is a committed file (``results/baselines/<experiment>.json``) holding a copy of one run's
blocks that the gate needs: its means, signatures, each metric's facts (direction, primary stat,
range, kind, drift band, minimum effect), corpus values, inputs (fingerprints), environment and the
per-item scores, so that ``bench check`` can run a paired test without the original run directory.
It is written in bench's envelope (``bench.results.envelope``, kind ``bench-baseline``).

Its blocks have the shapes of the run record's (``result.json``) and are validated by the record's
validator. A baseline written before facts were stored has no ``facts`` block: its metrics get the
facts of their time from the record reader's legacy rule (``bench.results.model.facts_of``), here
and nowhere else in the gate.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from bench import jsonio
from bench.errors import BenchError
from bench.gate.compare import Side
from bench.paths import safe_component
from bench.results import envelope, run_record, store
from bench.results.model import Environment, Inputs, MetricSummary, Run, facts_of, frozen, thawed
from bench.values import Stats, to_stored

KIND = "bench-baseline"
FIX = "re-create it with `bench baseline RUN_DIR --update`"


def default_baseline(experiment: str, results_dir: str | Path = "results") -> Path:
    """``results/baselines/<experiment>.json``."""
    safe_component(experiment, "experiment name", "name the baseline file explicitly")
    return Path(results_dir) / "baselines" / f"{experiment}.json"


@dataclass(frozen=True)
class Baseline(Side):
    """A baseline file, typed: one side of a comparison (``metrics`` as ``MetricSummary``s with their
    facts, ``signatures``, ``inputs``, ``ids``, per-item ``columns``) and where it came from."""

    experiment: str = ""
    source_run: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)
    environment: Environment = field(default_factory=Environment)
    path: Path | None = None


# --- reading --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Body:
    """A baseline file's keys (the format, declared once; ``_fields`` fills it from the JSON object)."""

    experiment: Any
    source_run: Any
    config: Any
    metrics: Any
    signatures: Any
    inputs: Any
    environment: Any
    per_item: Any
    corpus: Any = None  # metric -> stat -> corpus value (BLEU, chrF); absent before corpus values were stored


@dataclass(frozen=True)
class _PerItem:
    ids: Any
    scores: Any
    corpus_stats: Any = None  # metric -> per-item sufficient statistics (BLEU, chrF); absent before they were stored


def _corpus_columns(per: _PerItem, corpus: Mapping[str, Any], n: int) -> dict[str, tuple[tuple[float, ...], ...]]:
    """A corpus metric's per-item statistics, checked: one list of finite numbers >= 0 per item."""
    if per.corpus_stats is None:
        return {}
    if not isinstance(per.corpus_stats, dict):
        raise ValueError("per_item.corpus_stats is not an object")
    out = {}
    for metric, rows in per.corpus_stats.items():
        if metric not in corpus:
            raise ValueError(f"per_item.corpus_stats names {metric!r}, which has no corpus value")
        if not isinstance(rows, list) or len(rows) != n:
            raise ValueError(f"per_item.corpus_stats.{metric} has {len(rows) if isinstance(rows, list) else 'no'} "
                             f"rows for {n} ids")
        checked = []
        for k, row in enumerate(rows):
            if not isinstance(row, list) or not row:
                raise ValueError(f"per_item.corpus_stats.{metric} of item {k} is not a list of numbers")
            values = tuple(_number(v, f"per_item.corpus_stats.{metric} of item {k}") for v in row)
            if min(values) < 0:
                raise ValueError(f"per_item.corpus_stats.{metric} of item {k} holds a negative count")
            if checked and len(values) != len(checked[0]):
                raise ValueError(f"per_item.corpus_stats.{metric} of item {k} has {len(values)} statistics, "
                                 f"item 0 has {len(checked[0])}")
            checked.append(values)
        out[metric] = tuple(checked)
    return out


def _fields(cls: type, data: Any, where: str) -> Any:
    """``cls`` filled from the JSON object ``data`` by its field names (a missing key: ``ValueError``)."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} is not an object")
    missing = [f.name for f in fields(cls) if f.name not in data and f.default is MISSING]
    if missing:
        raise ValueError(f"{where} has no {', '.join(missing)}")
    return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where} is {value!r}, not a finite number")
    return float(value)


def _columns(per: _PerItem, metrics: Mapping[str, Mapping[str, Any]], items: int) -> tuple[tuple[str, ...], dict]:
    """Item ids and metric -> stat -> per-item values, checked against the metrics and ``inputs.items``."""
    if not isinstance(per.ids, list) or not all(isinstance(i, str) for i in per.ids) or len(set(per.ids)) != len(per.ids):
        raise ValueError("its per-item ids are not distinct texts")
    if len(per.ids) != items:
        raise ValueError(f"it holds {len(per.ids)} per-item ids for inputs.items {items!r}")
    if not isinstance(per.scores, dict) or set(per.scores) != set(metrics):
        raise ValueError("its metrics and per-item scores name different metrics")
    columns = {}
    for metric, stats in metrics.items():
        got = per.scores[metric]
        if not isinstance(got, dict):
            raise ValueError(f"per_item.scores.{metric} is not an object")
        columns[metric] = {}
        for stat in stats:
            column = got.get(stat)
            if not isinstance(column, list) or len(column) != len(per.ids):
                raise ValueError(f"{metric}.{stat} has {len(column) if isinstance(column, list) else 'no'} per-item "
                                 f"values for {len(per.ids)} ids")
            # null: an item without a value (an unparsed LLM-judge answer), NaN in memory as in a run
            columns[metric][stat] = tuple(math.nan if v is None else _number(v, f"{metric}.{stat} of item {k}")
                                          for k, v in enumerate(column))
    return tuple(per.ids), columns


def read(path: str | Path) -> Baseline:
    """The baseline file at ``path``, validated and typed (one-line ``BenchError`` if it is not sound)."""
    p = Path(path)
    if not p.is_file():
        raise BenchError(f"baseline {p} not found", "create it with `bench baseline RUN_DIR` and commit it")
    try:
        data = jsonio.loads(p.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise BenchError(f"baseline {p} is corrupt or unreadable ({exc})", FIX) from None
    envelope.check(data, KIND, f"baseline {p}", FIX)
    try:
        body = _fields(_Body, data, "it")
        if not isinstance(body.experiment, str):
            raise ValueError(f"its experiment is {body.experiment!r}, not text")
        if body.source_run is not None and not isinstance(body.source_run, str):
            raise ValueError(f"its source_run is {body.source_run!r}, not text")
        # the record's blocks in the record's shapes: the record's validator (volatile: the source run's id)
        run_record.validate_record({**data, "volatile": {"run_id": body.source_run}})
        facts = facts_of(data)  # stored facts, or the legacy rule for a baseline written before them
        inputs = Inputs.of(body.inputs)
        per = _fields(_PerItem, body.per_item, "its per_item")
        ids, columns = _columns(per, body.metrics, inputs.items)
        corpus = body.corpus or {}
        corpus_columns = _corpus_columns(per, corpus, len(ids))
        missing = data.get("missing") or {}
        for m in body.metrics:  # the counts agree with the per-item values, as a run's with its samples
            found = sum(1 for v in columns[m][facts[m].primary] if v != v)
            if found != missing.get(m, 0):
                raise ValueError(f"missing.{m} is {missing.get(m, 0)}, but {found} per-item value(s) are null")
    except (ValueError, TypeError, KeyError) as exc:  # run_record.Damage is a ValueError
        raise BenchError(f"baseline {p} is corrupt ({exc})", FIX) from None
    metrics = MappingProxyType({
        m: MetricSummary(m, Stats(stats), facts[m], body.signatures[m],
                         corpus=Stats(corpus[m]) if m in corpus else None, missing=missing.get(m, 0))
        for m, stats in body.metrics.items()})
    return Baseline(metrics, MappingProxyType(dict(body.signatures)), inputs, ids, frozen(columns),
                    MappingProxyType(corpus_columns), experiment=body.experiment, source_run=body.source_run,
                    config=frozen(body.config), environment=Environment.of(body.environment), path=p)


# --- writing --------------------------------------------------------------------------------------------


def _plain(obj: Any) -> Any:
    """A typed block (``Inputs``, ``Environment``) as the record's plain form, unset fields left out."""
    if is_dataclass(obj):
        return {k: _plain(v) for k, v in asdict(obj).items() if v is not None}
    return thawed(obj)


def _environment(env: Environment) -> dict[str, Any]:
    out = {"python": env.python, "platform": env.platform, "packages": thawed(env.packages),
           "git": {"commit": env.git.commit, "dirty": env.git.dirty}, "bench": thawed(env.bench), "device": env.device}
    return {k: v for k, v in out.items() if v is not None}


def baseline_of(run: Run) -> dict[str, Any]:
    """A run's baseline file content (pure): its means, signatures, facts, corpus values, inputs,
    environment and per-item scores, in the ``bench-baseline`` envelope."""
    metrics = run.metrics
    corpus = {m: dict(s.corpus) for m, s in metrics.items() if s.corpus is not None}
    # what the gate's corpus-level paired bootstrap resamples (sacrebleu's sufficient statistics per item)
    corpus_stats = {m: [list(row) for row in rows] for m in corpus if (rows := run.corpus_rows(m)) is not None}
    body = {
        "experiment": run.experiment,
        "source_run": run.run_id,
        "config": thawed(run.config),
        "metrics": {m: {stat: to_stored(v) for stat, v in s.stats.items()} for m, s in metrics.items()},
        **({"missing": dict(run.missing)} if run.missing else {}),
        "signatures": dict(run.signatures),
        "higher_is_better": {m: s.facts.higher_is_better for m, s in metrics.items()},
        "primary": {m: s.facts.primary for m, s in metrics.items()},
        "facts": {m: s.facts.to_dict() for m, s in metrics.items()},
        **({"corpus": corpus} if corpus else {}),
        "inputs": _plain(run.inputs),
        "environment": _environment(run.environment),
        "per_item": {"ids": list(run.ids),
                     "scores": {m: {stat: [to_stored(v) for v in run.column(m, stat)] for stat in s.stats}
                                for m, s in metrics.items()},
                     **({"corpus_stats": corpus_stats} if corpus_stats else {})},
    }
    return envelope.wrap(KIND, body)


class BaselineExists(BenchError):
    """A baseline file is already there and ``update`` was not asked for."""


def write_baseline(run: Run | str | Path, path: str | Path, update: bool) -> dict[str, Any]:
    """Write a run's baseline (``baseline_of``) atomically through the store, never over an existing one
    without ``update`` (and then only over a baseline of the same experiment).

    ``run`` is a validated ``Run`` or a run directory (loaded and validated here)."""
    run = run if isinstance(run, Run) else run_record.load(run)
    path = Path(path)
    if path.exists() and not update:
        raise BaselineExists(f"baseline {path} already exists", "pass update=True to replace it deliberately")
    if path.exists():
        try:
            old = read(path).experiment
        except BenchError:
            old = None  # unreadable or corrupt: replacing it is what --update is for, unless it is no baseline
            try:
                json_kind = envelope.kind_of(jsonio.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                json_kind = None
            if json_kind != KIND:
                raise BenchError(f"{path} exists and is not a bench baseline", "choose another baseline file") from None
        if old is not None and old != run.experiment:
            raise BenchError(f"baseline {path} belongs to experiment {old!r}, the run to {run.experiment!r}",
                             "choose another baseline file")
    baseline = baseline_of(run)
    store.write_json_atomic(path, baseline)
    return baseline
