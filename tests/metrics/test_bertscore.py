"""bench.metrics.bertscore against bert-score 0.3.13's own ``bert_score.score``, bit for bit.

The oracle is called exactly as the harness documents it::

    bert_score.score(cands, refs, model_type=<all-MiniLM-L6-v2 dir>, num_layers=L, idf=..., batch_size=1)

on one thread (see bench.metrics.bert_engine), on the seed pair and on the first two SummEval documents (32 items x 11
references): ``max_each`` against bert-score's list-of-lists multi-reference
call, ``max`` against the argmax-F row of its per-pair output. Every value
must be equal (``==``), not close. bert-score's default ``batch_size=64``
pads texts together, which moves its own values in the last bits; against
that call bench stays within 1e-6. Each oracle call reloads the model (~1-3 s
on two cores), so every call is made once per module.
"""

from __future__ import annotations

import hashlib

import pytest

from bench.data.items import Item, fingerprint
from bench.errors import BenchError
from bench.metrics.bert_engine import one_thread
from bench.metrics.bertscore import DEFAULT_LAYERS, STATS, BertScore, BertScoreSpec


TOL_BATCHED = 1e-6  # against bert-score's padded batches of 64
N_SUMMEVAL = 32  # two documents x 16 systems


@pytest.fixture(scope="module")
def oracle(minilm_path):
    """``oracle(key, cands, refs, layer, idf, baseline=None, batch_size=1)`` -> [N, 3] (P, R, F) rows; memoised."""
    import bert_score

    cache: dict = {}

    def _score(key, cands, refs, layer, idf, baseline=None, batch_size=1):
        full = (key, layer, idf, baseline, batch_size)
        if full not in cache:
            extra = {} if baseline is None else {"rescale_with_baseline": True, "lang": "en", "baseline_path": str(baseline)}
            # nthreads=0: idf counts without a multiprocessing Pool (same counts; no fork of a torch process)
            with one_thread():  # bert-score's lone short texts have thread-dependent bits; bench's do not
                p, r, f = bert_score.score(cands, refs, model_type=str(minilm_path), num_layers=layer, idf=idf,
                                           batch_size=batch_size, nthreads=0, **extra)
            cache[full] = [tuple(row) for row in zip(p.tolist(), r.tolist(), f.tolist())]
        return cache[full]

    return _score


@pytest.fixture(scope="module")
def baseline_csv(tmp_path_factory):
    """A rescaling baseline in bert-score's format: LAYER,P,R,F, one row per layer 0..6."""
    path = tmp_path_factory.mktemp("baseline") / "minilm-baseline.tsv"
    rows = [f"{layer},{0.30 + 0.02 * layer:.4f},{0.35 + 0.01 * layer:.4f},{0.33 + 0.015 * layer:.4f}" for layer in range(7)]
    path.write_text("LAYER,P,R,F\n" + "\n".join(rows) + "\n")
    return path


def bench_rows(items, policy, **options):
    spec = BertScoreSpec(progress=False, **options)
    (result,) = BertScore(spec).score(items, policy, fingerprint(items))
    assert result.name == "bertscore" and result.stats == STATS
    return result


def assert_identical(got_rows, expected_rows):
    assert len(got_rows) == len(expected_rows)
    differing = sum(tuple(g) != tuple(e) for g, e in zip(got_rows, expected_rows))
    worst = max(abs(a - b) for g, e in zip(got_rows, expected_rows) for a, b in zip(g, e))
    assert differing == 0, f"{differing} of {len(got_rows)} rows differ from bert_score.score (max |diff| {worst:.3g}): {got_rows[:2]} {expected_rows[:2]}"


# --- the seed pair ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_item(run_config):
    from bench.pipeline import prepare

    (item,) = prepare(run_config())
    return item


@pytest.mark.slow
@pytest.mark.parametrize(
    "layer, idf, rescale",
    [(4, False, False), (2, False, False), (4, False, True), (2, False, True)],
    ids=["L4", "L2", "L4-rescale", "L2-rescale"],
)
def test_seed_pair_matches_bert_score(seed_item, oracle, baseline_csv, layer, idf, rescale):
    baseline = baseline_csv if rescale else None
    options = {"layer": layer, "idf": idf}
    if rescale:
        options.update(rescale_with_baseline=True, baseline_path=str(baseline_csv))
    got = bench_rows([seed_item], "max", **options)
    expected = oracle("seed", [seed_item.candidate], [seed_item.references[0]], layer, idf, baseline)
    assert_identical(got.per_item, expected)
    assert all(type(v) is float for v in got.per_item[0])
    assert got.notes["truncated_texts"] == 0


