"""``BENCH_SMOKE=1``: a benchmark runs every step it would run, on a sliver of its input.

The measurements in docs/ take minutes each (benchmarks/speed.py alone: 13), more than CI's whole
budget; the figures docs/ reports come from the full runs and are recorded with their commands. So that
those commands cannot go stale, tests/test_docs.py runs every block marked ``<!-- smoke -->`` exactly as
written, with ``BENCH_SMOKE=1`` in the environment: the same options parsed, the same sections, the
same bench commands and output files, on a few documents, a few resamples and small sizes. What a smoke
run prints or writes starts with ``LABEL``; its figures mean nothing.
"""

from __future__ import annotations

import os
import sys

VARIABLE = "BENCH_SMOKE"


def on() -> bool:
    return os.environ.get(VARIABLE, "") not in ("", "0")


def cap(n: int, small: int) -> int:
    """``n``, or at most ``small`` in a smoke run."""
    return min(n, small) if on() else n


def limit(n_items: int) -> list[str]:
    """bench overrides that keep the first ``n_items`` items in a smoke run (none otherwise)."""
    return [f"limit={n_items}"] if on() else []


LABEL = f"{VARIABLE}=1: a smoke run on a sliver of the input; its figures mean nothing"


def announce() -> None:
    """Say so first, on stdout (where the scripts print their reports) and stderr."""
    if on():
        print(LABEL, flush=True)
        print(LABEL, file=sys.stderr)
