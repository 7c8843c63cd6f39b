"""``bench systems``' core: runs -> paired tables -> a leaderboard with its sources.

Takes ``Run``s (``bench.results.model.Run``, saved or not; never writes them). One run ranks
the systems its items name (``by``, by default the dataset's declared ``system_key``;
documents by its ``doc_key``); several runs rank one system each, paired by item id, and must
share their references and their metric settings. Each metric's primary stat and direction are
its ``Facts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from bench import dotted
from bench.analysis import artefacts, labels
from bench.analysis.artefacts import Source
from bench.errors import BenchError
from bench.progress import stage
from bench.signature import Signature
from bench.stats import pairing
from bench.stats.intervals import natural_key
from bench.stats.leaderboard import PairRow, SystemRow, SystemsSpec, leaderboard
from bench.values import Facts, Interval

IGNORED = ("inputs",)  # candidates differ between systems by design


@dataclass(frozen=True)
class CorpusRow:
    """One system's corpus value of a corpus metric (BLEU, chrF: summed statistics of its items, scored),
    with its bootstrap interval (its documents resampled; None: too few) and its item count."""

    system: str
    metric: str
    stat: str
    value: float
    ci: Interval | None
    n_items: int


@dataclass(frozen=True)
class Leaderboard:
    """Everything ``bench systems`` decided, with the signature of what produced it and the runs it read.

    ``systems``: one row per system and metric stat (rank order); ``pairs``: one row per pair and test;
    its JSON form (``to_json``) is these fields in the ``systems`` envelope."""

    signature: str
    systems: tuple[SystemRow, ...]
    pairs: tuple[PairRow, ...]
    metric_signatures: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    notes: tuple[str, ...] = ()
    cluster_test: str = "ar"
    interval_signature: str = ""
    corpus: tuple[CorpusRow, ...] = ()  # per system, each corpus metric's corpus value (the number papers report)

    def to_json(self) -> dict[str, Any]:
        """The tidy-rows JSON contract (``bench systems --format json``; what the artefact stores)."""
        return artefacts.plain("systems", self)

    def setting(self, key: str, default: str = "") -> str:
        """One component of the leaderboard's signature (``alpha``, ``correction``, ``clusters``, ``ci``)."""
        return Signature.parse(self.signature).as_dict().get(key, default)

    def top_cluster(self, metric: str, stat: str) -> tuple[SystemRow, ...]:
        """The systems of cluster 1 for one metric stat, best first: no pair among them is separated by the
        cluster rule's test (``bench.stats.ranking``)."""
        return tuple(r for r in self.rows(metric, stat) if r.cluster == 1)

    def separated(self, metric: str, stat: str) -> dict[frozenset[str], bool]:
        """Per pair of systems (either order), whether the cluster rule's test separates them: ``ar`` or
        ``bootstrap`` significant after correction, ``max`` both (``bench.stats.leaderboard``)."""
        tests = ("bootstrap", "ar") if self.cluster_test == "max" else (self.cluster_test,)
        out: dict[frozenset[str], bool] = {}
        for p in self.pairs:
            if (p.metric, p.stat) == (metric, stat) and p.test in tests:
                key = frozenset((p.a, p.b))
                out[key] = out.get(key, True) and p.significant
        return out

    def headline(self, metric: str, stat: str) -> str:
        """The sentence a reader wants first: which systems the tests cannot tell from the best.

        ``9 of 16 systems are statistically indistinguishable from the best (M23) at alpha 0.05: M23, M22, ...
        (ar test after holm correction; they are the top cluster: no pair among them differs); 39 of 120 pairs
        differ.`` "Indistinguishable from the best" is read off each system's own pair with the best, so it
        holds even where the greedy clusters (``bench.stats.ranking``) put such a system below the top cluster
        (which is then named apart). Nothing is recomputed."""
        rows = self.rows(metric, stat)
        if not rows:
            return f"{metric} {stat}: no systems ranked."
        if len(rows) == 1:
            return f"{rows[0].system} is the only system."
        separated = self.separated(metric, stat)
        best = rows[0]
        tied = [best] + [r for r in rows[1:] if not separated.get(frozenset((best.system, r.system)), False)]
        top = self.top_cluster(metric, stat)
        differ = sum(separated.values())
        name = "both bootstrap and ar tests" if self.cluster_test == "max" else f"{self.cluster_test} test"
        alpha, correction = self.setting("alpha", "?"), self.setting("correction", "?")
        how = f"{name} {'without correction' if correction == 'none' else f'after {correction} correction'}"
        pairs = f"{differ} of {len(separated)} pairs differ."
        if len(tied) == 1:
            return f"{best.system} is significantly better than every other system at alpha {alpha} ({how}); {pairs}"
        names = ", ".join(r.system for r in tied)
        many = "all" if len(tied) == len(rows) else f"{len(tied)} of"
        if [r.system for r in tied] == [r.system for r in top]:
            cluster = "they are the top cluster: no pair among them differs"
        else:
            cluster = (f"the top cluster, in which no pair differs, is {', '.join(r.system for r in top)}"
                       if len(top) > 1 else f"the top cluster is {top[0].system} alone")
        return (f"{many} {len(rows)} systems are statistically indistinguishable from the best ({best.system}) at "
                f"alpha {alpha}: {names} ({how}; {cluster}); {pairs}")

    def blocks(self) -> list[tuple[str, str, tuple[SystemRow, ...]]]:
        """``(metric, stat, rows)`` per metric stat ranked, in the order ranked: what every rendering shows.

        Systems of one rank with exactly equal means are in natural order of their names (M2 before M10), as
        ``bench.stats.leaderboard`` ranks them; a leaderboard stored before it did lists such ties by the
        name as a string, and is shown in the same order as a new one."""
        out: dict[tuple[str, str], list[SystemRow]] = {}
        for row in self.systems:
            out.setdefault((row.metric, row.stat), []).append(row)
        return [(m, s, tuple(sorted(rows, key=lambda r: (r.rank, _position(rows, r), natural_key(r.system)))))
                for (m, s), rows in out.items()]

    def rows(self, metric: str, stat: str) -> tuple[SystemRow, ...]:
        """One metric stat's rows, as ``blocks`` orders them (empty when it was not ranked)."""
        return next((rows for m, s, rows in self.blocks() if (m, s) == (metric, stat)), ())


