"""The run as typed, read-only objects: what every reader outside ``bench/results/`` uses.

A run is read (and validated) once by ``bench.results.run_record``, which hands out a ``Run``;
from then on nothing reads its stored form by key. ``Run`` is also what ``bench.score`` and
``bench.evaluate`` return before saving: one run type, saved or not.

- ``Run.metrics[name]`` is a ``MetricSummary``: the means by stat (``.stats``, also read as
  ``summary.fmeasure`` / ``summary["fmeasure"]``), the metric's ``Facts`` (direction, range, kind,
  primary stat, drift band, minimum effect), its signature, its intervals as ``Interval``s, and its
  corpus value (BLEU, chrF) with the corpus value's interval.
- ``Run.inputs`` (``Inputs``), ``Run.environment`` (``Environment``), ``Run.samples`` (``Sample``s),
  ``Run.groups`` (``Group``s).

The typed views are built on first access from the plain data the run owns (a run of a million
items is stored by the CLI without ever building a ``Sample``).
"""

from __future__ import annotations

import collections.abc
import copy
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, Sequence

from bench.data.items import EmptyTexts
from bench.values import Facts, Interval, Stats, legacy_primary, to_memory


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


def _intervals(block: Mapping[str, Any] | None) -> Mapping[str, Interval | None]:
    return MappingProxyType({s: Interval.of(ci) for s, ci in (block or {}).items()})


@dataclass(frozen=True, eq=False)
class MetricSummary(Mapping[str, float]):
    """One metric of a run: means by stat, what the numbers are, signature, intervals, corpus value.

    A mapping of stat -> mean (``summary["fmeasure"]``, ``summary.fmeasure``, ``dict(summary)``)."""

    name: str
    stats: Stats
    facts: Facts
    signature: str = ""
    intervals: Mapping[str, Interval | None] = field(default_factory=dict)  # stat -> interval (None: n/a)
    corpus: Stats | None = None  # stat -> corpus value (BLEU, chrF), None where the corpus value is the mean
    corpus_intervals: Mapping[str, Interval | None] = field(default_factory=dict)
    notes: Mapping[str, Any] = field(default_factory=dict)
    # items without a value of the primary stat (an unparsed LLM-judge answer): the means and intervals
    # are over the others; a stat with no value on any item has mean NaN
    missing: int = 0

    # --- the facts, read without ``.facts`` ---
    @property
    def primary(self) -> str:
        return self.facts.primary

    @property
    def higher_is_better(self) -> bool:
        return self.facts.higher_is_better

    @property
    def kind(self) -> str:
        return self.facts.kind

    @property
    def value(self) -> float:
        """The mean of the primary stat."""
        return self.stats[self.primary]

    @property
    def interval(self) -> Interval | None:
        """The primary stat's interval (None: n/a or not recorded)."""
        return self.intervals.get(self.primary)

    @property
    def corpus_value(self) -> float | None:
        """The primary stat's corpus value (BLEU's corpus_score), None where the corpus value is the mean."""
        return None if self.corpus is None else self.corpus.get(self.primary)

    @property
    def corpus_interval(self) -> Interval | None:
        return self.corpus_intervals.get(self.primary)

    def interval_of(self, stat: str) -> Interval | None:
        return self.intervals.get(stat)

    # --- the mapping of stats ---
    def __getitem__(self, stat: str) -> float:
        return self.stats[stat]

    def __iter__(self) -> Iterator[str]:
        return iter(self.stats)

    def __len__(self) -> int:
        return len(self.stats)

    def __getattr__(self, name: str) -> float:
        # stats by attribute (``summary.fmeasure``); only called when no field or property has the name
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self.__dict__["stats"][name]
        except KeyError:
            raise AttributeError(f"metric {self.__dict__.get('name')!r} has no stat or field {name!r}") from None

    def __repr__(self) -> str:
        return f"MetricSummary({self.name}: " + ", ".join(f"{k}={v!r}" for k, v in self.stats.items()) + ")"

    def __eq__(self, other: object) -> bool:
        # another summary: every field; a plain mapping of stats (``{"fmeasure": ...}``): the means alone
        if isinstance(other, MetricSummary):
            return (self.name, dict(self.stats), self.facts, self.signature, dict(self.intervals), self.corpus,
                    dict(self.corpus_intervals)) == (other.name, dict(other.stats), other.facts, other.signature,
                                                     dict(other.intervals), other.corpus, dict(other.corpus_intervals))
        if isinstance(other, Mapping):
            return dict(self.stats) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Shard:
    index: int
    count: int
    fingerprint: str = ""
    corpus_items: int | None = None


