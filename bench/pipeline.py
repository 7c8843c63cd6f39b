"""load items -> extract candidates -> validate -> shard -> score -> aggregate.

Pure: reads the inputs, writes nothing, knows nothing of Hydra. ``bench.cli.app``
wraps it; tests call it directly.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from bench import data, faults
from bench.config import RunConfig
from bench.data.extract import check_spec, extract
from bench.data.items import EmptyTexts, Item, empty_texts, fingerprint, fingerprints, validate
from bench.errors import BenchError
from bench.metrics import multiref
from bench.metrics.base import MetricResult, shard_conflict
from bench.metrics.registry import build
from bench.signature import Signature

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inputs:
    """What a run scores. Fingerprints are of the whole corpus, so shards of one
    corpus carry the same ones and merge into exactly the unsharded record."""

    items: tuple[Item, ...]  # this run's items (its shard)
    fingerprint: str
    candidates_fingerprint: str
    references_fingerprint: str
    corpus_items: int
    shard_fingerprint: str | None = None  # only when sharded
    empty: EmptyTexts = EmptyTexts()  # items with an empty candidate / reference, of the whole corpus (as the fingerprints)


@dataclass(frozen=True)
class RunResult:
    """A scored run before it is recorded: config, items, metric results, fingerprints, timings."""
    config: RunConfig
    items: tuple[Item, ...]
    metrics: tuple[MetricResult, ...]
    inputs_fingerprint: str
    timings: Mapping[str, float] = field(default_factory=dict)
    inputs: Inputs | None = None
    intervals: Mapping[str, Any] | None = None  # bench.stats.aggregate.intervals, None when ci.resamples=0
    groups: Mapping[str, Any] | None = None  # bench.stats.aggregate.groups, None without group_by

    def metric(self, name: str) -> MetricResult:
        """The result of one metric name."""
        return next(m for m in self.metrics if m.name == name)

    def aggregates(self) -> dict[str, dict[str, float]]:
        """Metric name -> stat -> mean."""
        return {m.name: m.means() for m in self.metrics}


def shard_bounds(n: int, index: int, count: int) -> tuple[int, int]:
    """Contiguous, deterministic slice [lo, hi) of n items for shard ``index`` of ``count``."""
    return n * index // count, n * (index + 1) // count


def inputs_of(items: list[Item]) -> Inputs:
    """Validated items as ``Inputs`` with their fingerprints (in-memory texts: ``bench.score``)."""
    whole, candidates, references = fingerprints(items)
    return Inputs(
        items=tuple(items),
        fingerprint=whole,
        candidates_fingerprint=candidates,
        references_fingerprint=references,
        corpus_items=len(items),
        empty=empty_texts(items),
    )


def input_fingerprints(inputs: Inputs) -> list[str]:
    """What a run key says was scored: the corpus, and the shard when sharded."""
    return [inputs.fingerprint, *([inputs.shard_fingerprint] if inputs.shard_fingerprint else [])]


def prepare_inputs(config: RunConfig) -> Inputs:
    """The items exactly as they will be scored (selected, extracted, validated, sharded)."""
    spec, shard = config.dataset, config.shard
    if not (shard.count >= 1 and 0 <= shard.index < shard.count):
        raise BenchError(f"shard.index={shard.index} shard.count={shard.count} is not a shard", "use 0 <= shard.index < shard.count")
    if shard.count > 1:
        for metric_spec in config.metrics.values():
            conflict = shard_conflict(metric_spec)  # e.g. idf weights count the whole corpus's references
            if conflict is not None:
                raise BenchError(*conflict)
    check_spec(spec.extract)
    items = data.select(data.load_items(spec), config.limit, config.sample, config.seed)
    faults.point("load")
    items = [_extracted(it, spec.extract) for it in items]
    items = validate(items, f"dataset {spec.name!r}", config.inputs.empty)
    corpus = inputs_of(items)
    if shard.count == 1:
        return corpus
    lo, hi = shard_bounds(len(items), shard.index, shard.count)
    if lo == hi:
        raise BenchError(f"shard {shard.index} of {shard.count} is empty ({len(items)} items)", "use fewer shards")
    mine = tuple(items[lo:hi])
    return replace(corpus, items=mine, shard_fingerprint=fingerprint(mine))


def _extracted(item: Item, spec) -> Item:
    """``item`` with its candidate extracted; the item itself when extraction keeps the text (rule none):
    a copy of every item would double a large corpus's memory for nothing."""
    text = extract(item.candidate, spec)
    return item if text is item.candidate else replace(item, candidate=text)