def _position(rows: Sequence[SystemRow], row: SystemRow) -> int:
    """Where the first row with ``row``'s rank and mean stands: rows differing only by name share it."""
    return next(k for k, r in enumerate(rows) if (r.rank, r.mean) == (row.rank, row.mean))


def _dataset_key(run: Any, key: str) -> str | None:
    """A field the run's dataset declares (``system_key``, ``doc_key``), None when it declares none."""
    try:
        return dotted.get(run.config, f"dataset.{key}")
    except KeyError:
        return None


def _check_runs(runs: Sequence[Any], dirs: Sequence[Path], metrics: Sequence[str]) -> None:
    first = runs[0]
    for run, run_dir in zip(runs[1:], dirs[1:]):
        if run.inputs.references_fingerprint != first.inputs.references_fingerprint:
            raise BenchError(f"runs {dirs[0]} and {run_dir} score against different references",
                             "rank systems scored on the same dataset, split and selection")
        for m in metrics:
            if m not in run.signatures or m not in first.signatures:
                continue
            a, b = Signature.parse(first.signatures[m]), Signature.parse(run.signatures[m])
            changed = [str(c) for c in a.changes(b) if c.key not in IGNORED]
            if changed:
                raise BenchError(f"{m} was computed differently in {run_dir} than in {dirs[0]} ({'; '.join(changed)})",
                                 "rank runs scored with the same metric settings")


def different_references(runs: Sequence[Any]) -> list[str]:
    """Ids whose stored per-item reference hashes differ from the first run's (where the samples have them)."""
    first = {s.id: s.references_sha256 for s in runs[0].samples}
    bad = {s.id for run in runs[1:] for s in run.samples
           if s.references_sha256 is not None and first.get(s.id) is not None and s.references_sha256 != first[s.id]}
    return sorted(bad, key=pairing.natural_key)


def _system_names(runs: Sequence[Any]) -> list[str]:
    """One run per system: the experiment names when they differ, else (a sweep) the config keys and
    values that differ among the runs, as ``bench meta``, ``bench compare`` and reports name them.
    A label too long for a table becomes a letter; the notes carry the legend."""
    experiments = [r.experiment for r in runs]
    if len(set(experiments)) == len(experiments):
        return experiments
    return list(labels.of(runs).short)


def _run_units(tables, samples: Sequence[Any], doc: str | None) -> list:
    """One run per system: each system's interval is its run's own (``Run.intervals``): the run's
    unsalted stream, documents as units when the items name one (``doc``), else the items."""
    doc_of: dict[str, str] = {}
    if doc:
        for item in samples:
            try:
                doc_of[item.id] = str(pairing.lookup(item.metadata, doc))
            except KeyError:
                doc_of = {}
                break
    out = []
    for t in tables:
        if doc_of and all(d in doc_of for d in t.docs):
            out.append(replace(t, units=tuple(doc_of[d] for d in t.docs), unit="doc", per_system=False))
        else:
            out.append(replace(t, units=t.docs, unit="item", per_system=False))
    return out


def _facts(runs: Sequence[Any]) -> dict[str, Facts]:
    out: dict[str, Facts] = {}
    for r in runs:
        out.update(r.facts)
    return out


