"""A leaderboard of systems scored on the same documents: means with intervals, all-pairs
tests with a multiple-comparison correction, and significance clusters.

Input is one systems x documents matrix per (metric, stat), already paired
(``bench.stats.pairing``); output is tidy rows (``Ranking``), what
``bench systems`` stores. For each (metric, stat):

- each system's mean gets the interval bench gives that mean everywhere
  (``intervals.unit_intervals``: documents as units, in natural order, one
  stream per system name, as a run's ``group_by`` groups draw theirs);
- every pair is tested by each test in ``spec.tests`` (``bench.stats.paired``),
  on the same seeded resamples for every pair;
- the p-values of one test over all pairs form one family for the correction
  (Holm by default); a pair is *significant* for a test when its adjusted p is
  below ``alpha``;
- clusters (``bench.stats.ranking``) come from ONE declared rule,
  ``spec.cluster_test``: a pair is separated when that test finds it
  significant (``max``: when both do, i.e. the larger adjusted p is below
  alpha, an intersection-union test, valid because each test is). The other
  tests are reported beside it and decide nothing. Taking "any test" (the
  smaller p) would reject more often than either test alone. ``rank`` is the
  competition rank of the cluster (1 + the number of systems in better
  clusters), so systems that share a cluster share a rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from bench.stats import correction, paired, ranking
from bench.stats.intervals import BootSpec, natural_key, unit_intervals
from bench.values import Interval

# The rules clusters can come from: one test, or both at once (the larger adjusted p).
CLUSTER_TESTS = ("ar", "bootstrap", "max")


@dataclass(frozen=True)
class SystemsSpec:
    """The settings of a leaderboard; all of them are in its signature."""

    tests: tuple[str, ...] = ("bootstrap", "ar")
    # A Monte-Carlo p-value is at least 1/(B+1): with B = 1,000 and Holm over the 120 pairs of
    # 16 systems the smallest adjusted p is 0.12, so nothing could ever be significant. 10,000
    # (sacrebleu's default for randomisation) puts the floor at 0.012; intervals need far fewer.
    resamples: int = 10000
    ci_resamples: int = 1000
    seed: int = 0
    correction: str = "holm"
    alpha: float = 0.05
    level: float = 0.95
    # AR by default: it is exact under the null a leaderboard tests (the two outputs of a document
    # are exchangeable), it reproduces sacrebleu's p exactly, and its 16-system false-split rate
    # is the measured one in docs/statistics.md. The bootstrap-t is an approximation to that.
    cluster_test: str = "ar"

    def __post_init__(self) -> None:
        from bench.stats.checks import choices, fraction, whole

        choices("tests", "test(s)", self.tests, paired.TESTS)
        choices("correction", "correction", (self.correction,), correction.CORRECTIONS)
        fraction("alpha", self.alpha, 0.05)
        whole("resamples", self.resamples, 1, 10000)
        whole("ci_resamples", self.ci_resamples, 1, 1000)
        whole("seed", self.seed, 0, 0)
        fraction("level", self.level, 0.95)
        BootSpec(resamples=self.ci_resamples, level=self.level, seed=self.seed)  # same checks for the interval

    def cluster_tests(self) -> tuple[str, ...]:
        """The tests the cluster rule reads; a BenchError when ``tests`` does not run them."""
        from bench.errors import BenchError

        if self.cluster_test not in CLUSTER_TESTS:
            raise BenchError(f"unknown cluster test {self.cluster_test!r}", f"cluster_test takes any of {', '.join(CLUSTER_TESTS)}")
        needed = ("bootstrap", "ar") if self.cluster_test == "max" else (self.cluster_test,)
        missing = [t for t in needed if t not in self.tests]
        if missing:
            raise BenchError(f"clusters come from cluster_test={self.cluster_test}, which needs {', '.join(missing)} "
                             f"that tests does not run", f"add {', '.join(missing)} to tests, or choose another cluster_test")
        return needed

    def interval_spec(self, unit: str = "doc") -> BootSpec:
        """The interval settings of every system's mean (the same object a run's ``ci`` resolves to)."""
        return BootSpec(resamples=self.ci_resamples, level=self.level, unit=unit, seed=self.seed)

    def resolution_note(self, pairs: int) -> str | None:
        """Why no pair can be significant, when the resample count alone forbids it."""
        floor = correction.adjust([1.0 / (self.resamples + 1)] * max(pairs, 1), self.correction).min()
        if floor >= self.alpha:
            return (f"with {self.resamples} resamples the smallest p is 1/{self.resamples + 1}, and after "
                    f"{self.correction} over {pairs} pairs it is {floor:.3g} >= alpha {self.alpha:g}: no pair can be "
                    f"significant; raise the resamples")
        return None

    @property
    def signature(self) -> str:
        """``systems|tests:bootstrap,ar|clusters:ar|resamples:10000|seed:0|correction:holm|alpha:0.05|ci:95|boot:1000|unit:doc``."""
        from bench.signature import Signature

        return str(Signature("systems", (
            ("tests", ",".join(self.tests)), ("clusters", self.cluster_test), ("resamples", str(self.resamples)),
            ("seed", str(self.seed)),
            ("correction", self.correction), ("alpha", f"{self.alpha:g}"), ("ci", f"{self.level * 100:g}"),
            ("boot", str(self.ci_resamples)), ("unit", "doc"))))


@dataclass(frozen=True)
class Table:
    """One (metric, stat): a systems x documents score matrix and the metric's direction."""

    metric: str
    stat: str
    systems: tuple[str, ...]
    docs: tuple[str, ...]
    scores: np.ndarray  # len(systems) x len(docs)
    higher_is_better: bool = True
    # The resampling unit of each column (default: the column's document id) and its kind; with
    # ``per_system`` each system draws from its own stream salted by its name (a run's groups), else
    # from the run's unsalted stream (one run per system: the run's own ``intervals``).
    units: tuple[str, ...] | None = None
    unit: str = "doc"
    per_system: bool = True
    # documents (or items) left out because some system has no value on them (unparsed LLM-judge answers)
    left_out: int = 0
    left_out_what: str = "document"


