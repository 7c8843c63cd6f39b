"""torchmetrics' own text-metric test cases, scored by bench and compared with the reference packages (==).

Ported from torchmetrics (github Lightning-AI/torchmetrics, tests/unittests/text/_inputs.py and test_rouge.py,
test_sacre_bleu.py, test_chrf.py, test_bertscore.py): the NLTK-derived hypotheses with two references each (one
with runs of spaces), in torchmetrics' two batches; ROUGE keys incl. rougeLsum with and without the stemmer,
``accumulate`` best/avg, the CNN/DM-like multi-line summary, the "a b c" / "c b a" best-reference case; SacreBLEU
with every tokenizer and lowercase; chrF's (n_char_order, n_word_order, lowercase, whitespace) grid; BERTScore's
layers / all layers / idf / rescale grid, multi-reference, ordering, identical strings and truncation.

torchmetrics itself is not imported: its tests compare torchmetrics with these same packages (rouge-score,
sacrebleu, bert-score), which are bench's oracles. torchmetrics' ``accumulate="best"`` is the reference with the
highest F per key (first of equal F), bench's ``max``; ``accumulate="avg"`` is each of P, R, F averaged over the
references (F not recomputed from the averages), bench's ``mean``; torchmetrics' BERTScore takes each stat's
own maximum over references, bench's ``max_each`` (bert-score's list-of-lists call).
"""

from __future__ import annotations

from math import fsum

import pytest
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU, CHRF

from bench.data.items import Item
from bench.errors import BenchError
from bench.metrics.bleu import Bleu, BleuSpec
from bench.metrics.chrf import Chrf, ChrfSpec
from bench.metrics.rouge import STATS, Rouge, RougeSpec

# --- tests/unittests/text/_inputs.py --------------------------------------------------------------------------
HYPOTHESIS_A = "It is a guide to action which ensures that the military always obeys the commands of the party"
REFERENCE_1A = "It is a guide to action that ensures that the military will forever heed Party commands"
REFERENCE_2A = "It is a guiding principle which makes the military forces always being under the command of the Party"
HYPOTHESIS_B = "he read the book because he was interested in world history"
REFERENCE_1B = "he was interested in world history because he read the book"
REFERENCE_2B = "It is the practical guide for the army always to heed the directions of the party"
HYPOTHESIS_C = "the cat the   cat on the mat "  # runs of spaces, kept on purpose upstream
REFERENCE_1C = "the  cat is     on the mat "
REFERENCE_2C = "there is a   cat on the mat"

BATCHES = [  # torchmetrics' two batches: (hypotheses, references per hypothesis)
    ((HYPOTHESIS_A, HYPOTHESIS_B), ((REFERENCE_1A, REFERENCE_2A), (REFERENCE_1B, REFERENCE_2B))),
    ((HYPOTHESIS_B, HYPOTHESIS_C), ((REFERENCE_1B, REFERENCE_2B), (REFERENCE_1C, REFERENCE_2C))),
]
ALL = (BATCHES[0][0] + BATCHES[1][0], BATCHES[0][1] + BATCHES[1][1])  # the class test's update() over both
CORPORA = {"batch0": BATCHES[0], "batch1": BATCHES[1], "all": ALL}
SINGLE_REFERENCE = (ALL[0], tuple(refs[:1] for refs in ALL[1]))  # _inputs_single_reference
SINGLE_SENTENCE_MULTI = ((HYPOTHESIS_B,), ((REFERENCE_1B, REFERENCE_2B),))

# test_rouge.py: "some randomly adjusted input from CNN/DailyMail dataset which brakes the test"
SUMMARY_PRED = "A lawyer says him .\nMoschetto, 54 and prosecutors say .\nAuthority abc Moschetto  ."
SUMMARY_TARGET = "A trainer said her and Moschetto, 54s or weapons say . \nAuthorities Moschetto of ."

# The reference packages' own cases: hundreds of comparisons, run by CI in the slow tier (the default
# tier keeps the fast developer loop; tests/metrics/test_sacre_short.py and test_empty_texts.py cover the
# edge cases there).
pytestmark = pytest.mark.slow


def _items(hyps, refs):
    return [Item(f"i{k}", h, tuple(r)) for k, (h, r) in enumerate(zip(hyps, refs))]


# --- ROUGE (test_rouge.py) ------------------------------------------------------------------------------------
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
ENGINES = ("rouge-score-rs", "rouge-score")


def _bench_rouge(items, policy, use_stemmer, engine, keys=ROUGE_KEYS):
    spec = RougeSpec(types=tuple(keys), use_stemmer=use_stemmer, engine=engine, sentence_splitter="newline")
    return {r.name: r for r in Rouge(spec).score(items, policy, "sha256:x")}


