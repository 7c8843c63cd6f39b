"""``bench meta``' core: stored runs + human judgments -> correlations with intervals, metric-vs-metric
tests and clusters (``bench.stats.correlation`` and ``bench.stats.meta`` do the numbers).

Takes ``Run``s (``bench.results.model.Run``, saved or not; they are only read). Human scores
are item metadata named by dotted paths (``expert.coherence``): by default the dataset's declared
``human`` fields, or a separate JSONL judgments file joined by item id. Documents and systems come
from the dataset's ``doc_key`` and ``system_key`` (SummEval declares all three). Each metric's
primary stat and direction are its ``Facts``. The result is a ``MetaEvaluation`` (its JSON form,
``to_json``, is the ``bench meta --format json`` contract).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from bench import dotted, jsonio
from bench.analysis import artefacts, labels
from bench.analysis.artefacts import Source
from bench.errors import BenchError
from bench.progress import stage
from bench.signature import Signature
from bench.stats import correction, correlation, meta, ranking, resample
from bench.stats.agreement import annotator_matrix, krippendorff_alpha
from bench.stats.pairing import choose_stats, fields, lookup, metadata_fields, natural_key
from bench.values import Interval

COEFFICIENTS = (*correlation.COEFFICIENTS, "pairwise_accuracy")  # --coefficients decides every table printed
PAIRINGS = ("dimension", "all")


@dataclass(frozen=True)
class MetaSpec:
    """Every setting behind a meta-evaluation; all of them are in its signature."""

    levels: tuple[str, ...] = correlation.LEVELS
    # pairwise_accuracy (system level only) is a table like the others: leave it out and it is not printed
    coefficients: tuple[str, ...] = ("pearson", "spearman", "kendall", "pairwise_accuracy")
    constant: str = "skip"
    scheme: str = "both"
    resamples: int = 1000
    level: float = 0.95
    seed: int = 0
    tests: tuple[str, ...] = ("perm-both",)
    test_resamples: int = 1000
    compare: tuple[tuple[str, str], ...] = (("summary", "kendall"),)  # (level, coefficient) cells tested
    correction: str = "holm"
    alpha: float = 0.05
    resample_annotators: bool = False
    # dimension: a metric that rates one named quality (an LLM judge's judge_coherence: Facts.dimension) is
    # correlated with the human dimension of that name only (every other metric with all); all: every pair
    pairing: str = "dimension"

    def __post_init__(self) -> None:
        from bench.stats.checks import choices, fraction, whole

        choices("pairing", "pairing", (self.pairing,), PAIRINGS)
        choices("levels", "level(s)", self.levels, correlation.LEVELS)
        choices("coefficients", "coefficient(s)", self.coefficients, COEFFICIENTS)
        choices("constant", "constant rule", (self.constant,), correlation.CONSTANT_RULES)
        choices("scheme", "resampling scheme", (self.scheme,), meta.SCHEMES)
        choices("tests", "test(s)", self.tests, meta.TESTS)
        choices("correction", "correction", (self.correction,), correction.CORRECTIONS)
        for cell in self.compare:
            if not (isinstance(cell, tuple) and len(cell) == 2):
                raise BenchError(f"compare cell {cell!r} is not a (level, coefficient) pair",
                                 'use e.g. compare=(("summary", "kendall"),)')
            choices("compare", "level in compare", cell[:1], correlation.LEVELS)
            choices("compare", "coefficient in compare", cell[1:], correlation.COEFFICIENTS)
        whole("resamples", self.resamples, 1, 1000)
        whole("test_resamples", self.test_resamples, 1, 1000)
        whole("seed", self.seed, 0, 0)
        fraction("level", self.level, 0.95)
        fraction("alpha", self.alpha, 0.05)

    @property
    def signature(self) -> str:
        """``meta|levels:…|coefficients:…|constant:skip|boot:both:1000|ci:95|seed:0|tests:perm-both:1000|…``."""
        from importlib.metadata import version

        from bench.version import __version__

        return str(Signature("meta", (
            ("levels", ",".join(self.levels)), ("coefficients", ",".join(self.coefficients)),
            ("constant", self.constant), ("boot", f"{self.scheme}:{self.resamples}"),
            ("annotators", "resampled" if self.resample_annotators else "mean"),
            ("ci", f"{self.level * 100:g}"), ("seed", str(self.seed)),
            ("tests", f"{','.join(self.tests)}:{self.test_resamples}"),
            ("compare", ",".join(f"{lv}:{c}" for lv, c in self.compare)),
            ("correction", self.correction), ("alpha", f"{self.alpha:g}"),
            *((("pairing", self.pairing),) if self.pairing != "dimension" else ()),
            ("scipy", version("scipy")), ("numpy", version("numpy")), ("bench", __version__))))


@dataclass(frozen=True)
class Scores:
    """What a meta-evaluation correlates: metric and human matrices over the same systems x documents."""

    systems: tuple[str, ...]
    docs: tuple[str, ...]
    metrics: Mapping[str, np.ndarray]  # label -> m x n
    metric_runs: Mapping[str, str]  # label -> run directory
    metric_stats: Mapping[str, tuple[str, str]]  # key -> (metric as named in the run, with a sweep's setting; stat)
    humans: Mapping[str, np.ndarray]  # human path -> m x n, or A x m x n per annotator
    signatures: Mapping[str, str] = field(default_factory=dict)
    agreement: Mapping[str, float | None] = field(default_factory=dict)  # human path -> Krippendorff's alpha
    # keys of lower-is-better metrics (the run's higher_is_better): their matrices are negated, so every
    # correlation, ranking and cluster reads "agrees with humans in the metric's own direction"
    lower_is_better: frozenset = frozenset()
    legend: tuple[str, ...] = ()  # the full labels of a sweep's runs when they are too long for a table
    sources: tuple[Source, ...] = ()
    rates: Mapping[str, str] = field(default_factory=dict)  # key -> the dimension its metric rates (Facts.dimension)

    def humans_of(self, key: str, pairing: str = "dimension") -> tuple[str, ...]:
        """The human dimensions ``key`` is correlated with: under ``dimension`` pairing, a metric that rates a
        named quality meets the human fields of that name (``expert.coherence`` for ``coherence``), when there
        are any; every other metric, or ``all`` pairing, meets every human field."""
        dimension = self.rates.get(key)
        if pairing == "dimension" and dimension is not None:
            named = tuple(h for h in self.humans if h.rsplit(".", 1)[-1] == dimension)
            if named:
                return named
        return tuple(self.humans)


NEGATED = " (lower is better, negated)"  # how a view labels a metric correlated as its negation


@dataclass(frozen=True)
class Correlation:
    """One metric's (stat's) correlation with one human dimension at one level by one coefficient.

    ``value`` None: undefined (a constant matrix); ``ci`` None: no resample defined it; ``rank`` and
    ``cluster``: set where metrics were tested against each other (``MetaSpec.compare``)."""

    run: str
    metric: str
    stat: str
    human: str
    higher_is_better: bool  # False: correlated as its negation, so "agrees" reads in the metric's direction
    level: str
    coefficient: str
    value: float | None
    ci: Interval | None
    groups_used: int
    groups_skipped: int
    resamples_defined: int
    rank: int | None = None
    cluster: int | None = None


@dataclass(frozen=True)
class MetricTest:
    """One test of metric ``a`` against metric ``b`` (``a`` correlates higher) on one human dimension and cell."""

    a: str
    a_stat: str
    b: str
    b_stat: str
    human: str
    level: str
    coefficient: str
    test: str
    p: float | None  # None: undefined (a constant matrix)
    p_adjusted: float
    significant: bool


@dataclass(frozen=True)
class MetaEvaluation:
    """Everything ``bench meta`` decided; its JSON form (``to_json``) is these fields in the ``meta`` envelope.

    ``agreement``: human dimension -> Krippendorff's alpha of its annotators (``agreement_level``), where
    the items carry them; ``legend``: the full labels of runs named by letters in the tables."""

    signature: str
    systems: int
    documents: int
    correlations: tuple[Correlation, ...]
    comparisons: tuple[MetricTest, ...]
    metric_signatures: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[Source, ...] = ()
    agreement: Mapping[str, float | None] = field(default_factory=dict)
    agreement_level: str | None = None
    legend: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The tidy-rows JSON contract (``bench meta --format json``; what the artefact stores)."""
        return artefacts.plain("meta", self)

    def labels(self, negated: str = NEGATED) -> dict[tuple[str, str], str]:
        """Each correlated (metric, stat) as every view names it: the metric where one stat of it was
        correlated, ``metric.stat`` where several were; a metric where lower is better, correlated as its
        negation, followed by ``negated``."""
        stats: dict[str, set[str]] = {}
        for r in self.correlations:
            stats.setdefault(r.metric, set()).add(r.stat)
        return {(r.metric, r.stat): (r.metric if len(stats[r.metric]) == 1 else f"{r.metric}.{r.stat}")
                + ("" if r.higher_is_better else negated) for r in self.correlations}


