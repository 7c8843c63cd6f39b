"""The one JSON reader of every JSON and JSON Lines file bench reads: stored runs, baselines, artefacts,
judgments, datasets, cache indexes.

Every file bench reads may be damaged or hostile, and Python's ``json`` trusts it in three ways this
module does not:

- **Depth.** ``json.loads`` recurses once per ``[`` or ``{``: a document nested 100,000 deep ends in
  ``RecursionError`` (and pyarrow, which ``datasets`` reads JSON Lines with, segfaults on it). The depth
  is measured first, by a scan of the text that does not recurse (strings skipped, brackets counted),
  and anything deeper than ``MAX_DEPTH`` is refused naming its line. Nothing bench writes is deeper
  than about 10.
- **Duplicate keys.** ``json.loads`` keeps the last of two equal keys, so ``{"experiment": "a",
  "experiment": "b"}`` silently means ``b``; here it is refused.
- **NaN and Infinity.** Not JSON (RFC 8259); bench writes with ``allow_nan=False``, so one in a file
  was put there by hand. Refused.

Errors are ``JsonError`` (a ``ValueError``, as ``json``'s own are): one line, the caller names the file.
"""

from __future__ import annotations

import array
import itertools
import json
import re
from typing import Any

MAX_DEPTH = 100

# A JSON string (escapes included) or one bracket: what the depth scan steps over. Unrolled
# ("normal* (escape normal*)*") so that the regex engine never backtracks through a long string.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}\n]', re.DOTALL)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DELTAS = bytes.maketrans(b"[{]}", bytes([1, 1, 255, 255]))  # 255: -1 as a signed byte
_OPEN = frozenset("[{")


class JsonError(ValueError):
    """A JSON text bench refuses: ``msg`` the problem, ``lineno`` its line (1-based) where known."""

    def __init__(self, msg: str, lineno: int | None = None, colno: int | None = None):
        self.msg, self.lineno, self.colno = msg, lineno, colno
        where = "" if lineno is None else f" at line {lineno}" + ("" if colno is None else f", column {colno}")
        super().__init__(msg + where)


def check_depth(text: str, max_depth: int = MAX_DEPTH, lines: bool = False) -> None:
    """Raise ``JsonError`` (naming the line) if ``text`` nests arrays/objects deeper than ``max_depth``.

    ``lines``: JSON Lines, each line its own document (the depth starts again at every line break; raw
    line breaks cannot occur inside a JSON string). Loops, never recursion: any depth is measured."""
    if lines:
        for number, line in enumerate(text.split("\n"), 1):
            if line.count("[") + line.count("{") > max_depth:  # too few brackets to be deep: skipped
                try:
                    _check(line, max_depth)
                except JsonError as exc:
                    raise JsonError(exc.msg, number, exc.colno) from None
        return
    if text.count("[") + text.count("{") > max_depth:
        _check(text, max_depth)


def _check(text: str, max_depth: int) -> None:
    # Fast filter at C speed: strings dropped, then the running sum of +1 per opener and -1 per closer.
    # In a valid prefix of a JSON text this running sum is exactly json's depth.
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).encode("ascii")
    running = list(itertools.accumulate(array.array("b", brackets.translate(_DELTAS))))
    if not running or (max(running) <= max_depth and min(running) >= 0):
        return
    # Deep (or a stray closer made the sum unreliable): walk the tokens to find the line and column.
    depth, line, line_start = 0, 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line, line_start = line + 1, match.end()
        elif token in _OPEN:
            depth += 1
            if depth > max_depth:
                raise JsonError(f"nested more than {max_depth} levels deep", line, match.start() - line_start + 1)
        elif token in "]}":
            depth = max(depth - 1, 0)  # a stray closer is json's error to report, not a depth


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonError(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _non_finite(name: str) -> Any:
    raise JsonError(f"non-finite number {name}")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, position: bool = True, non_finite: bool = False) -> Any:
    """``text`` as JSON, refusing depth beyond ``max_depth``, duplicate keys and NaN/Infinity; any problem
    is a ``JsonError``. ``position=False`` leaves the line and column out of the error (one line of a
    JSON Lines file, whose caller names the line). ``non_finite=True`` reads NaN/Infinity as floats, for
    a file people write whose reader names the bad value better (a judgments file's score).
    Bytes are decoded as UTF-8 (``UnicodeDecodeError``)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    try:
        check_depth(text, max_depth)
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=None if non_finite else _non_finite)
    except JsonError as exc:
        raise (JsonError(exc.msg) if not position else exc) from None
    except json.JSONDecodeError as exc:
        raise (JsonError(exc.msg, exc.lineno, exc.colno) if position else JsonError(f"{exc.msg} at column {exc.colno}")
               ) from None
    except RecursionError:  # belt and braces: the depth scan should have refused it first
        raise JsonError(f"nested too deep to read (more than {max_depth} levels)") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits (Python's int limit)
        raise JsonError(str(exc).splitlines()[0] if str(exc) else "not JSON") from None

