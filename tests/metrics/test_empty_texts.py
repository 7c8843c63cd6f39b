"""Empty candidates and empty references score exactly as the reference packages score them (==).

rouge-score gives an empty side precision = recall = F = 0; sacrebleu's sentence_score and corpus_score
take empty strings too (BLEU 0, chrF 0, unless the other side is empty as well: see the cases). The
expected values are the packages' own, on the same pairs; bench's metric code is called directly (the
data layer decides separately whether an empty candidate reaches it). Chunks where every text is empty
are scored too (ROUGE in chunks of two items, BLEU/chrF as a whole corpus of empty pairs).
"""

from __future__ import annotations

import itertools

import pytest
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF

from bench.data.items import Item
from bench.metrics.bleu import Bleu, BleuSpec
from bench.metrics.chrf import Chrf, ChrfPP, ChrfPPSpec, ChrfSpec
from bench.metrics.rouge import ROUGE_TYPES, STATS, Rouge, RougeSpec

EMPTY = ("", " ", "\n", " \t\n ")  # empty, and texts with nothing but whitespace
FULL = ("the cat sat on the mat.", "A dog barked. It was night.")
# every (candidate, references) with an empty side; then a corpus whose items are all empty
PAIRS = [(c, (r,)) for c, r in itertools.product(EMPTY + FULL, EMPTY + FULL) if not (c.strip() and r.strip())]
PAIRS += [("", ("", FULL[0])), (FULL[0], ("", FULL[1])), ("", ("", " ")), (FULL[1], (FULL[1], ""))]
ALL_EMPTY = [Item(f"e{k}", c, (r,)) for k, (c, r) in enumerate(itertools.product(EMPTY, EMPTY))]
MIXED = [Item(f"p{k}", c, refs) for k, (c, refs) in enumerate(PAIRS)]


def _rouge_oracle(items, use_stemmer=True):
    """rouge-score's score(reference, candidate) per pair, max F over an item's references (score_multi's rule)."""
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=use_stemmer)
    out = {t: [] for t in ROUGE_TYPES}
    for it in items:
        scores = [scorer.score(r, it.candidate) for r in it.references]
        for t in ROUGE_TYPES:
            best = scores[0][t]
            for s in scores[1:]:  # first strictly best, as np.argmax picks it
                if s[t].fmeasure > best.fmeasure:
                    best = s[t]
            out[t].append(tuple(best))
    return out


@pytest.mark.parametrize("engine", ("rouge-score-rs", "rouge-score"))
@pytest.mark.parametrize("splitter", ("punkt", "newline"))
@pytest.mark.parametrize("items", [MIXED, ALL_EMPTY], ids=["mixed", "all-empty"])
def test_rouge_empty_texts_equal_rouge_score(engine, splitter, items):
    metric = Rouge(RougeSpec(engine=engine, sentence_splitter=splitter))
    metric.chunk_items = 2  # chunks of two items: some chunks hold nothing but empty texts
    expected = _rouge_oracle(items)
    for result in metric.score(items, "max", "sha256:x"):
        assert [tuple(result.column(s)[k] for s in STATS) for k in range(len(items))] == expected[result.name]
    assert expected["rouge1"][0] == (0.0, 0.0, 0.0)  # rouge-score's value for an empty pair: zeros, not NaN


def _streams(items):
    width = max(len(it.references) for it in items)
    return [[it.references[k] if k < len(it.references) else None for it in items] for k in range(width)]


SACRE = [
    ("bleu", lambda: Bleu(BleuSpec()), lambda: BLEU(effective_order=True)),
    ("bleu-no-effective", lambda: Bleu(BleuSpec(effective_order=False)), lambda: BLEU()),
    ("bleu-floor", lambda: Bleu(BleuSpec(smooth_method="floor")), lambda: BLEU(smooth_method="floor", effective_order=True)),
    ("bleu-add-k", lambda: Bleu(BleuSpec(smooth_method="add-k")), lambda: BLEU(smooth_method="add-k", effective_order=True)),
    ("bleu-none", lambda: Bleu(BleuSpec(smooth_method="none")), lambda: BLEU(smooth_method="none", effective_order=True)),
    ("chrf", lambda: Chrf(ChrfSpec()), lambda: CHRF()),
    ("chrfpp", lambda: ChrfPP(ChrfPPSpec()), lambda: CHRF(word_order=2)),
    ("chrf-eps", lambda: Chrf(ChrfSpec(eps_smoothing=True)), lambda: CHRF(eps_smoothing=True)),
]


@pytest.mark.parametrize("name,ours,theirs", SACRE, ids=[c[0] for c in SACRE])
@pytest.mark.parametrize("items", [MIXED, ALL_EMPTY], ids=["mixed", "all-empty"])
def test_sacrebleu_empty_texts_equal_sacrebleu(name, ours, theirs, items):
    metric, oracle = ours(), theirs()
    (result,) = metric.score(items, "max", "sha256:x")
    assert result.column("score") == [oracle.sentence_score(it.candidate, list(it.references)).score for it in items]
    assert result.corpus == {"score": oracle.corpus_score([it.candidate for it in items], _streams(items)).score}
    for item in items:  # each pair alone: sacrebleu's corpus_score of one empty pair
        (alone,) = metric.score([item], "max", "sha256:x")
        assert alone.corpus == {"score": oracle.corpus_score([item.candidate], [[r] for r in item.references]).score}


def test_what_the_packages_give_for_empty_texts():
    """The values the tests above compare with, written out: a guard that the oracles really see empty texts."""
    assert BLEU(effective_order=True).sentence_score("", [""]).score == 0.0
    assert BLEU().corpus_score([""], [[""]]).score == 0.0
    assert CHRF().sentence_score("", ["the cat"]).score == 0.0
    assert tuple(rouge_scorer.RougeScorer(["rouge1"]).score("", "the cat")["rouge1"]) == (0.0, 0.0, 0.0)


def test_rouge_tokenizer_warning_counts_erased_content_not_empty_texts(caplog):
    """An empty candidate is the data layer's to report; ROUGE's tokenizer note counts texts it erased ("/")."""
    metric = Rouge(RougeSpec())
    with caplog.at_level("WARNING", logger="bench"):
        (first, *_) = metric.score([Item("a", "", ("the cat",)), Item("b", " ", ("the dog",))], "max", "sha256:x")
    assert first.notes["tokenizer_empty_texts"] == 0 and "no token" not in caplog.text
    with caplog.at_level("WARNING", logger="bench"):
        (first, *_) = metric.score([Item("a", "/", ("the cat",))], "max", "sha256:x")
    assert first.notes["tokenizer_empty_texts"] == 1 and "1 text(s) with no token" in caplog.text
