"""Baseline-vs-run comparison: pure logic, no disk, no printing.

For every metric and stat, in the metric's own direction (``higher_is_better``;
a lower-is-better metric regresses when it rises):

- signatures must match, except the ``inputs`` component (candidates are
  expected to change) and components listed in ``allow_signature_changes``;
  the references must be the same ones, item for item; otherwise the
  comparison is *incomparable*;
- a move in the worse direction larger than the tolerance
  ``max(abs, rel * |baseline|)`` is a *regression*;
- with at least ``min_items`` items paired by id, a seeded paired bootstrap
  of the mean per-item difference also flags a smaller worsening as a
  *regression* when it is significant (one-sided p < alpha) and larger than
  ``min_effect``; a move that is neither beyond tolerance nor significant is
  *within tolerance* (the report shows the delta and the band), and only a
  delta of exactly zero is *unchanged*; moves in the better direction are
  *improved*, never failures. With fewer than ``min_items`` paired items the
  bootstrap is skipped, and each stat and the report say so (and how many
  items it needs).

Unlike rouge-score's bootstrap (an unseeded global RNG), the generator here
is ``numpy.random.default_rng(seed)``, and seed/resamples appear in the
report's signature, so a verdict is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from bench.signature import Signature, changed_component

PASS, REGRESSION, INCOMPARABLE = 0, 1, 2
IGNORED_COMPONENTS = ("inputs",)
UNCHANGED, WITHIN = "unchanged", "within tolerance"
SKIPPED, NO_DIFFERENCE = "skipped (too few items)", "no item differs"


@dataclass(frozen=True)
class Tolerance:
    """How far a stat may move in the worse direction: ``max(abs, rel * |baseline|)``; ``min_effect`` gates the paired test.

    In a metric's own entry a field may be ``None``: it is then the ``default`` tolerance's (so
    ``check.default.abs=0.05`` loosens every metric that does not set ``abs`` itself)."""
    abs: float | None = 0.0
    rel: float | None = 0.0
    min_effect: float | None = 0.0

    def allowed_drop(self, base: float) -> float:
        """The largest move in the worse direction that is not a regression."""
        return max(self.abs, self.rel * abs(base))


@dataclass(frozen=True)
class CheckSpec:
    """``check`` in the config."""

    alpha: float = 0.05
    resamples: int = 2000
    seed: int = 0
    min_items: int = 30
    allow_signature_changes: tuple[str, ...] = ()
    default: Tolerance = field(default_factory=Tolerance)
    tolerances: Mapping[str, Tolerance] = field(default_factory=dict)

    def tolerance(self, metric: str) -> Tolerance:
        """The tolerance of ``metric``: its own entry's fields, ``default``'s where it has none (or sets ``None``)."""
        own = self.tolerances.get(metric)
        if own is None:
            return self.default
        return Tolerance(**{f: self.default.__dict__[f] if own.__dict__[f] is None else own.__dict__[f]
                            for f in ("abs", "rel", "min_effect")})

    @property
    def signature(self) -> str:
        """Every setting behind a verdict: resampling, alpha, min_items, the tolerances (hashed) and allowed changes."""
        import hashlib
        import json
        from dataclasses import asdict

        tol = {"default": asdict(self.default), **{m: asdict(t) for m, t in sorted(self.tolerances.items())}}
        digest = hashlib.sha256(json.dumps(tol, sort_keys=True).encode()).hexdigest()[:12]
        components = [("boot", str(self.resamples)), ("seed", str(self.seed)), ("alpha", str(self.alpha)),
                      ("min_items", str(self.min_items)), ("tol", digest)]
        if self.allow_signature_changes:
            components.append(("allow", ",".join(self.allow_signature_changes)))
        return str(Signature("check", tuple(components)))


@dataclass(frozen=True)
class Side:
    """One side of a comparison: aggregates, signatures and per-item columns."""

    metrics: Mapping[str, Mapping[str, float]]
    signatures: Mapping[str, str]
    references_fingerprint: str
    ids: tuple[str, ...]
    per_item: Mapping[str, Mapping[str, Sequence[float]]]  # metric -> stat -> values in ``ids`` order
    higher_is_better: Mapping[str, bool] = field(default_factory=dict)  # metric -> direction; absent: higher
    primary: Mapping[str, str] = field(default_factory=dict)  # metric -> its primary stat (from the record)

    def better_is_higher(self, metric: str) -> bool:
        """The metric's direction (higher is better when the record does not say)."""
        return bool(self.higher_is_better.get(metric, True))


