"""Corpus BLEU/chrF gated on the corpus value: a paired bootstrap of summed statistics, the same rules, the mean as information."""

from __future__ import annotations

import pytest
import sacrebleu

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


def _one_sided_oracle(metric, base_stats, run_stats, resamples, seed):
    """The gate's corpus test written out with sacrebleu's own statistics and scorer: items drawn jointly
    (``default_rng(seed).integers``), both sides' statistics summed and scored, the share of resampled
    differences without the observed sign (zero counts against it), plus one over resamples plus one."""
    import numpy as np

    base, run = np.array(base_stats, dtype=float), np.array(run_stats, dtype=float)
    score = lambda s: metric._compute_score_from_stats(list(s)).score  # noqa: E731
    observed = score(run.sum(0)) - score(base.sum(0))
    idx = np.random.default_rng(seed).integers(0, len(base), (resamples, len(base)))
    d = np.array([score(run[i].sum(0)) - score(base[i].sum(0)) for i in idx])
    opposite = np.count_nonzero(d >= 0 if observed < 0 else d <= 0)
    return (opposite + 1) / (resamples + 1)


def test_changed_candidates_are_judged_by_a_paired_bootstrap_on_the_corpus_value(baseline):
    path, refs, cands = baseline
    shorter = [" ".join(c.split()[:-3]) for c in cands]
    run = bench.score(shorter, refs, metrics=["bleu"], ids=[f"i{k}" for k in range(40)])
    report = bench.check(run, path, resamples=300)
    corpus = [s for s in report.stats if s.level == "corpus"]
    mean = [s for s in report.stats if s.level == "mean"]
    assert [s.metric for s in corpus] == ["bleu"] and corpus[0].gated
    assert mean[0].verdict == "information" and not mean[0].gated  # the mean of sentence BLEUs: shown, not gated
    # the oracle: the test written out on sacrebleu's own statistics of the same texts, seed and resamples
    metric = sacrebleu.metrics.BLEU(effective_order=True)
    bl_stats = metric._extract_corpus_statistics(cands, [refs])
    run_stats = metric._extract_corpus_statistics(shorter, [refs])
    assert corpus[0].p_value == pytest.approx(_one_sided_oracle(metric, bl_stats, run_stats, 300, 0), abs=0)
    assert corpus[0].test == "paired bootstrap on corpus statistics"
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
