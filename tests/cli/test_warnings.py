"""Warnings that matter, end to end: the seed run prints none (tests/cli/test_app.py); a Chinese candidate
warns once per metric, with the hint in the caller's syntax (override on the CLI, keyword in Python)."""

from __future__ import annotations

import json
import logging

import pytest

import bench

pytestmark = pytest.mark.slow  # each loads the BERTScore model

ZH = ("法国和阿尔及利亚同意恢复安全合作", "法国与阿尔及利亚恢复高级别安全合作")


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "warn" in line.lower() or line.startswith(("[bench] rouge:", "[bench] bertscore:"))]


# The seed run prints no warning: tests/cli/test_app.py::test_the_seed_run_prints_no_warning (its two processes).


def test_a_chinese_candidate_warns_once_per_metric_on_the_cli(bench_cli, tmp_path):
    data = tmp_path / "zh.jsonl"
    data.write_text(json.dumps({"id": "zh", "candidate": ZH[1], "reference": ZH[0]}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    proc = bench_cli("run", "dataset=files", f"dataset.path={data}", f"results_dir={tmp_path / 'results'}",
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rouge, bert = ([w for w in _warnings(proc.stderr) if w.startswith(f"[bench] {m}:")] for m in ("rouge", "bertscore"))
    assert len(rouge) == 1 and rouge[0].endswith("; metrics.rouge.tokenizer=unicode keeps every script")
    assert len(bert) == 1 and "English model but 100% of the letters are Han script" in bert[0]
    assert "metrics.bertscore.model=MODEL" in bert[0]


def test_a_chinese_candidate_warns_once_per_metric_in_python(caplog):
    with caplog.at_level(logging.WARNING, logger="bench"):
        bench.score([ZH[1]], [ZH[0]], metrics=["rouge", "bertscore"])
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    rouge = [m for m in messages if m.startswith("rouge:")]
    bert = [m for m in messages if m.startswith("bertscore:")]
    assert len(rouge) == 1 and 'rouge={"tokenizer": "unicode"} keeps every script' in rouge[0]
    assert len(bert) == 1 and 'bertscore={"model": "MODEL"}' in bert[0]
    assert "metrics." not in " ".join(messages)  # no CLI syntax in what a Python caller sees
