"""The leaderboard: its numbers are those of the parts it is made of, and its clusters obey their rule."""

import itertools

import numpy as np
import pytest

from bench.errors import BenchError
from bench.stats import correction, paired, resample
from bench.stats.intervals import BootSpec, mean_intervals
from bench.stats.leaderboard import SystemsSpec, Table, leaderboard


def _table(k=6, n=60, spread=0.03, higher=True, seed=0):
    g = np.random.default_rng(seed)
    base = g.beta(4, 6, n)
    scores = np.stack([base + spread * s + g.normal(0, 0.02, n) for s in range(k)])
    return Table("rouge1", "fmeasure", tuple(f"S{s}" for s in range(k)), tuple(f"d{d}" for d in range(n)), scores, higher)


def test_rows_are_the_tests_intervals_and_correction_they_claim():
    t = _table()
    spec = SystemsSpec(resamples=2000, ci_resamples=500)
    lb = leaderboard([t], spec)
    order = [int(r.system[1:]) for r in lb.systems]
    assert order == sorted(range(6), key=lambda s: -t.scores[s].mean())
    pairs = [(order[i], order[j]) for i in range(6) for j in range(i + 1, 6)]
    for test, fn in (("bootstrap", paired.paired_bootstrap), ("ar", paired.approximate_randomization)):
        want = fn(t.scores, pairs, 2000, np.random.default_rng(0))
        rows = [r for r in lb.pairs if r.test == test]
        assert [r.p for r in rows] == list(want.p)
        assert [r.p_adjusted for r in rows] == list(correction.holm(want.p))
        assert [r.delta for r in rows] == pytest.approx(list(want.delta), abs=0)
    for r in lb.systems:  # each system's own stream (salted by its name), documents as units
        s = int(r.system[1:])
        ci = mean_intervals(t.scores[s][:, None], list(t.docs), BootSpec(resamples=500, unit="doc"),
                            resample.rng(0, r.system))[0]
        assert r.ci == (ci.lo, ci.hi) and r.mean == t.scores[s].mean() and r.n_docs == 60
    assert lb.interval_signature == BootSpec(resamples=500, unit="doc").signature


def test_clusters_hold_no_separated_pair_and_ranks_are_shared():
    lb = leaderboard([_table(k=8, spread=0.01)], SystemsSpec(resamples=2000))
    sig = {frozenset((r.a, r.b)) for r in lb.pairs if r.significant}
    by_cluster = {}
    for r in lb.systems:
        by_cluster.setdefault(r.cluster, []).append(r)
    assert len(by_cluster) > 1
    for members in by_cluster.values():
        assert len({m.rank for m in members}) == 1
        for a, b in itertools.combinations(members, 2):
            assert frozenset((a.system, b.system)) not in sig
    ranks = [r.rank for r in lb.systems]
    assert ranks[0] == 1 and ranks == sorted(ranks)


def test_lower_is_better_ranks_the_smallest_first():
    lb = leaderboard([_table(higher=False)], SystemsSpec(resamples=500, tests=("ar",), correction="bh"))
    assert lb.systems[0].system == "S0" and all(r.delta < 0 for r in lb.pairs)


def test_too_few_resamples_for_the_correction_say_so():
    lb = leaderboard([_table(k=16)], SystemsSpec(resamples=1000))
    assert not any(r.significant for r in lb.pairs)
    assert "no pair can be significant; raise the resamples" in lb.notes[0]


def test_one_row_per_system_and_per_pair_and_test():
    lb = leaderboard([_table(k=3)], SystemsSpec(resamples=200))
    assert lb.signature.startswith("systems|tests:bootstrap,ar|clusters:ar|resamples:200|seed:0")
    assert len(lb.systems) == 3 and len(lb.pairs) == 3 * 2


@pytest.mark.parametrize("bad", [dict(tests=("t",)), dict(correction="bonf"), dict(alpha=0), dict(resamples=0)])
def test_bad_settings(bad):
    with pytest.raises(BenchError):
        SystemsSpec(**bad)


def _clusters(lb):
    return [r.cluster for r in lb.systems]


def test_clusters_come_from_the_declared_test_only():
    """Each rule's clusters are those the chosen test's pairs alone make; `max` separates only what both do."""
    t = _table(k=8, spread=0.008, seed=3)
    boards = {rule: leaderboard([t], SystemsSpec(resamples=2000, cluster_test=rule)) for rule in ("ar", "bootstrap", "max")}
    for rule, lb in boards.items():
        sig = {frozenset((r.a, r.b)) for r in lb.pairs if r.test == rule and r.significant}
        members = {}
        for r in lb.systems:
            members.setdefault(r.cluster, []).append(r.system)
        for ms in members.values():
            assert not any(frozenset(p) in sig for p in itertools.combinations(ms, 2))
        assert lb.cluster_test == rule and f"clusters:{rule}" in lb.signature
    both = {(r.a, r.b): r for r in boards["max"].pairs if r.test == "max"}
    for r in boards["max"].pairs:
        if r.test in ("ar", "bootstrap"):
            assert both[(r.a, r.b)].p_adjusted >= r.p_adjusted
    # one pair where the tests disagree: only the rule's test decides (AR alone here)
    assert [x.test for x in boards["ar"].pairs].count("max") == 0


def test_a_cluster_test_the_tests_do_not_run_is_an_error():
    with pytest.raises(BenchError, match="cluster_test=ar"):
        leaderboard([_table(k=3)], SystemsSpec(resamples=200, tests=("bootstrap",)))
    with pytest.raises(BenchError, match="unknown cluster test"):
        leaderboard([_table(k=3)], SystemsSpec(resamples=200, cluster_test="min"))
