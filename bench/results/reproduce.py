"""Re-running a stored run from its own record, and every difference from what it stored.

The inputs are rebuilt once from the recorded config and must have the
recorded fingerprints (a shard run: the corpus's and its shard's); then every
metric is recomputed (never answered from the store, with on-disk metric caches
off) and compared exactly: signatures component by component, aggregates, and
per-item values, naming the item that moved most. Works for shard and merged
runs and any metric mix. ``bench reproduce`` prints what ``reproduce`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench import pipeline
from bench.config import parse
from bench.errors import BenchError
from bench.results import run_record
from bench.signature import Signature
from bench.values import to_stored


def _inputs_drift(record: dict, samples: list[dict], inputs: pipeline.Inputs) -> list[str]:
    """What changed in the items, if anything: ids, candidates, references, metadata."""
    stored = record["inputs"]
    shard = stored.get("shard")
    same = inputs.fingerprint == stored["fingerprint"] and (shard is None or inputs.shard_fingerprint == shard["fingerprint"])
    if same:
        return []
    out = [f"inputs: fingerprint {stored['fingerprint'][:19]}… -> {inputs.fingerprint[:19]}…"]
    old_ids = [s["id"] for s in samples]
    new_ids = [it.id for it in inputs.items]
    if old_ids != new_ids:
        gone, added = sorted(set(old_ids) - set(new_ids)), sorted(set(new_ids) - set(old_ids))
        out.append(f"inputs: items {len(old_ids)} -> {len(new_ids)}; removed {_few(gone)}; added {_few(added)}")
    by_id = {it.id: it for it in inputs.items}
    changed = [s["id"] for s in samples if s["id"] in by_id and by_id[s["id"]].candidate != s["candidate"]]
    if changed:
        out.append(f"inputs: {len(changed)} candidate(s) changed, e.g. {_few(changed)}")
    meta = [s["id"] for s in samples if s["id"] in by_id and dict(by_id[s["id"]].metadata) != s.get("metadata", {})]
    if meta:
        out.append(f"inputs: metadata of {len(meta)} item(s) changed, e.g. {_few(meta)}")
    if inputs.references_fingerprint != stored["references_fingerprint"]:
        out.append("inputs: references changed")
    return out


def _few(ids: list[str], n: int = 3) -> str:
    if not ids:
        return "none"
    return ", ".join(repr(i) for i in ids[:n]) + (f" (+{len(ids) - n} more)" if len(ids) > n else "")


def _values_drift(name: str, stats: tuple[str, ...], rows: tuple, samples: list[dict]) -> list[str]:
    worst: tuple[float, str, str, float, float] | None = None
    changed = 0
    for k, sample in enumerate(samples):
        old = sample["scores"].get(name, {})
        moved = False
        for j, stat in enumerate(stats):
            a, b = old.get(stat), to_stored(rows[k][j])  # a missing value (NaN) is stored as null
            if a != b:
                moved = True
                size = float("inf") if a is None or b is None else abs(b - a)
                if worst is None or size > worst[0]:
                    worst = (size, sample["id"], stat, a, b)
        changed += moved
    if not changed:
        return []
    _, item, stat, a, b = worst
    delta = "" if a is None or b is None else f" ({b - a:+.3g})"
    return [f"{name}: {changed} of {len(samples)} items changed; most: {item!r} {stat} {a!r} -> {b!r}{delta}"]


def compare(record: dict, samples: list[dict], result: pipeline.RunResult) -> list[str]:
    """Every difference between a stored run and its recomputation, one line each."""
    drift: list[str] = []
    produced = {m.name for m in result.metrics}
    for name in sorted(set(record["signatures"]) - produced):
        drift.append(f"{name}: in the stored run, not produced now")
    for m in result.metrics:
        old_sig = record["signatures"].get(m.name)
        if old_sig is None:
            drift.append(f"{m.name}: produced now, not in the stored run")
            continue
        for change in Signature.parse(old_sig).diff(m.signature):
            drift.append(f"{m.name} signature: {change}")
        for stat, value in m.means().items():
            old = record["metrics"].get(m.name, {}).get(stat)
            value = to_stored(value)  # NaN (no item has a value) is stored as null
            if value != old:
                delta = "" if old is None or value is None else f" ({value - old:+.3g})"
                drift.append(f"{m.name}.{stat}: {old!r} -> {value!r}{delta}")
        drift += _values_drift(m.name, m.stats, m.per_item, samples)
    return drift


def _uncached(config):
    """Every metric recomputed from scratch: an on-disk cache (e.g. of embeddings) would hide drift."""
    import dataclasses

    from bench.metrics.base import without_caches

    return dataclasses.replace(config, metrics={f: without_caches(spec) for f, spec in config.metrics.items()})


@dataclass(frozen=True)
class Reproduction:
    """What re-running a stored run found: every difference (``drift``, one line each; empty: identical),
    how many items were scored again and how many metrics (0 when the inputs already differed)."""

    drift: tuple[str, ...]
    items: int
    metrics: int = 0

    @property
    def identical(self) -> bool:
        return not self.drift


def reproduce(run_dir: str | Path) -> Reproduction:
    """Re-run a stored run from its record and compare; loads its inputs once."""
    record, samples = run_record.plain(run_record.load(run_dir))
    if (record["config"].get("dataset") or {}).get("source") == "memory":
        raise BenchError(f"{run_dir} scored in-memory texts (bench.score): there is no dataset to load again",
                         "reproduce it in Python by calling bench.score with the same texts")
    config = _uncached(parse(record["config"]))
    inputs = pipeline.prepare_inputs(config)
    drift = _inputs_drift(record, samples, inputs)
    if drift:
        return Reproduction(tuple(drift), len(inputs.items))
    result = pipeline.run(config, inputs=inputs)
    return Reproduction(tuple(compare(record, samples, result)), len(inputs.items), len(result.metrics))
