"""What every metric returns, and the protocol a metric implements.

A metric family (ROUGE, BERTScore) scores all items in one call so that it can
batch across the corpus, and may produce several named metrics (rouge1,
rouge2, ...). Results are immutable; per-item values are plain Python floats
so they serialise exactly (``repr`` round-trips).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

from bench.items import Item
from bench.signature import Signature


@dataclass(frozen=True)
class MetricResult:
    name: str  # e.g. "rouge1", "bertscore"
    stats: tuple[str, ...]  # e.g. ("precision", "recall", "fmeasure")
    per_item: tuple[tuple[float, ...], ...]  # one row per item, aligned with ``stats``
    signature: Signature
    higher_is_better: bool = True
    notes: Mapping[str, Any] = field(default_factory=dict)  # e.g. truncated text counts

    def column(self, stat: str) -> list[float]:
        k = self.stats.index(stat)
        return [row[k] for row in self.per_item]

    def means(self) -> dict[str, float]:
        # math.fsum: exactly rounded, so the mean does not depend on item order
        # or on how a corpus was sharded before merging.
        from math import fsum

        n = len(self.per_item)
        return {s: fsum(self.column(s)) / n for s in self.stats}


class Metric(Protocol):
    family: str

    def names(self) -> tuple[str, ...]: ...

    def signatures(self, items: Sequence[Item], policy: str, inputs: str) -> tuple[Signature, ...]:
        """The signature of each result ``score`` will return, without scoring (cheap: the run key)."""
        ...

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]: ...
