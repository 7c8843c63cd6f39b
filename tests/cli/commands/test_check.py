"""`bench baseline`, `bench check`, `bench diff`, `bench reproduce` end to end, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests import _cli

ROUGE_ONLY = "metrics=[rouge]"


def bench(*args, cwd):
    return _cli.run(*args, cwd=cwd)  # in process (tests/_cli.py)


def one_line_error(proc):
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("bench: error:"), proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, toy_store):
    """A ROUGE-only seed run and its baseline (a copy of the session's toy store: the tests write beside it)."""
    store = toy_store.copy_to(tmp_path_factory.mktemp("check"))
    return store.root, store.seed, store.baseline


def test_unchanged_run_passes(seeded):
    tmp, run_dir, base = seeded
    proc = bench("check", run_dir, "--baseline", base, cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout


def test_baseline_is_never_overwritten_implicitly(seeded):
    tmp, run_dir, base = seeded
    line = one_line_error(bench("baseline", run_dir, "--output", base, cwd=tmp))
    assert "--update" in line
    assert bench("baseline", run_dir, "--output", base, "--update", cwd=tmp).returncode == 0


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "junit"])
def test_nudged_baseline_fails_and_names_the_metric(seeded, fmt):
    tmp, run_dir, base = seeded
    data = json.loads(base.read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.001
    nudged = tmp / f"nudged-{fmt}.json"
    nudged.write_text(json.dumps(data))
    proc = bench("check", run_dir, "--baseline", nudged, "--format", fmt, "--junit", tmp / f"{fmt}.xml", cwd=tmp)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "rouge2" in proc.stdout
    if fmt == "json":
        out = json.loads(proc.stdout)
        assert out["verdict"] == "regression"
        assert [(s["metric"], s["stat"]) for s in out["stats"] if s["verdict"] == "regression"] == [("rouge2", "fmeasure")]
    suite = ET.parse(tmp / f"{fmt}.xml").getroot()
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["rouge2"] and suite.get("failures") == "1" and suite.get("tests") == str(len(data["metrics"]))  # one testcase per metric


def test_changed_option_is_a_signature_difference(seeded):
    tmp, _, base = seeded
    proc = bench("check", "--baseline", base, ROUGE_ONLY, "metrics.rouge.use_stemmer=false",
                 f"results_dir={tmp}/results", cwd=tmp)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "stem: porter -> no" in proc.stdout
    allowed = bench("check", "--baseline", base, "--allow", "stem", ROUGE_ONLY, "metrics.rouge.use_stemmer=false",
                    f"results_dir={tmp}/results", cwd=tmp)
    assert allowed.returncode in (0, 1)  # comparable now; the numbers decide


def test_reproduce_says_identical_and_diff_shows_signature(seeded):
    tmp, run_dir, _ = seeded
    proc = bench("reproduce", run_dir, cwd=tmp)
    assert proc.returncode == 0 and proc.stdout.startswith("IDENTICAL"), proc.stdout + proc.stderr
    other = bench("run", ROUGE_ONLY, "metrics.rouge.use_stemmer=false", f"results_dir={tmp}/results", cwd=tmp)
    other_dir = other.stdout.strip().splitlines()[-1]
    diff = bench("diff", run_dir, other_dir, cwd=tmp)
    assert diff.returncode == 0
    assert "signature rouge1: stem: porter -> no" in diff.stdout


def test_reproduce_detects_drift(seeded, tmp_path):
    tmp, run_dir, _ = seeded
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    record = json.loads((copy / "result.json").read_text())
    record["metrics"]["rouge1"]["recall"] += 1e-9
    (copy / "result.json").write_text(json.dumps(record))
    proc = bench("reproduce", copy, cwd=tmp)
    assert proc.returncode == 1 and "DRIFTED" in proc.stdout and "rouge1.recall" in proc.stdout


def _bad_baselines(tmp: Path, base: Path):
    data = json.loads(base.read_text())
    yield "missing", tmp / "nope.json", "not found"
    corrupt = tmp / "corrupt.json"
    corrupt.write_text('{"kind": "bench-baseline", ')
    yield "corrupt", corrupt, "corrupt"
    other = tmp / "other.json"
    other.write_text(json.dumps({**data, "experiment": "summeval"}))
    yield "other experiment", other, "experiment 'summeval'"
    old = tmp / "old.json"
    old.write_text(json.dumps({**data, "schema_version": 0}))
    yield "schema", old, "schema_version 0"


def test_bad_baselines_exit_2_with_one_line(seeded):
    tmp, run_dir, base = seeded
    for name, path, expected in _bad_baselines(tmp, base):
        line = one_line_error(bench("check", run_dir, "--baseline", path, cwd=tmp))
        assert expected in line, (name, line)


def test_a_directory_that_is_not_a_run(seeded, tmp_path):
    tmp, _, base = seeded
    assert "is not a run" in one_line_error(bench("check", tmp_path, "--baseline", base, cwd=tmp))
    assert "is not a run" in one_line_error(bench("reproduce", tmp_path, cwd=tmp))
    assert "is not a run" in one_line_error(bench("baseline", tmp_path, cwd=tmp))


def _nudged(base: Path, path: Path) -> Path:
    """The baseline with rouge2 F raised by 0.005: the run drops by 0.005 against it."""
    data = json.loads(base.read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.005
    path.write_text(json.dumps(data))
    return path


def test_check_settings_apply_to_a_stored_run_in_any_order(seeded):
    """The settings are the invocation's, before or after RUN_DIR; never the run's stored ones."""
    tmp, run_dir, base = seeded
    nudged = _nudged(base, tmp / "nudged-order.json")
    assert bench("check", run_dir, "--baseline", nudged, cwd=tmp).returncode == 1
    for args in ([run_dir, "check.tolerances.rouge2.drift=0.01"], ["check.tolerances.rouge2.drift=0.01", run_dir]):
        proc = bench("check", *args, "--baseline", nudged, "--format", "json", cwd=tmp)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        stats = {(s["metric"], s["stat"]): s for s in json.loads(proc.stdout)["stats"]}
        assert stats[("rouge2", "fmeasure")]["band"] == 0.01
        assert stats[("rouge2", "fmeasure")]["reason"] == "within drift band 0.01"
    other = bench("check", run_dir, "limit=3", "--baseline", nudged, cwd=tmp)
    assert "only check settings apply" in one_line_error(other)


def test_options_then_overrides_as_help_shows_and_any_interleaving(seeded):
    """`RUN --baseline B --format json check.X=V` (the order --help documents) once ended in
    `unrecognized arguments`: argparse had bound the positionals before the options."""
    tmp, run_dir, base = seeded
    nudged = _nudged(base, tmp / "nudged-documented-order.json")
    override = "check.tolerances.rouge2.drift=0.01"
    for args in ([run_dir, "--baseline", nudged, "--format", "json", override],
                 ["--format", "json", run_dir, "--baseline", nudged, override],
                 ["--baseline", nudged, override, "--format", "json", run_dir]):
        proc = bench("check", *args, cwd=tmp)
        assert proc.returncode == 0, (args, proc.stdout + proc.stderr)
        stats = {(s["metric"], s["stat"]): s for s in json.loads(proc.stdout)["stats"]}
        assert stats[("rouge2", "fmeasure")]["band"] == 0.01


def test_overrides_after_options_reach_the_experiment_run_first(seeded):
    tmp, _, base = seeded
    nudged = _nudged(base, tmp / "nudged-run-first.json")
    proc = bench("check", "--baseline", nudged, "--format", "json", ROUGE_ONLY, f"results_dir={tmp}/results",
                 "--allow", "transformers", "check.tolerances.rouge2.drift=0.01", cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "pass"


@pytest.mark.parametrize("alpha", ["2", "1", "0", "-0.05", "nan", "inf"])
def test_an_alpha_outside_0_1_is_refused_in_one_line_before_any_run(seeded, tmp_path, alpha):
    """From a run directory and when the experiment is run first: refused before the run is computed
    (an empty results directory stays empty)."""
    tmp, run_dir, base = seeded
    line = one_line_error(bench("check", run_dir, "--baseline", base, f"check.alpha={alpha}", cwd=tmp))
    assert "is outside (0, 1)" in line and "check.alpha=" in line
    fresh = tmp_path / "results"
    line = one_line_error(bench("check", "--baseline", base, ROUGE_ONLY, f"results_dir={fresh}",
                                f"check.alpha={alpha}", cwd=tmp))
    assert "is outside (0, 1)" in line
    assert not fresh.exists() or not any(fresh.rglob("result.json"))


def test_other_out_of_range_check_settings_are_refused_before_any_run(seeded, tmp_path):
    tmp, _, base = seeded
    fresh = tmp_path / "results"
    for bad, words in (("check.resamples=0", "check.resamples=0 is not a whole number >= 1"),
                       ("check.min_items=-1", "check.min_items=-1 is not a whole number >= 1"),
                       ("check.tolerances.rouge1.min_effect=-0.1", "check.tolerances.rouge1.min_effect=-0.1")):
        line = one_line_error(bench("check", "--baseline", base, ROUGE_ONLY, f"results_dir={fresh}", bad, cwd=tmp))
        assert words in line, line
    assert not fresh.exists() or not any(fresh.rglob("result.json"))


def test_check_overrides_apply_when_the_run_is_answered_from_the_store(seeded):
    tmp, _, base = seeded
    nudged = _nudged(base, tmp / "nudged-cached.json")
    common = ["--baseline", nudged, ROUGE_ONLY, f"results_dir={tmp}/results"]
    first = bench("check", *common, cwd=tmp)
    assert first.returncode == 1
    proc = bench("check", *common, "check.tolerances.rouge2.drift=0.01", cwd=tmp)
    assert "answered from the store" in proc.stderr  # the run came from the cache ...
    assert proc.returncode == 0, proc.stdout  # ... and the override still decided the verdict


def test_the_removed_shared_band_is_refused_with_what_replaced_it(seeded):
    """check.default.abs=0.05 once gave BLEU (0-100) the allowed drop of ROUGE (0-1)."""
    tmp, run_dir, base = seeded
    line = one_line_error(bench("check", run_dir, "check.default.abs=0.05", "--baseline", base, cwd=tmp))
    assert "check.default.abs no longer exists" in line and "check.default.min_effect_range" in line
    assert "check.alpha=2.0 is outside (0, 1)" in one_line_error(bench("check", run_dir, "check.alpha=2",
                                                                        "--baseline", base, cwd=tmp))


def test_same_candidates_rows_name_the_drift_band_and_a_skipped_test_is_not_mentioned(seeded):
    tmp, run_dir, base = seeded
    data = json.loads(base.read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.0389
    nudged = tmp / "nudged-default.json"
    nudged.write_text(json.dumps(data))
    proc = bench("check", run_dir, "--baseline", nudged, cwd=tmp)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith("rouge2") and "fmeasure" in ln]
    assert " regression " in line and line.endswith(" same candidates: beyond drift band 0"), line
    assert "same candidates as the baseline" in proc.stdout and "bootstrap skipped" not in proc.stdout


def test_incomparable_lists_each_difference_once_with_the_commands_that_resolve_it(seeded):
    tmp, run_dir, base = seeded
    proc = bench("check", "--baseline", base, ROUGE_ONLY, "metrics.rouge.use_stemmer=false",
                 f"results_dir={tmp}/results", cwd=tmp)
    assert proc.returncode == 2
    assert proc.stdout.count("porter -> no") == 1, proc.stdout
    assert "stem: porter -> no (rouge1, rouge2, rougeL, rougeLsum)" in proc.stdout
    (fix,) = [ln for ln in proc.stdout.splitlines() if "to resolve:" in ln]
    assert "--allow stem" in fix and "check.allow_signature_changes=[stem]" in fix
    assert f"--output {base} --update" in fix and "bench baseline " in fix


def _texts(n: int, shorten: bool) -> list[dict]:
    """``n`` items of seeded random words: a source article, a reference drawn mostly from it and a candidate
    (a window of the article); ``shorten``: every candidate loses its last two words."""
    import random

    rng = random.Random(11)
    vocab = [f"w{k}" for k in range(60)]
    rows = []
    for i in range(n):
        article = [rng.choice(vocab) for _ in range(80)]
        reference = rng.sample(article, 15) + [rng.choice(vocab) for _ in range(5)]
        start = rng.randrange(0, 60)
        candidate = article[start:start + 20]
        rows.append({"id": f"doc{i:02d}", "article": " ".join(article) + ".", "summary": " ".join(reference) + ".",
                     "candidate": " ".join(candidate[:-2] if shorten else candidate) + "."})
    return rows


def test_shortened_candidates_gate_quality_metrics_by_noise_and_effect_and_describe_the_rest(tmp_path):
    """The issue's scenario: a 40-item run with metrics=[rouge,bleu,source_stats], then shorter candidates."""
    results = tmp_path / "results"

    def run(rows, name):
        data = tmp_path / f"{name}.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in rows))
        proc = bench("run", "dataset=files", f"dataset.path={data}", "dataset.columns.source=article",
                     "dataset.columns.references=[summary]", "metrics=[rouge,bleu,source_stats]", "name=scenario",
                     f"results_dir={results}", "ci.resamples=0", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip().splitlines()[-1]

    base_run, short_run = run(_texts(40, False), "base"), run(_texts(40, True), "short")
    assert bench("baseline", base_run, "--output", tmp_path / "b.json", cwd=tmp_path).returncode == 0
    proc = bench("check", short_run, "--baseline", tmp_path / "b.json", "--format", "json", cwd=tmp_path)
    report = json.loads(proc.stdout)
    rows = report["stats"]
    assert report["kind"] == "check" and not report["same_candidates"]
    descriptive = [r for r in rows if r["kind"] == "descriptive"]
    assert {r["metric"] for r in descriptive} >= {"summary_tokens", "compression", "coverage", "density", "novel_2"}
    assert all(r["verdict"] == "information" and not r["gated"] and r["rule"] == "descriptive" for r in descriptive)
    gated = [r for r in rows if r["gated"]]
    assert {r["metric"] for r in gated} == {"rouge1", "rouge2", "rougeL", "rougeLsum", "bleu"}
    # BLEU is gated on its corpus value (sacrebleu's paired bootstrap); its mean of sentence scores is information
    assert [(r["level"], r["gated"]) for r in rows if r["metric"] == "bleu"] == [("mean", False), ("corpus", True)]
    assert all(r["rule"] == "changed candidates" and r["reason"] for r in gated)
    noise = [r for r in gated if r["p_value"] is not None and r["p_value"] >= 0.05]
    assert noise and all(r["verdict"] == "within noise" and r["reason"] == f"within noise (p={r['p_value']:.2g})"
                         for r in noise)
    assert proc.returncode == (1 if any(r["verdict"] == "regression" for r in gated) else 0)
    table = bench("check", short_run, "--baseline", tmp_path / "b.json", cwd=tmp_path).stdout
    head, info = table.split("information (not gated: descriptive statistics; corpus metrics' means of items):")
    assert "coverage" in info and "summary_tokens" in info and "coverage" not in head
    for line in head.splitlines()[2:]:
        if line.split()[0] in {r["metric"] for r in gated}:
            assert "changed candidates: " in line, line  # every gated row names its rule