@pytest.mark.slow
def test_idf_with_one_reference_is_refused_not_nan(seed_item, oracle):
    # One reference: every reference token occurs in all (one) references, so every idf weight is log(2/2) = 0
    # and recall is 0/0. bert-score returns NaN; bench refuses the run rather than store it.
    expected = oracle("seed", [seed_item.candidate], [seed_item.references[0]], 4, True)
    assert expected[0][1] != expected[0][1]  # NaN
    with pytest.raises(BenchError, match=r"1 pair\(s\) score NaN: with idf=true") as info:
        bench_rows([seed_item], "max", layer=4, idf=True)
    assert "idf=false" in info.value.fix


@pytest.mark.slow
def test_default_layer_is_the_documented_one(seed_item, oracle):
    # bert-score has no default layer for MiniLM (model2layers lacks it), so bench's table decides.
    from bert_score.utils import model2layers

    layer = DEFAULT_LAYERS["sentence-transformers/all-MiniLM-L6-v2"]
    assert "sentence-transformers/all-MiniLM-L6-v2" not in model2layers
    got = bench_rows([seed_item], "max")
    assert got.signature.as_dict()["layer"] == str(layer)
    assert_identical(got.per_item, oracle("seed", [seed_item.candidate], [seed_item.references[0]], layer, False))


@pytest.mark.slow
def test_layer_and_idf_change_the_numbers(seed_item):
    # a second reference, so that idf weights are not all 0 (see the test above)
    item = Item("x", seed_item.candidate, (seed_item.references[0], "A judge ordered the money returned."))
    rows = {(layer, idf): bench_rows([item], "max", layer=layer, idf=idf).per_item[0]
            for layer in (2, 4) for idf in (False, True)}
    assert len(set(rows.values())) == 4


# --- SummEval: first two documents, 11 references each ------------------------------------------------


@pytest.fixture(scope="module")
def summeval_subset(summeval_items):
    items = summeval_items[:N_SUMMEVAL]
    assert len({it.metadata["doc_id"] for it in items}) == 2
    return items


def flat(items):
    return [it.candidate for it in items for _ in it.references], [r for it in items for r in it.references]


@pytest.mark.slow
@pytest.mark.summeval
@pytest.mark.parametrize(
    "layer, idf, rescale",
    [(4, False, False), (2, True, True)],
    ids=["L4", "L2-idf-rescale"],
)
def test_summeval_max_each_matches_bert_score_multi_reference(summeval_subset, oracle, baseline_csv, layer, idf, rescale):
    options = {"layer": layer, "idf": idf}
    if rescale:
        options.update(rescale_with_baseline=True, baseline_path=str(baseline_csv))
    got = bench_rows(summeval_subset, "max_each", **options)
    cands = [it.candidate for it in summeval_subset]
    refs = [list(it.references) for it in summeval_subset]  # bert-score: best P, R, F over each list
    expected = oracle("summeval-lists", cands, refs, layer, idf, baseline_csv if rescale else None)
    assert_identical(got.per_item, expected)


@pytest.mark.slow
@pytest.mark.summeval
@pytest.mark.parametrize("layer, idf", [(4, True), (2, False)], ids=["L4-idf", "L2"])
def test_summeval_max_matches_argmax_f_of_bert_score_pairs(summeval_subset, oracle, layer, idf):
    got = bench_rows(summeval_subset, "max", layer=layer, idf=idf)
    cands, refs = flat(summeval_subset)
    pairs = oracle("summeval-pairs", cands, refs, layer, idf)
    expected, start = [], 0
    for item in summeval_subset:
        rows = pairs[start : start + len(item.references)]
        start += len(item.references)
        expected.append(max(rows, key=lambda row: row[2]))  # first of equal F wins, like bench's `max`
    assert_identical(got.per_item, expected)
    # `max` keeps one reference's P, R, F together, so somewhere it differs from each stat's max.
    start, max_each = 0, []
    for item in summeval_subset:
        max_each.append(tuple(max(col) for col in zip(*pairs[start : start + len(item.references)])))
        start += len(item.references)
    assert any(abs(a[0] - b[0]) > 1e-3 for a, b in zip(expected, max_each))


@pytest.mark.slow
@pytest.mark.summeval
def test_summeval_pairs_are_close_to_bert_scores_padded_batches(summeval_subset, oracle):
    # bert-score's default call pads 64 texts per batch; its values then depend on the batch, by far less than 1e-6.
    layer = DEFAULT_LAYERS["sentence-transformers/all-MiniLM-L6-v2"]
    metric = BertScore(BertScoreSpec(progress=False, layer=layer))
    cands, refs = flat(summeval_subset)
    got = metric.pair_scores(refs, cands)[0].tolist()
    batched = oracle("summeval-pairs", cands, refs, layer, False, batch_size=64)
    assert_identical(got, oracle("summeval-pairs", cands, refs, layer, False))
    worst = max(abs(a - b) for g, e in zip(got, batched) for a, b in zip(g, e))
    assert 0 < worst <= TOL_BATCHED  # 0 would mean the batched call is not the one that pads


