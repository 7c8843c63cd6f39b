"""What a report is made of, before it is HTML or Markdown: sections of text, tables and figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
    """A heading with paragraphs, figures, tables and the signature(s) its numbers came from.

    Read top-down: the summary, the paragraphs, the headline ``tables`` (always open, however long: they are
    what the section is for), the figures, then the ``more`` tables (the long tidy lists behind the headline,
    folded when long)."""
    title: str
    paragraphs: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[tuple[str, Table], ...] = ()  # (caption, table): the headline tables, shown open
    more: tuple[tuple[str, Table], ...] = ()  # (caption, table) after the figures; folded when over 20 rows
    signature: str = ""
    # Already-built HTML (an interactive block such as the item browser), placed after the tables; the HTML
    # renderer inserts it as it is, so its builder escapes every text it holds. Markdown leaves it out.
    html: str = ""
    summary: str = ""  # one sentence saying what the section shows (report markup), printed first


@dataclass(frozen=True)
class Source:
    """What the report's record says of one input: a run by its run key, a file by its SHA-256."""
    kind: str  # run, systems, meta or check
    path: str  # as given
    experiment: str | None = None
    run_id: str | None = None
    run_key: str | None = None
    inputs_fingerprint: str | None = None
    sha256: str | None = None
    signature: str | None = None
    runs: tuple[str | None, ...] | None = None  # an analysis: the run keys it was computed from

    @property
    def identity(self) -> str:
        """How the "Built from" table names the input: its run key, else its file's SHA-256."""
        return self.run_key or self.sha256 or "-"

    def to_dict(self) -> dict[str, Any]:
        """The record's entry: a run's experiment, run id, run key and inputs fingerprint; a file's hash,
        signature and (an analysis) the run keys it read."""
        if self.kind == "run":
            return {"kind": self.kind, "path": self.path, "experiment": self.experiment, "run_id": self.run_id,
                    "run_key": self.run_key, "inputs_fingerprint": self.inputs_fingerprint}
        out: dict[str, Any] = {"kind": self.kind, "path": self.path, "sha256": self.sha256,
                               "signature": self.signature}
        if self.runs is not None:
            out["runs"] = list(self.runs)
        return out


@dataclass(frozen=True)
class Report:
    """A whole report: its title, its sections, the renderer's signature and the sources it was built from."""
    title: str
    sections: tuple[Section, ...]
    signature: str = ""
    sources: tuple[Source, ...] = ()

    @property
    def record(self) -> dict[str, Any]:
        """The report's own record (``report-<hash>.json``): what it was built from and by which renderer."""
        return {"schema_version": 1, "kind": "report", "signature": self.signature,
                "sources": [s.to_dict() for s in self.sources]}
