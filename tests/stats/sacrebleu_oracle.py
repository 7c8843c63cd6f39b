"""sacrebleu's paired tests run on per-document scores (an oracle for the tests and the benchmark).

sacrebleu's tests work on a metric's sufficient statistics; a mean of
per-document scores is the metric whose statistics are ``[score, 1]`` per
document, so its private ``_paired_bs_test`` / ``_paired_ar_test`` run unchanged
on any per-document scores.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np


class MeanOfScores:
    """A sacrebleu-shaped metric: a 'hypothesis' is a document's score; the corpus score is the mean."""

    def _extract_corpus_statistics(self, hypotheses, references):
        return [[float(h), 1.0] for h in hypotheses]

    def _aggregate_and_compute(self, stats):
        total = np.asarray(stats, dtype=np.float64).sum(axis=0)
        return SimpleNamespace(score=float(total[0] / total[1]))

    def _compute_score_from_stats(self, stats):
        return SimpleNamespace(score=float(stats[0] / stats[1]))


def sacrebleu_p(test: str, baseline: np.ndarray, system: np.ndarray, resamples: int, seed: int) -> float:
    """sacrebleu's p-value for ``system`` against ``baseline`` (per-document scores)."""
    from sacrebleu import significance as sig

    metric = MeanOfScores()
    bl_stats = np.array(metric._extract_corpus_statistics(baseline, None))
    baseline_info = {"m": (bl_stats, metric._aggregate_and_compute(bl_stats))}
    run = sig._paired_bs_test if test == "bootstrap" else sig._paired_ar_test
    _, results = run(baseline_info, "sys", list(system), None, {"m": metric}, n_samples=resamples, seed=seed)
    return results["m"].p_value
