"""What a report is made of, before it is HTML or Markdown: sections of text, tables and figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Table:
    """A table of already-formatted cells; ``align`` is ``l`` or ``r`` per column."""
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""


@dataclass(frozen=True)
class Figure:
    """One plot: an inline SVG fragment (``bench.report.plots``) and a one-line caption."""
    name: str
    caption: str
    svg: str


@dataclass(frozen=True)
class Section:
    """A heading with paragraphs, figures, tables and the signature(s) its numbers came from."""
    title: str
    paragraphs: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[tuple[str, Table], ...] = ()  # (caption, table)
    signature: str = ""


@dataclass(frozen=True)
class Report:
    """A whole report: its title, its sections and its record (the sources it was built from)."""
    title: str
    sections: tuple[Section, ...]
    record: Mapping[str, Any] = field(default_factory=dict)
