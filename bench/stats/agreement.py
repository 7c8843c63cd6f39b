"""Inter-annotator agreement: Krippendorff's alpha, and annotator resampling for the bootstrap.

Alpha follows Krippendorff's coincidence-matrix definition (Krippendorff, 2011,
"Computing Krippendorff's Alpha-Reliability"): from a reliability matrix
(annotators x units, NaN where an annotator gave no value) every unit with
``m_u >= 2`` pairable values adds each ordered pair of its values, weighted
``1 / (m_u - 1)``, to the coincidence matrix ``o``; its marginals ``n_c`` give
the expected coincidences, and

    alpha = 1 - D_o / D_e = 1 - (n - 1) * sum(o * delta2) / sum(n_c n_k * delta2)

with ``delta2`` the squared difference of the level of measurement (nominal,
ordinal, interval, ratio). Pairs are only ever formed within a unit, so alpha
does not need annotator k of one unit to be annotator k of another: crowd
workers (SummEval's turkers) in arbitrary positions are fine.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _value_counts(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values and, per unit, how many annotators gave each (units x values)."""
    present = ~np.isnan(data)
    values = np.unique(data[present])
    counts = np.zeros((data.shape[1], values.size))
    annotator_idx, unit_idx = np.nonzero(present)
    # searchsorted on the exact distinct values maps each datum to its column without float tolerance.
    np.add.at(counts, (unit_idx, np.searchsorted(values, data[annotator_idx, unit_idx])), 1.0)
    return values, counts


def coincidences(data: np.ndarray | Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and the coincidence matrix ``o`` (values x values) of a reliability matrix.

    ``data`` is annotators x units, NaN for missing. Units with fewer than two values are not
    pairable and add nothing (their ``c c^T - diag(c)`` is zero).
    """
    values, counts = _value_counts(np.asarray(data, dtype=np.float64))
    m_u = counts.sum(axis=1)
    pairable = m_u >= 2
    c = counts[pairable]
    # o_ck = sum_u (n_uc n_uk - [c == k] n_uc) / (m_u - 1)
    weighted = c / (m_u[pairable] - 1.0)[:, None]
    o = weighted.T @ c - np.diag(weighted.sum(axis=0))
    return values, o


def _delta2(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    """Squared distances between the distinct values for ``level``; ordinal uses the marginals ``n_c``."""
    if level == "nominal":
        return 1.0 - np.eye(values.size)
    if level == "interval":
        return (values[:, None] - values[None, :]) ** 2
    if level == "ratio":
        total = values[:, None] + values[None, :]
        diff = values[:, None] - values[None, :]
        return np.divide(diff, total, out=np.zeros_like(diff), where=total != 0) ** 2
    if level == "ordinal":
        # delta_ck = sum_{g=c..k} n_g - (n_c + n_k) / 2, for c <= k (symmetric)
        cum = np.concatenate(([0.0], np.cumsum(n_c)))
        lo = np.minimum.outer(np.arange(values.size), np.arange(values.size))
        hi = np.maximum.outer(np.arange(values.size), np.arange(values.size))
        between = cum[hi + 1] - cum[lo]
        return (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    raise ValueError(f"unknown level of measurement {level!r}; one of {', '.join(LEVELS)}")


def krippendorff_alpha(data: Sequence[Sequence[float]] | np.ndarray, level: str = "interval") -> float:
    """Krippendorff's alpha of a reliability matrix (annotators x units, NaN for missing).

    ``level`` is ``nominal``, ``ordinal``, ``interval`` or ``ratio``. NaN when it is undefined:
    no unit with two values, or a single distinct value (no expected disagreement).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; one of {', '.join(LEVELS)}")
    arr = np.asarray(data, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"reliability data must be 2-D (annotators x units), got shape {arr.shape}")
    values, o = coincidences(arr)
    n_c = o.sum(axis=0)
    n = n_c.sum()
    if values.size < 2 or n < 2:
        return float("nan")
    d2 = _delta2(values, n_c, level)
    expected = (np.outer(n_c, n_c) * d2).sum()
    if expected == 0.0:
        return float("nan")
    return float(1.0 - (n - 1.0) * (o * d2).sum() / expected)


def annotator_matrix(items: Iterable[Any], group: str, dim: str) -> np.ndarray:
    """Reliability matrix (annotators x items) of one dimension from ``metadata["annotators"][group]``.

    Items are anything with a ``metadata`` mapping (``bench.data.Item``). Item i's k-th
    annotation fills row k; items with fewer annotations than the longest list leave NaN, and so
    does an annotation without ``dim`` (or with null).
    """
    lists = []
    for item in items:
        metadata: Mapping[str, Any] = item.metadata
        try:
            annotations = metadata["annotators"][group]
        except (KeyError, TypeError):
            raise ValueError(f"item {getattr(item, 'id', '?')!r} has no metadata['annotators'][{group!r}]") from None
        lists.append([float(a[dim]) if a.get(dim) is not None else np.nan for a in annotations])
    if not lists:
        raise ValueError("no items")
    width = max(len(row) for row in lists)
    out = np.full((width, len(lists)), np.nan)
    for i, row in enumerate(lists):
        out[: len(row), i] = row
    return out


def dimension_alphas(items: Iterable[Any], group: str, level: str = "interval",
                     dims: Sequence[str] | None = None) -> dict[str, float]:
    """Krippendorff's alpha of each human dimension of ``group`` (e.g. ``expert``, ``turker``).

    Units are items; ``dims`` defaults to the keys of the first item's first annotation, in order.
    """
    items = list(items)
    if dims is None:
        dims = _dimensions(items, group)
    return {dim: krippendorff_alpha(annotator_matrix(items, group, dim), level) for dim in dims}


def _dimensions(items: Sequence[Any], group: str) -> list[str]:
    """The keys of the first annotation of ``group`` among ``items`` (the human dimensions)."""
    for item in items:
        annotations = (item.metadata.get("annotators") or {}).get(group) or []
        if annotations:
            return list(annotations[0])
    raise ValueError(f"no item has annotations for group {group!r}")


def resampled_annotator_mean(scores: np.ndarray, gen: np.random.Generator | int) -> np.ndarray:
    """Per-item mean over a bootstrap resample of the annotators (one draw).

    ``scores`` is annotators x items (NaN for missing). The annotators are drawn with
    replacement, ``m`` of ``m``, from ``gen`` (a generator, or a seed for a fresh one), and the
    result is the NaN-aware mean of the drawn rows per item: the human score an equally sized
    panel of such annotators might have given. The meta-evaluation bootstrap calls it once per
    resample, with its own generator, to add annotator uncertainty to item uncertainty.
    Resampling whole rows keeps each annotator's scores together (their bias is the point).
    """
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise ValueError(f"scores must be annotators x items with at least one annotator, got shape {arr.shape}")
    rng = gen if isinstance(gen, np.random.Generator) else np.random.default_rng(gen)
    drawn = arr[rng.integers(0, arr.shape[0], arr.shape[0])]
    # An item all of whose drawn annotators are missing gets NaN (no warning: it is expected).
    counts = (~np.isnan(drawn)).sum(axis=0)
    sums = np.nansum(drawn, axis=0)
    return np.divide(sums, counts, out=np.full(arr.shape[1], np.nan), where=counts > 0)