def _rouge_pairs(hyp, refs, use_stemmer, keys=ROUGE_KEYS):
    """rouge-score's (P, R, F) per key for each reference (rougeLsum: its own newline sentences)."""
    scorer = rouge_scorer.RougeScorer(list(keys), use_stemmer=use_stemmer)
    return [{k: tuple(s[k]) for k in keys} for s in (scorer.score(ref, hyp) for ref in refs)]


def _accumulate(rows, accumulate):
    """torchmetrics' accumulation of one hypothesis's per-reference rows for one key."""
    if accumulate == "best":  # torch.argmax over F: the first of equal maxima
        return max(rows, key=lambda row: row[2])
    return tuple(fsum(col) / len(col) for col in zip(*rows))  # "avg": each stat's mean over the references


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("use_stemmer", [False, True], ids=["nostem", "stem"])
@pytest.mark.parametrize("accumulate,policy", [("best", "max"), ("avg", "mean")], ids=["best", "avg"])
@pytest.mark.parametrize("corpus", list(CORPORA))
def test_rouge_multiple_references(engine, use_stemmer, accumulate, policy, corpus):
    hyps, refs = CORPORA[corpus]
    got = _bench_rouge(_items(hyps, refs), policy, use_stemmer, engine)
    pairs = [_rouge_pairs(h, rs, use_stemmer) for h, rs in zip(hyps, refs)]
    for key in ROUGE_KEYS:
        expected = tuple(_accumulate([p[key] for p in item_pairs], accumulate) for item_pairs in pairs)
        assert got[key].per_item == expected, key
        # torchmetrics' value is the mean over hypotheses of each stat (its float32 mean; here the correctly
        # rounded sum, which a plain left-to-right sum of four items is not)
        assert got[key].means() == {s: fsum(col) / len(col) for s, col in zip(STATS, zip(*expected))}, key


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("use_stemmer", [False, True], ids=["nostem", "stem"])
def test_rouge_lsum_summary(engine, use_stemmer):
    # test_rouge_lsum_score: rougeL and rougeLsum on the multi-line summary, accumulate None (one reference)
    got = _bench_rouge([Item("s", SUMMARY_PRED, (SUMMARY_TARGET,))], "max", use_stemmer, engine)
    (expected,) = _rouge_pairs(SUMMARY_PRED, [SUMMARY_TARGET], use_stemmer)
    for key in ROUGE_KEYS:
        assert got[key].per_item == (expected[key],), key
    assert got["rougeLsum"].per_item != got["rougeL"].per_item  # the newlines make rougeLsum a summary-level LCS


@pytest.mark.parametrize("engine", ENGINES)
def test_rouge_single_sentence_single_reference(engine):
    # test_rouge_metric_normalizer_tokenizer: lowercase, [^a-z0-9]+ to spaces, split on whitespace is rouge-score's
    # own default tokenizer, so bench's default tokenizer is the one compared
    got = _bench_rouge([Item("b", HYPOTHESIS_B, (REFERENCE_1B,))], "max", False, engine)
    (expected,) = _rouge_pairs(HYPOTHESIS_B, [REFERENCE_1B], False)
    for key in ROUGE_KEYS:
        assert got[key].per_item == (expected[key],), key
    assert expected["rouge1"] == (1.0, 1.0, 1.0) and expected["rougeL"][2] < 1  # same words, another order


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("refs", [("a b c", "c b a"), ("c b a", "a b c")], ids=["exact-first", "exact-second"])
def test_rouge_accumulate_best_picks_the_exact_reference(engine, refs):
    # torchmetrics issue 2148: the best reference is the exact one wherever it is; every stat of every key 1.0
    got = _bench_rouge([Item("x", "a b c", refs)], "max", False, engine)
    for key in ROUGE_KEYS:
        assert got[key].per_item == ((1.0, 1.0, 1.0),), key
        expected = _accumulate([p[key] for p in _rouge_pairs("a b c", refs, False)], "best")
        assert got[key].per_item == (expected,), key


def test_rouge_unknown_key_is_refused():
    # test_rouge_metric_wrong_key_value_error: "rouge" is no key; rouge-score refuses it too
    with pytest.raises(ValueError):
        rouge_scorer.RougeScorer(["rouge1", "rouge"]).score(REFERENCE_1B, HYPOTHESIS_B)  # refused when scoring
    with pytest.raises(BenchError, match="unknown ROUGE type"):
        Rouge(RougeSpec(types=("rouge1", "rouge")))


# --- SacreBLEU (test_sacre_bleu.py) and chrF (test_chrf.py) -------------------------------------------------------


def _streams(refs):
    """torchmetrics' per-hypothesis references as sacrebleu's reference streams."""
    return [[r[i] for r in refs] for i in range(len(refs[0]))]


