"""chrF (Popović, 2015) and chrF++ (Popović, 2017) via sacrebleu: ``sacrebleu.metrics.CHRF``.

Per item: ``CHRF(**options).sentence_score(candidate, references).score``; corpus:
``CHRF(**options).corpus_score(...)`` (``bench.metrics.sacre``), 0-100. chrF++ is
chrF with word n-grams: family ``chrfpp`` (``word_order`` 2 by default), or
``metrics.chrf.word_order=2``; the name says which (``chrf``, ``chrfpp``, else ``chrf_w<N>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.errors import BenchError
from bench.metrics.bleu import CORPUS_SHARDS
from bench.metrics.sacre import SacreMetric


@dataclass(frozen=True)
class ChrfSpec:
    """``metrics.chrf`` in the config (sacrebleu's CHRF options)."""

    char_order: int = 6
    word_order: int = 0
    beta: int = 2
    lowercase: bool = False
    whitespace: bool = False
    eps_smoothing: bool = False
    against: str = "references"  # references | source

    not_scoring = ()
    caches = ()

    def shard_conflict(self) -> tuple[str, str] | None:
        """The corpus chrF sums statistics over the whole corpus."""
        return CORPUS_SHARDS


@dataclass(frozen=True)
class ChrfPPSpec(ChrfSpec):
    """``metrics.chrfpp``: chrF++, the options of ``ChrfSpec`` with word n-grams up to 2."""

    word_order: int = 2


class Chrf(SacreMetric):
    """sacrebleu's chrF (and chrF++ with ``word_order`` > 0), sentence- and corpus-level."""

    family = "chrf"

    def names(self) -> tuple[str, ...]:
        """``chrf`` (word_order 0), ``chrfpp`` (2), else ``chrf_w<N>``."""
        n = self.spec.word_order
        return ({0: "chrf", 2: "chrfpp"}.get(n, f"chrf_w{n}"),)

    def make(self):
        """``sacrebleu.metrics.CHRF`` with the spec's options."""
        spec = self.spec
        for name in ("char_order", "word_order", "beta"):
            if getattr(spec, name) < 0:
                raise BenchError(f"metrics.{self.family}.{name}={getattr(spec, name)} must be >= 0", "pass a non-negative integer")
        if spec.char_order + spec.word_order == 0:
            raise BenchError(f"metrics.{self.family} has char_order=0 and word_order=0", "set char_order=6 (chrF's default)")
        from sacrebleu.metrics import CHRF

        return CHRF(char_order=spec.char_order, word_order=spec.word_order, beta=spec.beta, lowercase=spec.lowercase,
                    whitespace=spec.whitespace, eps_smoothing=spec.eps_smoothing)


class ChrfPP(Chrf):
    """chrF++: ``metrics.chrfpp`` (sacrebleu's CHRF with word_order=2)."""

    family = "chrfpp"
