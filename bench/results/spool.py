"""A streamed run's samples, written a chunk at a time as the chunks are scored.

A run scored in chunks (``bench.pipeline``, ``StoredItems``) hands each scored chunk to a ``SampleSpool``,
which writes the chunk's ``samples.jsonl`` lines (the exact bytes ``bench.results.store`` writes) to a file
in a scratch folder under bench's cache dir, so a chunk's texts are gone once it is scored. ``close`` gives
``SpooledSamples``: the unsaved run's samples, read from that file on access, and copied byte for byte into
the run's staging folder when the run is saved (``store.write_run``), which publishes it atomically as
before. The file goes when the samples are garbage-collected or the process exits.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import weakref
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from bench.results.model import LazySamples

_FILE = "samples.jsonl"
_BLOCK = 1 << 22  # bytes per read when copying or iterating the file


class SampleSpool:
    """Collects a run's sample lines chunk by chunk (``add``); ``close`` gives the ``SpooledSamples``."""

    def __init__(self) -> None:
        from bench.data.stream import scratch_folder

        self.folder = scratch_folder("samples-")
        self._fh = open(self.folder / _FILE, "wb")
        self._digest = hashlib.sha256()
        self._ends: list[int] = []  # the byte offset after each chunk
        self._counts: list[int] = []
        self._offset = 0

    def add(self, items: Sequence[Any], results: Sequence[Any]) -> None:
        """One scored chunk: its items and every metric's result for them, in the run's metric order."""
        from bench.results.record import ComputedSamples
        from bench.results.store import sample_lines

        for data in sample_lines(ComputedSamples(items, results), self._digest):
            self._fh.write(data)
            self._offset += len(data)
        self._ends.append(self._offset)
        self._counts.append(len(items))

    def close(self) -> "SpooledSamples":
        self._fh.close()
        return SpooledSamples(self.folder, tuple(self._counts), tuple(self._ends), "sha256:" + self._digest.hexdigest())

    def discard(self) -> None:
        try:
            self._fh.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class SpooledSamples(LazySamples):
    """Samples on disk, read back on access: each access parses fresh dicts, so no reader can change the
    run. ``raw_blocks`` gives the file's bytes for ``store.write_run`` to copy; ``sha256`` is theirs."""

    def __init__(self, folder: Path, counts: tuple[int, ...], ends: tuple[int, ...], sha256: str):
        self.folder, self.counts, self.ends, self.sha256 = folder, counts, ends, sha256
        self._starts = [0]
        for n in counts:
            self._starts.append(self._starts[-1] + n)
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(folder), True)

    @property
    def path(self) -> Path:
        return self.folder / _FILE

    def __len__(self) -> int:
        return self._starts[-1]

    def __repr__(self) -> str:
        return f"SpooledSamples({len(self)} samples in {len(self.counts)} chunks)"

    def raw_blocks(self, digest: Any = None) -> Iterator[bytes]:
        """The file's bytes, a block at a time (each added to ``digest`` when given)."""
        with open(self.path, "rb") as fh:
            while block := fh.read(_BLOCK):
                if digest is not None:
                    digest.update(block)
                yield block

    def _chunk(self, k: int) -> list[Mapping[str, Any]]:
        start = self.ends[k - 1] if k else 0
        with open(self.path, "rb") as fh:
            fh.seek(start)
            data = fh.read(self.ends[k] - start)
        # lines end at b"\n" only (JSON escapes it inside strings; str.splitlines would also split at U+2028)
        return [json.loads(line) for line in data.split(b"\n") if line]

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for k in range(len(self.counts)):
            yield from self._chunk(k)

    def __getitem__(self, key: Any) -> Any:
        from bench.data.stream import locate

        if isinstance(key, slice):
            return [self[k] for k in range(*key.indices(len(self)))]
        k, offset = locate(self._starts, key)
        return self._chunk(k)[offset]