def _cells(samples: Sequence[Any], system_key: str, doc_key: str, run_dir) -> dict[tuple[str, str], Any]:
    cells: dict[tuple[str, str], Any] = {}
    for item in samples:
        try:
            key = (str(lookup(item.metadata, system_key)), str(lookup(item.metadata, doc_key)))
        except KeyError as exc:
            raise BenchError(f"item {item.id} of {run_dir} has no metadata field {exc.args[0]!r}; "
                             f"fields present: {', '.join(metadata_fields(samples)) or '(none)'}",
                             "name the system and document fields (system=, doc=) the items have") from None
        if key in cells:
            raise BenchError(f"two items of {run_dir} are system {key[0]} on document {key[1]}",
                             "meta-evaluate runs with one summary per system and document")
        cells[key] = item
    return cells


def _judgments(path: str | Path) -> dict[str, Mapping[str, Any]]:
    """A judgments file, refused whole (one line) when it is not one JSON object with a unique id per line."""
    path = Path(path)
    hint = 'write one JSON object per line: {"id": ITEM_ID, "<human field>": SCORE, ...}'
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BenchError(f"judgments file {path} does not exist", "give the path of a JSONL file") from None
    except IsADirectoryError:
        raise BenchError(f"judgments file {path} is a directory", "give the path of a JSONL file") from None
    except OSError as exc:
        raise BenchError(f"judgments file {path} cannot be read ({exc.strerror})", "give a readable JSONL file") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BenchError(f"judgments file {path} is not UTF-8 (byte {exc.start})", "save it as UTF-8") from None
    out: dict[str, Mapping[str, Any]] = {}
    for k, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = jsonio.loads(line, position=False, non_finite=True)  # a NaN score: named by _human_score
        except jsonio.JsonError as exc:  # also: nested too deep, a key twice (two scores for one name)
            raise BenchError(f"{path} line {k} is not JSON ({exc.msg})", hint) from None
        if not isinstance(row, dict):
            raise BenchError(f"{path} line {k} is a JSON {type(row).__name__}, not an object", hint)
        if not isinstance(row.get("id"), (str, int)) or isinstance(row.get("id"), bool):
            raise BenchError(f"{path} line {k} has no id (a string or integer)", hint)
        key = str(row["id"])
        if key in out:
            raise BenchError(f"{path} line {k} repeats id {key!r}", "give each item one judgment line")
        out[key] = row
    if not out:
        raise BenchError(f"judgments file {path} holds no judgments", hint)
    return out


