"""ROUGE via rouge-score (Lin, 2004; google-research ``rouge_score`` 0.1.2).

Per-item values are bit-identical to ``rouge_scorer.RougeScorer(types,
use_stemmer).score(reference, candidate)`` with the default tokenizer, where
rougeLsum gets one sentence per line (rouge-score's own convention). Two
engines produce those numbers:

- ``rouge-score-rs``  a Rust re-implementation, bit-identical to rouge-score
                      and ~100x faster (default);
- ``rouge-score``     the reference Python package, kept as the oracle.

Sentences for rougeLsum come from ``bench.sentences`` (offline), inserted as
newlines before scoring. Because rouge-score's tokenizer treats every
non-alphanumeric character alike, the newlines do not change rouge1/2/L, so
all types are scored from the same split texts in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bench.errors import BenchError, unknown_choice
from bench.items import Item
from bench.metrics import multiref
from bench.metrics.base import MetricResult
from bench.sentences import get_splitter
from bench.signature import Signature, package_version, short_hash

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
STATS = ("precision", "recall", "fmeasure")
ENGINES = {"rouge-score-rs": "rouge-score-rs", "rouge-score": "rouge-score"}  # engine -> distribution


@dataclass(frozen=True)
class RougeSpec:
    """``metrics.rouge`` in the config."""

    types: tuple[str, ...] = ROUGE_TYPES
    use_stemmer: bool = True
    sentence_splitter: str = "punkt"
    engine: str = "rouge-score-rs"


def _scorer(spec: RougeSpec):
    if spec.engine == "rouge-score-rs":
        from rouge_score_rs import rouge_scorer
    elif spec.engine == "rouge-score":
        from rouge_score import rouge_scorer
    else:
        raise unknown_choice("ROUGE engine (metrics.rouge.engine)", spec.engine, ENGINES)
    return rouge_scorer.RougeScorer(list(spec.types), use_stemmer=spec.use_stemmer)


class Rouge:
    family = "rouge"

    def __init__(self, spec: RougeSpec):
        for t in spec.types:
            if t not in ROUGE_TYPES:
                raise unknown_choice("ROUGE type (metrics.rouge.types)", t, ROUGE_TYPES)
        if not spec.types:
            raise BenchError("metrics.rouge.types is empty", f"list some of {', '.join(ROUGE_TYPES)}")
        self.spec = spec
        self._splitter = get_splitter(spec.sentence_splitter) if "rougeLsum" in spec.types else None

    def names(self) -> tuple[str, ...]:
        return tuple(self.spec.types)

    def signature(self, rouge_type: str, policy: str, nrefs: str, inputs: str) -> Signature:
        comps = [
            ("engine", f"{self.spec.engine}@{package_version(ENGINES[self.spec.engine])}"),
            ("tok", "default"),
            ("stem", "porter" if self.spec.use_stemmer else "no"),
        ]
        if rouge_type == "rougeLsum":
            comps.append(("split", self._splitter.signature))
        comps += [("refs", policy), ("nrefs", nrefs), ("inputs", short_hash(inputs)), ("bench", _bench_version())]
        return Signature(rouge_type, tuple(comps))

    def _prepare(self, texts: Sequence[str]) -> dict[str, str]:
        """Unique text -> text with one sentence per line (identity without rougeLsum)."""
        if self._splitter is None:
            return {t: t for t in set(texts)}
        return {t: "\n".join(self._splitter(t)) for t in set(texts)}

    def pair_scores(self, targets: Sequence[str], predictions: Sequence[str]) -> list[dict]:
        """rouge-score's ``score(target, prediction)`` for each pair, via the chosen engine."""
        prepared = self._prepare([*targets, *predictions])
        t = [prepared[x] for x in targets]
        p = [prepared[x] for x in predictions]
        scorer = _scorer(self.spec)
        if hasattr(scorer, "score_batch"):
            return scorer.score_batch(t, p)
        return [scorer.score(a, b) for a, b in zip(t, p)]

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]:
        multiref.check_policy(policy)
        targets = [ref for item in items for ref in item.references]
        predictions = [item.candidate for item in items for _ in item.references]
        counts = [len(item.references) for item in items]
        flat = self.pair_scores(targets, predictions)
        nrefs = _nrefs(counts)
        results = []
        for rouge_type in self.spec.types:
            rows = [tuple(float(v) for v in s[rouge_type]) for s in flat]
            per_item = multiref.group(rows, counts, policy, primary=STATS.index("fmeasure"))
            results.append(
                MetricResult(rouge_type, STATS, per_item, self.signature(rouge_type, policy, nrefs, inputs))
            )
        return results


def _nrefs(counts: Sequence[int]) -> str:
    """``11`` when every item has 11 references, else ``1-11``."""
    lo, hi = min(counts), max(counts)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _bench_version() -> str:
    from bench import __version__

    return __version__
