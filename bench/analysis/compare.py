"""``bench compare``' core: N runs of the same items side by side, each against the first.

Pure: it takes runs already read (``Run``: directory, record, samples) and returns a
``Comparison``; ``load`` is the only reader. For every metric the runs share, its main stat
(``records.main_stat``): each run's mean with the run's own interval (the one its
``result.json``, ``bench ls`` and ``bench show`` print), and each later run's difference from
the first with the paired tests of ``bench systems`` (``bench.stats.paired`` on items paired by
id, the same seeded resamples for every run, the same correction over the runs of one metric and
test; ``spec.cluster_test`` decides *significant*, the others are reported beside it). Runs are
named by what differs in their configs (``bench.analysis.labels``). Runs must score the same
items against the same references; their metric settings may differ (that is what a sweep
compares).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from bench.analysis import records as rec_
from bench.errors import BenchError
from bench.signature import Signature
from bench.stats import correction, paired
from bench.stats.leaderboard import SystemsSpec
from bench.stats.pairing import natural_key

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Run:
    """One stored run as read: where it is, its record and its per-item samples."""

    path: str
    record: Mapping[str, Any]
    samples: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Comparison:
    """Everything ``bench compare`` decided (its JSON form is ``to_json()``)."""

    signature: str
    labels: tuple[str, ...]
    metrics: tuple[tuple[str, str, bool], ...]  # (metric, stat, higher_is_better)
    values: tuple[Mapping[str, Any], ...]  # one per (run, metric)
    differences: tuple[Mapping[str, Any], ...]  # one per (later run, metric, test)
    sources: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The tidy-rows JSON contract (``schema_version`` 1)."""
        return {"schema_version": SCHEMA_VERSION, "kind": "compare", "signature": self.signature,
                "labels": list(self.labels),
                "metrics": [{"metric": m, "stat": s, "higher_is_better": h} for m, s, h in self.metrics],
                "values": [dict(v) for v in self.values], "differences": [dict(d) for d in self.differences],
                "sources": [dict(s) for s in self.sources], "notes": list(self.notes)}


def signature(spec: SystemsSpec) -> str:
    """``compare|tests:bootstrap,ar|decides:ar|resamples:10000|seed:0|correction:holm|alpha:0.05|unit:item``."""
    return str(Signature("compare", (
        ("tests", ",".join(spec.tests)), ("decides", spec.cluster_test), ("resamples", str(spec.resamples)),
        ("seed", str(spec.seed)), ("correction", spec.correction), ("alpha", f"{spec.alpha:g}"), ("unit", "item"))))


def _check(runs: Sequence[Run]) -> list[str]:
    """The items the runs share (natural order); a BenchError when they score different items or references."""
    first = runs[0]
    ids = [s["id"] for s in first.samples]
    for run in runs[1:]:
        if (run.record.get("inputs") or {}).get("references_fingerprint") != \
                (first.record.get("inputs") or {}).get("references_fingerprint"):
            raise BenchError(f"runs {first.path} and {run.path} score against different references",
                             "compare runs scored on the same dataset, split and selection")
        other = {s["id"] for s in run.samples}
        if other != set(ids):
            odd = sorted(set(ids) ^ other, key=natural_key)
            raise BenchError(f"runs {first.path} and {run.path} score different items ({len(ids)} vs {len(other)}; "
                             f"e.g. {', '.join(odd[:3])})", "compare runs of the same dataset and selection")
        want = {s["id"]: s.get("references_sha256") for s in first.samples}
        bad = sorted((s["id"] for s in run.samples if s.get("references_sha256") is not None
                      and want.get(s["id"]) is not None and s["references_sha256"] != want[s["id"]]), key=natural_key)
        if bad:
            raise BenchError(f"the runs' references differ for items {', '.join(bad[:5])}"
                             + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""),
                             "compare runs scored against the same references")
    return sorted(ids, key=natural_key)


def compare(runs: Sequence[Run], spec: SystemsSpec, metrics: Sequence[str] | None = None,
            names: Sequence[str] | None = None) -> Comparison:
    """The comparison of ``runs`` (at least two) under ``spec`` (pure: no disk, no printing)."""
    from bench.analysis.artefacts import source
    from bench.analysis.labels import record_labels

    if len(runs) < 2:
        raise BenchError("bench compare needs at least two runs", "pass RUN RUN [RUN ...]")
    spec.cluster_tests()
    if names and len(names) != len(runs):
        raise BenchError(f"names has {len(names)} names for {len(runs)} runs", "give one name per run")
    ids = _check(runs)
    shared = [m for m in runs[0].record["metrics"] if all(m in r.record["metrics"] for r in runs)]
    if metrics:
        unknown = [m for m in metrics if m not in shared]
        if unknown:
            raise BenchError(f"no metric {', '.join(unknown)} in every run", f"choose from {', '.join(shared) or '(none)'}")
        shared = [m for m in shared if m in metrics]
    if not shared:
        raise BenchError("the runs share no metric", "compare runs scored with the same metrics")
    labels = list(names) if names else record_labels([r.record for r in runs],
                                                     [rec_.run_id(r.record, Path(r.path).name) for r in runs])
    chosen = [(m, rec_.main_stat(runs[0].record, m), rec_.higher_is_better(runs[0].record, m)) for m in shared]
    values, diffs = [], []
    for metric, stat, higher in chosen:
        for label, run in zip(labels, runs):
            ci = rec_.interval(run.record, metric, stat)
            values.append({"label": label, "metric": metric, "stat": stat, "mean": float(run.record["metrics"][metric][stat]),
                           "ci": None if ci is None else [float(ci[0]), float(ci[1])],
                           "interval_signature": (run.record.get("intervals") or {}).get("signature")})
        by_id = [{s["id"]: s["scores"][metric][stat] for s in run.samples} for run in runs]
        scores = np.array([[float(col[i]) for i in ids] for col in by_id])
        pairs = [(k, 0) for k in range(1, len(runs))]  # delta = run k - first
        tested: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for test in spec.tests:
            gen = np.random.default_rng(spec.seed)
            if test == "bootstrap":
                result = paired.paired_bootstrap(scores, pairs, spec.resamples, gen, spec.level)
            else:
                result = paired.approximate_randomization(scores, pairs, spec.resamples, gen)
            tested[test] = (result.delta, result.p, correction.adjust(result.p, spec.correction))
        if spec.cluster_test == "max":  # both tests must find it: the larger adjusted p, as bench systems
            (d, pb, qb), (_, pa, qa) = tested["bootstrap"], tested["ar"]
            tested["max"] = (d, np.maximum(pb, pa), np.maximum(qb, qa))
        for test, (delta_, p_, q_) in tested.items():
            for (k, _), delta, p, q in zip(pairs, delta_, p_, q_):
                diffs.append({"label": labels[k], "metric": metric, "stat": stat, "delta": float(delta),
                              "better": bool((delta > 0) == higher) if delta != 0 else None, "test": test,
                              "p": float(p), "p_adjusted": float(q), "significant": bool(q < spec.alpha),
                              "decides": test == spec.cluster_test})
    note = spec.resolution_note(len(runs) - 1)
    return Comparison(signature(spec), tuple(labels), tuple(chosen), tuple(values), tuple(diffs),
                      tuple(source(Path(r.path), r.record) for r in runs), (note,) if note else ())


def load(run_dirs: Sequence[str | Path]) -> list[Run]:
    """Read the runs (never write them): the one place ``bench compare`` touches the store."""
    from bench.results import store

    return [Run(str(d), store.load_run(d), store.load_samples(d)) for d in run_dirs]
