"""Shared pieces of the command shells: argument parsing that exits 2, error printing."""

from __future__ import annotations

import argparse
import sys
from functools import wraps
from typing import Callable

from bench.errors import BenchError


class Parser(argparse.ArgumentParser):
    """argparse with bench's one-line usage errors (exit 2)."""
    def error(self, message: str):  # one line, exit 2, like every other usage error
        """Print a usage error as one ``bench COMMAND: error:`` line and exit 2."""
        print(f"bench {self.prog.split()[-1]}: error: {message}; see `{self.prog} --help`", file=sys.stderr)
        sys.exit(2)


def handles_errors(fn: Callable[[list[str]], int]) -> Callable[[list[str]], int]:
    """Wrap a command's ``main``: a BenchError becomes one ``bench: error:`` line and its exit code."""
    @wraps(fn)
    def wrapper(argv: list[str]) -> int:
        try:
            return fn(argv)
        except BenchError as exc:
            print(f"bench: error: {exc}", file=sys.stderr)
            return exc.exit_code

    return wrapper
