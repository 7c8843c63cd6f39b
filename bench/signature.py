"""Signatures: one canonical string per metric naming everything behind a number.

In the spirit of sacrebleu (``nrefs:1|case:mixed|tok:13a|...|version:2.x``):
``rouge1|engine:rouge-score-rs@0.2.1|tok:default|stem:porter|refs:max|...``.
Two numbers are comparable only when their signatures are equal; when they are
not, ``diff`` says which component changed, e.g. ``layer: 4 -> 5``.

This is the only module that knows the string formats: the rest of bench builds
a ``Signature`` from ``(key, value)`` components, stores ``str(signature)``, reads
a stored one back with ``Signature.parse`` and works with ``Change`` values
(``changed_component`` reads the key of a stored or printed change line).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class Signature:
    """A metric's signature as data: its name and ordered ``(key, value)`` components."""
    metric: str
    components: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return "|".join([self.metric, *(f"{k}:{v}" for k, v in self.components)])

    def as_dict(self) -> dict[str, str]:
        """The components as a dict."""
        return dict(self.components)

    @classmethod
    def parse(cls, text: str) -> "Signature":
        """A signature from its canonical string."""
        metric, *parts = text.split("|")
        components = []
        for part in parts:
            key, _, value = part.partition(":")
            components.append((key, value))
        return cls(metric, tuple(components))

    def without(self, key: str) -> "Signature":
        """This signature without the components named ``key`` (e.g. a shard's ``shard``)."""
        return Signature(self.metric, tuple(c for c in self.components if c[0] != key))

    def changes(self, other: "Signature") -> list["Change"]:
        """The components that differ (the metric name as ``metric``), in a stable order."""
        mine, theirs = self.as_dict(), other.as_dict()
        out = []
        if self.metric != other.metric:
            out.append(Change("metric", self.metric, other.metric))
        for key in [*mine, *(k for k in theirs if k not in mine)]:
            a, b = mine.get(key, ABSENT), theirs.get(key, ABSENT)
            if a != b:
                out.append(Change(key, a, b))
        return out

    def diff(self, other: "Signature") -> list[str]:
        """Human-readable differences, ``key: old -> new``, in a stable order."""
        return [str(c) for c in self.changes(other)]


ABSENT = "(none)"  # a component one side lacks, as a change line shows it


@dataclass(frozen=True)
class Change:
    """One component that differs between two signatures: ``key: old -> new`` as text."""

    key: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.key}: {self.old} -> {self.new}"


def changed_component(line: str) -> str:
    """The component key of a change line (``str(Change)``, as reports and records hold them)."""
    return line.split(":", 1)[0]


def package_version(dist: str) -> str:
    """The installed version of ``dist`` ("absent" if it is not installed).

    Every version that enters a signature comes through here, and the run key is
    made of the signatures (``bench.results.run_cache``), so a changed version can never
    be answered from the store with the old number.
    """
    return _installed_version(dist)


def _installed_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def bench_version() -> str:
    """bench's own version."""
    from bench.version import __version__

    return __version__


def python_version() -> str:
    """``major.minor.micro`` of this Python."""
    return ".".join(map(str, sys.version_info[:3]))


def short_hash(fingerprint: str, n: int = 16) -> str:
    """``sha256:abcd…`` -> the first n hex digits, enough to tell inputs apart in a signature."""
    return fingerprint.split(":", 1)[-1][:n]
