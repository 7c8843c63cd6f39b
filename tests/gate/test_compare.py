"""bench.gate.compare: the gate's rules as a pure function, on hand-made sides and on real SummEval scores.

Expected p-values are worked out by hand: when every paired difference is the same non-zero number,
every bootstrap mean equals it, none falls on the other side of zero, and the p-value is
(0 + 1) / (resamples + 1) = 1/2001 at the default 2000 resamples (printed p=0.0005).
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from bench.data.items import part_fingerprint
from bench.errors import BenchError
from bench.gate import compare, render
from bench.gate.compare import CheckSpec, Default, Side, Tolerance
from bench.metrics.rouge import Rouge, RougeSpec
from bench.results.model import Inputs, MetricSummary
from bench.values import DESCRIPTIVE, Facts, Stats

SIG = "rouge1|engine:rouge-score-rs@0.2.1|tok:default|stem:porter|refs:max|nrefs:1|inputs:aaaa|bench:0.1.0"
ROUGE = Facts(True, 0.0, 1.0, primary="fmeasure", min_effect=0.005)
BERT = Facts(True, 0.0, 1.0, primary="f1", drift=1e-5, min_effect=0.005)
BLEU = Facts(True, 0.0, 100.0, primary="score", corpus=True, min_effect=0.5)
COVERAGE = Facts(True, 0.0, 1.0, DESCRIPTIVE, "value", min_effect=0.01)
LENGTH = Facts(True, 0.0, None, DESCRIPTIVE, "value", min_effect=1.0)
GAP = Facts(False, 0.0, None, primary="gap")  # a lower-is-better quality metric, unbounded
P_ALL_EQUAL = 1 / 2001


def side(columns, cands="sha256:c", sig=SIG, refs="sha256:r", ids=None, facts=None):
    """A side from metric -> per-item values (one stat, the metric's primary)."""
    facts = facts or {}
    n = len(next(iter(columns.values())))
    ids = tuple(ids or (f"i{k}" for k in range(n)))
    metrics, sigs, cols = {}, {}, {}
    for m, values in columns.items():
        f = facts.get(m, ROUGE)
        stat = f.primary
        s = sig.replace("rouge1", m, 1) if m != "rouge1" else sig
        metrics[m] = MetricSummary(m, Stats({stat: sum(values) / len(values)}), f, s)
        sigs[m] = s
        cols[m] = {stat: tuple(values)}
    return Side(metrics, sigs, Inputs(len(ids), f"sha256:all-{cands}", refs, cands), ids, cols)


def one(values, cands="sha256:c", facts=ROUGE, metric="rouge1", **kw):
    return side({metric: values}, cands, facts={metric: facts}, **kw)


def row(report, metric="rouge1"):
    (s,) = [s for s in report.stats if s.metric == metric]
    return s


BASE40 = [0.3 + 0.01 * (k % 10) for k in range(40)]


# --- same candidates: the drift band -----------------------------------------------------------------------


def test_same_candidates_unchanged_passes_and_names_the_rule():
    report = compare.check("x", one(BASE40), one(BASE40), CheckSpec())
    s = row(report)
    assert report.status == compare.PASS and report.same_candidates
    assert (s.verdict, s.why, s.p_value, s.test) == ("unchanged", "same candidates: within drift band 0", None, "not run")


def test_same_candidates_any_drop_beyond_a_zero_band_is_a_regression():
    run = one([v - 1e-9 for v in BASE40])
    report = compare.check("x", one(BASE40), run, CheckSpec())
    s = row(report)
    assert report.status == compare.REGRESSION
    assert (s.verdict, s.why) == ("regression", "same candidates: beyond drift band 0")


@pytest.mark.parametrize("move, verdict, why", [
    (-5e-6, "within drift band", "same candidates: within drift band 1e-05"),
    (-2e-5, "regression", "same candidates: beyond drift band 1e-05"),
    (+2e-5, "improved", "same candidates: beyond drift band 1e-05"),
])
def test_same_candidates_drift_band_comes_from_the_facts(move, verdict, why):
    base = one([0.8], facts=BERT, metric="bertscore")
    run = one([0.8 + move], facts=BERT, metric="bertscore")
    s = row(compare.check("x", base, run, CheckSpec()), "bertscore")
    assert (s.verdict, s.why, s.band) == (verdict, why, 1e-5)


def test_same_candidates_drift_band_is_overridable_per_metric():
    base, run = one(BASE40), one([v - 0.001 for v in BASE40])
    loose = CheckSpec(tolerances={"rouge1": Tolerance(drift=0.002)})
    s = row(compare.check("x", base, run, loose))
    assert (s.verdict, s.why) == ("within drift band", "same candidates: within drift band 0.002")


# --- changed candidates: significance and minimum effect ---------------------------------------------------


def test_changed_candidates_significant_drop_beyond_the_minimum_effect_is_a_regression():
    report = compare.check("x", one(BASE40, "sha256:a"), one([v - 0.02 for v in BASE40], "sha256:b"), CheckSpec())
    s = row(report)
    assert report.status == compare.REGRESSION and not report.same_candidates
    assert s.p_value == pytest.approx(P_ALL_EQUAL)
    assert (s.verdict, s.why) == ("regression", "changed candidates: significant drop (p=0.0005) beyond minimum effect 0.005")


def test_changed_candidates_significant_but_small_reads_below_minimum_effect():
    s = row(compare.check("x", one(BASE40, "sha256:a"), one([v - 0.001 for v in BASE40], "sha256:b"), CheckSpec()))
    assert (s.verdict, s.why) == ("below minimum effect", "changed candidates: below minimum effect 0.005 (p=0.0005)")


def test_changed_candidates_non_significant_change_reads_within_noise():
    # half the items 0.1 lower, half 0.1 higher, one of them by 0.1001: a mean move of -2.5e-6, pure noise
    run = [v - 0.1 if k % 2 else v + 0.1 for k, v in enumerate(BASE40)]
    run[1] -= 0.0001
    report = compare.check("x", one(BASE40, "sha256:a"), one(run, "sha256:b"), CheckSpec())
    s = row(report)
    assert report.status == compare.PASS and s.verdict == "within noise" and s.p_value > 0.3
    assert s.why == f"changed candidates: within noise (p={s.p_value:.2g})"


def test_changed_candidates_rise_is_an_improvement_by_the_mirror_rule():
    s = row(compare.check("x", one(BASE40, "sha256:a"), one([v + 0.02 for v in BASE40], "sha256:b"), CheckSpec()))
    assert (s.verdict, s.why) == ("improved", "changed candidates: significant rise (p=0.0005) beyond minimum effect 0.005")


@pytest.mark.parametrize("run_value, verdict", [(0.7, "regression"), (0.5, "improved")])
def test_a_lower_is_better_metric_regresses_when_it_rises(run_value, verdict):
    base, run = one([0.6] * 40, "sha256:a", GAP, "gap"), one([run_value] * 40, "sha256:b", GAP, "gap")
    report = compare.check("x", base, run, CheckSpec())
    assert row(report, "gap").verdict == verdict
    assert any("lower is better for gap" in n for n in report.notes)


def test_minimum_effect_per_metric_and_as_a_fraction_of_the_range():
    base = side({"rouge1": BASE40, "bleu": [30.0 + k % 7 for k in range(40)], "summary_tokens": [50.0] * 40},
                "sha256:a", facts={"bleu": BLEU, "summary_tokens": LENGTH})
    run = side({"rouge1": [v - 0.02 for v in BASE40], "bleu": [29.4 + k % 7 for k in range(40)],
                "summary_tokens": [48.0] * 40}, "sha256:b", facts={"bleu": BLEU, "summary_tokens": LENGTH})
    spec = CheckSpec(gate_descriptive=("summary_tokens",))
    rows = {s.metric: s for s in compare.check("x", base, run, spec).stats}
    assert (rows["rouge1"].verdict, rows["bleu"].verdict, rows["summary_tokens"].verdict) == \
           ("regression", "regression", "regression")  # 0.02 > 0.005; 0.6 > 0.5 BLEU points; 2 > 1 token
    own = replace(spec, tolerances={"rouge1": Tolerance(min_effect=0.05)})
    assert row(compare.check("x", base, run, own)).why == "changed candidates: below minimum effect 0.05 (p=0.0005)"
    # 1% of each range: 0.01 ROUGE, 1.0 BLEU point; the unbounded token count keeps its own 1 and says so
    frac = replace(spec, default=Default(min_effect_range=0.01))
    rows = {s.metric: s for s in compare.check("x", base, run, frac).stats}
    assert (rows["rouge1"].verdict, rows["rouge1"].band) == ("regression", 0.01)
    assert rows["bleu"].why == "changed candidates: below minimum effect 1 (p=0.0005)"
    assert rows["summary_tokens"].why == ("changed candidates: significant drop (p=0.0005) beyond minimum effect 1; "
                                          "min_effect_range does not apply to an unbounded metric (>= 0)")


def test_too_few_items_skip_the_test_and_only_the_minimum_effect_decides():
    vals = [0.1 * k for k in range(10)]
    base = one(vals, "sha256:a")
    big = row(compare.check("x", base, one([v - 0.01 for v in vals], "sha256:b"), CheckSpec()))
    assert (big.verdict, big.test, big.p_value) == ("regression", compare.SKIPPED, None)
    assert big.why == ("changed candidates: drop beyond minimum effect 0.005, test skipped "
                       "(10 paired items < min_items 30)")
    report = compare.check("x", base, one([v - 0.001 for v in vals], "sha256:b"), CheckSpec())
    small = row(report)
    assert (small.verdict, report.status) == ("within minimum effect", compare.PASS)
    assert small.why.startswith("changed candidates: within minimum effect 0.005, test skipped")
    assert any("paired bootstrap skipped: 10 paired items, it needs at least min_items=30" in n for n in report.notes)
    for fmt in ("table", "markdown"):
        assert "(bootstrap skipped: too few items; see the note)" in render.FORMATS[fmt](report)


def test_no_item_differs_is_unchanged_without_a_p_value():
    s = row(compare.check("x", one(BASE40, "sha256:a"), one(BASE40, "sha256:b"), CheckSpec()))
    assert (s.verdict, s.test, s.p_value) == ("unchanged", compare.NO_DIFFERENCE, None)


# --- descriptive metrics ------------------------------------------------------------------------------------


def test_descriptive_metrics_are_information_never_gated_unless_listed():
    base = side({"rouge1": BASE40, "coverage": [0.9] * 40}, "sha256:a", facts={"coverage": COVERAGE})
    run = side({"rouge1": BASE40, "coverage": [0.5] * 40}, "sha256:b", facts={"coverage": COVERAGE})
    report = compare.check("x", base, run, CheckSpec())
    cov = row(report, "coverage")
    assert report.status == compare.PASS
    assert (cov.verdict, cov.gated, cov.rule, cov.p_value) == ("information", False, "descriptive", None)
    assert report.information == (cov,) and cov not in report.gated
    text = render.table(report)
    info = text.split("information (not gated: descriptive statistics; corpus metrics' means of items):")[1]
    assert "coverage" in info and "regression" not in text
    gated = compare.check("x", base, run, CheckSpec(gate_descriptive=("coverage",)))
    assert gated.status == compare.REGRESSION and row(gated, "coverage").why.startswith("changed candidates: significant drop")


# --- incomparable ---------------------------------------------------------------------------------------------


def test_each_signature_difference_is_listed_once_with_its_metrics_and_fix():
    base = side({"rouge1": [0.5], "rouge2": [0.4]})
    run = side({"rouge1": [0.5], "rouge2": [0.4]}, sig=SIG.replace("stem:porter", "stem:no"))
    report = compare.check("x", base, run, CheckSpec())
    assert report.status == compare.INCOMPARABLE and report.stats == ()
    (d,) = report.differences
    assert (d.component, d.change, d.metrics, d.allowed) == ("stem", "porter -> no", ("rouge1", "rouge2"), False)
    for fmt in render.FORMATS:
        out = render.FORMATS[fmt](report).replace("-&gt;", "->")  # JUnit escapes ">" in attributes
        assert out.count("porter -> no") == 1, (fmt, out)
        assert "allow_signature_changes=[stem]" in out and "--allow" not in out  # the library names no CLI flag
    assert compare.check("x", base, run, CheckSpec(allow_signature_changes=("stem",))).status == compare.PASS


def test_allowed_signature_change_and_changed_inputs_are_comparable():
    other = SIG.replace("rouge-score-rs@0.2.1", "rouge-score@0.1.2").replace("inputs:aaaa", "inputs:bbbb")
    report = compare.check("x", one([0.5]), one([0.5], "sha256:other", sig=other), CheckSpec(allow_signature_changes=("engine",)))
    assert report.status == compare.PASS
    assert [d.allowed for d in report.differences] == [True]  # inputs is not a difference: the rule says it
    assert "allowed signature change: engine: rouge-score-rs@0.2.1 -> rouge-score@0.1.2 (rouge1)" in render.table(report)
    assert any("candidates differ" in n for n in report.notes)


def test_an_allowed_change_naming_no_component_is_noted_and_allows_nothing():
    other = SIG.replace("rouge-score-rs@0.2.1", "rouge-score@0.1.2")
    report = compare.check("x", one([0.5]), one([0.5], sig=other), CheckSpec(allow_signature_changes=("engin", "engine")))
    assert report.status == compare.PASS
    (note,) = [n for n in report.notes if "allowed signature change" in n]
    assert note.startswith("allowed signature change(s) engin name no component of these signatures; the components are "
                           "metric, engine, tok, stem, refs, nrefs, inputs, bench")
    typo_only = compare.check("x", one([0.5]), one([0.5], sig=other), CheckSpec(allow_signature_changes=("engin",)))
    assert typo_only.status == compare.INCOMPARABLE


def test_other_references_ids_or_direction_are_incomparable():
    assert compare.check("x", one([0.5]), one([0.5], refs="sha256:other"), CheckSpec()).status == compare.INCOMPARABLE
    assert compare.check("x", one([0.5]), one([0.5], ids=["zz"]), CheckSpec()).status == compare.INCOMPARABLE
    flipped = compare.check("x", one([0.6], facts=GAP, metric="gap"),
                            one([0.6], facts=replace(GAP, higher_is_better=True), metric="gap"), CheckSpec())
    assert flipped.status == compare.INCOMPARABLE and "direction" in flipped.problems[0]


# --- settings, levels, the test itself ---------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, words", [
    (dict(alpha=1.0), "check.alpha=1.0 is outside (0, 1)"),
    (dict(alpha=0), "check.alpha=0 is outside (0, 1)"),
    (dict(resamples=0), "check.resamples=0 is not a whole number >= 1"),
    (dict(tolerances={"bleu": Tolerance(min_effect=-0.5)}), "check.tolerances.bleu.min_effect=-0.5 is not a finite number >= 0"),
    (dict(tolerances={"bertscore": Tolerance(drift=float("nan"))}), "check.tolerances.bertscore.drift=nan is not a finite"),
])
def test_out_of_range_settings_are_one_line_errors(kwargs, words):
    with pytest.raises(BenchError) as err:
        CheckSpec(**kwargs)
    assert str(err.value).startswith(words) and "\n" not in str(err.value)


