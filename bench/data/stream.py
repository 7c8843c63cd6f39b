"""A corpus too large to hold: its items written once to an Arrow file, read back a chunk at a time.

A run of a million items held every text in memory (about 1 GiB of ``Item`` objects) from loading to the
last sample written. A streamed run keeps them here instead: ``Spill`` writes the prepared items (selected,
extracted, validated) in chunks of ``CHUNK_ITEMS``, one Arrow record batch per chunk, and ``StoredItems``
is the sequence of them that reads one batch at a time (ordinary reads, no memory map, so only the chunk
being read counts in the process's memory). The file lives in a scratch folder under bench's cache dir,
removed when the ``StoredItems`` is garbage-collected or the process exits.

An item comes back exactly as it went in: texts and ids as strings, references as a tuple, the source or
None, and the metadata through JSON (what a streamed dataset's metadata is made of: strings, numbers,
booleans, None and lists of them; NaN and infinities kept).
"""

from __future__ import annotations

import collections.abc
import json
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any, Iterator, Sequence

from bench.data.items import Item

# Items per chunk of a streamed run: what a run holds of its texts at a time. A corpus (or shard) of at most
# this many items is held whole, as before streaming: one chunk either way.
CHUNK_ITEMS = 100_000

_FILE = "items.arrow"


def _schema():
    import pyarrow as pa

    text = pa.large_string()  # 64-bit offsets: a chunk of long articles can pass 2 GiB of text
    return pa.schema([("id", text), ("candidate", text), ("references", pa.large_list(text)),
                      ("source", text), ("metadata", text)])


def scratch_folder(prefix: str = "items-") -> Path:
    """A new folder for a streamed run's files, under bench's cache dir (the system's temp dir if unusable).

    Its name carries this host and process, so a later run removes what a killed one left (SIGKILL and an
    out-of-memory kill run no cleanup, and a streamed run's folders hold gigabytes)."""
    import os
    import socket

    from bench.paths import cache_subfolder

    root = cache_subfolder("stream-scratch")
    if root is not None:
        reap(root)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{socket.gethostname()}.{os.getpid()}.", dir=root))


def reap(root: Path) -> list[Path]:
    """Remove the scratch folders under ``root`` of processes of this host that are gone."""
    import socket

    from bench.paths import process_alive

    removed, host = [], socket.gethostname()
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        parts = entry.name.split(".")
        # <prefix><host>.<pid>.<random>; a host name may hold dots itself
        if len(parts) < 3 or not parts[-2].isdigit():
            continue
        named_host = ".".join(parts[:-2]).split("-", 1)[-1]
        if named_host == host and not process_alive(int(parts[-2])):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


class Unstorable(ValueError):
    """An item's metadata that JSON cannot hold exactly (a decoded feature: a date, an image)."""


def _no_json(value: Any) -> Any:
    raise Unstorable(f"{type(value).__name__} in metadata")


class Spill:
    """Writes items a chunk at a time; ``close`` gives the ``StoredItems`` that reads them back."""

    def __init__(self) -> None:
        import pyarrow as pa

        self.folder = scratch_folder()
        self._sink = pa.OSFile(str(self.folder / _FILE), "wb")
        self._writer = pa.ipc.new_file(self._sink, _schema())
        self._closed = False
        self._counts: list[int] = []
        self._references: list[Any] = []  # per chunk, each item's reference count (int32)
        self.references = 0

    def write(self, items: Sequence[Item]) -> None:
        """One chunk (one record batch)."""
        import pyarrow as pa

        if not items:
            return
        dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=True, default=_no_json).encode
        columns = [
            [it.id for it in items],
            [it.candidate for it in items],
            [list(it.references) for it in items],
            [it.source for it in items],
            [_metadata(dumps, it.metadata) for it in items],
        ]
        try:
            batch = pa.record_batch(columns, schema=_schema())
        except (pa.ArrowException, UnicodeError) as exc:  # a lone surrogate is no UTF-8: kept in memory instead
            raise Unstorable(str(exc)) from None
        self._writer.write_batch(batch)
        import numpy as np

        self._counts.append(len(items))
        self._references.append(np.fromiter((len(it.references) for it in items), dtype=np.int32, count=len(items)))
        self.references += int(self._references[-1].sum())

    def close(self) -> "StoredItems":
        """The items written (the folder is theirs from now on: it goes with them)."""
        import numpy as np

        self._shut()
        counts = np.concatenate(self._references) if self._references else np.zeros(0, dtype=np.int32)
        return StoredItems(self.folder, tuple(self._counts), self.references, counts)

    def _shut(self) -> None:
        if not self._closed:  # once: a closed Arrow writer raises when closed again
            self._closed = True
            try:
                self._writer.close()
            finally:
                self._sink.close()

    def discard(self) -> None:
        """Gone, written or not (a run that failed while preparing); any number of times."""
        try:
            self._shut()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _metadata(dumps: Any, metadata: Any) -> str:
    if not metadata:
        return "{}"
    if not _json_exact(dict(metadata)):
        raise Unstorable("metadata that JSON does not give back as it is (a tuple, a non-string key)")
    return dumps(dict(metadata))


