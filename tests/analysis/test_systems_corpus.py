"""``bench systems``' corpus values per system: sacrebleu's corpus_score of each system's own texts."""

from __future__ import annotations

import pytest
import sacrebleu

import bench
from bench.analysis import stored

CANDS = ["the cat sat on the mat", "a dog barked at the postman", "it rained all day long", "the cat slept",
         "birds sang in the morning", "the market fell sharply today", "a cat is on a mat", "the dog barked",
         "rain fell all day", "a cat was asleep", "the birds were singing", "stocks fell sharply"]
REFS = [["a cat sat on a mat", "the cat is on the mat"], ["the dog barked at the mailman", "a dog barked"],
        ["rain fell all day", "it rained the whole day"], ["the cat was asleep", "a cat slept"],
        ["birds were singing this morning", "the birds sang at dawn"], ["stocks fell sharply", "the market dropped"]] * 2
SYSTEMS = ["A"] * 6 + ["B"] * 6
DOCS = [f"d{k % 6}" for k in range(12)]


@pytest.fixture(scope="module")
def board():
    run = bench.score(CANDS, REFS, metrics=["bleu"], systems=SYSTEMS, documents=DOCS, ci={"resamples": 0})
    return bench.systems(run, resamples=200, ci_resamples=200)


def test_each_systems_corpus_value_is_sacrebleus_over_its_texts(board):
    bleu = sacrebleu.metrics.BLEU(effective_order=True)
    expected = {}
    for system in ("A", "B"):
        idx = [k for k, s in enumerate(SYSTEMS) if s == system]
        expected[system] = bleu.corpus_score([CANDS[k] for k in idx], [list(r) for r in zip(*[REFS[k] for k in idx])]).score
    rows = [r for r in board.corpus if r.metric == "bleu"]
    assert {r.system: r.value for r in rows} == expected
    assert [r.system for r in rows] == sorted(expected, key=lambda s: -expected[s])  # best first
    assert all(r.n_items == 6 and r.ci is not None and r.ci.contains(r.value) for r in rows)


def test_corpus_rows_are_rendered_and_stored(board):
    from bench.analysis import render_systems

    text = render_systems.text(board)
    assert "bleu score (corpus)" in text and "corpus values from summed statistics" in text
    again = stored.parse(board.to_json(), "in memory", "systems")
    assert again.corpus == board.corpus


def test_a_mean_metric_has_no_corpus_rows():
    run = bench.score(CANDS, REFS, metrics=["rouge"], systems=SYSTEMS, documents=DOCS, ci={"resamples": 0})
    assert bench.systems(run, resamples=100, ci_resamples=100).corpus == ()


def test_compare_shows_corpus_values_with_sacrebleus_paired_p():
    from sacrebleu import significance as sig

    from bench.analysis import render_compare

    half = CANDS[:6]
    worse = [" ".join(c.split()[:-1]) for c in half]
    refs = REFS[:6]
    a = bench.score(half, refs, metrics=["bleu"], ci={"resamples": 0})
    b = bench.score(worse, refs, metrics=["bleu"], ci={"resamples": 0})
    result = bench.compare(a, b, names=["full", "cut"], ci_resamples=300)
    first, second = result.corpus
    bleu = sacrebleu.metrics.BLEU(effective_order=True)
    streams = [list(r) for r in zip(*refs)]
    assert first.value == bleu.corpus_score(half, streams).score and first.delta is None
    assert second.value == bleu.corpus_score(worse, streams).score
    stats = bleu._extract_corpus_statistics(half, streams)
    info = {"bleu": (stats, bleu._aggregate_and_compute(stats))}
    _, found = sig._paired_bs_test(info, "cut", worse, streams, {"bleu": bleu}, n_samples=300, seed=0)
    assert second.p == found["bleu"].p_value and second.delta == second.value - first.value
    assert "bleu corpus" in render_compare.text(result)
