"""bench.report.inputs: artefacts read into typed objects through one parser; envelopes, old check JSON, damage."""

from __future__ import annotations

import json

import pytest

from bench.errors import BenchError
from bench.report import inputs, sections
from bench.values import Interval


def _check(**extra) -> dict:
    """A check result as `bench check --format json` wrote it before check JSON had an envelope."""
    row = {"metric": "rouge2", "stat": "fmeasure", "baseline": 0.25, "run": 0.24, "delta": -0.01,
           "allowed_drop": 0.005, "p_value": 0.03, "verdict": "regression", "test": "paired_bootstrap",
           "higher_is_better": True}
    return {"experiment": "toy", "baseline": "base.json", "verdict": "regression", "exit_code": 1, "problems": [],
            "notes": [], "signature_changes": {}, "check_signature": "check|alpha:0.05",
            "stats": [{**row, **extra}]}


def _systems(**change) -> dict:
    return {"kind": "systems", "schema_version": 1, "signature": "systems|ci:95", "metric_signatures": {},
            "sources": [{"run": "r", "experiment": "toy", "run_id": "x", "run_key": "sha256:ab"}], "notes": [],
            "systems": [{"system": "s0", "metric": "rouge1", "stat": "fmeasure", "mean": 0.5, "ci": [0.4, 0.6],
                         "n_docs": 8, "rank": 1, "cluster": 1, "added_by_a_newer_bench": True}],
            "pairs": [], **change}


def _read(tmp_path, data) -> inputs.Input:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    return inputs.read(str(path))


def test_systems_rows_are_typed_and_unknown_keys_ignored(tmp_path):
    got = _read(tmp_path, _systems())
    assert got.kind == "systems" and got.source.runs == ("sha256:ab",)
    row = got.value.systems[0]
    assert (row.system, row.mean, row.ci, row.rank) == ("s0", 0.5, Interval(0.4, 0.6), 1)
    assert got.source.sha256.startswith("sha256:") and got.source.signature == "systems|ci:95"


def test_old_check_json_is_recognised_by_its_keys_and_has_no_rule_column(tmp_path):
    got = _read(tmp_path, _check())
    assert got.kind == "check" and got.value.stats[0].rule == ""
    table = sections.check(got.value, "in.json").tables[0][1]
    assert table.columns[-1] == "verdict"


def test_check_in_its_envelope_shows_the_rule_of_each_row(tmp_path):
    data = {"kind": "check", "schema_version": 1, **_check(rule="significant drop beyond 0.005 (p=0.03)")}
    got = _read(tmp_path, data)
    table = sections.check(got.value, "in.json").tables[0][1]
    assert table.columns[-2:] == ("verdict", "rule")
    assert table.rows[0][-2:] == ("regression", "significant drop beyond 0.005 (p=0.03)")


@pytest.mark.parametrize("data, message", [
    (_systems(schema_version=9), "in.json has schema_version 9; this bench reads 1"),
    ({"kind": "compare", "schema_version": 1}, "in.json is a compare file, which bench report does not show"),
    (_systems(pairs=None), "in.json is damaged: systems.pairs is NoneType, not a list"),
    ({**_systems(), "systems": [{"system": "s0"}]}, "in.json is damaged: systems.systems[0] has no metric"),
    (_systems(systems=[{**_systems()["systems"][0], "ci": [0.4]}]),
     "in.json is damaged: systems.systems[0].ci is [0.4], not [lo, hi] or null"),
    (_check(higher_is_better="yes"), "in.json is damaged: check.stats[0].higher_is_better is 'yes', not true or false"),
    ({**_check(), "problems": "none"}, "in.json is damaged: check.problems is str, not a list"),
])
def test_bad_artefacts_are_one_line_errors(tmp_path, data, message):
    with pytest.raises(BenchError) as err:
        _read(tmp_path, data)
    text = str(err.value)
    assert "\n" not in text and message in text, text
