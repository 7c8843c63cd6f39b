"""Turn a ``RunResult`` into the stored record (result.json) and samples (samples.jsonl).

Everything that may differ between two runs of the same config (run id, clock
times, durations) lives under ``volatile``; everything else is a function of
config, inputs and software, so identical runs give identical files outside it.
"""

from __future__ import annotations

from typing import Any, Mapping

from bench.metrics.base import VOLATILE_NOTE_PREFIXES
from bench.pipeline import RunResult, item_scores
from bench.results import environment
from bench.results.store import SCHEMA_VERSION
from bench.data.items import references_hash, source_hash



def build_record(result: RunResult, config: Mapping[str, Any], volatile: Mapping[str, Any]) -> dict[str, Any]:
    """The ``result.json`` record of a result: everything but ``volatile`` is a function of config, inputs and software."""
    return {
        "schema_version": SCHEMA_VERSION,
        "experiment": result.config.name,
        "config": dict(config),
        "metrics": result.aggregates(),
        "signatures": {m.name: str(m.signature) for m in result.metrics},
        "higher_is_better": {m.name: m.higher_is_better for m in result.metrics},
        **_corpus(result),
        "primary": {m.name: m.primary for m in result.metrics},
        "facts": {m.name: m.facts.to_dict() for m in result.metrics},
        **({"intervals": dict(result.intervals)} if result.intervals is not None else {}),
        **({"groups": dict(result.groups)} if result.groups is not None else {}),
        "notes": _notes(result, volatile=False),
        "inputs": _inputs(result),
        "environment": environment.capture(),
        "volatile": {**volatile, "timings_s": dict(result.timings), "notes": _notes(result, volatile=True)},
    }


def _corpus(result: RunResult) -> dict[str, Any]:
    """The optional ``corpus`` block: corpus-level values of metrics whose corpus score is not a mean (BLEU, chrF)."""
    block = {m.name: dict(m.corpus) for m in result.metrics if m.corpus is not None}
    return {"corpus": block} if block else {}


def _notes(result: RunResult, volatile: bool) -> dict[str, dict[str, Any]]:
    out = {}
    for m in result.metrics:
        kept = {k: v for k, v in m.notes.items() if k.startswith(VOLATILE_NOTE_PREFIXES) == volatile}
        if kept:
            out[m.name] = kept
    return out


def _inputs(result: RunResult) -> dict[str, Any]:
    inputs, items = result.inputs, result.items
    out = {
        "fingerprint": inputs.fingerprint,
        "candidates_fingerprint": inputs.candidates_fingerprint,
        "references_fingerprint": inputs.references_fingerprint,
        "dataset": result.config.dataset.name,
        "items": len(items),
        "references": sum(len(it.references) for it in items),
        # which items had an empty or whitespace-only candidate / reference (inputs.empty=score scores them);
        # of the whole corpus, as the fingerprints are, so shards carry the same block and merge unchanged
        "empty": inputs.empty.to_json(),
    }
    if inputs.shard_fingerprint is not None:
        shard = result.config.shard
        out["shard"] = {"index": shard.index, "count": shard.count, "fingerprint": inputs.shard_fingerprint,
                        "corpus_items": inputs.corpus_items}
    return out


def build_samples(result: RunResult) -> list[dict[str, Any]]:
    """One ``samples.jsonl`` line per item: id, candidate, its references' hash, metadata, per-metric scores.

    The references' hash lets an analysis of several runs name the items whose
    references differ, not just say that the corpora do."""
    out = []
    corpus = [m for m in result.metrics if m.corpus_rows is not None]  # BLEU, chrF: what corpus intervals resample
    for k, (item, scores) in enumerate(zip(result.items, item_scores(result.items, result.metrics))):
        out.append(
            {
                "id": item.id,
                "candidate": item.candidate,
                "n_references": len(item.references),
                "references_sha256": references_hash(item),
                **({"source_sha256": source_hash(item)} if item.source is not None else {}),
                "metadata": dict(item.metadata),
                "scores": scores,
                **({"corpus_stats": {m.name: list(m.corpus_rows[k]) for m in corpus}} if corpus else {}),
            }
        )
    return out
