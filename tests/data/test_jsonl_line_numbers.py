"""A JSONL file that does not parse names its first bad line counted from 1, blank lines included (pyarrow's
"in row N" counts parsed rows from 0 and skips blank lines); docs/bad-input.md shows the same words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import _cli

GOOD = '{"id": "a", "candidate": "x y", "reference": "x z"}\n'
BAD = '{"id": "b", bad\n'


@pytest.mark.parametrize("text, line", [(BAD, 1), (GOOD + BAD, 2), (GOOD + "\n" + GOOD.replace('"a"', '"c"') + BAD, 4)])
def test_the_first_bad_line_is_named_counted_from_one(tmp_path, text, line):
    (tmp_path / "bad.jsonl").write_text(text)
    proc = _cli.run("run", "dataset=files", "dataset.path=bad.jsonl", "metrics=[rouge]", "results_dir=results",
                    cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("bench: error: cannot read bad.jsonl as jsonl:"), proc.stderr
    assert f"on line {line};" in lines[0] and "in row" not in lines[0]
    assert not (tmp_path / "results").exists()


def test_the_docs_quote_what_bench_prints():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "bad-input.md").read_text()
    assert "JSON parse error: ... on line 1" in docs and "in row 1`" not in docs
