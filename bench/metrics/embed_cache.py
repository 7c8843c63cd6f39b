"""On-disk cache of BERTScore token embeddings, so a text goes through the model once.

Key: (namespace, SHA-256 of the text) -> the text's token ids and its token
embeddings at each layer stored so far. The namespace is a SHA-256 over
everything that can change an embedding's bits besides the text: the weights'
SHA-256, the other model files (config, vocabulary), the tokenizer kind (fast
or slow) and its max length, the device kind (a CUDA run does not reuse CPU
numbers), and the torch / transformers / bert-score versions. Embeddings are
float32 [len, dim], exactly as computed, so a warm run needs neither the model
nor the tokenizer's output.

Layout: ``<dir>/<namespace[:32]>/<sha[:2]>/<sha>.safetensors``, one file per
text in 256 subfolders, with tensors ``ids`` and ``L<k>`` for each stored
layer k. Why one file per text: lookup is one ``open`` (no index to load, lock
or keep consistent with its data files), a damaged file costs one text, and
"create if absent" is one atomic ``os.link``. Why all layers in one file: a
6-layer sweep of SummEval writes 2,646 files instead of 15,876 (each one a
create, a link and an unlink). A 64-token text at 384 dims is 98 KB
per layer, so SummEval is ~260 MB per layer; delete the folder at any time,
nothing else refers to it.

Safety: plain safetensors files (no pickle, no code on load; any safetensors
reader opens them), written here without the safetensors library so that the
tensors' buffers go to the file without extra copies. A file is written to a
temporary name and linked into place (``os.link``: atomic, and fails if the
entry exists); a crash leaves at worst a temporary file, never a partial entry.
Every read checks the header, the text hash, dtypes, shapes and a CRC-32 of
each tensor it uses; a bad file counts as a miss, is recomputed and replaced.

First writer wins. bench computes a text's embedding with the same bits
whatever else is in its batch (``bert_engine``), so two writers of one entry
(e.g. 4 shards in parallel) store the same bytes; ``put`` still keeps every
layer already on disk and returns it, so what a run scores is always what is
stored, even for a model whose kernels were not batch-invariant. A run that
needs a layer the file lacks (a sweep after a one-layer run) re-embeds the
text and replaces the file with the union of the layers (``os.replace``). A
partly warm run embeds only the missing texts and gives exactly the cold
run's numbers (tested with damaged entries recomputed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

log = logging.getLogger(__name__)
FORMAT = "2"
_DTYPES = {"F32": "float32", "I64": "int64"}
_ITEMSIZE = {"F32": 4, "I64": 8}


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


def encode(entries: Mapping[int, Entry], sha: str) -> list:
    """A safetensors file (header, then raw tensor buffers) holding ``ids`` and ``L<k>`` per layer, as buffers."""
    import torch

    first = next(iter(entries.values()))
    tensors = [("ids", torch.tensor(first.ids, dtype=torch.int64))]
    tensors += [(f"L{k}", entries[k].embedding.detach().to("cpu", torch.float32).contiguous()) for k in sorted(entries)]
    header, offset, crcs, buffers = {}, 0, {}, []
    for name, tensor in tensors:
        data = tensor.numpy().data.cast("B")
        dtype = "I64" if name == "ids" else "F32"
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + data.nbytes]}
        offset += data.nbytes
        crcs[name] = zlib.crc32(data)
        buffers.append(data)
    header["__metadata__"] = {"format": FORMAT, "text_sha256": sha, "truncated": "1" if first.truncated else "0",
                              "crc32": json.dumps(crcs, sort_keys=True)}
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # safetensors: data starts 8-byte aligned
    return [len(head).to_bytes(8, "little") + head, *buffers]


def decode(data: bytearray, sha: str, layers: Iterable[int] | None = None) -> dict[int, Entry]:
    """layer -> Entry for ``layers`` (None: every stored layer) present in a file's bytes; ValueError if anything is off."""
    import torch

    size = int.from_bytes(data[:8], "little")
    if len(data) < 8 or not 2 <= size <= len(data) - 8:
        raise ValueError("bad header size")
    header = json.loads(bytes(data[8 : 8 + size]))
    meta = header.pop("__metadata__")
    if meta.get("format") != FORMAT or meta.get("text_sha256") != sha:
        raise ValueError("not this entry")
    crcs = json.loads(meta["crc32"])
    body = memoryview(data)[8 + size :]

    def tensor(name: str, dtype: str):
        spec = header[name]
        (start, end), shape = spec["data_offsets"], spec["shape"]
        count = math.prod(shape)
        if spec["dtype"] != dtype or count < 1 or not 0 <= start <= end <= len(body) or end - start != count * _ITEMSIZE[dtype]:
            raise ValueError(f"{name}: bad dtype, shape or offsets")
        if zlib.crc32(body[start:end]) != crcs[name]:
            raise ValueError(f"{name}: checksum mismatch")
        return torch.frombuffer(data, dtype=getattr(torch, _DTYPES[dtype]), count=count, offset=8 + size + start).view(shape)

    ids = tensor("ids", "I64")
    if ids.dim() != 1:
        raise ValueError("ids: bad shape")
    stored = sorted(int(name[1:]) for name in header if name.startswith("L"))
    out = {}
    for k in stored if layers is None else [k for k in layers if k in stored]:
        emb = tensor(f"L{k}", "F32")
        if emb.dim() != 2 or emb.shape[0] != ids.shape[0]:
            raise ValueError(f"L{k}: bad shape")
        out[k] = Entry(emb, tuple(ids.tolist()), meta["truncated"] == "1")
    return out


