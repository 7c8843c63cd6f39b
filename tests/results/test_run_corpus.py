"""A stored run's corpus values of any subset of items, against sacrebleu's corpus_score on those texts."""

from __future__ import annotations

import pytest
import sacrebleu

import bench
from bench.results.corpus import corpus_metric

CANDS = ["the cat sat on the mat", "a dog barked at the postman", "it rained all day long", "the cat slept",
         "birds sang in the morning", "the market fell sharply today"]
REFS = [["a cat sat on a mat", "the cat is on the mat"], ["the dog barked at the mailman", "a dog barked"],
        ["rain fell all day", "it rained the whole day"], ["the cat was asleep", "a cat slept"],
        ["birds were singing this morning", "the birds sang at dawn"], ["stocks fell sharply", "the market dropped"]]
SYSTEMS = ["A", "B", "A", "B", "A", "B"]


@pytest.mark.parametrize("family, theirs", [("bleu", sacrebleu.metrics.BLEU(effective_order=True)),
                                            ("chrf", sacrebleu.metrics.CHRF())])
def test_corpus_value_of_a_subset_is_sacrebleus_corpus_score_of_those_texts(tmp_path, family, theirs):
    run = bench.load_run(bench.save(bench.score(CANDS, REFS, metrics=[family], systems=SYSTEMS), tmp_path))
    corpus = corpus_metric(run, family)
    assert corpus.value() == run.corpus[family] == theirs.corpus_score(CANDS, [list(r) for r in zip(*REFS)]).score
    for system in ("A", "B"):
        idx = [k for k, s in enumerate(SYSTEMS) if s == system]
        expected = theirs.corpus_score([CANDS[k] for k in idx], [list(r) for r in zip(*[REFS[k] for k in idx])]).score
        assert corpus.value(idx) == expected


def test_a_mean_metric_has_no_corpus_statistics():
    run = bench.score(CANDS, REFS, metrics=["rouge"])
    assert corpus_metric(run, "rouge1") is None and corpus_metric(run, "nope") is None