@dataclass(frozen=True)
class StatCheck:
    """The verdict for one metric's stat: baseline, run, allowed drop, p-value, direction."""
    metric: str
    stat: str
    baseline: float
    run: float
    allowed_drop: float  # how far the stat may move in the worse direction
    p_value: float | None  # one-sided, for the observed direction; None without a paired test
    verdict: str  # unchanged | within tolerance | improved | regression
    higher_is_better: bool = True
    test: str = "bootstrap"  # what the paired test did: bootstrap | skipped (too few items) | no item differs

    @property
    def delta(self) -> float:
        """Run minus baseline."""
        return self.run - self.baseline

    @property
    def gain(self) -> float:
        """The move in the better direction (negative: worse), whichever way the metric points."""
        return self.delta if self.higher_is_better else -self.delta


@dataclass(frozen=True)
class CheckReport:
    """Everything ``bench check`` decided: status, per-stat verdicts, why incomparable, signature changes."""
    experiment: str
    status: int  # PASS | REGRESSION | INCOMPARABLE
    stats: tuple[StatCheck, ...]
    problems: tuple[str, ...]  # why incomparable
    signature_changes: Mapping[str, tuple[str, ...]]  # metric -> "key: old -> new" (allowed or not)
    notes: tuple[str, ...]
    check_signature: str

    @property
    def verdict(self) -> str:
        """pass | regression | incomparable."""
        return {PASS: "pass", REGRESSION: "regression", INCOMPARABLE: "incomparable"}[self.status]

    def regressions(self) -> list[StatCheck]:
        """The stats that regressed."""
        return [s for s in self.stats if s.verdict == "regression"]


def paired_bootstrap_p(diffs: Sequence[float], resamples: int, seed: int) -> float:
    """One-sided p-value that the mean of ``diffs`` has the sign observed, by chance.

    The share of bootstrap means (resampling items with replacement) on the
    other side of zero, counting zero as not-the-observed-direction; all-zero
    diffs give p = 1 (``bench.stats.paired.one_sample_bootstrap_p``). Under the
    null it flags a regression in 5.2% of cases at alpha 0.05
    (``benchmarks/stats_calibration.py``, 2,000 SummEval null pairs).
    """
    from bench.stats.paired import one_sample_bootstrap_p

    return one_sample_bootstrap_p(diffs, resamples, seed)


def signature_changes(base: Side, run: Side) -> dict[str, tuple[str, ...]]:
    """Per metric present in both, its signature differences (``key: old -> new``)."""
    out = {}
    for name in base.signatures:
        if name in run.signatures:
            diff = Signature.parse(base.signatures[name]).diff(Signature.parse(run.signatures[name]))
            if diff:
                out[name] = tuple(diff)
    return out


def _components(base: Side, run: Side) -> list[str]:
    """Every component name of the two sides' signatures (``metric`` included), in first-seen order."""
    keys = {"metric": None}
    for sig in (*base.signatures.values(), *run.signatures.values()):
        keys.update(dict.fromkeys(k for k, _ in Signature.parse(sig).components))
    return list(keys)


def _unknown_allowed(base: Side, run: Side, allowed: Sequence[str]) -> list[str]:
    known = set(_components(base, run))
    return [a for a in dict.fromkeys(allowed) if a not in known]


