"""bench.hints: the library names options as Python keywords; a caller's formatter replaces that inside
``using`` and is restored after (also when the block raises)."""

from __future__ import annotations

import pytest

from bench import hints
from bench.cli import override


def test_the_library_writes_the_keyword_bench_score_takes():
    assert hints.option("rouge", "tokenizer", "unicode") == 'rouge={"tokenizer": "unicode"}'
    assert hints.option("bertscore", "layer", 4) == 'bertscore={"layer": 4}'


def test_the_cli_installs_its_override_syntax_and_it_is_restored():
    with hints.using(override):
        assert hints.option("rouge", "tokenizer", "unicode") == "metrics.rouge.tokenizer=unicode"
    assert hints.option("rouge", "tokenizer", "unicode") == 'rouge={"tokenizer": "unicode"}'
    with pytest.raises(RuntimeError), hints.using(override):
        raise RuntimeError
    assert hints.option("rouge", "tokenizer", "unicode").startswith("rouge=")


# --- every part of the syntax, and the errors that use it -------------------------------------------------------

import re  # noqa: E402

import bench  # noqa: E402
from bench.errors import BenchError  # noqa: E402
from tests import _cli  # noqa: E402


def test_python_and_override_spellings_of_each_part():
    assert hints.name("metrics.rouge.use_stemer") == 'rouge={"use_stemer": ...}'
    assert hints.name("check.alpah") == "check.alpah" and hints.name("dataset.colums") == "dataset.colums"
    assert hints.setting("metrics.rouge.use_stemmer", True) == 'rouge={"use_stemmer": True}'
    assert hints.setting("metrics.rouge.types[1]", ["rouge1"]) == 'rouge={"types": ["rouge1"]}'
    assert hints.setting("ci.level", 0.9) == 'ci={"level": 0.9}'
    assert hints.setting("multiref", "max") == 'multiref="max"'
    assert hints.setting("limit", hints.placeholder("<int>")) == "limit=<int>"
    assert hints.selection(["rouge", "bleu"]) == 'metrics=["rouge", "bleu"]'
    assert hints.current().sweep is None  # a library call runs one job
    with hints.overrides():  # bench.evaluate(overrides)
        assert hints.name("metrics.rouge.use_stemer") == "metrics.rouge.use_stemer"
        assert hints.setting("metrics.rouge.use_stemmer", True) == "metrics.rouge.use_stemmer=true"
        assert hints.setting("ci.level") == "ci.level=VALUE"
        assert hints.selection(["rouge", "bleu"]) == "metrics=[rouge,bleu]"
        assert hints.current().sweep is None
    with hints.using(override), hints.overrides():  # the shell's syntax is kept by a library call inside it
        assert hints.current().sweep == "-m" and hints.selection(["rouge"]) == "metrics=[rouge]"


@pytest.mark.parametrize("call, words", [
    (lambda: bench.score(["a b"], ["a c"], metrics=["rogue"]), ['set metrics=["rouge"]']),
    (lambda: bench.score(["a b"], ["a c"], rouge={"use_stemer": True}),
     ['unknown option rouge={"use_stemer": ...}', "did you mean 'use_stemmer'?"]),
    (lambda: bench.score(["a b"], ["a c"], rouge={"use_stemmer": "maybe"}),
     ['rouge={"use_stemmer": "maybe"} is not a valid bool', 'pass rouge={"use_stemmer": <bool>}']),
    (lambda: bench.score(["a b"], ["a c"], ci={"level": "high"}), ['ci={"level": "high"} is not a valid float']),
    (lambda: bench.evaluate(["metrics=[rogue]"]), ["set metrics=[rouge]"]),
    (lambda: bench.evaluate(["metrics=[rouge]", "+metrics.rouge.use_stemer=true"]),
     ["unknown option metrics.rouge.use_stemer", "did you mean 'use_stemmer'?"]),
    (lambda: bench.evaluate(["metrics=rouge,bleu"]),
     ["metrics=rouge,bleu is ambiguous", "for a list write metrics=[rouge,bleu]", "quote it: metrics='rouge,bleu'"]),
])
def test_library_errors_speak_the_syntax_of_the_call(call, words):
    """bench.score takes keywords: its errors name keywords, never overrides; bench.evaluate takes overrides."""
    with pytest.raises(BenchError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)
    if "score" in call.__code__.co_names:  # keywords only: no override anywhere in the line
        assert "metrics.rouge." not in message and not re.search(r"metrics=\[\w", message)
    assert " -m" not in message  # a library call cannot sweep


def _one_line(proc) -> str:
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("bench: error:"), proc.stderr
    return lines[0]


@pytest.mark.parametrize("overrides, words", [
    (["metrics=rouge,bleu"], ["metrics=rouge,bleu is ambiguous", "for a list write metrics=[rouge,bleu]",
                              "or add -m to run once per value"]),
    (["metrics=[rogue]"], ["set metrics=[rouge]"]),
    (["metrics=[rouge]", "+metrics.rouge.use_stemer=true"], ["unknown option metrics.rouge.use_stemer"]),
    (["metrics=[rouge]", "metrics.rouge.use_stemmer=maybe"],
     ["metrics.rouge.use_stemmer=maybe is not a valid bool", "pass metrics.rouge.use_stemmer=<bool>"]),
])
def test_the_cli_names_the_override_the_user_typed_and_keeps_hydras_hint(tmp_path, overrides, words):
    line = _one_line(_cli.run("run", *overrides, f"results_dir={tmp_path}/results", cwd=tmp_path))
    for word in words:
        assert word in line, (word, line)
    assert '{"' not in line  # no Python keyword in a shell's error
    assert not (tmp_path / "results").exists()  # nothing written
