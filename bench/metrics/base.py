"""What every metric returns, and the protocol a metric implements.

A metric family (ROUGE, BERTScore) scores all items in one call so that it can
batch across the corpus, and may produce several named metrics (rouge1,
rouge2, ...). Results are immutable; per-item values are plain Python floats
so they serialise exactly (``repr`` round-trips).
"""

from __future__ import annotations

import collections.abc
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from bench.data.items import Item
from bench.signature import Signature
from bench.values import Facts, legacy_primary


class ScoreRows(collections.abc.Sequence):
    """Per-item rows of numbers held as one array (a large run's scores as numbers, not as a tuple of Python
    floats per item): a read-only sequence of tuples of Python floats (or ints), equal to the tuple of tuples
    it holds. float64 is Python's float, so every value reads back bit for bit."""

    __slots__ = ("array",)

    def __init__(self, array: Any):
        array.flags.writeable = False  # handed out by __array__ and as columns: nobody may change a run's scores
        self.array = array

    @classmethod
    def of(cls, rows: Sequence[Sequence[float]], width: int) -> "ScoreRows | tuple[tuple[float, ...], ...]":
        """``rows`` as ``ScoreRows`` when every value is a float (float64), or every value an int that int64
        holds (sufficient statistics: read back as ints); as a tuple of tuples otherwise. A type is never
        changed: an int 0 that a reference package returns for an empty text must stay an int, since
        samples.jsonl writes ``0``, not ``0.0``."""
        import numpy as np

        if any(len(row) != width for row in rows):
            return tuple(tuple(row) for row in rows)
        if all(type(v) is float for row in rows for v in row):
            return cls(np.array(rows, dtype=np.float64).reshape(len(rows), width))
        if all(type(v) is int and -(1 << 63) <= v < (1 << 63) for row in rows for v in row):
            return cls(np.array(rows, dtype=np.int64).reshape(len(rows), width))
        return tuple(tuple(row) for row in rows)

    def __array__(self, dtype=None, copy=None):
        # np.asarray(rows, dtype=...) (the bootstraps) reads the array, not a tuple per row
        return self.array if dtype is None else self.array.astype(dtype, copy=bool(copy))

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return tuple(tuple(row) for row in self.array[k].tolist())
        return tuple(self.array[k].tolist())

    def __iter__(self):
        for start in range(0, len(self.array), 4096):
            yield from map(tuple, self.array[start:start + 4096].tolist())

    def column(self, k: int) -> list[float]:
        return self.array[:, k].tolist()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ScoreRows):
            other = tuple(other)
        return isinstance(other, (tuple, list)) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ScoreRows({len(self)} x {self.array.shape[1] if self.array.ndim == 2 else 0})"


def _concat(parts: list, width: int):
    """Chunks of ``ScoreRows.of`` joined: one array when every chunk is numeric, else one tuple."""
    # one dtype only: an int chunk (rouge-score's Score(0, 0, 0) for every item of it) joined to a float chunk
    # would become floats, and samples.jsonl would write 0.0 where the reference package gave 0
    if parts and all(isinstance(p, ScoreRows) and p.array.dtype == parts[0].array.dtype for p in parts):
        import numpy as np

        return parts[0] if len(parts) == 1 else ScoreRows(np.concatenate([p.array for p in parts]))
    return tuple(row for part in parts for row in part)


