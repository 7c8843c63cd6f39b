"""Reading user files with errors that say what is wrong and how to fix it."""

from __future__ import annotations

from pathlib import Path

from bench.errors import BenchError


def existing_file(path: str | Path, option: str) -> Path:
    """``path`` if it is an existing file, else a one-line error naming ``option``."""
    p = Path(path).expanduser()
    if not p.exists():
        raise BenchError(f"{option}: file not found: {p}", f"pass an existing file, e.g. {option}=/abs/path")
    if not p.is_file():
        raise BenchError(f"{option}: {p} is not a file", "pass a file path")
    return p


def read_utf8(path: str | Path, option: str = "dataset.path") -> str:
    """The text of a UTF-8 file, or a one-line error that says what is wrong and how to fix it."""
    p = existing_file(path, option)
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BenchError(
            f"{p} is not valid UTF-8 (byte {exc.start}: {exc.object[exc.start:exc.start + 1]!r})",
            "re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        ) from None
    except OSError as exc:
        raise BenchError(f"cannot read {p}: {exc.strerror}", "check the path and its permissions") from None


def check_utf8(path: Path) -> None:
    """Validate a text file's encoding in chunks, without holding it in memory."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise BenchError(
                        f"{path} is not valid UTF-8 (near byte {offset + exc.start})",
                        "re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
                    ) from None
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except OSError as exc:
        raise BenchError(f"cannot read {path}: {exc.strerror}", "check the path and its permissions") from None
