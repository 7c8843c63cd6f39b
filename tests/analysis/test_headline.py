"""Leaderboard.headline: the one sentence a reader wants first, read off the leaderboard's own clusters and pairs."""

from __future__ import annotations

from itertools import combinations

from bench.analysis.systems import Leaderboard
from bench.stats.leaderboard import PairRow, SystemRow

SIG = "systems|tests:bootstrap,ar|clusters:{rule}|resamples:100|seed:0|correction:{corr}|alpha:0.05|ci:95|boot:100|unit:doc"


def _board(clusters: list[int], significant: set[tuple[str, str]], rule: str = "ar", corr: str = "holm",
           bootstrap_significant: set[tuple[str, str]] | None = None) -> Leaderboard:
    names = [f"M{i}" for i in range(len(clusters))]
    rows = []
    for i, (name, cluster) in enumerate(zip(names, clusters)):
        rank = 1 + sum(1 for c in clusters if c < cluster)
        rows.append(SystemRow(name, "rouge1", "fmeasure", 0.5 - i / 100, None, 10, rank, cluster))
    pairs = []
    for test, sig in (("bootstrap", bootstrap_significant if bootstrap_significant is not None else significant),
                      ("ar", significant)):
        for a, b in combinations(names, 2):
            pairs.append(PairRow(a, b, "rouge1", "fmeasure", 0.01, test, 0.5, 0.5, (a, b) in sig))
    return Leaderboard(SIG.format(rule=rule, corr=corr), tuple(rows), tuple(pairs), cluster_test=rule)


def test_names_the_systems_tied_with_the_best_and_counts_the_pairs_that_differ():
    board = _board([1, 1, 1, 2, 2], {("M0", "M3"), ("M0", "M4"), ("M1", "M4")})
    assert board.headline("rouge1", "fmeasure") == (
        "3 of 5 systems are statistically indistinguishable from the best (M0) at alpha 0.05: M0, M1, M2 "
        "(ar test after holm correction; they are the top cluster: no pair among them differs); 3 of 10 pairs differ.")
    assert [r.system for r in board.top_cluster("rouge1", "fmeasure")] == ["M0", "M1", "M2"]


def test_a_system_below_the_greedy_top_cluster_that_the_best_does_not_beat_is_counted_with_the_best():
    # M1 separates M2 (so the greedy walk opens cluster 2 at M2), but M0, the best, does not: M2 is
    # indistinguishable from the best without being in the top cluster, and the sentence says both
    board = _board([1, 1, 2, 2], {("M1", "M2"), ("M0", "M3"), ("M1", "M3")})
    assert board.headline("rouge1", "fmeasure") == (
        "3 of 4 systems are statistically indistinguishable from the best (M0) at alpha 0.05: M0, M1, M2 "
        "(ar test after holm correction; the top cluster, in which no pair differs, is M0, M1); 3 of 6 pairs differ.")


def test_a_single_best_system_and_a_board_no_test_splits():
    alone = _board([1, 2, 2], {("M0", "M1"), ("M0", "M2")}, corr="none")
    assert alone.headline("rouge1", "fmeasure") == (
        "M0 is significantly better than every other system at alpha 0.05 (ar test without correction); "
        "2 of 3 pairs differ.")
    tied = _board([1, 1, 1], set())
    assert tied.headline("rouge1", "fmeasure").startswith("all 3 systems are statistically indistinguishable")
    # the best is not separated from M2 although the greedy clusters put M2 apart: not "better than every other"
    greedy = _board([1, 2, 3], {("M0", "M1"), ("M1", "M2")})
    assert greedy.headline("rouge1", "fmeasure").startswith("2 of 3 systems are statistically indistinguishable")
    assert "the top cluster is M0 alone" in greedy.headline("rouge1", "fmeasure")


def test_the_max_rule_counts_a_pair_only_when_both_tests_separate_it():
    board = _board([1, 2, 2], {("M0", "M1"), ("M0", "M2")}, rule="max", bootstrap_significant={("M0", "M1")})
    text = board.headline("rouge1", "fmeasure")
    assert "both bootstrap and ar tests" in text and text.endswith("1 of 3 pairs differ.")


def test_an_unknown_metric_and_a_single_system_say_so():
    assert _board([1, 2], {("M0", "M1")}).headline("bleu", "score") == "bleu score: no systems ranked."
    assert _board([1], set()).headline("rouge1", "fmeasure") == "M0 is the only system."


def test_exact_ties_read_in_natural_order_whatever_order_a_stored_leaderboard_holds():
    # a leaderboard stored before ties were ranked by natural order lists M10 before M2
    rows = (SystemRow("M10", "rouge1", "fmeasure", 0.5, None, 10, 1, 1),
            SystemRow("M2", "rouge1", "fmeasure", 0.5, None, 10, 1, 1),
            SystemRow("M1", "rouge1", "fmeasure", 0.4, None, 10, 3, 2))
    pairs = tuple(PairRow(a, b, "rouge1", "fmeasure", 0.0, "ar", 0.5, 0.5, b == "M1")
                  for a, b in (("M10", "M2"), ("M10", "M1"), ("M2", "M1")))
    board = Leaderboard(SIG.format(rule="ar", corr="holm"), rows, pairs)
    assert [r.system for r in board.rows("rouge1", "fmeasure")] == ["M2", "M10", "M1"]
    assert board.headline("rouge1", "fmeasure").startswith(
        "2 of 3 systems are statistically indistinguishable from the best (M2) at alpha 0.05: M2, M10 ")
