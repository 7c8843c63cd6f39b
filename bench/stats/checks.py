"""Validation shared by the analysis spec dataclasses (``SystemsSpec``, ``MetaSpec``, ``BootSpec``).

Messages name the field (``seed``, ``resamples``), never a command-line flag: the specs are library
objects, and the CLI's options map onto their fields one to one.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from bench.errors import BenchError


def whole(name: str, value: Any, minimum: int, example: int) -> None:
    """``value`` is an int (not a bool) >= ``minimum``; numpy's generators refuse negative seeds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BenchError(f"{name} must be an integer, got {value!r}", f"use e.g. {name}={example}")
    if value < minimum:
        raise BenchError(f"{name} must be >= {minimum}, got {value}", f"use e.g. {name}={example}")


def fraction(name: str, value: Any, example: float) -> None:
    """``value`` is a real number strictly inside (0, 1) (NaN and inf are not)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and 0 < value < 1
    if not ok:
        raise BenchError(f"{name} must lie in (0, 1), got {value!r}", f"use e.g. {name}={example}")


def choices(field: str, what: str, values: Iterable[Any], allowed: Iterable[str]) -> None:
    """Every value is one of ``allowed`` and there is at least one; ``what`` names them in the message."""
    values, allowed = list(values), list(allowed)
    bad = [v for v in values if v not in allowed]
    if bad or not values:
        raise BenchError(f"unknown {what} {', '.join(map(str, bad)) or '(none)'}",
                         f"{field} takes any of {', '.join(allowed)}")
