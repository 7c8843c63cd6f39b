"""Merge the shards of one run into the record the unsharded run would have written.

Shards are contiguous slices of one corpus (``shard.index`` of
``shard.count``), so concatenating their per-item scores in shard order gives
the unsharded item order, and the means, computed with ``math.fsum`` (exact,
order-independent), equal the unsharded means bit for bit. Signatures lose
their ``shard`` component and become the unsharded ones. ``merge`` is pure: takes loaded
records, returns the merged record and samples; ``merged`` takes shard ``Run``s and returns the
unsaved merged ``Run`` (``bench.merge`` saves it).
"""

from __future__ import annotations

import copy
import logging
import time
from datetime import datetime, timezone
from typing import Any, Sequence

from bench.errors import BenchError
from bench.metrics.base import merge_notes
from bench.results.model import Run
from bench.signature import Signature
from bench.values import available_mean, to_stored

log = logging.getLogger("bench")


def _strip_shard(signature: str) -> str:
    return str(Signature.parse(signature).without("shard"))


def _unsharded_config(record: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(record["config"])
    config["shard"] = {"index": 0, "count": 1}
    return config


def _check(shards: list[tuple[dict, list]]) -> None:
    first = shards[0][0]
    count = first["inputs"].get("shard", {}).get("count")
    if count is None:
        raise BenchError("the first run is not a shard (no inputs.shard)", "pass the runs of `bench run shard.index=I shard.count=N`")
    indices = sorted(r["inputs"].get("shard", {}).get("index", -1) for r, _ in shards)
    if indices != list(range(count)):
        raise BenchError(f"shards {indices} do not cover 0..{count - 1} exactly once", f"pass all {count} shard runs, each once")
    for record, _ in shards:
        for key, what in (("experiment", "experiment"),):
            if record[key] != first[key]:
                raise BenchError(f"runs of different {what}s: {first[key]!r} and {record[key]!r}", "merge shards of one run only")
        if record["inputs"]["fingerprint"] != first["inputs"]["fingerprint"]:
            raise BenchError("shards come from different inputs (corpus fingerprints differ)", "merge shards of one run only")
        if record["inputs"]["shard"]["count"] != count:
            raise BenchError("shards disagree on shard.count", "merge shards of one run only")
        if _unsharded_config(record) != _unsharded_config(first):
            raise BenchError("shards were run with different configs", "merge shards of one run only")
        if record.get("corpus"):  # pipeline refuses to shard BLEU/chrF; a hand-made shard must not slip through
            raise BenchError("a shard has corpus values (BLEU, chrF), which sum statistics over the whole corpus",
                             "score those metrics in one unsharded run")
        if {k: _strip_shard(v) for k, v in record["signatures"].items()} != {k: _strip_shard(v) for k, v in first["signatures"].items()}:
            raise BenchError("shards have different signatures (software or options changed)", "re-run the shards with one setup")


def merge(shards: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(record, samples) per shard -> merged (record without volatile/run_key, samples)."""
    if len(shards) < 2:
        raise BenchError("need at least two shard runs to merge", "pass every shard's run directory")
    _check(shards)
    shards = sorted(shards, key=lambda rs: rs[0]["inputs"]["shard"]["index"])
    first = shards[0][0]
    samples = [s for _, ss in shards for s in ss]
    metrics = {}
    for name, stats in first["metrics"].items():
        # over the items that have a value (null: an unparsed LLM-judge answer), as the unsharded run
        metrics[name] = {stat: to_stored(available_mean([s["scores"][name][stat] for s in samples])) for stat in stats}
    missing = {m: n for m in first["metrics"] if (n := sum(r.get("missing", {}).get(m, 0) for r, _ in shards))}
    notes: dict[str, dict[str, Any]] = {}
    for metric in dict.fromkeys(m for record, _ in shards for m in record.get("notes", {})):
        notes[metric] = merge_notes([record["notes"][metric] for record, _ in shards if metric in record.get("notes", {})])
        if "cost_usd" in notes[metric]:  # from the summed tokens at the run's prices, as the unsharded run
            notes[metric]["cost_usd"] = _judge_cost(first, notes[metric])
    inputs = {k: v for k, v in first["inputs"].items() if k != "shard"}
    inputs["items"] = len(samples)
    inputs["references"] = sum(r["inputs"]["references"] for r, _ in shards)
    config = _unsharded_config(first)
    record = {
        **{k: v for k, v in first.items() if k not in ("volatile", "run_key", "intervals", "groups", "missing")},
        "config": config,
        "metrics": metrics,
        **({"missing": missing} if missing else {}),
        "signatures": {k: _strip_shard(v) for k, v in first["signatures"].items()},
        **_blocks(config, samples),
        "notes": notes,
        "inputs": inputs,
    }
    return record, samples


def _judge_cost(record: dict[str, Any], notes: dict[str, Any]) -> float | None:
    from bench.metrics.llm_judge import cost

    spec = record.get("config", {}).get("metrics", {}).get("llm_judge", {})
    return cost(spec.get("price_prompt"), spec.get("price_completion"), notes["prompt_tokens"], notes["completion_tokens"])


def _blocks(config: dict[str, Any], samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The intervals and groups of the whole corpus, drawn as the unsharded run draws them."""
    if "ci" not in config:  # a record from before intervals existed
        return {}
    from bench.config import build
    from bench.stats import aggregate
    from bench.stats.intervals import CISpec

    whole, grouped = aggregate.blocks(build(CISpec, config["ci"], "ci"), (config.get("dataset") or {}).get("doc_key"),
                                      config.get("seed", 0), config.get("group_by"), [s["id"] for s in samples],
                                      [s["scores"] for s in samples], [s.get("metadata", {}) for s in samples])
    return {**({"intervals": whole} if whole is not None else {}), **({"groups": grouped} if grouped is not None else {})}


def merged_run_key(record: dict[str, Any], shards: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> str | None:
    """The key the unsharded run would have here (``bench.results.run_cache``), or ``None`` (store, don't index).

    Only if every shard's own key is what this process computes for it: the same Python, machine and
    bench source made the shards, so the merged run may answer a later identical ``bench run``.
    """
    from bench.config import parse
    from bench.results import run_cache

    same_software = all(
        r.get("run_key") == run_cache.run_key(r["config"], parse(r["config"]),
                                              [r["inputs"]["fingerprint"], r["inputs"]["shard"]["fingerprint"]],
                                              list(r["signatures"].values()))
        for r, _ in shards
    )
    if not same_software:
        return None
    signatures = list(record["signatures"].values())
    return run_cache.run_key(record["config"], parse(record["config"]), [record["inputs"]["fingerprint"]], signatures)


def merged(shards: Sequence[Run], started: float | None = None) -> Run:
    """The unsaved run that the shard runs ``shards`` (validated ``Run``s, any order) make together: the
    record the unsharded run writes, with ``volatile.merged_from`` (the shards' run ids) and the run key
    (None when the shards come from other software or machines: stored, not indexed).

    ``started``: the ``time.perf_counter()`` at which the merge began (loading included), for
    ``volatile.duration_s``."""
    started = time.perf_counter() if started is None else started
    pairs = [(s.record_dict(), s.samples_list()) for s in shards]
    record, samples = merge(pairs)
    record["volatile"] = {
        "run_id": None,  # given by ``bench.save``
        "merged_from": sorted(s.run_id for s in shards if s.run_id),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started,
    }
    record["run_key"] = merged_run_key(record, pairs)
    if record["run_key"] is None:
        log.info("shards come from other software or machines than this one: the merged run is stored, not indexed")
    return Run.of(record, samples)
