"""Multiple references: one rule, applied the same way to every metric.

Each metric first scores the candidate against every reference, giving one
row of stats per reference; the policy then reduces those rows to one.

- ``max``       the row of the best reference: the highest primary stat (F),
                or the lowest for a lower-is-better metric; ties go to the first. Same as rouge-score's
                ``RougeScorer.score_multi``.
- ``max_each``  each stat's own best (maximum; minimum if lower is better) over references (P, R and F may come
                from different references). Same as ``bert_score.score`` with
                a list of references per candidate.
- ``mean``      each stat's mean over references.
- ``first``     the first reference only (e.g. the original CNN/DM highlight).
"""

from __future__ import annotations

from math import fsum
from typing import Sequence

from bench.errors import unknown_choice

Row = tuple[float, ...]


def _max(rows: Sequence[Row], primary: int, higher: bool = True) -> Row:
    # "max" is the best reference: the lowest primary stat for a lower-is-better metric
    pick = max if higher else min
    best = pick(range(len(rows)), key=lambda i: rows[i][primary])
    return rows[best]


def _max_each(rows: Sequence[Row], primary: int, higher: bool = True) -> Row:
    pick = max if higher else min
    return tuple(pick(col) for col in zip(*rows))


def _mean(rows: Sequence[Row], primary: int, higher: bool = True) -> Row:
    return tuple(fsum(col) / len(rows) for col in zip(*rows))


def _first(rows: Sequence[Row], primary: int, higher: bool = True) -> Row:
    return rows[0]


POLICIES = {"max": _max, "max_each": _max_each, "mean": _mean, "first": _first}


def check_policy(policy: str) -> None:
    """A one-line error listing the policies when ``policy`` is not one."""
    if policy not in POLICIES:
        raise unknown_choice("multi-reference policy (multiref)", policy, POLICIES)


def reduce(rows: Sequence[Row], policy: str, primary: int, higher_is_better: bool = True) -> Row:
    """One item's rows (one per reference) reduced to one row by ``policy``, in the metric's direction."""
    check_policy(policy)
    return POLICIES[policy](rows, primary, higher_is_better)


def group(flat: Sequence[Row], counts: Sequence[int], policy: str, primary: int, higher_is_better: bool = True) -> tuple[Row, ...]:
    """Split per-pair rows (item-major) into per-item groups and reduce each."""
    check_policy(policy)
    if policy in ("max", "first") and len(flat) == len(counts) and all(n == 1 for n in counts):
        return tuple(flat)  # one reference each: both policies give each item its only row, the same object
    out, start = [], 0
    for n in counts:
        out.append(POLICIES[policy](flat[start : start + n], primary, higher_is_better))
        start += n
    return tuple(out)
