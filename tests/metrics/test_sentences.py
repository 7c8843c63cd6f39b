"""bench.metrics.sentences: the punkt splitter remembers boundary decisions and splits exactly as nltk's Punkt."""

from __future__ import annotations

import pytest

from bench.metrics import sentences

TRICKY = [
    "Mr. Smith went to Washington D.C. on Jan. 5. He said: \"It works.\" Then he left...",
    "U.S. officials met at 3 p.m. on Friday. The U.N. was not there! Was it? Yes.",
    "(Sent one.) Sent two. 'Quoted.' Next one. A. B. Jones arrived. ... and more",
    "Prices rose 3.5 per cent. The No. 1 seed lost. It was 2 a.m. They cheered.",
    "He paid $4.50. She paid $5. They left. e.g. this. i.e. that. etc. And so on.",
    "Ellipsis... then text. Another sentence?! Yes!! Fine. ok. lower case start.",
]


def _nltk_punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(sentences.ABBREVIATIONS)
    return PunktSentenceTokenizer(params).tokenize


def test_remembered_decisions_split_as_nltk_on_repeated_contexts():
    plain, fast = _nltk_punkt(), sentences._punkt_tokenize()
    texts = TRICKY * 3 + [" ".join(TRICKY), " ".join(reversed(TRICKY))]
    assert [fast(t) for t in texts] == [plain(t) for t in texts]


def test_a_full_memory_is_emptied_and_still_splits_the_same(monkeypatch):
    monkeypatch.setattr(sentences, "BREAKS_REMEMBERED", 3)
    plain, fast = _nltk_punkt(), sentences._punkt_tokenize()
    assert [fast(t) for t in TRICKY * 2] == [plain(t) for t in TRICKY * 2]
    assert fast.__self__._breaks and len(fast.__self__._breaks) <= 3


def test_summeval_splits_as_nltk(summeval_raw):
    """Every line of every SummEval text (articles, references, candidates), as rougeLsum splits them."""
    texts = {t for doc in summeval_raw.values() for t in _texts(doc)}
    lines = sorted({line for t in texts for line in t.splitlines() if line.strip()})
    plain, fast = _nltk_punkt(), sentences._punkt_tokenize()
    assert len(lines) > 2000
    assert [fast(x) for x in lines] == [plain(x) for x in lines]


def _texts(doc):
    yield doc["src"]
    yield from doc["ref_summs"]
    for system in doc["sys_summs"].values():
        yield system["sys_summ"]