def _human_score(value: Any, where: str, path: str) -> float:
    """A human score as a finite float; anything else (text, null, NaN, inf, a bool) is refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise BenchError(f"{where}: human score {path!r} is {json.dumps(value)[:40]}, not a finite number",
                         "give every item a numeric score (JSON number)")
    return float(value)


def _dataset(run: Any, key: str) -> Any:
    """What the run's dataset declares (``system_key``, ``doc_key``, ``human``), None when it does not."""
    try:
        return dotted.get(run.config, f"dataset.{key}")
    except KeyError:
        return None


def load(runs: Sequence[Any], humans: Sequence[str] | None = None, judgments: str | Path | None = None,
         system_key: str | None = None, doc_key: str | None = None, metrics: Sequence[str] | None = None,
         stat: str | None = None, annotators: bool = False) -> Scores:
    """Validated ``Run``s (never written) as matrices over the systems and documents they all hold."""
    dirs = artefacts.where(runs)
    first_run = runs[0]
    system_key = system_key or _dataset(first_run, "system_key")
    doc_key = doc_key or _dataset(first_run, "doc_key")
    humans = list(humans or _dataset(first_run, "human") or [])
    present = ", ".join(metadata_fields(first_run.samples)) or "none"
    if not system_key or not doc_key:
        raise BenchError(f"{dirs[0]} does not say which metadata fields name the system and the document",
                         f"name them: system=FIELD, doc=FIELD (fields: {present})")
    if not humans:
        raise BenchError(f"{dirs[0]} names no human-score fields", f"name them: humans=[FIELD, ...] (fields: {present})")
    cells = [_cells(r.samples, system_key, doc_key, d) for r, d in zip(runs, dirs)]
    keys = set(cells[0])
    for d, c in zip(dirs[1:], cells[1:]):
        if set(c) != keys:
            missing = sorted(keys ^ set(c))[:5]
            raise BenchError(f"{d} and {dirs[0]} do not hold the same (system, document) items, e.g. {missing}",
                             "meta-evaluate runs of one dataset and selection")
    systems = tuple(sorted({s for s, _ in keys}, key=natural_key))
    docs = tuple(sorted({d for _, d in keys}, key=natural_key))
    absent = [(s, d) for s in systems for d in docs if (s, d) not in keys]
    if absent:
        raise BenchError(f"not every system has every document: {', '.join(f'{s} on {d}' for s, d in absent[:5])}"
                         + (f" and {len(absent) - 5} more" if len(absent) > 5 else ""),
                         "meta-evaluate a complete systems x documents grid")
    first = cells[0]
    joined = _judgments(judgments) if judgments else None

    def human_value(item, path):
        source = joined.get(item.id) if joined is not None else item.metadata
        if source is None:
            raise BenchError(f"{judgments} has no judgment for item {item.id}", "give every item a judgment line")
        try:
            return lookup(source, path)
        except KeyError:
            raise BenchError(f"item {item.id} has no human score {path!r}; fields present: "
                             f"{', '.join(fields(source)) or '(none)'}",
                             "name human fields (humans=) the items (or the judgments file) have") from None

    def origin(item) -> str:
        return f"item {item.id} of {judgments}" if joined is not None else f"item {item.id}"

    human: dict[str, np.ndarray] = {}
    for path in humans:
        grid = np.array([[_human_score(human_value(first[(s, d)], path), origin(first[(s, d)]), path) for d in docs]
                         for s in systems])
        if annotators:
            group, _, dim = path.rpartition(".")
            try:
                per = [[lookup(first[(s, d)].metadata, f"annotators.{group}") for d in docs] for s in systems]
            except KeyError:
                raise BenchError(f"the items have no per-annotator scores for {path} (metadata annotators.{group})",
                                 "resample annotators only for a dataset that has them "
                                 "(dataset=summeval_annotations)") from None
            counts = {len(a) for row in per for a in row}
            if len(counts) != 1:
                raise BenchError(f"items have different numbers of {group} annotators ({sorted(counts)})",
                                 "resample annotators only when every item has the same annotators")
            n_ann = next(iter(counts))
            where = f"annotators.{group}[].{dim}"
            grid = np.stack([np.array([[_human_score(per[i][j][k].get(dim), f"item {first[(s, d)].id}", where)
                                        for j, d in enumerate(docs)] for i, s in enumerate(systems)])
                             for k in range(n_ann)])  # annotators x systems x documents
        human[path] = grid
    matrices: dict[str, np.ndarray] = {}
    runs_of: dict[str, str] = {}
    stats_of: dict[str, tuple[str, str]] = {}
    signatures: dict[str, str] = {}
    lower: set[str] = set()
    rates: dict[str, str] = {}
    names = {m for r in runs for m in r.metrics}
    if metrics:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise BenchError(f"no metric {', '.join(unknown)} in the run(s)", f"choose from {', '.join(sorted(names))}")
    # a metric several runs hold is named by what tells those runs apart, as every other view names them
    named = labels.of(runs) if len(runs) > 1 else None
    legend: list[str] = []
    for metric in sorted(metrics or names, key=lambda m: (not m.startswith("rouge"), m)):
        holders = [k for k, r in enumerate(runs) if metric in r.metrics]
        several = len(holders) > 1 and named is not None
        if several:
            legend = list(named.legend)
        for k in holders:
            label = f"{metric}[{named.short[k]}]" if several else metric
            summary = runs[k].metrics[metric]
            chosen = choose_stats(list(summary.stats), stat, summary.primary)
            if not chosen:  # as bench.stats.pairing does for a leaderboard: never an empty table
                raise BenchError(f"metric {metric} has no stat {stat!r}",
                                 f"choose from {', '.join(summary.stats)} or all")
            for st in chosen:
                name = label if len(chosen) == 1 else f"{label}.{st}"
                matrices[name] = np.array([[cells[k][(s, d)].scores[metric][st] for d in docs] for s in systems])
                unparsed = int(np.isnan(matrices[name]).sum())  # NaN: a missing value (an unparsed judge answer)
                if unparsed:  # a correlation over the full grid has no place for a hole, and dropping cells would
                    # change what is correlated at every level: refuse, never impute
                    raise BenchError(f"metric {metric} has {unparsed} item(s) without a value (unparsed judge answers); "
                                     "meta-evaluation needs a value on every (system, document)",
                                     "rescore them (e.g. scoring=logprobs) or leave the metric out (metrics=[...])")
                if not summary.higher_is_better:
                    matrices[name] = -matrices[name]
                    lower.add(name)
                runs_of[name] = str(dirs[k])
                stats_of[name] = (label, st)
                signatures[name] = summary.signature
                if summary.facts.dimension is not None:
                    rates[name] = summary.facts.dimension
    return Scores(systems, docs, matrices, runs_of, stats_of, human, signatures, _agreement(first, humans),
                  frozenset(lower), tuple(legend), tuple(Source.of(r, d) for r, d in zip(runs, dirs)), rates)