@dataclass(frozen=True)
class Inputs:
    """What a run scored: item and reference counts, the fingerprints, the dataset, the shard."""

    items: int
    fingerprint: str
    references_fingerprint: str
    candidates_fingerprint: str | None = None
    dataset: str | None = None
    references: int | None = None
    shard: Shard | None = None
    # ids of the items with an empty candidate / reference (``.candidates``, ``.references``); None: a
    # record from before they were scored (every text was then non-empty)
    empty: EmptyTexts | None = None

    @classmethod
    def of(cls, block: Mapping[str, Any]) -> "Inputs":
        shard, empty = block.get("shard"), block.get("empty")
        return cls(block["items"], block["fingerprint"], block["references_fingerprint"],
                   block.get("candidates_fingerprint"), block.get("dataset"), block.get("references"),
                   None if shard is None else Shard(shard["index"], shard["count"], shard.get("fingerprint", ""),
                                                    shard.get("corpus_items")),
                   None if empty is None else EmptyTexts.of(empty))


@dataclass(frozen=True)
class GitState:
    commit: str | None = None
    dirty: bool | None = None

    @classmethod
    def of(cls, block: Any) -> "GitState":
        return cls(block.get("commit"), block.get("dirty")) if isinstance(block, Mapping) else cls()


@dataclass(frozen=True)
class Environment:
    """What machine and software produced a run (recorded, not signed)."""

    python: str | None = None
    platform: str | None = None
    packages: Mapping[str, str | None] = field(default_factory=dict)
    git: GitState = field(default_factory=GitState)  # the project bench ran in
    bench: Mapping[str, Any] = field(default_factory=dict)  # bench's version, commit, dirty
    device: str | None = None

    @classmethod
    def of(cls, block: Mapping[str, Any]) -> "Environment":
        packages = block.get("packages")
        bench = block.get("bench")
        return cls(block.get("python"), block.get("platform"),
                   frozen(packages) if isinstance(packages, Mapping) else MappingProxyType({}),
                   GitState.of(block.get("git")), frozen(bench) if isinstance(bench, Mapping) else MappingProxyType({}),
                   block.get("device"))


@dataclass(frozen=True)
class Sample:
    """One item of a run: id, candidate, reference count and hash, metadata, scores (metric -> Stats)."""

    id: str
    candidate: str
    n_references: int
    metadata: Mapping[str, Any]
    scores: Mapping[str, Stats]
    references_sha256: str | None = None
    source_sha256: str | None = None
    corpus_stats: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # corpus metric -> sufficient stats
    details: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # metric -> what produced its value

    @classmethod
    def of(cls, line: Mapping[str, Any]) -> "Sample":
        return cls(line["id"], line["candidate"], line["n_references"], frozen(line.get("metadata", {})),
                   MappingProxyType({m: Stats(v) for m, v in line["scores"].items()}),
                   line.get("references_sha256"), line.get("source_sha256"), frozen(line.get("corpus_stats", {})),
                   frozen(line.get("details", {})))

    def score(self, metric: str, stat: str) -> float:
        return self.scores[metric][stat]



@dataclass(frozen=True, eq=False)
class Group(Mapping[str, MetricSummary]):
    """With ``group_by``: one group's items, units, means and intervals; a mapping metric -> MetricSummary."""

    name: str
    n_items: int
    n_units: int
    metrics: Mapping[str, MetricSummary]

    def __getitem__(self, metric: str) -> MetricSummary:
        return self.metrics[metric]

    def __iter__(self) -> Iterator[str]:
        return iter(self.metrics)

    def __len__(self) -> int:
        return len(self.metrics)


@dataclass(frozen=True)
class Volatile:
    """What may differ between identical runs: run id, clock times (ISO text as stored), durations."""

    run_id: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    duration_s: float | None = None
    timings_s: Mapping[str, float] = field(default_factory=dict)
    notes: Mapping[str, Any] = field(default_factory=dict)
    merged_from: tuple[str, ...] = ()  # a merged run: its shards' run ids


