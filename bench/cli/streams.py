"""What the shell's entry points share below the dispatcher: the guarded standard streams (a failed write
ends in one line, text a terminal cannot encode degrades), ending quietly on a closed stdout, and writing
a metric option the way ``bench run`` takes it (``bench.hints`` phrases its advice with it).
A module of its own so that ``bench.cli`` (the dispatcher) and ``bench.cli.app`` (``bench run``) both
import it without importing each other."""

from __future__ import annotations

import contextlib
import sys
from typing import Iterator

from bench import hints


def stdout_closed() -> int:
    """Stdout's reader is gone (``bench ls | head -1``): end quietly, as the Python docs recommend
    (https://docs.python.org/3/library/signal.html#note-on-sigpipe): point stdout at devnull so the
    final flush cannot raise again, and return 128 + SIGPIPE, the status a shell shows for a tool
    that SIGPIPE ended (``yes | head``). Not 1: ``bench check`` means "regression" by 1."""
    import os
    import signal

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in-process): nothing to silence
        pass
    return 128 + getattr(signal, "SIGPIPE", 13)


class _Shell(hints.Overrides):
    """``bench run``'s syntax: config overrides, and ``-m`` for one run per value."""

    sweep = "-m"


# A metric option as a ``bench run`` override (``metrics.rouge.tokenizer=unicode``), and every other part of
# bench.hints' syntax; callable as the bare option formatter it was.
override = _Shell()


class StreamError(OSError):
    """A write to stdout or stderr failed (a full disk, an I/O error), not a file bench chose to write.

    An ``OSError`` so that code which guards its own writes with ``except OSError`` (logging's handlers)
    stays quiet; ``BrokenPipeError`` is not turned into one: a closed pipe has its own quiet end."""

    def __init__(self, stream: str, file, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.stream, self.file = stream, file  # "stdout"/"stderr", and the stream object that failed


class _Guarded:
    """``sys.stdout``/``sys.stderr`` as they were, with every write and flush that fails raising
    ``StreamError`` naming the stream (so ``main`` can tell it from a failure of a file it opened).
    Everything else (``fileno``, ``isatty``, ``encoding``, ``buffer``) is the wrapped stream's."""

    def __init__(self, stream, name: str):
        self._stream, self._name = stream, name

    def _guard(self, call, *args):
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except StreamError:
            raise
        except OSError as exc:
            raise StreamError(self._name, self._stream, exc) from None

    def write(self, text):
        return self._guard(self._stream.write, text)

    def writelines(self, lines):
        return self._guard(self._stream.writelines, lines)

    def flush(self):
        return self._guard(self._stream.flush)

    def write_bytes(self, data: bytes) -> None:
        """``data`` as it is (a file format's bytes, e.g. an export's UTF-8), past the text layer's encoding."""
        buffer = getattr(self._stream, "buffer", None)
        if buffer is None:  # a text-only stream (captured in-process): the text is what it can take
            self.write(data.decode("utf-8"))
            return
        self.flush()  # text printed before stays before
        self._guard(buffer.write, data)
        self._guard(buffer.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _degrade(stream, errors: str | None) -> str | None:
    """Set ``stream``'s error handler; returns the one it had (None: not a stream that has one).

    Text the terminal's encoding lacks (PYTHONIOENCODING=ascii, a C locale without UTF-8 mode) is shown
    as replacement characters instead of ending the command in UnicodeEncodeError. Files bench writes
    are UTF-8 whatever the locale: they never pass through these streams."""
    reconfigure, before = getattr(stream, "reconfigure", None), getattr(stream, "errors", None)
    if reconfigure is None or errors is None or not isinstance(before, str):
        return None
    try:
        reconfigure(errors=errors)
    except (ValueError, OSError):  # a stream already closed or detached, or one that cannot flush: leave it
        return None
    return before


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Inside: stdout degrades unencodable characters to ``?`` and stderr to ``\\xNN`` escapes (Python's own
    choice for stderr), and a failed write to either raises ``StreamError``. The streams are put back after."""
    saved = sys.stdout, sys.stderr
    before = []  # (stream, its own error handler), put back after: a caller's streams are left as they were
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        if stream is not None and not isinstance(stream, _Guarded):
            before.append((stream, _degrade(stream, errors)))
    if sys.stdout is not None and not isinstance(sys.stdout, _Guarded):
        sys.stdout = _Guarded(sys.stdout, "stdout")
    if sys.stderr is not None and not isinstance(sys.stderr, _Guarded):
        sys.stderr = _Guarded(sys.stderr, "stderr")
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        for stream, errors in before:
            _degrade(stream, errors)


def write_bytes(data: bytes) -> None:
    """Write a file format's bytes to stdout unchanged (``bench export`` without ``--output``)."""
    out = sys.stdout
    if isinstance(out, _Guarded):
        out.write_bytes(data)
    elif getattr(out, "buffer", None) is not None:
        out.flush()
        out.buffer.write(data)
        out.buffer.flush()
    else:
        out.write(data.decode("utf-8"))


def stream_failed(exc: StreamError) -> int:
    """A write to stdout or stderr failed: one line on stderr (when stderr can still take it), and 1.

    The failed stream is pointed at devnull first, so that the interpreter's final flush of what is
    still buffered cannot fail again (and print "Exception ignored" or exit 120)."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), exc.file.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (captured in-process): nothing to silence
        pass
    if exc.stream == "stdout":
        fix = "check the file or device stdout goes to (free space, permissions), or redirect stdout elsewhere"
        try:
            print(f"bench: error: cannot write to stdout: {exc.strerror}; {fix}", file=sys.stderr, flush=True)
        except OSError:  # stderr failed too: the status is all that is left
            pass
    return 1
