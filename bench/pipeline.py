"""load items -> extract candidates -> validate -> shard -> score -> aggregate.

Reads the inputs and knows nothing of Hydra; it writes no result. A corpus of more than
``bench.data.stream.CHUNK_ITEMS`` items is kept in a scratch folder under bench's cache dir while it is
scored (``StoredItems``), and ``run`` hands each scored chunk to the caller (``on_chunk``).
``bench.cli.app`` wraps it; tests call it directly.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

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

    items: Sequence[Item]  # this run's items (its shard): a tuple, or StoredItems for a streamed run
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
    items: Sequence[Item]  # a tuple, or StoredItems (read a chunk at a time) for a streamed run
    metrics: tuple[MetricResult, ...]
    inputs_fingerprint: str
    timings: Mapping[str, float] = field(default_factory=dict)
    inputs: Inputs | None = None
    intervals: Mapping[str, Any] | None = None  # bench.stats.aggregate.intervals, None when ci.resamples=0
    groups: Mapping[str, Any] | None = None  # bench.stats.aggregate.groups, None without group_by
    chunked: bool = False  # every item went to ``run``'s ``on_chunk`` with all its results, chunk by chunk

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
    """The items exactly as they will be scored (selected, extracted, validated, sharded).

    A source that reads in batches (local files: ``bench.data.stream_items``) is prepared a batch at a time,
    and a corpus (or shard) of more than ``stream.CHUNK_ITEMS`` items is kept on disk (``StoredItems``), so
    the run holds one chunk of texts at a time; the same items, fingerprints and errors either way."""
    spec, shard = config.dataset, config.shard
    if not (shard.count >= 1 and 0 <= shard.index < shard.count):
        raise BenchError(f"shard.index={shard.index} shard.count={shard.count} is not a shard", "use 0 <= shard.index < shard.count")
    if shard.count > 1:
        for metric_spec in config.metrics.values():
            conflict = shard_conflict(metric_spec)  # e.g. idf weights count the whole corpus's references
            if conflict is not None:
                raise BenchError(*conflict)
    check_spec(spec.extract)
    streamed = data.stream_items(spec)
    if streamed is not None:
        with streamed as (rows, batches):
            return _streamed_inputs(config, rows, batches)
    items = data.select(data.load_items(spec), config.limit, config.sample, config.seed)
    faults.point("load")
    items = [_extracted(it, spec.extract) for it in items]
    items = validate(items, f"dataset {spec.name!r}", config.inputs.empty)
    corpus = inputs_of(items)
    if shard.count == 1:
        return corpus
    lo, hi = _shard_of(len(items), config)
    mine = tuple(items[lo:hi])
    return replace(corpus, items=mine, shard_fingerprint=fingerprint(mine))


def _shard_of(n: int, config: RunConfig) -> tuple[int, int]:
    shard = config.shard
    lo, hi = shard_bounds(n, shard.index, shard.count)
    if lo == hi:
        raise BenchError(f"shard {shard.index} of {shard.count} is empty ({n} items)", "use fewer shards")
    return lo, hi


def _streamed_inputs(config: RunConfig, rows: int, batches) -> Inputs:
    """``prepare_inputs`` in one pass over a source's batches: each row selected, extracted, checked and
    hashed as it is read; this run's items held in memory up to ``CHUNK_ITEMS``, past that written to disk.

    The first error is the one the whole-corpus path names (read every row, select, extract every selected
    item, then check them): every batch is read whatever is selected, and a selection, extraction or check
    error is held until what comes before it in that order has had its chance to fail."""
    from bench.data import stream
    from bench.data.items import Fingerprints, Validator

    spec, shard = config.dataset, config.shard
    try:
        keep = data.selection(rows, config.limit, config.sample, config.seed)
    except BenchError:
        for _ in batches:  # a row that cannot be read is named first, as when every row was read before selecting
            pass
        raise
    faults.point("load")
    n = len(keep)
    lo, hi = shard_bounds(n, shard.index, shard.count)
    checker = Validator(f"dataset {spec.name!r}", config.inputs.empty)
    corpus, mine = Fingerprints(), Fingerprints()
    held: list[Item] = []
    spill, spills = None, hi - lo > stream.CHUNK_ITEMS
    unextracted: BenchError | None = None  # the first extraction error
    invalid: BenchError | None = None  # the first check that failed: named only if every extraction succeeds
    try:
        k = row = 0  # k: the next selected item; row: the batch's first row
        for batch in batches:
            end = row + len(batch)
            while k < n and keep[k] < end:
                position, raw = k, batch[keep[k] - row]
                k += 1
                if unextracted is not None:
                    continue
                try:
                    item = _extracted(raw, spec.extract)
                except BenchError as exc:
                    unextracted = exc
                    continue
                if invalid is not None:
                    continue
                try:
                    checker.check(item)
                except BenchError as exc:
                    invalid, held = exc, []
                    continue
                corpus.add(item)
                if lo <= position < hi:
                    mine.add(item)
                    held.append(item)
                    if spills and len(held) == stream.CHUNK_ITEMS:
                        spill = spill or stream.Spill()
                        try:
                            spill.write(held)
                            held = []
                        except stream.Unstorable:  # metadata JSON cannot hold (a decoded feature): kept in memory
                            held, spills = [*spill.close(), *held], False
                            spill.discard()
                            spill = None
            row = end
        if unextracted is not None or invalid is not None:
            raise unextracted or invalid  # type: ignore[misc]
        empty = checker.finish()
        if shard.count > 1:
            _shard_of(n, config)  # an empty shard, named after any problem with the items themselves
        items: Any = tuple(held)
        if spill is not None:
            try:
                spill.write(held)
                items = spill.close()
            except stream.Unstorable:
                items = (*spill.close(), *held)
                spill.discard()
            spill = None
    finally:
        if spill is not None:
            spill.discard()
    whole, candidates, references = corpus.digests()
    return Inputs(items=items, fingerprint=whole, candidates_fingerprint=candidates,
                  references_fingerprint=references, corpus_items=n,
                  shard_fingerprint=mine.digests()[0] if shard.count > 1 else None, empty=empty)


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


def run(config: RunConfig, metrics: Mapping[str, Any] | None = None, inputs: Inputs | None = None,
        on_chunk: Callable[[Sequence[Item], Sequence[MetricResult]], None] | None = None) -> RunResult:
    """Score ``config``'s items with every configured metric.

    ``metrics`` may pass already-built metric objects (family -> object) so a
    caller scoring many configs builds models once; ``inputs`` may pass
    already-prepared inputs. ``on_chunk(items, results)``: given each chunk of a corpus kept on disk as soon as
    every metric has scored it (the results in the run's metric order), when every family scores in chunks;
    the result's ``chunked`` says whether it was (``bench.run.steps.compute`` writes samples so).
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
    from bench.data.stream import StoredItems

    chunked = False
    if isinstance(inputs.items, StoredItems):
        results, ids, metadata, chunked = _score_chunks(config, built, inputs, declared, timings, on_chunk)
    else:
        results = []
        for family in config.metrics:
            faults.point("score")
            t0 = time.perf_counter()
            log.info("scoring %d items with %s", len(inputs.items), family)
            scored = built[family].score(inputs.items, config.multiref, inputs.fingerprint)
            results.extend(_with_shard(r, config) for r in scored)
            timings[f"{family}_s"] = time.perf_counter() - t0
        ids, metadata = [it.id for it in inputs.items], [it.metadata for it in inputs.items]
    if tuple(r.signature for r in results) != declared:
        got = [str(r.signature) for r in results]
        raise RuntimeError(f"bench bug: scored signatures {got} differ from the declared {[str(d) for d in declared]}")
    t0 = time.perf_counter()
    intervals, groups = summarise(config, ids, metadata, results)
    timings["intervals_s"] = time.perf_counter() - t0
    return RunResult(config, inputs.items, tuple(results), inputs.fingerprint, timings, inputs, intervals, groups,
                     chunked)


def chunkable(metric: Any, spec: Any) -> bool:
    """Whether a metric family scores a corpus chunk by chunk to exactly the values it gives scoring it whole:
    it says so (``chunkable = True``: every item's values its own, notes that add up, a corpus value from
    summed statistics, which ``combine`` sums) and its options do not weigh the whole corpus (idf)."""
    return bool(getattr(metric, "chunkable", False)) and not getattr(spec, "idf", False)


def _score_chunks(config: RunConfig, built: Mapping[str, Any], inputs: Inputs, declared: Sequence[Signature],
                  timings: dict[str, float], on_chunk=None) -> tuple[list[MetricResult], list[str], list[Mapping[str, Any]], bool]:
    # not metrics' shard_conflict: BLEU/chrF refuse shards (a merge of records cannot re-sum their statistics)
    # but are chunked here, where ``combine`` sums every chunk's statistics exactly as sacrebleu sums them
    """Score a corpus kept on disk a chunk at a time (``StoredItems``): every chunkable family scores each
    chunk in turn, and the chunks' results are joined (``combine``) under the signatures declared for the
    whole corpus; a family that needs the whole corpus at once scores the stored items as one sequence.
    Of each item, only its id and the metadata fields the intervals and groups read stay in memory."""
    from bench.data import stream

    items: stream.StoredItems = inputs.items  # type: ignore[assignment]
    families = list(config.metrics)
    chunked = [f for f in families if chunkable(built[f], config.metrics[f])]
    parts: dict[str, list[list[MetricResult]]] = {f: [] for f in chunked}
    ids: list[str] = []
    metadata: list[Mapping[str, Any]] = []
    wanted = _metadata_fields(config)
    nothing: Mapping[str, Any] = {}
    for f in families:
        timings[f"{f}_s"] = 0.0
    log.info("scoring %d items in %d chunks of up to %d with %s", len(items), len(items.counts),
             stream.CHUNK_ITEMS, ", ".join(families))
    import contextlib

    with _once_per_warning(), contextlib.ExitStack() as runs:
        for family in chunked:  # a family that counts something over the whole corpus across its chunks
            hook = getattr(built[family], "chunked_run", None)
            if hook is not None:
                runs.enter_context(hook())
        for chunk in items.chunks():
            for family in chunked:
                faults.point("score")
                t0 = time.perf_counter()
                parts[family].append(built[family].score(chunk, config.multiref, inputs.fingerprint))
                timings[f"{family}_s"] += time.perf_counter() - t0
            if on_chunk is not None and len(chunked) == len(families):
                on_chunk(chunk, [r for family in families for r in parts[family][-1]])
                for family in families:  # written with the samples: a judge's raw answers need not stay
                    parts[family][-1] = [replace(r, details=None) for r in parts[family][-1]]
            ids.extend(it.id for it in chunk)
            metadata.extend({k: v for k, v in it.metadata.items() if k in wanted} if wanted else nothing
                            for it in chunk)
    results: list[MetricResult] = []
    signatures = iter(declared)
    for family in families:
        t0 = time.perf_counter()
        if family in parts:
            merge = getattr(built[family], "merge_notes", None)
            scored = [combine([p[j] for p in parts[family]], next(signatures), merge)
                      for j in range(len(parts[family][0]))]
        else:
            faults.point("score")
            log.info("scoring %d items with %s (whole: it needs the corpus at once)", len(items), family)
            scored = [replace(r, signature=next(signatures))
                      for r in built[family].score(items, config.multiref, inputs.fingerprint)]
        results.extend(scored)
        timings[f"{family}_s"] += time.perf_counter() - t0
    return results, ids, metadata, on_chunk is not None and len(chunked) == len(families)


def _metadata_fields(config: RunConfig) -> frozenset[str]:
    """The top-level metadata keys the intervals and groups read (the document key and ``group_by``)."""
    fields = [config.dataset.doc_key, config.group_by]  # the unit is the document field or the item's id
    return frozenset(f.split(".")[0] for f in fields if f)


class _once_per_warning:
    """While scoring chunks, a warning a metric gives about its chunk is shown for the first chunk that gives
    it; later chunks' repeats are counted and named once at the end (the record's notes hold the corpus's
    counts)."""

    def __enter__(self):
        self.seen: set[tuple[str, Any]] = set()
        self.repeats = 0
        root = logging.getLogger()

        def once(record: logging.LogRecord) -> bool:
            shown = getattr(record, "_bench_shown", None)  # decided once per record, whichever handler asks
            if shown is None:
                shown = True
                if record.levelno >= logging.WARNING and record.name.split(".")[0] == "bench":
                    try:  # the template and its words (a dimension, a path), not its numbers (a chunk's counts)
                        args = record.args if isinstance(record.args, tuple) else ()
                        key = (record.name, str(record.msg),
                               tuple(a for a in args if not isinstance(a, (int, float))))
                        shown = key not in self.seen
                        self.seen.add(key)
                    except TypeError:  # an unhashable argument: shown
                        shown = True
                self.repeats += not shown
                record._bench_shown = shown  # type: ignore[attr-defined]
            return shown

        self._filter = once
        self._handlers = [h for h in root.handlers]
        for handler in self._handlers:
            handler.addFilter(once)
        return self

    def __exit__(self, *exc):
        for handler in self._handlers:
            handler.removeFilter(self._filter)
        if self.repeats and exc[0] is None:
            log.warning("%d more warning(s) like those above came from later chunks of the corpus; the run "
                        "record's notes count the whole corpus", self.repeats)
        return False


def combine(parts: Sequence[MetricResult], signature: Signature,
            merge: Callable[[Sequence[Mapping[str, Any]]], dict[str, Any]] | None = None) -> MetricResult:
    """One metric's results of consecutive chunks of a corpus as the one result of the whole corpus: rows
    joined, notes merged (``merge_notes``), a corpus metric's value from its summed statistics exactly as
    sacrebleu sums them (in item order), under ``signature`` (the whole corpus's)."""
    from bench.metrics.base import _concat, merge_notes

    first = parts[0]
    if signature.metric != first.name or any(p.name != first.name for p in parts):
        raise RuntimeError(f"bench bug: chunks of {[p.name for p in parts]} joined under {signature.metric}'s signature")
    if first.corpus is not None and first.corpus_from is None:  # its corpus value could not be recomputed
        raise RuntimeError(f"bench bug: {first.name} has a corpus value but no corpus_from to join chunks with")
    if len(parts) == 1:
        return replace(first, signature=signature)
    width = len(first.stats)
    per_item = _concat([p.per_item for p in parts], width)
    corpus_rows = corpus = None
    if first.corpus_rows is not None:
        corpus_rows = _concat([p.corpus_rows for p in parts], 0)
    if first.corpus is not None and first.corpus_from is not None and corpus_rows is not None:
        corpus = dict(first.corpus_from(_column_sums(corpus_rows)))
    details = None if first.details is None else tuple(d for p in parts for d in p.details)
    notes = (merge or merge_notes)([p.notes for p in parts])  # a family's own rule (a judge's cost), else the shared one
    return replace(first, per_item=per_item, signature=signature, notes=notes,
                   corpus=corpus if first.corpus is not None else None, corpus_rows=corpus_rows, details=details)


def _column_sums(rows: Any) -> list[Any]:
    """Each column's sum in row order, of the type sacrebleu's ``sum_of_lists`` gives (ints stay ints)."""
    from bench.metrics.base import ScoreRows

    if isinstance(rows, ScoreRows):
        array = rows.array
        if array.dtype.kind in "iu":
            return array.sum(axis=0).tolist()
        rows = array.tolist()
    rows = list(rows)
    if len(rows) == 1:
        return list(rows[0])
    total = [type(rows[0][0])(0.0)] * len(rows[0])
    for row in rows:
        for k, value in enumerate(row):
            total[k] += value
    return total


def summarise(config: RunConfig, ids: Sequence[str], metadata: Sequence[Mapping[str, Any]],
              results: Sequence[MetricResult]):
    """The run's interval and group blocks (``bench.stats.aggregate.blocks``), from each item's id and metadata."""
    from bench.stats import aggregate

    corpus = {m.name: (m.corpus_rows, m.corpus_from) for m in results
              if m.corpus_rows is not None and m.corpus_from is not None}
    return aggregate.blocks(config.ci, config.dataset.doc_key, config.seed, config.group_by,
                            ids, score_columns(results), metadata, corpus)


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