@dataclass(frozen=True)
class SystemRow:
    """One system's line for one metric's stat."""

    system: str
    metric: str
    stat: str
    mean: float
    ci: Interval | None  # None: too few documents for an interval (n/a)
    n_docs: int
    rank: int
    cluster: int


@dataclass(frozen=True)
class PairRow:
    """One test of one pair (``a`` ranks above ``b`` by mean; ``delta`` = mean a - mean b)."""

    a: str
    b: str
    metric: str
    stat: str
    delta: float
    test: str
    p: float
    p_adjusted: float
    significant: bool


@dataclass(frozen=True)
class Ranking:
    """Everything the statistics of a leaderboard decided, with the signature of the settings that did
    (``bench.analysis.systems.Leaderboard`` adds which runs and metric settings it ranks)."""

    signature: str
    systems: tuple[SystemRow, ...]
    pairs: tuple[PairRow, ...]
    notes: tuple[str, ...] = ()
    cluster_test: str = "ar"
    interval_signature: str = ""


def _rank_one(table: Table, spec: SystemsSpec) -> tuple[list[SystemRow], list[PairRow]]:
    k, n = table.scores.shape
    means = table.scores.mean(axis=1)
    sign = 1.0 if table.higher_is_better else -1.0
    # exact ties (equal means) in natural order of their names, as every view lists names: M2 before M10
    order = sorted(range(k), key=lambda s: (-sign * means[s], natural_key(table.systems[s])))
    position = {s: i for i, s in enumerate(order)}
    # a before b in the ranking, so delta reads "how much the better-ranked system leads"
    pairs = [(order[i], order[j]) for i in range(k) for j in range(i + 1, k)]
    adjusted_of: dict[str, np.ndarray] = {}
    p_of: dict[str, np.ndarray] = {}
    pair_rows: list[PairRow] = []
    for test in spec.tests:
        gen = np.random.default_rng(spec.seed)
        if test == "bootstrap":
            result = paired.paired_bootstrap(table.scores, pairs, spec.resamples, gen, spec.level)
        else:
            result = paired.approximate_randomization(table.scores, pairs, spec.resamples, gen)
        adjusted = correction.adjust(result.p, spec.correction)
        adjusted_of[test], p_of[test] = adjusted, result.p
        for (a, b), delta, p, q in zip(pairs, result.delta, result.p, adjusted):
            pair_rows.append(PairRow(table.systems[a], table.systems[b], table.metric, table.stat,
                                     float(delta), test, float(p), float(q), bool(q < spec.alpha)))
    if spec.cluster_test == "max":  # both tests must separate: the larger of the two adjusted p-values
        deltas = [r.delta for r in pair_rows[: len(pairs)]]
        p_max = np.maximum(p_of["bootstrap"], p_of["ar"])
        adjusted_of["max"] = np.maximum(adjusted_of["bootstrap"], adjusted_of["ar"])
        for (a, b), delta, p, q in zip(pairs, deltas, p_max, adjusted_of["max"]):
            pair_rows.append(PairRow(table.systems[a], table.systems[b], table.metric, table.stat,
                                     float(delta), "max", float(p), float(q), bool(q < spec.alpha)))
    significant = {pair: bool(q < spec.alpha) for pair, q in zip(pairs, adjusted_of[spec.cluster_test])}
    cluster = ranking.clusters(order, lambda i, j: significant[(i, j) if position[i] < position[j] else (j, i)])
    sizes = [sum(1 for s in order if cluster[s] == c) for c in range(1, max(cluster.values()) + 1)]
    rank_of = {c: 1 + sum(sizes[: c - 1]) for c in range(1, len(sizes) + 1)}
    boot = spec.interval_spec(table.unit)
    units = table.units if table.units is not None else table.docs
    cis = [unit_intervals(table.scores[s][:, None], units, boot, *((table.systems[s],) if table.per_system else ()))[0]
           for s in range(k)]
    system_rows = [
        SystemRow(table.systems[s], table.metric, table.stat, float(means[s]),
                  None if cis[s] is None else Interval(cis[s].lo, cis[s].hi), n, rank_of[cluster[s]], cluster[s])
        for s in order
    ]
    return system_rows, pair_rows


def leaderboard(tables: Sequence[Table], spec: SystemsSpec, done: Callable[[int], None] | None = None) -> Ranking:
    """Rank the systems of every table under ``spec`` (pure: no disk, no printing; ``done(1)`` after each
    table lets a caller show progress)."""
    spec.cluster_tests()  # the rule's tests must be run
    systems: list[SystemRow] = []
    pairs: list[PairRow] = []
    for table in tables:
        s, p = _rank_one(table, spec)
        systems += s
        pairs += p
        if done is not None:
            done(1)
    k = max((len(t.systems) for t in tables), default=0)
    note = spec.resolution_note(k * (k - 1) // 2)
    unit = tables[0].unit if tables else "doc"
    left = tuple(f"{t.metric} {t.stat}: {t.left_out} {t.left_out_what}{'s' if t.left_out != 1 else ''} without a value "
                 f"for some system left out (unparsed judge answers); ranked on {len(t.docs)}"
                 for t in tables if t.left_out)
    return Ranking(spec.signature, tuple(systems), tuple(pairs), ((note,) if note else ()) + left, spec.cluster_test,
                   spec.interval_spec(unit).signature)
