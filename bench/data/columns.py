"""Map the columns of an HF ``datasets.Dataset`` to items."""

from __future__ import annotations

from typing import Any

from bench.data.items import Item
from bench.data.spec import ColumnSpec
from bench.errors import BenchError, unknown_choice



def _check_columns(names: list[str], columns: ColumnSpec, source: str) -> None:
    wanted = [("id", columns.id), ("candidate", columns.candidate)]
    wanted += [("references", r) for r in columns.references]
    wanted += [("source", columns.source)]
    for role, col in wanted:
        if col is not None and col not in names:
            fix = unknown_choice("column", col, names).fix
            raise BenchError(
                f"unknown column {col!r} (dataset.columns.{role}) in {source}",
                f"set dataset.columns.{role} to an existing column ({fix})",
            )
    if not columns.references:
        raise BenchError("dataset.columns.references is empty", "name at least one reference column")


def _references(row: dict[str, Any], columns: ColumnSpec, row_id: str, source: str) -> tuple[str, ...]:
    refs: list[Any] = []
    for col in columns.references:
        value = row[col]
        # A list column holds several references for the row.
        if isinstance(value, (list, tuple)):
            refs.extend(value)
        else:
            refs.append(value)
    return tuple(refs)


def to_items(dataset: Any, columns: ColumnSpec, source: str) -> list[Item]:
    """Rows -> items; metadata keeps every column that is not id/candidate/reference."""
    names = list(dataset.column_names)
    _check_columns(names, columns, source)
    used = {columns.id, columns.candidate, *columns.references, columns.source}
    items = []
    for index, row in enumerate(dataset):
        row_id = str(index) if columns.id is None else row[columns.id]
        if row_id is None:
            raise BenchError(f"row {index} of {source} has no id", "fill the id column or set dataset.columns.id=null")
        row_id = str(row_id)
        metadata = {k: v for k, v in row.items() if k not in used}
        items.append(
            Item(
                id=row_id,
                candidate=row[columns.candidate],
                references=_references(row, columns, row_id, source),
                metadata=metadata,
                source=None if columns.source is None else row[columns.source],
            )
        )
    return items
