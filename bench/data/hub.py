"""A dataset from the Hugging Face Hub by name/config/split/revision.

Also accepts a local dataset directory (a folder of data files, or one written
by ``Dataset.save_to_disk``), which is how it is tested offline.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from bench.data.columns import item_batches, to_items
from bench.data.items import Item
from bench.data.spec import DatasetSpec
from bench.errors import BenchError


def _load(spec: DatasetSpec):
    import datasets

    datasets.disable_progress_bars()
    local = Path(spec.path).expanduser()
    if local.is_dir():  # a local folder: its JSON is depth-checked before datasets (pyarrow) parses it
        from bench.data.files import check_nesting

        for path in sorted(local.rglob("*")):
            suffix = path.suffix.lower().lstrip(".")
            if suffix in ("json", "jsonl") and path.is_file():
                check_nesting(path, suffix)
    if local.is_dir() and (local / "state.json").exists():
        data = datasets.load_from_disk(str(local))
        return data[spec.split] if isinstance(data, datasets.DatasetDict) else data
    # Downloads and the Arrow copy go to bench's cache (not ~/.cache/huggingface): bench writes nowhere else.
    # Without a writable cache (one warning, from usable_cache_dir) they go to a temp folder, removed after.
    import tempfile

    from bench.paths import usable_cache_dir

    cache = usable_cache_dir()
    if cache is not None:
        return datasets.load_dataset(spec.path, name=spec.config_name, split=spec.split, revision=spec.revision,
                                     cache_dir=str(cache / "datasets"))
    with tempfile.TemporaryDirectory() as folder:
        return datasets.load_dataset(spec.path, name=spec.config_name, split=spec.split, revision=spec.revision,
                                     cache_dir=folder, keep_in_memory=True)


def load(spec: DatasetSpec) -> list[Item]:
    """Items from a Hub dataset (name, config, split, revision) or a local dataset directory."""
    return to_items(_opened(spec), spec.columns, spec.path)


@contextlib.contextmanager
def stream(spec: DatasetSpec):
    """``(rows, batches)``: the dataset's row count and its items a stored Arrow batch at a time (``load`` in
    pieces, for a run that streams its corpus: ``bench.data.stream_items``)."""
    data = _opened(spec)
    yield len(data), item_batches(data, spec.columns, spec.path)


def _opened(spec: DatasetSpec):
    """The ``datasets.Dataset`` of ``spec``, every failure a one-line error."""
    if not spec.path:
        raise BenchError("dataset.path is not set", "pass dataset.path=<hub id or local dataset dir>")
    try:
        return _load(spec)
    except BenchError:
        raise
    except KeyError:
        raise BenchError(f"split {spec.split!r} not found in {spec.path}", "set dataset.split to an existing split") from None
    except Exception as exc:  # network, missing dataset, bad config: all the user's to fix
        if "split" in str(exc).lower() and spec.split in str(exc):
            raise BenchError(f"split {spec.split!r} not found in {spec.path}", "set dataset.split to an existing split") from None
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BenchError(
            f"cannot load dataset {spec.path!r} (config={spec.config_name}, split={spec.split}): {reason}",
            "check the name/config/split, or point dataset.path at a local copy when offline",
        ) from None
