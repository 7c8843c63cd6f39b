"""bench.gate.compare: the regression gate's decisions, on toy sides and on real SummEval scores."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from bench.data.items import part_fingerprint
from bench.gate import compare
from bench.gate.compare import CheckSpec, Side, Tolerance
from bench.metrics.rouge import Rouge, RougeSpec


SIG = "rouge1|engine:rouge-score-rs@0.2.1|tok:default|stem:porter|refs:max|nrefs:1|inputs:aaaa|bench:0.1.0"


def side(values, sig=SIG, refs="sha256:r", ids=None):
    ids = tuple(ids or (f"i{k}" for k in range(len(values))))
    mean = sum(values) / len(values)
    return Side({"rouge1": {"fmeasure": mean}}, {"rouge1": sig}, refs, ids, {"rouge1": {"fmeasure": list(values)}})


def test_unchanged_passes():
    report = compare.check("x", side([0.5, 0.6]), side([0.5, 0.6]), CheckSpec())
    assert report.status == compare.PASS
    assert [s.verdict for s in report.stats] == ["unchanged"]


@pytest.mark.parametrize(
    "delta, tol, verdict, status",
    [
        (-0.001, Tolerance(), "regression", compare.REGRESSION),
        (-0.001, Tolerance(abs=0.002), "within tolerance", compare.PASS),
        (-0.001, Tolerance(rel=0.01), "within tolerance", compare.PASS),  # 1% of 0.5 = 0.005
        (-0.01, Tolerance(rel=0.01), "regression", compare.REGRESSION),
        (+0.001, Tolerance(), "improved", compare.PASS),
    ],
)
def test_tolerance_decides_small_samples(delta, tol, verdict, status):
    spec = CheckSpec(tolerances={"rouge1": tol})
    report = compare.check("x", side([0.5]), side([0.5 + delta]), spec)
    assert (report.stats[0].verdict, report.status) == (verdict, status)
    assert report.stats[0].p_value is None  # one item: no paired test


def test_signature_change_is_incomparable_and_named():
    other = SIG.replace("stem:porter", "stem:no")
    report = compare.check("x", side([0.5]), side([0.5], sig=other), CheckSpec())
    assert report.status == compare.INCOMPARABLE
    assert report.problems == ("signature differs: rouge1: stem: porter -> no",)


def test_allowed_signature_change_and_changed_inputs_are_comparable():
    other = SIG.replace("rouge-score-rs@0.2.1", "rouge-score@0.1.2").replace("inputs:aaaa", "inputs:bbbb")
    report = compare.check("x", side([0.5]), side([0.5], sig=other), CheckSpec(allow_signature_changes=("engine",)))
    assert report.status == compare.PASS
    assert any("candidates differ" in n for n in report.notes)


def test_an_allowed_change_naming_no_component_is_noted_and_allows_nothing():
    other = SIG.replace("rouge-score-rs@0.2.1", "rouge-score@0.1.2")
    report = compare.check("x", side([0.5]), side([0.5], sig=other), CheckSpec(allow_signature_changes=("engin", "engine")))
    assert report.status == compare.PASS
    (note,) = [n for n in report.notes if "allowed signature change" in n]
    assert note.startswith("allowed signature change(s) engin name no component of these signatures; the components are "
                           "metric, engine, tok, stem, refs, nrefs, inputs, bench")
    typo_only = compare.check("x", side([0.5]), side([0.5], sig=other), CheckSpec(allow_signature_changes=("engin",)))
    assert typo_only.status == compare.INCOMPARABLE and any("engin " in n for n in typo_only.notes)
    assert not any("allowed signature" in n for n in compare.check("x", side([0.5]), side([0.5]), CheckSpec()).notes)


def test_other_references_or_ids_are_incomparable():
    assert compare.check("x", side([0.5]), side([0.5], refs="sha256:other"), CheckSpec()).status == compare.INCOMPARABLE
    assert compare.check("x", side([0.5]), side([0.5], ids=["zz"]), CheckSpec()).status == compare.INCOMPARABLE


def test_bootstrap_is_seeded_and_signed():
    diffs = [-0.01] * 10 + [0.005] * 30
    p1 = compare.paired_bootstrap_p(diffs, 500, seed=3)
    assert p1 == compare.paired_bootstrap_p(diffs, 500, seed=3)
    assert compare.paired_bootstrap_p([0.0] * 50, 500, seed=0) == 1.0
    assert compare.paired_bootstrap_p([-0.1] * 50, 500, seed=0) < 0.01


def test_symmetric_noise_within_tolerance_is_not_flagged():
    rng = random.Random(0)
    base = [rng.random() for _ in range(400)]
    noisy = [v + rng.choice((-1, 1)) * 1e-6 for v in base]
    spec = CheckSpec(tolerances={"rouge1": Tolerance(abs=1e-5, min_effect=1e-5)})
    report = compare.check("x", side(base), side(noisy), spec)
    assert report.status == compare.PASS, report


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
            {r.name: r.means() for r in results},
            {r.name: str(r.signature) for r in results},
            part_fingerprint(items, "references"),
            tuple(it.id for it in items),
            {r.name: {s: r.column(s) for s in r.stats} for r in results},
        )

    return to_side(summeval_items), to_side(summeval_items), to_side(damaged)


@pytest.mark.summeval
def test_summeval_rerun_passes(summeval_rouge):
    base, rerun, _ = summeval_rouge
    report = compare.check("summeval", base, rerun, CheckSpec())
    assert report.status == compare.PASS
    assert all(s.verdict == "unchanged" and s.p_value is None for s in report.stats)


@pytest.mark.summeval
def test_summeval_five_percent_damage_is_a_significant_regression(summeval_rouge):
    base, _, damaged = summeval_rouge
    # Tolerances wider than the mean's move: only the paired test can catch it.
    wide = {m: Tolerance(abs=0.05) for m in ("rouge1", "rouge2")}
    report = compare.check("summeval", base, damaged, CheckSpec(tolerances=wide))
    f = {s.metric: s for s in report.stats if s.stat == "fmeasure"}
    assert report.status == compare.REGRESSION
    assert -0.05 < f["rouge1"].delta < 0  # the mean moved less than the tolerance...
    assert f["rouge1"].p_value < 0.05 and f["rouge1"].verdict == "regression"  # ...and was still flagged


def test_a_drop_inside_the_band_reads_within_tolerance_with_delta_and_band():
    from bench.gate import render

    report = compare.check("x", side([0.5]), side([0.5 - 0.0389]), CheckSpec(default=Tolerance(abs=0.05)))
    assert report.status == compare.PASS and report.stats[0].verdict == "within tolerance"
    text = render.table(report, "b.json")
    assert "within tolerance (-0.0389 inside ±0.05)" in text and "unchanged" not in text


def test_default_applies_to_every_metric_without_its_own_entry():
    base, run = side([0.5]), side([0.5 - 0.0389])
    assert compare.check("x", base, run, CheckSpec()).status == compare.REGRESSION
    assert compare.check("x", base, run, CheckSpec(default=Tolerance(abs=0.05))).status == compare.PASS
    own = CheckSpec(default=Tolerance(abs=0.05), tolerances={"rouge1": Tolerance()})
    assert compare.check("x", base, run, own).status == compare.REGRESSION  # an entry of its own wins


def test_too_few_items_say_the_bootstrap_was_skipped_and_what_it_needs():
    from bench.gate import render

    vals = [0.1 * k for k in range(10)]
    report = compare.check("x", side(vals), side([v - 0.001 for v in vals]), CheckSpec(default=Tolerance(abs=0.01)))
    assert all(s.test == compare.SKIPPED and s.p_value is None for s in report.stats)
    assert any("paired bootstrap skipped: 10 paired items, it needs at least min_items=30" in n for n in report.notes)
    for fmt in ("table", "markdown"):
        out = render.FORMATS[fmt](report, "b.json")
        assert "bootstrap skipped: too few items" in out and "skipped" in out.split("within tolerance")[0]
    enough = compare.check("x", side(vals * 3), side([v - 0.001 for v in vals * 3], ids=[f"i{k}" for k in range(30)]),
                           CheckSpec(default=Tolerance(abs=0.01)))
    assert all(s.test == "bootstrap" and s.p_value is not None for s in enough.stats)
    assert not any("skipped" in n for n in enough.notes)
