"""Clean interrupts: Ctrl-C (SIGINT) and SIGTERM end a command with one line, never a traceback.

SIGTERM is what CI runners and SLURM send on a time-out; by default it kills
Python without running ``finally`` blocks, which would leave a staging folder
behind. ``install`` turns it into ``Terminated``, a ``KeyboardInterrupt``, so
every cleanup that runs for Ctrl-C runs for it too, and the CLI reports both
the same way (exit 130 for SIGINT, 143 for SIGTERM: 128 + the signal number,
what a shell reports for a process killed by it).

``critical()`` defers both signals over a few lines that must not be cut in
half (the rename that publishes a run and the index entry that points to it):
a signal that arrives inside is raised as soon as the block ends.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the signal arrived, like KeyboardInterrupt for SIGINT."""


_deferring = 0
_pending: list[int] = []


def _raise_for(signum: int) -> None:
    if signum == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()


def _handler(signum: int, frame) -> None:
    if _deferring:
        _pending.append(signum)
        return
    _raise_for(signum)


def install() -> None:
    """Route SIGINT and SIGTERM through ``_handler`` (main thread only; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block is done, then raise the first one that came."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    if not _deferring and _pending:
        signum = _pending[0]
        _pending.clear()
        _raise_for(signum)


def deferring() -> bool:
    """Whether SIGINT/SIGTERM are being held (inside ``critical``)."""
    return _deferring > 0


def exit_code(exc: KeyboardInterrupt) -> int:
    """130 for SIGINT (KeyboardInterrupt), 143 for SIGTERM (``Terminated``)."""
    return EXIT_CODES[signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT]
