"""The cases of the reference packages' own test suites, scored by bench and compared with the package (==).

Ported from sacrebleu 2.x (test/test_bleu.py, test_sentence_bleu.py, test_chrf.py: corpus and sentence BLEU,
tokenizers 13a/intl/char/none, every smoothing method, effective order, max n-gram orders, empty hypotheses,
multi-reference streams, chrF with and without epsilon smoothing, kept whitespace, Czech/German unicode text)
and rouge-score 0.1.2 (rouge_scorer_test.py: valid/invalid types, rouge1/2/L, empty texts, score_multi,
rougeLsum summary-level LCS and its newline sentences). Each case is compared twice: bench == the package on
the same inputs and options (the package is the oracle), and the package still gives the value its own test
suite states (within that suite's tolerance), so a case means what it meant upstream.
"""

from __future__ import annotations

import pytest
import sacrebleu
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF

from bench.data.items import Item
from bench.errors import BenchError
from bench.metrics.bleu import Bleu, BleuSpec
from bench.metrics.chrf import Chrf, ChrfSpec
from bench.metrics.rouge import STATS, Rouge, RougeSpec

# The reference packages' own cases: hundreds of comparisons, run by CI in the slow tier (the default
# tier keeps the fast developer loop; tests/metrics/test_sacre_short.py and test_empty_texts.py cover the
# edge cases there).
pytestmark = pytest.mark.slow


def _items(hyps, ref_streams):
    """sacrebleu's (hypotheses, [stream per reference]) as bench items (an item's references: its column)."""
    return [Item(f"i{k}", hyp, tuple(stream[k] for stream in ref_streams)) for k, hyp in enumerate(hyps)]


def _bench(metric, items):
    (result,) = metric.score(items, "max", "sha256:x")
    return result


def _assert_equal(metric, oracle, hyps, ref_streams):
    """bench's per-item values == sacrebleu's sentence_score, bench's corpus == sacrebleu's corpus_score."""
    items = _items(hyps, ref_streams)
    result = _bench(metric, items)
    assert result.column("score") == [oracle.sentence_score(it.candidate, list(it.references)).score for it in items]
    corpus = oracle.corpus_score(list(hyps), [list(s) for s in ref_streams]).score
    assert result.corpus == {"score": corpus}
    return corpus


# --- sacrebleu test/test_bleu.py ---------------------------------------------------------------------------
_REFS = [
    ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
    ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
]
_HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]

CORPUS_BLEU = [  # (hyps, refs, options, sacrebleu's stated corpus BLEU)
    (_HYPS, _REFS, {}, 48.530827),
    (("", "", ""), _REFS, {}, 0.0),  # empty hypotheses are not removed
    (_HYPS, _REFS, {"tokenize": "none"}, 49.1919566),
    (_HYPS, _REFS, {"tokenize": "13a"}, 48.530827),
    (_HYPS, _REFS, {"tokenize": "intl"}, 43.91623493),
    (_HYPS, _REFS, {"smooth_method": "none"}, 48.530827),
    (["this is a test", "another test"], [["ref1", "ref2"]], {}, 0.0),
]


@pytest.mark.parametrize("hyps,refs,options,stated", CORPUS_BLEU, ids=[f"case{k}" for k in range(len(CORPUS_BLEU))])
def test_sacrebleu_corpus_bleu(hyps, refs, options, stated):
    # corpus_bleu's defaults: effective_order off
    corpus = _assert_equal(Bleu(BleuSpec(effective_order=False, **options)), BLEU(**options), hyps, refs)
    assert abs(corpus - stated) < 1e-8


@pytest.mark.parametrize("order,stated", [(1, "77.65"), (2, "60.50"), (3, "53.93"), (4, "48.53"), (5, "46.14"), (6, "43.28")])
def test_sacrebleu_max_ngram_order(order, stated):
    corpus = _assert_equal(Bleu(BleuSpec(effective_order=False, max_ngram_order=order)), BLEU(max_ngram_order=order), _HYPS, _REFS)
    assert f"{corpus:.2f}" == stated


# raw_corpus_bleu: floor smoothing (0.01 unless given), tokenize none, effective order on
RAW = [
    (["this is a test", "another test"], [["ref1", "ref2"]], 0.01, 0.0),
    (["this is a test"], [["this is a test"]], 0.01, 1.0),
    (["this is a fest"], [["this is a test"]], 0.01, 0.223606797749979),
    (["test"], [["a test"]], 0.01, 0.3678794411714425),  # test_effective_order
    (["a test"], [["a test"]], 0.01, 1.0),
    (["a little test"], [["a test"]], 0.01, 0.03218297948685433),
    (["am I am a character sequence"], [["I am a symbol string sequence a a"]], 0.0, 0.0),  # test_offset
    (["am I am a character sequence"], [["I am a symbol string sequence a a"]], None, 0.1555722182),
]