# --- truncation at the model's 512-token limit -------------------------------------------------------------


def words(n: int) -> str:
    return " ".join(["the"] * n)  # "the" is one word piece: n words + [CLS] + [SEP] = n + 2 tokens


TRUNCATION = [
    # id, candidate, reference, texts over the limit
    ("short", words(20), words(30), 0),
    ("exactly-512-tokens", words(510), words(30), 0),
    ("513-token-candidate", words(511), words(30), 1),
    ("long-reference", words(20), words(700), 1),
    ("both-long", words(600), words(700), 2),
    ("same-long-text-twice", words(600), words(600), 1),  # counted per distinct text
]


@pytest.mark.slow
@pytest.mark.parametrize("cand, ref, expected", [t[1:] for t in TRUNCATION], ids=[t[0] for t in TRUNCATION])
def test_truncated_texts_are_counted(cand, ref, expected):
    got = bench_rows([Item("x", cand, (ref,))], "max", layer=2)
    assert got.notes["truncated_texts"] == expected
    assert got.notes["max_length"] == 512
    assert got.signature.as_dict()["maxlen"] == "512"


@pytest.mark.slow
def test_truncation_of_a_real_long_text(seed_item):
    # The seed article repeated is ~800 word pieces: one reference over the limit, the candidate not.
    long_ref = seed_item.references[0] + "\n\n" + seed_item.references[0]
    got = bench_rows([Item("x", seed_item.candidate, (long_ref, seed_item.references[0]))], "max", layer=2)
    assert got.notes["truncated_texts"] == 1
    assert got.notes["unique_texts"] == 3


# --- empty texts: bert-score's zero masks, value for value ---------------------------------------------------

# (candidate, reference): empty and whitespace-only texts on either side (bert-score's sent_encode strips a text
# and encodes "" as [CLS][SEP]: it then sets that pair's P and R to 0 and F to 0, with a warning), a text whose
# only character the tokenizer drops (U+200B: [CLS][SEP] too, though not whitespace), and ordinary pairs around
# them so that the masks are shown to touch only their own rows.
EMPTY_PAIRS = [
    ("the cat sat on the mat", "a cat sat on a mat"),
    ("", "the cat sat on the mat"),
    ("the cat sat on the mat", ""),
    ("", ""),
    ("  \n\t ", "a cat sat"),
    ("a cat sat", "\u3000\r\n"),
    ("\u200b", "a cat sat"),
    ("dogs bark at night", "the dog barked all night long"),
]


@pytest.fixture
def transformers4_special_tokens(minilm_path):
    """bert-score 0.3.12 encodes an empty text with ``tokenizer.build_inputs_with_special_tokens([])``, which
    transformers 5 removed (bert_score.score then raises AttributeError on ""). For the oracle, the tokenizer
    class gets back transformers 4's own definition of it (BertTokenizer: ``[CLS] + ids + [SEP]``), so that
    bert-score's code runs unchanged, masks included; removed again after the test."""
    from bert_score.utils import get_tokenizer

    cls = type(get_tokenizer(str(minilm_path), False))
    restored = "build_inputs_with_special_tokens" not in vars(cls)
    if restored:
        cls.build_inputs_with_special_tokens = lambda self, ids_0, ids_1=None: (
            [self.cls_token_id] + ids_0 + [self.sep_token_id]
            + ([] if ids_1 is None else ids_1 + [self.sep_token_id]))
    yield
    if restored:
        del cls.build_inputs_with_special_tokens


def test_bert_score_itself_fails_on_an_empty_text_under_transformers_5(minilm_path):
    # why the oracle above needs its shim, and why bench encodes "" itself (bert_engine.encode): if this
    # starts failing, bert-score or transformers has changed and the shim may go
    import transformers
    from bert_score.utils import get_tokenizer, sent_encode

    tokenizer = get_tokenizer(str(minilm_path), False)
    if int(transformers.__version__.split(".")[0]) < 5:
        assert sent_encode(tokenizer, "") == [tokenizer.cls_token_id, tokenizer.sep_token_id]
    else:
        with pytest.raises(AttributeError, match="build_inputs_with_special_tokens"):
            sent_encode(tokenizer, " ")


