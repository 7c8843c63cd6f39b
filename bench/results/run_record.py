"""The one way bench reads a stored run: ``result.json`` + ``samples.jsonl``, validated, as a ``RunRecord``.

Stored files are untrusted input (a hand edit, a truncated copy, a disk fault),
so ``load`` checks everything a reader relies on before any reader sees it: the
schema version, the shape and type of every block (metrics, signatures,
higher_is_better, primary, intervals, groups, inputs, environment, volatile,
corpus), finite numbers, the SHA-256 of ``samples.jsonl`` that the store wrote
into ``result.json``, and every samples line (a JSON object with a unique id,
its texts' facts, and a finite score for every metric and stat of the record),
as many lines as ``inputs.items``. Damage is a ``DamagedRun``: one line, naming
the run and what is wrong.

A run stored before ``samples_sha256`` existed still loads (with one notice);
one stored before ``primary`` existed gets the old rule (F-measure, else F1,
else a metric's only stat) here, in ``legacy_primary``, and nowhere else.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from bench.errors import BenchError
from bench.results.store import RESULT, SAMPLES, samples_sha256

log = logging.getLogger("bench")

READS = (1,)  # schema versions this bench reads; primary and samples_sha256 are additive keys of version 1
FIX = "re-run the experiment, or restore the run directory from a copy (bench never repairs a run)"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_noticed: set[str] = set()


class Damage(ValueError):
    """What is wrong with a stored block (the ``<what>`` of a damaged-run message)."""


class DamagedRun(BenchError):
    """A stored run that fails validation: ``run <dir> is damaged: <what>; <fix>``."""

    def __init__(self, where: str | Path, what: str):
        self.where, self.what = str(where), what
        super().__init__(f"run {where} is damaged: {what}", FIX)


def legacy_primary(stats: Sequence[str]) -> str:
    """The primary stat of a record stored before metrics declared theirs: F-measure, else F1, else the first."""
    return next((s for s in ("fmeasure", "f1") if s in stats), list(stats)[0])


def primary_of(record: Mapping[str, Any]) -> dict[str, str]:
    """Metric -> primary stat of a validated record (or a baseline): its ``primary`` block, else ``legacy_primary``."""
    block = record.get("primary") or {}
    return {m: block.get(m) or legacy_primary(list(stats)) for m, stats in record["metrics"].items()}


def direction_of(record: Mapping[str, Any]) -> dict[str, bool]:
    """Metric -> higher_is_better of a validated record (every metric higher-is-better without the block)."""
    block = record.get("higher_is_better") or {}
    return {m: block.get(m, True) for m in record["metrics"]}


# --- checks of one value (raise Damage) ----------------------------------------------------------------


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Damage(f"{where} is {value!r}, not a finite number")
    return value


def _mapping(value: Any, where: str, empty: bool = True) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise Damage(f"{where} is {_kind(value)}, not an object")
    if not empty and not value:
        raise Damage(f"{where} is empty")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Damage(f"{where} is {_kind(value)}, not text")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Damage(f"{where} is {value!r}, not a count")
    return value


def _kind(value: Any) -> str:
    return "missing" if value is None else f"{type(value).__name__} {json.dumps(value)[:40]}"


def _same_metrics(block: Mapping[str, Any], metrics: Mapping[str, Any], where: str) -> None:
    if set(block) != set(metrics):
        raise Damage(f"{where} names metrics {sorted(block)}, the record {sorted(metrics)}")


def _interval_block(block: Any, metrics: Mapping[str, Mapping[str, float]], where: str) -> None:
    for metric, stats in _mapping(block, where).items():
        if metric not in metrics:
            raise Damage(f"{where} names metric {metric!r}, which the record does not hold")
        for stat, ci in _mapping(stats, f"{where}.{metric}").items():
            if ci is None:
                continue  # too few units: n/a
            if not isinstance(ci, list) or len(ci) != 2:
                raise Damage(f"{where}.{metric}.{stat} is {_kind(ci)}, not [lo, hi]")
            for k, v in enumerate(ci):
                _number(v, f"{where}.{metric}.{stat}[{k}]")


# --- result.json ---------------------------------------------------------------------------------------


def validate_record(data: Any) -> None:
    """Raise ``Damage`` unless ``data`` is a ``result.json`` record every reader can use."""
    rec = _mapping(data, "the record")
    version = rec.get("schema_version")
    if version is None:
        raise Damage("no schema_version (not written by bench)")
    if version not in READS or isinstance(version, bool):
        raise Damage(f"schema_version is {version!r}; this bench reads {', '.join(map(str, READS))}")
    _text(rec.get("experiment"), "experiment")
    _mapping(rec.get("config"), "config")
    metrics = _mapping(rec.get("metrics"), "metrics", empty=False)
    for metric, stats in metrics.items():
        for stat, value in _mapping(stats, f"metrics.{metric}", empty=False).items():
            _number(value, f"metrics.{metric}.{stat}")
    signatures = _mapping(rec.get("signatures"), "signatures")
    _same_metrics(signatures, metrics, "signatures")
    for metric, sig in signatures.items():
        _text(sig, f"signatures.{metric}")
    if "higher_is_better" in rec:
        higher = _mapping(rec["higher_is_better"], "higher_is_better")
        _same_metrics(higher, metrics, "higher_is_better")
        for metric, flag in higher.items():
            if not isinstance(flag, bool):
                raise Damage(f"higher_is_better.{metric} is {_kind(flag)}, not true/false")
    if "primary" in rec:
        primary = _mapping(rec["primary"], "primary")
        _same_metrics(primary, metrics, "primary")
        for metric, stat in primary.items():
            if stat not in metrics[metric]:
                raise Damage(f"primary.{metric} is {stat!r}, not one of its stats {sorted(metrics[metric])}")
    if "corpus" in rec:  # contract 2: corpus-level values of metrics whose corpus score is not a mean
        for metric, stats in _mapping(rec["corpus"], "corpus").items():
            if metric not in metrics:
                raise Damage(f"corpus names metric {metric!r}, which the record does not hold")
            for stat, value in _mapping(stats, f"corpus.{metric}").items():
                _number(value, f"corpus.{metric}.{stat}")
    if rec.get("intervals") is not None:
        _interval_block(_mapping(rec["intervals"], "intervals").get("metrics"), metrics, "intervals.metrics")
    if rec.get("groups") is not None:
        for name, group in _mapping(_mapping(rec["groups"], "groups").get("values"), "groups.values").items():
            g = _mapping(group, f"groups.values.{name}")
            for metric, stats in _mapping(g.get("metrics"), f"groups.values.{name}.metrics").items():
                for stat, value in _mapping(stats, f"groups.values.{name}.metrics.{metric}").items():
                    _number(value, f"groups.values.{name}.metrics.{metric}.{stat}")
            if g.get("intervals") is not None:
                _interval_block(g["intervals"], metrics, f"groups.values.{name}.intervals")
    _inputs(_mapping(rec.get("inputs"), "inputs"))
    _mapping(rec.get("environment"), "environment")
    volatile = _mapping(rec.get("volatile"), "volatile")
    if volatile.get("run_id") is not None:
        _text(volatile["run_id"], "volatile.run_id")
    for key in ("notes",):
        if key in rec:
            _mapping(rec[key], key)
    if rec.get("samples_sha256") is not None:
        digest = _text(rec["samples_sha256"], "samples_sha256")
        if not (digest.startswith("sha256:") and _HEX64.fullmatch(digest[7:])):
            raise Damage(f"samples_sha256 is {digest[:40]!r}, not sha256:<64 hex>")


def _inputs(inputs: Mapping[str, Any]) -> None:
    _count(inputs.get("items"), "inputs.items")
    for key in ("fingerprint", "references_fingerprint"):
        _text(inputs.get(key), f"inputs.{key}")
    if "shard" in inputs:
        shard = _mapping(inputs["shard"], "inputs.shard")
        for key in ("index", "count"):
            _count(shard.get(key), f"inputs.shard.{key}")


# --- samples.jsonl -------------------------------------------------------------------------------------


def parse_samples(raw: bytes, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lines of ``samples.jsonl`` (bytes as read), each validated against ``record``; raises ``Damage``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Damage(f"{SAMPLES} is not UTF-8 (byte {exc.start})") from None
    if text and not text.endswith("\n"):
        raise Damage(f"{SAMPLES} ends mid-line (cut short)")
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            sample = json.loads(line, parse_constant=_non_finite)
        except ValueError as exc:
            raise Damage(f"{SAMPLES} line {number} is not JSON ({exc})") from None
        try:
            validate_sample(sample, record["metrics"])
        except Damage as exc:
            raise Damage(f"{SAMPLES} line {number}: {exc}") from None
        out.append(sample)
    validate_ids(out, record)
    return out


def _non_finite(name: str) -> float:
    raise ValueError(f"non-finite number {name}")


def validate_sample(sample: Any, metrics: Mapping[str, Mapping[str, float]]) -> None:
    """Raise ``Damage`` unless ``sample`` is one item's line with a finite score for every metric and stat."""
    s = _mapping(sample, "the line")
    _text(s.get("id"), "id")
    _text(s.get("candidate"), "candidate")
    _count(s.get("n_references"), "n_references")
    _mapping(s.get("metadata"), "metadata")
    for key in ("references_sha256", "source_sha256"):  # source_sha256: contract 3 (optional)
        if key in s and not (isinstance(s[key], str) and _HEX64.fullmatch(s[key].removeprefix("sha256:"))):
            raise Damage(f"{key} is {_kind(s[key])}, not 64 hex digits")
    scores = _mapping(s.get("scores"), "scores")
    for metric, stats in metrics.items():
        got = _mapping(scores.get(metric), f"scores.{metric}")
        for stat in stats:
            _number(got.get(stat), f"scores.{metric}.{stat}")


