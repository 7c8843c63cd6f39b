"""Map the columns of an HF ``datasets.Dataset`` to items, a column at a time.

A row-by-row read (``for row in dataset``) builds one formatted Python dict per row: at 100,000 rows that
was most of a ROUGE run's loading time. Here each column is converted once: a column of plain values
(strings, numbers, booleans, lists of them) straight from its Arrow array, which gives exactly the values
``datasets``' Python formatter gives for those types; any other feature (images, audio, class labels, nested
sequences of dicts) through ``datasets``' own formatter, column by column, so it decodes as it always has.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from bench.data.items import Item
from bench.data.spec import ColumnSpec
from bench.errors import BenchError, unknown_choice

# ``datasets.Value`` dtypes whose Arrow values convert to the same Python values as the Python formatter's
_PLAIN = frozenset({"string", "large_string", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                    "uint32", "uint64", "float16", "float32", "float64"})


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


def _plain(feature: Any) -> bool:
    """Whether a column of this ``datasets`` feature converts to Python values without decoding."""
    import datasets

    if type(feature) is datasets.Value:
        return feature.dtype in _PLAIN
    list_types = tuple(t for t in (getattr(datasets, "List", None), getattr(datasets, "LargeList", None)) if t)
    if list_types and type(feature) in list_types:
        return _plain(feature.feature)
    return False


def column(dataset: Any, name: str) -> list[Any]:
    """One column's values in row order, as ``datasets``' Python formatter gives them."""
    features = getattr(dataset, "features", None) or {}
    if name in features and _plain(features[name]) and getattr(dataset, "_indices", None) is None:
        return dataset.data.column(name).to_pylist()
    return list(dataset[name])


def _references(values: list[list[Any]], k: int) -> tuple[Any, ...]:
    refs: list[Any] = []
    for column_values in values:
        value = column_values[k]
        # A list column holds several references for the row.
        if isinstance(value, (list, tuple)):
            refs.extend(value)
        else:
            refs.append(value)
    return tuple(refs)


def _stored_batches(dataset: Any) -> Any:
    """The dataset's rows as Arrow record batches read from its cache files with ordinary reads, or None.

    A dataset loaded without ``keep_in_memory`` memory-maps its Arrow file, and every page a conversion touches
    then counts in the process's resident memory until the dataset is gone: at a million rows that is the size
    of the whole file on top of the items made from it. Read batch by batch instead, only the file's pages of
    one batch are in the process at a time. Used only where the files are exactly the dataset (no index
    mapping, plain features, one schema, as many rows: a split slice such as ``train[100:200]`` is a slice of
    its file), else None and the dataset is read through its table."""
    import pyarrow as pa

    files = [f.get("filename") for f in (getattr(dataset, "cache_files", None) or [])]
    features = getattr(dataset, "features", None) or {}
    if (not files or getattr(dataset, "_indices", None) is not None
            or not all(_plain(features[name]) for name in dataset.column_names)):
        return None
    try:
        rows = 0
        for name in files:
            # the row count from the batches' headers over a memory map: no batch body is read or kept
            with pa.memory_map(name) as src:
                reader = pa.ipc.open_stream(src)
                if reader.schema.names != list(dataset.column_names):
                    return None
                rows += sum(batch.num_rows for batch in reader)
        if rows != len(dataset):
            return None
    except (OSError, pa.ArrowException):
        return None

    def batches():
        for name in files:
            with pa.OSFile(name) as src:
                yield from pa.ipc.open_stream(src)

    return batches()


def to_items(dataset: Any, columns: ColumnSpec, source: str) -> list[Item]:
    """Rows -> items; metadata keeps every column that is not id/candidate/reference/source."""
    names = list(dataset.column_names)
    _check_columns(names, columns, source)
    batches = _stored_batches(dataset)
    if batches is not None:
        items: list[Item] = []
        for batch in batches:
            items.extend(_items({name: batch.column(name).to_pylist() for name in names}, columns, source, len(items)))
        return items
    return _items({name: column(dataset, name) for name in names}, columns, source, 0)


def item_batches(dataset: Any, columns: ColumnSpec, source: str, rows: int = 100_000) -> Iterator[list[Item]]:
    """``to_items`` a batch at a time (what a streamed run reads): the dataset's stored Arrow batches, else
    slices of ``rows`` rows through ``datasets``' formatter (a feature that needs decoding: the same values
    ``column`` gives). The columns are checked now, before the first batch is asked for."""
    names = list(dataset.column_names)
    _check_columns(names, columns, source)
    stored = _stored_batches(dataset)

    def batches() -> Iterator[list[Item]]:
        done = 0
        if stored is not None:
            for batch in stored:
                items = _items({name: batch.column(name).to_pylist() for name in names}, columns, source, done)
                done += len(items)
                yield items
            return
        for lo in range(0, len(dataset), rows):
            part = dataset[lo:lo + rows]  # a dict of columns, formatted as ``dataset[name]`` formats them
            yield _items({name: part[name] for name in names}, columns, source, lo)

    return batches()


def _items(values: Mapping[str, list[Any]], columns: ColumnSpec, source: str, offset: int) -> list[Item]:
    """Items of rows ``offset``, ``offset + 1``, ... given their columns' values."""
    used = {columns.id, columns.candidate, *columns.references, columns.source}
    n = len(values[columns.candidate])
    ids = range(offset, offset + n) if columns.id is None else values[columns.id]
    candidates = values[columns.candidate]
    references = [values[c] for c in columns.references]
    sources = None if columns.source is None else values[columns.source]
    meta = [(k, v) for k, v in values.items() if k not in used]
    items = []
    for index in range(n):
        row_id = ids[index]
        if row_id is None:
            raise BenchError(f"row {offset + index} of {source} has no id", "fill the id column or set dataset.columns.id=null")
        items.append(Item(
            id=str(row_id),
            candidate=candidates[index],
            references=_references(references, index),
            metadata={k: v[index] for k, v in meta},
            source=None if sources is None else sources[index],
        ))
    return items
