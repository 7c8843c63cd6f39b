"""A rating from an answer, the way the literature computes it.

- ``logprobs`` (G-Eval's probability-weighted score): ``sum_r r * p(r) / sum_r p(r)`` over the scale's
  rating labels, p the probability of the label as the answer's first token. An answer in which no
  rating label has any probability (an endpoint's top alternatives hold none) is unparsed.
- ``sample``: the first number in each sampled answer, kept when it lies on the scale; the rating is the
  mean of the parsed samples; an item none of whose samples parses is unparsed.

An unparsed answer is never turned into a number: the rating is ``None`` (the item's value is missing).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from bench.metrics.judge.types import LOGPROBS, Answer

NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Rating:
    """One item's rating (None: unparsed) and how many of its answers parsed."""

    value: float | None
    parsed: int  # samples (or the one distribution) that gave a rating
    answers: int


def first_number(text: str, lo: float, hi: float) -> float | None:
    """The first number in ``text`` when it lies in ``[lo, hi]``, else None (no number, or off the scale)."""
    match = NUMBER.search(text)
    if match is None:
        return None
    value = float(match.group())
    return value if lo <= value <= hi else None


def weighted(probs: Mapping[str, float], labels: Sequence[str]) -> float | None:
    """The probability-weighted mean of the labels' values (None when no label has probability)."""
    mass = math.fsum(probs.get(label, 0.0) for label in labels)
    if not mass > 0.0:
        return None
    return math.fsum(float(label) * probs.get(label, 0.0) for label in labels) / mass


def rate(answer: Answer, scoring: str, labels: Sequence[str]) -> Rating:
    """The rating of one answer under ``scoring`` on the scale ``labels``."""
    if scoring == LOGPROBS:
        value = weighted(answer.probs or {}, labels)
        return Rating(value, int(value is not None), 1)
    values = [float(label) for label in labels]
    lo, hi = min(values), max(values)
    parsed = [v for v in (first_number(t, lo, hi) for t in answer.texts) if v is not None]
    value = math.fsum(parsed) / len(parsed) if parsed else None
    return Rating(value, len(parsed), len(answer.texts))
