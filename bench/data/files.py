"""Local jsonl/json/csv/parquet files, read through HF ``datasets``."""

from __future__ import annotations

from pathlib import Path

from bench.data.columns import to_items
from bench.data.spec import DatasetSpec
from bench.data.text_files import check_utf8, existing_file
from bench.errors import BenchError, unknown_choice
from bench.items import Item

# datasets' builder name for each format; jsonl is read by the json builder.
FORMATS = {"json": "json", "jsonl": "json", "csv": "csv", "parquet": "parquet"}


def _format(path: Path, configured: str | None) -> str:
    fmt = configured or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise unknown_choice(f"file format for {path.name} (dataset.format)", fmt, FORMATS)
    return fmt


def load(spec: DatasetSpec) -> list[Item]:
    if spec.path is None:
        raise BenchError("dataset.path is not set", "pass dataset.path=/path/to/file.jsonl")
    path = existing_file(spec.path, "dataset.path")
    fmt = _format(path, spec.format)
    if fmt != "parquet":
        check_utf8(path)
    import datasets  # heavy: imported only when a file is actually loaded

    datasets.disable_progress_bars()
    try:
        data = datasets.load_dataset(FORMATS[fmt], data_files=str(path), split="train")
    except Exception as exc:  # datasets raises many types; all mean "this file does not parse"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BenchError(
            f"cannot read {path} as {fmt}: {reason}",
            f"check that the file is valid {fmt} or set dataset.format",
        ) from None
    return to_items(data, spec.columns, str(path))
