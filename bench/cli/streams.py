"""What the shell's entry points share below the dispatcher: ending quietly on a closed stdout, and
writing a metric option the way ``bench run`` takes it (``bench.hints`` phrases its advice with it).
A module of its own so that ``bench.cli`` (the dispatcher) and ``bench.cli.app`` (``bench run``) both
import it without importing each other."""

from __future__ import annotations

import sys

from bench import hints


def stdout_closed() -> int:
    """Stdout's reader is gone (``bench ls | head -1``): end quietly, as the Python docs recommend
    (https://docs.python.org/3/library/signal.html#note-on-sigpipe): point stdout at devnull so the
    final flush cannot raise again, and return 128 + SIGPIPE, the status a shell shows for a tool
    that SIGPIPE ended (``yes | head``). Not 1: ``bench check`` means "regression" by 1."""
    import os
    import signal

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in-process): nothing to silence
        pass
    return 128 + getattr(signal, "SIGPIPE", 13)


class _Shell(hints.Overrides):
    """``bench run``'s syntax: config overrides, and ``-m`` for one run per value."""

    sweep = "-m"


# A metric option as a ``bench run`` override (``metrics.rouge.tokenizer=unicode``), and every other part of
# bench.hints' syntax; callable as the bare option formatter it was.
override = _Shell()
