"""Fault injection for the test suite: make a named point of a run fail on purpose, deterministically.

``BENCH_FAULT`` lists faults as ``point[@N]:action``, comma-separated; the
N-th time (default: the first) the run reaches ``point``, ``action`` happens:

- ``SIGINT`` / ``SIGTERM`` / ``SIGKILL``: the process sends itself the signal,
  exactly as if a user, a CI runner or the OOM killer had sent it then;
- ``ENOSPC`` / ``EIO``: an ``OSError`` with that errno is raised (a full or failing disk).

Points: ``load`` (items loaded, before scoring), ``score`` (before each metric
family scores), ``cache_put`` (after each embedding-cache entry is written),
``write`` (a run's files are complete in its staging folder, before the rename
that publishes it), ``publish`` (right after that rename, before the index entry:
inside the block that holds signals), ``write_file`` (before each file is written).
Unset (the normal case), ``point`` costs one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal
import time

_counts: dict[str, int] = {}


def _faults(spec: str) -> list[tuple[str, int, str]]:
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        where, _, action = part.partition(":")
        name, _, nth = where.partition("@")
        out.append((name, int(nth or 1), action.upper()))
    return out


def point(name: str) -> None:
    """A named point of a run: acts out the fault ``BENCH_FAULT`` names for its N-th arrival (a no-op when unset)."""
    spec = os.environ.get("BENCH_FAULT")
    if not spec:
        return
    _counts[name] = _counts.get(name, 0) + 1
    for where, nth, action in _faults(spec):
        if where == name and _counts[name] == nth:
            _act(action, name)


def _act(action: str, name: str) -> None:
    if action in ("ENOSPC", "EIO"):
        code = getattr(errno, action)
        raise OSError(code, os.strerror(code))
    if action not in ("SIGINT", "SIGTERM", "SIGKILL"):
        raise ValueError(f"BENCH_FAULT: unknown action {action!r} at {name!r}")
    os.kill(os.getpid(), getattr(signal, action))
    from bench import interrupts

    if interrupts.deferring():  # held until the critical block ends, as a real signal would be
        return
    # The handler runs before the next bytecode; this only guards against a signal that never comes.
    for _ in range(100):
        time.sleep(0.05)
    raise RuntimeError(f"BENCH_FAULT: {action} at {name!r} was not delivered")
