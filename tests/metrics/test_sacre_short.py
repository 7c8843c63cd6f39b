"""chrF, chrF++ and BLEU on short and empty texts equal sacrebleu (==), sentence and corpus.

chrF counts character n-grams up to ``char_order`` (6): a text (or a whole group of texts sharing a
reference set) with fewer non-space characters has no n-gram of the high orders, which once crashed
bench's array counting. Every length 0..8, spaces-only and empty texts included, is compared here with
sacrebleu's own ``sentence_score`` and ``corpus_score``; the expected values come from sacrebleu alone.
"""

from __future__ import annotations

import itertools

import pytest
from sacrebleu.metrics import BLEU, CHRF

from bench.data.items import Item
from bench.metrics.bleu import Bleu, BleuSpec
from bench.metrics.chrf import Chrf, ChrfPP, ChrfPPSpec, ChrfSpec

# texts of every length 0..8: letters, letters and spaces (fewer non-space characters than the length),
# spaces only, and a repeated pattern (repeated n-grams: clipped counts)
TEXTS = sorted({t[:n] for n in range(9) for t in ("abcdefgh", "ab cd ef", " " * 8, "abababab", "ba dc e ")})

CHRF_CASES = [
    ("chrf", lambda: Chrf(ChrfSpec()), lambda: CHRF()),
    ("chrfpp", lambda: ChrfPP(ChrfPPSpec()), lambda: CHRF(word_order=2)),
    ("chrf-whitespace", lambda: Chrf(ChrfSpec(whitespace=True)), lambda: CHRF(whitespace=True)),
    ("chrf-eps", lambda: Chrf(ChrfSpec(eps_smoothing=True)), lambda: CHRF(eps_smoothing=True)),
    # char_order 64: 64 ranks of even 1 bit do not fit 63 bits, so the n-grams are told apart as rows (unpacked path)
    ("chrf-order64", lambda: Chrf(ChrfSpec(char_order=64)), lambda: CHRF(char_order=64)),
]


def _streams(items):
    width = max(len(it.references) for it in items)
    return [[it.references[k] if k < len(it.references) else None for it in items] for k in range(width)]


def _check(items, ours, theirs):
    (result,) = ours.score(items, "max", "sha256:x")
    assert result.column("score") == [theirs.sentence_score(it.candidate, list(it.references)).score for it in items]
    assert result.corpus == {"score": theirs.corpus_score([it.candidate for it in items], _streams(items)).score}


# chrF and chrF++ (what the issue names) in the default tier; the other settings in the slow tier (CPU time)
GRID = [c if c[0] in ("chrf", "chrfpp") else pytest.param(*c, marks=pytest.mark.slow) for c in CHRF_CASES]


@pytest.mark.parametrize("name,ours,theirs", GRID, ids=[c[0] for c in CHRF_CASES])
@pytest.mark.parametrize("ref", TEXTS, ids=repr)
def test_every_short_candidate_against_each_short_reference(name, ours, theirs, ref):
    """Per reference text one group: every candidate of length 0..8 scored together (one array pass) and alone."""
    metric, oracle = ours(), theirs()
    items = [Item(f"c{k}", cand, (ref,)) for k, cand in enumerate(TEXTS)]
    _check(items, metric, oracle)
    for item in items:  # alone: a corpus of one short pair (the group has fewer characters than char_order)
        _check([item], metric, oracle)


@pytest.mark.parametrize("name,ours,theirs", CHRF_CASES[:2], ids=[c[0] for c in CHRF_CASES[:2]])
def test_short_multi_reference_groups(name, ours, theirs):
    """Several short references per item (the best-f reference chosen as sacrebleu chooses it)."""
    refs = [r for r in itertools.combinations(["", " ", "ab", "ba", "abc d", "x"], 2)]
    items = [Item(f"i{k}", cand, ref) for k, (cand, ref) in enumerate(itertools.product(["", "a", "ab", "b a"], refs))]
    _check(items, ours(), theirs())


def test_the_issue_example():
    """``bench.score(["ok"], ["no"], metrics=["chrf"])`` crashed; sacrebleu gives 25.0."""
    (result,) = Chrf(ChrfSpec()).score([Item("a", "ok", ("no",))], "max", "sha256:x")
    assert result.column("score") == [CHRF().sentence_score("ok", ["no"]).score] == [25.0]


BLEU_CASES = [
    ("bleu", lambda: Bleu(BleuSpec()), lambda: BLEU(effective_order=True)),
    ("bleu-no-effective", lambda: Bleu(BleuSpec(effective_order=False)), lambda: BLEU()),
    ("bleu-floor", lambda: Bleu(BleuSpec(smooth_method="floor")), lambda: BLEU(smooth_method="floor", effective_order=True)),
    ("bleu-add-k", lambda: Bleu(BleuSpec(smooth_method="add-k")), lambda: BLEU(smooth_method="add-k", effective_order=True)),
    ("bleu-none", lambda: Bleu(BleuSpec(smooth_method="none")), lambda: BLEU(smooth_method="none", effective_order=True)),
    ("bleu-char", lambda: Bleu(BleuSpec(tokenize="char")), lambda: BLEU(tokenize="char", effective_order=True)),
]


@pytest.mark.parametrize("name,ours,theirs", BLEU_CASES, ids=[c[0] for c in BLEU_CASES])
def test_bleu_every_short_pair(name, ours, theirs):
    metric, oracle = ours(), theirs()
    items = [Item(f"{a}|{b}", a, (b,)) for a, b in itertools.product(TEXTS, TEXTS)]
    _check(items, metric, oracle)
    for item in items[::7]:
        _check([item], metric, oracle)
