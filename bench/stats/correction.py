"""Multiple-comparison corrections: adjusted p-values, in the input order.

Holm (1979) controls the family-wise error rate under any dependence between
the tests (all-pairs tests share systems, so they are dependent); Benjamini and
Hochberg (1995) controls the false discovery rate, under independence or
positive dependence, and rejects more. ``none`` leaves p as it is.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

CORRECTIONS = ("holm", "bh", "none")


def holm(p: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values: ``max_{j<=k} (m - j + 1) p_(j)``, capped at 1."""
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def benjamini_hochberg(p: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg step-up adjusted p-values: ``min_{j>=k} m p_(j) / j``, capped at 1."""
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    out = np.empty(m)
    out[order] = adjusted
    return out


def adjust(p: Sequence[float], method: str) -> np.ndarray:
    """Adjusted p-values by ``method`` (holm | bh | none)."""
    if method == "holm":
        return holm(p)
    if method == "bh":
        return benjamini_hochberg(p)
    if method == "none":
        return np.asarray(p, dtype=np.float64).copy()
    raise ValueError(f"unknown correction {method!r}; one of {', '.join(CORRECTIONS)}")