def _blocking(changes: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> list[str]:
    skip = set(IGNORED_COMPONENTS) | set(allowed)
    return [f"{m}: {c}" for m, cs in changes.items() for c in cs if changed_component(c) not in skip]


def _paired(base: Side, run: Side, metric: str, stat: str) -> list[float] | None:
    if metric not in base.per_item or metric not in run.per_item:
        return None
    if base.ids == run.ids:
        return [b - a for a, b in zip(base.per_item[metric][stat], run.per_item[metric][stat])]
    index = {i: k for k, i in enumerate(run.ids)}
    values = run.per_item[metric][stat]
    return [values[index[i]] - a for i, a in zip(base.ids, base.per_item[metric][stat])]


def _check_stat(base: Side, run: Side, metric: str, stat: str, spec: CheckSpec) -> StatCheck:
    b, r = base.metrics[metric][stat], run.metrics[metric][stat]
    tol = spec.tolerance(metric)
    drop_allowed = tol.allowed_drop(b)
    higher = base.better_is_higher(metric)
    gain = (r - b) if higher else (b - r)  # > 0 better, < 0 worse, for either direction
    p = None
    enough = len(base.ids) >= spec.min_items
    diffs = _paired(base, run, metric, stat) if enough else None
    if not enough:
        test = SKIPPED
    elif diffs is None:
        test = "no per-item scores"
    elif not any(diffs):
        test = NO_DIFFERENCE
    else:
        test = "bootstrap"
        p = paired_bootstrap_p(diffs, spec.resamples, spec.seed)
    significant = p is not None and p < spec.alpha and abs(gain) > tol.min_effect
    if gain < -drop_allowed or (gain < 0 and significant):
        verdict = "regression"
    elif gain > drop_allowed or (gain > 0 and significant):
        verdict = "improved"
    elif r == b:
        verdict = UNCHANGED
    else:
        verdict = WITHIN
    return StatCheck(metric, stat, b, r, drop_allowed, p, verdict, higher, test)


def _stat_order(stat: str) -> tuple[int, str]:
    order = ("precision", "recall", "fmeasure", "f1")
    return (order.index(stat) if stat in order else len(order), stat)


def skipped_note(items: int, spec: CheckSpec) -> str:
    """Why the paired bootstrap did not run, and what it needs."""
    return (f"paired bootstrap skipped: {items} paired item{'s' if items != 1 else ''}, it needs at least "
            f"min_items={spec.min_items}; only the tolerances decided")


def check(experiment: str, base: Side, run: Side, spec: CheckSpec) -> CheckReport:
    """Compare ``run`` with ``base`` under ``spec`` (pure: no disk, no printing)."""
    problems: list[str] = []
    notes: list[str] = []
    missing = sorted(set(base.metrics) - set(run.metrics))
    if missing:
        problems.append(f"run lacks metric(s) in the baseline: {', '.join(missing)}")
    extra = sorted(set(run.metrics) - set(base.metrics))
    if extra:
        notes.append(f"not in the baseline, not checked: {', '.join(extra)}")
    flipped = sorted(m for m in base.metrics if m in run.metrics and base.better_is_higher(m) != run.better_is_higher(m))
    if flipped:
        problems.append(f"metric direction (higher_is_better) differs from the baseline's: {', '.join(flipped)}")
    changes = signature_changes(base, run)
    problems += [f"signature differs: {c}" for c in _blocking(changes, spec.allow_signature_changes)]
    unknown = _unknown_allowed(base, run, spec.allow_signature_changes)
    if unknown:  # most likely a typo: it allows nothing, so a change it was meant for would still fail
        notes.append(f"allowed signature change(s) {', '.join(unknown)} name no component of these signatures; "
                      f"the components are {', '.join(_components(base, run))}")
    if base.references_fingerprint != run.references_fingerprint:
        problems.append("references differ from the baseline's (another dataset, split or selection)")
    if set(base.ids) != set(run.ids):
        problems.append(f"item ids differ: baseline {len(base.ids)}, run {len(run.ids)} items")
    if any(changed_component(c) == "inputs" for cs in changes.values() for c in cs):
        notes.append("candidates differ from the baseline's (same references): comparing scores item by item")
    lower = sorted(m for m in base.metrics if not base.better_is_higher(m))
    if lower:
        notes.append(f"lower is better for {', '.join(lower)}: a rise is a regression, 'allowed drop' is the allowed rise")
    if not problems and len(base.ids) < spec.min_items:
        notes.append(skipped_note(len(base.ids), spec))
    stats: list[StatCheck] = []
    if not problems:
        for metric in base.metrics:
            for stat in sorted(base.metrics[metric], key=_stat_order):
                stats.append(_check_stat(base, run, metric, stat, spec))
    if problems:
        status = INCOMPARABLE
    elif any(s.verdict == "regression" for s in stats):
        status = REGRESSION
    else:
        status = PASS
    return CheckReport(experiment, status, tuple(stats), tuple(problems), changes, tuple(notes), spec.signature)
