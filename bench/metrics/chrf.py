"""chrF (Popović, 2015) and chrF++ (Popović, 2017) via sacrebleu: ``sacrebleu.metrics.CHRF``.

Per item: ``CHRF(**options).sentence_score(candidate, references).score``; corpus:
``CHRF(**options).corpus_score(...)`` (``bench.metrics.sacre``), 0-100. chrF++ is
chrF with word n-grams: family ``chrfpp`` (``word_order`` 2 by default), or
``metrics.chrf.word_order=2``; the name says which (``chrf``, ``chrfpp``, else ``chrf_w<N>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bench import hints
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
        check_chrf_options(self.family, spec)
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

    def _group_statistics(self, hyps: Sequence[str], refs: tuple[str, ...]) -> list[list[int]]:
        metric = self.metric
        hyp_texts = [metric._preprocess_segment(h) for h in hyps]
        ref_texts = [metric._preprocess_segment(r) for r in refs]
        # per order: (hyp totals, ref totals, matches[h][r]); character orders as integer arrays
        per_order = _char_order_statistics(hyp_texts, ref_texts, metric.char_order, metric.whitespace)
        if metric.word_order > 0:
            from sacrebleu.metrics.helpers import extract_word_ngrams

            hyp_words = [metric._remove_punctuation(h) for h in hyp_texts]
            ref_words = [metric._remove_punctuation(r) for r in ref_texts]
            for n in range(1, metric.word_order + 1):
                per_order.append(_counter_statistics([extract_word_ngrams(w, n) for w in hyp_words],
                                                     [extract_word_ngrams(w, n) for w in ref_words]))
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


def check_chrf_options(family: str, spec: ChrfSpec) -> None:
    """Refuse, before any work, every option sacrebleu's CHRF takes at construction (it checks none) but fails
    on, or turns into a number that is no chrF, naming it as the caller wrote it (``bench.hints``).

    - no order at all (``char_order + word_order <= 0``): sacrebleu's corpus score ends in an IndexError;
    - a negative order: sacrebleu accepts it and pairs the wrong n-gram counts with the wrong orders (a
      negative ``word_order`` silently drops the last character order; a negative ``char_order`` scores word
      n-grams as if they were character ones): refused rather than scored;
    - ``beta`` whose square (plus one) is too large for a float: sacrebleu's F-score ends in an OverflowError.
    Every other value is scored, equal to sacrebleu: ``char_order`` 0 with words (word n-grams only), any large
    order, ``beta`` 0 (precision only) and a negative ``beta`` (the F-score uses ``beta ** 2``, so -2 scores as 2).
    """
    for name in ("char_order", "word_order"):
        if getattr(spec, name) < 0:
            raise BenchError(f"{hints.option(family, name, getattr(spec, name))} must be >= 0 (sacrebleu mis-pairs "
                             "the n-gram orders of a negative one)", "pass a non-negative integer")
    if spec.char_order + spec.word_order == 0:
        raise BenchError(f"{hints.option(family, 'char_order', 0)} with {hints.option(family, 'word_order', 0)} "
                         "counts no n-gram", f"pass {hints.option(family, 'char_order', 6)} (chrF's default)")
    try:
        float(1 + spec.beta ** 2)  # what sacrebleu's F-score converts (``factor = beta ** 2``, ``1 + factor``)
    except OverflowError:
        raise BenchError(f"{hints.option(family, 'beta', spec.beta)} is too large (sacrebleu's F-score overflows)",
                         f"pass a small weight, e.g. {hints.option(family, 'beta', 2)} (chrF's default)") from None


class ChrfPP(Chrf):
    """chrF++: ``metrics.chrfpp`` (sacrebleu's CHRF with word_order=2)."""

    family = "chrfpp"


def _counter_statistics(hyp_counters: Sequence, ref_counters: Sequence):
    """(hyp totals, ref totals, matches[h][r]) of one order from sacrebleu's n-gram Counters."""
    import numpy as np

    # only the candidates' n-grams can match: the vocabulary is theirs
    vocab = {gram: k for k, gram in enumerate(dict.fromkeys(gram for c in hyp_counters for gram in c))}
    H = _counts(hyp_counters, vocab)
    R = _counts(ref_counters, vocab)
    matches = np.minimum(H[:, None, :], R[None, :, :]).sum(axis=2)
    return [sum(c.values()) for c in hyp_counters], [sum(c.values()) for c in ref_counters], matches.tolist()


def _char_order_statistics(hyps: Sequence[str], refs: Sequence[str], char_order: int, whitespace: bool) -> list:
    """(hyp totals, ref totals, matches[h][r]) for character orders 1..char_order, the integers sacrebleu's
    ``extract_all_char_ngrams`` Counters give, counted with arrays instead.

    As sacrebleu does, whitespace is removed first (``"".join(line.split())``) unless kept. Each
    character becomes its rank in the group's alphabet; an n-gram is then the integer of its n ranks
    side by side (``bits`` each), exact (no hashing), so equal integers are equal n-grams. When the
    ranks of ``char_order`` characters do not fit 63 bits (an alphabet of over 2**(63 // order) symbols)
    the n-grams are told apart as rows instead (``np.unique(axis=0)``)."""
    import numpy as np

    texts = [t if whitespace else "".join(t.split()) for t in (*hyps, *refs)]
    codes = [np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32) for t in texts]
    lengths = np.array([len(c) for c in codes], dtype=np.int64)
    flat = np.concatenate(codes) if len(codes) else np.zeros(0, dtype=np.uint32)
    alphabet, ranks = np.unique(flat, return_inverse=True)
    ranks = ranks.astype(np.int64).reshape(-1)
    text_of = np.repeat(np.arange(len(texts)), lengths)
    end_of = np.repeat(np.cumsum(lengths), lengths)  # one past the last character of each char's text
    position = np.arange(len(flat))
    bits = max(1, int(len(alphabet)).bit_length())
    packed = bits * char_order <= 63
    n_hyps = len(hyps)
    out = []
    value = np.zeros(len(flat), dtype=np.int64)
    for n in range(1, char_order + 1):
        valid = position + n <= end_of  # an n-gram starting here ends inside its own text
        if packed:
            # the n-th character of the n-gram starting at each position; none where fewer than n characters
            # are left in the whole group (all n-grams there are invalid: a group shorter than n has none)
            tail = ranks[n - 1:]
            shifted = np.zeros(len(flat), dtype=np.int64)
            shifted[: len(tail)] = tail
            value = (value << bits) | shifted
            _, ids = np.unique(value[valid], return_inverse=True)
        else:
            starts = position[valid]
            rows = ranks[starts[:, None] + np.arange(n)[None, :]]
            _, ids = np.unique(rows, axis=0, return_inverse=True)
        ids = ids.reshape(-1)
        width = int(ids.max()) + 1 if len(ids) else 0
        counts = np.bincount(text_of[valid] * width + ids, minlength=len(texts) * width).reshape(len(texts), width)
        H, R = counts[:n_hyps], counts[n_hyps:]
        keep = H.any(axis=0)  # only the candidates' n-grams can match
        matches = np.minimum(H[:, None, keep], R[None, :, keep]).sum(axis=2)
        out.append((H.sum(axis=1).tolist(), R.sum(axis=1).tolist(), matches.tolist()))
    return out


def _counts(counters: Sequence, vocab: dict):
    """Counters as a len(counters) x len(vocab) integer matrix (n-grams outside ``vocab`` left out)."""
    import numpy as np

    out = np.zeros((len(counters), len(vocab) + 1), dtype=np.int64)
    missing = len(vocab)  # the last column takes every left-out n-gram (overwritten, then dropped)
    for row, counter in enumerate(counters):
        if counter:
            out[row, [vocab.get(g, missing) for g in counter]] = list(counter.values())
    return out[:, :missing]
