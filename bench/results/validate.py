"""Validation of a stored run's blocks and samples lines: every check a reader relies on, raising ``Damage``.

``bench.results.run_record.load`` reads files and calls these; ``Run.validated`` calls ``validate_run``
on a run made in memory. Nothing here knows the typed ``Run`` (it validates the plain stored form).
"""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from bench import jsonio
from bench.errors import BenchError
from bench.results import envelope
from bench.results.store import SAMPLES
from bench.values import KINDS

log = logging.getLogger("bench")

READS = envelope.READS["run"]  # primary, facts, samples_sha256, corpus_stats: additive keys of version 1
FIX = "re-run the experiment, or restore the run directory from a copy (bench never repairs a run)"
_HEX64 = re.compile(r"[0-9a-f]{64}")


class Damage(ValueError):
    """What is wrong with a stored block (the ``<what>`` of a damaged-run message)."""


class DamagedRun(BenchError):
    """A stored run that fails validation: ``run <dir> is damaged: <what>; <fix>``."""

    def __init__(self, where: str | Path, what: str):
        self.where, self.what = str(where), what
        super().__init__(f"run {where} is damaged: {what}", FIX)


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
    if "facts" in rec:  # what each metric's numbers are (range, kind, drift, min_effect), declared by the metric
        facts = _mapping(rec["facts"], "facts")
        _same_metrics(facts, metrics, "facts")
        for metric, block in facts.items():
            _facts(_mapping(block, f"facts.{metric}"), f"facts.{metric}")
    if rec.get("intervals") is not None:
        block = _mapping(rec["intervals"], "intervals")
        _interval_block(block.get("metrics"), metrics, "intervals.metrics")
        if block.get("corpus") is not None:
            _interval_block(block["corpus"], metrics, "intervals.corpus")
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


def _facts(block: Mapping[str, Any], where: str) -> None:
    rng = block.get("range")
    if not isinstance(rng, list) or len(rng) != 2:
        raise Damage(f"{where}.range is {_kind(rng)}, not [lo, hi]")
    for k, v in enumerate(rng):
        if v is not None:
            _number(v, f"{where}.range[{k}]")
    if rng[0] is not None and rng[1] is not None and not rng[0] < rng[1]:
        raise Damage(f"{where}.range {rng} is empty")
    if block.get("kind") not in KINDS:
        raise Damage(f"{where}.kind is {_kind(block.get('kind'))}, not one of {', '.join(KINDS)}")
    if not isinstance(block.get("corpus"), bool):
        raise Damage(f"{where}.corpus is {_kind(block.get('corpus'))}, not true/false")
    for key in ("drift", "min_effect"):
        if _number(block.get(key), f"{where}.{key}") < 0:
            raise Damage(f"{where}.{key} is {block[key]!r}, below 0")


def _inputs(inputs: Mapping[str, Any]) -> None:
    _count(inputs.get("items"), "inputs.items")
    for key in ("fingerprint", "references_fingerprint"):
        _text(inputs.get(key), f"inputs.{key}")
    if "shard" in inputs:
        shard = _mapping(inputs["shard"], "inputs.shard")
        for key in ("index", "count"):
            _count(shard.get(key), f"inputs.shard.{key}")
    if "empty" in inputs:  # the items whose empty candidate / reference was scored (bench.data.items.EmptyTexts)
        empty = _mapping(inputs["empty"], "inputs.empty")
        for kind in ("candidate", "reference"):
            ids = empty.get(f"{kind}_ids")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise Damage(f"inputs.empty.{kind}_ids is {_kind(ids)}, not a list of ids")
            if _count(empty.get(f"{kind}s"), f"inputs.empty.{kind}s") != len(ids):
                raise Damage(f"inputs.empty.{kind}s is {empty[kind + 's']!r} for {len(ids)} ids")


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
    # "\n" only: the store writes text unescaped (ensure_ascii=False), so a candidate may hold U+2028, U+0085 or
    # \x1c, where str.splitlines would cut a valid line in two
    for number, line in enumerate(text.split("\n")[:-1] if text else [], 1):
        try:
            sample = jsonio.loads(line, position=False)
        except ValueError as exc:
            raise Damage(f"{SAMPLES} line {number} is not JSON ({exc})") from None
        try:
            validate_sample(sample, record["metrics"])
        except Damage as exc:
            raise Damage(f"{SAMPLES} line {number}: {exc}") from None
        out.append(sample)
    validate_ids(out, record)
    validate_corpus_widths(out)
    return out


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
    if "corpus_stats" in s:  # a corpus metric's sufficient statistics (BLEU, chrF): what corpus intervals resample
        for metric, row in _mapping(s["corpus_stats"], "corpus_stats").items():
            if metric not in metrics:
                raise Damage(f"corpus_stats names metric {metric!r}, which the record does not hold")
            if not isinstance(row, list) or not row:
                raise Damage(f"corpus_stats.{metric} is {_kind(row)}, not a list of numbers")
            for k, v in enumerate(row):
                if _number(v, f"corpus_stats.{metric}[{k}]") < 0:
                    raise Damage(f"corpus_stats.{metric}[{k}] is {v!r}, below 0")


def validate_corpus_widths(samples: Sequence[Mapping[str, Any]]) -> None:
    """Every item's sufficient statistics of a corpus metric have one length (they are summed column-wise)."""
    widths: dict[str, int] = {}
    for number, s in enumerate(samples, 1):
        for metric, row in (s.get("corpus_stats") or {}).items():
            if widths.setdefault(metric, len(row)) != len(row):
                raise Damage(f"{SAMPLES} line {number}: corpus_stats.{metric} has {len(row)} statistics, "
                             f"line 1 has {widths[metric]}")


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


# --- the record ---------------------------------------------------------------------------------------

def validate_run(record: Mapping[str, Any], samples: Sequence[Mapping[str, Any]], path: Path | None = None) -> None:
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
        validate_corpus_widths(samples)
    except Damage as exc:
        raise DamagedRun(where, str(exc)) from None
