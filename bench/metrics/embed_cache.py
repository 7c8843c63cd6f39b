"""On-disk cache of BERTScore token embeddings, so a text goes through the model once.

Key: (namespace, layer, SHA-256 of the text). The namespace is a SHA-256 over
everything that can change an embedding's bits besides the text: the weights'
SHA-256, the other model files (config, vocabulary), the tokenizer kind (fast
or slow) and its max length, the device kind (a CUDA run does not reuse CPU
numbers), and the torch / transformers / bert-score versions. Each entry holds
the text's token embeddings [len, dim] (float32, exactly as computed) and its
token ids, so a warm run needs neither the model nor the tokenizer's output.

Layout: ``<dir>/<namespace[:32]>/L<layer>/<sha[:2]>/<sha>.safetensors``, one
file per (layer, text) in 256 subfolders. Why per-text files and not one file
per batch plus an index: lookup is one ``open`` (O(1), no index to load, lock
or keep consistent with its data files), a damaged file costs one text, and
"create if absent" is one atomic ``os.link``. The files are not tiny: a
64-token text at 384 dims is 98 KB, so the ~2.6k texts of SummEval are ~260 MB
per layer; delete the folder at any time, nothing else refers to it.

Safety: safetensors (no pickle, no code on load). A file is written to a
temporary name and linked into place (``os.link``: atomic, and fails if the
entry exists); a crash leaves at worst a temporary file, never a partial
entry. Every read checks the header, the text hash, the shapes and a CRC-32
of the tensors; a bad entry counts as a miss, is recomputed and replaced.

First writer wins. bench computes a text's embedding with the same bits
whatever else is in its batch (``bert_engine``), so two writers of one entry
(e.g. 4 shards in parallel) store the same bytes; ``put`` still keeps the
entry already on disk and returns it, so what a run scores is always what is
stored, even for a model whose kernels were not batch-invariant. A partly warm
run embeds only the missing texts and gives exactly the cold run's numbers
(tested with damaged entries recomputed).

Cost on SummEval (2,646 texts, 2 CPU cores): writing a layer ~1 s, reading
it back ~0.4 s (CRC included); embedding it at layer 4 takes ~16 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

log = logging.getLogger(__name__)
FORMAT = "1"


@dataclass(frozen=True)
class Entry:
    embedding: object  # torch.FloatTensor [len, dim]
    ids: tuple[int, ...]  # token ids, len of them
    truncated: bool  # the text was longer than the tokenizer's max length


def default_dir() -> Path:
    root = os.environ.get("BENCH_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "bench")
    return Path(root) / "embeddings"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def namespace(parts: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


def _crc(embedding, ids) -> int:
    return zlib.crc32(ids.numpy().data, zlib.crc32(embedding.numpy().data))


def _header(data: bytes) -> dict:
    size = int.from_bytes(data[:8], "little")
    if len(data) < 8 or not 2 <= size <= len(data) - 8:
        raise ValueError("bad header size")
    return json.loads(data[8 : 8 + size])


def decode(data: bytes, sha: str) -> Entry:
    """An entry from a file's bytes; ValueError (or a safetensors error) if anything is off."""
    import torch
    from safetensors.torch import load

    meta = _header(data)["__metadata__"]
    if meta.get("format") != FORMAT or meta.get("text_sha256") != sha:
        raise ValueError("not this entry")
    tensors = load(data)
    emb, ids = tensors["embedding"], tensors["ids"]
    ok = emb.dtype == torch.float32 and ids.dtype == torch.int64 and emb.dim() == 2 and ids.dim() == 1
    if not ok or emb.shape[0] != ids.shape[0] or emb.shape[0] < 1:
        raise ValueError("bad shapes")
    if _crc(emb, ids) != int(meta["crc32"]):
        raise ValueError("checksum mismatch")
    return Entry(emb, tuple(ids.tolist()), meta["truncated"] == "1")


def encode(entry: Entry, sha: str) -> bytes:
    import torch
    from safetensors.torch import save

    emb = entry.embedding.detach().to("cpu", torch.float32).contiguous()
    ids = torch.tensor(entry.ids, dtype=torch.int64)
    meta = {"format": FORMAT, "text_sha256": sha, "truncated": "1" if entry.truncated else "0", "crc32": str(_crc(emb, ids))}
    return save({"embedding": emb, "ids": ids}, metadata=meta)


