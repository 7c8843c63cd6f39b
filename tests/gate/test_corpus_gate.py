"""Corpus BLEU/chrF gated on the corpus value: sacrebleu's paired bootstrap p, the same rules, the mean as information."""

from __future__ import annotations

import pytest
import sacrebleu
from sacrebleu import significance as sig

import bench

WORDS = "the cat sat on a mat dog barked at postman rain fell all day market dropped sharply birds sang morning".split()


def _texts(n=40):
    import random

    gen = random.Random(0)
    refs = [" ".join(gen.choice(WORDS) for _ in range(15)) for _ in range(n)]
    cands = [" ".join(r.split()[:12] + [gen.choice(WORDS)]) for r in refs]
    return refs, cands


@pytest.fixture
def baseline(tmp_path):
    refs, cands = _texts()
    run = bench.score(cands, refs, metrics=["bleu"], ids=[f"i{k}" for k in range(40)])
    return bench.baseline(run, tmp_path / "b.json"), refs, cands


def test_changed_candidates_are_judged_by_sacrebleus_paired_bootstrap_on_the_corpus_value(baseline):
    path, refs, cands = baseline
    shorter = [" ".join(c.split()[:-3]) for c in cands]
    run = bench.score(shorter, refs, metrics=["bleu"], ids=[f"i{k}" for k in range(40)])
    report = bench.check(run, path, resamples=300)
    corpus = [s for s in report.stats if s.level == "corpus"]
    mean = [s for s in report.stats if s.level == "mean"]
    assert [s.metric for s in corpus] == ["bleu"] and corpus[0].gated
    assert mean[0].verdict == "information" and not mean[0].gated  # the mean of sentence BLEUs: shown, not gated
    # the oracle: sacrebleu's own paired bootstrap on the same texts, seed and resamples
    metric = sacrebleu.metrics.BLEU(effective_order=True)
    bl_stats = metric._extract_corpus_statistics(cands, [refs])
    info = {"bleu": (bl_stats, metric._aggregate_and_compute(bl_stats))}
    _, results = sig._paired_bs_test(info, "run", shorter, [refs], {"bleu": metric}, n_samples=300, seed=0)
    assert corpus[0].p_value == results["bleu"].p_value
    assert corpus[0].baseline == metric.corpus_score(cands, [refs]).score
    assert corpus[0].run == metric.corpus_score(shorter, [refs]).score
    assert corpus[0].verdict == "regression" and report.status == 1
    assert corpus[0].why.startswith("changed candidates: significant drop")


def test_same_candidates_keep_the_corpus_value_in_its_drift_band(baseline):
    path, refs, cands = baseline
    run = bench.score(cands, refs, metrics=["bleu"], ids=[f"i{k}" for k in range(40)])
    report = bench.check(run, path)
    (corpus,) = [s for s in report.stats if s.level == "corpus"]
    assert corpus.verdict == "unchanged" and corpus.why == "same candidates: within drift band 0" and report.status == 0


def test_a_baseline_without_corpus_statistics_gates_the_means(baseline, tmp_path):
    import json

    path, refs, cands = baseline
    data = json.loads(path.read_text())
    del data["per_item"]["corpus_stats"]  # as a baseline written before they were stored
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    shorter = [" ".join(c.split()[:-3]) for c in cands]
    report = bench.check(bench.score(shorter, refs, metrics=["bleu"], ids=[f"i{k}" for k in range(40)]), old)
    assert [s.level for s in report.stats] == ["mean"] and report.stats[0].gated
