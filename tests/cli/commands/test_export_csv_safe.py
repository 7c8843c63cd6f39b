"""`bench export --format csv`: values exact by default, even text a spreadsheet would run as a formula;
`--csv-safe` puts a `'` before each text cell starting with = + - @ (or a tab, a carriage return), never
before a number. The expected cells are written out here, not made by bench's own helper."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

IDS = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\ry", "plain", "a=b"]
SYSTEMS = ["=HYPERLINK(\"http://x\")", "sys"] * 4
NOTE = [{"note": "-danger", "delta": -0.5}, {"note": "fine", "delta": 0.25}] * 4


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    import bench

    tmp = tmp_path_factory.mktemp("csv-safe")
    cands = [f"the cat sat {k}" for k in range(8)]
    refs = [f"the cat sat on the mat {k}" for k in range(8)]
    scored = bench.score(cands, refs, ids=IDS, systems=SYSTEMS, metadata=NOTE, ci={"resamples": 0},
                         name="formulas")
    return Path(bench.save(scored, tmp / "results"))


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_values_stay_exact_by_default(bench_main, run, tmp_path):
    proc = bench_main("export", run, "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(proc.stdout)
    assert list(dict.fromkeys(r["item_id"] for r in rows)) == IDS
    assert {r["system"] for r in rows} == set(SYSTEMS)
    assert {r["note"] for r in rows} == {"-danger", "fine"}
    assert {r["delta"] for r in rows} == {"-0.5", "0.25"}


def test_csv_safe_prefixes_formula_text_only(bench_main, run, tmp_path):
    proc = bench_main("export", run, "--format", "csv", "--csv-safe", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(proc.stdout)
    assert list(dict.fromkeys(r["item_id"] for r in rows)) == [
        "'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "'\tx", "'\ry", "plain", "a=b"]
    assert {r["system"] for r in rows} == {"'=HYPERLINK(\"http://x\")", "sys"}
    assert {r["note"] for r in rows} == {"'-danger", "fine"}
    assert {r["delta"] for r in rows} == {"-0.5", "0.25"}  # numbers are no formulas: unchanged
    exact = _rows(bench_main("export", run, "--format", "csv", cwd=tmp_path).stdout)
    assert [float(r["value"]) for r in rows] == [float(r["value"]) for r in exact]


def test_csv_safe_is_for_csv_only(bench_main, run, tmp_path):
    proc = bench_main("export", run, "--format", "jsonl", "--csv-safe", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bench: error: --csv-safe applies to CSV, not jsonl")
