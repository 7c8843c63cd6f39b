"""The loop shared by the sacrebleu metrics (BLEU, chrF): sentence and corpus scores from one pass.

Values equal sacrebleu's own: per item ``metric.sentence_score(candidate, references)``
and for the corpus ``metric.corpus_score(candidates, [refs...])``, compared with
``==`` in the tests on all of SummEval. Both are computed the way sacrebleu computes
them, through its own hooks: each item's sufficient statistics
(``_compute_segment_statistics``), then a score from one item's row (the sentence)
or from the column sums of all rows (the corpus: not a mean of sentence scores).

Multiple references are sacrebleu's, not bench's ``multiref`` policy: all of an
item's references are matched at once (BLEU clips n-gram counts by their maximum
over the references and takes the closest reference length; chrF keeps the
reference with the best f-score). The signature says ``refs:all``.

Speed: SummEval pairs the same 11 references with 16 candidates; a reference
set's statistics (``_extract_reference_info``) are computed once per distinct set,
which changes no number (the hooks only read them).
"""

from __future__ import annotations

from typing import Any, Sequence

from bench.data.items import Item
from bench.metrics.base import MetricResult, PairMetric, ScoreRows, nrefs_label
from bench.signature import Signature, package_version

STATS = ("score",)


# Reference sets whose extracted n-grams are kept for reuse (SummEval scores each set against 16 candidates)
REFERENCE_SETS_KEPT = 4096


class SacreMetric(PairMetric):
    """A sacrebleu metric as a bench family: ``make()`` builds the sacrebleu object from the spec."""

    # a streamed run scores it a chunk at a time: sentence scores are each item's own, and the corpus value is
    # recomputed from every chunk's statistics summed in item order (``bench.pipeline.combine``)
    chunkable = True

    stats = STATS
    primary = "score"
    lo, hi = 0.0, 100.0  # sacrebleu's scale
    min_effect = 0.5  # half a BLEU/chrF point

    def __init__(self, spec: Any):
        from bench.metrics.base import against_of

        against_of(spec)
        self.spec = spec
        self.metric = self.make()  # fails here, before data loading, on a bad option

    def make(self) -> Any:
        """The sacrebleu metric object for ``self.spec``."""
        raise NotImplementedError

    def sacrebleu_signature(self, counts: Sequence[int]) -> str:
        """sacrebleu's own signature string for items with these reference counts (``nrefs:11|...|version:2.6.0``)."""
        # sacrebleu learns the count while caching references; we know it before scoring.
        distinct = set(counts)
        self.metric.num_refs = distinct.pop() if len(distinct) == 1 else -1
        return self.metric.get_signature().format()

    def sign_items(self, name: str, inputs: str, counts: Sequence[int], items: Sequence[Item]) -> Signature:
        """sacrebleu's signature verbatim, then bench's: ``refs:all`` (sacrebleu's multi-reference rule), inputs."""
        from bench.signature import bench_version, short_hash

        own = tuple(tuple(part.split(":", 1)) for part in self.sacrebleu_signature(counts).split("|"))
        common = (("refs", "all"), ("inputs", short_hash(inputs)), *self.target_fields(items))
        return Signature(name, (*own, *common, ("bench", bench_version())))

    def signatures(self, items: Sequence[Item], policy: str, inputs: str) -> tuple[Signature, ...]:
        """One signature; the multi-reference ``policy`` does not apply (sacrebleu matches all references)."""
        counts = self.target_counts(items)
        return tuple(self.sign_items(name, inputs, counts, items) for name in self.names())

    def statistics(self, candidates: Sequence[str], targets: Sequence[tuple[str, ...]]) -> list[list]:
        """Each item's sufficient statistics, exactly as sacrebleu's ``_extract_corpus_statistics`` makes them."""
        metric = self.metric
        cache: dict[tuple[str, ...], Any] = {}
        rows = []
        for hyp, refs in zip(candidates, targets):
            info = cache.get(refs)
            if info is None:
                if len(cache) >= REFERENCE_SETS_KEPT:  # a cache only: bounded, so unique references cannot fill memory
                    cache.clear()
                info = cache[refs] = metric._extract_reference_info([metric._preprocess_segment(r) for r in refs])
            rows.append(metric._compute_segment_statistics(metric._preprocess_segment(hyp), info))
        return rows

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]:
        """Per item sacrebleu's sentence score; the corpus score from the summed statistics (``corpus``)."""
        targets = self.targets(items)
        (sig,) = self.signatures(items, policy, inputs)
        rows = self.statistics([it.candidate for it in items], targets)
        metric = self.metric
        per_item = ScoreRows.of([(float(metric._aggregate_and_compute([row]).score),) for row in rows], 1)
        corpus = {"score": float(metric._aggregate_and_compute(rows).score)}
        notes = {"nrefs": nrefs_label([len(t) for t in targets])}
        name = self.names()[0]
        return [MetricResult(name, STATS, per_item, sig, True, notes, corpus=corpus, primary=self.primary,
                             facts=self.facts(name), corpus_rows=ScoreRows.of(rows, len(rows[0]) if rows else 0),
                             corpus_from=self.corpus_from)]

    def corpus_from(self, summed: Sequence[float]) -> dict[str, float]:
        """The corpus stats of summed sufficient statistics (sacrebleu's ``_compute_score_from_stats``, as its
        own bootstrap and ``corpus_score`` compute them)."""
        return {"score": float(self.metric._compute_score_from_stats(list(summed)).score)}


def version() -> str:
    """sacrebleu's version (also inside its own signature)."""
    return package_version("sacrebleu")