@dataclass(frozen=True)
class MetricResult:
    """One named metric's per-item rows, signature, direction and notes (immutable)."""
    name: str  # e.g. "rouge1", "bertscore"
    stats: tuple[str, ...]  # e.g. ("precision", "recall", "fmeasure")
    per_item: Sequence[tuple[float, ...]]  # one row per item, aligned with ``stats`` (a tuple, or ScoreRows)
    signature: Signature
    higher_is_better: bool = True
    notes: Mapping[str, Any] = field(default_factory=dict)  # e.g. truncated text counts
    # Corpus-level values where the corpus score is not the mean of items (BLEU, chrF: from summed
    # sufficient statistics): stat -> value; None for a metric whose corpus value is ``means()``.
    corpus: Mapping[str, float] | None = None
    # the stat one-line views, analyses and the gate use; "" (a plug-in written before it): the old rule
    primary: str = ""
    # what the numbers are (range, kind, drift, ...); None (a plug-in that declares none): a quality metric,
    # unbounded, in ``higher_is_better``'s direction, computed exactly
    facts: Facts | None = None
    # A corpus metric's per-item sufficient statistics (one row per item, summable) and the function that
    # turns a sum of rows into the corpus stats: what a bootstrap of the corpus value resamples.
    corpus_rows: tuple[tuple[float, ...], ...] | None = field(default=None, repr=False)
    corpus_from: Callable[[Sequence[float]], Mapping[str, float]] | None = field(default=None, repr=False, compare=False)
    # What produced each item's value, stored with the run beside its scores (an LLM judge's raw answer:
    # texts, rating-token probabilities, token counts, parsed or not); None for metrics that keep nothing.
    details: tuple[Mapping[str, Any], ...] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.primary and self.stats:
            primary = self.facts.primary if self.facts is not None and self.facts.primary else legacy_primary(self.stats)
            object.__setattr__(self, "primary", primary)
        if self.stats and self.primary not in self.stats:
            raise ValueError(f"metric {self.name}: primary stat {self.primary!r} is not one of {self.stats}")
        import dataclasses

        facts = self.facts or Facts(higher_is_better=self.higher_is_better, corpus=self.corpus is not None)
        object.__setattr__(self, "facts", dataclasses.replace(facts, higher_is_better=self.higher_is_better,
                                                              primary=self.primary, corpus=self.corpus is not None))

    def column(self, stat: str) -> list[float]:
        """One stat's per-item values."""
        k = self.stats.index(stat)
        if isinstance(self.per_item, ScoreRows):
            return self.per_item.column(k)
        return [row[k] for row in self.per_item]

    def means(self) -> dict[str, float]:
        # math.fsum: exactly rounded, so the mean does not depend on item order
        # or on how a corpus was sharded before merging.
        """Each stat's mean over the items that have a value (``math.fsum``: exact, order- and
        shard-independent); NaN for a stat no item has a value of. A missing value is NaN (an
        unparsed LLM-judge answer): never a number."""
        from bench.values import available_mean

        return {s: available_mean(self.column(s)) for s in self.stats}

    def missing(self) -> int:
        """How many items have no value (NaN) of the primary stat."""
        from bench.values import count_missing

        return count_missing(self.column(self.primary)) if self.stats else 0


class Metric(Protocol):
    """What a metric family offers the pipeline (``PairMetric`` implements it)."""
    family: str

    def names(self) -> tuple[str, ...]:
        """The metric names this family produces (e.g. rouge1, rouge2, rougeL)."""
        ...

    def signatures(self, items: Sequence[Item], policy: str, inputs: str) -> tuple[Signature, ...]:
        """The signature of each result ``score`` will return, without scoring (cheap: the run key)."""
        ...

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]:
        """One result per name for ``items``, signed exactly as ``signatures`` declares."""
        ...


# --- what the rest of bench asks about a metric's options and notes, without knowing their names ----------
#
# A spec (a family's options dataclass) may declare, as plain class attributes:
#   not_scoring  options that never change a number (progress bars, on-disk caches): not in the run key;
#   caches       boolean options that switch an on-disk cache on (`bench reproduce` turns them off);
# and a method shard_conflict() -> (problem, fix) or None, when its options cannot be scored in shards.
# A spec that declares none (a plug-in written before these hooks) gets what bench assumed before them.

NOT_SCORING = ("progress", "cache", "cache_dir")

# Notes that legitimately differ between identical runs (a warm cache embeds nothing) or between a
# sharded and an unsharded run (unique-text counts): stored under ``volatile``.
VOLATILE_NOTE_PREFIXES = ("cache_", "embedded_", "unique_", "calls_")


def not_scoring_options(spec: type) -> tuple[str, ...]:
    """The options of ``spec`` (an options dataclass) that never change a number."""
    return tuple(getattr(spec, "not_scoring", NOT_SCORING))


def without_caches(spec: Any) -> Any:
    """``spec`` with every on-disk cache option off (a recomputation a cache cannot answer)."""
    import dataclasses

    names = getattr(type(spec), "caches", None)
    if names is None:
        names = [f.name for f in dataclasses.fields(spec) if f.name == "cache"]
    return dataclasses.replace(spec, **{name: False for name in names}) if names else spec


def shard_conflict(spec: Any) -> tuple[str, str] | None:
    """(problem, fix) when ``spec``'s options cannot be scored in shards, else None."""
    hook = getattr(spec, "shard_conflict", None)
    if hook is not None:
        return hook()
    if getattr(spec, "idf", False):
        return IDF_SHARDS
    return None


# idf weights are counted over the whole corpus's references: a shard would count its own.
IDF_SHARDS = ("idf weighting cannot be sharded (idf depends on the whole corpus)", "run without shard.* or with idf=false")


# What a pair metric scores the candidate against (``metrics.<family>.against``).
AGAINST = ("references", "source")


