"""The value types every stage shares: what a metric *is* (``Facts``), a mean's ``Interval``, a metric's ``Stats``.

They live below every stage (no bench imports, no numpy) because the metrics declare
``Facts``, the statistics produce ``Interval``s, the results store both, and the gate,
reports and labels read them; none of those may import a later stage to get a type.

A metric declares its facts once, where it is defined (``bench.metrics``); the
record stores them; every reader takes them from there and never assumes a
direction, a range or a kind. The only place that guesses facts is the reader of
records stored before facts existed (``bench.results.run_record``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

QUALITY, DESCRIPTIVE = "quality", "descriptive"
KINDS = (QUALITY, DESCRIPTIVE)


@dataclass(frozen=True)
class Facts:
    """What one metric's numbers are, declared by the metric and stored with every run.

    - ``higher_is_better``: its direction (a lower-is-better metric regresses when it rises).
    - ``lo``/``hi``: its range (``None``: unbounded on that side): ROUGE and BERTScore 0-1, BLEU/chrF 0-100.
    - ``kind``: ``quality`` (a score of how good a summary is; the gate gates it) or ``descriptive``
      (lengths, compression, coverage, density, n-gram ratios: information, gated only when asked for).
    - ``primary``: the stat one-line views, analyses and the gate use (``fmeasure``, ``f1``, ``score``).
    - ``corpus``: the metric has a corpus-level value that is not the mean of items (BLEU, chrF: from
      summed sufficient statistics).
    - ``drift``: how far a score may move on the *same* inputs from floating point alone (another CPU or
      BLAS); 0 for metrics computed exactly (ROUGE, sacrebleu, counts).
    - ``min_effect``: the smallest change, in the metric's own units, that a reader would call a change
      (the gate's default for changed candidates: 0.005 ROUGE, 0.5 BLEU point).
    """

    higher_is_better: bool = True
    lo: float | None = None
    hi: float | None = None
    kind: str = QUALITY
    primary: str = ""
    corpus: bool = False
    drift: float = 0.0
    min_effect: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"metric kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.lo is not None and self.hi is not None and not self.lo < self.hi:
            raise ValueError(f"metric range [{self.lo}, {self.hi}] is empty")
        for name in ("drift", "min_effect"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"metric {name} {value!r} must be a finite number >= 0")

    @property
    def span(self) -> float | None:
        """``hi - lo`` for a bounded metric, else None (a fraction-of-range setting then does not apply)."""
        return None if self.lo is None or self.hi is None else self.hi - self.lo

    @property
    def descriptive(self) -> bool:
        return self.kind == DESCRIPTIVE

    def range_text(self) -> str:
        """``0-1``, ``0-100``, ``>= 0`` or ``unbounded``."""
        if self.lo is None and self.hi is None:
            return "unbounded"
        if self.hi is None:
            return f">= {_num(self.lo)}"
        if self.lo is None:
            return f"<= {_num(self.hi)}"
        return f"{_num(self.lo)}-{_num(self.hi)}"

    def to_dict(self) -> dict[str, Any]:
        """The stored form (``result.json``'s ``facts`` block, without ``higher_is_better``/``primary``,
        which have blocks of their own)."""
        return {"range": [self.lo, self.hi], "kind": self.kind, "corpus": self.corpus, "drift": self.drift,
                "min_effect": self.min_effect}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def legacy_primary(stats: Sequence[str]) -> str:
    """The primary stat of a metric that does not declare one: F-measure, else F1, else the first stat."""
    return next((s for s in ("fmeasure", "f1") if s in stats), list(stats)[0])


class Interval(NamedTuple):
    """A bootstrap interval ``[lo, hi]`` of a mean (or a corpus value); unpacks as ``lo, hi``."""

    lo: float
    hi: float

    def contains(self, value: float) -> bool:
        return self.lo <= value <= self.hi

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def text(self, digits: int = 4) -> str:
        """``[0.4512, 0.4820]``: the form every table prints."""
        return f"[{self.lo:.{digits}f}, {self.hi:.{digits}f}]"

    @classmethod
    def of(cls, value: Any) -> "Interval | None":
        """An Interval from a stored ``[lo, hi]`` (or None, an n/a interval)."""
        return None if value is None else cls(float(value[0]), float(value[1]))


class Stats(Mapping[str, float]):
    """One metric's values by stat, read by name: ``stats.fmeasure`` or ``stats["fmeasure"]``."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, float]):
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getattr__(self, name: str) -> float:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no stat {name!r}; stats: {', '.join(self._values)}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Stats are read-only")

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return "Stats(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"