def validate_ids(samples: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> None:
    """As many lines as ``inputs.items``, each id once."""
    items = record["inputs"]["items"]
    if len(samples) != items:
        raise Damage(f"{SAMPLES} has {len(samples)} lines for inputs.items {items}")
    seen: set[str] = set()
    for s in samples:
        if s["id"] in seen:
            raise Damage(f"{SAMPLES} holds item id {s['id']!r} twice")
        seen.add(s["id"])


# --- the record ----------------------------------------------------------------------------------------


def frozen(obj: Any) -> Any:
    """Read-only views of plain mappings and lists (mappings as MappingProxyType, lists as tuples)."""
    if isinstance(obj, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return tuple(frozen(v) for v in obj)
    return obj


def thawed(obj: Any) -> Any:
    """Plain, mutable, ``json.dumps``-able copies of frozen mappings and tuples."""
    if isinstance(obj, Mapping):
        return {k: thawed(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [thawed(v) for v in obj]
    return obj


@dataclass(frozen=True)
class RunRecord:
    """A validated run: ``data`` (the ``result.json`` content) and ``samples`` (its lines), read-only.

    ``path`` is the run directory (None for a record built in memory); ``hashed``
    says whether ``samples.jsonl`` was checked against a recorded SHA-256.
    """

    data: Mapping[str, Any] = field(repr=False)
    samples: tuple[Mapping[str, Any], ...] = field(repr=False)
    path: Path | None = None
    hashed: bool = True

    @classmethod
    def of(cls, record: Mapping[str, Any], samples: Sequence[Mapping[str, Any]], path: Path | None = None,
           hashed: bool = True) -> "RunRecord":
        """Validate plain ``record`` and ``samples`` (from memory or disk); ``DamagedRun`` if they are not sound."""
        where = path if path is not None else "in memory"
        try:
            validate_record(record)
            for number, sample in enumerate(samples, 1):
                try:
                    validate_sample(sample, record["metrics"])
                except Damage as exc:
                    raise Damage(f"{SAMPLES} line {number}: {exc}") from None
            validate_ids(samples, record)
        except Damage as exc:
            raise DamagedRun(where, str(exc)) from None
        return cls(frozen(record), tuple(frozen(s) for s in samples), path, hashed)

    @property
    def experiment(self) -> str:
        return self.data["experiment"]

    @property
    def metrics(self) -> Mapping[str, Mapping[str, float]]:
        """Metric -> stat -> mean over items."""
        return self.data["metrics"]

    @property
    def signatures(self) -> Mapping[str, str]:
        return self.data["signatures"]

    @property
    def higher_is_better(self) -> Mapping[str, bool]:
        """Metric -> its direction (a record without the block: every metric higher-is-better, as bench wrote)."""
        return MappingProxyType(direction_of(self.data))

    @property
    def primary(self) -> Mapping[str, str]:
        """Metric -> the stat one-line views, analyses and the gate use (recorded; ``legacy_primary`` if not)."""
        return MappingProxyType(primary_of(self.data))

    @property
    def inputs(self) -> Mapping[str, Any]:
        return self.data["inputs"]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s["id"] for s in self.samples)

    @property
    def run_id(self) -> str | None:
        return self.data["volatile"].get("run_id")

    def record_dict(self) -> dict[str, Any]:
        """The record as plain, mutable dicts (a copy)."""
        return thawed(self.data)

    def samples_list(self) -> list[dict[str, Any]]:
        """The samples as plain, mutable dicts (a copy)."""
        return [thawed(s) for s in self.samples]

    def column(self, metric: str, stat: str) -> list[float]:
        """Per-item values of one metric's stat, in item order."""
        return [s["scores"][metric][stat] for s in self.samples]


def load(run_dir: str | Path) -> RunRecord:
    """Read and validate a stored run; a ``BenchError`` (``DamagedRun`` for damage) if it is not one."""
    path = Path(run_dir)
    if path.name == RESULT and path.is_file():
        path = path.parent
    if not (path / RESULT).is_file():
        if (path / RESULT).exists():  # a directory (or other non-file) where the record belongs
            raise DamagedRun(path, f"{RESULT} is not a regular file")
        raise BenchError(f"{run_dir} is not a run (no {RESULT})", "pass a directory printed by `bench run`")
    try:
        data = json.loads((path / RESULT).read_text(encoding="utf-8"), parse_constant=_non_finite)
    except (ValueError, OSError) as exc:
        raise DamagedRun(path, f"{RESULT} is corrupt or unreadable ({_reason(exc)})") from None
    try:
        validate_record(data)
    except Damage as exc:
        raise DamagedRun(path, f"{RESULT}: {exc}") from None
    try:
        raw = (path / SAMPLES).read_bytes()
    except OSError as exc:
        raise DamagedRun(path, f"{SAMPLES} is missing or unreadable ({_reason(exc)})") from None
    recorded = data.get("samples_sha256")
    if recorded is not None and samples_sha256(raw) != recorded:
        raise DamagedRun(path, f"{SAMPLES} does not match the SHA-256 recorded in {RESULT} (edited or cut short)")
    try:
        samples = parse_samples(raw, data)
    except Damage as exc:
        raise DamagedRun(path, str(exc)) from None
    if recorded is None:
        _notice(path)
    return RunRecord(frozen(data), tuple(frozen(s) for s in samples), path, recorded is not None)


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _notice(path: Path) -> None:
    key = str(path.resolve())
    if key not in _noticed:  # once per run and process: a listing of old runs says it once each
        _noticed.add(key)
        log.warning("run %s was stored before samples were hashed: its samples are validated, not verified", path)


def plain(record: RunRecord) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(record, samples) as plain dicts, for the pure functions that take them (merge, export, baselines)."""
    return record.record_dict(), record.samples_list()


def copy_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep, plain copy of a record (for writers that add keys)."""
    return copy.deepcopy(thawed(data))