@pytest.mark.parametrize("hyps,refs,floor,stated", RAW, ids=[f"raw{k}" for k in range(len(RAW))])
def test_sacrebleu_raw_corpus_bleu(hyps, refs, floor, stated):
    options = {"smooth_method": "floor", "smooth_value": floor, "tokenize": "none"}
    corpus = _assert_equal(Bleu(BleuSpec(effective_order=True, **options)), BLEU(effective_order=True, **options), hyps, refs)
    assert abs(corpus / 100 - stated) < 1e-8
    assert corpus == sacrebleu.raw_corpus_bleu(hyps, refs, floor).score


# --- sacrebleu test/test_sentence_bleu.py ------------------------------------------------------------------
REF = "producţia de zahăr brut se exprimă în zahăr alb;"
SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;"
SENTENCE_BLEU = [  # (smooth_method, smooth_value, lowercase, tokenize, stated)
    ("exp", None, False, "13a", 8.493),
    ("none", None, False, "13a", 0.0),
    ("floor", None, False, "13a", 4.51688),
    ("floor", 0.1, False, "13a", 4.51688),
    ("floor", 0.5, False, "13a", 10.10),
    ("add-k", None, False, "13a", 14.882),
    ("add-k", 1, False, "13a", 14.882),
    ("add-k", 2, False, "13a", 21.389),
    ("exp", None, False, "none", 7.347),
    ("exp", None, False, "intl", 8.493),
    ("exp", None, False, "char", 40.8759),
    ("exp", None, True, "char", 42.0267),
]


def _sentence_metrics(method, value, lowercase, tok):
    ours = Bleu(BleuSpec(smooth_method=method, smooth_value=None if value is None else float(value), lowercase=lowercase,
                         tokenize=tok, effective_order=True))
    return ours, BLEU(smooth_method=method, smooth_value=value, lowercase=lowercase, tokenize=tok, effective_order=True)


@pytest.mark.parametrize("method,value,lowercase,tok,stated", SENTENCE_BLEU, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in SENTENCE_BLEU])
def test_sacrebleu_sentence_bleu(method, value, lowercase, tok, stated):
    ours, oracle = _sentence_metrics(method, value, lowercase, tok)
    _assert_equal(ours, oracle, [SYS], [[REF]])
    assert abs(_bench(ours, [Item("a", SYS, (REF,))]).column("score")[0] - stated) < 1e-3


@pytest.mark.parametrize("method,value", [("exp", None), ("none", None), ("floor", None), ("floor", 0.1), ("add-k", None), ("add-k", 1)])
def test_sacrebleu_sentence_bleu_zero(method, value):
    ours, oracle = _sentence_metrics(method, value, False, "13a")
    _assert_equal(ours, oracle, ["this is a cat"], [["okay thanks"]])
    assert _bench(ours, [Item("a", "this is a cat", ("okay thanks",))]).column("score") == [0.0]