class EmbeddingCache:
    """Entries of one namespace. Not shared between threads; any number of processes is fine."""

    def __init__(self, root: Path, parts: Mapping[str, str]):
        self.root = Path(root) / namespace(parts)[:32]
        self.parts = dict(parts)
        self.rejected = 0  # files found damaged and ignored
        self._writable = True
        self._made: set[str] = set()

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / f"{sha}.safetensors"

    def _read(self, path: Path, sha: str, layers, report: bool = True) -> dict[int, Entry] | None:
        """Valid stored layers (of ``layers``), {} if there is no file, None if the file is damaged."""
        try:
            with open(path, "rb") as f:
                data = bytearray(os.fstat(f.fileno()).st_size)
                f.readinto(data)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("bertscore cache: cannot read %s (%s); recomputing", path, exc)
            return {}
        try:
            return decode(data, sha, layers)
        except Exception:  # any malformed file: JSON, KeyError, ValueError, TypeError
            if report:
                self.rejected += 1
                log.warning("bertscore cache: %s is damaged; recomputing it", path)
            return None

    def get(self, text: str, layers: Iterable[int]) -> dict[int, Entry]:
        """The text's valid stored entries for ``layers`` (some, all or none of them)."""
        sha = text_sha256(text)
        return self._read(self.path(sha), sha, list(layers)) or {}

    def put(self, text: str, entries: Mapping[int, Entry]) -> dict[int, Entry]:
        """Store the text's entries (one per layer), keeping any layer already stored; return what is stored for them."""
        if not self._writable:
            return dict(entries)
        sha = text_sha256(text)
        path = self.path(sha)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            if path.parent.name not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent.name)
                self._describe()
            self._write(tmp, encode(entries, sha))
            try:
                os.link(tmp, path)  # atomic create-if-absent: the common case, a new text
                return dict(entries)
            except FileExistsError:
                pass
            existing = self._read(path, sha, None, report=False)  # a damaged one was reported by get
            if existing is None:  # damaged: ours replaces it
                os.replace(tmp, path)
                return dict(entries)
            union = {**entries, **existing}  # first writer wins, layer by layer
            if not set(entries) <= set(existing):  # new layers: store the union
                self._write(tmp, encode(union, sha))
                os.replace(tmp, path)
            return {k: union[k] for k in entries}
        except OSError as exc:  # read-only or full disk, no hard links: score on, uncached
            self._writable = False
            log.warning("bertscore cache: cannot write under %s (%s); continuing without caching", self.root, exc)
            return dict(entries)
        finally:
            with contextlib.suppress(OSError):  # e.g. its folder could not be made
                tmp.unlink(missing_ok=True)

    @staticmethod
    def _write(path: Path, buffers) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            for buffer in buffers:
                view = memoryview(buffer)
                while view:  # os.write may write less than asked
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def _describe(self) -> None:
        """A readable note of what the namespace folder holds (for people, never read back)."""
        note = self.root / "namespace.json"
        if not note.exists():
            tmp = note.with_name(f".namespace.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            tmp.write_text(json.dumps(self.parts, indent=1, sort_keys=True))
            os.replace(tmp, note)


@dataclass(frozen=True)
class Lookup:
    entries: dict[int, dict[str, Entry]]  # layer -> text -> entry
    fresh: dict[int, set[str]]  # layer -> texts not found in the cache (computed)
    embedded: int  # texts that went through the model

    @property
    def hits(self) -> dict[int, int]:
        return {layer: len(self.entries[layer]) - len(self.fresh[layer]) for layer in self.entries}

    @property
    def misses(self) -> dict[int, int]:
        return {layer: len(fresh) for layer, fresh in self.fresh.items()}


def lookup(texts, layers, cache: EmbeddingCache | None, compute) -> Lookup:
    """Each unique text's entry for every layer, from ``cache`` where valid, else from ``compute``.

    ``compute(texts)`` returns layer -> text -> Entry for the texts missing in
    any layer; one forward pass serves all layers. Its entries go through
    ``put``, so what is scored is what is stored (first writer wins).
    """
    unique = list(dict.fromkeys(texts))
    entries: dict[int, dict[str, Entry]] = {layer: {} for layer in layers}
    if cache is not None:
        for text in unique:
            for layer, entry in cache.get(text, layers).items():
                entries[layer][text] = entry
    fresh = {layer: {t for t in unique if t not in entries[layer]} for layer in layers}
    missing = [t for t in unique if any(t in fresh[layer] for layer in layers)]
    if missing:
        computed = compute(missing)
        for text in missing:
            new = {layer: computed[layer][text] for layer in layers}
            stored = new if cache is None else cache.put(text, new)
            for layer in layers:
                entries[layer].setdefault(text, stored[layer])
    return Lookup(entries, fresh, len(missing))
