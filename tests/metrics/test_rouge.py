"""bench.metrics.rouge against rouge-score 0.1.2 itself, with exact float equality (``==``).

The oracle is ``rouge_scorer.RougeScorer(types, use_stemmer).score(reference, candidate)``
on texts split one sentence per line by ``bench.metrics.sentences.get_splitter('punkt')``
(rouge-score's rougeLsum convention); rouge1/2/L must also equal the score of
the raw, unsplit texts. Multi-reference policies are checked against the
oracle's per-pair scores reduced the way rouge-score does it (``score_multi``:
``np.argmax`` over F), and ``score_multi`` itself on a slice.

Scoring all 17,600 SummEval pairs with the pure-Python package takes ~40 s on
one core, so the SummEval oracle is committed as data (tests/metrics/oracles/summeval_rouge.py
makes it); one slow test recomputes it on every core, with rouge-score's tokenizer memoised
(see ``MemoTokenizer``), and compares bit for bit; a slice is checked against the plain,
un-memoised scorer too.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics

import numpy as np
import pytest
from rouge_score import rouge_scorer, tokenizers

from bench.data.items import Item, fingerprint
from bench.errors import BenchError
from bench.metrics.rouge import ROUGE_TYPES, STATS, Rouge, RougeSpec
from bench.metrics.sentences import get_splitter


ENGINES = ("rouge-score-rs", "rouge-score")
TOKEN_TYPES = ("rouge1", "rouge2", "rougeL")  # types that must not care about sentence splits


def split(text: str) -> str:
    return "\n".join(get_splitter("punkt")(text))


class MemoTokenizer(tokenizers.Tokenizer):
    """rouge-score's DefaultTokenizer, memoised by text.

    ``RougeScorer.score`` re-tokenizes (and Porter-stems) both texts for every
    pair and every sentence; SummEval repeats each reference 16 times and each
    candidate 11 times, so caching the token lists cuts the oracle's time by
    ~3x without touching rouge-score's scoring code. The tokens are identical
    (rouge-score treats a ``tokenizer=`` argument exactly like its default).
    """

    def __init__(self, use_stemmer: bool):
        self._tokenizer = tokenizers.DefaultTokenizer(use_stemmer=use_stemmer)
        self._cache: dict[str, list[str]] = {}

    def tokenize(self, text):
        if text not in self._cache:
            self._cache[text] = self._tokenizer.tokenize(text)
        return self._cache[text]


def oracle_pairs(types, use_stemmer, targets, predictions, memo=False) -> list[dict[str, tuple[float, float, float]]]:
    """rouge-score's own ``score`` for each (target, prediction) pair; spread over processes when large."""
    if memo:
        scorer = rouge_scorer.RougeScorer(list(types), tokenizer=MemoTokenizer(use_stemmer))
    else:
        scorer = rouge_scorer.RougeScorer(list(types), use_stemmer=use_stemmer)
    pairs = list(zip(targets, predictions))
    workers = min(os.cpu_count() or 1, 8)
    if workers > 1 and len(pairs) > 2000:
        # spawn, not fork: the test process may hold torch's threads. Contiguous chunks keep
        # each worker's memo useful (pairs are item-major, so references repeat within a document).
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            scores = pool.starmap(scorer.score, pairs, chunksize=-(-len(pairs) // (workers * 2)))
    else:
        scores = [scorer.score(t, p) for t, p in pairs]
    return [{k: tuple(v) for k, v in s.items()} for s in scores]


def by_name(results):
    return {r.name: r for r in results}


# --- the seed pair ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_item(run_config):
    from bench.pipeline import prepare

    (item,) = prepare(run_config())
    return item


@pytest.mark.parametrize("use_stemmer", [True, False], ids=["stem", "nostem"])
@pytest.mark.parametrize("engine", ENGINES)
def test_seed_pair_bit_identical_to_rouge_score(seed_item, engine, use_stemmer):
    ref, cand = seed_item.references[0], seed_item.candidate
    rouge = Rouge(RougeSpec(engine=engine, use_stemmer=use_stemmer))
    got = by_name(rouge.score([seed_item], "max", fingerprint([seed_item])))
    assert list(got) == list(ROUGE_TYPES)

    split_oracle = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=use_stemmer).score(split(ref), split(cand))
    raw_oracle = rouge_scorer.RougeScorer(list(TOKEN_TYPES), use_stemmer=use_stemmer).score(ref, cand)
    for t in ROUGE_TYPES:
        assert got[t].stats == STATS
        assert got[t].per_item == (tuple(split_oracle[t]),), t
        assert all(type(v) is float for v in got[t].per_item[0])
    for t in TOKEN_TYPES:
        assert got[t].per_item == (tuple(raw_oracle[t]),), t


def test_seed_pair_rougelsum_really_uses_sentences(seed_item):
    # The candidate is three sentences on one line: unsplit, rougeLsum would be plain rougeL.
    assert split(seed_item.candidate).count("\n") == 2
    got = by_name(Rouge(RougeSpec()).score([seed_item], "max", "sha256:0"))
    unsplit = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True).score(
        seed_item.references[0], seed_item.candidate)["rougeLsum"]
    assert got["rougeLsum"].per_item[0] != tuple(unsplit)
    assert got["rougeLsum"].per_item[0] != got["rougeL"].per_item[0]