def _assert_sacre(ours, oracle, hyps, refs):
    """bench's per-item == sacrebleu's sentence_score, bench's corpus == sacrebleu's corpus_score (torchmetrics')."""
    items = _items(hyps, refs)
    (result,) = ours.score(items, "max", "sha256:x")
    assert result.column("score") == [oracle.sentence_score(h, list(r)).score for h, r in zip(hyps, refs)]
    assert result.corpus == {"score": oracle.corpus_score(list(hyps), _streams(refs)).score}
    return result


AVAILABLE = ("none", "13a", "zh", "intl", "char")  # torchmetrics' AVAILABLE_TOKENIZERS without extra packages
NEEDS_EXTRAS = ("ja-mecab", "ko-mecab", "flores101", "flores200")  # mecab / sentencepiece (+ a download)


@pytest.mark.parametrize("corpus", list(CORPORA))
@pytest.mark.parametrize("lowercase", [False, True], ids=["cased", "lc"])
@pytest.mark.parametrize("tokenize", AVAILABLE)
def test_sacrebleu_tokenizers_and_lowercase(tokenize, lowercase, corpus):
    # torchmetrics' reference: BLEU(tokenize, lowercase) with sacrebleu's other defaults (effective_order off)
    hyps, refs = CORPORA[corpus]
    _assert_sacre(Bleu(BleuSpec(tokenize=tokenize, lowercase=lowercase, effective_order=False)),
                  BLEU(tokenize=tokenize, lowercase=lowercase), hyps, refs)


@pytest.mark.parametrize("tokenize", NEEDS_EXTRAS)
def test_sacrebleu_tokenizers_needing_extras(tokenize):
    """Where sacrebleu can build the tokenizer, bench equals it; where it cannot (its extra is not installed),
    bench says so in one line instead of failing mid-run."""
    hyps, refs = ["これは美しい花です。"], [["これは美しい花です。", "おいしい寿司を食べたい。"]]  # test_tokenize_ja_mecab
    try:
        oracle = BLEU(tokenize=tokenize)
    except (ImportError, RuntimeError, OSError):
        with pytest.raises(BenchError, match=f"sacrebleu cannot build tokenizer .*{tokenize}"):
            Bleu(BleuSpec(tokenize=tokenize, effective_order=False)).score(_items(hyps, refs), "max", "sha256:x")
        return
    _assert_sacre(Bleu(BleuSpec(tokenize=tokenize, effective_order=False)), oracle, hyps, refs)


def test_sacrebleu_bigram_weights():
    # test_no_and_uniform_weights: n_gram=2 (uniform weights are sacrebleu's max_ngram_order=2)
    hyps, refs = ["My full pytorch-lightning"], [["My full pytorch-lightning test", "Completely Different"]]
    result = _assert_sacre(Bleu(BleuSpec(max_ngram_order=2, effective_order=False)), BLEU(max_ngram_order=2), hyps, refs)
    assert result.corpus["score"] > 0


CHRF_GRID = [  # test_chrf.py: (n_char_order, n_word_order, lowercase, whitespace); beta 2 and eps smoothing
    (6, 2, False, False),
    (6, 2, False, True),
    (4, 2, True, False),
    (6, 0, True, False),
    (6, 0, True, True),
    (4, 0, False, True),
]


@pytest.mark.parametrize("corpus", list(CORPORA))
@pytest.mark.parametrize("char_order,word_order,lowercase,whitespace", CHRF_GRID,
                         ids=[f"c{c}w{w}{'-lc' if lc else ''}{'-ws' if ws else ''}" for c, w, lc, ws in CHRF_GRID])
def test_chrf_grid(char_order, word_order, lowercase, whitespace, corpus):
    options = dict(char_order=char_order, word_order=word_order, lowercase=lowercase, whitespace=whitespace, eps_smoothing=True)
    hyps, refs = CORPORA[corpus]
    _assert_sacre(Chrf(ChrfSpec(**options)), CHRF(**options), hyps, refs)


@pytest.mark.parametrize("word_order", [0, 2], ids=["chrf", "chrfpp"])
def test_chrf_sentence_level_single_sentence(word_order):
    # test_chrf_return_sentence_level_score: one hypothesis, two references; the sentence score is the corpus's
    hyps, refs = SINGLE_SENTENCE_MULTI
    options = dict(word_order=word_order, eps_smoothing=True)
    result = _assert_sacre(Chrf(ChrfSpec(**options)), CHRF(**options), hyps, refs)
    assert result.column("score") == [result.corpus["score"]]