def build(runs: Sequence[Any], spec: SystemsSpec, by: str | None = None, doc: str | None = None,
          metrics: Sequence[str] | None = None, stat: str | None = None,
          names: Sequence[str] | None = None) -> Leaderboard:
    """The leaderboard of one run's systems (``by``) or of several runs' systems.

    ``runs``: validated ``Run``s (saved or not); ``bench.systems`` validates them."""
    dirs = artefacts.where(runs)
    facts = _facts(runs)
    notes: list[str] = []
    if len(runs) == 1:
        (run,) = runs
        if names:
            raise BenchError("names name the runs of a multi-run leaderboard", "drop names=, or pass several runs")
        by = by or _dataset_key(run, "system_key")
        doc = doc or _dataset_key(run, "doc_key")
        fields = ", ".join(pairing.metadata_fields(run.samples)) or "none"
        if by is None:
            raise BenchError(f"the items of {dirs[0]} name no system field",
                             f"name the system field, by=FIELD (fields: {fields}), or pass several runs")
        if doc is None:
            raise BenchError(f"the items of {dirs[0]} name no document field",
                             f"name the document field, doc=FIELD (fields: {fields})")
        tables = pairing.by_field(run.samples, by, doc, facts, metrics, stat)
    else:
        if by is not None:
            raise BenchError("by= ranks the systems inside one run", "pass one run with by=, or several runs without it")
        if names and len(names) != len(runs):
            raise BenchError(f"names has {len(names)} names for {len(runs)} runs", "give one name per run")
        system_names = list(names) if names else _system_names(runs)
        if not names and len(set(r.experiment for r in runs)) < len(runs):
            notes += list(labels.of(runs).legend)
        bad = different_references(runs)
        if bad:
            shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            raise BenchError(f"the runs' references differ for items {shown}",
                             "rank systems scored against the same references")
        tables = pairing.by_runs([(n, r.samples) for n, r in zip(system_names, runs)], facts, metrics, stat)
        _check_runs(runs, dirs, sorted({t.metric for t in tables}))
        tables = _run_units(tables, runs[0].samples, doc or _dataset_key(runs[0], "doc_key"))
    chosen = sorted({t.metric for t in tables})
    signatures = {m: runs[0].signatures[m] for m in chosen if m in runs[0].signatures}
    with stage("systems: tests", len(tables), unit="metric") as bar:
        ranked = leaderboard(tables, spec, done=bar.update)
    if len(runs) == 1:
        corpus = corpus_rows([(name, runs[0], idx) for name, idx in _members(runs[0], by)], chosen, doc, spec)
    else:
        corpus = corpus_rows([(name, r, None) for name, r in zip(system_names, runs)], chosen,
                             doc or _dataset_key(runs[0], "doc_key"), spec)
    return Leaderboard(ranked.signature, ranked.systems, ranked.pairs, signatures,
                       tuple(Source.of(r, d) for r, d in zip(runs, dirs)), (*notes, *ranked.notes),
                       ranked.cluster_test, ranked.interval_signature, corpus)


def _members(run: Any, by: str) -> list[tuple[str, list[int]]]:
    """Each system of one run (metadata field ``by``) and the positions of its items, systems in natural order."""
    out: dict[str, list[int]] = {}
    for k, item in enumerate(run.samples):
        out.setdefault(str(pairing.lookup(item.metadata, by)), []).append(k)
    return [(name, out[name]) for name in sorted(out, key=pairing.natural_key)]


def corpus_rows(systems: Sequence[tuple[str, Any, Sequence[int] | None]], metrics: Sequence[str], doc: str | None,
                spec: SystemsSpec) -> tuple[CorpusRow, ...]:
    """Per corpus metric and system (``(name, run, item positions or None for all)``), its corpus value
    from its items' summed statistics, with a percentile bootstrap interval over its documents (``doc``;
    else its items): ``spec.ci_resamples`` draws at ``spec.level`` seeded by ``spec.seed``, the system's
    and metric's names (``bench.stats.corpus``). Systems in best-first order of their corpus values."""
    from bench.results.corpus import corpus_metric
    from bench.stats.corpus import corpus_interval
    from bench.stats.intervals import BootSpec

    boot = BootSpec(resamples=spec.ci_resamples, level=spec.level, unit="doc" if doc else "item", seed=spec.seed)
    out: list[CorpusRow] = []
    for metric in metrics:
        rows = []
        for name, run, idx in systems:
            found = corpus_metric(run, metric)
            if found is None:
                break  # a system without corpus statistics: no corpus column for this metric
            idx = list(range(len(run.samples))) if idx is None else list(idx)
            stats = [found.rows[k] for k in idx]
            units = [str(pairing.lookup(run.samples[k].metadata, doc)) for k in idx] if doc else None
            ci = corpus_interval(stats, units, boot, found.score, name, metric)
            rows.append(CorpusRow(name, metric, found.stat, found.value(idx), ci, len(idx)))
        else:
            higher = systems[0][1].facts[metric].higher_is_better
            out += sorted(rows, key=lambda r: -r.value if higher else r.value)
    return tuple(out)