# --- sacrebleu test/test_chrf.py ---------------------------------------------------------------------------
CHRF_EPS = [  # corpus_chrf(char_order=6, word_order=0, beta=3, eps_smoothing=True)
    (["abcdefg"], ["hijklmnop"], 0.0),
    (["a"], ["b"], 0.0),
    ([""], ["b"], 0.0),
    ([""], ["ref"], 0.0),
    ([""], ["reference"], 0.0),
    (["aa"], ["ab"], 8.3333),
    (["a", "b"], ["a", "c"], 8.3333),
    (["a"], ["a"], 16.6667),
    (["a b c"], ["a b c"], 50.0),
    (["a b c"], ["abc"], 50.0),
    ([" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
     ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."], 63.361730),
    ([" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "],
     ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."], 64.1302698),
    (["Niemand hat die Absicht, eine Mauer zu errichten"], ["Niemand hat die Absicht, eine Mauer zu errichten"], 100.0),
]
CHRF_EFFECTIVE = [  # the same, eps_smoothing=False (sacreBLEU < 2.0 effective order)
    (["a"], ["a"], 100.0),
    ([""], ["reference"], 0.0),
    (["a b c"], ["a b c"], 100.0),
    (["a b c"], ["abc"], 100.0),
    ([""], ["c"], 0.0),
    (["a", "b"], ["a", "c"], 50.0),
    (["aa"], ["ab"], 25.0),
]
CHRF_WHITESPACE = [
    (["Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."],
     ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."], 67.3481606),
    (["risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
     ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."], 65.2414427),
]
CHRF_SENTENCE = [  # sentence_chrf(eps_smoothing=True), defaults otherwise
    ("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
     "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.", 39.14078509),
    ("Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
     "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.", 31.22557079),
    ("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
     "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.", 57.15704367),
]


@pytest.mark.parametrize("word_order", [0, 2], ids=["chrf", "chrfpp"])
@pytest.mark.parametrize("eps,hyps,refs,stated", [(True, *c) for c in CHRF_EPS] + [(False, *c) for c in CHRF_EFFECTIVE],
                         ids=[f"eps{k}" for k in range(len(CHRF_EPS))] + [f"eff{k}" for k in range(len(CHRF_EFFECTIVE))])
def test_sacrebleu_chrf(word_order, eps, hyps, refs, stated):
    options = {"char_order": 6, "word_order": word_order, "beta": 3, "eps_smoothing": eps}
    corpus = _assert_equal(Chrf(ChrfSpec(**options)), CHRF(**options), hyps, [refs])
    if word_order == 0:  # the stated values are chrF's
        assert abs(corpus - stated) < 1e-4


@pytest.mark.parametrize("hyps,refs,stated", CHRF_WHITESPACE, ids=["de", "en"])
def test_sacrebleu_chrf_keep_whitespace(hyps, refs, stated):
    options = {"char_order": 6, "word_order": 0, "beta": 3, "whitespace": True}
    corpus = _assert_equal(Chrf(ChrfSpec(**options)), CHRF(**options), hyps, [refs])
    assert abs(corpus - stated) < 1e-4


@pytest.mark.parametrize("word_order", [0, 2], ids=["chrf", "chrfpp"])
@pytest.mark.parametrize("hyp,ref,stated", CHRF_SENTENCE, ids=["cs0", "cs1", "cs2"])
def test_sacrebleu_chrf_sentence_level(word_order, hyp, ref, stated):
    ours, oracle = Chrf(ChrfSpec(eps_smoothing=True, word_order=word_order)), CHRF(eps_smoothing=True, word_order=word_order)
    _assert_equal(ours, oracle, [hyp], [[ref]])
    if word_order == 0:
        assert abs(_bench(ours, [Item("a", hyp, (ref,))]).column("score")[0] - stated) < 1e-4


@pytest.mark.parametrize("family_options", [{}, {"word_order": 2}, {"lowercase": True}], ids=["chrf", "chrfpp", "lc"])
def test_sacrebleu_chrf_multi_reference_streams(family_options):
    """The BLEU suite's two reference streams through chrF (the best-f reference per sentence)."""
    _assert_equal(Chrf(ChrfSpec(**family_options)), CHRF(**family_options), _HYPS, _REFS)


@pytest.mark.parametrize("tok", ["13a", "intl", "char", "none", "zh"])
@pytest.mark.parametrize("effective", [True, False])
def test_sacrebleu_tokenizers_on_unicode_multi_reference(tok, effective):
    hyps = [SYS, "Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.", "猫坐在垫子上。", ""]
    refs = [[REF, "Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.", "猫在垫子上。", "x"],
            ["zahăr alb", "Obama und Netanjahu", "一只猫坐在垫子上", ""]]
    _assert_equal(Bleu(BleuSpec(tokenize=tok, effective_order=effective)), BLEU(tokenize=tok, effective_order=effective), hyps, refs)


# --- rouge-score rouge_scorer_test.py ----------------------------------------------------------------------
ENGINES = ("rouge-score-rs", "rouge-score")


def _rouge(types, target, prediction, engine, use_stemmer=False, targets=None):
    """bench's (precision, recall, fmeasure) per type for one pair (or several targets: rouge-score's score_multi)."""
    spec = RougeSpec(types=tuple(types), engine=engine, use_stemmer=use_stemmer, sentence_splitter="newline")
    results = Rouge(spec).score([Item("a", prediction, tuple(targets or [target]))], "max", "sha256:x")
    return {r.name: tuple(r.column(s)[0] for s in STATS) for r in results}


def _theirs(types, target, prediction, use_stemmer=False, targets=None):
    scorer = rouge_scorer.RougeScorer(list(types), use_stemmer=use_stemmer)
    scores = scorer.score_multi(targets, prediction) if targets else scorer.score(target, prediction)
    return {t: tuple(scores[t]) for t in types}


ROUGE_CASES = [  # (types, target, prediction, use_stemmer, stated {type: (p, r, f)})
    (["rouge1"], "testing one two", "testing", False, {"rouge1": (1, 1 / 3, 1 / 2)}),
    (["rouge2"], "testing one two", "testing one", False, {"rouge2": (1, 1 / 2, 2 / 3)}),
    (["rougeL"], "testing one two", "testing one", False, {"rougeL": (1, 2 / 3, 4 / 5)}),
    (["rougeL"], "testing one two", "testing two", False, {"rougeL": (1, 2 / 3, 4 / 5)}),
    (["rouge1", "rougeL"], "testing one two", "testing one", False, {"rouge1": (1, 2 / 3, 4 / 5), "rougeL": (1, 2 / 3, 4 / 5)}),
    (["rouge1", "rouge9", "rougeL", "rougeLsum"], "testing one two", "testing", False, {}),
    *[([t], "testing one two", "", False, {t: (0, 0, 0)}) for t in ("rouge1", "rouge2", "rougeL", "rougeLsum")],
    (["rougeLsum"], "w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", False, {"rougeLsum": (0.4, 0.8, 0.5333)}),
    (["rougeLsum"], "w1 w2 w3 w4 w5", "", False, {"rougeLsum": (0, 0, 0)}),
    (["rougeLsum"], "", "w1", False, {"rougeLsum": (0, 0, 0)}),
    (["rougeLsum"], "w1 w2 w3 w4 w5", "/", False, {"rougeLsum": (0, 0, 0)}),  # a summary of non-word characters
    (["rougeLsum"], "First sentence.\nSecond Sentence.", "Second sentence.\nFirst Sentence.", True, {"rougeLsum": (1, 1, 1)}),
    (["rougeLsum"], "First sentence. Second Sentence.", "Second sentence. First Sentence.", True, {"rougeLsum": (0.5, 0.5, 0.5)}),
    (["rouge1"], "this is a test", "this is a test", False, {"rouge1": (1, 1, 1)}),  # testRougeTokenizerInit
    # unicode: rouge-score's tokenizer keeps [a-z0-9] only (accented letters split words, CJK is dropped)
    (["rouge1", "rouge2", "rougeL", "rougeLsum"], "Müller über die Straße", "Muller uber die Strasse", True, {}),
    (["rouge1", "rougeL"], "法国和阿尔及利亚同意恢复安全合作", "法国与阿尔及利亚恢复高级别安全合作", False, {"rouge1": (0, 0, 0)}),
    (["rouge1", "rouge2", "rougeLsum"], "the friends had a meeting\nover coffee", "The friend met\nfor a meeting", True, {}),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("types,target,prediction,stem,stated", ROUGE_CASES, ids=[f"case{k}" for k in range(len(ROUGE_CASES))])
def test_rouge_score_cases(engine, types, target, prediction, stem, stated):
    ours = _rouge(types, target, prediction, engine, stem)
    theirs = _theirs(types, target, prediction, stem)
    assert ours == theirs
    for t, values in stated.items():
        assert theirs[t] == pytest.approx(values, abs=1e-4)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("targets,prediction,stated", [
    (["testing one two"], "testing", {"rouge1": (1, 1 / 3, 1 / 2)}),  # testRouge1Multi
    (["first text", "first something"], "text first", {"rouge1": 1, "rouge2": 0, "rougeL": 0.5}),  # testRougeAllMulti
    (["", "the cat sat"], "the cat", {}),
    (["a b c d", "a b x d", "b c d"], "a b c", {}),
])
def test_rouge_score_multi(engine, targets, prediction, stated):
    types = ["rouge1", "rouge2", "rougeL"]
    ours = _rouge(types, None, prediction, engine, targets=targets)
    theirs = _theirs(types, None, prediction, targets=targets)
    assert ours == theirs
    for t, value in stated.items():
        if isinstance(value, tuple):
            assert theirs[t] == pytest.approx(value)
        else:
            assert theirs[t][2] == pytest.approx(value)


@pytest.mark.parametrize("rouge_type", ["rougen", "rouge0", "rouge10"])
def test_rouge_score_invalid_types_are_refused(rouge_type):
    with pytest.raises(ValueError):
        rouge_scorer.RougeScorer([rouge_type]).score("testing one two", "testing")
    with pytest.raises(BenchError, match="unknown ROUGE type"):
        Rouge(RougeSpec(types=(rouge_type,)))
