"""Missing per-item values, end to end: an item without a value (an LLM judge's answer that cannot be
parsed) is NaN in memory and ``null`` on disk, counted in the record's ``missing`` block, left out of
means, intervals and pairs, never turned into a number, and never printed as ``nan``.

The metric is ``tests/unparsed_plugin.py``: rating = words / 10, no value for a candidate holding the word
UNPARSED (items 1 and 3 of 10 here). Expected values are computed here from the candidates, not by bench.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import bench
from bench.errors import BenchError
from bench.gate import compare as gate
from bench.gate import diff as gate_diff
from bench.metrics import registry
from bench.results import export, run_record
from bench.results.validate import DamagedRun
from bench.stats import resample
from bench.stats.intervals import BootSpec, percentile_bounds

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import unparsed_plugin  # noqa: E402

N = 10
HOLES = (1, 3)


@pytest.fixture(autouse=True)
def unparsed(monkeypatch):
    unparsed_plugin.register()
    # the plug-in's config folder on Hydra's search path, as an installed plug-in's entry point puts it
    monkeypatch.setattr(registry, "plugin_config_dirs", lambda: [f"file://{unparsed_plugin.CONFIGS}"])
    yield
    registry.unregister("unparsed")


def _candidate(k: int) -> str:
    words = " ".join(f"w{j}" for j in range(3 + (k * 7) % 11))
    return f"UNPARSED {words}" if k in HOLES else words


def _words(k: int) -> int:
    return 3 + (k * 7) % 11


def _docs(n: int = N) -> list[str]:
    return [f"d{k // 2}" for k in range(n)]


def _score(ks=range(N), holes=HOLES, **kw):
    cands = [(f"UNPARSED {_candidate(k)}" if k in holes and k not in HOLES else _candidate(k)) for k in ks]
    return bench.score(cands, ["a b c"] * len(cands), metrics=["unparsed"], ids=[f"i{k}" for k in ks],
                       documents=[f"d{k // 2}" for k in ks], **kw)


def _write_files(path: Path, ks=range(N)) -> Path:
    lines = [json.dumps({"id": f"i{k}", "candidate": _candidate(k), "reference": "a b c", "document": f"d{k // 2}",
                         "system": f"S{k % 2}"}) for k in ks]
    path.write_text("\n".join(lines) + "\n")
    return path


def _cli_run(bench_main, tmp_path, *extra):
    tmp_path.mkdir(parents=True, exist_ok=True)
    data = _write_files(tmp_path / "items.jsonl")
    done = bench_main("run", "dataset=files", f"dataset.path={data}", "+dataset.doc_key=document", "metrics=[unparsed]",
                      f"results_dir={tmp_path / 'results'}", "name=judged", *extra, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done


def _runs(tmp_path):
    return sorted(p.parent for p in (tmp_path / "results").rglob("result.json"))


# --- in memory and stored ---------------------------------------------------------------------------------


def test_metric_result_means_and_missing():
    from bench.metrics.base import MetricResult
    from bench.signature import Signature

    rows = ((0.5, 5.0), (math.nan, math.nan), (0.25, 2.5), (math.nan, 1.0))
    result = MetricResult("m", ("rating", "words"), rows, Signature("m", ()), primary="rating")
    assert result.missing() == 2
    assert result.means() == {"rating": math.fsum([0.5, 0.25]) / 2, "words": math.fsum([5.0, 2.5, 1.0]) / 3}
    empty = MetricResult("m", ("rating",), ((math.nan,), (math.nan,)), Signature("m", ()))
    assert empty.missing() == 2 and math.isnan(empty.means()["rating"])


def test_means_samples_and_record():
    run = _score()
    present = [k for k in range(N) if k not in HOLES]
    summary = run.metrics["unparsed"]
    assert summary.rating == math.fsum(_words(k) / 10 for k in present) / 8
    assert summary.words == math.fsum(float(_words(k)) for k in present) / 8
    assert summary.missing == 2 and run.missing == {"unparsed": 2}
    record = run.to_dict()["record"]
    assert record["missing"] == {"unparsed": 2}
    for k in range(N):
        stored = run.plain_samples[k]["scores"]["unparsed"]
        assert stored == ({"rating": None, "words": None} if k in HOLES else
                          {"rating": _words(k) / 10, "words": float(_words(k))})
    column = run.column("unparsed", "rating")
    assert [math.isnan(v) for v in column] == [k in HOLES for k in range(N)]
    assert all(math.isnan(run.scores("unparsed")[k]) for k in HOLES)
    assert math.isnan(run.item(1).score("unparsed", "rating"))
    json.dumps(run.to_dict(), allow_nan=False)  # no NaN anywhere in the stored form
    assert run.validated is run


def test_a_run_without_missing_values_has_no_missing_block():
    run = _score(ks=[0, 2, 4, 5, 6, 7])
    assert "missing" not in run.to_dict()["record"] and run.metrics["unparsed"].missing == 0 and run.missing == {}


def test_a_stat_without_any_value_is_null_and_printed_as_n_a():
    from bench.cli import summary

    run = _score(holes=range(N))
    record = run.to_dict()["record"]
    assert record["metrics"]["unparsed"] == {"rating": None, "words": None}
    assert record["missing"] == {"unparsed": N}
    assert record["intervals"]["metrics"]["unparsed"] == {"rating": None, "words": None}
    assert math.isnan(run.metrics["unparsed"].value)
    json.dumps(record, allow_nan=False)
    assert run.validated is run
    text = summary.of_run(run)
    assert "nan" not in text.lower() and "n/a" in text and f"({N} missing)" in text


# --- intervals ---------------------------------------------------------------------------------------------


def test_intervals_are_those_of_the_items_with_a_value():
    whole = _score()
    present = [k for k in range(N) if k not in HOLES]
    complete = _score(ks=present)
    assert whole.record["intervals"]["metrics"] == complete.record["intervals"]["metrics"]
    assert whole.interval_info.n_units == complete.interval_info.n_units == 5
    # and by hand: a percentile bootstrap of document means over the same seeded stream
    spec = BootSpec(resamples=1000, unit="doc", seed=0)
    docs = sorted({f"d{k // 2}" for k in present})
    sums = np.array([sum(_words(k) / 10 for k in present if f"d{k // 2}" == d) for d in docs])
    sizes = np.array([sum(1 for k in present if f"d{k // 2}" == d) for d in docs], dtype=float)
    draws = []
    for counts in resample.bootstrap_counts(resample.rng(0), len(docs), spec.resamples):
        draws.extend((counts @ sums) / (counts @ sizes))
    lo, hi = percentile_bounds(np.array(draws)[:, None], 0.95)
    got = whole.metrics["unparsed"].interval
    assert (got.lo, got.hi) == pytest.approx((float(lo[0]), float(hi[0])), abs=1e-12)


def test_complete_columns_do_not_move():
    """A metric without missing values beside one with: its interval is the one it has alone."""
    cands = [_candidate(k) for k in range(N)]
    both = bench.score(cands, ["a b c"] * N, metrics=["rouge", "unparsed"], documents=_docs())
    alone = bench.score(cands, ["a b c"] * N, metrics=["rouge"], documents=_docs())
    assert both.record["intervals"]["metrics"]["rouge1"] == alone.record["intervals"]["metrics"]["rouge1"]
    assert "rouge1" not in both.missing


def test_too_few_units_with_a_value_is_n_a():
    run = _score(holes=(0, 1, 2, 3))  # d0, d1 have no value: 3 documents < min_units 5
    assert run.metrics["unparsed"].interval is None
    assert run.record["intervals"]["metrics"]["unparsed"]["rating"] is None


def test_groups_are_over_the_items_with_a_value():
    run = _score(group_by="document")
    d1 = run.groups["d1"]["unparsed"]  # items 2 (a value) and 3 (none)
    assert d1.rating == _words(2) / 10
    d0 = run.groups["d0"]["unparsed"]  # items 0 and 1
    assert d0.rating == _words(0) / 10


# --- stored, validated, merged ---------------------------------------------------------------------------


def test_saved_run_loads_and_a_tampered_count_is_damage(bench_main, tmp_path):
    _cli_run(bench_main, tmp_path)
    (run_dir,) = _runs(tmp_path)
    lines = (run_dir / "samples.jsonl").read_text().splitlines()
    assert '"rating": null' in lines[1] and "NaN" not in (run_dir / "samples.jsonl").read_text()
    run = bench.load_run(run_dir)
    assert run.missing == {"unparsed": 2} and run.metrics["unparsed"].missing == 2
    record = json.loads((run_dir / "result.json").read_text())
    record["missing"]["unparsed"] = 1
    (run_dir / "result.json").write_text(json.dumps(record))
    with pytest.raises(DamagedRun, match=r"missing\.unparsed is 1, but 2 item\(s\) of samples.jsonl have no "
                                         r"unparsed rating value"):
        run_record.load(run_dir)
    del record["missing"]
    (run_dir / "result.json").write_text(json.dumps(record))
    with pytest.raises(DamagedRun, match=r"missing\.unparsed is 0, but 2"):
        run_record.load(run_dir)


def test_merge_of_shards_equals_the_whole(bench_main, tmp_path):
    _cli_run(bench_main, tmp_path / "whole")
    for index in (0, 1):
        _cli_run(bench_main, tmp_path / "shards", f"shard.index={index}", "shard.count=2")
    (whole_dir,) = _runs(tmp_path / "whole")
    whole = bench.load_run(whole_dir)
    merged = bench.merge(*_runs(tmp_path / "shards"), results_dir=tmp_path / "merged")
    assert merged.record["metrics"] == whole.record["metrics"]
    assert merged.record["missing"] == whole.record["missing"] == {"unparsed": 2}
    assert merged.record["intervals"] == whole.record["intervals"]
    assert merged.samples_list() == whole.samples_list()
    shards = [bench.load_run(d) for d in _runs(tmp_path / "shards")]
    assert sorted(s.missing.get("unparsed", 0) for s in shards) == [0, 2]  # items 1 and 3 are in the first half


# --- paired uses -------------------------------------------------------------------------------------------


def _side(values):
    from bench.results.model import Inputs, MetricSummary
    from bench.values import Facts, Stats, available_mean

    ids = tuple(f"i{k}" for k in range(len(values)))
    summary = MetricSummary("m", Stats({"v": available_mean(values)}), Facts(True, primary="v"), "m|x:1")
    return gate.Side({"m": summary}, {"m": "m|x:1"}, Inputs(len(ids), "sha256:i", "sha256:r", f"sha256:{values}"),
                     ids, {"m": {"v": list(values)}})


def test_gate_pairs_only_items_with_a_value_on_both_sides():
    rng = np.random.default_rng(3)
    base = [float(v) for v in rng.uniform(0, 1, 40)]
    run = [v - 0.2 for v in base]
    run[5] = run[17] = math.nan
    base[9] = math.nan
    spec = gate.CheckSpec(min_items=30)
    row = gate.judge(_side(base), _side(run), "m", "v", spec)
    assert row.n_items == 37 and row.dropped == 3
    assert "3 items without a value on one side left out" in row.reason
    complete = [k for k in range(40) if k not in (5, 9, 17)]
    expected = gate.paired_bootstrap_p([run[k] - base[k] for k in complete], spec.resamples, spec.seed)
    assert row.p_value == expected and row.verdict == gate.REGRESSED


def test_gate_with_fewer_than_two_pairs_skips_the_test():
    base = [0.5, 0.4, math.nan]
    run = [math.nan, math.nan, 0.3]
    row = gate.judge(_side(base), _side(run), "m", "v", gate.CheckSpec(min_items=1))
    assert row.test == gate.SKIPPED and row.n_items == 0 and row.dropped == 3 and row.p_value is None


def test_diff_leaves_out_unpaired_items_and_says_so(bench_main, tmp_path):
    from bench.cli.commands import diff as diff_cmd

    a = _cli_run(bench_main, tmp_path / "a")
    data = tmp_path / "b.jsonl"
    data.write_text("\n".join(json.dumps({"id": f"i{k}", "candidate": f"{_candidate(k).replace('UNPARSED ', '')} x",
                                          "reference": "a b c", "document": f"d{k // 2}"}) for k in range(N)) + "\n")
    done = bench_main("run", "dataset=files", f"dataset.path={data}", "+dataset.doc_key=document", "metrics=[unparsed]",
                      f"results_dir={tmp_path / 'b' / 'results'}", "name=judged", cwd=tmp_path)
    assert done.returncode == 0 and a.returncode == 0, done.stderr
    (run_a,), (run_b,) = _runs(tmp_path / "a"), _runs(tmp_path / "b")
    d = gate_diff.build(str(run_a), str(run_b), top=20)
    assert d["left_out"] == {"unparsed": 2}
    assert {m["id"] for m in d["top_movers"]["unparsed"]} == {f"i{k}" for k in range(N) if k not in HOLES}
    json.dumps(d, allow_nan=False)
    text = diff_cmd.table(d)
    assert "unparsed: 2 items without a value in one run left out of the pairs" in text and "nan" not in text.lower()
    cmp = bench.compare(run_a, run_b, resamples=200)
    assert any("unparsed: 2 item(s) without a value in some run left out" in n for n in cmp.notes)
    json.dumps(cmp.to_json(), allow_nan=False)
    for argv in (("diff", run_a, run_b), ("compare", run_a, run_b, "--resamples", "200")):
        shown = bench_main(*argv, cwd=tmp_path)
        assert shown.returncode == 0 and "nan" not in shown.stdout.lower(), (argv, shown.stdout, shown.stderr)
        assert "2 item" in shown.stdout and "left out" in shown.stdout, (argv, shown.stdout)


def test_systems_rank_on_documents_every_system_has_a_value_on():
    cands = [_candidate(k) for k in range(N)]
    run = bench.score(cands, ["a b c"] * N, metrics=["unparsed"], systems=[f"S{k % 2}" for k in range(N)],
                      documents=_docs())
    board = bench.systems(run, resamples=100)
    # S1 has no value on d0 (item 1) and d1 (item 3): the 3 other documents are ranked
    assert {r.n_docs for r in board.systems} == {3}
    expected = {s: math.fsum(_words(k) / 10 for k in range(4, N) if f"S{k % 2}" == s) / 3 for s in ("S0", "S1")}
    assert {r.system: r.mean for r in board.systems} == pytest.approx(expected, abs=1e-15)
    assert board.notes == ("unparsed rating: 2 documents without a value for some system left out "
                           "(unparsed judge answers); ranked on 3",)
    json.dumps(board.to_json(), allow_nan=False)


def test_export_writes_empty_cells_and_nulls():
    run = _score()
    table = export.table([run])
    values = [v for m, v in zip(table["metric"], table["value"]) if m == "unparsed"]
    assert values.count(None) == 4  # rating and words of items 1 and 3
    text = export.encode(table, "csv").decode()
    assert "nan" not in text.lower()
    lines = export.encode(table, "jsonl").decode().splitlines()
    assert sum(1 for line in lines if json.loads(line)["value"] is None) == 4


def test_meta_refuses_a_metric_with_missing_values():
    cands = [_candidate(k) for k in range(N)]
    meta = [{"expert": {"coherence": float(k % 5)}} for k in range(N)]
    run = bench.score(cands, ["a b c"] * N, metrics=["unparsed"], systems=[f"S{k % 2}" for k in range(N)],
                      documents=_docs(), metadata=meta)
    with pytest.raises(BenchError) as info:
        bench.meta(run, humans=["expert.coherence"])
    assert str(info.value) == (
        "metric unparsed has 2 item(s) without a value (unparsed judge answers); meta-evaluation needs a value on "
        "every (system, document); rescore them (e.g. scoring=logprobs) or leave the metric out (metrics=[...])")


# --- what is printed -------------------------------------------------------------------------------------


def test_run_show_and_ls_print_the_count_and_no_nan(bench_main, tmp_path):
    done = _cli_run(bench_main, tmp_path)
    assert "(2 missing)" in done.stdout and "nan" not in done.stdout.lower()
    (run_dir,) = _runs(tmp_path)
    show = bench_main("show", run_dir, cwd=tmp_path)
    assert show.returncode == 0 and "2 missing" in show.stdout and "nan" not in show.stdout.lower(), show.stderr
    ls = bench_main("ls", tmp_path / "results", cwd=tmp_path)
    assert ls.returncode == 0 and "(2 missing)" in ls.stdout and "nan" not in ls.stdout.lower(), ls.stderr
    board = bench_main("systems", run_dir, "--by", "system", "--doc", "document", "--resamples", "100", cwd=tmp_path)
    assert board.returncode == 0 and "nan" not in board.stdout.lower(), board.stderr
    assert "2 documents without a value for some system left out" in board.stdout, board.stdout
    listing = bench_main("ls", tmp_path / "results", "--json", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    (row,) = json.loads(listing.stdout)
    assert row["metrics"]["unparsed"]["missing"] == 2


# --- the gate end to end, and reproduce ----------------------------------------------------------------------


def _shifted_items(path: Path, extra: str, holes=HOLES, n: int = 40) -> Path:
    lines = []
    for k in range(n):
        words = " ".join(f"w{j}" for j in range(3 + (k * 7) % 11)) + extra
        lines.append(json.dumps({"id": f"i{k}", "candidate": f"UNPARSED {words}" if k in holes else words,
                                 "reference": "a b c", "document": f"d{k // 2}"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_baseline_and_check_pair_only_items_with_a_value(bench_main, tmp_path):
    from bench.gate import render

    runs = {}
    for name, extra, holes in (("base", "", (1, 3)), ("run", " x y z", (3, 8, 20))):
        data = _shifted_items(tmp_path / f"{name}.jsonl", extra, holes)
        done = bench_main("run", "dataset=files", f"dataset.path={data}", "+dataset.doc_key=document",
                          "metrics=[unparsed]", f"results_dir={tmp_path / name}", "name=judged", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        (runs[name],) = sorted(p.parent for p in (tmp_path / name).rglob("result.json"))
    path = bench.baseline(runs["base"], tmp_path / "baseline.json")
    stored = json.loads(path.read_text())
    assert stored["missing"] == {"unparsed": 2} and stored["per_item"]["scores"]["unparsed"]["rating"][1] is None
    report = bench.check(runs["run"], path, min_items=30)
    rating = next(s for s in report.stats if s.stat == "rating")
    assert rating.n_items == 36 and rating.dropped == 4  # items 1, 3, 8, 20 lack a value on one side or both
    assert "4 items without a value on one side left out" in rating.reason
    assert rating.verdict == "improved"  # every rating rises by 0.3
    for text in (render.as_json(report), render.junit(report), render.markdown(report)):
        assert "nan" not in text.lower()
    assert json.loads(render.as_json(report))["stats"][0]["dropped"] == 4
    tampered = dict(stored, missing={"unparsed": 1})
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    with pytest.raises(BenchError, match=r"missing\.unparsed is 1, but 2 per-item value\(s\) are null"):
        bench.check(runs["run"], tmp_path / "tampered.json")


def test_a_stat_without_any_value_in_the_run_is_a_regression(bench_main, tmp_path):
    from bench.gate import render

    base = _side([0.5, 0.4, 0.3])
    run = _side([math.nan] * 3)
    row = gate.judge(base, run, "m", "v", gate.CheckSpec(min_items=1))
    assert row.verdict == gate.REGRESSED and "no item has a value in the run" in row.reason
    report = gate.check("e", base, run, gate.CheckSpec(min_items=1), "baseline.json", "run")
    text = render.as_json(report)
    assert json.loads(text)["stats"][0]["run"] is None and "nan" not in text.lower()
    (tmp_path / "check.json").write_text(text)
    done = bench_main("report", tmp_path / "check.json", "--format", "markdown", "--output", "-", cwd=tmp_path)
    assert done.returncode == 0 and "nan" not in done.stdout.lower(), done.stderr


def test_reproduce_of_a_run_with_missing_values_is_identical(bench_main, tmp_path):
    _cli_run(bench_main, tmp_path)
    (run_dir,) = _runs(tmp_path)
    done = bench_main("reproduce", run_dir, cwd=tmp_path)
    assert done.returncode == 0 and "IDENTICAL" in done.stdout, done.stdout + done.stderr


def test_report_notes_the_count_and_prints_no_nan(bench_main, tmp_path):
    _cli_run(bench_main, tmp_path)
    (run_dir,) = _runs(tmp_path)
    done = bench_main("report", run_dir, "--format", "markdown", "--output", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "has 2 items without a value (unparsed judge answers)" in done.stdout
    assert "nan" not in done.stdout.lower()


def test_a_run_without_any_value_shows_n_a_everywhere(bench_main, tmp_path):
    data = tmp_path / "items.jsonl"
    data.write_text("\n".join(json.dumps({"id": f"i{k}", "candidate": f"UNPARSED {_candidate(k)}", "reference": "a b c",
                                          "document": f"d{k // 2}"}) for k in range(N)) + "\n")
    done = bench_main("run", "dataset=files", f"dataset.path={data}", "+dataset.doc_key=document", "metrics=[unparsed]",
                      f"results_dir={tmp_path / 'results'}", "name=judged", "group_by=document", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"({N} missing)" in done.stdout and "nan" not in done.stdout.lower()
    (run_dir,) = _runs(tmp_path)
    record = json.loads((run_dir / "result.json").read_text())
    assert record["metrics"]["unparsed"] == {"rating": None, "words": None}
    assert record["groups"]["values"]["d0"]["metrics"]["unparsed"] == {"rating": None, "words": None}
    for argv in (("show", run_dir), ("ls", tmp_path / "results"),
                 ("report", run_dir, "--format", "markdown", "--output", "-")):
        shown = bench_main(*argv, cwd=tmp_path)
        assert shown.returncode == 0 and "nan" not in shown.stdout.lower(), (argv, shown.stdout, shown.stderr)
        assert "n/a" in shown.stdout, argv
