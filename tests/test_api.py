"""The public API (bench.__all__): score, evaluate, save, load_run, check; the README's example runs as is."""

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

ROOT = Path(__file__).resolve().parent.parent


def test_readme_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"<!-- api-example[^>]*-->\n```python\n(.*?)```", text, flags=re.S)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert len([p for p in (tmp_path / "results" / "memory").iterdir() if p.name != "analyses"]) == 2


def test_all_is_the_api():
    assert sorted(bench.__all__) == ["Run", "Stats", "__version__", "check", "compare", "evaluate", "load_run", "load_runs", "save",
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
        assert run.item(k)["scores"]["rouge1"]["fmeasure"] == expected.fmeasure
    assert run.ids == ("a", "b") and run.item("b") == run.item(1)
    assert run.metrics["rouge1"].fmeasure == sum(run.scores("rouge1", "fmeasure")) / 2
    assert run.record["inputs"]["fingerprint"].startswith("sha256:") and run.record["run_key"].startswith("sha256:")
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
    (dict(candidates=["a"], references=[""]), "empty"),
    (dict(candidates="abc", references=["b"]), "not one string"),
    (dict(candidates=["a"], references=["b"], metrics=["rogue"]), "unknown metric 'rogue'"),
    (dict(candidates=["a"], references=["b"], rouge={"use_stemer": True}), "did you mean 'use_stemmer'"),
    (dict(candidates=["a"], references=["b"], metrics=["rouge"], bertscore={"layer": 4}), "not among metrics"),
    (dict(candidates=["a", "b"], references=["b", "c"], ids=["x", "x"]), "duplicate id"),
])
def test_score_bad_input_is_a_bench_error(kwargs, words):
    with pytest.raises(BenchError, match=re.escape(words)):
        bench.score(**kwargs)


def test_saved_run_is_an_ordinary_run(tmp_path, bench_cli):
    run = bench.score(["the cat sat", "a dog ran"] * 20, ["a cat sat down", "the dog ran off"] * 20, metrics="rouge",
                      ids=[f"i{k}" for k in range(40)])
    path = bench.save(run, tmp_path / "results")
    assert path.parent == tmp_path / "results" / "memory"
    loaded = bench.load_run(path)
    assert loaded.metrics == run.metrics and loaded.samples == run.samples and loaded.path == path
    made = bench_cli("baseline", path, "--output", tmp_path / "base.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    checked = bench_cli("check", path, "--baseline", tmp_path / "base.json", cwd=tmp_path)
    assert checked.returncode == 0 and "PASS" in checked.stdout, checked.stdout + checked.stderr
    assert bench.check(loaded, tmp_path / "base.json").verdict == "pass"
    data = json.loads((tmp_path / "base.json").read_text())
    data["metrics"]["rouge2"]["fmeasure"] += 0.001
    (tmp_path / "nudged.json").write_text(json.dumps(data))
    assert bench.check(path, tmp_path / "nudged.json").verdict == "regression"
    assert bench.check(path, tmp_path / "nudged.json", tolerances={"rouge2": {"abs": 0.01}}).verdict == "pass"


def test_evaluate_equals_bench_run(tmp_path, bench_cli):
    run = bench.evaluate(["metrics=[rouge]"])
    proc = bench_cli("run", "metrics=[rouge]", f"results_dir={tmp_path}", cwd=tmp_path)
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


def test_systems_needs_saved_runs():
    run = bench.score(["a b c"], ["a b"], metrics=["rouge"])
    with pytest.raises(BenchError, match="has not been saved"):
        bench.systems(run, run)
