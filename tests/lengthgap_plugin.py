"""A test-only, lower-is-better metric: how far a candidate's length is from its reference's.

``gap = |len(candidate) - len(reference)| / len(reference)``, in words or characters. It is
registered with ``bench.metrics.registry.register`` by the tests and configured from
``tests/plugin_configs/metrics/length_gap.yaml`` (a config directory on Hydra's search path);
no file of bench names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.metrics import multiref
from bench.metrics.base import MetricResult
from bench.signature import Signature, bench_version, short_hash

CONFIGS = Path(__file__).resolve().parent / "plugin_configs"
SEARCHPATH = f"hydra.searchpath=[file://{CONFIGS}]"


@dataclass(frozen=True)
class LengthGapSpec:
    unit: str = "words"


class LengthGap:
    family = "length_gap"
    spec = LengthGapSpec  # what a `bench.metrics` entry point's class names as its options

    def __init__(self, spec: LengthGapSpec):
        if spec.unit not in ("words", "chars"):
            from bench.errors import unknown_choice

            raise unknown_choice("unit (metrics.length_gap.unit)", spec.unit, ["chars", "words"])
        self.spec = spec

    def names(self):
        return ("length_gap",)

    def _size(self, text: str) -> int:
        return len(text.split()) if self.spec.unit == "words" else len(text)

    def signatures(self, items, policy, inputs):
        counts = sorted({len(it.references) for it in items})
        nrefs = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        comps = (("unit", self.spec.unit), ("refs", policy), ("nrefs", nrefs), ("inputs", short_hash(inputs)),
                 ("bench", bench_version()))
        return (Signature("length_gap", comps),)

    def score(self, items, policy, inputs):
        rows = [(abs(self._size(it.candidate) - self._size(ref)) / max(1, self._size(ref)),)
                for it in items for ref in it.references]
        per_item = multiref.group(rows, [len(it.references) for it in items], policy, 0, higher_is_better=False)
        (sig,) = self.signatures(items, policy, inputs)
        return [MetricResult("length_gap", ("gap",), per_item, sig, higher_is_better=False)]


def register() -> None:
    from bench.metrics.registry import register as add

    add("length_gap", LengthGapSpec, LengthGap)