def test_seed_pair_stemming_changes_scores(seed_item):
    stem = by_name(Rouge(RougeSpec(use_stemmer=True)).score([seed_item], "max", "sha256:0"))
    plain = by_name(Rouge(RougeSpec(use_stemmer=False)).score([seed_item], "max", "sha256:0"))
    assert stem["rouge1"].per_item != plain["rouge1"].per_item


@pytest.mark.parametrize("types", [("rouge2",), ("rougeLsum", "rouge1"), ("rougeL", "rougeLsum")])
@pytest.mark.parametrize("engine", ENGINES)
def test_type_subsets_in_config_order(seed_item, engine, types):
    got = Rouge(RougeSpec(types=types, engine=engine)).score([seed_item], "first", "sha256:0")
    assert [r.name for r in got] == list(types)
    oracle = rouge_scorer.RougeScorer(list(types), use_stemmer=True).score(
        split(seed_item.references[0]), split(seed_item.candidate))
    assert [r.per_item[0] for r in got] == [tuple(oracle[t]) for t in types]


@pytest.mark.parametrize(
    "spec, message",
    [
        (RougeSpec(types=("rouge0",)), "unknown ROUGE type 'rouge0'"),
        (RougeSpec(types=("rougeLSum",)), "did you mean 'rougeLsum'"),
        (RougeSpec(types=()), "no ROUGE type is selected"),
        (RougeSpec(sentence_splitter="punk"), "unknown sentence splitter (metrics.rouge.sentence_splitter) 'punk'"),
        (RougeSpec(engine="rouge-score-rust"), "unknown ROUGE engine (metrics.rouge.engine) 'rouge-score-rust'"),
    ],
    ids=["type", "type-case", "no-types", "splitter", "engine"],
)
def test_bad_options(seed_item, spec, message):
    # Construction or, at the latest, scoring must fail with the option and the valid choices.
    with pytest.raises(BenchError) as info:
        Rouge(spec).score([seed_item], "max", "sha256:0")
    assert message in str(info.value)


def test_unknown_policy(seed_item):
    with pytest.raises(BenchError, match="multi-reference policy"):
        Rouge(RougeSpec()).score([seed_item], "best", "sha256:0")


# --- SummEval: all 1,600 items x 11 references ---------------------------------------------------------


@pytest.fixture(scope="module")
def summeval_pairs(summeval_items):
    targets = [ref for it in summeval_items for ref in it.references]
    predictions = [it.candidate for it in summeval_items for _ in it.references]
    return targets, predictions


