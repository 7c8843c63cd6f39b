"""User-facing errors.

A ``BenchError`` is a mistake the user can fix (bad file, bad option, bad
text). The CLI prints it as one line, ``bench: error: <problem>; <fix>``, and
exits non-zero without a traceback. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Iterable


class BenchError(Exception):
    """A problem in the user's input, with the fix in the message."""

    exit_code = 2

    def __init__(self, problem: str, fix: str | None = None):
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem}; {fix}" if fix else problem)


def unknown_choice(kind: str, value: object, choices: Iterable[str]) -> BenchError:
    """An error for a lookup miss that lists the valid names and the closest one."""
    choices = sorted(choices)
    close = get_close_matches(str(value), choices, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return BenchError(f"unknown {kind} {value!r}", f"{hint}valid choices: {', '.join(choices)}")


class InputError(BenchError):
    """Texts, ids or metadata handed to the library that it cannot score (a ``None`` reference, a generator,
    a lone surrogate, lengths that disagree)."""


class ConfigError(BenchError):
    """An option or config composition that is not valid (unknown key, wrong type, missing required value)."""
