"""BLEU, chrF and chrF++ equal sacrebleu's own sentence_score and corpus_score (==), on SummEval and a tiny corpus."""

from __future__ import annotations

import pytest
from sacrebleu.metrics import BLEU, CHRF

from bench.data.items import Item
from bench.errors import BenchError
from bench.metrics.bleu import Bleu, BleuSpec
from bench.metrics.chrf import Chrf, ChrfPP, ChrfPPSpec, ChrfSpec

# (bench metric, the same options in sacrebleu)
CASES = [
    ("bleu", lambda: Bleu(BleuSpec()), lambda: BLEU(effective_order=True)),
    ("bleu-corpus-defaults", lambda: Bleu(BleuSpec(effective_order=False)), lambda: BLEU()),
    ("bleu-lc-intl-floor", lambda: Bleu(BleuSpec(lowercase=True, tokenize="intl", smooth_method="floor")),
     lambda: BLEU(lowercase=True, tokenize="intl", smooth_method="floor", effective_order=True)),
    ("chrf", lambda: Chrf(ChrfSpec()), lambda: CHRF()),
    ("chrfpp", lambda: ChrfPP(ChrfPPSpec()), lambda: CHRF(word_order=2)),
    ("chrf-beta1-lc", lambda: Chrf(ChrfSpec(beta=1, lowercase=True, char_order=4)),
     lambda: CHRF(beta=1, lowercase=True, char_order=4)),
]

TINY = [
    Item("a", "the cat sat on the mat .", ("the cat is on the mat .", "there is a cat on the mat .")),
    Item("b", "A dog barked loudly at night", ("the dog barked all night",)),  # one reference: a variable count
    Item("c", "nothing in common", ("entirely different words here", "still other words")),
]


def _refs_streams(items):
    width = max(len(it.references) for it in items)
    return [[it.references[k] if k < len(it.references) else None for it in items] for k in range(width)]


def _assert_equal_to_sacrebleu(items, ours, theirs):
    (result,) = ours.score(items, "max", "sha256:test")
    sentence = [theirs.sentence_score(it.candidate, list(it.references)).score for it in items]
    corpus = theirs.corpus_score([it.candidate for it in items], _refs_streams(items))
    assert result.column("score") == sentence
    assert result.corpus == {"score": corpus.score}
    # sacrebleu's own signature, verbatim, inside bench's
    assert str(theirs.get_signature()) in str(result.signature)
    assert str(result.signature).startswith(f"{result.name}|nrefs:")
    return result


@pytest.mark.parametrize("name,ours,theirs", CASES, ids=[c[0] for c in CASES])
def test_tiny_corpus_equals_sacrebleu(name, ours, theirs):
    result = _assert_equal_to_sacrebleu(TINY, ours(), theirs())
    assert "nrefs:var|" in str(result.signature) and "|refs:all|" in str(result.signature)


SUMMEVAL_CASES = CASES[:1] + CASES[3:5]


@pytest.mark.slow  # sacrebleu's own loop over 1,600 items x 11 references: ~80 s (the default tier runs 10 documents)
@pytest.mark.summeval
@pytest.mark.parametrize("name,ours,theirs", SUMMEVAL_CASES, ids=["bleu", "chrf", "chrfpp"])
def test_summeval_every_item_and_corpus_equal_sacrebleu(summeval_items, name, ours, theirs):
    result = _assert_equal_to_sacrebleu(summeval_items, ours(), theirs())
    assert "nrefs:11|" in str(result.signature)


@pytest.mark.summeval
@pytest.mark.parametrize("name,ours,theirs", SUMMEVAL_CASES, ids=["bleu", "chrf", "chrfpp"])
def test_summeval_ten_documents_equal_sacrebleu(summeval_items, name, ours, theirs):
    docs = sorted({it.metadata["doc_id"] for it in summeval_items})[:10]
    items = [it for it in summeval_items if it.metadata["doc_id"] in docs]
    assert len(items) == 160
    result = _assert_equal_to_sacrebleu(items, ours(), theirs())
    assert "nrefs:11|" in str(result.signature)


def test_corpus_is_not_the_mean_of_sentences():
    (result,) = Bleu(BleuSpec()).score(TINY, "max", "sha256:test")
    assert result.corpus["score"] != pytest.approx(result.means()["score"])


def test_against_source_scores_the_article_and_signs_it():
    items = [Item("a", "the cat sat", ("a reference",), source="the cat sat on the mat")]
    metric = Bleu(BleuSpec(against="source"))
    (result,) = metric.score(items, "max", "sha256:test")
    assert result.column("score") == [BLEU(effective_order=True).sentence_score("the cat sat", ["the cat sat on the mat"]).score]
    assert "|against:source|src:" in str(result.signature)
    assert "against" not in str(Bleu(BleuSpec()).signatures(items, "max", "sha256:test")[0])


def test_against_source_without_a_source_names_the_item():
    with pytest.raises(BenchError, match="item 'a' has no source document"):
        Chrf(ChrfSpec(against="source")).score([Item("a", "x", ("y",))], "max", "sha256:test")


@pytest.mark.parametrize("spec,match", [
    (BleuSpec(tokenize="nope"), "BLEU tokenizer"),
    (BleuSpec(smooth_method="nope"), "BLEU smoothing"),
    (BleuSpec(against="article"), "against"),
])
def test_bad_options_are_one_line_errors(spec, match):
    with pytest.raises(BenchError, match=match):
        Bleu(spec)


def test_chrf_names_say_the_word_order():
    assert Chrf(ChrfSpec()).names() == ("chrf",)
    assert Chrf(ChrfSpec(word_order=2)).names() == ("chrfpp",)
    assert Chrf(ChrfSpec(word_order=1)).names() == ("chrf_w1",)
    assert ChrfPP(ChrfPPSpec()).names() == ("chrfpp",)


def test_chrf_with_an_alphabet_too_large_to_pack_equals_sacrebleu():
    """Over 2**10 distinct characters: 6 ranks no longer fit 63 bits, so n-grams are told apart as rows."""
    from sacrebleu.metrics import CHRF

    from bench.metrics import chrf

    han = [chr(0x4E00 + k) for k in range(1100)]
    refs = ("".join(han), "".join(han[::-1][:300]) + " 猫")  # one reference set: one group, one alphabet
    items = [Item(f"i{k}", "".join(han[k * 7:(k * 7) + 40]) + " 猫 " + "".join(han[::97]), refs) for k in range(20)]
    assert len({ch for it in items for t in (it.candidate, *it.references) for ch in t}) > 2 ** 10
    packed = chrf._char_order_statistics(["ab"], ["abc"], 6, False)  # the small alphabet takes the packed path
    assert packed[0] == ([2], [3], [[2]])
    _assert_equal_to_sacrebleu(items, Chrf(ChrfSpec()), CHRF())


@pytest.mark.summeval
def test_bleu_with_its_reference_cache_emptied_at_every_set_equals_sacrebleu(summeval_items, monkeypatch):
    """The cache of extracted reference sets is bounded (unique references cannot fill memory): emptied as
    often as possible, the numbers are still sacrebleu's."""
    from bench.metrics import sacre

    monkeypatch.setattr(sacre, "REFERENCE_SETS_KEPT", 1)
    docs = sorted({it.metadata["doc_id"] for it in summeval_items})[:3]
    items = [it for it in summeval_items if it.metadata["doc_id"] in docs][::-1]  # sets alternate at the seams
    _assert_equal_to_sacrebleu(items, Bleu(BleuSpec()), BLEU(effective_order=True))