@pytest.fixture(scope="module")
def summeval_oracle(summeval_path):
    """Per-pair rouge-score scores, committed (tests/metrics/oracles/summeval_rouge.py): all types on split
    texts; rouge1/2/L of the raw texts are the same rows (the slow test below recomputes those and compares;
    docs/testing.md's slow block recomputes the split rows)."""
    from tests.metrics.oracles import summeval_rouge

    header, committed = summeval_rouge.load()
    if header["data_sha256"] != summeval_rouge.sha256(summeval_path):
        pytest.fail(f"{summeval_path} is not the file the committed oracle was made from; "
                    "regenerate it: python -m tests.metrics.oracles.summeval_rouge")
    split_scores = [{t: committed[t][k] for t in ROUGE_TYPES} for k in range(header["pairs"])]
    raw_scores = [{t: row[t] for t in TOKEN_TYPES} for row in split_scores]
    return split_scores, raw_scores


def reduce_oracle(pair_scores, counts, rouge_type, policy):
    """rouge-score's per-pair rows reduced per item without bench's code."""
    out, start = [], 0
    for n in counts:
        rows = [pair_scores[k][rouge_type] for k in range(start, start + n)]
        start += n
        if policy == "max":  # RougeScorer.score_multi: np.argmax over F, first wins ties
            out.append(rows[int(np.argmax([r[2] for r in rows]))])
        elif policy == "first":
            out.append(rows[0])
        elif policy == "mean":
            out.append(tuple(statistics.fmean(col) for col in zip(*rows)))
        elif policy == "max_each":
            out.append(tuple(max(col) for col in zip(*rows)))
    return tuple(out)


@pytest.mark.slow
@pytest.mark.summeval
def test_summeval_oracle_is_rouge_score_and_split_does_not_change_token_types(summeval_oracle, summeval_pairs):
    """The committed oracle was made with today's rouge-score and nltk, one document's rows are the plain scorer's,
    and rouge1/2/L of the raw (unsplit) texts are the same rows for all 17,600 pairs. That the split rows are
    rouge-score's output today, bit for bit, is docs/testing.md's slow block (recompute, then ``cmp``)."""
    from tests.metrics.oracles import summeval_rouge

    header, _ = summeval_rouge.load()
    assert header["versions"] == summeval_rouge._versions()
    split_scores, _ = summeval_oracle
    assert len(split_scores) == 17600
    targets, predictions = summeval_pairs
    # The memoised scorer the oracle module uses is the plain scorer: one document's 176 pairs.
    plain = oracle_pairs(ROUGE_TYPES, True, [split(t) for t in targets[:176]], [split(p) for p in predictions[:176]])
    assert plain == split_scores[:176]
    raw_scores = oracle_pairs(TOKEN_TYPES, True, targets, predictions, memo=True)
    for s, r in zip(split_scores, raw_scores, strict=True):
        for t in TOKEN_TYPES:
            assert s[t] == r[t]


@pytest.mark.summeval
@pytest.mark.parametrize(
    "engine, policy, n",
    # against the committed oracle, the Rust engine takes ~1 s a policy (default tier); rouge-score's pure
    # Python engine scoring all 17,600 pairs takes most of a minute (slow tier)
    [("rouge-score-rs", "max", 1600), ("rouge-score-rs", "mean", 1600), ("rouge-score-rs", "first", 1600),
     ("rouge-score-rs", "max_each", 1600), pytest.param("rouge-score", "max", 1600, marks=pytest.mark.slow)],
)
def test_summeval_all_items_bit_identical(summeval_items, summeval_oracle, engine, policy, n):
    items = summeval_items[:n]
    pairs = sum(len(it.references) for it in items)
    split_scores, raw_scores = (rows[:pairs] for rows in summeval_oracle)
    counts = [len(it.references) for it in items]
    got = by_name(Rouge(RougeSpec(engine=engine)).score(items, policy, fingerprint(items)))
    for t in ROUGE_TYPES:
        assert len(got[t].per_item) == n
        expected = reduce_oracle(split_scores, counts, t, policy)
        mismatches = [it.id for it, a, b in zip(summeval_items, got[t].per_item, expected) if a != b]
        assert not mismatches, f"{t}/{policy}: {len(mismatches)} items differ, e.g. {mismatches[:3]}"
    for t in TOKEN_TYPES:
        assert got[t].per_item == reduce_oracle(raw_scores, counts, t, policy)


