"""Source statistics against a straightforward implementation of their definitions, on SummEval and by hand.

The reference below follows Grusky et al. (2018), Algorithm 1, literally: for each
summary position, scan every article position, keep the longest shared run, then
skip past it (the Newsroom code's ``|f| < i' - i``; see bench.metrics.source_stats).
"""

from __future__ import annotations


import pytest

from bench.data.items import Item
from bench.errors import BenchError
from bench.metrics.source_stats import SourceStats, SourceStatsSpec, fragments, tokens


def reference_fragments(A, S):
    F, i, j = [], 0, 0
    while i < len(S):
        f = []
        while j < len(A):
            if S[i] == A[j]:
                i2, j2 = i, j
                while i2 < len(S) and j2 < len(A) and S[i2] == A[j2]:
                    i2, j2 = i2 + 1, j2 + 1
                if len(f) < i2 - i:
                    f = S[i:i2]
                j = j2
            else:
                j += 1
        i, j = i + max(len(f), 1), 0
        if f:
            F.append(f)
    return F


def reference_stats(summary: str, article: str, max_n: int = 3) -> dict[str, float]:
    S, A = summary.lower().split(), article.lower().split()  # the test's texts are space-tokenised
    F = reference_fragments(A, S)
    out = {"coverage": sum(len(f) for f in F) / len(S), "density": sum(len(f) ** 2 for f in F) / len(S),
           "compression": len(A) / len(S), "summary_tokens": float(len(S)), "source_tokens": float(len(A))}
    for n in range(1, max_n + 1):
        grams = [tuple(S[k:k + n]) for k in range(len(S) - n + 1)]
        source = {tuple(A[k:k + n]) for k in range(len(A) - n + 1)}
        distinct = set(grams)
        out[f"novel_{n}"] = len([g for g in distinct if g not in source]) / len(distinct) if distinct else 0.0
        out[f"repeated_{n}"] = len([g for g in distinct if grams.count(g) > 1]) / len(distinct) if distinct else 0.0
    return out


WS = SourceStatsSpec(tokenize="whitespace")


def _values(items, spec=WS):
    results = SourceStats(spec).score(items, "max", "sha256:test")
    return {r.name: r.column("value") for r in results}, results


def test_hand_computed_case():
    # article: a b c d e f ; summary: a b c x d e a  -> fragments [a b c] and [d e] and [a]
    item = Item("t", "a b c x d e a", ("ref",), source="a b c d e f")
    values, _ = _values([item])
    assert values["coverage"] == [6 / 7]
    assert values["density"] == [(9 + 4 + 1) / 7]
    assert values["compression"] == [6 / 7]
    assert values["novel_1"] == [1 / 6]  # distinct {a,b,c,x,d,e}: x is novel
    assert values["novel_2"] == [3 / 6]  # ab bc cx xd de ea: cx xd ea are novel
    assert values["repeated_1"] == [1 / 6]  # a occurs twice
    assert values["repeated_2"] == [0.0]
    assert values["summary_tokens"] == [7.0] and values["source_tokens"] == [6.0]


def test_greedy_takes_the_longest_match_and_skips_past_it():
    # the first "a b" is shorter than the later "a b c d": the greedy step keeps the longer one
    assert fragments("a b x a b c d".split(), "a b c d".split()) == [4]
    assert fragments("x y".split(), "a b".split()) == []


def test_short_summary_has_no_ngrams_and_is_counted():
    values, results = _values([Item("t", "one", ("r",), source="one two")])
    assert values["novel_2"] == [0.0] and values["repeated_3"] == [0.0]
    assert results[0].notes["short_summary_count"] == 1


def test_words_tokenizer_splits_punctuation_and_folds_case():
    assert tokens("Hello, World!", SourceStatsSpec()) == ["hello", ",", "world", "!"]
    assert tokens("Hello, World!", SourceStatsSpec(lowercase=False, tokenize="whitespace")) == ["Hello,", "World!"]


def test_directions_and_signature():
    _, results = _values([Item("t", "a b", ("r",), source="a b c")])
    lower = {r.name for r in results if not r.higher_is_better}
    assert lower == {"novel_1", "novel_2", "novel_3", "repeated_1", "repeated_2", "repeated_3"}
    sig = str(results[0].signature)
    assert sig.startswith("coverage|tok:split()|unicode:") and "|against:source|src:" in sig and "|" not in "split()"


def test_an_item_without_source_is_an_error_naming_it():
    with pytest.raises(BenchError, match="item 'x' has no source"):
        SourceStats(SourceStatsSpec()).score([Item("x", "a", ("b",))], "max", "sha256:test")


@pytest.mark.summeval
def test_summeval_equals_the_reference_implementation(summeval_items):
    values, _ = _values(summeval_items)  # SummEval's texts are space-tokenised: whitespace tokens
    for k, item in enumerate(summeval_items):
        expected = reference_stats(item.candidate, item.source)
        for name, value in expected.items():
            assert values[name][k] == value, (item.id, name)