class EmbeddingCache:
    """Entries of one namespace. Not shared between threads; any number of processes is fine."""

    def __init__(self, root: Path, parts: Mapping[str, str]):
        self.root = Path(root) / namespace(parts)[:32]
        self.parts = dict(parts)
        self.rejected = 0  # entries found damaged and ignored
        self._writable = True
        self._described = False

    def path(self, layer: int, sha: str) -> Path:
        return self.root / f"L{layer}" / sha[:2] / f"{sha}.safetensors"

    def _read(self, path: Path, sha: str, report: bool = True) -> Entry | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("bertscore cache: cannot read %s (%s); recomputing", path, exc)
            return None
        try:
            return decode(data, sha)
        except Exception:  # any malformed file: safetensors, JSON, KeyError, ValueError
            if report:
                self.rejected += 1
                log.warning("bertscore cache: %s is damaged; recomputing it", path)
            return None

    def get(self, layer: int, text: str) -> Entry | None:
        sha = text_sha256(text)
        return self._read(self.path(layer, sha), sha)

    def put(self, layer: int, text: str, entry: Entry) -> Entry:
        """Store ``entry`` unless a valid one is already there; return the entry on disk."""
        if not self._writable:
            return entry
        sha = text_sha256(text)
        path = self.path(layer, sha)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._describe()
            tmp.write_bytes(encode(entry, sha))
            return self._publish(tmp, path, sha, entry)
        except OSError as exc:  # read-only or full disk: score on, uncached
            self._writable = False
            log.warning("bertscore cache: cannot write under %s (%s); continuing without caching", self.root, exc)
            return entry
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def _publish(self, tmp: Path, path: Path, sha: str, entry: Entry) -> Entry:
        try:
            os.link(tmp, path)  # atomic create-if-absent
            return entry
        except FileExistsError:
            existing = self._read(path, sha, report=False)  # a damaged one was reported by get
            if existing is not None:
                return existing  # another run stored it first: use its bits
        except OSError:
            pass  # no hard links on this file system: fall back to replace
        os.replace(tmp, path)
        return entry

    def _describe(self) -> None:
        """A readable note of what the namespace folder holds (for people, never read back)."""
        note = self.root / "namespace.json"
        if not self._described and not note.exists():
            tmp = note.with_name(f".namespace.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            tmp.write_text(json.dumps(self.parts, indent=1, sort_keys=True))
            os.replace(tmp, note)
        self._described = True


@dataclass(frozen=True)
class Lookup:
    entries: dict[int, dict[str, Entry]]  # layer -> text -> entry
    hits: dict[int, int]  # layer -> texts found in the cache
    misses: dict[int, int]  # layer -> texts computed (or uncached)
    embedded: int  # texts that went through the model


def lookup(texts, layers, cache: EmbeddingCache | None, compute) -> Lookup:
    """Each unique text's entry for every layer, from ``cache`` where valid, else from ``compute``.

    ``compute(texts)`` returns layer -> text -> Entry for the texts missing in
    any layer; one forward pass serves all layers. Its entries go through
    ``put``, so what is scored is what is stored (first writer wins).
    """
    unique = list(dict.fromkeys(texts))
    entries: dict[int, dict[str, Entry]] = {layer: {} for layer in layers}
    if cache is not None:
        for layer in layers:
            for text in unique:
                entry = cache.get(layer, text)
                if entry is not None:
                    entries[layer][text] = entry
    hits = {layer: len(entries[layer]) for layer in layers}
    missing = [t for t in unique if any(t not in entries[layer] for layer in layers)]
    if missing:
        computed = compute(missing)
        for layer in layers:
            for text in missing:
                if text not in entries[layer]:
                    new = computed[layer][text]
                    entries[layer][text] = new if cache is None else cache.put(layer, text, new)
    misses = {layer: len(unique) - hits[layer] for layer in layers}
    return Lookup(entries, hits, misses, len(missing))
