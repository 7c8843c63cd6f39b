"""Every sacrebleu option is validated before any work: a value sacrebleu takes at construction but fails on
later (or turns into no BLEU/chrF) is one BenchError naming the option as the caller wrote it (Python:
``bleu={"smooth_value": -1.0}``; CLI: ``metrics.bleu.smooth_value=-1.0``); a value sacrebleu scores, however
odd, is scored == sacrebleu."""

from __future__ import annotations

import math
import sys

import pytest
from sacrebleu.metrics import BLEU, CHRF

import bench
from bench.data.items import Item
from bench.errors import BenchError
from bench.metrics import bleu as bleu_module
from bench.metrics.bleu import SMOOTH_VALUE_MAX, Bleu, BleuSpec
from bench.metrics.chrf import Chrf, ChrfPP, ChrfPPSpec, ChrfSpec

ITEMS = [
    Item("a", "the cat sat on the mat", ("the cat is on the mat", "a cat was on a mat")),
    Item("b", "a b", ("a c",)),  # an unmatched bigram: smoothing decides the score
    Item("c", "", ("no words in common",)),
    Item("d", "ok", ("no",)),
]
HUGE_BETA = 10 ** 160  # beta ** 2 is beyond a float


def _streams(items):
    width = max(len(it.references) for it in items)
    return [[it.references[k] if k < len(it.references) else None for it in items] for k in range(width)]


def _sacrebleu_fails(make) -> bool:
    """Whether sacrebleu itself, built with these options, fails (or gives a non-finite score) on ITEMS."""
    try:
        metric = make()
        scores = [metric.sentence_score(it.candidate, list(it.references)).score for it in ITEMS]
        scores.append(metric.corpus_score([it.candidate for it in ITEMS], _streams(ITEMS)).score)
    except (ValueError, IndexError, OverflowError):
        return True
    return not all(math.isfinite(s) for s in scores)


# (family, options, the option named, sacrebleu built with the same options)
REFUSED = [
    ("bleu", {"smooth_method": "add-k", "smooth_value": -1}, "smooth_value",
     lambda: BLEU(smooth_method="add-k", smooth_value=-1, effective_order=True)),
    ("bleu", {"smooth_method": "floor", "smooth_value": -0.5}, "smooth_value",
     lambda: BLEU(smooth_method="floor", smooth_value=-0.5, effective_order=True)),
    ("bleu", {"smooth_method": "floor", "smooth_value": float("nan")}, "smooth_value",
     lambda: BLEU(smooth_method="floor", smooth_value=float("nan"), effective_order=True)),
    ("bleu", {"smooth_method": "add-k", "smooth_value": float("inf")}, "smooth_value",
     lambda: BLEU(smooth_method="add-k", smooth_value=float("inf"), effective_order=True)),
    ("bleu", {"smooth_method": "add-k", "smooth_value": 1e308}, "smooth_value",
     lambda: BLEU(smooth_method="add-k", smooth_value=1e308, effective_order=True)),
    ("chrf", {"char_order": 0, "word_order": 0}, "char_order", lambda: CHRF(char_order=0, word_order=0)),
    ("chrf", {"beta": HUGE_BETA}, "beta", lambda: CHRF(beta=HUGE_BETA)),
    ("chrfpp", {"beta": -HUGE_BETA}, "beta", lambda: CHRF(beta=-HUGE_BETA, word_order=2)),
]
# refused although sacrebleu returns numbers: they are not the metric (documented in check_*_options)
REFUSED_AS_NOT_THE_METRIC = [
    ("bleu", {"max_ngram_order": 0}, "max_ngram_order"),
    ("bleu", {"max_ngram_order": -1}, "max_ngram_order"),
    ("chrf", {"char_order": -1, "word_order": 2}, "char_order"),
    ("chrfpp", {"word_order": -1}, "word_order"),
]
UNKNOWN = [
    ("bleu", {"tokenize": "13A"}, "tokenize", "did you mean '13a'"),
    ("bleu", {"tokenize": "v13a"}, "tokenize", "valid choices"),
    ("bleu", {"smooth_method": "add_k"}, "smooth_method", "did you mean 'add-k'"),
]


@pytest.mark.parametrize("family,options,option,theirs", REFUSED, ids=[f"{c[0]}-{c[2]}-{c[1][c[2]]}"[:40] for c in REFUSED])
def test_values_sacrebleu_fails_on_are_refused_from_python(family, options, option, theirs):
    assert _sacrebleu_fails(theirs)  # really a value sacrebleu cannot score (the test's premise, asked of sacrebleu)
    with pytest.raises(BenchError) as info:
        bench.score([it.candidate or "x" for it in ITEMS], [list(it.references) for it in ITEMS], metrics=[family],
                    ci={"resamples": 0}, **{family: options})
    message = str(info.value)
    assert "\n" not in message and f'{family}={{"{option}": ' in message and "metrics." not in message


@pytest.mark.parametrize("family,options,option", REFUSED_AS_NOT_THE_METRIC, ids=[f"{c[0]}-{c[2]}" for c in REFUSED_AS_NOT_THE_METRIC])
def test_orders_that_are_not_the_metric_are_refused(family, options, option):
    with pytest.raises(BenchError) as info:
        bench.score(["a b"], ["a c"], metrics=[family], ci={"resamples": 0}, **{family: options})
    assert "\n" not in str(info.value) and f'{family}={{"{option}": ' in str(info.value)


@pytest.mark.parametrize("family,options,option,hint", UNKNOWN, ids=[c[1][c[2]] for c in UNKNOWN])
def test_unknown_names_list_the_choices(family, options, option, hint):
    with pytest.raises(BenchError) as info:
        bench.score(["a b"], ["a c"], metrics=[family], ci={"resamples": 0}, **{family: options})
    assert "\n" not in str(info.value) and hint in str(info.value) and f'{family}={{"{option}": ' in str(info.value)


