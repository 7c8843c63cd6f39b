"""bench.report.inputs: systems and meta artefacts read by the analysis's one reader into its own types; check
rows read into the gate's own types; envelopes, old check JSON, damage."""

from __future__ import annotations

import json

import pytest

from bench.errors import BenchError
from bench.analysis.meta import MetaEvaluation
from bench.analysis.systems import CorpusRow, Leaderboard
from bench.gate import render
from bench.gate.compare import CheckReport, SignatureDifference, StatCheck
from bench.report import inputs, sections
from bench.values import Interval

ROW = {"metric": "rouge2", "stat": "fmeasure", "level": "mean", "baseline": 0.25, "run": 0.24, "delta": -0.01,
       "p_value": 0.03, "verdict": "regression", "rule": "changed candidates",
       "reason": "significant drop (p=0.03) beyond minimum effect 0.005", "band": 0.005, "test": "bootstrap",
       "gated": True, "kind": "quality", "higher_is_better": True, "n_items": 40}
INFO = {**ROW, "metric": "source_stats", "stat": "summary_tokens", "baseline": 30.0, "run": 25.0, "delta": -5.0,
        "p_value": None, "verdict": "information", "rule": "descriptive", "band": 0.0, "test": "not run",
        "reason": "not gated (gate_descriptive=[source_stats] gates it)", "gated": False, "kind": "descriptive"}


def _check(**change) -> dict:
    """A check result as `bench check --format json` writes it (bench.gate.render.as_dict)."""
    return {"kind": "check", "schema_version": 1, "experiment": "toy", "baseline": "base.json", "run": "runs/toy/x",
            "verdict": "regression", "exit_code": 1, "same_candidates": False, "problems": [], "notes": [],
            "signature_differences": [], "resolution": None, "check_signature": "check|boot:2000|alpha:0.05",
            "stats": [ROW, INFO], **change}


def _old_check(**extra) -> dict:
    """A check result as `bench check --format json` wrote it before check JSON had an envelope and rules."""
    row = {"metric": "rouge2", "stat": "fmeasure", "baseline": 0.25, "run": 0.24, "delta": -0.01,
           "allowed_drop": 0.005, "p_value": 0.03, "verdict": "regression", "test": "paired_bootstrap",
           "higher_is_better": True}
    return {"experiment": "toy", "baseline": "base.json", "verdict": "regression", "exit_code": 1, "problems": [],
            "notes": [], "signature_changes": {}, "check_signature": "check|alpha:0.05",
            "stats": [{**row, **extra}]}


def _systems(**change) -> dict:
    return {"kind": "systems", "schema_version": 1, "signature": "systems|ci:95", "metric_signatures": {},
            "sources": [{"run": "r", "experiment": "toy", "run_id": "x", "run_key": "sha256:ab",
                         "inputs_fingerprint": "sha256:cd"}], "notes": [],
            "systems": [{"system": "s0", "metric": "rouge1", "stat": "fmeasure", "mean": 0.5, "ci": [0.4, 0.6],
                         "n_docs": 8, "rank": 1, "cluster": 1}],
            "pairs": [], **change}


def _meta(**change) -> dict:
    return {"kind": "meta", "schema_version": 1, "signature": "meta|ci:95", "systems": 4, "documents": 8,
            "sources": [{"run": "r", "experiment": "toy", "run_id": "x", "run_key": "sha256:ab",
                         "inputs_fingerprint": "sha256:cd"}],
            "correlations": [{"run": "r", "metric": "rouge1", "stat": "fmeasure", "human": "quality",
                              "higher_is_better": True, "level": "summary", "coefficient": "kendall", "value": 0.3,
                              "ci": [0.1, 0.5], "groups_used": 8, "groups_skipped": 0, "resamples_defined": 50}],
            "comparisons": [], **change}


def _read(tmp_path, data) -> inputs.Input:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    return inputs.read(str(path))


def test_systems_are_the_analysis_leaderboard(tmp_path):
    got = _read(tmp_path, _systems())
    assert isinstance(got.value, Leaderboard) and got.kind == "systems" and got.source.runs == ("sha256:ab",)
    row = got.value.systems[0]
    assert (row.system, row.mean, row.ci, row.rank) == ("s0", 0.5, Interval(0.4, 0.6), 1)
    assert got.source.sha256.startswith("sha256:") and got.source.signature == "systems|ci:95"
    assert inputs.experiment(got) == "toy" and got.value.corpus == ()