@pytest.mark.summeval
def test_summeval_max_equals_score_multi(summeval_items):
    items = summeval_items[:32]  # two documents, 16 systems each
    got = by_name(Rouge(RougeSpec()).score(items, "max", "sha256:0"))
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    for k, item in enumerate(items):
        multi = scorer.score_multi([split(r) for r in item.references], split(item.candidate))
        for t in ROUGE_TYPES:
            assert got[t].per_item[k] == tuple(multi[t]), (item.id, t)


@pytest.mark.summeval
@pytest.mark.parametrize("engine", ["rouge-score-rs", pytest.param("rouge-score", marks=pytest.mark.slow)])  # pure Python: slow
def test_summeval_without_stemming(summeval_items, engine):
    items = summeval_items[:160]  # ten documents
    targets = [ref for it in items for ref in it.references]
    predictions = [it.candidate for it in items for _ in it.references]
    oracle = oracle_pairs(ROUGE_TYPES, False, [split(t) for t in targets], [split(p) for p in predictions])
    got = by_name(Rouge(RougeSpec(engine=engine, use_stemmer=False)).score(items, "max", "sha256:0"))
    counts = [11] * len(items)
    for t in ROUGE_TYPES:
        assert got[t].per_item == reduce_oracle(oracle, counts, t, "max"), t


def test_mixed_reference_counts_are_grouped_per_item(seed_item):
    # Items with 1 and 3 references: each item's row comes from its own references only.
    a = Item("a", "the cat sat on the mat .", ("the cat sat on a mat .",))
    b = Item("b", "a dog barked at night .", ("the dog barked .", "a cat sat .", "a dog barked at the night ."))
    got = by_name(Rouge(RougeSpec(types=("rouge1",))).score([a, b, seed_item], "first", "sha256:0"))
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    expected = tuple(tuple(scorer.score(it.references[0], it.candidate)["rouge1"]) for it in (a, b, seed_item))
    assert got["rouge1"].per_item == expected


def test_against_source_scores_the_article_and_signs_it():
    from rouge_score import rouge_scorer

    from bench.metrics.rouge import Rouge, RougeSpec

    items = [Item("a", "The cat sat on a mat.", ("A dog.",), source="The cat sat on the mat all day.")]
    spec = RougeSpec(types=("rouge1", "rouge2"), against="source")
    results = Rouge(spec).score(items, "max", "sha256:test")
    expected = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True).score(items[0].source, items[0].candidate)
    assert [r.per_item[0] for r in results] == [tuple(expected["rouge1"]), tuple(expected["rouge2"])]
    assert all("|against:source|src:" in str(r.signature) for r in results)
    plain = Rouge(RougeSpec(types=("rouge1",))).signatures(items, "max", "sha256:test")[0]
    assert "against" not in str(plain) and "src:" not in str(plain)


@pytest.mark.summeval
@pytest.mark.parametrize("unique", [True, False], ids=["texts-unique", "texts-recurring"])
def test_both_ways_of_stemming_give_the_committed_oracle(summeval_items, summeval_oracle, monkeypatch, unique):
    """Where nearly every text is new, the Rust scorer stems; where texts recur, bench stems each once first.
    Both are rouge-score's numbers: SummEval's first pair of each document (200 distinct texts), and the same
    pairs each scored twice (every text recurs), against the committed oracle."""
    split_scores, _ = summeval_oracle
    offsets, start = [], 0
    for it in summeval_items:
        offsets.append(start)
        start += len(it.references)
    firsts = {}
    for k, it in enumerate(summeval_items):
        firsts.setdefault(it.metadata["doc_id"], k)
    picked = sorted(firsts.values()) * (1 if unique else 2)
    items = [Item(f"{n}", summeval_items[k].candidate, summeval_items[k].references[:1]) for n, k in enumerate(picked)]
    seen = []
    real = Rouge._prepare
    monkeypatch.setattr(Rouge, "_prepare", lambda self, texts, pre: seen.append(pre) or real(self, texts, pre))
    got = by_name(Rouge(RougeSpec()).score(items, "max", fingerprint(items)))
    assert seen == [not unique]
    for t in ROUGE_TYPES:
        assert got[t].per_item == tuple(split_scores[offsets[k]][t] for k in picked)