def test_bench_encodes_an_empty_text_as_its_special_tokens(minilm_path):
    from bert_score.utils import get_tokenizer

    from bench.metrics.bert_engine import encode

    tokenizer = get_tokenizer(str(minilm_path), False)
    assert tokenizer.cls_token_id == 101 and tokenizer.sep_token_id == 102  # MiniLM's (BERT's) vocabulary
    for text in ("", " ", "\n\t", "\u3000", "\u200b"):
        assert encode(tokenizer, text) == [101, 102], repr(text)
    assert encode(tokenizer, " a cat ") == [101, 1037, 4937, 102]


@pytest.mark.slow
@pytest.mark.parametrize("layer, idf, rescale", [(4, False, False), (2, False, True), (4, True, False)],
                         ids=["L4", "L2-rescale", "L4-idf"])
def test_empty_texts_score_what_bert_score_gives(oracle, baseline_csv, layer, idf, rescale, transformers4_special_tokens):
    cands, refs = [c for c, _ in EMPTY_PAIRS], [r for _, r in EMPTY_PAIRS]
    options = {"layer": layer, "idf": idf}
    if rescale:
        options.update(rescale_with_baseline=True, baseline_path=str(baseline_csv))
    items = [Item(str(k), c, (r,)) for k, (c, r) in enumerate(EMPTY_PAIRS)]
    got = bench_rows(items, "max", **options)
    expected = oracle("empty-pairs", cands, refs, layer, idf, baseline_csv if rescale else None)
    assert_identical(got.per_item, expected)
    if not rescale:  # the masked rows are bert-score's zeros (rescaled: (0 - b) / (1 - b), checked above)
        assert [row for k, row in enumerate(got.per_item) if 1 <= k <= 6] == [(0.0, 0.0, 0.0)] * 6
        assert min(got.per_item[0]) > 0 and min(got.per_item[7]) > 0


@pytest.mark.slow
def test_an_empty_reference_among_others_matches_bert_score_multi_reference(oracle, transformers4_special_tokens):
    # max_each against bert-score's list-of-lists call: the empty reference's zero row never wins over a real one
    items = [Item("a", "the cat sat on the mat", ("", "a cat sat on a mat")),
             Item("b", "", ("a dog", "the dog barked")),
             Item("c", "dogs bark", (" ", "\t"))]
    got = bench_rows(items, "max_each", layer=4)
    expected = oracle("empty-lists", [it.candidate for it in items], [list(it.references) for it in items], 4, False)
    assert_identical(got.per_item, expected)
    assert got.per_item[1] == got.per_item[2] == (0.0, 0.0, 0.0) and got.per_item[0][2] > 0


# --- bad options: fail at construction, before any model is loaded ---------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        ({"model": "no-such-org/no-such-model-xyz"}, "model 'no-such-org/no-such-model-xyz' is neither a local directory"),
        ({"layer": 0}, "metrics.bertscore.layer=0 is out of range"),
        ({"layer": 7}, "metrics.bertscore.layer=7 is out of range"),
        ({"layer": -1}, "use a layer from 1 to 6"),
        ({"device": "tpu"}, "metrics.bertscore.device='tpu' is not a device"),
        ({"batch_size": 0}, "metrics.bertscore.batch_size=0 must be >= 1"),
        ({"baseline_path": "x.tsv"}, "baseline_path is set but rescaling is off"),
        ({"rescale_with_baseline": True, "baseline_path": "/no/such/baseline.tsv"}, "no rescaling baseline"),
    ],
    ids=["unknown-model", "layer-0", "layer-7", "layer-negative", "device", "batch-size", "baseline-without-rescale",
         "missing-baseline"],
)
def test_bad_options(options, message):
    with pytest.raises(BenchError) as info:
        BertScore(BertScoreSpec(**options))
    assert message in str(info.value)
    assert info.value.fix


def test_rescale_needs_a_baseline_for_minilm():
    # bert-score ships no baseline for all-MiniLM-L6-v2: rescaling must fail, not silently skip.
    with pytest.raises(BenchError, match="no rescaling baseline for sentence-transformers/all-MiniLM-L6-v2"):
        BertScore(BertScoreSpec(rescale_with_baseline=True))


def test_model_directory_without_weights(tmp_path, minilm_path):
    (tmp_path / "config.json").write_bytes((minilm_path / "config.json").read_bytes())
    with pytest.raises(BenchError, match="no weight files"):
        BertScore(BertScoreSpec(model=str(tmp_path)))


def test_cuda_requested_without_cuda():
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(BenchError, match="CUDA is not available"):
        BertScore(BertScoreSpec(device="cuda"))


def test_rescale_signature_names_the_baseline_file(baseline_csv):
    metric = BertScore(BertScoreSpec(rescale_with_baseline=True, baseline_path=str(baseline_csv)))
    digest = hashlib.sha256(baseline_csv.read_bytes()).hexdigest()
    assert metric.signature("max", "1", "sha256:00", 512).as_dict()["rescale"] == f"sha256:{digest[:16]}"