@pytest.mark.parametrize("fraction, words", [(2, "is above 1"), (-0.1, "is not a finite number >= 0")])
def test_a_fraction_of_the_range_outside_0_1_is_refused(fraction, words):
    with pytest.raises(BenchError, match=f"check.default.min_effect_range={fraction!r}.* {words}"):
        Default(min_effect_range=fraction)


def test_a_corpus_level_row_is_decided_by_the_same_rule():
    s = compare.decide("bleu", "score", 30.0, 29.0, BLEU, CheckSpec(), same=False, p_value=0.001,
                       test=compare.BOOTSTRAP, n_items=40, level=compare.CORPUS)
    assert (s.level, s.verdict, s.why) == ("corpus", "regression",
                                          "changed candidates: significant drop (p=0.001) beyond minimum effect 0.5")
    assert "bleu (corpus)" in render.table(compare.CheckReport("x", 1, (s,), (), (), (), "check|x"))


def test_bootstrap_is_seeded_and_signed():
    diffs = [-0.01] * 10 + [0.005] * 30
    p1 = compare.paired_bootstrap_p(diffs, 500, seed=3)
    assert p1 == compare.paired_bootstrap_p(diffs, 500, seed=3)
    assert compare.paired_bootstrap_p([0.0] * 50, 500, seed=0) == 1.0
    assert compare.paired_bootstrap_p([-0.1] * 50, 500, seed=0) == pytest.approx(1 / 501)


