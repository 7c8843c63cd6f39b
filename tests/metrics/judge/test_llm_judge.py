"""The llm_judge metric family end to end: `bench run`, the stored answers, the response cache (a rerun and
`bench reproduce` make no model call), truncation, unparsed answers, and `bench meta`'s pairing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.metrics import llm_judge
from bench.metrics.judge.types import Answer, Usage

pytestmark = pytest.mark.summeval


def _run_dir(proc) -> Path:
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip().splitlines()[-1])


def _samples(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


@pytest.mark.slow  # the real model (its one-time conversion alone is ~20 s); the scripted tests below are default tier
def test_a_judge_run_stores_answers_and_a_rerun_is_answered_from_the_cache(bench_main, judge_model, summeval_path,
                                                                          tmp_path):
    # articles cut to 64 tokens keep this default-tier test quick (test_long_articles... checks the cut itself)
    args = ("run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=2", "metrics=[llm_judge]",
            f"metrics.llm_judge.model={judge_model}", "metrics.llm_judge.dimensions=[consistency,fluency]",
            "metrics.llm_judge.max_source_tokens=64", "metrics.llm_judge.price_prompt=0.5",
            f"results_dir={tmp_path / 'results'}")
    first = bench_main(*args, cwd=tmp_path)
    run = _run_dir(first)
    assert "judge_consistency" in first.stdout and "judge_fluency" in first.stdout
    assert "model calls: 4 made, 0 answered from the response cache" in first.stdout
    record = json.loads((run / "result.json").read_text())
    notes = record["notes"]["judge_consistency"]
    assert notes["unparsed_items"] == 0 and notes["prompt_tokens"] > 2 * 64  # two (cut) articles in the prompts
    assert notes["cost_usd"] == pytest.approx(notes["prompt_tokens"] * 0.5 / 1e6, rel=1e-12)
    assert record["facts"]["judge_consistency"] == {"range": [1.0, 5.0], "kind": "quality", "corpus": False,
                                                    "drift": 1e-4, "min_effect": 0.1, "dimension": "consistency"}
    sig = record["signatures"]["judge_consistency"]
    for part in ("backend:transformers", "template:sha256:", "scale:1-5", "scoring:logprobs", "maxsrc:64", "src:"):
        assert part in sig
    samples = _samples(run)
    detail = samples[0]["details"]["judge_fluency"]
    assert set(detail["probs"]) == {"1", "2", "3", "4", "5"} and detail["parsed"] == 1
    expected = sum(int(k) * p for k, p in detail["probs"].items()) / sum(detail["probs"].values())
    assert samples[0]["scores"]["judge_fluency"]["score"] == pytest.approx(expected, abs=1e-12)

    again = bench_main(*args, "force=true", cwd=tmp_path)
    rerun = _run_dir(again)
    assert "model calls: 0 made, 4 answered from the response cache" in again.stdout
    assert "judge: loading" not in again.stderr  # no model load
    assert json.loads((rerun / "result.json").read_text())["metrics"] == record["metrics"]
    assert [s["details"] for s in _samples(rerun)] == [s["details"] for s in samples]
    reproduced = bench_main("reproduce", str(run), cwd=tmp_path)
    assert reproduced.returncode == 0 and "IDENTICAL" in reproduced.stdout, reproduced.stderr


@pytest.mark.slow
def test_a_run_without_a_source_limit_fills_the_window_and_cuts_nothing(bench_main, judge_model, summeval_path,
                                                                       tmp_path):
    proc = bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=2", "metrics=[llm_judge]",
                      f"metrics.llm_judge.model={judge_model}", "metrics.llm_judge.dimensions=[consistency]",
                      f"results_dir={tmp_path / 'r'}", cwd=tmp_path)
    record = json.loads((_run_dir(proc) / "result.json").read_text())
    assert "maxsrc:8192" in record["signatures"]["judge_consistency"]  # SmolLM2's window
    assert record["notes"]["judge_consistency"]["truncated_sources"] == 0
    assert record["notes"]["judge_consistency"]["prompt_tokens"] > 2 * 300  # whole articles


@pytest.mark.slow
def test_long_articles_are_truncated_with_a_warning_and_a_count(bench_main, judge_model, summeval_path, tmp_path):
    proc = bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=2", "metrics=[llm_judge]",
                      f"metrics.llm_judge.model={judge_model}", "metrics.llm_judge.dimensions=[relevance]",
                      "metrics.llm_judge.max_source_tokens=40", f"results_dir={tmp_path / 'r'}", cwd=tmp_path)
    run = _run_dir(proc)
    assert "2 source(s) longer than the model's window allows were truncated" in proc.stderr
    record = json.loads((run / "result.json").read_text())
    assert record["notes"]["judge_relevance"]["truncated_sources"] == 2
    assert "maxsrc:40" in record["signatures"]["judge_relevance"]
    assert all(s["details"]["judge_relevance"]["truncated_source"] for s in _samples(run))
    assert "2 source(s) truncated" in proc.stdout


def odd(user: str) -> bool:
    """Whether the summary in a fluency prompt (after 'Summary: ', before the question) has an odd length."""
    summary = user.split("Summary: ", 1)[1].rsplit("\n\nGrade (1-5):", 1)[0]
    return len(summary) % 2 == 1


class Scripted:
    """A backend that answers from a script (what the metric does with answers, without a model)."""

    name = "openai"

    def __init__(self, texts):
        self.texts, self.calls = texts, 0

    def identity(self):
        return {"backend": "openai", "model": "scripted", "base_url": "http://127.0.0.1:1/v1", "fingerprint": ""}

    def display(self):
        return "scripted"

    def window(self):
        return None

    def count_tokens(self, text):
        return len(text.split())

    def truncate(self, text, tokens):
        return " ".join(text.split()[:tokens])

    def answer(self, requests, done):
        for k, request in enumerate(requests):
            self.calls += 1
            done(k, Answer(tuple(self.texts(request, n) for n in range(request.params.n)), None, 10, 1))
        return Usage(calls=len(requests))


def test_an_answer_that_does_not_parse_is_stored_counted_and_never_a_number(bench_main, summeval_path, tmp_path,
                                                                            monkeypatch):
    # items whose summary has an odd length get "no idea" every time; the others a rating
    backend = Scripted(lambda r, n: "no idea" if odd(r.user) else str(2 + n % 2))
    monkeypatch.setattr(llm_judge, "build_backend", lambda spec: backend)
    proc = bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=16", "metrics=[llm_judge]",
                      "metrics.llm_judge.dimensions=[fluency]", "metrics.llm_judge.scoring=sample",
                      "metrics.llm_judge.samples=2", "metrics.llm_judge.cache=false",
                      f"results_dir={tmp_path / 'r'}", cwd=tmp_path)
    run = _run_dir(proc)
    samples = _samples(run)
    bad = [s for s in samples if len(s["candidate"]) % 2]
    assert 0 < len(bad) < len(samples)
    assert all(s["scores"]["judge_fluency"]["score"] is None for s in bad)  # missing, not a number
    assert all(s["details"]["judge_fluency"]["texts"] == ["no idea", "no idea"] for s in bad)
    record = json.loads((run / "result.json").read_text())
    assert record["notes"]["judge_fluency"]["unparsed_items"] == len(bad)
    assert record["notes"]["judge_fluency"]["unparsed_answers"] == 2 * len(bad)
    assert record["metrics"]["judge_fluency"]["score"] == 2.5  # the mean of the parsed items only
    assert f"{len(bad)} missing" in proc.stdout and "nan" not in proc.stdout.lower()
    assert f"{len(bad)} of 16 item(s) got no rating that parses" in proc.stderr


def test_a_users_template_adds_a_dimension(bench_main, summeval_path, tmp_path, monkeypatch):
    (tmp_path / "brevity.yaml").write_text(
        "dimension: brevity\nuses: summary\nscale: [1, 2, 3]\nsystem: Be brief.\n"
        "user: 'How brief is this? {summary} Answer 1-3:'\n", encoding="utf-8")
    backend = Scripted(lambda r, n: "3")
    monkeypatch.setattr(llm_judge, "build_backend", lambda spec: backend)
    proc = bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=3", "metrics=[llm_judge]",
                      "metrics.llm_judge.dimensions=[brevity]", f"+metrics.llm_judge.templates.brevity={tmp_path / 'brevity.yaml'}",
                      "metrics.llm_judge.scoring=sample", "metrics.llm_judge.samples=1", f"results_dir={tmp_path / 'r'}",
                      cwd=tmp_path)
    run = _run_dir(proc)
    record = json.loads((run / "result.json").read_text())
    assert record["metrics"] == {"judge_brevity": {"score": 3.0}}
    assert record["facts"]["judge_brevity"]["range"] == [1.0, 3.0]
    assert backend.calls == 3


def test_meta_pairs_each_judge_dimension_with_the_expert_dimension_of_its_name(bench_main, summeval_path, tmp_path,
                                                                              monkeypatch):
    # a scripted judge that reads nothing: its rating is a hash of the summary (the pairing is what is tested)
    backend = Scripted(lambda r, n: str(1 + sum(map(ord, r.user.split("Summary:")[-1])) % 5))
    monkeypatch.setattr(llm_judge, "build_backend", lambda spec: backend)
    judged = _run_dir(bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=48",
                                 "metrics=[llm_judge]", "metrics.llm_judge.dimensions=[coherence,fluency]",
                                 "metrics.llm_judge.scoring=sample", "metrics.llm_judge.samples=1",
                                 f"results_dir={tmp_path / 'r'}", cwd=tmp_path))
    rouge = _run_dir(bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=48",
                                "metrics=[rouge]", "metrics.rouge.types=[rouge1]", f"results_dir={tmp_path / 'r'}",
                                cwd=tmp_path))
    proc = bench_main("meta", str(judged), str(rouge), "--format", "json", "--resamples", "50",
                      "--test-resamples", "50", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    pairs = {(r["metric"], r["human"]) for r in data["correlations"]}
    assert {h for m, h in pairs if m == "judge_coherence"} == {"expert.coherence"}
    assert {h for m, h in pairs if m == "judge_fluency"} == {"expert.fluency"}
    assert {h for m, h in pairs if m == "rouge1"} == {"expert.coherence", "expert.consistency", "expert.fluency",
                                                        "expert.relevance"}
    tests = {(t["a"], t["b"], t["human"]) for t in data["comparisons"]}
    assert {h for *_, h in tests} == {"expert.coherence", "expert.fluency"}  # judge vs ROUGE where both meet
    every = json.loads(bench_main("meta", str(judged), "--format", "json", "--resamples", "50", "--pairing", "all",
                                  "--test-resamples", "50", cwd=tmp_path).stdout)
    assert len({r["human"] for r in every["correlations"] if r["metric"] == "judge_fluency"}) == 4
