"""Progress of long stages, on stderr only (stdout stays the parseable result).

On a terminal, one tqdm bar per stage with rate and ETA (removed when the stage
ends). Anywhere else (CI logs, files) a bar's carriage returns would be noise, so
a stage prints a plain line every ``BENCH_PROGRESS_INTERVAL`` seconds (default
10) and one when it ends, if it ran that long. ``BENCH_PROGRESS=0`` silences both.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Iterator


def _is_tty() -> bool:
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def enabled() -> bool:
    """Whether progress is shown at all (``BENCH_PROGRESS=0``, or tqdm's own ``TQDM_DISABLE=1``, turn it off)."""
    return os.environ.get("BENCH_PROGRESS", "1") != "0" and os.environ.get("TQDM_DISABLE", "") in ("", "0")


class _Plain:
    """Periodic ``bench: <stage>: done/total unit (pct), rate/s, ETA`` lines for logs."""

    def __init__(self, total: int, desc: str, unit: str):
        self.total, self.desc, self.unit = total, desc, unit
        self.done = 0
        self.start = self.last = time.monotonic()
        self.interval = float(os.environ.get("BENCH_PROGRESS_INTERVAL", "10"))

    def _line(self, final: bool) -> str:
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if final:
            return f"bench: {self.desc}: {self.done} {self.unit}s in {elapsed:.1f} s ({rate:.1f} {self.unit}/s)"
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        return (f"bench: {self.desc}: {self.done}/{self.total} {self.unit}s ({pct:.0f}%), "
                f"{rate:.1f} {self.unit}/s, ETA {eta:.0f} s")

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units; print a line when the interval has passed."""
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.interval and self.done < self.total:
            self.last = now
            print(self._line(False), file=sys.stderr, flush=True)

    def close(self) -> None:
        """The closing line, for stages that lasted at least one interval."""
        if time.monotonic() - self.start >= self.interval:
            print(self._line(True), file=sys.stderr, flush=True)


class _Silent:
    def update(self, n: int = 1) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to show."""


@contextmanager
def stage(desc: str, total: int, unit: str = "item", show: bool = True) -> Iterator[object]:
    """A progress reporter for one stage: ``with stage("rouge", n) as p: ... p.update(k)``."""
    if not (show and enabled()):
        bar: object = _Silent()
    elif _is_tty():
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=desc, unit=unit, leave=False, file=sys.stderr)
    else:
        bar = _Plain(total, desc, unit)
    try:
        yield bar
    finally:
        bar.close()