def _json_exact(value: Any) -> bool:
    """Whether JSON gives ``value`` back equal and of the same types (NaN included)."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return True
    if kind is list:
        return all(_json_exact(v) for v in value)
    if kind is dict:
        return all(type(k) is str and _json_exact(v) for k, v in value.items())
    return False


class StoredItems(collections.abc.Sequence):
    """Items on disk, read back a chunk (an Arrow record batch) at a time: a ``Sequence[Item]`` whose ``chunks``
    a streamed run scores one by one. ``reference_count`` is how many references the items hold, and
    ``reference_counts`` each item's (what a signature's ``nrefs`` needs, without reading the texts)."""

    def __init__(self, folder: Path, counts: tuple[int, ...], references: int, reference_counts: Any = None):
        self.folder, self.counts, self.reference_count = folder, counts, references
        self.reference_counts = reference_counts
        self._starts = [0]
        for n in counts:
            self._starts.append(self._starts[-1] + n)
        # the folder goes with the last reference to these items (and at exit, whatever holds them)
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(folder), True)

    def __len__(self) -> int:
        return self._starts[-1]

    def __repr__(self) -> str:
        return f"StoredItems({len(self)} items in {len(self.counts)} chunks)"

    def chunk(self, k: int) -> tuple[Item, ...]:
        """The ``k``-th chunk's items."""
        import pyarrow as pa

        with pa.OSFile(str(self.folder / _FILE)) as src:
            batch = pa.ipc.open_file(src).get_batch(k)
            ids, candidates, references, sources, metadata = (batch.column(j).to_pylist() for j in range(5))
        loads = json.loads
        return tuple(Item(id=i, candidate=c, references=tuple(r), metadata=loads(m) if m != "{}" else {}, source=s)
                     for i, c, r, s, m in zip(ids, candidates, references, sources, metadata))

    def chunks(self) -> Iterator[tuple[Item, ...]]:
        """Every chunk's items, in order (one chunk in memory at a time)."""
        for k in range(len(self.counts)):
            yield self.chunk(k)

    def __iter__(self) -> Iterator[Item]:
        for chunk in self.chunks():
            yield from chunk

    def __getitem__(self, key: Any) -> Any:
        import bisect

        if isinstance(key, slice):
            lo, hi, step = key.indices(len(self))
            if step != 1:
                return tuple(self[k] for k in range(lo, hi, step))
            out: list[Item] = []
            k = bisect.bisect_right(self._starts, lo) - 1
            while lo < hi and k < len(self.counts):
                chunk = self.chunk(k)
                out.extend(chunk[lo - self._starts[k]: hi - self._starts[k]])
                k += 1
                lo = self._starts[k]
            return tuple(out)  # as a tuple of items slices
        k, offset = locate(self._starts, key)
        return self.chunk(k)[offset]


def locate(starts: Sequence[int], key: Any) -> tuple[int, int]:
    """The chunk and the position in it of item ``key`` (negative from the end) of chunks starting at
    ``starts`` (the last entry: the item count)."""
    import bisect

    if not isinstance(key, int):
        raise TypeError(f"indices must be integers or slices, not {type(key).__name__}")
    n = starts[-1]
    if key < 0:
        key += n
    if not 0 <= key < n:
        raise IndexError(key)
    k = bisect.bisect_right(starts, key) - 1
    return k, key - starts[k]
