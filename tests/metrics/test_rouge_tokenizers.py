"""ROUGE tokenizers: the unicode tokenizer through bench equals rouge-score with ``tokenizer=`` (``==``),
for both engines; the default tokenizer's silent zeros are counted, recorded and warned about."""

from __future__ import annotations

import logging

import pytest
from rouge_score import rouge_scorer

from bench.data.items import Item
from bench.metrics.rouge import ROUGE_TYPES, Rouge, RougeSpec
from bench.metrics.rouge_tokenizers import UnicodeTokenizer, coverage
from bench.metrics.sentences import get_splitter

ZH = ("法国和阿尔及利亚同意恢复安全合作", "法国与阿尔及利亚恢复高级别安全合作")
PAIRS = [
    ZH,
    ("Müller über Straße: die Straßen sind nass.", "Herr Müller läuft über die Straße. Es regnet."),
    ("Nuñez scored twice; Nuñez celebrated.", "Darwin Nuñez scored two goals for Liverpool."),
    ("東京で会議が開かれた。参加者は多かった。", "会議は東京で開催され、多くの参加者が集まった。"),
    ("Running runners ran quickly to the finish lines.", "The runner was running to the line."),
    ("ＦＵＬＬ-width ﬁne Ⅻ", "full width fine xii"),
    ("한국어 문장을 평가합니다.", "한국어 문장 평가."),
    ("Привет, как дела? Всё хорошо.", "Привет! Дела хорошо."),
]


def _lines(text: str) -> str:
    return "\n".join(get_splitter("punkt")(text))


@pytest.mark.parametrize("use_stemmer", [True, False], ids=["stem", "nostem"])
@pytest.mark.parametrize("engine", ["rouge-score-rs", "rouge-score"])
def test_unicode_tokenizer_equals_rouge_score_with_the_same_tokenizer(engine, use_stemmer):
    rouge = Rouge(RougeSpec(engine=engine, use_stemmer=use_stemmer, tokenizer="unicode"))
    targets, predictions = [t for t, _ in PAIRS], [p for _, p in PAIRS]
    got = rouge.pair_scores(targets, predictions)
    oracle = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=UnicodeTokenizer(use_stemmer))
    for (t, p), scores in zip(PAIRS, got):
        expected = oracle.score(_lines(t), _lines(p))
        for rouge_type in ROUGE_TYPES:
            assert tuple(scores[rouge_type]) == tuple(expected[rouge_type]), (t, rouge_type)


@pytest.mark.summeval
@pytest.mark.parametrize("use_stemmer", [True, False], ids=["stem", "nostem"])
def test_unicode_tokenizer_on_summeval_equals_rouge_score(summeval_items, use_stemmer):
    """On English news the two engines agree with rouge-score's own scorer given the same tokenizer."""
    items = summeval_items[::40]  # 40 items x 11 references
    targets = [r for it in items for r in it.references]
    predictions = [it.candidate for it in items for _ in it.references]
    got = Rouge(RougeSpec(use_stemmer=use_stemmer, tokenizer="unicode")).pair_scores(targets, predictions)
    oracle = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=UnicodeTokenizer(use_stemmer))
    for t, p, scores in zip(targets, predictions, got):
        expected = oracle.score(_lines(t), _lines(p))
        assert {k: tuple(v) for k, v in scores.items()} == {k: tuple(v) for k, v in expected.items()}


def test_default_tokenizer_scores_chinese_as_zero_and_unicode_does_not():
    default = Rouge(RougeSpec(use_stemmer=False)).pair_scores([ZH[0]], [ZH[1]])[0]
    unicode = Rouge(RougeSpec(use_stemmer=False, tokenizer="unicode")).pair_scores([ZH[0]], [ZH[1]])[0]
    assert default["rouge1"].fmeasure == 0.0
    assert unicode["rouge1"].fmeasure > 0.5


@pytest.mark.parametrize("text, tokens", [
    ("Müller über Straße", ["müller", "über", "strass"]),  # casefold: ß -> ss, then ASCII, so stemmed
    ("法国和", ["法", "国", "和"]),
    ("Nuñez", ["nuñez"]),
    ("running über", ["run", "über"]),  # Porter only where it applies: [a-z0-9] words longer than 3
    ("ＦＵＬＬ ﬁne", ["full", "fine"]),  # NFKC
    ("don't 3.50", ["don", "t", "3", "50"]),
])
def test_unicode_tokens(text, tokens):
    assert UnicodeTokenizer(use_stemmer=True).tokenize(text) == tokens


def test_porter_stems_exactly_as_rouge_score():
    """On ASCII text the unicode tokenizer's stems are rouge-score's own (nltk's Porter, ORIGINAL_ALGORITHM)."""
    from rouge_score import tokenizers

    text = "Running runners generalization conditional happily caresses ponies relational agreed the 2020 feed"
    assert UnicodeTokenizer(use_stemmer=True).tokenize(text) == tokenizers.DefaultTokenizer(use_stemmer=True).tokenize(text)


@pytest.mark.parametrize("text, tokenizer, empty, dropped", [
    (ZH[0], "default", True, len(ZH[0])),
    (ZH[0], "unicode", False, 0),
    ("Nuñez", "default", False, 1),
    ("Müller über Straße", "default", False, 3),
    ("Müller über Straße", "unicode", False, 0),
    ("plain ascii text", "default", False, 0),
    ("...", "default", True, 0),
])
def test_coverage(text, tokenizer, empty, dropped):
    cov = coverage(text, tokenizer)
    assert (cov.empty, cov.dropped_chars) == (empty, dropped)