def _agreement(cells: Mapping[tuple[str, str], Any], humans: Sequence[str]) -> dict[str, float | None]:
    """Inter-annotator agreement (Krippendorff's alpha, interval) of each human field whose items carry
    their annotators' scores (``metadata.annotators.<group>``): the ceiling a metric can be held to."""
    items = list(cells.values())
    out: dict[str, float | None] = {}
    for path in humans:
        group, _, dim = path.rpartition(".")
        if not group or not all(isinstance(it.metadata.get("annotators"), Mapping) and group in it.metadata["annotators"]
                                for it in items):
            continue
        alpha = krippendorff_alpha(annotator_matrix(items, group, dim), "interval")
        out[path] = None if alpha != alpha else float(alpha)
    return out


def _stream(seed: int, *salt: str) -> np.random.Generator:
    return resample.rng(seed, *salt)


def evaluate(scores: Scores, spec: MetaSpec) -> MetaEvaluation:
    """The meta-evaluation of ``scores`` under ``spec`` (pure: no disk, no printing)."""
    m, n = len(scores.systems), len(scores.docs)
    draws = meta.draw(np.random.default_rng(spec.seed), m, n, spec.resamples, spec.scheme)
    means = {h: (Z.mean(axis=0) if Z.ndim == 3 else Z) for h, Z in scores.humans.items()}
    w = meta.weights(draws, m, n)  # one object: batches sharing it share their resamples
    human_batches = {}
    for h, Z in scores.humans.items():
        ann = None
        if spec.resample_annotators and Z.ndim == 3:  # one stream per panel size, whatever else is resampled
            ann = _stream(spec.seed, "annotators", str(Z.shape[0])).integers(0, Z.shape[0], (spec.resamples, Z.shape[0]))
        human_batches[h] = correlation.Batch(meta.gather_human(Z, draws, ann), None if ann is not None else means[h],
                                             None if ann is not None else w)
    metric_batches = {k: correlation.Batch(meta.gather(X, draws), X, w) for k, X in scores.metrics.items()}
    rows: list[Correlation] = []
    pairs = sum(len(scores.humans_of(k, spec.pairing)) for k in scores.metrics)
    with stage("meta: intervals", pairs, unit="metric-dimension") as bar:
        _intervals(scores, spec, means, metric_batches, human_batches, rows, bar)
    rows, comparisons = _compare(scores, spec, means, rows)
    return MetaEvaluation(spec.signature, m, n, tuple(rows), tuple(comparisons), dict(scores.signatures),
                          scores.sources, dict(scores.agreement), "interval" if scores.agreement else None,
                          scores.legend)


