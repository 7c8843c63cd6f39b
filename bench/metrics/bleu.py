"""BLEU (Papineni et al., 2002) via sacrebleu (Post, 2018): ``sacrebleu.metrics.BLEU``.

Per item: ``BLEU(**options).sentence_score(candidate, references).score``; corpus:
``BLEU(**options).corpus_score(candidates, reference_streams).score`` (``bench.metrics.sacre``).
Scores are sacrebleu's, on 0-100. ``effective_order`` defaults to true as in
``sacrebleu.sentence_bleu`` (sentence BLEU without it is 0 whenever a 4-gram is missing);
set it false for corpus BLEU exactly as ``sacrebleu.corpus_bleu`` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.errors import BenchError, unknown_choice
from bench.metrics.sacre import SacreMetric

SMOOTH_METHODS = ("exp", "floor", "add-k", "none")
TOKENIZERS = ("13a", "none", "intl", "char", "zh", "ja-mecab", "ko-mecab", "spm", "flores101", "flores200")


@dataclass(frozen=True)
class BleuSpec:
    """``metrics.bleu`` in the config (sacrebleu's BLEU options)."""

    tokenize: str = "13a"
    lowercase: bool = False
    smooth_method: str = "exp"
    smooth_value: float | None = None  # None: sacrebleu's default for the method (floor 0.1, add-k 1)
    max_ngram_order: int = 4
    effective_order: bool = True
    against: str = "references"  # references | source

    not_scoring = ()
    caches = ()

    def shard_conflict(self) -> tuple[str, str] | None:
        """Corpus BLEU sums statistics over the whole corpus: a shard's cannot be merged from its scores."""
        return CORPUS_SHARDS


CORPUS_SHARDS = ("corpus BLEU/chrF cannot be sharded (the corpus score sums statistics over all items)",
                 "run bleu/chrf without shard.*")


class Bleu(SacreMetric):
    """sacrebleu's BLEU, sentence- and corpus-level."""

    family = "bleu"

    def make(self):
        """``sacrebleu.metrics.BLEU`` with the spec's options (checked here, with the valid choices)."""
        spec = self.spec
        if spec.tokenize not in TOKENIZERS:
            raise unknown_choice("BLEU tokenizer (metrics.bleu.tokenize)", spec.tokenize, TOKENIZERS)
        if spec.smooth_method not in SMOOTH_METHODS:
            raise unknown_choice("BLEU smoothing (metrics.bleu.smooth_method)", spec.smooth_method, SMOOTH_METHODS)
        if spec.max_ngram_order < 1:
            raise BenchError(f"metrics.bleu.max_ngram_order={spec.max_ngram_order} must be >= 1", "pass 4 (BLEU's usual order)")
        from sacrebleu.metrics import BLEU

        try:
            # force: SummEval's texts are tokenised (" ."); sacrebleu would only warn, the numbers are the same
            return BLEU(lowercase=spec.lowercase, tokenize=spec.tokenize, smooth_method=spec.smooth_method,
                        smooth_value=spec.smooth_value, max_ngram_order=spec.max_ngram_order,
                        effective_order=spec.effective_order, force=True)
        except (ImportError, RuntimeError, OSError) as exc:  # e.g. ja-mecab without its package
            raise BenchError(f"sacrebleu cannot build tokenizer {spec.tokenize!r}: {exc}", "install its extra or use tokenize=13a") from None
