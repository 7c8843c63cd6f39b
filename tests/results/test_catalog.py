"""bench.results.catalog: which folders are runs, their one-line facts, filters, order; bench.load_runs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.results import catalog
from bench.results.model import Run
from bench.results.store import dumps


def _record(experiment="exp", run_id="20261201-100000-aaaaaa", started="2026-12-01T10:00:00+00:00",
            finished=None, metrics=None, config=None, intervals=None, **extra):
    rec = {"schema_version": 1, "experiment": experiment,
           "metrics": metrics or {"rouge1": {"precision": 0.5, "recall": 0.3, "fmeasure": 0.4}},
           "config": config or {"dataset": {"name": "files"}, "metrics": {"rouge": {"use_stemmer": True}}},
           "inputs": {"dataset": "files", "items": 3, "fingerprint": "sha256:in", "references_fingerprint": "sha256:ref"},
           "environment": {"git": {"commit": "abc123", "dirty": False}},
           "volatile": {"run_id": run_id, "started_at": started, "finished_at": finished or started}, **extra}
    if intervals is not None:
        rec["intervals"] = intervals
    rec.setdefault("signatures", {m: f"{m}|v:1" for m in rec["metrics"]})
    return rec


def _samples(rec: dict) -> str:
    """Valid samples.jsonl lines for a hand-made record: scan validates the whole run."""
    lines = [{"id": str(k), "candidate": "c", "n_references": 1, "metadata": {},
              "scores": {m: dict(stats) for m, stats in rec["metrics"].items()}} for k in range(rec["inputs"]["items"])]
    return "".join(json.dumps(line) + "\n" for line in lines)


def _run(tmp_path: Path | None = None, **kw) -> Run:
    rec = _record(**kw)
    return Run.of(rec, [], Path(tmp_path or "r") / rec["experiment"] / rec["volatile"]["run_id"])


def _store(root: Path, rec: dict) -> Path:
    path = root / rec["experiment"] / rec["volatile"]["run_id"]
    path.mkdir(parents=True)
    (path / "result.json").write_text(dumps(rec))
    (path / "samples.jsonl").write_text(_samples(rec))
    return path


def test_scan_finds_runs_and_skips_what_is_not_a_run(tmp_path):
    good = _store(tmp_path, _record())
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "exp.json").write_text(dumps(_record()))
    for not_a_run in ("baselines/x", ".staging/20261201-100000-bbbbbb.host.1", ".index/y", "exp/analyses"):
        (tmp_path / not_a_run).mkdir(parents=True)
        (tmp_path / not_a_run / "result.json").write_text(dumps(_record()))  # looks like a run, is not one
    (tmp_path / "exp" / "20261201-100000-cccccc").mkdir()  # no result.json: a folder, not a run
    (tmp_path / "exp" / "notes.txt").write_text("not a folder")
    damaged = tmp_path / "exp" / "20261201-100000-dddddd"
    damaged.mkdir()
    (damaged / "result.json").write_text('{"schema_version": 1, "metr')
    runs, problems = catalog.scan(tmp_path)
    assert [r.path for r in runs] == [good]
    assert len(problems) == 1 and str(damaged) in problems[0] and "\n" not in problems[0]


@pytest.mark.parametrize("text, why", [("[1, 2]", "not an object"), ('{"schema_version": 99}', "schema_version is 99"),
                                       ('{"schema_version": 1}', "experiment is missing")])
def test_records_bench_cannot_read_are_problems_not_runs(tmp_path, text, why):
    (tmp_path / "e" / "r1").mkdir(parents=True)
    (tmp_path / "e" / "r1" / "result.json").write_text(text)
    runs, problems = catalog.scan(tmp_path)
    assert runs == [] and len(problems) == 1 and why in problems[0]


def test_a_missing_results_dir_is_an_error_not_an_empty_list(tmp_path):
    with pytest.raises(BenchError, match="no results directory"):
        catalog.scan(tmp_path / "nope")


def test_newest_first_with_ties_broken_by_finish_time():
    a = _run(run_id="20261201-100000-aaaaaa", started="2026-12-01T10:00:00+00:00")
    b = _run(run_id="20261201-100000-bbbbbb", started="2026-12-01T10:00:00+00:00", finished="2026-12-01T10:00:05+00:00")
    c = _run(run_id="20261201-110000-cccccc", started="2026-12-01T11:00:00+00:00")
    assert [r.run_id for r in catalog.select([a, c, b])] == [
        "20261201-110000-cccccc", "20261201-100000-bbbbbb", "20261201-100000-aaaaaa"]


def test_start_time_falls_back_to_the_run_id():
    rec = _record(run_id="20261201-093821-a521ac")
    del rec["volatile"]["started_at"]
    assert catalog.started_at(Run.of(rec, [])) == datetime(2026, 12, 1, 9, 38, 21).astimezone()
    assert catalog.started_at(_run(run_id="by-hand", started=None)) is None


def test_since_takes_dates_and_times_utc_unless_an_offset_is_given():
    run = _run(started="2026-12-01T10:00:00+00:00")
    assert catalog.since(catalog.parse_since("2026-12-01"))(run)
    assert catalog.since(catalog.parse_since("2026-12-01T10:00"))(run)
    assert not catalog.since(catalog.parse_since("2026-12-01T10:00:01"))(run)
    assert catalog.since(catalog.parse_since("2026-12-01T10:30+01:00"))(run)  # 09:30 UTC
    with pytest.raises(BenchError, match="not an ISO date"):
        catalog.parse_since("yesterday")
    assert catalog.parse_since(datetime(2026, 12, 1, 10)) == datetime.fromisoformat("2026-12-01T10:00+00:00")


@pytest.mark.parametrize("where, kept", [
    ("dataset.name=files", True), ("dataset.name=summeval", False), ("dataset.name!=summeval", True),
    ("metrics.rouge.use_stemmer=true", True), ("metrics.rouge.use_stemmer=True", True),
    ("metrics.bertscore.layer=5", False), ("metrics.bertscore.layer!=5", True),  # absent: only != keeps it
    ("rouge1.fmeasure>0.39", True), ("rouge1.fmeasure>=0.4", True), ("rouge1.fmeasure<0.4", False),
    ("rouge1>0.39", True),  # a metric alone: its main stat (fmeasure)
    ("rouge1.recall==0.3", True), ("rouge1.recall=0.30", True), ("dataset.name>3", False),
])
def test_where_matches_config_keys_and_metrics(where, kept):
    assert catalog.parse_where(where)(_run()) is kept


def test_where_with_an_int_config_value_matches_its_text():
    run = _run(config={"metrics": {"bertscore": {"layer": 5, "model": "roberta-large"}, "rouge": {"types": ["rouge1"]}}})
    assert catalog.parse_where("metrics.bertscore.layer=5")(run)
    assert catalog.parse_where("metrics.bertscore.model=roberta-large")(run)
    assert catalog.parse_where('metrics.rouge.types=["rouge1"]')(run)
    assert not catalog.parse_where("metrics.bertscore.layer=4")(run)


@pytest.mark.parametrize("bad", ["dataset.name", "=x", "rouge1>", "rouge1.fmeasure>high"])
def test_bad_where_is_a_one_line_error(bad):
    with pytest.raises(BenchError) as info:
        catalog.parse_where(bad)
    assert "\n" not in str(info.value) and "; " in str(info.value)


def test_a_listed_run_shows_the_main_stat_and_its_interval():
    ci = {"signature": "ci|boot:1000", "unit_field": None, "n_units": 3,
          "metrics": {"rouge1": {"fmeasure": [0.35, 0.45], "precision": None, "recall": None},
                      "length": {"ratio": None}}}
    run = _run(metrics={"rouge1": {"precision": 0.5, "recall": 0.3, "fmeasure": 0.4}, "length": {"ratio": 1.1},
                        "pair": {"a": 1.0, "b": 2.0}}, intervals=ci)
    s = catalog.listed(run, "x=1").to_dict()
    assert s["metrics"] == {"rouge1": {"metric": "rouge1", "stat": "fmeasure", "mean": 0.4, "ci": [0.35, 0.45]},
                            "length": {"metric": "length", "stat": "ratio", "mean": 1.1, "ci": None},
                            "pair": {"metric": "pair", "stat": "a", "mean": 1.0, "ci": None}}  # old rule: first stat
    recorded = catalog.listed(_run(metrics={"pair": {"a": 1.0, "b": 2.0}}, primary={"pair": "b"})).to_dict()
    assert recorded["metrics"] == {"pair": {"metric": "pair", "stat": "b", "mean": 2.0, "ci": None}}
    assert recorded["label"] is None and s["label"] == "x=1"
    assert (s["experiment"], s["run_id"], s["items"], s["dataset"], s["git_commit"], s["git_dirty"]) == (
        "exp", "20261201-100000-aaaaaa", 3, "files", "abc123", False)
    assert s["started_at"] == "2026-12-01T10:00:00+00:00" and s["ci_signature"] == "ci|boot:1000"


def test_resolve_accepts_a_path_an_experiment_and_id_or_a_bare_id(tmp_path):
    path = _store(tmp_path, _record())
    assert catalog.resolve(path) == path
    assert catalog.resolve(path / "result.json") == path
    assert catalog.resolve("exp/20261201-100000-aaaaaa", tmp_path) == tmp_path / "exp" / "20261201-100000-aaaaaa"
    assert catalog.resolve("20261201-100000-aaaaaa", tmp_path) == path
    _store(tmp_path, _record(experiment="other"))
    with pytest.raises(BenchError, match="several experiments"):
        catalog.resolve("20261201-100000-aaaaaa", tmp_path)
    with pytest.raises(BenchError, match="no run nope"):
        catalog.resolve("nope", tmp_path)


def test_metric_rows_carry_means_intervals_and_config():
    ci = {"signature": "s", "n_units": 3, "metrics": {"rouge1": {"fmeasure": [0.35, 0.45], "precision": None}}}
    rows = catalog.metric_rows(_run(intervals=ci, config={"dataset": {"name": "files"}, "check": {"alpha": 0.05},
                                                         "metrics": {"rouge": {"types": ["rouge1"]}}}))
    assert [(r["metric"], r["stat"], r["mean"], r["ci_lo"], r["ci_hi"]) for r in rows] == [
        ("rouge1", "precision", 0.5, None, None), ("rouge1", "recall", 0.3, None, None),
        ("rouge1", "fmeasure", 0.4, 0.35, 0.45)]
    assert rows[0]["config.dataset.name"] == "files" and rows[0]["config.metrics.rouge.types"] == '["rouge1"]'
    assert "config.check.alpha" not in rows[0]  # the gate's settings say nothing about the numbers


def test_load_runs_is_a_frame_of_run_level_metrics(tmp_path):
    import pandas as pd

    import bench

    saved = [bench.save(bench.score(["the cat sat", "a dog ran far"], ["a cat sat on the mat", "the dog ran"],
                                    name=name), tmp_path) for name in ("first", "second")]
    (tmp_path / "first" / "broken").mkdir()
    (tmp_path / "first" / "broken" / "result.json").write_text("{")
    with pytest.warns(UserWarning, match="broken"):
        frame = bench.load_runs(tmp_path)
    assert list(frame["experiment"].unique()) == ["second", "first"]  # newest first
    assert len(frame) == 2 * 4 * 3  # runs x ROUGE types x stats
    for path in saved:
        record = json.loads((path / "result.json").read_text())
        rows = frame[frame["run_id"] == record["volatile"]["run_id"]]
        for _, row in rows.iterrows():
            assert row["mean"] == record["metrics"][row["metric"]][row["stat"]]
            ci = record["intervals"]["metrics"][row["metric"]][row["stat"]]  # 2 items: too few for one (n/a)
            assert ci is None and pd.isna(row["ci_lo"]) and pd.isna(row["ci_hi"])
        assert set(rows["items"]) == {2} and set(rows["config.dataset.name"]) == {"memory"}
    assert {"started_at", "dataset", "signature", "git_commit"} <= set(frame.columns)
    (tmp_path / "none").mkdir()
    empty = bench.load_runs(tmp_path / "none")
    assert empty.empty and "mean" in empty.columns


def test_scan_trusts_the_index_after_one_full_check_and_load_runs_is_the_same(tmp_path):
    import bench
    from bench.results.model import Unloaded

    paths = [_store(tmp_path, _record(run_id=f"20261201-10000{k}-aaaaaa")) for k in range(2)]
    frame = bench.load_runs(tmp_path)  # a hand-made store has no index: checked in full, then recorded
    assert sorted(p.name for p in (tmp_path / ".verified" / "exp").iterdir()) == sorted(f"{p.name}.json" for p in paths)
    runs, problems = catalog.scan(tmp_path)
    assert problems == [] and all(isinstance(r.plain_samples, Unloaded) and not r.plain_samples.loaded for r in runs)
    assert bench.load_runs(tmp_path).equals(frame)
    assert [r.to_dict() for r in bench.ls(tmp_path)] == [catalog.listed(r).to_dict() for r in catalog.select(runs)]
    assert all(not r.plain_samples.loaded for r in runs)  # listing rows read no item
