"""Baseline-vs-run comparison: pure logic, no disk, no printing.

Every number is judged by what its metric declares it is (``bench.values.Facts``: direction, range,
kind, float drift band, minimum effect), never by one setting shared by every metric:

- **Incomparable** (exit 2): a signature component other than ``inputs`` differs and is not listed
  in ``allow_signature_changes``; other references; other item ids; a metric of the baseline missing
  from the run; a metric whose direction differs. Each signature difference is listed once, with the
  metrics it touches and what resolves it.
- **Same candidates** (the two sides' candidates fingerprints match: a code or environment change):
  a score must not move beyond its float drift band (``facts.drift``; ``tolerances.<m>.drift``
  overrides it). A worsening beyond it is a regression, a gain beyond it an improvement.
- **Changed candidates** (a system change): a worsening is a regression only when the seeded paired
  bootstrap finds it significant (one-sided p < ``alpha``) *and* it is larger than the minimum effect
  in the metric's own units (``facts.min_effect``: 0.005 ROUGE, 0.5 BLEU point; per metric
  ``tolerances.<m>.min_effect``; for every bounded metric at once ``default.min_effect_range``, a
  fraction of its range). Otherwise it reads ``within noise (p=...)`` or ``below minimum effect``.
  Gains by the mirror rule. With fewer than ``min_items`` paired items the test is skipped and only a
  move beyond the minimum effect counts; the row says so.
- **Descriptive** metrics (lengths, compression, coverage, density, n-gram ratios) are information:
  reported, never gated, unless ``gate_descriptive`` names them.
- **Corpus metrics** (BLEU, chrF) are gated on their corpus value, the number papers report, by the
  same two rules; with changed candidates the p-value is a one-sided paired bootstrap on the per-item
  sufficient statistics (``bench.stats.corpus.one_sided_p``: sacrebleu's resampling of summed
  statistics, with a p-value calibrated at alpha, which sacrebleu's two-sided centred one is not). Their
  means of sentence scores are then shown as information.

Each ``StatCheck`` names the rule that decided it (``rule``) and why (``reason``). ``level`` is
``mean`` for a stat's mean over items (the per-item paired bootstrap here) or ``corpus`` for a corpus
value (BLEU/chrF from summed statistics, whose p-value comes from a corpus-level paired bootstrap);
``decide`` takes the p-value either way.

The bootstrap is ``numpy.random.default_rng(seed)`` (unlike rouge-score's unseeded global RNG), and
its settings are in the report's signature, so a verdict is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Protocol, Sequence

from bench.errors import BenchError
from bench.signature import Signature, changed_component
from bench.values import Facts

PASS, REGRESSION, INCOMPARABLE = 0, 1, 2
IGNORED_COMPONENTS = ("inputs",)  # candidates are expected to change; the candidates fingerprint says whether they did

# verdicts: the first two decide the exit code, the rest are passes (or, for descriptive rows, information)
REGRESSED, IMPROVED = "regression", "improved"
UNCHANGED, WITHIN_DRIFT = "unchanged", "within drift band"
WITHIN_NOISE, BELOW_EFFECT, WITHIN_EFFECT = "within noise", "below minimum effect", "within minimum effect"
INFORMATION = "information"

# rules
SAME, CHANGED, DESCRIPTIVE = "same candidates", "changed candidates", "descriptive"
CORPUS_RULE = "gated on the corpus value"  # a corpus metric's mean of sentence scores: shown, not gated
MEAN, CORPUS = "mean", "corpus"

# what the paired test did
BOOTSTRAP, SKIPPED, NO_DIFFERENCE, NOT_RUN = "bootstrap", "skipped (too few items)", "no item differs", "not run"
PAIRED_BS = "paired bootstrap on corpus statistics"


# --- settings -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """One metric's own settings; ``None`` means its facts' value (``check.tolerances.<metric>``).

    - ``drift``: the band a score may move on the same candidates (default ``facts.drift``).
    - ``min_effect``: the smallest worsening (or gain), in the metric's units, that counts when the
      candidates changed (default ``default.min_effect_range`` x range, else ``facts.min_effect``)."""

    drift: float | None = None
    min_effect: float | None = None


@dataclass(frozen=True)
class Default:
    """Settings that mean the same for every metric (``check.default``).

    ``min_effect_range``: the minimum effect as a fraction of each metric's range (0.005: half a ROUGE
    point on 0-1, half a BLEU point on 0-100); ``None``: each metric's own ``facts.min_effect``. It does
    not apply to an unbounded metric (its facts' minimum effect stays, and its rows say so)."""

    min_effect_range: float | None = None

    def __post_init__(self) -> None:
        _non_negative(self.min_effect_range, "check.default.min_effect_range")
        if self.min_effect_range is not None and self.min_effect_range > 1:
            raise BenchError(f"check.default.min_effect_range={self.min_effect_range!r} is above 1 (the whole range)",
                             "set a fraction of the range, e.g. check.default.min_effect_range=0.005")


def _non_negative(value: float | None, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise BenchError(f"{name}={value!r} is not a finite number >= 0", f"set {name} to 0 or more")


@dataclass(frozen=True)
class CheckSpec:
    """``check`` in the config (``configs/check/default.yaml`` shows every default)."""

    alpha: float = 0.05
    resamples: int = 2000
    seed: int = 0
    min_items: int = 30
    allow_signature_changes: tuple[str, ...] = ()
    gate_descriptive: tuple[str, ...] = ()  # descriptive metrics to gate like quality metrics
    default: Default = field(default_factory=Default)
    tolerances: Mapping[str, Tolerance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, (int, float)) or not 0 < self.alpha < 1:
            raise BenchError(f"check.alpha={self.alpha!r} is outside (0, 1)", "set a significance level, e.g. check.alpha=0.05")
        for name, least in (("resamples", 1), ("min_items", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise BenchError(f"check.{name}={value!r} is not a whole number >= {least}", f"set check.{name} to {least} or more")
        for metric, tol in self.tolerances.items():
            for name in ("drift", "min_effect"):
                _non_negative(getattr(tol, name), f"check.tolerances.{metric}.{name}")

    def drift(self, metric: str, facts: Facts) -> float:
        own = self.tolerances.get(metric)
        return facts.drift if own is None or own.drift is None else own.drift

    def min_effect(self, metric: str, facts: Facts) -> tuple[float, str]:
        """The minimum effect of ``metric`` and where it comes from (a few words for the row)."""
        own = self.tolerances.get(metric)
        if own is not None and own.min_effect is not None:
            return own.min_effect, ""
        frac = self.default.min_effect_range
        if frac is not None:
            if facts.span is None:
                return facts.min_effect, f"min_effect_range does not apply to an unbounded metric ({facts.range_text()})"
            return frac * facts.span, ""
        return facts.min_effect, ""

    def gated(self, metric: str, facts: Facts) -> bool:
        return not facts.descriptive or metric in self.gate_descriptive

    @property
    def signature(self) -> str:
        """Every setting behind a verdict: resampling, alpha, min_items, the per-metric settings (hashed), allowed changes."""
        settings = {"default": {"min_effect_range": self.default.min_effect_range},
                    "tolerances": {m: {"drift": t.drift, "min_effect": t.min_effect} for m, t in sorted(self.tolerances.items())},
                    "gate_descriptive": sorted(self.gate_descriptive)}
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
        components = [("boot", str(self.resamples)), ("seed", str(self.seed)), ("alpha", str(self.alpha)),
                      ("min_items", str(self.min_items)), ("rules", digest)]
        if self.allow_signature_changes:
            components.append(("allow", ",".join(self.allow_signature_changes)))
        return str(Signature("check", tuple(components)))


# --- the two sides ---------------------------------------------------------------------------------------


class Summary(Protocol):
    """What the gate reads of one metric (``bench.results.model.MetricSummary``)."""

    stats: Mapping[str, float]
    facts: Facts


class Inputs(Protocol):
    references_fingerprint: str
    candidates_fingerprint: str | None
    fingerprint: str


class SideLike(Protocol):
    """A side of a comparison: a ``bench.Run`` or a ``Baseline`` (``bench.gate.baselines``)."""

    @property
    def metrics(self) -> Mapping[str, Summary]: ...

    @property
    def signatures(self) -> Mapping[str, str]: ...

    @property
    def inputs(self) -> Inputs: ...

    @property
    def ids(self) -> tuple[str, ...]: ...

    def column(self, metric: str, stat: str) -> Sequence[float]: ...

    def corpus_rows(self, metric: str) -> Sequence[Sequence[float]] | None: ...


@dataclass(frozen=True)
class Side:
    """One side as plain typed data: metric summaries, signatures, inputs, item ids and per-item columns.

    ``bench.gate.baselines.Baseline`` is one; a ``bench.Run`` has the same attributes."""

    metrics: Mapping[str, Summary]
    signatures: Mapping[str, str]
    inputs: Inputs
    ids: tuple[str, ...]
    columns: Mapping[str, Mapping[str, Sequence[float]]]  # metric -> stat -> values in ``ids`` order
    # a corpus metric's per-item sufficient statistics in ``ids`` order (BLEU, chrF); absent: not recorded
    corpus_columns: Mapping[str, Sequence[Sequence[float]]] = field(default_factory=dict)

    def column(self, metric: str, stat: str) -> Sequence[float]:
        return self.columns[metric][stat]

    def corpus_rows(self, metric: str) -> Sequence[Sequence[float]] | None:
        return self.corpus_columns.get(metric)


def same_candidates(base: SideLike, run: SideLike) -> bool:
    """Whether both sides scored the same candidates (their candidates fingerprints; the whole inputs'
    fingerprint where a side predates the candidates fingerprint)."""
    a, b = base.inputs.candidates_fingerprint, run.inputs.candidates_fingerprint
    if a is not None and b is not None:
        return a == b
    return base.inputs.fingerprint == run.inputs.fingerprint


# --- the report ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatCheck:
    """The verdict on one metric's stat (its mean, or with ``level="corpus"`` its corpus value), and which rule decided it."""

    metric: str
    stat: str
    baseline: float
    run: float
    verdict: str  # regression | improved | unchanged | within drift band | within noise | below/within minimum effect | information
    rule: str  # same candidates | changed candidates | descriptive
    reason: str  # the rule's words for this row: "beyond drift band 1e-05", "within noise (p=0.37)"
    p_value: float | None = None  # one-sided, in the observed direction; None when no test ran
    test: str = NOT_RUN  # bootstrap | skipped (too few items) | no item differs | not run
    band: float = 0.0  # the drift band (same candidates) or minimum effect (changed candidates) that applied
    higher_is_better: bool = True
    kind: str = "quality"
    gated: bool = True
    level: str = MEAN  # mean | corpus
    n_items: int = 0  # paired items behind the test
    dropped: int = 0  # items left out of the pairs: no value on one side (an unparsed LLM-judge answer)

    @property
    def delta(self) -> float:
        """Run minus baseline."""
        return self.run - self.baseline

    @property
    def gain(self) -> float:
        """The move in the better direction (negative: worse), whichever way the metric points."""
        return self.delta if self.higher_is_better else -self.delta

    @property
    def why(self) -> str:
        """``changed candidates: within noise (p=0.37)``: the rule and its words, as every format prints it."""
        return f"{self.rule}: {self.reason}"


@dataclass(frozen=True)
class SignatureDifference:
    """One signature component that differs (``stem: porter -> no``), once, with every metric it touches."""

    component: str
    change: str  # "porter -> no"
    metrics: tuple[str, ...]
    allowed: bool

    @property
    def text(self) -> str:
        return f"{self.component}: {self.change} ({', '.join(self.metrics)})"


@dataclass(frozen=True)
class CheckReport:
    """Everything a check decided: status, per-stat verdicts, why incomparable, signature differences."""

    experiment: str
    status: int  # PASS | REGRESSION | INCOMPARABLE
    stats: tuple[StatCheck, ...]
    problems: tuple[str, ...]  # why incomparable, besides signature differences
    differences: tuple[SignatureDifference, ...]  # every differing signature component (allowed or not), once each
    notes: tuple[str, ...]
    check_signature: str
    same_candidates: bool = False
    baseline: str = ""  # the baseline file
    run: str = ""  # the run (its directory, or its name when unsaved)

    @property
    def verdict(self) -> str:
        """pass | regression | incomparable."""
        return {PASS: "pass", REGRESSION: "regression", INCOMPARABLE: "incomparable"}[self.status]

    @property
    def blocking(self) -> tuple[SignatureDifference, ...]:
        """The signature differences that make the comparison incomparable."""
        return tuple(d for d in self.differences if not d.allowed)

    @property
    def gated(self) -> tuple[StatCheck, ...]:
        return tuple(s for s in self.stats if s.gated)

    @property
    def information(self) -> tuple[StatCheck, ...]:
        """Descriptive rows: printed as information, never a verdict."""
        return tuple(s for s in self.stats if not s.gated)

    def resolution(self) -> str:
        """What resolves the blocking signature differences, in the library's words."""
        comps = ", ".join(dict.fromkeys(d.component for d in self.blocking))
        return (f"if the change is intended, allow it (allow_signature_changes=[{comps}]) or re-make the baseline "
                f"from this run (bench.baseline(run, path, update=True))")


# --- the decision ---------------------------------------------------------------------------------------


def paired_bootstrap_p(diffs: Sequence[float], resamples: int, seed: int) -> float:
    """One-sided p-value that the mean of ``diffs`` has the sign observed, by chance.

    The share of bootstrap means (resampling items with replacement) on the other side of zero,
    counting zero as not-the-observed-direction; all-zero diffs give p = 1
    (``bench.stats.paired.one_sample_bootstrap_p``). The false-regression rate of the rule built on it
    is measured in ``benchmarks/gate_calibration.py`` (docs/gate.md)."""
    from bench.stats.paired import one_sample_bootstrap_p

    return one_sample_bootstrap_p(diffs, resamples, seed)


def _g(x: float) -> str:
    return f"{x:.4g}"


def _p(p: float) -> str:
    return f"p={p:.2g}" if p >= 0.0001 else "p<0.0001"


def decide(metric: str, stat: str, baseline: float, run: float, facts: Facts, spec: CheckSpec, same: bool,
           p_value: float | None = None, test: str = NOT_RUN, n_items: int = 0, level: str = MEAN,
           dropped: int = 0) -> StatCheck:
    """The verdict on one stat, by its facts and ``spec`` (pure).

    ``same``: the candidates are the baseline's. ``p_value``/``test``: the paired test's one-sided
    p-value in the observed direction and what the test did (``bootstrap``; ``skipped (too few items)``
    with ``n_items`` paired; ``no item differs``); unused with the same candidates."""
    higher = facts.higher_is_better
    gain = (run - baseline) if higher else (baseline - run)  # > 0 better, < 0 worse, either direction
    common = dict(higher_is_better=higher, kind=facts.kind, level=level, n_items=n_items, dropped=dropped)
    # items without a value on one side (an unparsed LLM-judge answer) are left out of the pairs: say so
    left_out = f"; {dropped} item{'s' if dropped != 1 else ''} without a value on one side left out" if dropped else ""

    def row(verdict, rule, reason, band=0.0, p=None, gated=True, t=NOT_RUN):
        reason += left_out
        return StatCheck(metric, stat, baseline, run, verdict, rule, reason, p, t, band, gated=gated, **common)

    if not spec.gated(metric, facts):
        return row(INFORMATION, DESCRIPTIVE, f"not gated (gate_descriptive=[{metric}] gates it)", gated=False)
    if baseline != baseline or run != run:  # NaN: no item has a value (every LLM-judge answer unparsed)
        rule = SAME if same else CHANGED
        if baseline != baseline and run != run:
            return row(UNCHANGED, rule, "no item has a value in either")
        if run != run:
            return row(REGRESSED, rule, "no item has a value in the run (the baseline has values)")
        return row(IMPROVED, rule, "no item has a value in the baseline (the run has values)")
    if same:
        band = spec.drift(metric, facts)
        if run == baseline:
            return row(UNCHANGED, SAME, f"within drift band {_g(band)}", band)
        if abs(gain) <= band:
            return row(WITHIN_DRIFT, SAME, f"within drift band {_g(band)}", band)
        return row(REGRESSED if gain < 0 else IMPROVED, SAME, f"beyond drift band {_g(band)}", band)
    effect, aside = spec.min_effect(metric, facts)
    aside = f"; {aside}" if aside else ""
    word = "drop" if gain < 0 else "rise"
    if test == SKIPPED:
        least = max(2, spec.min_items) if dropped else spec.min_items
        why = f"test skipped ({n_items} paired item{'s' if n_items != 1 else ''} < min_items {least})"
        if abs(gain) > effect:
            return row(REGRESSED if gain < 0 else IMPROVED, CHANGED,
                       f"{word} beyond minimum effect {_g(effect)}, {why}{aside}", effect, t=test)
        verdict = UNCHANGED if gain == 0 else WITHIN_EFFECT
        return row(verdict, CHANGED, f"within minimum effect {_g(effect)}, {why}{aside}", effect, t=test)
    if p_value is None or gain == 0:
        return row(UNCHANGED, CHANGED, f"{test}{aside}", effect, t=test)
    if p_value >= spec.alpha:
        return row(WITHIN_NOISE, CHANGED, f"within noise ({_p(p_value)}){aside}", effect, p_value, t=test)
    if abs(gain) <= effect:
        return row(BELOW_EFFECT, CHANGED, f"below minimum effect {_g(effect)} ({_p(p_value)}){aside}", effect,
                   p_value, t=test)
    return row(REGRESSED if gain < 0 else IMPROVED, CHANGED,
               f"significant {word} ({_p(p_value)}) beyond minimum effect {_g(effect)}{aside}", effect, p_value, t=test)


def _paired(base: SideLike, run: SideLike, metric: str, stat: str) -> list[float]:
    """Per-item differences run - baseline, paired by id, of the items with a value on both sides (a
    missing value, NaN or None, is an unparsed LLM-judge answer: no difference can be formed)."""
    from bench.values import is_missing

    b, r = base.column(metric, stat), run.column(metric, stat)
    if tuple(base.ids) != tuple(run.ids):
        index = {i: k for k, i in enumerate(run.ids)}
        r = [r[index[i]] for i in base.ids]
    return [y - x for x, y in zip(b, r) if not (is_missing(x) or is_missing(y))]


def judge(base: SideLike, run: SideLike, metric: str, stat: str, spec: CheckSpec, same: bool | None = None) -> StatCheck:
    """One stat's mean: the paired test where the rule needs it, then ``decide`` (pure)."""
    summary = base.metrics[metric]
    facts = summary.facts
    b, r = summary.stats[stat], run.metrics[metric].stats[stat]
    same = same_candidates(base, run) if same is None else same
    n = len(base.ids)
    p, test, dropped = None, NOT_RUN, 0
    if not same and spec.gated(metric, facts):
        diffs = _paired(base, run, metric, stat)
        dropped, n = n - len(diffs), len(diffs)
        if n < spec.min_items or (dropped and n < 2):  # fewer than 2 complete pairs: no test (n/a)
            test = SKIPPED
        elif not any(diffs):
            test = NO_DIFFERENCE
        else:
            test, p = BOOTSTRAP, paired_bootstrap_p(diffs, spec.resamples, spec.seed)
    return decide(metric, stat, b, r, facts, spec, same, p, test, n, dropped=dropped)


def _aligned_rows(base: SideLike, run: SideLike, metric: str) -> tuple[list, list] | None:
    """Both sides' per-item corpus statistics in the baseline's item order, or None where a side has none."""
    b, r = base.corpus_rows(metric), run.corpus_rows(metric)
    if b is None or r is None or len(b[0]) != len(r[0]):  # other statistics (an allowed option change): no pairing
        return None
    if tuple(base.ids) != tuple(run.ids):
        index = {i: k for k, i in enumerate(run.ids)}
        r = [r[index[i]] for i in base.ids]
    return list(b), list(r)


def judge_corpus(base: SideLike, run: SideLike, metric: str, spec: CheckSpec, same: bool,
                 score: Callable[[Sequence[float]], float] | None) -> StatCheck | None:
    """A corpus metric's corpus value (BLEU's corpus score; its primary stat): the drift band with the same
    candidates; with changed candidates a one-sided paired bootstrap on the per-item sufficient statistics
    (``bench.stats.corpus.one_sided_p``: items resampled jointly, statistics summed and scored, seeded by
    ``spec.seed``), then ``decide``. None where a side holds no corpus value (or, with changed candidates,
    no statistics: the means are gated instead)."""
    b_sum, r_sum = base.metrics[metric], run.metrics[metric]
    facts = b_sum.facts
    b_corpus, r_corpus = getattr(b_sum, "corpus", None), getattr(r_sum, "corpus", None)
    if not facts.corpus or b_corpus is None or r_corpus is None or facts.primary not in b_corpus:
        return None
    stat = facts.primary
    n = len(base.ids)
    p, test = None, NOT_RUN
    if not same and spec.gated(metric, facts):
        rows = _aligned_rows(base, run, metric)
        if rows is None or score is None:
            return None  # a baseline made before corpus statistics were stored: its means are gated instead
        if n < spec.min_items:
            test = SKIPPED
        elif rows[0] == rows[1]:
            test = NO_DIFFERENCE
        else:
            from bench.stats.corpus import one_sided_p

            test, p = PAIRED_BS, one_sided_p(rows[0], rows[1], score, spec.resamples, spec.seed)
    return decide(metric, stat, b_corpus[stat], r_corpus[stat], facts, spec, same, p, test, n, level=CORPUS)


# --- comparability ---------------------------------------------------------------------------------------


def signature_changes(base: SideLike, run: SideLike) -> dict[str, tuple[str, ...]]:
    """Per metric present in both, its signature differences (``key: old -> new``)."""
    out = {}
    for name in base.signatures:
        if name in run.signatures:
            diff = Signature.parse(base.signatures[name]).diff(Signature.parse(run.signatures[name]))
            if diff:
                out[name] = tuple(diff)
    return out


def differences(changes: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> tuple[SignatureDifference, ...]:
    """Each differing component and change once (``stem: porter -> no`` for every ROUGE metric is one), ``inputs`` aside."""
    found: dict[tuple[str, str], list[str]] = {}
    for metric, lines in changes.items():
        for line in lines:
            component = changed_component(line)
            if component not in IGNORED_COMPONENTS:
                found.setdefault((component, line.split(":", 1)[1].strip()), []).append(metric)
    return tuple(SignatureDifference(c, change, tuple(ms), c in allowed) for (c, change), ms in found.items())


def _components(base: SideLike, run: SideLike) -> list[str]:
    """Every component name of the two sides' signatures (``metric`` included), in first-seen order."""
    keys = {"metric": None}
    for sig in (*base.signatures.values(), *run.signatures.values()):
        keys.update(dict.fromkeys(k for k, _ in Signature.parse(sig).components))
    return list(keys)


def _stat_order(stat: str) -> tuple[int, str]:
    order = ("precision", "recall", "fmeasure", "f1")
    return (order.index(stat) if stat in order else len(order), stat)


def check(experiment: str, base: SideLike, run: SideLike, spec: CheckSpec, baseline: str = "", run_name: str = "",
          corpus_scores: Mapping[str, Callable[[Sequence[float]], float]] | None = None) -> CheckReport:
    """Compare ``run`` with ``base`` under ``spec`` (pure: no disk, no printing).

    A corpus metric (BLEU, chrF: ``facts.corpus``) is gated on its corpus value (``judge_corpus``, with
    ``corpus_scores[metric]`` turning summed statistics into it); its mean of sentence scores is then
    shown as information. Without a corpus value on both sides, its mean is gated as any metric's."""
    problems: list[str] = []
    notes: list[str] = []
    missing = sorted(set(base.metrics) - set(run.metrics))
    if missing:
        problems.append(f"run lacks metric(s) in the baseline: {', '.join(missing)}")
    extra = sorted(set(run.metrics) - set(base.metrics))
    if extra:
        notes.append(f"not in the baseline, not checked: {', '.join(extra)}")
    shared = [m for m in base.metrics if m in run.metrics]
    flipped = [m for m in shared if base.metrics[m].facts.higher_is_better != run.metrics[m].facts.higher_is_better]
    if flipped:
        problems.append(f"metric direction (higher_is_better) differs from the baseline's: {', '.join(flipped)}")
    diffs = differences(signature_changes(base, run), spec.allow_signature_changes)
    known = set(_components(base, run))
    unknown = [a for a in dict.fromkeys(spec.allow_signature_changes) if a not in known]
    if unknown:  # most likely a typo: it allows nothing, so a change it was meant for would still fail
        notes.append(f"allowed signature change(s) {', '.join(unknown)} name no component of these signatures; "
                     f"the components are {', '.join(_components(base, run))}")
    if base.inputs.references_fingerprint != run.inputs.references_fingerprint:
        problems.append("references differ from the baseline's (another dataset, split or selection)")
    if set(base.ids) != set(run.ids):
        problems.append(f"item ids differ: baseline {len(base.ids)}, run {len(run.ids)} items")
    comparable = not problems and not any(not d.allowed for d in diffs)
    same = same_candidates(base, run)
    notes.append("same candidates as the baseline (a code or environment change): each score must stay within its "
                 "drift band" if same else
                 "candidates differ from the baseline's (a system change): a change counts when the paired bootstrap "
                 f"finds it significant (alpha {spec.alpha}) and it exceeds the metric's minimum effect")
    lower = [m for m in shared if not base.metrics[m].facts.higher_is_better and spec.gated(m, base.metrics[m].facts)]
    if lower:
        notes.append(f"lower is better for {', '.join(lower)}: a rise is a regression")
    if comparable and not same and len(base.ids) < spec.min_items:
        notes.append(skipped_note(len(base.ids), spec))
    stats: list[StatCheck] = []
    if comparable:
        for metric in base.metrics:
            corpus = judge_corpus(base, run, metric, spec, same, (corpus_scores or {}).get(metric))
            for stat in sorted(base.metrics[metric].stats, key=_stat_order):
                row = judge(base, run, metric, stat, spec, same)
                if corpus is not None and row.gated:  # the corpus value decides; the mean is shown beside it
                    row = replace(row, verdict=INFORMATION, gated=False, rule=CORPUS_RULE,
                                  reason=f"mean of sentence scores: {row.reason}")
                stats.append(row)
            if corpus is not None:
                stats.append(corpus)
    if not comparable:
        status = INCOMPARABLE
    elif any(s.verdict == REGRESSED and s.gated for s in stats):
        status = REGRESSION
    else:
        status = PASS
    return CheckReport(experiment, status, tuple(stats), tuple(problems), diffs, tuple(notes), spec.signature,
                       same, baseline, run_name)


def skipped_note(items: int, spec: CheckSpec) -> str:
    """Why the paired bootstrap did not run, and what decided instead."""
    return (f"paired bootstrap skipped: {items} paired item{'s' if items != 1 else ''}, it needs at least "
            f"min_items={spec.min_items}; only a change beyond the minimum effect counts")
