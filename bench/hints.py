"""How a hint or an error names an option, in the caller's own syntax.

The library speaks Python: a warning or an error from ``bench.score`` says ``rouge={"tokenizer": "unicode"}``
or ``metrics=["rouge"]``, the keywords that call takes. A caller that wrote config overrides
(``bench.evaluate(overrides)``, the ``bench`` shell: ``metrics.rouge.tokenizer=unicode``) installs that syntax
around its work with ``using``; a shell adds its own words on top (``bench run``: ``-m`` sweeps).

The syntax in force is a ``Syntax``: ``option`` (a metric family's option with a value), ``name`` (an option
by its config path, as an error names it), ``setting`` (an option by its path, with a value), ``selection``
(the metrics to score). ``using`` also takes a bare ``option`` formatter, as it did before the other parts.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

Formatter = Callable[[str, str, Any], str]  # (metric family, option, value) -> how the caller writes it


class placeholder(str):
    """A value to be filled in, written bare in every syntax: ``rouge={"use_stemmer": <bool>}``."""

    def __repr__(self) -> str:
        return str(self)


def _py(value: Any) -> str:
    """``value`` as Python source, strings in double quotes as ``json.dumps`` writes them (``"unicode"``),
    ``True``/``None`` as Python spells them (JSON would write ``true``/``null``)."""
    if value is ...:
        return "..."
    if isinstance(value, placeholder):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    return repr(value)


ANY = ...  # a value left to the reader: Python writes it ``...``, an override ``VALUE``


class Syntax:
    """Python keywords: the syntax of ``bench.score`` (the library's default)."""

    sweep: str | None = None  # how this caller runs one job per value (a shell's -m); None: it cannot

    def option(self, family: str, name: str, value: Any) -> str:
        """``rouge={"tokenizer": "unicode"}``: the per-family keyword of ``bench.score``."""
        return f"{family}={{{json.dumps(name)}: {_py(value)}}}"

    def setting(self, path: str, value: Any = ANY) -> str:
        """An option by its config path (``metrics.rouge.use_stemmer``, ``ci.level``, ``multiref``), set to
        ``value``: ``rouge={"use_stemmer": True}``, ``ci={"level": 0.95}``, ``multiref="max"``."""
        parts = re.sub(r"\[\d+\]$", "", path).split(".")  # an element of a list option names the option
        if parts[0] == "metrics" and len(parts) >= 3:
            return self.option(parts[1], ".".join(parts[2:]), value)
        if parts[0] == "metrics" and len(parts) == 2:
            return f"{parts[1]}={{...}}"
        if parts[0] == "ci" and len(parts) == 2:
            return f"ci={{{json.dumps(parts[1])}: {_py(value)}}}"
        if parts[0] == "metrics":
            return self.selection(value if isinstance(value, (list, tuple)) else ["NAME"])
        return f"{path}={_py(value)}"

    def name(self, path: str) -> str:
        """An option by its config path, without a value, as an error names it: ``rouge={"use_stemer": ...}``,
        ``ci={"resampels": ...}``; a path that is no keyword's (``check.alpah``, ``dataset.colums``) as it is."""
        parts = path.split(".")
        if (parts[0] == "metrics" and len(parts) >= 3) or (parts[0] == "ci" and len(parts) == 2):
            return self.setting(path)
        return path

    def selection(self, families: Sequence[str]) -> str:
        """The metrics to score: ``metrics=["rouge", "bleu"]``."""
        return f"metrics={_py(list(families))}"


class Overrides(Syntax):
    """Config overrides: ``bench.evaluate(overrides)`` and ``bench run`` (``metrics.rouge.tokenizer=unicode``)."""

    def option(self, family: str, name: str, value: Any) -> str:
        return self.setting(f"metrics.{family}.{name}", value)

    def setting(self, path: str, value: Any = ANY) -> str:
        if value is ANY:
            return f"{path}=VALUE"
        if isinstance(value, (list, tuple)):
            return f"{path}=[{','.join(map(str, value))}]"
        if isinstance(value, bool) or value is None:  # as YAML reads them
            return f"{path}={str(value).lower() if value is not None else 'null'}"
        return f"{path}={value}"

    def name(self, path: str) -> str:
        return path

    def selection(self, families: Sequence[str]) -> str:
        return f"metrics=[{','.join(families)}]"

    def __call__(self, family: str, name: str, value: Any) -> str:  # a bare option formatter as well
        return self.option(family, name, value)


PYTHON = Syntax()
OVERRIDES = Overrides()


def python_keyword(family: str, option: str, value: Any) -> str:
    """``rouge={"tokenizer": "unicode"}``: the per-family keyword of ``bench.score`` / ``bench.evaluate``."""
    return PYTHON.option(family, option, value)


class _Formatted(Syntax):
    """A caller's bare ``option`` formatter; the other parts stay Python's."""

    def __init__(self, formatter: Formatter):
        self._formatter = formatter

    def option(self, family: str, name: str, value: Any) -> str:
        return self._formatter(family, name, value)


_syntax: Syntax = PYTHON


def current() -> Syntax:
    """The syntax in force (``PYTHON`` unless a caller installed another with ``using``)."""
    return _syntax


def option(family: str, name: str, value: Any) -> str:
    """``family``'s option ``name`` set to ``value``, as the current caller writes it."""
    return _syntax.option(family, name, value)


def setting(path: str, value: Any = ANY) -> str:
    """The option at config ``path`` set to ``value``, as the current caller writes it."""
    return _syntax.setting(path, value)


def name(path: str) -> str:
    """The option at config ``path``, as the current caller names it."""
    return _syntax.name(path)


def selection(families: Sequence[str]) -> str:
    """The metrics to score, as the current caller selects them."""
    return _syntax.selection(families)


@contextmanager
def overrides() -> Iterator[None]:
    """For a library call that takes config overrides (``bench.evaluate``): hints in override syntax, unless a
    caller already installed an override syntax of its own (a shell's, with its sweep flag)."""
    with using(_syntax if isinstance(_syntax, Overrides) else OVERRIDES):
        yield


@contextmanager
def using(syntax: Syntax | Formatter) -> Iterator[None]:
    """Hints name options with ``syntax`` inside the block (restored after, also for in-process calls)."""
    global _syntax
    before, _syntax = _syntax, syntax if isinstance(syntax, Syntax) else _Formatted(syntax)
    try:
        yield
    finally:
        _syntax = before