# --- real scores --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def summeval_rouge(summeval_items):
    """Real per-item ROUGE on SummEval, and the same with 5% of candidates damaged (seeded)."""
    rouge = Rouge(RougeSpec(types=("rouge1", "rouge2")))
    rng = random.Random(7)
    damaged_ids = set(rng.sample([it.id for it in summeval_items], k=len(summeval_items) // 20))
    damaged = [
        replace(it, candidate=" ".join(it.candidate.split()[: max(3, len(it.candidate.split()) // 3)]))
        if it.id in damaged_ids else it
        for it in summeval_items
    ]

    def to_side(items):
        results = rouge.score(items, "max", "sha256:x")
        return Side(
            {r.name: MetricSummary(r.name, Stats(r.means()), ROUGE, str(r.signature)) for r in results},
            {r.name: str(r.signature) for r in results},
            Inputs(len(items), "sha256:x", part_fingerprint(items, "references"), part_fingerprint(items, "candidates")),
            tuple(it.id for it in items),
            {r.name: {s: r.column(s) for s in r.stats} for r in results},
        )

    return to_side(summeval_items), to_side(summeval_items), to_side(damaged)


@pytest.mark.summeval
def test_summeval_rerun_passes(summeval_rouge):
    base, rerun, _ = summeval_rouge
    report = compare.check("summeval", base, rerun, CheckSpec())
    assert report.status == compare.PASS and report.same_candidates
    assert all(s.verdict == "unchanged" and s.p_value is None for s in report.stats)


@pytest.mark.summeval
def test_summeval_five_percent_damage_is_judged_stat_by_stat(summeval_rouge):
    """A third of the words of 80 of 1,600 summaries: recall falls by more than half a ROUGE point
    (a regression), precision rises, and F1 moves significantly but by less than the minimum effect."""
    base, _, damaged = summeval_rouge
    report = compare.check("summeval", base, damaged, CheckSpec())
    got = {(s.metric, s.stat): s for s in report.stats}
    assert report.status == compare.REGRESSION and not report.same_candidates
    assert got[("rouge1", "recall")].verdict == "regression" and got[("rouge1", "recall")].delta < -0.005
    assert got[("rouge1", "precision")].verdict == "improved"
    f = got[("rouge1", "fmeasure")]
    assert f.verdict == "below minimum effect" and f.p_value < 0.05 and -0.005 < f.delta < 0
    strict = CheckSpec(tolerances={"rouge1": Tolerance(min_effect=0.001)})  # a tenth of a point is a change here
    assert {(s.metric, s.stat): s for s in compare.check("summeval", base, damaged, strict).stats}[
        ("rouge1", "fmeasure")].verdict == "regression"
