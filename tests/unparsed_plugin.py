"""A test-only metric with missing per-item values, as an LLM judge has for answers it cannot parse.

``rating = number of words of the candidate / 10``, except for a candidate holding the word ``UNPARSED``:
no value (``float('nan')``, bench's in-memory missing value). Two stats (``rating``, the primary, and
``words``) so that a stat other than the primary is seen to follow the same rule. Registered with
``bench.metrics.registry.register`` by the tests and configured from ``tests/plugin_configs/metrics/unparsed.yaml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bench.metrics.base import PairMetric, PairScores
from lengthgap_plugin import CONFIGS, SEARCHPATH  # noqa: F401  (the same config folder)

MARK = "UNPARSED"


@dataclass(frozen=True)
class UnparsedSpec:
    scale: float = 10.0


class Unparsed(PairMetric):
    family = "unparsed"
    spec = UnparsedSpec
    stats = ("rating", "words")
    primary = "rating"

    def __init__(self, spec: UnparsedSpec):
        self.options = spec

    def signature_fields(self, name):
        return (("scale", f"{self.options.scale:g}"),)

    def score_pairs(self, refs, hyps):
        rows = []
        for h in hyps:
            n = len(h.split())
            rows.append((math.nan, math.nan) if MARK in h.split() else (n / self.options.scale, float(n)))
        return PairScores({"unparsed": rows})


def register() -> None:
    from bench.metrics.registry import register as add

    add("unparsed", UnparsedSpec, Unparsed)
