"""chrF (Popović, 2015) and chrF++ (Popović, 2017) via sacrebleu: ``sacrebleu.metrics.CHRF``.

Per item: ``CHRF(**options).sentence_score(candidate, references).score``; corpus:
``CHRF(**options).corpus_score(...)`` (``bench.metrics.sacre``), 0-100. chrF++ is
chrF with word n-grams: family ``chrfpp`` (``word_order`` 2 by default), or
``metrics.chrf.word_order=2``; the name says which (``chrf``, ``chrfpp``, else ``chrf_w<N>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

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

    def statistics(self, candidates: Sequence[str], targets: Sequence[tuple[str, ...]]) -> list[list[int]]:
        """sacrebleu's per-item statistics (``CHRF._compute_segment_statistics``), counted as arrays.

        sacrebleu intersects the n-gram Counters of a candidate with each reference's in
        Python; here the candidates sharing a reference set are counted together: per
        order, a candidates x vocabulary and a references x vocabulary count matrix,
        ``min`` summed over the vocabulary. Integer counts, so the same numbers; the
        best reference is then chosen exactly as sacrebleu chooses it (its own
        ``_compute_f_score``, first strictly best).
        """
        groups: dict[tuple[str, ...], list[int]] = {}
        for k, refs in enumerate(targets):
            groups.setdefault(refs, []).append(k)
        rows: list[list[int]] = [[] for _ in candidates]
        for refs, members in groups.items():
            for k, stats in zip(members, self._group_statistics([candidates[k] for k in members], refs)):
                rows[k] = stats
        return rows

    def _hyp_ngrams(self, text: str) -> list:
        """A candidate's n-gram Counters per order, as sacrebleu's ``_compute_segment_statistics`` extracts them."""
        from sacrebleu.metrics.helpers import extract_all_char_ngrams, extract_word_ngrams

        metric = self.metric
        grams = extract_all_char_ngrams(text, metric.char_order, metric.whitespace)
        if metric.word_order > 0:
            words = metric._remove_punctuation(text)
            grams.extend(extract_word_ngrams(words, n) for n in range(1, metric.word_order + 1))
        return grams

    def _group_statistics(self, hyps: Sequence[str], refs: tuple[str, ...]) -> list[list[int]]:
        import numpy as np

        metric = self.metric
        ref_grams = metric._extract_reference_info([metric._preprocess_segment(r) for r in refs])["ref_ngrams"]
        hyp_grams = [self._hyp_ngrams(metric._preprocess_segment(h)) for h in hyps]
        per_order = []  # per order: (hyp totals, ref totals, matches[h][r])
        for order in range(metric.char_order + metric.word_order):
            hyp_counters = [g[order] for g in hyp_grams]
            ref_counters = [g[order] for g in ref_grams]
            # only the candidates' n-grams can match: the vocabulary is theirs
            vocab = {gram: k for k, gram in enumerate(dict.fromkeys(gram for c in hyp_counters for gram in c))}
            H = _counts(hyp_counters, vocab)
            R = _counts(ref_counters, vocab)
            matches = np.minimum(H[:, None, :], R[None, :, :]).sum(axis=2)
            per_order.append(([sum(c.values()) for c in hyp_counters], [sum(c.values()) for c in ref_counters],
                              matches.tolist()))
        out = []
        for h in range(len(hyps)):
            best, best_f = [], -1.0
            for r in range(len(refs)):
                stats = []
                for hyp_tot, ref_tot, matches in per_order:
                    # sacrebleu: a candidate's n-grams count only where the reference has some of that order
                    stats.extend((hyp_tot[h] if ref_tot[r] else 0, ref_tot[r], matches[h][r]))
                f = metric._compute_f_score(stats)
                if f > best_f:
                    best, best_f = stats, f
            out.append(best)
        return out


class ChrfPP(Chrf):
    """chrF++: ``metrics.chrfpp`` (sacrebleu's CHRF with word_order=2)."""

    family = "chrfpp"


def _counts(counters: Sequence, vocab: dict):
    """Counters as a len(counters) x len(vocab) integer matrix (n-grams outside ``vocab`` left out)."""
    import numpy as np

    out = np.zeros((len(counters), len(vocab) + 1), dtype=np.int64)
    missing = len(vocab)  # the last column takes every left-out n-gram (overwritten, then dropped)
    for row, counter in enumerate(counters):
        if counter:
            out[row, [vocab.get(g, missing) for g in counter]] = list(counter.values())
    return out[:, :missing]
