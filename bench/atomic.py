"""The one atomic writer: every single file bench puts in place goes through ``write_atomic``.

The data is written to a temporary name beside the target (same folder, so the
same file system), then put in place with one atomic step: ``os.replace`` (last
writer wins) or, with ``exclusive``, ``os.link`` (create-if-absent: it fails if
the target exists, and the first writer wins). A reader therefore sees the old
file, the new one, or none, never half of one; a crash leaves at worst a
temporary ``.<name>.<pid>.<hex>.tmp`` file, which is removed when the write fails.

Run directories are made whole by one rename of their staging folder
(``bench.results.store``); the files inside that folder are plain writes.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Iterable, Union

Data = Union[str, bytes, bytearray, memoryview, Iterable[Union[bytes, bytearray, memoryview]]]


def temporary_name(path: Path) -> Path:
    """A fresh temporary name beside ``path``: hidden, unique per process and call, ending in ``.tmp``."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_file(path: str | Path, data: Data, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` in place (not atomic: for files inside a folder that is published whole).

    ``data`` is text (written as UTF-8), bytes, or an iterable of buffers written
    back to back without copying them; ``fsync`` flushes it to the disk before returning.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    buffers = [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for buffer in buffers:
            view = memoryview(buffer).cast("B")
            while view:  # os.write may write less than asked
                view = view[os.write(fd, view) :]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str | Path, data: Data, fsync: bool = True, exclusive: bool = False) -> bool:
    """Put ``data`` at ``path`` atomically (see the module docstring); returns whether it was put there.

    With ``exclusive`` the file is created only if ``path`` does not exist yet
    (``os.link``); an existing file is left alone and ``False`` is returned.
    Otherwise it replaces whatever is there and ``True`` is returned. The folder
    must exist. Errors are ``OSError`` (callers word them for their users); the
    temporary file never outlives the call.
    """
    path = Path(path)
    tmp = temporary_name(path)
    try:
        write_file(tmp, data, fsync=fsync)
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
        else:
            os.replace(tmp, path)
        return True
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # e.g. the folder went away: nothing of ours is left to remove
            pass
