"""Percentile bootstrap confidence intervals for means, resampling items or whole documents.

The items of one document are not independent (16 SummEval systems summarise the
same article), so with a unit key the resample draws documents and the mean of a
resample is the mean over all items of the drawn documents (a ratio estimator:
documents may hold different numbers of items). Without one, items are the units;
then the interval equals ``scipy.stats.bootstrap(method="percentile")`` on the
same generator (tested).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Sequence

import numpy as np

from bench.stats import resample

METHODS = ("percentile",)
UNITS = ("item", "doc")


@dataclass(frozen=True)
class CISpec:
    """The ``ci`` node of a run's config: how every aggregate's interval is drawn.

    ``unit: auto`` resamples documents when the dataset names its document field
    (``dataset.doc_key``; items of one document are not independent), else items, and items too when
    the run holds one document only (``bench.stats.aggregate.blocks``; the signature says which);
    ``seed: null`` uses the run's ``seed``; ``resamples: 0`` records no intervals."""

    resamples: int = 1000
    level: float = 0.95
    unit: str = "auto"
    seed: int | None = None
    min_units: int = 5

    def resolve(self, doc_key: str | None, run_seed: int) -> tuple["BootSpec | None", str | None]:
        """The bootstrap settings and the metadata field of the unit (None: items), or (None, None) when off."""
        from bench.errors import BenchError

        if self.resamples == 0:
            return None, None
        unit = self.unit
        if unit == "auto":
            unit = "doc" if doc_key else "item"
        if unit == "doc" and not doc_key:
            raise BenchError("ci.unit=doc but the dataset names no document field",
                             "set dataset.doc_key=FIELD (a metadata field), or ci.unit=item")
        spec = BootSpec(resamples=self.resamples, level=self.level, unit=unit,
                        seed=run_seed if self.seed is None else self.seed, min_units=self.min_units)
        return spec, (doc_key if unit == "doc" else None)


@dataclass(frozen=True)
class BootSpec:
    """How intervals are drawn: resamples, level, unit (item | doc), seed, and the fewest units
    for which an interval is reported at all (below it: ``n/a``, never a zero-width interval)."""

    resamples: int = 1000
    level: float = 0.95
    unit: str = "item"
    seed: int = 0
    min_units: int = 5
    method: str = "percentile"

    def __post_init__(self) -> None:
        from bench.errors import BenchError

        if self.resamples < 1:
            raise BenchError(f"ci.resamples must be >= 1, got {self.resamples}", "use e.g. ci.resamples=1000 (0: no intervals)")
        if not 0.0 < self.level < 1.0:
            raise BenchError(f"ci.level must lie in (0, 1), got {self.level}", "use e.g. ci.level=0.95")
        if self.unit not in UNITS:
            raise BenchError(f"ci.unit must be one of {', '.join(UNITS)}, got {self.unit!r}", "use ci.unit=doc or ci.unit=item")
        if self.method not in METHODS:
            raise BenchError(f"ci.method must be one of {', '.join(METHODS)}, got {self.method!r}", "use ci.method=percentile")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise BenchError(f"the bootstrap seed must be an integer >= 0, got {self.seed!r}", "use e.g. seed=0")
        if self.min_units < 2:
            raise BenchError(f"ci.min_units must be >= 2, got {self.min_units}", "use e.g. ci.min_units=5")

    @property
    def signature(self) -> str:
        """The canonical string, e.g. ``ci|boot:1000|level:95|unit:doc|seed:0|method:percentile|min:5``."""
        from bench.signature import Signature

        return str(Signature("ci", (("boot", str(self.resamples)), ("level", f"{self.level * 100:g}"),
                                    ("unit", self.unit), ("seed", str(self.seed)), ("method", self.method),
                                    ("min", str(self.min_units)))))