# --- BERTScore (test_bertscore.py): slow, loads the shipped MiniLM -------------------------------------------------
# torchmetrics runs albert-base-v2 (12 layers) at layers 8 and 12; on the 6-layer MiniLM, 4 and 6 (the same
# places: two thirds and the last). all_layers: bench's layer sweep, each layer against bert-score's num_layers=k.
BERT_GRID = [  # (layer, all_layers, idf, rescale)
    (4, False, False, False),
    (6, True, False, False),
    (6, False, True, False),
    (4, False, False, True),
    (6, True, True, False),
    (6, True, False, True),
    (4, False, True, True),
    (6, True, True, True),
]


@pytest.fixture(scope="module")
def bert_baseline(tmp_path_factory):
    from tests.metrics.test_reference_suites_bert import write_baseline

    return write_baseline(tmp_path_factory.mktemp("baseline") / "minilm-baseline.csv")


@pytest.mark.slow
@pytest.mark.parametrize("layer,all_layers,idf,rescale", BERT_GRID,
                         ids=[f"L{la}{'-all' if a else ''}{'-idf' if i else ''}{'-rescale' if r else ''}" for la, a, i, r in BERT_GRID])
def test_bertscore_single_reference_grid(layer, all_layers, idf, rescale, bert_baseline):
    from tests.metrics.test_reference_suites_bert import assert_identical, bench_result, options_of, oracle

    hyps, refs = SINGLE_REFERENCE  # two batches of two: HYPOTHESIS_B and REFERENCE_1B twice (idf counts both)
    base = bert_baseline if rescale else None
    items = _items(hyps, refs)
    flat = [r[0] for r in refs]
    options = options_of("all" if all_layers else layer, idf, base)
    for k in (range(1, 7) if all_layers else (layer,)):
        got = bench_result(items, "max", name=f"bertscore_L{k}" if all_layers else "bertscore", **options)
        assert_identical(got.per_item, oracle(list(hyps), flat, k, idf, base))
    if all_layers:  # bert-score's own all_layers call (hidden states 0..6): within its batch-of-one bits
        every = oracle(list(hyps), flat, layer, idf, base, all_layers=True)
        assert len(every) == 7
        for k in range(1, 7):
            got = bench_result(items, "max", name=f"bertscore_L{k}", **options).per_item
            assert max(abs(a - b) for g, e in zip(got, every[k]) for a, b in zip(g, e)) <= 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("hyps,refs", [
    (SINGLE_SENTENCE_MULTI[0], SINGLE_SENTENCE_MULTI[1]),
    (("hello there", "I'm in the middle", "general kenobi"), (("hello there", "master kenobi"), ("I'm here",), ("hello there", "master kenobi"))),
], ids=["single-sentence", "mixed-counts"])
@pytest.mark.parametrize("idf", [False, True], ids=["plain", "idf"])
def test_bertscore_multiple_references(hyps, refs, idf):
    from tests.metrics.test_reference_suites_bert import LAYER, assert_identical, bench_result, oracle

    got = bench_result(_items(hyps, refs), "max_each", layer=LAYER, idf=idf)
    assert_identical(got.per_item, oracle(list(hyps), [list(r) for r in refs], LAYER, idf))
    if len(hyps) == 3 and not idf:  # upstream's stated 1.0000 for "hello there" among its references
        assert got.per_item[0] == pytest.approx((1.0, 1.0, 1.0), abs=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("idf", [True, False], ids=["idf", "plain"])
def test_bertscore_order_is_kept(idf):
    # test_bertscore_sorting: bert-score sorts texts by length internally; the self-comparison stays first
    from tests.metrics.test_reference_suites_bert import LAYER, assert_identical, bench_result, oracle

    long, short = "This is a longer text", "Short text"
    got = bench_result(_items([long, long], [(long,), (short,)]), "max", layer=LAYER, idf=idf).per_item
    assert_identical(got, oracle([long, long], [long, short], LAYER, idf))
    assert got[0][2] > got[1][2]


@pytest.mark.slow
def test_bertscore_identical_strings():
    # test_bertscore_single_str_input: "hello there" against itself is 1 within 1e-4
    from tests.metrics.test_reference_suites_bert import LAYER, assert_identical, bench_result, oracle

    got = bench_result([Item("h", "hello there", ("hello there",))], "max", layer=LAYER).per_item
    assert_identical(got, oracle(["hello there"], ["hello there"], LAYER))
    assert got[0] == pytest.approx((1.0, 1.0, 1.0), abs=1e-4)


@pytest.mark.slow
def test_bertscore_truncation():
    # test_bertscore_truncation: 2,000 words each side; bert-score truncates at the model's 512 tokens, as bench
    from tests.metrics.test_reference_suites_bert import assert_identical, bench_result, oracle

    pred, ref = "abc " * 2000, "def " * 2000
    got = bench_result([Item("t", pred, (ref,))], "max", layer=2)
    assert_identical(got.per_item, oracle([pred], [ref], 2))
    assert got.notes["truncated_texts"] == 2 and got.per_item[0][2] > 0
