"""`bench reproduce`: identical for plain, shard and merged runs; drift names the component that moved."""

from __future__ import annotations

import io
import hashlib
import json

import pytest

from bench import data as data_sources
from bench.cli.app import execute
from bench.config import compose
from bench.cli.commands import reproduce as reproduce_cmd
import bench.signature



def _data(path, n=30):
    path.write_text("".join(json.dumps({"id": f"d{i}", "candidate": f"the cat sat on mat {i} today",
                                        "reference": f"a cat sat on the mat {i} yesterday"}) + "\n" for i in range(n)))
    return path


def _run(tmp_path, data, *extra):
    overrides = ["dataset=files", f"dataset.path={data}", "metrics=[rouge]", f"results_dir={tmp_path / 'results'}", *extra]
    return execute(compose(overrides), out=io.StringIO())


@pytest.fixture()
def loads(monkeypatch):
    """How many times a command loads the dataset."""
    calls = []
    real, real_stream = data_sources.load_items, data_sources.stream_items

    def counted(spec):
        calls.append(spec.path)
        return real(spec)

    def counted_stream(spec):  # local files are read in batches (a streamed run's path); None: load_items reads
        opened = real_stream(spec)
        if opened is not None:
            calls.append(spec.path)
        return opened

    monkeypatch.setattr(data_sources, "load_items", counted)
    monkeypatch.setattr(data_sources, "stream_items", counted_stream)
    return calls


@pytest.mark.parametrize("shard", [None, (1, 3)], ids=["whole", "shard-2-of-3"])
def test_identical_and_inputs_loaded_once(tmp_path, loads, shard):
    data = _data(tmp_path / "d.jsonl")
    extra = [f"shard.index={shard[0]}", f"shard.count={shard[1]}"] if shard else []
    run = _run(tmp_path, data, *extra)
    loads.clear()
    found = reproduce_cmd.reproduce(str(run))
    assert found.identical and found.drift == () and found.items == (10 if shard else 30) and found.metrics == 4
    assert len(loads) == 1


def test_merged_run_reproduces(tmp_path, capsys):
    from bench.cli.commands import merge

    data = _data(tmp_path / "d.jsonl")
    shards = [_run(tmp_path, data, f"shard.index={i}", "shard.count=2") for i in range(2)]
    assert merge.main([*map(str, shards), "--results-dir", str(tmp_path / "results")]) == 0
    merged = capsys.readouterr().out.strip().splitlines()[-1]
    assert reproduce_cmd.reproduce(merged).drift == ()


def test_drift_in_the_inputs_names_the_items(tmp_path):
    data = _data(tmp_path / "d.jsonl")
    run = _run(tmp_path, data)
    lines = data.read_text().splitlines()
    lines[3] = lines[3].replace("today", "tomorrow")
    data.write_text("\n".join(lines) + "\n")
    drift = reproduce_cmd.reproduce(str(run)).drift
    assert drift[0].startswith("inputs: fingerprint")
    assert "inputs: 1 candidate(s) changed, e.g. 'd3'" in drift


def test_drift_in_a_signature_component(tmp_path, monkeypatch):
    run = _run(tmp_path, _data(tmp_path / "d.jsonl"))
    real = bench.signature._installed_version
    monkeypatch.setattr(bench.signature, "_installed_version", lambda d: "9.9.9" if d == "rouge-score-rs" else real(d))
    drift = reproduce_cmd.reproduce(str(run)).drift
    assert "rouge1 signature: engine: rouge-score-rs@0.2.1 -> rouge-score-rs@9.9.9" in drift


def test_drift_in_per_item_values_names_the_worst_item(tmp_path):
    run = _run(tmp_path, _data(tmp_path / "d.jsonl"))
    samples = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    samples[7]["scores"]["rouge2"]["recall"] += 0.25
    samples[9]["scores"]["rouge2"]["recall"] += 0.01
    text = "".join(json.dumps(s) + "\n" for s in samples)
    (run / "samples.jsonl").write_text(text)
    # a consistent (re-hashed) stored run whose numbers differ from what this bench computes
    record = json.loads((run / "result.json").read_text())
    record["samples_sha256"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    (run / "result.json").write_text(json.dumps(record))
    drift = reproduce_cmd.reproduce(str(run)).drift
    (line,) = [d for d in drift if d.startswith("rouge2:")]
    assert line.startswith("rouge2: 2 of 30 items changed; most: 'd7' recall")
    assert not [d for d in drift if d.startswith(("rouge1", "rougeL"))]
