"""Local jsonl/json/csv/parquet files, read through HF ``datasets``."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from bench.data.columns import item_batches, to_items
from bench.data.items import Item
from bench.data.spec import DatasetSpec
from bench.data.text_files import check_utf8, existing_file
from bench.errors import BenchError, unknown_choice
from bench.jsonio import MAX_DEPTH, JsonError, check_depth


@contextlib.contextmanager
def _captured_log():
    """datasets logs a parse error (with the parser's own words) before raising a generic one;
    keep its records instead of printing them, so the user sees the problem once, in bench's line."""
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("datasets")
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    saved = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [handler], False
    try:
        yield records
    finally:
        logger.handlers, logger.propagate = saved


def _logged_reason(records: list[logging.LogRecord], path: Path) -> str | None:
    for record in reversed(records):
        text = record.getMessage().strip().splitlines()[0]
        # "Failed to load JSON from file '<path>' with error <class '...'>: JSON parse error: ... in row 1"
        return text.rsplit(">: ", 1)[-1] if ">: " in text else text.replace(str(path), path.name)
    return None


def _as_line(reason: str, path: Path) -> str:
    """pyarrow's "in row N" counts parsed rows from 0 and skips blank lines; every other bench message counts
    lines from 1 as an editor does: name the file's first line that does not parse as JSON instead."""
    import re

    from bench import jsonio

    if not re.search(r"\bin row \d+", reason):
        return reason
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        jsonio.loads(line, position=False)  # as strict as pyarrow: NaN and repeated keys too
                    except ValueError:
                        return re.sub(r"\bin row \d+", f"on line {number}", reason)
    except (OSError, ValueError):
        pass
    return reason


def root_reason(exc: BaseException) -> str:
    """The first line of the innermost error in the chain: datasets wraps the parser's message
    ("JSON parse error: ... in row 1") in a generic "An error occurred while generating the dataset"."""
    while (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def _scratch():
    """A folder under bench's cache dir that is gone afterwards (also on error); in the system's temp dir
    when the cache dir cannot be written (``usable_cache_dir`` has said so once), so that an unusable
    BENCH_CACHE_DIR is never blamed on the data file."""
    import tempfile

    from bench.paths import cache_subfolder

    with tempfile.TemporaryDirectory(dir=cache_subfolder("datasets-scratch")) as folder:
        yield folder


# datasets' builder name for each format; jsonl is read by the json builder.
FORMATS = {"json": "json", "jsonl": "json", "csv": "csv", "parquet": "parquet"}


def _format(path: Path, configured: str | None) -> str:
    fmt = configured or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise unknown_choice(f"file format for {path.name} (dataset.format)", fmt, FORMATS)
    return fmt


def check_nesting(path: Path, fmt: str) -> None:
    """Refuse JSON nested deeper than ``MAX_DEPTH`` before ``datasets`` sees the file: pyarrow's JSON reader
    (which ``datasets`` reads json and jsonl with, line by line) crashes the whole process (SIGSEGV) on a line
    nested some 100,000 deep, and the fallback for a .json file, Python's json, raises RecursionError."""
    try:
        if fmt == "json":  # a whole document (Python's json) or JSON Lines (pyarrow, tried first): both
            text = path.read_text(encoding="utf-8")
            check_depth(text, lines=True)
            check_depth(text)
        else:
            with path.open("rb") as fh:  # line by line (b"\n" only, as pyarrow splits): no copy of the file
                for number, line in enumerate(fh, 1):
                    try:
                        check_depth(line.decode("utf-8"))
                    except JsonError as exc:
                        raise JsonError(exc.msg, number, exc.colno) from None
    except JsonError as exc:
        raise BenchError(f"cannot read {path} as {fmt}: {exc}",
                         f"store the data at most {MAX_DEPTH} levels deep") from None
    except OSError as exc:
        raise BenchError(f"cannot read {path}: {exc.strerror}", "check the path and its permissions") from None


def load(spec: DatasetSpec) -> list[Item]:
    """Items from a local jsonl/json/csv/parquet file through HF ``datasets``, columns mapped by ``spec.columns``."""
    with _opened(spec) as (data, path):
        return to_items(data, spec.columns, str(path))


@contextlib.contextmanager
def stream(spec: DatasetSpec):
    """``(rows, batches)``: the file's row count and its items a stored Arrow batch at a time (``load`` in
    pieces, for a run that streams its corpus: ``bench.data.stream_items``); valid inside the ``with``."""
    with _opened(spec) as (data, path):
        yield len(data), item_batches(data, spec.columns, str(path))


@contextlib.contextmanager
def _opened(spec: DatasetSpec):
    """The file as a ``datasets.Dataset`` (and its path), with its Arrow copy in a scratch folder that is gone
    after the ``with``."""
    if spec.path is None:
        raise BenchError("dataset.path is not set", "pass dataset.path=/path/to/file.jsonl")
    path = existing_file(spec.path, "dataset.path")
    fmt = _format(path, spec.format)
    if fmt != "parquet":
        check_utf8(path)
    if fmt in ("json", "jsonl"):
        check_nesting(path, fmt)
    import datasets  # heavy: imported only when a file is actually loaded

    datasets.disable_progress_bars()
    with _scratch() as scratch:
        try:
            with _captured_log() as logged:
                # datasets writes an Arrow copy of the file into its cache (~/.cache/huggingface by default): here
                # it goes to a scratch folder in bench's cache, is read from there batch by batch
                # (``columns.to_items``, ``columns.item_batches``), and the folder is removed.
                data = datasets.load_dataset(FORMATS[fmt], data_files=str(path), split="train", cache_dir=scratch)
        except Exception as exc:  # datasets raises many types; all mean "this file does not parse"
            reason = _logged_reason(logged, path) or root_reason(exc)
            if fmt == "jsonl":
                reason = _as_line(reason, path)
            raise BenchError(
                f"cannot read {path} as {fmt}: {reason}",
                f"check that the file is valid {fmt} or set dataset.format",
            ) from None
        try:
            yield data, path
        finally:
            del data  # this frame's reference to the memory map of the scratch copy (on Linux the folder can go
            # while a caller's reference still maps it)
