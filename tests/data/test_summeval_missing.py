"""A missing SummEval file says what a relative path is relative to and where the data comes from."""

from __future__ import annotations

import os

import pytest

from bench.data import summeval
from bench.data.spec import DatasetSpec
from bench.errors import BenchError
from tests import _cli


def test_a_relative_path_names_the_working_directory_and_the_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BenchError) as info:
        summeval.load(DatasetSpec(name="summeval", source="summeval", path=summeval.DEFAULT_PATH))
    message = str(info.value)
    assert f"SummEval file not found: {summeval.DEFAULT_PATH}" in message
    assert f"read from the working directory, {os.getcwd()}" in message
    assert "../shared/data/summeval/SOURCE.md" in message and "BARTScore's SUM/SummEval/data.pkl" in message
    assert "dataset.path=/abs/path/bartscore_SummEval_data.json" in message


def test_an_absolute_path_is_not_said_to_be_relative(tmp_path):
    missing = tmp_path / "no.json"
    with pytest.raises(BenchError, match="SummEval file not found: .*no.json;") as info:
        summeval.load(DatasetSpec(name="summeval", source="summeval", path=str(missing)))
    assert "working directory" not in str(info.value)


def test_from_the_cli_one_line_exit_2_nothing_written(tmp_path):
    proc = _cli.run("run", "dataset=summeval", "metrics=[rouge]", "results_dir=results", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("bench: error: SummEval file not found:"), proc.stderr
    assert str(tmp_path) in lines[0] and "SOURCE.md" in lines[0]
    assert not (tmp_path / "results").exists()
