"""A test-only, lower-is-better metric: how far a candidate's length is from its reference's.

``gap = |len(candidate) - len(reference)| / len(reference)``, in words or characters. It is
registered with ``bench.metrics.registry.register`` by the tests and configured from
``tests/plugin_configs/metrics/length_gap.yaml`` (a config directory on Hydra's search path);
no file of bench names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.metrics.base import PairMetric, PairScores

CONFIGS = Path(__file__).resolve().parent / "plugin_configs"
SEARCHPATH = f"hydra.searchpath=[file://{CONFIGS}]"


@dataclass(frozen=True)
class LengthGapSpec:
    unit: str = "words"


class LengthGap(PairMetric):
    """The shared loop of ``bench.metrics.base.PairMetric`` with two hooks: its signature fields and pair scores."""

    family = "length_gap"
    spec = LengthGapSpec  # what a `bench.metrics` entry point's class names as its options
    stats = ("gap",)
    primary = "gap"
    higher_is_better = False

    def __init__(self, spec: LengthGapSpec):
        if spec.unit not in ("words", "chars"):
            from bench.errors import unknown_choice

            raise unknown_choice("unit (metrics.length_gap.unit)", spec.unit, ["chars", "words"])
        self.options = spec

    def _size(self, text: str) -> int:
        return len(text.split()) if self.options.unit == "words" else len(text)

    def signature_fields(self, name):
        return (("unit", self.options.unit),)

    def score_pairs(self, refs, hyps):
        rows = [(abs(self._size(h) - self._size(r)) / max(1, self._size(r)),) for r, h in zip(refs, hyps)]
        return PairScores({"length_gap": rows})


def register() -> None:
    from bench.metrics.registry import register as add

    add("length_gap", LengthGapSpec, LengthGap)