def prepare(config: RunConfig) -> list[Item]:
    """The items ``config`` scores (selected, extracted, validated, sharded)."""
    return list(prepare_inputs(config).items)


def _with_shard(result: MetricResult, config: RunConfig) -> MetricResult:
    return replace(result, signature=_shard_signature(result.signature, config))


def _shard_signature(sig: Signature, config: RunConfig) -> Signature:
    if config.shard.count == 1:
        return sig
    return Signature(sig.metric, (*sig.components, ("shard", f"{config.shard.index + 1}/{config.shard.count}")))


def declare(config: RunConfig, built: Mapping[str, Any], inputs: Inputs) -> tuple[Signature, ...]:
    """Every signature the run will produce, before scoring: what the run key is made of (bench.results.run_cache).

    ``run`` checks the scored results carry exactly these, so nothing can enter a
    signature without entering the key.
    """
    sigs: list[Signature] = []
    for family in config.metrics:
        declared = built[family].signatures(inputs.items, config.multiref, inputs.fingerprint)
        sigs.extend(_shard_signature(s, config) for s in declared)
    return tuple(sigs)


def build_metrics(config: RunConfig, metrics: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One metric object per configured family (those in ``metrics`` reused)."""
    built = dict(metrics or {})
    for family, spec in config.metrics.items():
        if family not in built:
            built[family] = build(family, spec)
    return built


def run(config: RunConfig, metrics: Mapping[str, Any] | None = None, inputs: Inputs | None = None) -> RunResult:
    """Score ``config``'s items with every configured metric.

    ``metrics`` may pass already-built metric objects (family -> object) so a
    caller scoring many configs builds models once; ``inputs`` may pass
    already-prepared inputs.
    """
    multiref.check_policy(config.multiref)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    # Build metrics first: a bad metric option should fail before data loading work.
    built = build_metrics(config, metrics)
    timings["setup_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    inputs = inputs or prepare_inputs(config)
    timings["load_s"] = time.perf_counter() - t0
    declared = declare(config, built, inputs)
    results: list[MetricResult] = []
    for family in config.metrics:
        faults.point("score")
        t0 = time.perf_counter()
        log.info("scoring %d items with %s", len(inputs.items), family)
        scored = built[family].score(inputs.items, config.multiref, inputs.fingerprint)
        results.extend(_with_shard(r, config) for r in scored)
        timings[f"{family}_s"] = time.perf_counter() - t0
    if tuple(r.signature for r in results) != declared:
        got = [str(r.signature) for r in results]
        raise RuntimeError(f"bench bug: scored signatures {got} differ from the declared {[str(d) for d in declared]}")
    t0 = time.perf_counter()
    intervals, groups = summarise(config, inputs.items, results)
    timings["intervals_s"] = time.perf_counter() - t0
    return RunResult(config, inputs.items, tuple(results), inputs.fingerprint, timings, inputs, intervals, groups)


def summarise(config: RunConfig, items: Sequence[Item], results: Sequence[MetricResult]):
    """The run's interval and group blocks (``bench.stats.aggregate.blocks``)."""
    from bench.stats import aggregate

    corpus = {m.name: (m.corpus_rows, m.corpus_from) for m in results
              if m.corpus_rows is not None and m.corpus_from is not None}
    return aggregate.blocks(config.ci, config.dataset.doc_key, config.seed, config.group_by,
                            [it.id for it in items], score_columns(results), [it.metadata for it in items],
                            corpus)


def score_columns(results: Sequence[MetricResult]) -> dict[str, dict[str, Any]]:
    """metric -> stat -> its per-item values as one float64 array (NaN where missing): ``aggregate``'s
    column form, read off a metric's score array without a dict or a Python float per item."""
    import numpy as np

    from bench.metrics.base import ScoreRows
    from bench.values import to_memory

    out: dict[str, dict[str, Any]] = {}
    for m in results:
        if isinstance(m.per_item, ScoreRows):
            out[m.name] = {s: m.per_item.array[:, k] for k, s in enumerate(m.stats)}
        else:
            out[m.name] = {s: np.array([to_memory(row[k]) for row in m.per_item], dtype=np.float64)
                           for k, s in enumerate(m.stats)}
    return out
