"""Turn a ``RunResult`` into the stored record (result.json) and samples (samples.jsonl).

Everything that may differ between two runs of the same config (run id, clock
times, durations) lives under ``volatile``; everything else is a function of
config, inputs and software, so identical runs give identical files outside it.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Sequence

from bench.data.items import Item
from bench.metrics.base import VOLATILE_NOTE_PREFIXES, MetricResult
from bench.pipeline import RunResult
from bench.results.model import LazySamples
from bench.results import environment
from bench.results.store import SCHEMA_VERSION
from bench.data.items import references_hash, source_hash
from bench.values import to_stored



def build_record(result: RunResult, config: Mapping[str, Any], volatile: Mapping[str, Any]) -> dict[str, Any]:
    """The ``result.json`` record of a result: everything but ``volatile`` is a function of config, inputs and software."""
    return {
        "schema_version": SCHEMA_VERSION,
        "experiment": result.config.name,
        "config": dict(config),
        "metrics": {m: {s: to_stored(v) for s, v in stats.items()} for m, stats in result.aggregates().items()},
        "signatures": {m.name: str(m.signature) for m in result.metrics},
        "higher_is_better": {m.name: m.higher_is_better for m in result.metrics},
        **_corpus(result),
        "primary": {m.name: m.primary for m in result.metrics},
        "facts": {m.name: m.facts.to_dict() for m in result.metrics},
        **_missing(result),
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


def _missing(result: RunResult) -> dict[str, Any]:
    """The optional ``missing`` block: metric -> how many items have no value of its primary stat (an
    unparsed LLM-judge answer); written only when some metric has one, so other records do not change."""
    block = {m.name: m.missing() for m in result.metrics if m.missing()}
    return {"missing": block} if block else {}


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
        # a streamed corpus counted its references as it was written (StoredItems): no pass over its texts
        "references": getattr(items, "reference_count", None) or sum(len(it.references) for it in items),
        # which items had an empty or whitespace-only candidate / reference (inputs.empty=score scores them);
        # of the whole corpus, as the fingerprints are, so shards carry the same block and merge unchanged
        "empty": inputs.empty.to_json(),
    }
    if inputs.shard_fingerprint is not None:
        shard = result.config.shard
        out["shard"] = {"index": shard.index, "count": shard.count, "fingerprint": inputs.shard_fingerprint,
                        "corpus_items": inputs.corpus_items}
    return out


def build_samples(result: RunResult) -> "ComputedSamples":
    """One ``samples.jsonl`` line per item: id, candidate, its references' hash, metadata, per-metric scores.

    The references' hash lets an analysis of several runs name the items whose
    references differ, not just say that the corpora do. The lines are built on access (``LazySamples``):
    the run holds its items and score arrays, not a dict per item."""
    return ComputedSamples(result.items, tuple(result.metrics))


class ComputedSamples(LazySamples):
    """A computed run's samples, each line built from its item and its metrics' per-item rows when read."""

    __slots__ = ("items", "metrics", "_corpus", "_detailed")

    def __init__(self, items: Sequence[Item], metrics: Sequence[MetricResult]):
        self.items, self.metrics = items, metrics
        self._corpus = [m for m in metrics if m.corpus_rows is not None]  # BLEU, chrF: what corpus intervals resample
        self._detailed = [m for m in metrics if m.details is not None]  # an LLM judge's raw answers

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self._line(k, self.items[k], [m.per_item[k] for m in self.metrics])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rows = [iter(m.per_item) for m in self.metrics]
        for k, item in enumerate(self.items):
            yield self._line(k, item, [next(r) for r in rows])

    def _line(self, k: int, item: Item, rows: Sequence[Sequence[float]]) -> dict[str, Any]:
        return {
            "id": item.id,
            "candidate": item.candidate,
            "n_references": len(item.references),
            "references_sha256": references_hash(item),
            **({"source_sha256": source_hash(item)} if item.source is not None else {}),
            "metadata": dict(item.metadata),
            "scores": {m.name: {s: to_stored(v) for s, v in zip(m.stats, row)} for m, row in zip(self.metrics, rows)},
            **({"corpus_stats": {m.name: list(m.corpus_rows[k]) for m in self._corpus}} if self._corpus else {}),
            **({"details": {m.name: dict(m.details[k]) for m in self._detailed}} if self._detailed else {}),
        }
