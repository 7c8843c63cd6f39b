"""Empty and whitespace-only texts end to end (inputs.empty): scored by default, as rouge-score, sacrebleu and
bert-score score them, counted in the record and named in one warning; refused in one line with
``inputs.empty=error`` (``empty="error"`` from Python); a missing text is an error either way.

ROUGE/BLEU values of empty texts are the metrics' own business (tests/metrics); here a run with them must
complete with finite values and the analyses (systems, compare, meta) must work over it. BERTScore's values of
empty texts are checked against bert-score in tests/metrics/test_bertscore.py.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest

import bench
from bench.data.items import EmptyTexts
from bench.errors import BenchError

WORDS = "the cat sat on a mat while dogs ran far away from home today".split()
WARNING_END = "; scored as rouge-score, sacrebleu and bert-score score them (the run record lists them under inputs.empty)"


def _row(k: int) -> dict:
    return {"id": f"doc{k:02d}", "candidate": " ".join(WORDS[(k + 2 * j) % len(WORDS)] for j in range(7)),
            "reference": " ".join(WORDS[(k + j) % len(WORDS)] for j in range(8))}


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _warnings(records) -> list[str]:
    return [r.getMessage() for r in records if r.levelno >= logging.WARNING and r.getMessage().startswith("warning:")]


def _finite(run) -> None:
    for name, summary in run.metrics.items():
        assert all(math.isfinite(v) for v in summary.values()), (name, dict(summary))
        for stat in summary:
            assert all(math.isfinite(v) for v in run.scores(name, stat)), (name, stat)


# --- bench run dataset=files ----------------------------------------------------------------------------


def _thirty_one(tmp_path: Path, **changes: dict) -> Path:
    """31 real-looking rows, one with id 'empty' whose fields are ``changes['empty']``."""
    rows = [_row(k) for k in range(30)] + [{**_row(30), "id": "empty", **changes.get("empty", {})}]
    return _jsonl(tmp_path / "outputs.jsonl", rows)


def test_cli_scores_an_empty_candidate_warns_once_and_records_it(tmp_path, bench_main):
    data = _thirty_one(tmp_path, empty={"candidate": ""})
    results = tmp_path / "results"
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge,bleu]", f"results_dir={results}",
                      cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("[bench] warning:")]
    assert lines == ["[bench] warning: 1 of 31 candidates is empty or whitespace-only (ids: 'empty')" + WARNING_END]
    run = bench.load_run(proc.stdout.strip().splitlines()[-1])
    assert len(run) == 31 and run.inputs.items == 31
    assert run.inputs.empty == EmptyTexts(1, ("empty",), 0, ())
    record = json.loads((run.path / "result.json").read_text())
    assert record["inputs"]["empty"] == {"candidates": 1, "candidate_ids": ["empty"], "references": 0, "reference_ids": []}
    assert record["config"]["inputs"] == {"empty": "score"}
    _finite(run)
    empty_row = run.ids.index("empty")
    assert run.scores("rouge1", "fmeasure")[empty_row] == 0.0  # rouge-score's value for a candidate with no token


def test_cli_scores_a_whitespace_only_reference(tmp_path, bench_main):
    data = _thirty_one(tmp_path, empty={"reference": " \t\n "})
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]",
                      f"results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("[bench] warning:")]
    assert lines == ["[bench] warning: 1 of 31 items has an empty or whitespace-only reference (ids: 'empty')" + WARNING_END]
    run = bench.load_run(proc.stdout.strip().splitlines()[-1])
    assert (run.inputs.empty.candidates, run.inputs.empty.references, run.inputs.empty.reference_ids) == (0, 1, ("empty",))
    _finite(run)


def test_cli_without_empty_texts_records_zero_and_warns_nothing(tmp_path, bench_main):
    data = _jsonl(tmp_path / "clean.jsonl", [_row(k) for k in range(5)])
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]",
                      f"results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr
    run = bench.load_run(proc.stdout.strip().splitlines()[-1])
    assert run.inputs.empty == EmptyTexts() and not run.inputs.empty


@pytest.mark.parametrize("field, value, words", [
    ("candidate", "", "candidate of item 'empty' in dataset 'files' is empty or whitespace-only; fill it in or drop the row"),
    ("candidate", "\u3000 \n", "candidate of item 'empty' in dataset 'files' is empty or whitespace-only"),
    ("reference", "", "reference 0 of item 'empty' in dataset 'files' is empty or whitespace-only"),
], ids=["empty-candidate", "whitespace-candidate", "empty-reference"])
def test_cli_error_mode_refuses_in_one_line_and_writes_nothing(tmp_path, bench_main, field, value, words):
    data = _thirty_one(tmp_path, empty={field: value})
    results = tmp_path / "results"
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]", "inputs.empty=error",
                      f"results_dir={results}", cwd=tmp_path)
    assert proc.returncode != 0
    (line,) = proc.stderr.splitlines()
    assert line.startswith("bench: error: ") and words in line
    assert proc.stdout == "" and not results.exists()


@pytest.mark.parametrize("mode", ["score", "error"])
def test_cli_a_missing_candidate_is_an_error_in_either_mode(tmp_path, bench_main, mode):
    rows = [_row(0), {"id": "gone", "reference": "a cat"}]  # no candidate key: the column's value is None
    data = _jsonl(tmp_path / "missing.jsonl", rows)
    results = tmp_path / "results"
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]", f"inputs.empty={mode}",
                      f"results_dir={results}", cwd=tmp_path)
    assert proc.returncode != 0
    assert proc.stderr.splitlines() == [
        "bench: error: candidate of item 'gone' in dataset 'files' is missing (None); fill it in or drop the row"]
    assert not results.exists()


def test_cli_an_unknown_mode_is_one_line(tmp_path, bench_main):
    data = _thirty_one(tmp_path)
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]", "inputs.empty=skip",
                      f"results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert proc.returncode != 0
    assert proc.stderr.splitlines() == [
        "bench: error: unknown inputs.empty value 'skip'; valid choices: error, score"]


# --- bench.score ---------------------------------------------------------------------------------------


CASES = [
    # id, candidates, references, (candidate ids, reference ids) expected empty
    ("empty-candidate", ["the cat sat", ""], ["a cat sat", "a dog ran"], (["1"], [])),
    ("empty-reference", ["the cat sat", "a dog"], ["a cat sat", ""], ([], ["1"])),
    ("whitespace-only", [" \t", "a dog"], ["a cat sat", ["a dog ran", "\n"]], (["0"], ["1"])),
    ("all-empty", ["", " ", "\n", "\u3000", ""], ["", "a", " ", "b c", ""], (["0", "1", "2", "3", "4"], ["0", "2", "4"])),
]


@pytest.mark.parametrize("cands, refs, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_score_accepts_empty_texts_and_counts_them(cands, refs, expected, caplog):
    with caplog.at_level(logging.WARNING, logger="bench"):
        run = bench.score(cands, refs, metrics=["rouge", "bleu"])
    (line,) = _warnings(caplog.records)  # one line, whatever the metrics
    assert line.endswith(WARNING_END)
    empty = run.inputs.empty
    assert (list(empty.candidate_ids), list(empty.reference_ids)) == expected
    assert (empty.candidates, empty.references) == tuple(len(ids) for ids in expected)
    assert list(run.record["inputs"]["empty"]["candidate_ids"]) == expected[0]
    assert run.config["inputs"] == {"empty": "score"}
    _finite(run)
    for k in map(int, expected[0]):
        assert run.scores("rouge1", "fmeasure")[k] == 0.0


def test_score_all_empty_candidates_scores_zero():
    run = bench.score(["", " ", "\t"], ["a b", "c d", "e"], metrics=["rouge"])
    assert run.metrics["rouge1"].fmeasure == 0.0 and run.metrics["rougeL"].fmeasure == 0.0


@pytest.mark.parametrize("cands, refs, message", [
    (["a", ""], ["a", "b"], "candidate of item '1' in bench.score() is empty or whitespace-only; fill it in or drop the row"),
    (["a", "b"], ["a", ["b", "  "]], "reference 1 of item '1' in bench.score() is empty or whitespace-only"),
], ids=["candidate", "reference"])
def test_score_error_mode_refuses(cands, refs, message, caplog):
    with caplog.at_level(logging.WARNING, logger="bench"), pytest.raises(BenchError) as info:
        bench.score(cands, refs, empty="error")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)
    assert not _warnings(caplog.records)


def test_score_error_mode_records_its_option():
    run = bench.score(["a b"], ["a c"], empty="error")
    assert run.config["inputs"] == {"empty": "error"} and not run.inputs.empty


@pytest.mark.parametrize("value", ["skip", None, 0, "ERROR"])
def test_score_bad_empty_option_names_the_keyword(value):
    with pytest.raises(bench.errors.InputError) as info:
        bench.score(["a"], ["b"], empty=value)
    assert str(info.value).startswith(f"empty={value!r} is not one of 'score', 'error'")
    assert "inputs.empty" not in str(info.value)  # a Python caller gets the keyword, not the override


def test_score_a_none_candidate_is_still_an_error():
    with pytest.raises(bench.errors.InputError, match="candidate of item 1 is None, not text"):
        bench.score(["a", None], ["a", "b"])


def test_the_count_survives_save_and_load(tmp_path):
    run = bench.score(["a b", ""], ["a", "b"], ids=["x", "y"])
    loaded = bench.load_run(bench.save(run, tmp_path))
    assert loaded.inputs.empty == run.inputs.empty == EmptyTexts(1, ("y",), 0, ())


def test_a_damaged_count_is_refused(tmp_path):
    path = bench.save(bench.score(["a b", ""], ["a", "b"]), tmp_path)
    record = json.loads((path / "result.json").read_text())
    record["inputs"]["empty"]["candidates"] = 2
    (path / "result.json").write_text(json.dumps(record))
    with pytest.raises(BenchError, match=r"inputs.empty.candidates is 2 for 1 ids"):
        bench.load_run(path)


@pytest.mark.slow
def test_score_bertscore_of_empty_texts_is_bert_scores_zero():
    # bert-score sets P and R of a pair with an empty text to 0, and F (NaN) to 0 (tests/metrics/test_bertscore.py)
    run = bench.score(["the cat sat on the mat", "", "a dog"], ["a cat sat on a mat", "a dog ran", " "],
                      metrics=["bertscore"], bertscore={"progress": False})
    assert [run.scores("bertscore", s)[1:] for s in ("precision", "recall", "f1")] == [(0.0, 0.0)] * 3
    assert run.scores("bertscore", "f1")[0] > 0.5


# --- analyses over runs with empty outputs ----------------------------------------------------------------


SYSTEMS, DOCS = ["A", "B", "C", "D"], [f"d{k}" for k in range(6)]


def _output(system: str, doc: int) -> str:
    if (system, doc) == ("C", 3):
        return ""  # system C wrote nothing for document d3
    words = WORDS[doc:] + WORDS[:doc]
    return " ".join(words[: 4 + 2 * SYSTEMS.index(system)])  # longer systems overlap the reference more


def _reference(doc: int) -> str:
    words = WORDS[doc:] + WORDS[:doc]
    return " ".join(words[:10])


def test_systems_compare_and_meta_over_a_run_with_an_empty_output(caplog):
    pairs = [(s, d) for d in range(len(DOCS)) for s in SYSTEMS]
    with caplog.at_level(logging.WARNING, logger="bench"):
        run = bench.score([_output(s, d) for s, d in pairs], [_reference(d) for _, d in pairs],
                          ids=[f"{DOCS[d]}-{s}" for s, d in pairs], systems=[s for s, _ in pairs],
                          documents=[DOCS[d] for _, d in pairs],
                          metadata=[{"human": float(SYSTEMS.index(s)) + (0.5 if d % 2 else 0.0)} for s, d in pairs],
                          metrics=["rouge", "bleu"])
    assert _warnings(caplog.records) == ["warning: 1 of 24 candidates is empty or whitespace-only (ids: 'd3-C')" + WARNING_END]
    assert run.inputs.empty.candidate_ids == ("d3-C",)

    board = bench.systems(run, resamples=100, ci_resamples=100).to_json()
    rows = {r["system"]: r for r in board["systems"] if r["metric"] == "rouge1"}
    assert sorted(rows) == SYSTEMS and {r["n_docs"] for r in rows.values()} == {6}  # C keeps its empty document
    c_scores = [v for i, v in zip(run.ids, run.scores("rouge1", "fmeasure")) if i.endswith("-C")]
    assert 0.0 in c_scores and rows["C"]["mean"] == pytest.approx(math.fsum(c_scores) / 6, abs=1e-15)

    # one run per system over the same six documents (ids = documents): compare and systems of several runs
    per_system = [bench.score([_output(s, d) for d in range(len(DOCS))], [_reference(d) for d in range(len(DOCS))],
                              ids=DOCS, metrics=["rouge"]) for s in SYSTEMS]
    assert [r.inputs.empty.candidates for r in per_system] == [0, 0, 1, 0]
    comparison = bench.compare(*per_system, names=SYSTEMS, resamples=100).to_json()
    means = {v["label"]: v["mean"] for v in comparison["values"] if v["metric"] == "rouge1"}
    assert means == {s: r.metrics["rouge1"].fmeasure for s, r in zip(SYSTEMS, per_system)}
    several = bench.systems(*per_system, names=SYSTEMS, resamples=100, ci_resamples=100).to_json()
    assert {r["system"]: r["n_docs"] for r in several["systems"] if r["metric"] == "rouge1"} == dict.fromkeys(SYSTEMS, 6)

    result = bench.meta(run, humans=["human"], resamples=50, test_resamples=50)
    assert {c.metric for c in result.correlations} >= {"rouge1", "bleu"}
    assert all(math.isfinite(c.value) for c in result.correlations)
