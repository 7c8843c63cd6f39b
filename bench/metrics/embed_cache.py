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
layer k, written back to back in ascending k, so the consecutive layers a
sweep reads come back as one [layers, len, dim] view of the bytes read
(no copy). Why one file per text: lookup is one ``open`` (no index to load, lock
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

import hashlib
import json
import logging
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from bench import faults, jsonio
from bench.atomic import write_atomic

log = logging.getLogger(__name__)
FORMAT = "2"
_DTYPES = {"F32": "float32", "I64": "int64"}
_ITEMSIZE = {"F32": 4, "I64": 8}


@dataclass(frozen=True)
class Entry:
    """A text's token ids and its token embeddings at ``layers``, stacked: ``embedding[j]`` is layer ``layers[j]``.

    Stacked because matching scores every layer of a pair in one ``bmm`` and a
    sweep then allocates one block per text, not one per text and layer (fresh
    memory is costly: first touches of 1.5 GB take 1-3 s on this machine).
    """

    embedding: object  # torch.FloatTensor [len(layers), len, dim]
    layers: tuple[int, ...]
    ids: tuple[int, ...]  # token ids, len of them
    truncated: bool  # the text was longer than the tokenizer's max length

    def layer(self, k: int):
        """Layer k's token embeddings [len, dim] (a view)."""
        return self.embedding[self.layers.index(k)]


def default_dir() -> Path | None:
    """``$BENCH_CACHE_DIR/embeddings``, else ``~/.cache/bench/embeddings``; None (after one warning) when
    bench's cache dir cannot be written."""
    from bench.paths import usable_cache_dir

    root = usable_cache_dir()
    return None if root is None else root / "embeddings"


def text_sha256(text: str) -> str:
    """The key of a text's entry."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def namespace(parts: Mapping[str, str]) -> str:
    """The folder name for one combination of model, tokenizer, limit, device and versions."""
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


def encode(layers: Mapping[int, object], ids: Sequence[int], truncated: bool, sha: str) -> list:
    """A safetensors file (header, then raw tensor buffers) holding ``ids`` and ``L<k>`` per layer, as buffers.

    ``layers``: k -> float32 [len, dim]. Layers are written in ascending order, back to back, so a run
    that reads consecutive stored layers gets them as one stacked view of the file's bytes.
    """
    import torch

    tensors = [("ids", torch.tensor(list(ids), dtype=torch.int64))]
    tensors += [(f"L{k}", layers[k].detach().to("cpu", torch.float32).contiguous()) for k in sorted(layers)]
    header, offset, crcs, buffers = {}, 0, {}, []
    for name, tensor in tensors:
        data = tensor.numpy().data.cast("B")
        dtype = "I64" if name == "ids" else "F32"
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + data.nbytes]}
        offset += data.nbytes
        crcs[name] = zlib.crc32(data)
        buffers.append(data)
    header["__metadata__"] = {"format": FORMAT, "text_sha256": sha, "truncated": "1" if truncated else "0",
                              "crc32": json.dumps(crcs, sort_keys=True)}
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # safetensors: data starts 8-byte aligned
    return [len(head).to_bytes(8, "little") + head, *buffers]


def decode(data, sha: str, layers: Iterable[int] | None = None) -> Entry | None:
    """The Entry for those of ``layers`` (None: every stored layer) present in a file's bytes, in that order;
    None if none is; ValueError if anything is off. The embeddings are views of ``data`` (any buffer;
    ``read_aligned`` places it so that they start 64-byte aligned) where the layers lie back to back in the
    file (the usual case), else a stacked copy."""
    import torch

    size = int.from_bytes(data[:8], "little")
    if len(data) < 8 or not 2 <= size <= len(data) - 8:
        raise ValueError("bad header size")
    header = jsonio.loads(bytes(data[8 : 8 + size]))
    meta = header.pop("__metadata__")
    if meta.get("format") != FORMAT or meta.get("text_sha256") != sha:
        raise ValueError("not this entry")
    crcs = jsonio.loads(meta["crc32"])
    body = memoryview(data)[8 + size :]

    def span(name: str, dtype: str) -> tuple[int, int, list[int]]:
        spec = header[name]
        (start, end), shape = spec["data_offsets"], spec["shape"]
        count = math.prod(shape)
        if spec["dtype"] != dtype or count < 1 or not 0 <= start <= end <= len(body) or end - start != count * _ITEMSIZE[dtype]:
            raise ValueError(f"{name}: bad dtype, shape or offsets")
        if zlib.crc32(body[start:end]) != crcs[name]:
            raise ValueError(f"{name}: checksum mismatch")
        return start, count, shape

    def view(start: int, count: int, shape: list[int], dtype) -> object:
        return torch.frombuffer(data, dtype=dtype, count=count, offset=8 + size + start).view(shape)

    ids = view(*span("ids", "I64"), torch.int64)
    if ids.dim() != 1:
        raise ValueError("ids: bad shape")
    stored = sorted(int(name[1:]) for name in header if name.startswith("L"))
    wanted = tuple(stored if layers is None else [k for k in layers if k in stored])
    if not wanted:
        return None
    spans = [span(f"L{k}", "F32") for k in wanted]
    for start, count, shape in spans:
        if len(shape) != 2 or shape[0] != ids.shape[0] or shape != spans[0][2]:
            raise ValueError("bad embedding shape")
    start, count, shape = spans[0]
    if all(s == start + j * count * 4 for j, (s, _, _) in enumerate(spans)):  # back to back: one view
        embedding = view(start, count * len(spans), [len(spans), *shape], torch.float32)
    else:
        embedding = torch.stack([view(*s, torch.float32) for s in spans])
    return Entry(embedding, wanted, tuple(ids.tolist()), meta["truncated"] == "1")


ALIGN = 64  # bytes: where torch's CPU allocator starts every tensor it allocates (c10's gAlignment)


def read_aligned(f, size: int, layers: Iterable[int] | None) -> memoryview:
    """The ``size`` bytes of file ``f``, placed so that the embedding ``decode`` views starts ``ALIGN``-aligned.

    Why: a cached embedding must be scored with the bits of a computed one, and the CPU's GEMM rounds by the
    address of its operands, not only their values. A computed embedding (and bert-score's) starts where torch
    allocates, on a 64-byte boundary; a view of a plain ``bytearray`` starts wherever the file's header and ids
    put it. Measured (torch 2.13.0+cpu, MKL, AMD EPYC, one thread): "Hello"'s unit vectors [1, 3, 384] matched
    with themselves by ``bmm`` give P = 0.99999994 (bert-score's value) when 16-byte aligned and 1.0 otherwise,
    the norms and unit vectors being identical bit for bit; so a warm cache scored "Hello"/"hello" 1.0.
    Hence the file is read (once, no copy) into a torch-allocated buffer at the shift that puts the first
    wanted layer on a 64-byte boundary; a file whose header cannot be read is read unshifted (``decode``
    then rejects it).
    """
    import torch

    shift = 0
    try:
        head = f.read(8)
        length = int.from_bytes(head, "little")
        if len(head) == 8 and 2 <= length <= size - 8:
            header = jsonio.loads(f.read(length))
            stored = sorted(int(name[1:]) for name in header if name.startswith("L"))
            first = stored[0] if layers is None else next((k for k in layers if k in stored), None)
            if first is not None:
                shift = -(8 + length + int(header[f"L{first}"]["data_offsets"][0])) % ALIGN
    except Exception:  # a malformed header: decode says what is wrong
        shift = 0
    f.seek(0)
    buffer = torch.empty(size + ALIGN, dtype=torch.uint8).numpy()  # starts on an ALIGN boundary
    data = memoryview(buffer)[shift : shift + size]
    return data[: f.readinto(data) or 0]  # a file cut short meanwhile reads short: decode rejects it


class EmbeddingCache:
    """Entries of one namespace. Not shared between threads; any number of processes is fine."""

    def __init__(self, root: Path, parts: Mapping[str, str]):
        self.root = Path(root) / namespace(parts)[:32]
        self.parts = dict(parts)
        self.rejected = 0  # files found damaged and ignored
        self._writable = True
        self._unreadable = False  # said once: a folder that cannot be read fails for every text alike
        self._made: set[str] = set()

    def path(self, sha: str) -> Path:
        """The file of a text's entry."""
        return self.root / sha[:2] / f"{sha}.safetensors"

    def _read(self, path: Path, sha: str, layers, report: bool = True) -> Entry | None | bool:
        """The valid stored layers (of ``layers``) as an Entry; None if there are none; False if the file is damaged."""
        try:
            with open(path, "rb") as f:
                data = read_aligned(f, os.fstat(f.fileno()).st_size, layers)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if not self._unreadable:
                self._unreadable = True
                log.warning("bertscore cache: cannot read %s (%s); recomputing what cannot be read", path, exc)
            return None
        try:
            return decode(data, sha, layers)
        except Exception:  # any malformed file: JSON, KeyError, ValueError, TypeError
            if report:
                self.rejected += 1
                log.warning("bertscore cache: %s is damaged; recomputing it", path)
            return False

    def get(self, text: str, layers: Iterable[int]) -> Entry | None:
        """The text's valid stored embeddings for those of ``layers`` that are stored (None: none is)."""
        sha = text_sha256(text)
        return self._read(self.path(sha), sha, list(layers)) or None

    def put(self, text: str, entry: Entry) -> Entry:
        """Store the text's entry, keeping any layer already stored; return what is stored for ``entry.layers``."""
        if not self._writable:
            return entry
        sha = text_sha256(text)
        path = self.path(sha)
        mine = {k: entry.layer(k) for k in entry.layers}
        try:
            if path.parent.name not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent.name)
                self._describe()
            # Not fsynced: an entry lost in a crash is a miss, recomputed. Exclusive (os.link): atomic
            # create-if-absent, the common case, a new text.
            if write_atomic(path, encode(mine, entry.ids, entry.truncated, sha), fsync=False, exclusive=True):
                return entry
            existing = self._read(path, sha, None, report=False)  # a damaged one was reported by get
            if not existing:  # damaged (or emptied meanwhile): ours replaces it
                write_atomic(path, encode(mine, entry.ids, entry.truncated, sha), fsync=False)
                return entry
            theirs = {k: existing.layer(k) for k in existing.layers}
            if not set(mine) <= set(theirs):  # new layers: store the union, first writer winning layer by layer
                write_atomic(path, encode({**mine, **theirs}, entry.ids, entry.truncated, sha), fsync=False)
            return self._stored(entry, theirs)
        except OSError as exc:  # read-only or full disk, no hard links: score on, uncached
            self._writable = False
            log.warning("bertscore cache: cannot write under %s (%s); continuing without caching", self.root, exc)
            return entry

    @staticmethod
    def _stored(entry: Entry, theirs: Mapping[int, object]) -> Entry:
        """``entry`` with the layers another writer stored first (bench's own embeddings never differ from them)."""
        import torch

        differ = [j for j, k in enumerate(entry.layers) if k in theirs and not torch.equal(theirs[k], entry.embedding[j])]
        if not differ:
            return entry
        embedding = entry.embedding.clone()
        for j in differ:
            embedding[j] = theirs[entry.layers[j]]
        return Entry(embedding, entry.layers, entry.ids, entry.truncated)

    def _describe(self) -> None:
        """A readable note of what the namespace folder holds (for people, never read back)."""
        note = self.root / "namespace.json"
        if not note.exists():
            write_atomic(note, json.dumps(self.parts, indent=1, sort_keys=True), fsync=False)


@dataclass(frozen=True)
class Lookup:
    """What ``lookup`` found and computed."""
    entries: dict[str, Entry]  # text -> its entry for every layer asked for
    fresh: dict[int, set[str]]  # layer -> texts not found in the cache (computed)
    embedded: int  # texts that went through the model


def lookup(texts, layers, cache: EmbeddingCache | None, compute) -> Lookup:
    """Each unique text's entry for all ``layers``, from ``cache`` where valid, else from ``compute``.

    ``compute(texts)`` returns text -> Entry (all layers) for the texts missing
    any layer; one forward pass serves all layers. Its entries go through
    ``put``, so what is scored is what is stored (first writer wins). The
    entries are the caller's: each is a tensor of its own, free to change in place.
    """
    layers = tuple(layers)
    unique = list(dict.fromkeys(texts))
    entries: dict[str, Entry] = {}
    stored: dict[str, tuple[int, ...]] = {}
    if cache is not None:
        for text in unique:
            entry = cache.get(text, layers)
            if entry is not None:
                stored[text] = entry.layers
                if entry.layers == layers:
                    entries[text] = entry
    fresh = {layer: {t for t in unique if layer not in stored.get(t, ())} for layer in layers}
    missing = [t for t in unique if t not in entries]
    if missing:
        computed = compute(missing)
        for text in missing:
            entries[text] = computed[text] if cache is None else cache.put(text, computed[text])
            faults.point("cache_put")
    return Lookup(entries, fresh, len(missing))