@dataclass(frozen=True)
class IntervalInfo:
    """How a run's intervals were drawn: the interval signature, the field whose values are the resampled
    units (None: items), and how many units there were."""

    signature: str
    unit_field: str | None
    n_units: int

    @property
    def level(self) -> str:
        """The confidence level in percent, as the signature writes it (``95``)."""
        from bench.signature import Signature

        return dict(Signature.parse(self.signature).components).get("level", "95") if self.signature else "95"

    @property
    def unit(self) -> str:
        """``document`` when documents were resampled, else ``item``."""
        return "document" if self.unit_field else "item"


def legacy_facts(name: str, stats: Sequence[str], higher_is_better: bool, primary: str) -> Facts:
    """The facts of a metric of a record stored before metrics declared them, by the names bench's own
    metrics had (the only place any reader guesses what a number is)."""
    from bench.values import DESCRIPTIVE

    base = name.rsplit("_", 1)[0] if name[-1:].isdigit() else name
    if name.startswith("rouge"):
        return Facts(higher_is_better, 0.0, 1.0, primary=primary, min_effect=0.005)
    if name == "bertscore":
        return Facts(higher_is_better, 0.0, 1.0, primary=primary, drift=1e-5, min_effect=0.005)
    if name in ("bleu", "chrf", "chrfpp"):
        return Facts(higher_is_better, 0.0, 100.0, primary=primary, corpus=True, min_effect=0.5)
    if base in ("coverage", "novel", "repeated"):
        return Facts(higher_is_better, 0.0, 1.0, DESCRIPTIVE, primary, min_effect=0.01)
    if base in ("density", "compression"):
        return Facts(higher_is_better, 0.0, None, DESCRIPTIVE, primary, min_effect=0.1)
    if base in ("summary_tokens", "source_tokens"):
        return Facts(higher_is_better, 0.0, None, DESCRIPTIVE, primary, min_effect=1.0)
    return Facts(higher_is_better, primary=primary)  # a plug-in's metric: quality, unbounded, exact


def facts_of(record: Mapping[str, Any]) -> dict[str, Facts]:
    """Metric -> Facts of a validated record: its ``facts``, ``higher_is_better`` and ``primary`` blocks;
    for a record stored before a block existed, the rules of its time (``legacy_facts``)."""
    higher = record.get("higher_is_better") or {}
    primary = record.get("primary") or {}
    stored = record.get("facts") or {}
    corpus = record.get("corpus") or {}
    out = {}
    for name, stats in record["metrics"].items():
        hib = higher.get(name, True)
        prim = primary.get(name) or legacy_primary(list(stats))
        block = stored.get(name)
        if block is None:
            facts = legacy_facts(name, list(stats), hib, prim)
        else:
            lo, hi = block["range"]
            facts = Facts(hib, lo, hi, block["kind"], prim, bool(block["corpus"]), block["drift"], block["min_effect"],
                          block.get("dimension"))
        if name in corpus and not facts.corpus:
            facts = Facts(**{**facts.__dict__, "corpus": True})
        out[name] = facts
    return out


class LazySamples(collections.abc.Sequence):
    """Samples built on access (a computed run's, from its items and per-item score arrays): ``Run.of`` keeps
    such a sequence as it is instead of a tuple of a dict per item, so a run of a million items holds its
    numbers as arrays until it is written. Each access gives fresh dicts: no reader can change the run."""


class Unloaded(Sequence[Mapping[str, Any]]):
    """The samples of a listed run, not read yet (``bench.results.run_record.listed``): read, and verified
    in full, by ``load`` the first time anything reads an item (a ``DamagedRun`` then if the run changed).

    ``len`` is the record's item count without reading (a run is only listed when its record is valid,
    and a full check holds it to as many lines); ``loaded`` says whether the samples have been read."""

    def __init__(self, load: Callable[[], Sequence[Mapping[str, Any]]], count: int):
        self._load, self._count = load, count
        self._rows: tuple[Mapping[str, Any], ...] | None = None

    @property
    def loaded(self) -> bool:
        return self._rows is not None

    def _all(self) -> tuple[Mapping[str, Any], ...]:
        if self._rows is None:
            self._rows = tuple(self._load())
        return self._rows

    def __len__(self) -> int:
        return self._count if self._rows is None else len(self._rows)

    def __getitem__(self, k):  # type: ignore[override]
        return self._all()[k]

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return iter(self._all())

    def __repr__(self) -> str:
        return f"Unloaded({self._count} samples{', loaded' if self.loaded else ''})"


