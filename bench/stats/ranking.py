"""Significance clusters: systems no test separates share a rank.

Systems are sorted best first (in the metric's direction); walking down, a
system joins the current cluster unless some member of that cluster is
significantly better than it, and then it opens the next cluster (the greedy
rule of WMT's and mt-metrics-eval's rank clusters). So no two members of one
cluster are separated by a test, and every cluster holds a system that is
separated from some member of the cluster above.
"""

from __future__ import annotations

from typing import Callable, Sequence


def clusters(order: Sequence[int], separated: Callable[[int, int], bool]) -> dict[int, int]:
    """Cluster number (1 = best) per system index, for systems in ``order`` (best first);
    ``separated(i, j)`` says whether a test separates systems i and j."""
    out: dict[int, int] = {}
    current: list[int] = []
    rank = 0
    for s in order:
        if not current or any(separated(m, s) for m in current):
            rank += 1
            current = []
        current.append(s)
        out[s] = rank
    return out
