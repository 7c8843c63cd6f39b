"""Corpus values resampled from summed sufficient statistics, against sacrebleu and a naive loop."""

from __future__ import annotations

import numpy as np
import pytest

from bench.stats import resample
from bench.stats.corpus import corpus_interval, corpus_value, paired_bootstrap_p
from bench.stats.intervals import BootSpec


def _systems(summeval_items, names, docs=40):
    """Per system, the items of the first ``docs`` documents, in one shared document order."""
    keep = sorted({it.metadata["doc_id"] for it in summeval_items})[:docs]
    out = {}
    for name in names:
        rows = [it for it in summeval_items if it.metadata["system"] == name and it.metadata["doc_id"] in keep]
        out[name] = sorted(rows, key=lambda it: it.metadata["doc_id"])
    return out


def _sacre(family):
    from sacrebleu.metrics import BLEU, CHRF

    return BLEU(effective_order=True, force=True) if family == "bleu" else CHRF()


def _bench_metric(family):
    from bench.metrics.bleu import Bleu, BleuSpec
    from bench.metrics.chrf import Chrf, ChrfSpec

    return Bleu(BleuSpec()) if family == "bleu" else Chrf(ChrfSpec())


@pytest.mark.parametrize("family", ["bleu", "chrf"])
def test_paired_p_equals_sacrebleus_paired_bootstrap(summeval_items, family):
    from sacrebleu import significance as sig

    systems = _systems(summeval_items, ["M11", "M23"])
    base, run = systems["M11"], systems["M23"]
    assert [it.metadata["doc_id"] for it in base] == [it.metadata["doc_id"] for it in run]
    ours = _bench_metric(family)
    base_rows = ours.statistics([it.candidate for it in base], [tuple(it.references) for it in base])
    run_rows = ours.statistics([it.candidate for it in run], [tuple(it.references) for it in run])
    p = paired_bootstrap_p(base_rows, run_rows, lambda s: ours.corpus_from(s)["score"], resamples=300, seed=7)

    # sacrebleu's own test, from its own statistics of the same texts (reference streams)
    theirs = _sacre(family)
    streams = [[it.references[k] for it in base] for k in range(len(base[0].references))]
    bl_stats = theirs._extract_corpus_statistics([it.candidate for it in base], streams)
    info = {family: (bl_stats, theirs._aggregate_and_compute(bl_stats))}
    _, results = sig._paired_bs_test(info, "run", [it.candidate for it in run], streams, {family: theirs},
                                     n_samples=300, seed=7)
    assert p == results[family].p_value


def test_paired_p_of_a_system_against_itself_is_sacrebleus_smallest():
    # sacrebleu's statistic counts centred differences strictly above the observed one: for a system
    # against itself every difference is 0, none is above, and p is 1 / (resamples + 1). The gate never
    # reads that as a regression: there is no drop (the direction comes from the observed difference).
    rows = [[3, 2, 5], [1, 1, 4], [0, 0, 2], [2, 2, 2], [5, 1, 6]]
    ratio = lambda s: float(s[0]) / float(s[2])  # noqa: E731
    assert paired_bootstrap_p(rows, rows, ratio, resamples=99, seed=0) == 1 / 100


def test_corpus_interval_is_the_naive_percentile_bootstrap_of_summed_rows():
    gen = np.random.default_rng(3)
    rows = gen.integers(0, 20, size=(60, 4)).astype(float)
    rows[:, 3] += 1  # a positive denominator
    score = lambda s: float((s[0] + s[1]) / s[3])  # noqa: E731
    spec = BootSpec(resamples=400, seed=11)
    got = corpus_interval(rows, None, spec, score, "m", "score")

    # the definition, written out: draw item indices from the interval's stream, sum, score, percentiles
    stream = resample.rng(11, "corpus", "m", "score")
    idx = stream.integers(0, len(rows), (400, len(rows)))
    draws = np.array([score(rows[i].sum(axis=0)) for i in idx])
    lo, hi = np.percentile(draws, 2.5), np.percentile(draws, 97.5)
    assert got.lo == pytest.approx(lo, rel=1e-12) and got.hi == pytest.approx(hi, rel=1e-12)
    assert got.contains(corpus_value(rows, score))


def test_corpus_interval_by_document_draws_whole_documents():
    rows = np.array([[1, 2], [3, 2], [0, 2], [4, 2], [2, 2], [1, 2], [5, 2], [2, 2], [3, 2], [0, 2]], float)
    units = ["d1", "d1", "d2", "d2", "d3", "d3", "d4", "d4", "d5", "d5"]
    score = lambda s: float(s[0] / s[1])  # noqa: E731
    spec = BootSpec(resamples=300, seed=0, unit="doc")
    got = corpus_interval(rows, units, spec, score, "m")
    # by hand: a document's two rows are one unit (natural order d1..d5)
    docs = np.array([rows[k:k + 2].sum(axis=0) for k in range(0, 10, 2)])
    stream = resample.rng(0, "corpus", "m")
    idx = stream.integers(0, 5, (300, 5))
    draws = np.array([score(docs[i].sum(axis=0)) for i in idx])
    assert (got.lo, got.hi) == pytest.approx((np.percentile(draws, 2.5), np.percentile(draws, 97.5)), rel=1e-12)


def test_too_few_units_give_no_interval():
    assert corpus_interval([[1, 2], [2, 2]], None, BootSpec(min_units=5), lambda s: float(s[0] / s[1])) is None


@pytest.mark.slow  # the default tier checks the same figures through bench show (tests/cli/commands/test_ls_show_export.py)
def test_summeval_run_has_the_corpus_values_and_intervals_sacrebleu_gives(summeval_path, tmp_path):
    import sacrebleu

    import bench

    run = bench.evaluate(["experiment=summeval", "metrics=[bleu,chrf]", f"dataset.path={summeval_path}",
                          f"results_dir={tmp_path}"])
    items = run.samples
    assert run.corpus["bleu"] == pytest.approx(23.7971, abs=5e-5)
    assert run.corpus["chrf"] == pytest.approx(44.8471, abs=5e-5)
    # the corpus value is sacrebleu's corpus_score over all items (not a mean of sentence scores)
    from bench.data import DatasetSpec, load_items

    texts = load_items(DatasetSpec(name="summeval", source="summeval", path=str(summeval_path)))
    streams = [[it.references[k] for it in texts] for k in range(11)]
    assert run.corpus["bleu"] == sacrebleu.corpus_bleu([it.candidate for it in texts], streams, force=True).score
    for name in ("bleu", "chrf"):
        ci = run.metrics[name].corpus_interval
        assert ci is not None and ci.contains(run.corpus[name]) and ci.width > 0.5
    assert len(items) == 1600 and set(items[0].corpus_stats) == {"bleu", "chrf"}


def test_a_corpus_interval_holds_its_corpus_value_even_at_a_low_level():
    gen = np.random.default_rng(5)
    score = lambda s: float(s[0] / s[1])  # noqa: E731
    for k in range(30):
        rows = np.column_stack([gen.integers(0, 9, 12), gen.integers(1, 9, 12)]).astype(float)
        for level in (0.95, 0.05):
            ci = corpus_interval(rows, None, BootSpec(resamples=50, seed=k, level=level), score, "m")
            assert ci.contains(corpus_value(rows, score)), (k, level, ci)
    same = np.tile([3.0, 7.0], (10, 1))  # every resample scores alike: [value, value]
    ci = corpus_interval(same, None, BootSpec(resamples=50), score, "m")
    assert ci.lo == ci.hi == corpus_value(same, score)