def test_silent_zeros_are_counted_recorded_and_warned(caplog):
    items = [Item("zh", ZH[1], (ZH[0],)), Item("en", "Nuñez scored.", ("Darwin Nuñez scored twice.",))]
    with caplog.at_level(logging.WARNING, logger="bench"):
        results = Rouge(RougeSpec()).score(items, "max", "sha256:0")
    notes = results[0].notes
    assert notes["tokenizer_empty_texts"] == 2  # the Chinese candidate and reference
    assert notes["tokenizer_dropped_chars_count"] == len(ZH[0]) + len(ZH[1]) + 2
    assert all(r.notes == notes for r in results)
    (warning,) = [r.getMessage() for r in caplog.records if "tokenizer" in r.getMessage()]
    # the hint in the library caller's syntax (bench.score's keyword); the CLI installs its own (test below)
    assert "2 text(s) with no token" in warning and 'rouge={"tokenizer": "unicode"} keeps every script' in warning
    assert results[0].per_item[0][2] == 0.0  # the zero it warns about
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bench"):
        uni = Rouge(RougeSpec(tokenizer="unicode")).score(items, "max", "sha256:0")
    assert uni[0].notes["tokenizer_empty_texts"] == 0 and uni[0].notes["tokenizer_dropped_chars_count"] == 0
    assert not [r for r in caplog.records if "tokenizer" in r.getMessage()]
    assert uni[0].per_item[0][2] > 0.5
    assert "tok:unicode-v1" in str(uni[0].signature) and "tok:default" in str(results[0].signature)


@pytest.mark.parametrize("spec, tok, stem", [
    (RougeSpec(), "tok:default", "stem:porter"),
    (RougeSpec(engine="rouge-score"), "tok:default", "stem:porter@nltk-"),
    (RougeSpec(use_stemmer=False), "tok:default", "stem:no"),
    (RougeSpec(tokenizer="unicode"), "tok:unicode-v1@regex-", "stem:porter@rouge-score-rs-"),
    (RougeSpec(tokenizer="unicode", engine="rouge-score"), "tok:unicode-v1@regex-", "stem:porter@rouge-score-rs-"),
])
def test_signature_names_the_code_that_tokenizes_and_stems(spec, tok, stem):
    """Everything that can change a number is in the signature, so in the run key too."""
    (sig,) = Rouge(RougeSpec(**{**spec.__dict__, "types": ("rouge1",)})).signatures([Item("a", "x", ("y",))], "max", "sha256:0")
    parts = str(sig).split("|")
    assert any(p.startswith(tok) for p in parts) and any(p.startswith(stem) for p in parts), str(sig)


def _tokenizer_warnings(caplog, items, **spec):
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bench"):
        Rouge(RougeSpec(**spec)).score(items, "max", "sha256:0")
    return [r.getMessage() for r in caplog.records if "tokenizer" in r.getMessage()]


def test_a_small_share_dropped_is_recorded_but_not_warned(caplog):
    """1 letter of 122 (0.82%) dropped and no empty text: recorded in the notes, no warning (the seed run's case)."""
    items = [Item("a", "Nuñez " + "x" * 104, ("reference text",))]
    with caplog.at_level(logging.WARNING, logger="bench"):
        (result, *_) = Rouge(RougeSpec()).score(items, "max", "sha256:0")
    assert (result.notes["tokenizer_dropped_chars_count"], result.notes["tokenizer_word_chars_count"]) == (1, 122)
    assert not [r for r in caplog.records if "tokenizer" in r.getMessage()]
    # a material share (2 of 16) with no empty text: warned, with the share
    (warning,) = _tokenizer_warnings(caplog, [Item("a", "Nuñez won", ("Nuñez won",))])
    assert "leaves 0 text(s) with no token" in warning and "drops 2 of 16 letters/digits (12.50%)" in warning


def test_the_cli_hint_is_an_override(caplog):
    from bench import hints
    from bench.cli import override

    with hints.using(override):
        (warning,) = _tokenizer_warnings(caplog, [Item("zh", ZH[1], (ZH[0],))])
    assert warning.endswith("; metrics.rouge.tokenizer=unicode keeps every script")


def test_the_non_ascii_alnum_pattern_is_str_isalnum_on_every_code_point():
    import sys

    from bench.metrics.rouge_tokenizers import _NON_ASCII_ALNUM

    wrong = [c for c in map(chr, range(sys.maxunicode + 1))
             if bool(_NON_ASCII_ALNUM.fullmatch(c)) != (c.isalnum() and not c.isascii())]
    assert wrong == []


def _coverage_by_character(text: str):
    """The definition, one character at a time: letters/digits, and those whose lower case has no [a-z0-9]."""
    word = dropped = 0
    for c in text:
        if c.isalnum():
            word += 1
            dropped += not any(ch in "abcdefghijklmnopqrstuvwxyz0123456789" for ch in c.lower())
    return word, dropped


@pytest.mark.parametrize("text", ["Müller's café", "İstanbul K-9 ½ ² ٣", "中文 and English", "ÀÉÎÕÜ ß ﬁ", "plain ascii 42",
                                  "", "!!", "lone \ud800 surrogate 7", "tab\tnew\nline é"])
def test_default_coverage_counts_as_the_character_definition(text):
    from bench.metrics.rouge_tokenizers import coverage

    cov = coverage(text, "default")
    assert (cov.word_chars, cov.dropped_chars) == _coverage_by_character(text)