def _ci(bounds: tuple[float, float] | None) -> Interval | None:
    return None if bounds is None else Interval(*bounds)


def _intervals(scores, spec, means, metric_batches, human_batches, rows, bar) -> None:
    m = len(scores.systems)
    for key, X in scores.metrics.items():
        label, stat = scores.metric_stats[key]
        higher = key not in scores.lower_is_better
        humans = scores.humans_of(key, spec.pairing)
        for h in humans:
            bar.update(1)
            for level in spec.levels:
                for coef in (c for c in spec.coefficients if c in correlation.COEFFICIENTS):
                    v = correlation.value(X, means[h], level, coef, spec.constant)
                    draws_v = correlation.correlate(metric_batches[key], human_batches[h], level, coef, spec.constant)
                    ci = meta.percentile_interval(draws_v, spec.level)
                    rows.append(Correlation(scores.metric_runs[key], label, stat, h, higher, level, coef, _num(v.value),
                                            _ci(ci), v.used, v.skipped, int(np.count_nonzero(~np.isnan(draws_v)))))
        if m >= 2 and "system" in spec.levels and "pairwise_accuracy" in spec.coefficients:
            for h in humans:
                acc = float(correlation.pairwise_accuracy(X.mean(axis=1), means[h].mean(axis=1)))
                boot = correlation.pairwise_accuracy(metric_batches[key].view("system"), human_batches[h].view("system"))
                ci = meta.percentile_interval(boot, spec.level)
                rows.append(Correlation(scores.metric_runs[key], label, stat, h, higher, "system", "pairwise_accuracy",
                                        _num(acc), _ci(ci), 1, 0, int(np.count_nonzero(~np.isnan(boot)))))


