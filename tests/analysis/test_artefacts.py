"""Analysis artefacts: written in bench's envelope from their dataclasses, read back into the same dataclasses
by one reader, and refused in one line when damaged."""

import json

import pytest

import bench
from bench.analysis import artefacts, stored
from bench.analysis.compare import Comparison
from bench.analysis.meta import MetaEvaluation
from bench.analysis.systems import Leaderboard
from bench.errors import BenchError
from bench.values import Interval

CANDS = ["the cat sat on the mat", "a dog ran far away", "the bird flew high", "rain fell all day",
         "the sun rose early", "we ate some bread"]
REFS = ["the cat sat on a mat", "the dog ran away", "a bird flew up high", "it rained all day",
        "the sun came up early", "we ate bread"]


@pytest.fixture(scope="module")
def runs():
    n = 12
    meta = [{"human": float(k % 4)} for k in range(n)]
    common = dict(ids=[f"i{k}" for k in range(n)], systems=[f"S{k % 3}" for k in range(n)],
                  documents=[f"d{k // 3}" for k in range(n)], metadata=meta, ci={"resamples": 50})
    a = bench.score([CANDS[k % 6] for k in range(n)], [REFS[k % 6] for k in range(n)], **common)
    b = bench.score([CANDS[(k + 1) % 6] for k in range(n)], [REFS[k % 6] for k in range(n)], **common)
    return a, b


def test_every_artefact_reads_back_as_the_dataclass_it_was_written_from(runs, tmp_path):
    a, b = runs
    board = bench.systems(a, resamples=50, ci_resamples=50)
    result = bench.meta(a, humans=["human"], resamples=20, test_resamples=20)
    cmp = bench.compare(a, b, resamples=50)
    for kind, obj, cls in (("systems", board, Leaderboard), ("meta", result, MetaEvaluation), ("compare", cmp, Comparison)):
        payload = obj.to_json()
        assert payload["kind"] == kind and payload["schema_version"] == 1
        path = artefacts.store(tmp_path, kind, payload, "md")
        back = stored.read(path)
        assert isinstance(back, cls) and back.to_json() == payload
    row = stored.read(artefacts.store(tmp_path, "systems", board.to_json(), "md")).systems[0]
    assert row.ci is None or isinstance(row.ci, Interval)
    assert {s.run for s in board.sources} == {"<unsaved run 1>"}


def test_damaged_or_foreign_files_are_one_line_errors(runs, tmp_path):
    a, b = runs
    payload = bench.compare(a, b, resamples=50).to_json()
    bad = dict(payload, values=[{**payload["values"][0], "mean": "high"}])
    with pytest.raises(BenchError, match=r"is damaged: compare.values\[0\].mean is \"high\", not a number"):
        stored.parse(bad, "x.json")
    missing = {k: v for k, v in payload.items() if k != "labels"}
    with pytest.raises(BenchError, match="is damaged: compare.labels is missing"):
        stored.parse(missing, "x.json")
    with pytest.raises(BenchError, match="has schema_version 9"):
        stored.parse(dict(payload, schema_version=9), "x.json")
    with pytest.raises(BenchError, match="is not a systems, meta, compare artefact"):
        stored.parse({"rows": []}, "x.json")
    with pytest.raises(BenchError, match="is not a systems file"):
        stored.parse(payload, "x.json", kind="systems")
    nan = tmp_path / "nan.json"
    nan.write_text(json.dumps(payload).replace('"delta": ', '"delta": NaN, "x": ', 1))
    with pytest.raises(BenchError, match="is not JSON"):
        stored.read(nan)