@pytest.mark.parametrize("override,named", [
    ("metrics.bleu.smooth_value=-1", "metrics.bleu.smooth_value=-1.0"),
    ("metrics.bleu.smooth_value=nan", "metrics.bleu.smooth_value=nan"),
    ("metrics.bleu.max_ngram_order=0", "metrics.bleu.max_ngram_order=0"),
])
def test_cli_names_the_override_and_writes_nothing(bench_main, tmp_path, override, named):
    result = bench_main("run", "metrics=[bleu]", "metrics.bleu.smooth_method=add-k", override, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bench: error: ") and named in lines[0], result.stderr
    assert "Traceback" not in result.stderr and not list(tmp_path.iterdir())


def test_cli_chrf_beta_overflow_is_one_line(bench_main, tmp_path):
    result = bench_main("run", "metrics=[chrfpp]", f"metrics.chrfpp.beta={HUGE_BETA}", cwd=tmp_path)
    assert result.returncode != 0 and result.stderr.count("\n") == 1
    assert f"metrics.chrfpp.beta={HUGE_BETA} is too large" in result.stderr and not list(tmp_path.iterdir())


def test_a_tokenizer_that_cannot_be_built_is_one_line():
    """ja-mecab needs sacrebleu[ja]: sacrebleu's several-line RuntimeError becomes one line."""
    try:
        BLEU(tokenize="ja-mecab")
    except RuntimeError:
        pass
    else:
        pytest.skip("sacrebleu[ja] is installed here: the tokenizer builds")
    with pytest.raises(BenchError) as info:
        Bleu(BleuSpec(tokenize="ja-mecab"))
    assert "\n" not in str(info.value) and "cannot build tokenizer" in str(info.value)


def test_bench_knows_every_sacrebleu_tokenizer():
    assert set(bleu_module.TOKENIZERS) == set(BLEU.TOKENIZERS)


# odd values sacrebleu scores: bench scores them, equal
SCORED = [
    ("bleu-floor-0", lambda: Bleu(BleuSpec(smooth_method="floor", smooth_value=0.0)),
     lambda: BLEU(smooth_method="floor", smooth_value=0.0, effective_order=True)),
    ("bleu-floor-5", lambda: Bleu(BleuSpec(smooth_method="floor", smooth_value=5.0)),  # above 100 on item b
     lambda: BLEU(smooth_method="floor", smooth_value=5.0, effective_order=True)),
    ("bleu-add-k-0", lambda: Bleu(BleuSpec(smooth_method="add-k", smooth_value=0.0)),
     lambda: BLEU(smooth_method="add-k", smooth_value=0.0, effective_order=True)),
    ("bleu-add-k-max", lambda: Bleu(BleuSpec(smooth_method="add-k", smooth_value=SMOOTH_VALUE_MAX)),
     lambda: BLEU(smooth_method="add-k", smooth_value=SMOOTH_VALUE_MAX, effective_order=True)),
    ("bleu-floor-max", lambda: Bleu(BleuSpec(smooth_method="floor", smooth_value=SMOOTH_VALUE_MAX)),
     lambda: BLEU(smooth_method="floor", smooth_value=SMOOTH_VALUE_MAX, effective_order=True)),
    ("bleu-exp-ignores-negative", lambda: Bleu(BleuSpec(smooth_method="exp", smooth_value=-1.0)),
     lambda: BLEU(smooth_method="exp", smooth_value=-1.0, effective_order=True)),
    ("bleu-none-ignores-negative", lambda: Bleu(BleuSpec(smooth_method="none", smooth_value=-3.0)),
     lambda: BLEU(smooth_method="none", smooth_value=-3.0, effective_order=True)),
    ("bleu-order-1", lambda: Bleu(BleuSpec(max_ngram_order=1)), lambda: BLEU(max_ngram_order=1, effective_order=True)),
    ("bleu-order-12", lambda: Bleu(BleuSpec(max_ngram_order=12, effective_order=False)), lambda: BLEU(max_ngram_order=12)),
    ("chrf-beta-0", lambda: Chrf(ChrfSpec(beta=0)), lambda: CHRF(beta=0)),
    ("chrf-beta-negative", lambda: Chrf(ChrfSpec(beta=-3)), lambda: CHRF(beta=-3)),
    ("chrf-beta-largest", lambda: Chrf(ChrfSpec(beta=math.isqrt(int(sys.float_info.max)) - 1)),
     lambda: CHRF(beta=math.isqrt(int(sys.float_info.max)) - 1)),
    ("chrf-words-only", lambda: Chrf(ChrfSpec(char_order=0, word_order=2)), lambda: CHRF(char_order=0, word_order=2)),
    ("chrf-order-1", lambda: Chrf(ChrfSpec(char_order=1)), lambda: CHRF(char_order=1)),
    ("chrfpp-order-30", lambda: ChrfPP(ChrfPPSpec(char_order=30, word_order=5)), lambda: CHRF(char_order=30, word_order=5)),
]


@pytest.mark.parametrize("name,ours,theirs", SCORED, ids=[c[0] for c in SCORED])
def test_odd_values_sacrebleu_scores_are_scored_equal(name, ours, theirs):
    (result,) = ours().score(ITEMS, "max", "sha256:x")
    oracle = theirs()
    expected = [oracle.sentence_score(it.candidate, list(it.references)).score for it in ITEMS]
    assert all(math.isfinite(s) for s in expected)
    assert result.column("score") == expected
    assert result.corpus == {"score": oracle.corpus_score([it.candidate for it in ITEMS], _streams(ITEMS)).score}