@dataclass(frozen=True)
class Run:
    """A scored run, saved or not: its record and per-item samples, read-only and typed.

    ``metrics``, ``inputs``, ``environment``, ``samples``, ``groups``, ``volatile`` are typed views
    (built once, on first access). ``path`` is the run directory once saved or when loaded;
    ``hashed``: a loaded run's ``samples.jsonl`` matched the SHA-256 its record holds. A loaded run was
    validated (``bench.results.run_record.load``); an unsaved one is validated (``validated``) when an
    analysis takes it. ``to_dict()`` gives the stored form as plain data. A listed run
    (``bench.ls``) holds ``Unloaded`` samples: read, and verified in full, on first use.
    """

    plain_record: Mapping[str, Any] = field(repr=False)  # owned by the Run: never handed out unfrozen
    plain_samples: Sequence[Mapping[str, Any]] = field(repr=False)
    path: Path | None = None
    files: Mapping[str, str] = field(default_factory=dict, repr=False)  # extra files to store with it
    hashed: bool = True

    @classmethod
    def of(cls, record: Mapping[str, Any], samples: Sequence[Mapping[str, Any]], path: Path | None = None,
           files: Mapping[str, str] | None = None, hashed: bool = True) -> "Run":
        """A Run that takes ownership of plain ``record`` and ``samples`` (fresh data: the caller keeps no reference)."""
        kept = samples if isinstance(samples, (tuple, LazySamples, Unloaded)) else tuple(samples)
        return cls(record, kept, path, MappingProxyType(dict(files or {})), hashed)

    # --- the typed views ---
    @property
    def experiment(self) -> str:
        """The experiment name (results/<experiment>/)."""
        return self.plain_record["experiment"]

    @property
    def schema_version(self) -> int:
        return self.plain_record["schema_version"]

    @cached_property
    def config(self) -> Mapping[str, Any]:
        """The composed config the run was made with (read-only)."""
        return frozen(self.plain_record["config"])

    @cached_property
    def facts(self) -> Mapping[str, Facts]:
        """Metric -> what its numbers are."""
        return MappingProxyType(facts_of(self.plain_record))

    @cached_property
    def metrics(self) -> Mapping[str, MetricSummary]:
        """Metric name -> its summary: ``run.metrics["rouge1"].fmeasure``, ``.interval``, ``.facts``."""
        rec = self.plain_record
        intervals = (rec.get("intervals") or {}).get("metrics") or {}
        corpus_intervals = (rec.get("intervals") or {}).get("corpus") or {}
        corpus = rec.get("corpus") or {}
        notes = rec.get("notes") or {}
        missing = rec.get("missing") or {}
        facts = self.facts
        return MappingProxyType({
            name: MetricSummary(name, Stats(stats), facts[name], rec["signatures"].get(name, ""),
                                _intervals(intervals.get(name)),
                                Stats(corpus[name]) if name in corpus else None,
                                _intervals(corpus_intervals.get(name)), frozen(notes.get(name, {})),
                                missing.get(name, 0))
            for name, stats in rec["metrics"].items()})

    @property
    def corpus(self) -> Mapping[str, float]:
        """Metric -> its corpus value (primary stat), for the metrics whose corpus value is not a mean
        (``run.corpus["bleu"]``: sacrebleu's ``corpus_score``)."""
        return MappingProxyType({m: s.corpus_value for m, s in self.metrics.items() if s.corpus_value is not None})

    @property
    def intervals(self) -> Mapping[str, Mapping[str, Interval | None]]:
        """Metric name -> stat -> ``Interval`` of its mean, ``None`` where too few units (``n/a``); empty when
        the run recorded none (``ci.resamples=0``)."""
        block = (self.plain_record.get("intervals") or {}).get("metrics") or {}
        return MappingProxyType({m: self.metrics[m].intervals for m in block})

    @cached_property
    def interval_info(self) -> "IntervalInfo | None":
        """The resampling behind the intervals (``.signature``, ``.unit_field``, ``.n_units``, ``.level``),
        None without intervals."""
        block = self.plain_record.get("intervals")
        return None if block is None else IntervalInfo(block.get("signature", ""), block.get("unit_field"),
                                                       block.get("n_units", 0))

    @cached_property
    def groups(self) -> Mapping[str, Group]:
        """With ``group_by``: group name -> ``Group`` (``run.groups["M11"].metrics["rouge1"].fmeasure``)."""
        block = self.plain_record.get("groups") or {"values": {}}
        facts = self.facts
        sigs = self.plain_record["signatures"]
        return MappingProxyType({
            g: Group(g, v.get("n_items", 0), v.get("n_units", 0), MappingProxyType({
                m: MetricSummary(m, Stats(stats), facts[m], sigs.get(m, ""), _intervals((v.get("intervals") or {}).get(m)))
                for m, stats in v["metrics"].items()}))
            for g, v in block["values"].items()})

    @property
    def group_by(self) -> str | None:
        return (self.plain_record.get("groups") or {}).get("by")

    @property
    def groups_signature(self) -> str | None:
        """The signature of the groups' intervals (drawn with the default settings when the run drew none)."""
        return (self.plain_record.get("groups") or {}).get("signature")

    @property
    def signatures(self) -> Mapping[str, str]:
        """Metric name -> its signature string."""
        return MappingProxyType(dict(self.plain_record["signatures"]))

    @property
    def primary(self) -> Mapping[str, str]:
        """Metric name -> the stat one-line views, analyses and the gate use (``rouge1`` -> ``fmeasure``)."""
        return MappingProxyType({m: f.primary for m, f in self.facts.items()})

    @property
    def higher_is_better(self) -> Mapping[str, bool]:
        """Metric name -> its direction."""
        return MappingProxyType({m: f.higher_is_better for m, f in self.facts.items()})

    @cached_property
    def inputs(self) -> Inputs:
        return Inputs.of(self.plain_record["inputs"])

    @cached_property
    def environment(self) -> Environment:
        return Environment.of(self.plain_record["environment"])

    @cached_property
    def notes(self) -> Mapping[str, Mapping[str, Any]]:
        """Metric -> its notes (e.g. truncated texts)."""
        return frozen(self.plain_record.get("notes") or {})

    @cached_property
    def volatile(self) -> Volatile:
        v = self.plain_record.get("volatile") or {}
        return Volatile(v.get("run_id"), v.get("started_at"), v.get("finished_at"), v.get("duration_s"),
                        frozen(v.get("timings_s") or {}), frozen(v.get("notes") or {}), tuple(v.get("merged_from") or ()))

    @property
    def run_id(self) -> str | None:
        return (self.plain_record.get("volatile") or {}).get("run_id")

    @property
    def run_key(self) -> str | None:
        """The run's key (``sha256:...`` of its config, inputs and signatures; ``bench.results.run_cache``):
        what the store finds it by and a report names it by; None for a run not to be indexed."""
        return self.plain_record.get("run_key")

    @property
    def name(self) -> str:
        """``experiment/run_id`` (or the directory name, or ``experiment`` for an unsaved run): how tables name it."""
        if self.run_id:
            return f"{self.experiment}/{self.run_id}"
        if self.path is not None:
            return f"{self.experiment}/{Path(self.path).name}"
        return self.experiment

    @cached_property
    def samples(self) -> tuple[Sample, ...]:
        """One ``Sample`` per item, in item order."""
        return tuple(Sample.of(s) for s in self.plain_samples)

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Item ids, in item order (built once: the gate and analyses ask for them per metric and stat)."""
        return tuple(s["id"] for s in self.plain_samples)

    def __len__(self) -> int:
        return len(self.plain_samples)

    def scores(self, metric: str, stat: str | None = None) -> tuple[float, ...]:
        """Per-item values of one metric's stat (default: its primary stat), in item order (NaN: no value)."""
        from bench.errors import unknown_choice

        metrics = self.plain_record["metrics"]
        if metric not in metrics:
            raise unknown_choice("metric", metric, metrics)
        stat = self.facts[metric].primary if stat is None else stat
        if stat not in metrics[metric]:
            raise unknown_choice(f"stat of {metric}", stat, metrics[metric])
        return tuple(to_memory(s["scores"][metric][stat]) for s in self.plain_samples)

    def column(self, metric: str, stat: str) -> list[float]:
        """Per-item values of one metric's stat, in item order (a list; NaN where an item has no value)."""
        return [to_memory(s["scores"][metric][stat]) for s in self.plain_samples]

    @property
    def missing(self) -> Mapping[str, int]:
        """Metric -> how many items have no value of its primary stat (only metrics with any)."""
        return MappingProxyType(dict(self.plain_record.get("missing") or {}))

    @cached_property
    def _corpus_rows(self) -> Mapping[str, tuple[tuple[float, ...], ...]]:
        """Every corpus metric's per-item statistics, in one pass over the samples."""
        names = {m for s in self.plain_samples[:1] for m in (s.get("corpus_stats") or {})}
        out = {}
        for metric in names:
            rows = [(s.get("corpus_stats") or {}).get(metric) for s in self.plain_samples]
            if all(r is not None for r in rows):
                out[metric] = tuple(tuple(r) for r in rows)
        return MappingProxyType(out)

    def corpus_rows(self, metric: str) -> tuple[tuple[float, ...], ...] | None:
        """A corpus metric's per-item sufficient statistics in item order (None: not recorded, e.g. a run
        stored before they were, or a metric whose corpus value is the mean)."""
        return self._corpus_rows.get(metric)

    def item(self, key: int | str) -> Sample:
        """One item's sample (id, candidate, metadata, scores) by position or id."""
        if isinstance(key, int):
            return Sample.of(self.plain_samples[key])
        for s in self.plain_samples:
            if s["id"] == key:
                return Sample.of(s)
        raise KeyError(key)

    # --- the stored form ---
    @cached_property
    def record(self) -> Mapping[str, Any]:
        """The ``result.json`` content as read-only mappings and tuples (the stored form; ``to_dict()`` for
        plain data). Readers use the typed views above."""
        return frozen(self.plain_record)

    @property
    def data(self) -> Mapping[str, Any]:
        """The stored form, read-only (``record``)."""
        return self.record

    @cached_property
    def validated(self) -> "Run":
        """This run, validated (``DamagedRun`` if it is not sound)."""
        from bench.results.validate import validate_run

        validate_run(self.plain_record, self.plain_samples, self.path)
        return self

    def with_run_id(self, run_id: str) -> "Run":
        """This run (unsaved) under the run id it is about to be stored as: what ``save`` writes."""
        record = thawed(self.plain_record)
        record["volatile"] = {**record.get("volatile", {}), "run_id": run_id}
        return Run.of(record, self.plain_samples, self.path, self.files, self.hashed)

    def record_dict(self) -> dict[str, Any]:
        """The record as plain, mutable dicts (a copy)."""
        return thawed(self.plain_record)

    def samples_list(self) -> list[dict[str, Any]]:
        """The samples as plain, mutable dicts (a copy)."""
        return [thawed(s) for s in self.plain_samples]

    def as_dict(self) -> dict[str, Any]:
        """The record as plain, mutable dicts (a copy)."""
        return copy.deepcopy(thawed(self.plain_record))

    def to_dict(self) -> dict[str, Any]:
        """The whole run as plain data that ``json.dumps`` accepts (a copy):
        ``{"path": str | None, "record": <result.json content>, "samples": [<samples.jsonl lines>]}``."""
        return {"path": None if self.path is None else str(self.path), "record": thawed(self.plain_record),
                "samples": [thawed(s) for s in self.plain_samples]}

    def to_pandas(self):
        """One row per item: ``id``, ``candidate``, metadata columns, and ``<metric>.<stat>`` columns."""
        import pandas as pd

        from bench import dotted

        rows = []
        for s in self.plain_samples:
            row = {"id": s["id"], "candidate": s["candidate"], "n_references": s["n_references"]}
            row.update({f"metadata.{k}": v for k, v in dotted.flatten(s["metadata"]).items()})
            row.update({f"{m}.{stat}": v for m, stats in s["scores"].items() for stat, v in stats.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path is not None else ""
        return (f"Run({self.name!r}, {len(self.plain_samples)} items, metrics=[{', '.join(self.plain_record['metrics'])}]"
                f"{where})")

    def __str__(self) -> str:
        lines = [repr(self)]
        for name, m in self.metrics.items():
            ci = "" if m.interval is None else f" {m.interval.text()}"
            corpus = "" if m.corpus_value is None else f"  corpus {m.corpus_value:.4f}"
            ci_c = "" if m.corpus_interval is None else f" {m.corpus_interval.text()}"
            value = "n/a" if m.value != m.value else f"{m.value:.4f}"  # NaN: no item has a value
            missing = f" ({m.missing} missing)" if m.missing else ""
            lines.append(f"  {name} {m.primary} {value}{ci}{corpus}{ci_c}{missing}")
        return "\n".join(lines)

    __hash__ = object.__hash__
    __eq__ = object.__eq__
