"""bench.cli.streams in-process: the guard degrades unencodable text and puts the caller's streams back;
a failed write becomes StreamError naming the stream; bench.cli.main turns it into one line and 1."""

from __future__ import annotations

import errno
import io
import sys

import pytest

from bench.cli import streams


class _Full(io.TextIOBase):
    """A text stream on a full disk: every write and flush fails with ENOSPC."""

    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_ascii_stream_degrades_and_is_restored(monkeypatch):
    raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", raw)
    with streams.guarded():
        print("système α")
        assert sys.stdout is not raw  # guarded
    assert sys.stdout is raw and raw.errors == "strict"
    raw.flush()
    assert raw.buffer.getvalue() == b"syst?me ?\n"


def test_a_failed_write_names_its_stream(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _Full())
    with streams.guarded(), pytest.raises(streams.StreamError) as caught:
        print("x", flush=True)
    assert caught.value.stream == "stdout" and caught.value.errno == errno.ENOSPC


def test_a_broken_pipe_stays_a_broken_pipe(monkeypatch):
    class Closed(_Full):
        def write(self, text):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    with streams.guarded(), pytest.raises(BrokenPipeError):
        print("x")


def test_main_ends_a_full_stdout_in_one_line(monkeypatch):
    import bench.cli as cli

    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", _Full())
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["--version"]) == 1
    assert err.getvalue() == ("bench: error: cannot write to stdout: No space left on device; check the file or "
                              "device stdout goes to (free space, permissions), or redirect stdout elsewhere\n")
