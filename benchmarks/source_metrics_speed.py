"""Speed of source statistics, BLEU, chrF and chrF++ on all 1,600 SummEval items, beside sacrebleu's own loop.

    python benchmarks/source_metrics_speed.py [--path ../shared/data/summeval/bartscore_SummEval_data.json]

bench: ``metric.score(items, ...)`` for each family (what `bench run` calls), after loading the
items. sacrebleu: its documented loop, ``sentence_score(candidate, references)`` for every item,
then one ``corpus_score`` (what a user writes without bench). Both give the same numbers (checked
here, and in tests/metrics/test_sacre.py). Timings on a shared machine are noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.data.spec import DatasetSpec  # noqa: E402
from bench.data.summeval import load  # noqa: E402

import _smoke  # noqa: E402  (beside this file: a script's own folder is on sys.path)


def _timed(fn):
    """(result, wall seconds, CPU seconds of this process): on a shared machine the CPU time is the steadier figure."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, (time.perf_counter() - t, time.process_time() - c)


def _fmt(t) -> str:
    return f"{t[0]:6.2f} s wall {t[1]:6.2f} s CPU"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", default=None)
    args = ap.parse_args()
    from sacrebleu.metrics import BLEU, CHRF

    from bench.metrics.bleu import Bleu, BleuSpec
    from bench.metrics.chrf import Chrf, ChrfPP, ChrfPPSpec, ChrfSpec
    from bench.metrics.source_stats import SourceStats, SourceStatsSpec

    _smoke.announce()
    items = load(DatasetSpec(source="summeval", path=args.path))
    if _smoke.on():
        items = items[:48]  # three documents
    hyps = [it.candidate for it in items]
    streams = [list(s) for s in zip(*(it.references for it in items))]
    print(f"{len(items)} SummEval items, {sum(len(it.references) for it in items)} references")
    _, t = _timed(lambda: SourceStats(SourceStatsSpec()).score(items, "max", "sha256:bench"))
    total = list(t)
    print(f"source_stats (all {len(SourceStats(SourceStatsSpec()).names())} statistics)  bench {_fmt(t)}")
    for name, ours, theirs in (("bleu", Bleu(BleuSpec()), BLEU(effective_order=True)),
                               ("chrf", Chrf(ChrfSpec()), CHRF()),
                               ("chrfpp", ChrfPP(ChrfPPSpec()), CHRF(word_order=2))):
        (result,), t_ours = _timed(lambda: ours.score(items, "max", "sha256:bench"))
        total = [total[0] + t_ours[0], total[1] + t_ours[1]]

        def loop():
            sentence = [theirs.sentence_score(it.candidate, list(it.references)).score for it in items]
            return sentence, theirs.corpus_score(hyps, streams).score

        (sentence, corpus), t_theirs = _timed(loop)
        same = result.column("score") == sentence and result.corpus["score"] == corpus
        print(f"{name:8s} bench {_fmt(t_ours)}   sacrebleu loop {_fmt(t_theirs)}   "
              f"{t_theirs[1] / t_ours[1]:5.1f}x (CPU)   identical: {same}")
    print(f"total bench (source_stats + bleu + chrf + chrfpp): {_fmt(total)}")


if __name__ == "__main__":
    main()
