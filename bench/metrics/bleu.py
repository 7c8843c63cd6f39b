"""BLEU (Papineni et al., 2002) via sacrebleu (Post, 2018): ``sacrebleu.metrics.BLEU``.

Per item: ``BLEU(**options).sentence_score(candidate, references).score``; corpus:
``BLEU(**options).corpus_score(candidates, reference_streams).score`` (``bench.metrics.sacre``).
Scores are sacrebleu's, on 0-100. ``effective_order`` defaults to true as in
``sacrebleu.sentence_bleu`` (sentence BLEU without it is 0 whenever a 4-gram is missing);
set it false for corpus BLEU exactly as ``sacrebleu.corpus_bleu`` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import math

from bench import hints
from bench.errors import BenchError, unknown_choice
from bench.metrics.sacre import SacreMetric

SMOOTH_METHODS = ("exp", "floor", "add-k", "none")
# sacrebleu 2.6's BLEU.TOKENIZERS (tests check the two agree); the mecab and sentencepiece ones need extras
TOKENIZERS = ("13a", "none", "intl", "char", "zh", "ja-mecab", "ko-mecab", "spm", "flores101", "flores200", "spBLEU-1K")
# floor and add-k put smooth_value into a count that sacrebleu multiplies by 100: above this the product
# overflows to inf (an inf or NaN score), below it every score sacrebleu computes is finite
SMOOTH_VALUE_MAX = 1e300


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
        check_bleu_options(spec)
        from sacrebleu.metrics import BLEU

        try:
            # force: SummEval's texts are tokenised (" ."); sacrebleu would only warn, the numbers are the same
            return BLEU(lowercase=spec.lowercase, tokenize=spec.tokenize, smooth_method=spec.smooth_method,
                        smooth_value=spec.smooth_value, max_ngram_order=spec.max_ngram_order,
                        effective_order=spec.effective_order, force=True)
        except (ImportError, RuntimeError, OSError) as exc:  # e.g. ja-mecab without its package
            reason = " ".join(str(exc).split())  # sacrebleu's messages span lines; the error is one
            raise BenchError(f"sacrebleu cannot build tokenizer {hints.option('bleu', 'tokenize', spec.tokenize)}: {reason}",
                             f"install its extra or use {hints.option('bleu', 'tokenize', '13a')}") from None


def check_bleu_options(spec: BleuSpec) -> None:
    """Refuse, before any work, every option sacrebleu's BLEU takes at construction but fails on (or turns into
    a score that is no BLEU) later, naming it as the caller wrote it (``bench.hints``).

    sacrebleu checks only the smoothing method (an assert) and the tokenizer name (a KeyError) when built. A
    negative floor/add-k ``smooth_value`` makes ``math.log`` of a negative precision fail on the first item with
    an unmatched order ("math domain error"); a NaN, an infinite or an overflowing one gives NaN/inf scores.
    ``max_ngram_order`` below 1 is accepted and every score is then 0 (no order is counted): refused as a
    constant. Every other value sacrebleu scores (``smooth_value`` 0, or above 1 with ``floor``, which can
    give scores above 100; any ``smooth_value`` with ``exp``/``none``, which ignore it; large orders) is
    scored, equal to sacrebleu."""
    if spec.tokenize not in TOKENIZERS:
        raise unknown_choice(f"BLEU tokenizer ({hints.option('bleu', 'tokenize', spec.tokenize)})", spec.tokenize, TOKENIZERS)
    if spec.smooth_method not in SMOOTH_METHODS:
        raise unknown_choice(f"BLEU smoothing ({hints.option('bleu', 'smooth_method', spec.smooth_method)})",
                             spec.smooth_method, SMOOTH_METHODS)
    value = spec.smooth_value
    if value is not None and not math.isfinite(value):
        raise BenchError(f"{hints.option('bleu', 'smooth_value', value)} is not a finite number",
                         "pass a number >= 0, or leave smooth_value unset for sacrebleu's default")
    if value is not None and spec.smooth_method in ("floor", "add-k") and not 0 <= value <= SMOOTH_VALUE_MAX:
        raise BenchError(f"{hints.option('bleu', 'smooth_value', value)} is out of range for smooth_method "
                         f"{spec.smooth_method!r} (sacrebleu fails or gives non-finite scores)",
                         f"pass 0 <= smooth_value <= {SMOOTH_VALUE_MAX:g}, e.g. {hints.option('bleu', 'smooth_value', 0.1 if spec.smooth_method == 'floor' else 1)}")
    if spec.max_ngram_order < 1:
        raise BenchError(f"{hints.option('bleu', 'max_ngram_order', spec.max_ngram_order)} must be >= 1 "
                         "(sacrebleu scores every text 0 with no order)", f"pass {hints.option('bleu', 'max_ngram_order', 4)} (BLEU's usual order)")
