"""`bench systems`: a leaderboard from one run's systems or from several runs, stored beside them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            digest.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return digest.hexdigest()


def _run_dir(proc) -> Path:
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.mark.summeval
def test_summeval_leaderboard_from_one_run(tmp_path, summeval_path, bench_main):
    run = bench_main("run", "experiment=summeval_rouge", f"dataset.path={summeval_path}", "group_by=system",
                    f"results_dir={tmp_path / 'r'}", cwd=tmp_path)
    run_dir = _run_dir(run)
    run_dir = run_dir if run_dir.is_absolute() else tmp_path / run_dir
    assert "system  items" in run.stdout and "95% CI (100 documents)" in run.stdout
    before = _tree_hash(run_dir)
    proc = bench_main("systems", str(run_dir), "--format", "json", cwd=tmp_path)  # system and doc keys: the dataset's
    assert proc.returncode == 0, proc.stderr
    board = json.loads(proc.stdout)
    assert board["schema_version"] == 1 and board["signature"].startswith("systems|tests:bootstrap,ar|clusters:ar|resamples:10000")
    rouge1 = [r for r in board["systems"] if r["metric"] == "rouge1"]
    assert len(rouge1) == 16 and {r["n_docs"] for r in rouge1} == {100} and all(r["ci"] for r in rouge1)
    assert rouge1[0]["rank"] == 1 and max(r["cluster"] for r in rouge1) > 1
    assert len([p for p in board["pairs"] if p["metric"] == "rouge1"]) == 120 * 2
    # the per-system means are the run's own group means
    record = json.loads((run_dir / "result.json").read_text())
    for r in rouge1:
        assert r["mean"] == pytest.approx(record["groups"]["values"][r["system"]]["metrics"]["rouge1"]["fmeasure"], abs=1e-15)
        assert r["ci"] == record["groups"]["values"][r["system"]]["intervals"]["rouge1"]["fmeasure"]  # one interval
    assert board["interval_signature"] == record["groups"]["signature"] and board["cluster_test"] == "ar"
    stored = Path(proc.stderr.strip().splitlines()[-1].split(" at ")[-1])
    assert stored.parent == run_dir.parent / "analyses" and json.loads(stored.read_text()) == board
    assert stored.with_suffix(".md").read_text().startswith("### rouge1 fmeasure")
    assert _tree_hash(run_dir) == before  # the run is only read
    table = bench_main("systems", str(run_dir), "--metrics", "rouge2", "--no-save", cwd=tmp_path)
    assert table.returncode == 0 and "rouge2 fmeasure:" in table.stdout and "M17" in table.stdout


def _files(tmp_path: Path, name: str, shift: int, ids=range(40), refs=None) -> Path:
    words = "the cat sat on a mat while dogs ran far away from home today".split()
    path = tmp_path / f"{name}.jsonl"
    with path.open("w") as fh:
        for i in ids:
            ref = " ".join(words[(i + k) % len(words)] for k in range(8))
            cand = " ".join(words[(i + k + shift * (k % 3 == 0)) % len(words)] for k in range(8))
            fh.write(json.dumps({"id": f"i{i}", "candidate": cand, "reference": (refs or {}).get(i, ref)}) + "\n")
    return path


def _files_run(bench_main, tmp_path, path, name):
    return bench_main("run", "dataset=files", f"dataset.path={path}", "metrics=[rouge]", f"name={name}",
                     f"results_dir={tmp_path / 'r'}", cwd=tmp_path)


def test_runs_of_different_systems_on_the_same_items(tmp_path, bench_main):
    dirs = [_run_dir(_files_run(bench_main, tmp_path, _files(tmp_path, n, s), n)) for n, s in (("good", 0), ("bad", 5))]
    proc = bench_main("systems", *map(str, dirs), "--metrics", "rouge1", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    board = json.loads(proc.stdout)
    assert [r["system"] for r in board["systems"]] == ["good", "bad"]
    assert all(p["significant"] and p["a"] == "good" for p in board["pairs"])
    assert [r["cluster"] for r in board["systems"]] == [1, 2]
    md = bench_main("systems", *map(str, dirs), "--names", "A,B", "--format", "markdown", "--no-save", cwd=tmp_path)
    assert "| 1 | 1 | A |" in md.stdout


def test_missing_items_and_different_references_are_errors_naming_the_ids(tmp_path, bench_main):
    full = _run_dir(_files_run(bench_main, tmp_path, _files(tmp_path, "full", 0), "full"))
    short = _run_dir(_files_run(bench_main, tmp_path, _files(tmp_path, "short", 3, ids=range(38)), "short"))
    proc = bench_main("systems", str(full), str(short), cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.strip() == (
        "bench: error: not every system has every item: short lacks i38, i39; "
        "score every system on the same items (or select the common ones)")
    other = _run_dir(_files_run(bench_main, tmp_path, _files(tmp_path, "other", 3, refs={4: "a new reference"}), "other"))
    proc = bench_main("systems", str(full), str(other), cwd=tmp_path)
    assert proc.returncode == 2 and "references differ for items i4;" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_run_without_system_field_is_a_one_line_error(tmp_path, bench_main):
    run_dir = _run_dir(_files_run(bench_main, tmp_path, _files(tmp_path, "x", 0), "x"))
    proc = bench_main("systems", str(run_dir), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("bench: error: the items of ") and "name no system field" in proc.stderr
    proc = bench_main("systems", str(run_dir), "--by", "model", "--doc", "id", cwd=tmp_path)
    assert proc.returncode == 2 and "no metadata field 'model'" in proc.stderr
    assert not (run_dir.parent / "analyses").exists()
