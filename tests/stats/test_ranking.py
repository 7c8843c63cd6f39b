"""Significance clusters."""

from bench.stats.ranking import clusters


def test_no_separation_is_one_cluster():
    assert clusters([2, 0, 1], lambda i, j: False) == {2: 1, 0: 1, 1: 1}


def test_a_member_separated_from_any_cluster_member_opens_the_next():
    sep = {(0, 2), (1, 3), (0, 3), (2, 4), (1, 4), (0, 4)}
    out = clusters([0, 1, 2, 3, 4], lambda i, j: (min(i, j), max(i, j)) in sep)
    assert out == {0: 1, 1: 1, 2: 2, 3: 2, 4: 3}
    for i in out:
        for j in out:
            if out[i] == out[j] and i < j:
                assert (i, j) not in sep
