"""Shared pieces of the command shells: argument parsing that exits 2, error printing."""

from __future__ import annotations

import argparse
import re
import sys
from functools import wraps
from typing import Callable, Mapping

from bench.errors import BenchError


class Parser(argparse.ArgumentParser):
    """argparse with bench's one-line usage errors (exit 2)."""
    def error(self, message: str):  # one line, exit 2, like every other usage error
        """Print a usage error as one ``bench COMMAND: error:`` line and exit 2."""
        print(f"bench {self.prog.split()[-1]}: error: {message}; see `{self.prog} --help`", file=sys.stderr)
        sys.exit(2)


def handles_errors(fn: Callable[[list[str]], int] | None = None, *, flags: Mapping[str, str] | None = None):
    """Wrap a command's ``main``: a BenchError becomes one ``bench: error:`` line and its exit code.

    ``flags``: the library's keyword -> the command's flag (``{"names": "--names"}``); the library's
    messages name its keywords (``drop names=``), the line names the flag the user typed (``drop --names``).
    Used bare (``@handles_errors``) or called (``@handles_errors(flags={...})``)."""
    def decorate(main: Callable[[list[str]], int]) -> Callable[[list[str]], int]:
        @wraps(main)
        def wrapper(argv: list[str]) -> int:
            try:
                return main(argv)
            except BenchError as exc:
                print(f"bench: error: {in_cli_words(str(exc), flags or {})}", file=sys.stderr)
                return exc.exit_code

        return wrapper

    return decorate(fn) if fn is not None else decorate


def in_cli_words(message: str, flags: Mapping[str, str]) -> str:
    """``message`` with each library keyword ``kw=`` of ``flags`` spelled as its flag: ``kw=VALUE`` ->
    ``--flag VALUE``, ``kw=[A, B]`` -> ``--flag A,B``, a bare ``kw=`` -> ``--flag``."""
    if not flags:
        return message

    def spell(m: re.Match) -> str:
        flag = flags[m.group(1)]
        if m.group(2) is not None:
            return f"{flag} " + re.sub(r",\s*", ",", m.group(2))
        return f"{flag} " if m.group(3) else flag

    keywords = "|".join(re.escape(k) for k in sorted(flags, key=len, reverse=True))
    return re.sub(rf"(?<![\w.-])({keywords})=(?:\[([^\]]*)\]|(?=(\w))|)", spell, message)


def count(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer >= ``minimum`` (argparse turns the ValueError into a usage error)."""
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise ValueError(text)
        return value

    parse.__name__ = f"integer >= {minimum}"  # argparse names the type in its message
    return parse


def split_list(text: str | None) -> list[str] | None:
    """``"a, b,c"`` -> ``["a", "b", "c"]``; None for an absent option."""
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def add_selection_and_output(p: Parser) -> None:
    """The options an analysis command shares: which metrics and stat, how to print, whether to store."""
    p.add_argument("--metrics", help="comma-separated metrics (default: all)")
    p.add_argument("--stat", help="stat (default: fmeasure/f1, else the metric's only stat; `all` for every stat)")
    add_format(p)
    p.add_argument("--no-save", action="store_true", help="print only; store no artefact")


def add_format(p: Parser) -> None:
    """``--format table|markdown|latex|json`` and ``--interval`` (how LaTeX shows an interval)."""
    p.add_argument("--format", choices=["table", "markdown", "latex", "json"], default="table",
                   help="table (default) | markdown | latex (booktabs paper tables) | json")
    p.add_argument("--interval", choices=["brackets", "pm"], default=None,
                   help="with --format latex: 0.490 [0.475, 0.506] (brackets, the default) or pm: "
                        "0.490^{+0.016}_{-0.015}, the distances up and down to the interval's bounds")


def interval_of(p: Parser, args) -> str:
    """The LaTeX interval form; ``--interval`` with another format is a usage error (it would do nothing)."""
    if args.interval is not None and args.format != "latex":
        p.error(f"--interval applies to --format latex, not --format {args.format}")
    return args.interval or "brackets"


def emit(kind: str, first_run: str, payload: dict, markdown: str, text: str, fmt: str, save: bool,
         latex: Callable[[], str] | None = None) -> None:
    """Store an analysis beside its first run (unless told not to), print it, and name the file on stderr.

    The stored ``.md`` is always the Markdown; ``latex`` (made only when printed) is printed, not stored."""
    from pathlib import Path

    from bench.analysis import artefacts

    path = artefacts.store(artefacts.folder_for(Path(first_run)), kind, payload, markdown) if save else None
    if fmt == "json":
        print(artefacts.canonical(payload), end="")
    elif fmt == "latex" and latex is not None:
        print(latex(), end="")
    elif fmt == "markdown":
        print(markdown, end="")
    else:
        print(text)
    if path is not None:
        label = {"systems": "leaderboard", "meta": "meta-evaluation"}.get(kind, kind)
        print(f"bench: {label} stored at {path}", file=sys.stderr)