def test_meta_is_the_analysis_meta_evaluation(tmp_path):
    got = _read(tmp_path, _meta())
    assert isinstance(got.value, MetaEvaluation) and got.kind == "meta" and got.source.runs == ("sha256:ab",)
    row = got.value.correlations[0]
    assert (row.metric, row.value, row.ci, row.resamples_defined) == ("rouge1", 0.3, Interval(0.1, 0.5), 50)
    section = sections.meta(got.value, "in.json")
    assert section.tables[0][1].rows == (("quality", "rouge1", "0.300 [0.100, 0.500]"),)  # the summary level's
    assert section.more[0][1].rows == (("summary", "kendall", "quality", "rouge1", "0.3000", "[0.1000, 0.5000]", "8/0"),)


def test_systems_corpus_values_are_a_table_of_their_own(tmp_path):
    corpus = [{"system": "s0", "metric": "bleu", "stat": "score", "value": 21.5, "ci": [19.0, 24.0], "n_items": 8},
              {"system": "s1", "metric": "bleu", "stat": "score", "value": 18.25, "ci": None, "n_items": 8}]
    got = _read(tmp_path, _systems(corpus=corpus))
    assert got.value.corpus[0] == CorpusRow("s0", "bleu", "score", 21.5, Interval(19.0, 24.0), 8)
    tables = dict(sections.systems(got.value, "in.json").more)
    caption = next(c for c in tables if c.startswith("Corpus values per system with 95% intervals"))
    assert tables[caption].columns == ("metric", "system", "corpus", "95% CI", "items")
    assert tables[caption].rows == (("bleu score", "s0", "21.5000", "[19.0000, 24.0000]", "8"),
                                    ("bleu score", "s1", "18.2500", "n/a", "8"))
    assert not any(c.startswith("Corpus values") for c, _ in sections.systems(_read(tmp_path, _systems()).value,
                                                                               "in.json").more)


def test_check_rows_are_the_gates_rows_with_their_rule(tmp_path):
    got = _read(tmp_path, _check())
    assert got.kind == "check" and got.source.signature == "check|boot:2000|alpha:0.05"
    row = got.value.stats[0]
    assert row == StatCheck("rouge2", "fmeasure", 0.25, 0.24, "regression", "changed candidates",
                            "significant drop (p=0.03) beyond minimum effect 0.005", 0.03, "bootstrap", 0.005,
                            True, "quality", True, "mean", 40)
    assert [s.metric for s in got.value.gated] == ["rouge2"]
    assert [s.metric for s in got.value.information] == ["source_stats"]  # gated: false, shown apart
    assert (got.value.run, got.value.same_candidates, got.value.resolution) == ("runs/toy/x", False, None)


def test_signature_differences_are_read_once_with_their_resolution(tmp_path):
    diff = {"component": "stem", "change": "porter -> no", "metrics": ["rouge1", "rouge2"], "allowed": False}
    got = _read(tmp_path, _check(signature_differences=[diff], resolution="pass --allow stem", stats=[],
                                 verdict="incomparable", exit_code=2))
    assert got.value.signature_differences == (SignatureDifference("stem", "porter -> no", ("rouge1", "rouge2"), False),)
    assert got.value.resolution == "pass --allow stem"


def test_what_bench_check_writes_reads_back_as_the_same_rows(tmp_path):
    rows = (StatCheck("rouge1", "fmeasure", 0.5, 0.49, "regression", "same candidates", "beyond drift band 0"),
            StatCheck("bleu", "score", 20.0, 19.75, "within noise", "changed candidates", "within noise (p=0.3)",
                      0.3, "bootstrap", 0.5, True, "quality", True, "corpus", 40),
            StatCheck("source_stats", "density", 2.0, 1.5, "information", "descriptive", "not gated",
                      kind="descriptive", gated=False, higher_is_better=False))
    report = CheckReport("toy", 1, rows, (), (SignatureDifference("tokenize", "13a -> intl", ("bleu",), True),),
                         ("a note",), "check|boot:2000", False, "base.json", "runs/toy/x")
    path = tmp_path / "check.json"
    path.write_text(render.as_json(report))
    got = inputs.read(str(path)).value
    assert got.stats == rows and got.signature_differences == report.differences
    assert (got.verdict, got.exit_code, got.notes, got.resolution) == ("regression", 1, ("a note",), None)


