"""Typed dataset options (the ``dataset`` node of the config)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.data.extract import ExtractSpec


@dataclass(frozen=True)
class ColumnSpec:
    """Which columns hold the id, the candidate and the reference(s).

    ``references`` lists one or more columns; a column may itself hold a list
    of strings (all of them become references). ``id: null`` numbers the rows.
    ``source`` names the column holding the document the candidate summarises.
    """

    id: str | None = "id"
    candidate: str = "candidate"
    references: tuple[str, ...] = ("reference",)
    source: str | None = None  # the source document (article) column, if any: `against=source`, source_stats


@dataclass(frozen=True)
class DatasetSpec:
    """The ``dataset`` node: which source, where, which columns, how to extract the candidate."""
    name: str = "seed"  # label used for the experiment name and messages
    source: str = "seed"  # seed | files | hub | summeval
    path: str | None = None  # file, hub id, or local dataset directory
    format: str | None = None  # files: json | jsonl | csv | parquet (default: from the extension)
    config_name: str | None = None  # hub: dataset configuration
    split: str = "train"
    revision: str | None = None  # hub: git revision, pins the data
    candidate_file: str | None = None  # seed: default seeds/001_*.txt
    reference_file: str | None = None  # seed: default seeds/000_*.txt
    columns: ColumnSpec = field(default_factory=ColumnSpec)
    extract: ExtractSpec = field(default_factory=ExtractSpec)
    # Which item metadata fields say what (analyses read them from the stored config):
    doc_key: str | None = None  # the source document; intervals resample documents (ci.unit=auto)
    system_key: str | None = None  # the system that wrote the candidate (`bench systems RUN`)
    human: tuple[str, ...] = ()  # human judgments, e.g. expert.coherence (`bench meta RUN`)


EMPTY_MODES = ("score", "error")


@dataclass(frozen=True)
class InputsSpec:
    """The ``inputs`` node: what a run does with texts it could score but may not mean to.

    ``empty``: an empty or whitespace-only candidate or reference is ``score``d as rouge-score,
    sacrebleu and bert-score score it (counted in the record, named once in a warning), or an
    ``error`` that refuses the run. A missing text (None, a non-string) is an error either way.
    """

    empty: str = "score"

    def __post_init__(self):
        if self.empty not in EMPTY_MODES:
            from bench.errors import unknown_choice

            raise unknown_choice("inputs.empty value", self.empty, EMPTY_MODES)
