"""bench.metrics.multiref: the four policies, as a table of (rows, policy) -> row."""

from __future__ import annotations

import pytest

from bench.errors import BenchError
from bench.metrics import multiref

# (P, R, F) rows for one candidate against three references; F is the primary stat (index 2).
ROWS = [(0.50, 0.20, 0.30), (0.40, 0.60, 0.48), (0.90, 0.10, 0.18)]

CASES = [
    # id, rows, policy, expected
    ("max-by-f", ROWS, "max", (0.40, 0.60, 0.48)),
    ("max_each", ROWS, "max_each", (0.90, 0.60, 0.48)),
    ("mean", ROWS, "mean", ((0.50 + 0.40 + 0.90) / 3, (0.20 + 0.60 + 0.10) / 3, (0.30 + 0.48 + 0.18) / 3)),
    ("first", ROWS, "first", (0.50, 0.20, 0.30)),
    ("single-max", ROWS[:1], "max", ROWS[0]),
    ("single-max_each", ROWS[:1], "max_each", ROWS[0]),
    ("single-mean", ROWS[:1], "mean", ROWS[0]),
    ("single-first", ROWS[:1], "first", ROWS[0]),
    ("tie-goes-to-first", [(0.1, 0.9, 0.5), (0.9, 0.1, 0.5), (0.2, 0.2, 0.2)], "max", (0.1, 0.9, 0.5)),
    ("max-ignores-p-and-r", [(1.0, 1.0, 0.1), (0.0, 0.0, 0.2)], "max", (0.0, 0.0, 0.2)),
    ("negative-rescaled", [(-0.2, -0.1, -0.15), (-0.3, 0.4, -0.05)], "max", (-0.3, 0.4, -0.05)),
    ("max_each-negative", [(-0.2, -0.1, -0.15), (-0.3, 0.4, -0.05)], "max_each", (-0.2, 0.4, -0.05)),
    # fsum: the exactly rounded mean (a naive left-to-right sum gives 0.0 here)
    ("mean-exactly-rounded", [(1e16, 1.0, 1.0), (1.0, 1.0, 1.0), (-1e16, 1.0, 1.0)], "mean", (1 / 3, 1.0, 1.0)),
]


@pytest.mark.parametrize("rows, policy, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_reduce(rows, policy, expected):
    got = multiref.reduce(rows, policy, primary=2)
    assert got == pytest.approx(expected, abs=1e-15)
    assert len(got) == len(expected)


def test_max_returns_a_real_row():
    # `max` keeps P, R, F of one reference together; `max_each` may mix references.
    assert multiref.reduce(ROWS, "max", 2) in ROWS
    assert multiref.reduce(ROWS, "max_each", 2) not in ROWS


@pytest.mark.parametrize("primary, expected", [(0, ROWS[2]), (1, ROWS[1]), (2, ROWS[1])])
def test_max_uses_the_primary_stat(primary, expected):
    assert multiref.reduce(ROWS, "max", primary) == expected


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("max", ((0.40, 0.60, 0.48), (0.7, 0.7, 0.7), (0.2, 0.3, 0.25))),
        ("first", ((0.50, 0.20, 0.30), (0.7, 0.7, 0.7), (0.1, 0.1, 0.1))),
        ("max_each", ((0.90, 0.60, 0.48), (0.7, 0.7, 0.7), (0.2, 0.3, 0.25))),
    ],
)
def test_group_splits_item_major_rows(policy, expected):
    flat = [*ROWS, (0.7, 0.7, 0.7), (0.1, 0.1, 0.1), (0.2, 0.3, 0.25)]
    assert multiref.group(flat, [3, 1, 2], policy, primary=2) == expected


def test_group_of_uniform_counts_matches_reduce():
    flat = [(k / 10, (10 - k) / 10, (k % 4) / 10) for k in range(12)]
    for policy in multiref.POLICIES:
        expected = tuple(multiref.reduce(flat[i : i + 4], policy, 2) for i in (0, 4, 8))
        assert multiref.group(flat, [4, 4, 4], policy, 2) == expected


@pytest.mark.parametrize("policy, hint", [("maximum", "did you mean 'max'"), ("avg", "valid choices: first, max, max_each, mean")])
def test_unknown_policy(policy, hint):
    for call in (lambda: multiref.check_policy(policy), lambda: multiref.reduce(ROWS, policy, 2),
                 lambda: multiref.group(ROWS, [3], policy, 2)):
        with pytest.raises(BenchError) as info:
            call()
        assert f"multi-reference policy (multiref) {policy!r}" in str(info.value)
        assert hint in str(info.value)


def test_policies_are_the_documented_four():
    assert set(multiref.POLICIES) == {"max", "max_each", "mean", "first"}