def test_old_check_json_is_recognised_by_its_keys_and_has_no_rule_column(tmp_path):
    got = _read(tmp_path, _old_check())
    row = got.value.stats[0]
    assert got.kind == "check" and (row.rule, row.reason, row.band, row.gated, row.level) == ("", "", 0.005, True, "mean")
    table = sections.check(got.value, "in.json").tables[0][1]
    assert table.columns[-1] == "verdict"


def test_old_check_json_lists_each_signature_change_once_and_knows_the_allowed_ones(tmp_path):
    # the old gate listed a change under every metric it touched, and again among the problems when it blocked
    changes = {"rouge1": ["stem: porter -> no", "inputs: a -> b"], "rouge2": ["stem: porter -> no"],
               "bleu": ["tokenize: 13a -> intl"]}
    problems = ["signature differs: rouge1: stem: porter -> no", "signature differs: rouge2: stem: porter -> no",
                "item ids differ: baseline 8, run 7 items"]
    got = _read(tmp_path, {**_old_check(), "signature_changes": changes, "problems": problems,
                           "check_signature": "check|alpha:0.05|allow:tokenize"}).value
    assert got.signature_differences == (SignatureDifference("stem", "porter -> no", ("rouge1", "rouge2"), False),
                                         SignatureDifference("tokenize", "13a -> intl", ("bleu",), True))
    assert got.problems == ("item ids differ: baseline 8, run 7 items",)


@pytest.mark.parametrize("data, message", [
    (_systems(schema_version=9), "in.json has schema_version 9; this bench reads 1"),
    ({"kind": "compare", "schema_version": 1}, "in.json is a compare file, which bench report does not show"),
    (_systems(pairs=None), "in.json is damaged: systems.pairs is NoneType, not a list"),
    ({**_systems(), "systems": [{"system": "s0"}]}, "in.json is damaged: systems.systems[0].metric is missing"),
    (_systems(systems=[{**_systems()["systems"][0], "ci": [0.4]}]),
     "in.json is damaged: systems.systems[0].ci is not an interval [lo, hi]"),
    (_systems(systems=[{**_systems()["systems"][0], "added_by_hand": True}]),
     "in.json is damaged: systems.systems[0].added_by_hand is not a field of it"),
    (_systems(corpus=[{"system": "s0", "metric": "bleu", "stat": "score", "value": "high", "ci": None,
                       "n_items": 8}]), 'in.json is damaged: systems.corpus[0].value is "high", not a number'),
    (_meta(correlations=[{**_meta()["correlations"][0], "value": True}]),
     "in.json is damaged: meta.correlations[0].value is true, not a number"),
    (_meta(schema_version=9), "in.json has schema_version 9; this bench reads 1"),
    (_check(stats=[{**ROW, "higher_is_better": "yes"}]),
     "in.json is damaged: check.stats[0].higher_is_better is 'yes', not true or false"),
    (_check(stats=[{k: v for k, v in ROW.items() if k != "gated"}]), "in.json is damaged: check.stats[0] has no gated"),
    (_check(signature_differences=[{"component": "stem"}]),
     "in.json is damaged: check.signature_differences[0] has no change"),
    ({**_check(), "problems": "none"}, "in.json is damaged: check.problems is str, not a list"),
    (_old_check(higher_is_better="yes"), "in.json is damaged: check.stats[0].higher_is_better is 'yes', not true or false"),
    ({**_old_check(), "signature_changes": ["stem"]},
     "in.json is damaged: check.signature_changes is ['stem'], not an object of lists of text"),
])
def test_bad_artefacts_are_one_line_errors(tmp_path, data, message):
    with pytest.raises(BenchError) as err:
        _read(tmp_path, data)
    text = str(err.value)
    assert "\n" not in text and message in text, text
