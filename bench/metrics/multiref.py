"""Multiple references: one rule, applied the same way to every metric.

Each metric first scores the candidate against every reference, giving one
row of stats per reference; the policy then reduces those rows to one.

- ``max``       the row of the reference with the highest primary stat (F);
                ties go to the first reference. Same as rouge-score's
                ``RougeScorer.score_multi``.
- ``max_each``  each stat's own maximum over references (P, R and F may come
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


def _max(rows: Sequence[Row], primary: int) -> Row:
    best = max(range(len(rows)), key=lambda i: rows[i][primary])
    return rows[best]


def _max_each(rows: Sequence[Row], primary: int) -> Row:
    return tuple(max(col) for col in zip(*rows))


def _mean(rows: Sequence[Row], primary: int) -> Row:
    return tuple(fsum(col) / len(rows) for col in zip(*rows))


def _first(rows: Sequence[Row], primary: int) -> Row:
    return rows[0]


POLICIES = {"max": _max, "max_each": _max_each, "mean": _mean, "first": _first}


def check_policy(policy: str) -> None:
    if policy not in POLICIES:
        raise unknown_choice("multi-reference policy (multiref)", policy, POLICIES)


def reduce(rows: Sequence[Row], policy: str, primary: int) -> Row:
    check_policy(policy)
    return POLICIES[policy](rows, primary)


def group(flat: Sequence[Row], counts: Sequence[int], policy: str, primary: int) -> tuple[Row, ...]:
    """Split per-pair rows (item-major) into per-item groups and reduce each."""
    check_policy(policy)
    out, start = [], 0
    for n in counts:
        out.append(POLICIES[policy](flat[start : start + n], primary))
        start += n
    return tuple(out)