def against_of(spec: Any) -> str:
    """A spec's ``against`` option (``references`` for a spec without one), checked against ``AGAINST``."""
    from bench.errors import unknown_choice

    value = getattr(spec, "against", "references")
    if value not in AGAINST:
        raise unknown_choice("target (metrics.<family>.against)", value, AGAINST)
    return value


def merge_notes(parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The notes of consecutive parts of a corpus (chunks of a streamed run, shards) as the whole corpus's:
    counts (keys ending in ``_texts`` or ``_count``) add up, ``nrefs`` labels (``11``, ``1-11``) span every
    part's, and any other note is the last part's (a setting, the same in every part)."""
    merged: dict[str, Any] = {}
    for notes in parts:
        for key, value in notes.items():
            if key not in merged:
                merged[key] = value
            elif key.endswith(("_texts", "_count")) or key in ADDED_NOTES:
                merged[key] = merged[key] + value
            elif key == "nrefs":
                merged[key] = _span(merged[key], value)
            elif key == "fingerprints":  # an LLM judge's model versions seen: every part's
                merged[key] = sorted({*merged[key], *value})
            else:
                merged[key] = value
    return merged


# counts named before the _texts/_count rule (an LLM judge's): they add up too
ADDED_NOTES = frozenset({"unparsed_items", "unparsed_answers", "truncated_sources", "prompt_tokens",
                         "completion_tokens", "cost_usd", "cache_hit_requests", "cache_miss_requests",
                         "cache_damaged_requests", "calls_made", "calls_retried"})


def _span(a: str, b: str) -> str:
    """The ``nrefs`` label of two labels' items together."""
    bounds = [int(x) for label in (a, b) for x in str(label).split("-")]
    return nrefs_label([min(bounds), max(bounds)])


def nrefs_label(counts: Sequence[int]) -> str:
    """``11`` when every item has 11 references, else ``1-11`` (the ``nrefs`` signature component)."""
    lo, hi = min(counts), max(counts)
    return str(lo) if lo == hi else f"{lo}-{hi}"


@dataclass(frozen=True)
class PairScores:
    """What a metric's ``score_pairs`` hook returns: per metric name, one stats row per (reference,
    candidate) pair, in pair order; and per-name notes (counts ending in ``_texts``/``_count`` add up)."""

    rows: Mapping[str, Sequence[tuple[float, ...]]]
    notes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class PairMetric:
    """The loop every reference-based metric shares, written once (after sacrebleu's ``Metric``).

    ``score`` flattens the items into (reference, candidate) pairs, calls the
    ``score_pairs`` hook (in chunks of ``chunk_items`` items, if set, to bound
    memory), reduces each item's rows with the multi-reference policy in the
    metric's own direction, and signs every result with ``signatures``: the
    metric's ``signature_fields``, then the components common to all metrics
    (``refs``, ``nrefs``, ``inputs``), then its ``version_fields`` and bench's version.

    With ``against=source`` in its spec, the candidate is scored against the item's
    source (the article) instead of its references, and the signature says so.

    A subclass sets ``family``, ``stats``, ``primary`` (the stat ``max`` picks the
    best reference by), ``higher_is_better``, and implements ``signature_fields``
    and ``score_pairs``; ``names``, ``version_fields`` and ``item_notes`` are optional.
    """

    family: str
    stats: tuple[str, ...]
    primary: str
    higher_is_better: bool = True
    chunk_items: int | None = None
    # whether a streamed run may score the corpus a chunk at a time (``bench.pipeline.chunkable``): a family
    # opts in when every item's values are its own and its notes merge (``merge_notes``); off for a plug-in
    # that has not said so, which then scores the stored corpus as one sequence
    chunkable: bool = False
    # the facts of every name (``bench.values.Facts``): range, kind, float drift on the same inputs, and the
    # smallest change in its own units that a reader would call a change (the gate's default)
    lo: float | None = None
    hi: float | None = None
    kind: str = "quality"
    drift: float = 0.0
    min_effect: float = 0.0

    def facts(self, name: str) -> Facts:
        """What ``name``'s numbers are (the family's declaration; a subclass may differ per name)."""
        return Facts(higher_is_better=self.higher_is_better, lo=self.lo, hi=self.hi, kind=self.kind,
                     primary=self.primary, drift=self.drift, min_effect=self.min_effect)

    def names(self) -> tuple[str, ...]:
        """The metric names this family produces (one by default)."""
        return (self.family,)

    def signature_fields(self, name: str) -> Sequence[tuple[str, str]]:
        """The metric's own signature components for ``name`` (before the common ones)."""
        raise NotImplementedError

    def version_fields(self, name: str) -> Sequence[tuple[str, str]]:
        """Package versions behind the number, after the common components."""
        return ()

    def score_pairs(self, refs: Sequence[str], hyps: Sequence[str]) -> PairScores:
        """The hook: stats rows of each (reference, candidate) pair, per metric name."""
        raise NotImplementedError

    def item_notes(self, items: Sequence[Item]) -> Mapping[str, Any]:
        """Notes about the items (the same for every name), e.g. what a tokenizer drops."""
        return {}

    def chunk_progress(self, starts: range, n_items: int):
        """The chunk starts, possibly with a progress bar (a hook: ROUGE shows one on large corpora)."""
        return iter(starts)

    @property
    def against(self) -> str:
        """``references`` (default) or ``source``: what the candidate is scored against (the spec's option)."""
        return against_of(getattr(self, "spec", None))

    def targets(self, items: Sequence[Item]) -> list[tuple[str, ...]]:
        """Per item, the texts its candidate is scored against: its references, or its source alone."""
        if self.against == "source":
            from bench.data.items import require_sources

            return [(src,) for src in require_sources(items, f"metrics.{self.family}.against=source")]
        return [tuple(it.references) for it in items]

    def target_fields(self, items: Sequence[Item] | None) -> tuple[tuple[str, str], ...]:
        """``against:source`` and the sources' hash when scoring against the source; nothing by default, so
        the signatures of reference-based runs (and the committed baselines) do not change."""
        if self.against != "source" or items is None:
            return ()
        from bench.data.items import sources_fingerprint
        from bench.signature import short_hash

        return (("against", "source"), ("src", short_hash(sources_fingerprint(items))))

    def sign(self, name: str, policy: str, nrefs: str, inputs: str,
             fields: Sequence[tuple[str, str]] | None = None, items: Sequence[Item] | None = None) -> Signature:
        """``name``'s signature: its own fields, the common components, its versions, bench's version."""
        from bench.signature import bench_version, short_hash

        own = self.signature_fields(name) if fields is None else fields
        common = (("refs", policy), ("nrefs", nrefs), ("inputs", short_hash(inputs)), *self.target_fields(items))
        return Signature(name, (*own, *common, *self.version_fields(name), ("bench", bench_version())))

    def signatures(self, items: Sequence[Item], policy: str, inputs: str) -> tuple[Signature, ...]:
        """The signature of every result ``score`` returns for these items, without scoring (the run key)."""
        nrefs = nrefs_label(self.target_counts(items))
        return tuple(self.sign(name, policy, nrefs, inputs, items=items) for name in self.names())

    def target_counts(self, items: Sequence[Item]) -> list[int]:
        """How many texts each item's candidate is scored against (``targets`` without keeping the texts: a
        streamed corpus is read for it a chunk at a time)."""
        if self.against == "source":
            from bench.data.items import check_sources

            check_sources(items, f"metrics.{self.family}.against=source")
            return [1] * len(items)
        known = getattr(items, "reference_counts", None)  # a streamed corpus counted them as it was written
        if known is not None:
            return known.tolist()
        return [len(it.references) for it in items]

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]:
        """Score every item; returns one ``MetricResult`` per name, signed as ``signatures`` declared."""
        from bench.metrics import multiref

        multiref.check_policy(policy)
        sigs = self.signatures(items, policy, inputs)
        shared = dict(self.item_notes(items))
        targets = self.targets(items)
        counts = [len(t) for t in targets]
        names = self.names()
        per_item: dict[str, list] = {n: [] for n in names}  # chunks of ScoreRows.of
        notes: dict[str, dict[str, Any]] = {n: dict(shared) for n in names}
        step = self.chunk_items or max(1, len(items))
        primary = self.stats.index(self.primary)
        for start in self.chunk_progress(range(0, len(items), step), len(items)):
            chunk, chunk_targets = items[start : start + step], targets[start : start + step]
            scored = self.score_pairs([r for refs in chunk_targets for r in refs],
                                      [it.candidate for it, refs in zip(chunk, chunk_targets) for _ in refs])
            for name in names:
                rows = multiref.group(scored.rows[name], counts[start : start + step], policy, primary, self.higher_is_better)
                per_item[name].append(ScoreRows.of(rows, len(self.stats)))
                for key, value in scored.notes.get(name, {}).items():
                    add = key.endswith(("_texts", "_count")) and key in notes[name] and start > 0
                    notes[name][key] = notes[name][key] + value if add else value
        return [MetricResult(name, self.stats, _concat(per_item[name], len(self.stats)), sig, self.higher_is_better, notes[name],
                             primary=self.primary, facts=self.facts(name))
                for name, sig in zip(names, sigs)]
