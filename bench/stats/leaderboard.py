"""A leaderboard of systems scored on the same documents: means with intervals, all-pairs
tests with a multiple-comparison correction, and significance clusters.

Input is one systems x documents matrix per (metric, stat), already paired
(``bench.stats.pairing``); output is tidy rows, the JSON contract of
``bench systems``. For each (metric, stat):

- each system's mean gets a percentile bootstrap interval over documents;
- every pair is tested by each test in ``spec.tests`` (``bench.stats.paired``),
  on the same seeded resamples for every pair;
- the p-values of one test over all pairs form one family for the correction
  (Holm by default); a pair is *significant* for a test when its adjusted p is
  below ``alpha``;
- clusters (``bench.stats.ranking``): a pair is separated when any test run
  finds it significant; ``rank`` is the competition rank of the cluster
  (1 + the number of systems in better clusters), so systems that share a
  cluster share a rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from bench.stats import correction, paired, ranking
from bench.stats.intervals import BootSpec, mean_intervals

SCHEMA_VERSION = 1


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
        """``systems|tests:bootstrap,ar|resamples:10000|seed:0|correction:holm|alpha:0.05|ci:95|boot:1000|unit:doc``."""
        from bench.signature import Signature

        return str(Signature("systems", (
            ("tests", ",".join(self.tests)), ("resamples", str(self.resamples)), ("seed", str(self.seed)),
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


@dataclass(frozen=True)
class SystemRow:
    """One system's line for one metric's stat."""

    system: str
    metric: str
    stat: str
    mean: float
    ci: tuple[float, float] | None
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
class Leaderboard:
    """Everything ``bench systems`` decided, with the signature of what produced it."""

    signature: str
    systems: tuple[SystemRow, ...]
    pairs: tuple[PairRow, ...]
    metric_signatures: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The tidy-rows JSON contract (``schema_version`` 1)."""
        def num(x: float) -> float:
            return float(x)

        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "systems",
            "signature": self.signature,
            "metric_signatures": dict(self.metric_signatures),
            "sources": [dict(s) for s in self.sources],
            "notes": list(self.notes),
            "systems": [
                {"system": r.system, "metric": r.metric, "stat": r.stat, "mean": num(r.mean),
                 "ci": None if r.ci is None else [num(r.ci[0]), num(r.ci[1])],
                 "n_docs": r.n_docs, "rank": r.rank, "cluster": r.cluster}
                for r in self.systems
            ],
            "pairs": [
                {"a": r.a, "b": r.b, "metric": r.metric, "stat": r.stat, "delta": num(r.delta), "test": r.test,
                 "p": num(r.p), "p_adjusted": num(r.p_adjusted), "significant": r.significant}
                for r in self.pairs
            ],
        }


def _rank_one(table: Table, spec: SystemsSpec) -> tuple[list[SystemRow], list[PairRow]]:
    k, n = table.scores.shape
    means = table.scores.mean(axis=1)
    sign = 1.0 if table.higher_is_better else -1.0
    order = sorted(range(k), key=lambda s: (-sign * means[s], table.systems[s]))
    position = {s: i for i, s in enumerate(order)}
    # a before b in the ranking, so delta reads "how much the better-ranked system leads"
    pairs = [(order[i], order[j]) for i in range(k) for j in range(i + 1, k)]
    significant: dict[tuple[int, int], bool] = {p: False for p in pairs}
    pair_rows: list[PairRow] = []
    for test in spec.tests:
        gen = np.random.default_rng(spec.seed)
        if test == "bootstrap":
            result = paired.paired_bootstrap(table.scores, pairs, spec.resamples, gen, spec.level)
        else:
            result = paired.approximate_randomization(table.scores, pairs, spec.resamples, gen)
        adjusted = correction.adjust(result.p, spec.correction)
        for (a, b), delta, p, q in zip(pairs, result.delta, result.p, adjusted):
            hit = bool(q < spec.alpha)
            significant[(a, b)] |= hit
            pair_rows.append(PairRow(table.systems[a], table.systems[b], table.metric, table.stat,
                                     float(delta), test, float(p), float(q), hit))
    cluster = ranking.clusters(order, lambda i, j: significant[(i, j) if position[i] < position[j] else (j, i)])
    sizes = [sum(1 for s in order if cluster[s] == c) for c in range(1, max(cluster.values()) + 1)]
    rank_of = {c: 1 + sum(sizes[: c - 1]) for c in range(1, len(sizes) + 1)}
    cis = mean_intervals(table.scores.T, None, BootSpec(resamples=spec.ci_resamples, level=spec.level, seed=spec.seed),
                         np.random.default_rng(spec.seed))
    system_rows = [
        SystemRow(table.systems[s], table.metric, table.stat, float(means[s]),
                  None if cis[s] is None else (cis[s].lo, cis[s].hi), n, rank_of[cluster[s]], cluster[s])
        for s in order
    ]
    return system_rows, pair_rows


def leaderboard(tables: Sequence[Table], spec: SystemsSpec, metric_signatures: Mapping[str, str] | None = None,
                sources: Sequence[Mapping[str, Any]] = (), done: Callable[[int], None] | None = None) -> Leaderboard:
    """Rank the systems of every table under ``spec`` (pure: no disk, no printing; ``done(1)`` after each
    table lets a caller show progress)."""
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
    return Leaderboard(spec.signature, tuple(systems), tuple(pairs), dict(metric_signatures or {}), tuple(sources),
                       (note,) if note else ())
