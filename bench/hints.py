"""How a hint names an option, in the caller's own syntax.

The library speaks Python: a warning from ``bench.score`` says ``rouge={"tokenizer": "unicode"}``, the keyword
that call takes. A shell with a syntax of its own (``bench.cli``: ``metrics.rouge.tokenizer=unicode``) installs
its formatter around its work with ``using``; the library never learns that syntax.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Callable, Iterator

Formatter = Callable[[str, str, Any], str]  # (metric family, option, value) -> how the caller writes it


def python_keyword(family: str, option: str, value: Any) -> str:
    """``rouge={"tokenizer": "unicode"}``: the per-family keyword of ``bench.score`` / ``bench.evaluate``."""
    return f"{family}={{{json.dumps(option)}: {json.dumps(value)}}}"


_formatter: Formatter = python_keyword


def option(family: str, name: str, value: Any) -> str:
    """``family``'s option ``name`` set to ``value``, as the current caller writes it."""
    return _formatter(family, name, value)


@contextmanager
def using(formatter: Formatter) -> Iterator[None]:
    """Hints name options with ``formatter`` inside the block (restored after, also for in-process calls)."""
    global _formatter
    before, _formatter = _formatter, formatter
    try:
        yield
    finally:
        _formatter = before
