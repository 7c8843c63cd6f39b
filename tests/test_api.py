"""The public API (bench.__all__): score, evaluate, save, load_run, check (the README's example runs in test_docs.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

import bench
from bench.errors import BenchError


def test_all_is_the_api():
    assert sorted(bench.__all__) == ["BenchError", "DamagedRun", "Run", "Stats", "__version__", "baseline", "check",
                                     "compare", "evaluate", "load_run", "load_runs", "ls", "merge", "meta", "save",
                                     "score", "systems"]


def test_import_bench_imports_no_heavy_library():
    code = "import bench, sys; print(sorted(m for m in ('torch', 'transformers', 'datasets', 'nltk') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_score_equals_rouge_score_with_multiple_references():
    cands = ["the cat sat on the mat", "a dog barked"]
    refs = [["a cat sat on a mat", "the cat is on the mat"], "the dog barked loudly"]
    run = bench.score(cands, refs, metrics="rouge", ids=["a", "b"], rouge={"use_stemmer": False})
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=False)
    for k, (c, r) in enumerate(zip(cands, refs)):
        expected = scorer.score_multi([r] if isinstance(r, str) else r, c)["rouge1"]
        assert run.item(k).scores["rouge1"].fmeasure == expected.fmeasure
    assert run.ids == ("a", "b") and run.item("b") == run.item(1)
    assert run.metrics["rouge1"].fmeasure == sum(run.scores("rouge1", "fmeasure")) / 2
    assert run.inputs.fingerprint.startswith("sha256:") and run.run_key.startswith("sha256:")
    assert "stem:no" in run.signatures["rouge1"]
    with pytest.raises(AttributeError):
        run.metrics["rouge1"].fmeasure = 1.0
    with pytest.raises(TypeError):
        run.record["metrics"]["rouge1"] = {}
    df = run.to_pandas()
    assert list(df["id"]) == ["a", "b"] and list(df["rouge1.fmeasure"]) == list(run.scores("rouge1", "fmeasure"))


def test_fingerprints_are_real():
    a = bench.score(["x y"], ["x z"], metrics="rouge")
    b = bench.score(["x y"], ["x w"], metrics="rouge")
    assert a.record["inputs"]["references_fingerprint"] != b.record["inputs"]["references_fingerprint"]
    assert a.record["inputs"]["candidates_fingerprint"] == b.record["inputs"]["candidates_fingerprint"]


@pytest.mark.parametrize("kwargs, words", [
    (dict(candidates=["a"], references=["b", "c"]), "1 candidates but 2 references"),
    (dict(candidates=["a"], references=[""], empty="error"), "reference 0 of item '0' in bench.score() is empty"),
    (dict(candidates=["a"], references=[None]), "references[0] is None, not text"),
    (dict(candidates=["a"], references=["b"], empty="skip"), "empty='skip' is not one of 'score', 'error'"),
    (dict(candidates="abc", references=["b"]), "not one string"),
    (dict(candidates=["a"], references=["b"], metrics=["rogue"]), "unknown metric 'rogue'"),
    (dict(candidates=["a"], references=["b"], rouge={"use_stemer": True}), "did you mean 'use_stemmer'"),
    (dict(candidates=["a"], references=["b"], metrics=["rouge"], bertscore={"layer": 4}), "not among metrics"),
    (dict(candidates=["a", "b"], references=["b", "c"], ids=["x", "x"]), "duplicate id"),
])
def test_score_bad_input_is_a_bench_error(kwargs, words):
    with pytest.raises(BenchError, match=re.escape(words)):
        bench.score(**kwargs)


def test_saved_run_is_an_ordinary_run(tmp_path, bench_main):
    run = bench.score(["the cat sat", "a dog ran"] * 20, ["a cat sat down", "the dog ran off"] * 20, metrics="rouge",
                      ids=[f"i{k}" for k in range(40)])
    path = bench.save(run, tmp_path / "results")
    assert path.parent == tmp_path / "results" / "memory"
    loaded = bench.load_run(path)
    assert loaded.metrics == run.metrics and loaded.samples == run.samples and loaded.path == path
    made = bench_main("baseline", path, "--output", tmp_path / "base.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    checked = bench_main("check", path, "--baseline", tmp_path / "base.json", cwd=tmp_path)
    assert checked.returncode == 0 and "PASS" in checked.stdout, checked.stdout + checked.stderr
    assert bench.check(loaded, tmp_path / "base.json").verdict == "pass"
    data = json.loads((tmp_path / "base.json").read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.001
    (tmp_path / "nudged.json").write_text(json.dumps(data))
    assert bench.check(path, tmp_path / "nudged.json").verdict == "regression"
    assert bench.check(path, tmp_path / "nudged.json", tolerances={"rouge2": {"drift": 0.01}}).verdict == "pass"


def test_evaluate_equals_bench_run(tmp_path, bench_main):
    run = bench.evaluate(["metrics=[rouge]"])
    proc = bench_main("run", "metrics=[rouge]", f"results_dir={tmp_path}", cwd=tmp_path)
    stored = json.loads((Path(proc.stdout.strip().splitlines()[-1]) / "result.json").read_text())
    assert stored["metrics"] == run.as_dict()["metrics"] and stored["signatures"] == run.as_dict()["signatures"]
    assert stored["run_key"] == run.record["run_key"]  # the key ignores where results go: the same run


def test_intervals_and_groups_from_the_api():
    words = "one two three four five six seven eight nine ten".split()
    cands = [" ".join(words[i % 10:] + words[: i % 10][:3]) for i in range(12)]
    refs = [" ".join(words[(i + 1) % 10:]) for i in range(12)]
    run = bench.score(cands, refs, metrics=["rouge"], rouge={"use_stemmer": False})
    lo, hi = run.intervals["rouge1"]["fmeasure"]
    assert lo <= run.metrics["rouge1"].fmeasure <= hi
    assert run.record["intervals"]["signature"] == "ci|boot:1000|level:95|unit:item|seed:0|method:percentile|min:5"
    assert run.groups == {}


# --- bench.score's item and run options ------------------------------------------------------------------------

def _texts(n: int = 12):
    words = "one two three four five six seven eight nine ten".split()
    return ([" ".join(words[i % 10:] + words[: i % 10][:3]) for i in range(n)],
            [" ".join(words[(i + 1) % 10:]) for i in range(n)])


def test_systems_and_documents_are_metadata_the_analyses_find():
    cands, refs = _texts()
    run = bench.score(cands, refs, systems=["A", "B", "C"] * 4, documents=[f"d{k // 3}" for k in range(12)],
                      metadata=[{"length": len(c)} for c in cands], ci={"resamples": 200}, group_by="system")
    assert run.item(4).metadata == {"length": len(cands[4]), "system": "B", "document": "d1"}
    dataset = run.config["dataset"]
    assert (dataset["system_key"], dataset["doc_key"]) == ("system", "document")
    assert run.interval_info.signature.startswith("ci|boot:200|level:95|unit:doc|")  # documents resampled
    assert sorted(run.groups) == ["A", "B", "C"]
    means = [sum(v for v, s in zip(run.scores("rouge1", "fmeasure"), ["A", "B", "C"] * 4) if s == g) / 4 for g in "ABC"]
    assert [run.groups[g]["rouge1"].fmeasure for g in "ABC"] == pytest.approx(means, abs=1e-12)


def test_ci_and_group_by_are_run_options_not_metric_options():
    cands, refs = _texts()
    run = bench.score(cands, refs, ci={"resamples": 0}, rouge={"use_stemmer": False})
    assert run.intervals == {} and "intervals" not in run.record
    with pytest.raises(BenchError, match=r"unknown option ci=\{\"resampels\": \.\.\.\}; did you mean 'resamples'"):
        bench.score(cands, refs, ci={"resampels": 10})


def test_score_defaults_to_rouge_only_and_says_why():
    run = bench.score(["a b c"], ["a b"])
    assert set(run.record["config"]["metrics"]) == {"rouge"}
    assert "1.4 GB model" in bench.score.__doc__


@pytest.mark.parametrize("kwargs, words", [
    (dict(candidates=["a b"], references=[{"a b": 1}]), "references[0] is dict, not text"),
    (dict(candidates=["a b"], references=[None]), "references[0] is None, not text"),
    (dict(candidates=["a b"], references=[["x", None]]), "reference 1 of item 0 is None, not text"),
    (dict(candidates=[None], references=["b"]), "candidate of item 0 is None, not text"),
    (dict(candidates=(c for c in ["a"]), references=["b"]), "candidates must be a list or tuple, not generator"),
    (dict(candidates=["a"], references=iter(["b"])), "references must be a list or tuple, not list_iterator"),
    (dict(candidates=["a \ud800 b"], references=["b"]), "candidate of item 0 holds a lone surrogate '\\ud800'"),
    (dict(candidates=["a"], references=["b \udc80"]), "reference of item 0 holds a lone surrogate"),
    (dict(candidates=["a"], references=["b"], ids=[None]), "ids[0] is NoneType None, not a string"),
    (dict(candidates=["a"], references=["b"], ids=["x", "y"]), "2 ids for 1 candidates"),
    (dict(candidates=["a"], references=["b"], systems=["x", "y"]), "2 systems for 1 candidates"),
    (dict(candidates=["a"], references=["b"], documents="d"), "documents must be a list or tuple, not one string"),
    (dict(candidates=["a"], references=["b"], metadata=[{"x": float("nan")}]), "metadata[0] is not JSON data"),
    (dict(candidates=["a"], references=["b"], metadata=[["x"]]), "metadata[0] is list, not a dict"),
    (dict(candidates=["a"], references=["b"], metadata=[{"system": "s"}], systems=["s"]), "pass it one way only"),
    (dict(candidates=["a"], references=["b"], ci=5), "ci= must be a dict"),
    (dict(candidates=[], references=[]), "no candidates to score"),
])
def test_bad_library_input_is_one_line_input_error(kwargs, words):
    from bench.errors import InputError

    with pytest.raises(InputError) as info:
        bench.score(**kwargs)
    assert words in str(info.value), str(info.value)
    assert "\n" not in str(info.value) and " --" not in str(info.value)


def test_evaluate_and_save_refuse_wrong_types(tmp_path):
    from bench.errors import InputError

    with pytest.raises(InputError, match="overrides must be a list or tuple, not one string"):
        bench.evaluate("metrics=[rouge]")
    with pytest.raises(InputError, match="bench.save takes a Run, got dict"):
        bench.save({"metrics": {}}, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_run_or_reuse_answers_an_identical_run_from_the_store(tmp_path):
    from bench import api
    from bench.config import compose_plain

    plain = compose_plain(["metrics=[rouge]", f"results_dir={tmp_path}", "ci.resamples=0"])
    first, reused = api.run_or_reuse(api.prepare(plain))
    assert not reused and first.path.parent.parent == tmp_path
    again, reused = api.run_or_reuse(api.prepare(plain))
    assert reused and again.path == first.path and again.metrics == first.metrics
    forced, reused = api.run_or_reuse(api.prepare({**plain, "force": True}))
    assert not reused and forced.path != first.path


def test_a_saved_score_run_ranks_by_its_systems_without_by(tmp_path):
    cands, refs = _texts()
    run = bench.score(cands, refs, systems=["A", "B"] * 6, documents=[f"d{k // 2}" for k in range(12)],
                      ci={"resamples": 0})
    board = bench.systems(bench.save(run, tmp_path), resamples=100, ci_resamples=100, tests=["bootstrap"],
                          cluster_test="bootstrap")
    rows = [r for r in board.to_json()["systems"] if r["metric"] == "rouge1"]
    assert sorted(r["system"] for r in rows) == ["A", "B"] and {r["n_docs"] for r in rows} == {6}  # system and doc found
    for r in rows:
        mine = [v for v, s in zip(run.scores("rouge1", "fmeasure"), ["A", "B"] * 6) if s == r["system"]]
        assert r["mean"] == pytest.approx(sum(mine) / 6, abs=1e-12)


# --- in-memory analyses: loaded or unsaved runs, validated at the edge -------------------------------------

REFS = [f"the cat sat on the mat number {k}" for k in range(12)]
IDS = [f"d{k}" for k in range(12)]


def _two_systems():
    cat = bench.score([f"the cat sat on a mat {k}" for k in range(12)], REFS, ids=IDS)
    dog = bench.score([f"a dog ran to the park {k}" for k in range(12)], REFS, ids=IDS)
    return cat, dog


def test_systems_ranks_unsaved_runs_as_it_ranks_the_saved_ones(tmp_path):
    cat, dog = _two_systems()
    unsaved = bench.systems(cat, dog, names=["cat", "dog"], resamples=200, ci_resamples=200).to_json()
    saved = bench.systems(bench.save(cat, tmp_path), bench.save(dog, tmp_path), names=["cat", "dog"],
                          resamples=200, ci_resamples=200).to_json()
    rank = {(r["system"], r["metric"]): r["rank"] for r in unsaved["systems"]}
    assert rank["cat", "rouge1"] == 1 and rank["dog", "rouge1"] == 2
    assert {r["stat"] for r in unsaved["systems"]} == {"fmeasure"}  # the record's primary stat
    assert {k: v for k, v in unsaved.items() if k != "sources"} == {k: v for k, v in saved.items() if k != "sources"}
    assert [src["run"] for src in unsaved["sources"]] == ["<unsaved run 1>", "<unsaved run 2>"]


def _with_metadata(run, metadata):
    """An unsaved run whose items carry ``metadata`` (what bench.score(metadata=...) will give directly)."""
    return bench.Run.of(run.as_dict(), [{**s, "metadata": m} for s, m in zip(run.to_dict()["samples"], metadata)])


def test_systems_by_field_on_one_unsaved_run():
    cands = [f"the cat sat on the mat number {k // 2}" if k % 2 else f"a dog {k}" for k in range(24)]
    run = bench.score(cands, [REFS[k // 2] for k in range(24)], ids=[f"i{k}" for k in range(24)])
    run = _with_metadata(run, [{"system": "cat" if k % 2 else "dog", "doc": f"doc{k // 2}"} for k in range(24)])
    rows = bench.systems(run, by="system", doc="doc", resamples=100, ci_resamples=100).to_json()["systems"]
    assert [r["system"] for r in rows if r["metric"] == "rouge1"] == ["cat", "dog"]


def test_baseline_then_check_gates_without_the_cli(tmp_path):
    cat, dog = _two_systems()
    path = bench.baseline(cat, tmp_path / "b.json")
    assert json.loads(path.read_text())["primary"]["rouge1"] == "fmeasure"
    assert bench.check(cat, path).verdict == "pass"
    assert bench.check(dog, path, min_items=5).verdict == "regression"
    with pytest.raises(BenchError, match="already exists; pass update=True"):
        bench.baseline(cat, path)
    assert bench.baseline(dog, path, update=True) == path


def test_meta_on_an_unsaved_run():
    cands = [f"the cat sat {k} " + "on the mat " * (k % 3) for k in range(12)]
    meta = [{"system": f"S{k % 3}", "doc": f"doc{k // 3}", "human": float(k % 3)} for k in range(12)]
    run = _with_metadata(bench.score(cands, [REFS[k // 3] for k in range(12)], ids=IDS), meta)
    result = bench.meta(run, humans=["human"], system="system", doc="doc", resamples=50, test_resamples=50)
    assert result.correlations and {r.stat for r in result.correlations} == {"fmeasure"}
    payload = result.to_json()  # the stored artefact: in bench's envelope
    assert payload["kind"] == "meta" and payload["schema_version"] == 1


def test_to_dict_is_json_and_record_is_read_only():
    run = bench.score(["a b c"], ["a b"])
    data = json.loads(json.dumps(run.to_dict()))
    assert data["record"]["metrics"] == {m: dict(s) for m, s in run.metrics.items()}
    assert data["samples"][0]["id"] == "0" and data["path"] is None
    with pytest.raises(TypeError):
        run.record["metrics"]["rouge1"] = {}


def test_scores_of_an_unknown_stat_lists_the_stats():
    run = bench.score(["a b c"], ["a b"])
    with pytest.raises(BenchError, match="unknown stat of rouge1 'nosuch'; valid choices: fmeasure, precision, recall"):
        run.scores("rouge1", "nosuch")


def test_analyses_refuse_a_damaged_unsaved_run():
    run = bench.score(["a b c", "b c"], ["a b", "c"])
    samples = run.to_dict()["samples"]
    del samples[1]["scores"]["rouge2"]
    damaged = bench.Run.of(run.as_dict(), samples)
    with pytest.raises(bench.DamagedRun, match=r"^run in memory is damaged: samples.jsonl line 2: scores.rouge2 is missing"):
        bench.systems(damaged, run)


# --- bench.merge and bench.ls ----------------------------------------------------------------------------


def _corpus(path: Path, n: int = 10) -> Path:
    words = "the cat sat on a mat while dogs ran far away from home today".split()
    with path.open("w") as fh:
        for i in range(n):
            ref = " ".join(words[(i + k) % len(words)] for k in range(8))
            cand = " ".join(words[(i + 2 * k) % len(words)] for k in range(7))
            fh.write(json.dumps({"id": f"d{i}", "candidate": cand, "reference": ref}) + "\n")
    return path


def test_merge_joins_saved_shards_into_the_unsharded_run(tmp_path):
    common = ["dataset=files", f"dataset.path={_corpus(tmp_path / 'd.jsonl')}", "metrics=[rouge]"]
    whole = bench.evaluate(common)
    shards = [bench.save(bench.evaluate([*common, f"shard.index={i}", "shard.count=3"]), tmp_path / "shards")
              for i in (2, 0, 1)]  # any order
    merged = bench.merge(*shards, results_dir=tmp_path / "merged")
    assert merged.path.parent == tmp_path / "merged" / "files" and merged.run_id == merged.path.name
    assert bench.load_run(merged.path).metrics == merged.metrics
    # the unsharded run's numbers, item order and signatures: a merge is not an approximation
    assert merged.metrics == whole.metrics and merged.ids == whole.ids and merged.signatures == whole.signatures
    assert merged.inputs.items == 10 and merged.inputs.shard is None
    assert merged.volatile.merged_from == tuple(sorted(p.name for p in shards))
    again = bench.merge(*map(bench.load_run, shards), results_dir=tmp_path / "merged")  # Runs as well as paths
    assert again.path != merged.path and again.metrics == merged.metrics


def test_merge_refuses_what_is_not_a_complete_set_of_shards(tmp_path):
    common = ["dataset=files", f"dataset.path={_corpus(tmp_path / 'd.jsonl')}", "metrics=[rouge]"]
    one = bench.evaluate([*common, "shard.index=0", "shard.count=2"])
    with pytest.raises(BenchError, match="need at least two shard runs"):
        bench.merge(one, results_dir=tmp_path)
    with pytest.raises(BenchError, match=r"do not cover 0..1 exactly once"):
        bench.merge(one, one, results_dir=tmp_path)
    with pytest.raises(BenchError, match="merge needs at least one run"):
        bench.merge(results_dir=tmp_path)
    assert not (tmp_path / "files").exists()


def _saved(root: Path, name: str, stem: bool, cands=("the cat sat", "a dog ran far")) -> Path:
    return bench.save(bench.score(list(cands), ["a cat sat on the mat", "the dog ran"], name=name,
                                  rouge={"use_stemmer": stem}, ci={"resamples": 0}), root)


def test_ls_lists_newest_first_with_labels_within_each_experiment(tmp_path):
    a1 = _saved(tmp_path, "a", True)
    a2 = _saved(tmp_path, "a", False)
    b = _saved(tmp_path, "b", True)
    c1, c2 = _saved(tmp_path, "c", True), _saved(tmp_path, "c", True)
    listing = bench.ls(tmp_path)
    assert [row.path for row in listing] == [c2, c1, b, a2, a1] and listing.problems == ()
    labels = {row.path: row.label for row in listing}
    # a sweep's runs are named by what differs within their experiment; a run alone, or runs that differ in
    # nothing, have no label
    assert labels == {a1: "metrics.rouge.use_stemmer=true", a2: "metrics.rouge.use_stemmer=false", b: None,
                      c1: None, c2: None}
    row = listing[3]
    assert row.run.path == a2 and row.run.metrics == bench.load_run(a2).metrics  # the validated run itself
    assert row.to_dict()["label"] == "metrics.rouge.use_stemmer=false" and row.to_dict()["run_id"] == a2.name
    assert listing.to_json() == [r.to_dict() for r in listing]


def test_ls_filters_and_reports_damaged_runs(tmp_path):
    from datetime import datetime, timedelta, timezone

    low = _saved(tmp_path, "a", True, cands=("x y z", "q r s"))
    high = _saved(tmp_path, "a", True)
    other = _saved(tmp_path, "b", True)
    (tmp_path / "a" / "broken").mkdir()
    (tmp_path / "a" / "broken" / "result.json").write_text("{")
    listing = bench.ls(tmp_path, experiment="a")
    assert [r.path for r in listing] == [high, low]
    assert len(listing.problems) == 1 and "broken" in listing.problems[0] and "\n" not in listing.problems[0]
    assert bench.load_run(low).metrics["rouge1"].fmeasure == 0.0  # no word in common
    assert [r.path for r in bench.ls(tmp_path, where="rouge1>0")] == [other, high]
    assert [r.path for r in bench.ls(tmp_path, where=["rouge1>0", "name=a"])] == [high]
    assert list(bench.ls(tmp_path, since=datetime.now(timezone.utc) + timedelta(days=1))) == []
    assert len(bench.ls(tmp_path, since="2000-01-01")) == 3
    with pytest.raises(BenchError, match="where 'rouge1' is not KEY=VALUE"):
        bench.ls(tmp_path, where="rouge1")
    with pytest.raises(BenchError, match="since 'soon' is not an ISO date"):
        bench.ls(tmp_path, since="soon")