def percentile_bounds(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper percentile bounds along axis 0 (numpy's linear interpolation, as scipy)."""
    tail = (1.0 - level) / 2.0
    lo = np.percentile(draws, tail * 100.0, axis=0)
    hi = np.percentile(draws, (1.0 - tail) * 100.0, axis=0)
    return lo, hi


def natural_key(name: str) -> tuple:
    """M2 before M11: digits compare as numbers. The order of resampling units (``_unit_sums``), and so
    the order every view sorts systems and documents in; defined here, the lowest module that needs it."""
    return tuple((0, int(t)) if t.isdigit() else (1, t) for t in re.split(r"(\d+)", name) if t)


# An id of ASCII non-digits then ASCII digits ("s12", "item-0042", "17", "abc"): its natural key is
# ((1, prefix), (0, int(digits))) less the empty parts, so (natural_key(u), u) orders exactly as the flat
# (prefix, number or -1 without digits, u) does ("" sorts first as (0, n) does before (1, prefix); u = prefix +
# digits breaks the ties), which costs a sixth to build and compare.
_PLAIN = re.compile(r"([\x00-\x2f\x3a-\x7f]*)([0-9]*)")


def natural_sorted(names: Collection[str]) -> list[str]:
    """``sorted(names, key=lambda u: (natural_key(u), u))``: a million item ids in about 2 s, not 10 (flat keys when
    every name is a plain id, the general key otherwise)."""
    keys = []
    for u in names:
        m = _PLAIN.fullmatch(u)
        if m is None:
            return sorted(names, key=lambda u: (natural_key(u), u))
        prefix, digits = m.groups()
        keys.append((prefix, int(digits) if digits else -1, u))
    keys.sort()
    return [k[2] for k in keys]


def _unit_sums(values: np.ndarray, units: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit sums of each column and per-unit item counts, units in natural order of their ids.

    The order decides which unit each resampled index picks, so it must not depend on how the
    items happened to be listed: a run's groups (items in corpus order) and ``bench systems`` (a
    systems x documents matrix, documents sorted) then draw the same documents, and one system's
    mean gets one interval wherever bench prints it."""
    if units is None:
        return values, np.ones(len(values))
    codes = {u: k for k, u in enumerate(natural_sorted(set(units)))}
    index = np.fromiter((codes[u] for u in units), dtype=np.int64, count=len(units))
    sums = np.zeros((len(codes), values.shape[1]))
    np.add.at(sums, index, values)
    return sums, np.bincount(index, minlength=len(codes)).astype(np.float64)


def bootstrap_means(values: np.ndarray, units: Sequence[str] | None, spec: BootSpec,
                    gen: np.random.Generator) -> np.ndarray:
    """The resampled means (resamples x columns) of ``values`` (items x columns)."""
    sums, sizes = _unit_sums(np.asarray(values, dtype=np.float64), units)
    n = len(sizes)
    if units is None:
        return resample.bootstrap_sums(gen, n, spec.resamples, sums)[0] / n
    # the sizes are whole numbers, so their resampled totals are exact in any order (as BLAS's c @ sizes was)
    totals, drawn = resample.bootstrap_sums(gen, n, spec.resamples, sums, sizes[:, None])
    return totals / drawn


@dataclass(frozen=True)
class Interval:
    """A two-sided interval; ``None`` in its place means too few units (``n/a``)."""

    lo: float
    hi: float

    def as_list(self) -> list[float]:
        """``[lo, hi]`` for JSON."""
        return [self.lo, self.hi]

    def around(self, mean: float) -> "Interval":
        """This interval stretched to hold ``mean`` (itself when it does already, which is every interval of a
        column that varies at a usual level).

        A column whose items all score alike has every resampled mean equal to its mean in exact arithmetic,
        but the resampled sums and the stored ``fsum(column) / n`` round differently (0.886904761904762 beside
        0.8869047619047619): the interval would lie beside its own mean, and an error bar from the mean to its
        bounds would have a negative length. The mean is the point estimate the interval is drawn around, so
        the bound it crosses is moved onto it, never the mean."""
        if self.lo <= mean <= self.hi or mean != mean:
            return self
        return Interval(min(self.lo, mean), max(self.hi, mean))


def mean_intervals(values: np.ndarray, units: Sequence[str] | None, spec: BootSpec,
                   gen: np.random.Generator) -> list[Interval | None]:
    """One interval per column of ``values`` (items x columns), or ``None`` per column when there
    are fewer than ``spec.min_units`` units."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError("values must be items x columns")
    n_units = len(values) if units is None else len(set(units))
    if n_units < spec.min_units:
        return [None] * values.shape[1]
    draws = bootstrap_means(values, units, spec, gen)
    lo, hi = percentile_bounds(draws, spec.level)
    return [Interval(float(a), float(b)) for a, b in zip(lo, hi)]


def unit_intervals(values: np.ndarray, units: Sequence[str], spec: BootSpec, *salt: str) -> list[Interval | None]:
    """The interval of each column's mean, as bench defines it everywhere it prints one.

    Percentile bootstrap over ``units`` (one id per row: the document of each item, or the item's
    own id when items are the unit), units in natural order of their ids, ``spec.resamples`` draws
    from ``resample.rng(spec.seed, *salt)``: no salt for a whole run, the group's name for a group
    (a run's ``group_by`` value, a ``bench systems`` system of one run). Every column's sums are
    added unit after unit (``resample.bootstrap_sums``), so a column's interval does not depend on
    which other columns are computed beside it."""
    return mean_intervals(values, list(units), spec, resample.rng(spec.seed, *salt))


def n_units(n_items: int, units: Sequence[str] | None) -> int:
    """How many resampling units ``n_items`` items form."""
    return n_items if units is None else len(set(units))