def _num(x: float) -> float | None:
    return None if x != x else float(x)  # JSON has no NaN: an undefined correlation is null


def _compare(scores: Scores, spec: MetaSpec, means: Mapping[str, np.ndarray],
             rows: list[Correlation]) -> tuple[list[Correlation], list[MetricTest]]:
    """The metric-vs-metric tests of every compared cell, and the rows with their rank and cluster there."""
    out: list[MetricTest] = []
    placed: dict[tuple, tuple[int, int]] = {}
    # per human dimension, the metrics correlated with it (a judge of another dimension is not)
    cells = {h: [k for k in scores.metrics if h in scores.humans_of(k, spec.pairing)] for h in scores.humans}
    total = sum(len(spec.compare) * len(spec.tests) * len(ks) * (len(ks) - 1) // 2 for ks in cells.values())
    if total == 0:
        return rows, out
    with stage("meta: tests", total, unit="test") as bar:
        for h, keys in cells.items():
            if len(keys) >= 2:
                _compare_cells(scores, spec, means, keys, out, placed, bar, (h,))
    rows = [replace(r, rank=placed[where][0], cluster=placed[where][1]) if where in placed else r
            for r, where in ((r, (r.metric, r.stat, r.human, r.level, r.coefficient)) for r in rows)]
    return rows, out


def _compare_cells(scores, spec, means, keys, out, placed, bar, humans) -> None:
    for h in humans:
        for level, coef in spec.compare:
            value = {k: correlation.value(scores.metrics[k], means[h], level, coef, spec.constant).value for k in keys}
            order = sorted(range(len(keys)), key=lambda i: (-(value[keys[i]] if value[keys[i]] == value[keys[i]] else -2), keys[i]))
            pairs = [(order[i], order[j]) for i in range(len(order)) for j in range(i + 1, len(order))]
            separated = {p: False for p in pairs}
            for test in spec.tests:
                ps = []
                for a, b in pairs:
                    bar.update(1)
                    X, Y = scores.metrics[keys[a]], scores.metrics[keys[b]]
                    if test == "williams":
                        ps.append(meta.williams_p(X, Y, means[h], level, coef, spec.constant))
                    else:
                        gen = _stream(spec.seed, "perm", test, h, level, coef, keys[a], keys[b])
                        ps.append(meta.permutation_p(X, Y, means[h], level, coef, spec.constant, test,
                                                     spec.test_resamples, gen))
                p_arr = np.array([1.0 if p != p else p for p in ps])
                adjusted = correction.adjust(p_arr, spec.correction)
                for (a, b), p, q in zip(pairs, ps, adjusted):
                    hit = bool(q < spec.alpha)
                    separated[(a, b)] |= hit
                    la, sa = scores.metric_stats[keys[a]]
                    lb, sb = scores.metric_stats[keys[b]]
                    out.append(MetricTest(la, sa, lb, sb, h, level, coef, test, _num(p), float(q), hit))
            pos = {s: i for i, s in enumerate(order)}
            cluster = ranking.clusters(order, lambda i, j: separated[(i, j) if pos[i] < pos[j] else (j, i)])
            for i, k in enumerate(keys):
                label, stat = scores.metric_stats[k]
                placed[(label, stat, h, level, coef)] = (1 + sum(1 for other in cluster.values() if other < cluster[i]),
                                                         cluster[i])
