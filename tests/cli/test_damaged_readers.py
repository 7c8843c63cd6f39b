"""Every command that reads a stored run refuses a damaged one in one line, exit 2, writing nothing.

Small toy runs (ROUGE on a few tiny texts); the CLI is called in-process. The
broader fault suite (every file x every damage x every reader) is tests/faults/.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path

import pytest

import bench
from bench.cli import main as bench_main

REFS = [f"the cat sat on the mat number {k}" for k in range(8)]
IDS = [f"d{k}" for k in range(8)]


@pytest.fixture(scope="module")
def toy_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("store") / "results"
    bench.save(bench.score([f"the cat sat on a mat {k}" for k in range(8)], REFS, ids=IDS, name="cat"), root)
    bench.save(bench.score([f"a dog ran to the park {k}" for k in range(8)], REFS, ids=IDS, name="dog"), root)
    return root


@pytest.fixture
def store(toy_store, tmp_path) -> dict:
    root = tmp_path / "results"
    shutil.copytree(toy_store, root)
    runs = {p.parent.name: p for p in root.glob("*/*") if (p / "result.json").is_file()}
    return {"tmp": tmp_path, "root": root, **runs}


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _rehash(run: Path) -> None:
    record = json.loads((run / "result.json").read_text())
    record["samples_sha256"] = "sha256:" + hashlib.sha256((run / "samples.jsonl").read_bytes()).hexdigest()
    (run / "result.json").write_text(json.dumps(record))


def _drop_lines(run: Path) -> None:
    lines = (run / "samples.jsonl").read_text().splitlines(keepends=True)
    (run / "samples.jsonl").write_text("".join(lines[:-3]))
    _rehash(run)  # a consistent hash: the line count must still catch it


def _cut_mid_line(run: Path) -> None:
    (run / "samples.jsonl").write_text((run / "samples.jsonl").read_text()[:-40])


def _no_scores(run: Path) -> None:
    lines = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    del lines[2]["scores"]
    (run / "samples.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    _rehash(run)


def _metric_not_stats(run: Path) -> None:
    record = json.loads((run / "result.json").read_text())
    record["metrics"]["rouge1"] = 5
    (run / "result.json").write_text(json.dumps(record))


DAMAGE = {"lines-missing": (_drop_lines, "samples.jsonl has 5 lines for inputs.items 8"),
          "cut-mid-line": (_cut_mid_line, "samples.jsonl does not match the SHA-256"),
          "no-scores": (_no_scores, "samples.jsonl line 3: scores is missing"),
          "metric-not-stats": (_metric_not_stats, "result.json: metrics.rouge1 is int 5, not an object")}

# Each reader, given the damaged run ``R`` (and the healthy ``H`` where it needs two runs) and an output path ``O``.
READERS = {
    "show": ["show", "R"],
    "export": ["export", "R", "--output", "O.csv"],
    "baseline": ["baseline", "R", "--output", "O.json"],
    "check": ["check", "R", "--baseline", "BASE"],
    "diff": ["diff", "H", "R"],
    "systems": ["systems", "H", "R", "--names", "a,b", "--resamples", "50", "--ci-resamples", "50"],
    "meta": ["meta", "R", "--human", "h", "--system", "s", "--doc", "d"],
    "report": ["report", "R", "--output", "O.html"],
    "reproduce": ["reproduce", "R"],
    "merge": ["merge", "R", "H", "--results-dir", "RESULTS"],
}


def _argv(template: list[str], store: dict, damaged: Path, base: Path) -> list[str]:
    subs = {"R": str(damaged), "H": str(store["dog"]), "BASE": str(base), "RESULTS": str(store["root"])}
    return [subs.get(a, a.replace("O.", str(store["tmp"] / "out."))) for a in template]


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_reader_refuses_a_damaged_run_in_one_line_and_writes_nothing(store, reader, damage, capsys):
    base = store["tmp"] / "base.json"
    assert bench_main(["baseline", str(store["cat"]), "--output", str(base)]) == 0  # from the healthy run
    damage_fn, what = DAMAGE[damage]
    damage_fn(store["cat"])
    capsys.readouterr()
    before = _tree(store["tmp"])
    code = bench_main(_argv(READERS[reader], store, store["cat"], base))
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"bench: error: run {store['cat']} is damaged: "), err
    assert what in err
    assert _tree(store["tmp"]) == before  # no baseline, export, analysis, report or merged run


@pytest.mark.parametrize("reader", ["show", "export", "baseline", "diff", "systems"])
def test_the_same_readers_accept_the_healthy_run(store, reader, capsys):
    base = store["tmp"] / "base.json"
    assert bench_main(["baseline", str(store["cat"]), "--output", str(base)]) == 0
    assert bench_main(_argv(READERS[reader], store, store["cat"], base)) == 0, capsys.readouterr().err


def test_check_gates_the_healthy_run_against_its_baseline(store, capsys):
    base = store["tmp"] / "base.json"
    assert bench_main(["baseline", str(store["cat"]), "--output", str(base)]) == 0
    assert bench_main(["check", str(store["cat"]), "--baseline", str(base)]) == 0, capsys.readouterr().err


def test_ls_lists_the_healthy_runs_and_names_the_damaged_one(store, capsys):
    _drop_lines(store["cat"])
    capsys.readouterr()
    assert bench_main(["ls", str(store["root"])]) == 0
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["dog"]
    assert err.count("\n") == 1 and f"skipped damaged run {store['cat']}: samples.jsonl has 5 lines" in err


def test_load_runs_warns_once_per_skipped_run(store):
    _no_scores(store["cat"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = bench.load_runs(store["root"])
    assert set(frame["experiment"]) == {"dog"}
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and str(store["cat"]) in messages[0] and "scores is missing" in messages[0]


def _baseline_edit(path: Path, edit) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


BASELINE_DAMAGE = {
    "ids-short-of-items": (lambda d: [d["per_item"]["ids"].pop(), [c.pop() for s in d["per_item"]["scores"].values()
                                                                     for c in s.values()]],
                           "holds 7 per-item ids for inputs.items 8"),
    "duplicate-ids": (lambda d: d["per_item"]["ids"].__setitem__(1, d["per_item"]["ids"][0]), "ids are not distinct"),
    "metric-not-stats": (lambda d: d["metrics"].__setitem__("rouge1", 5), "metrics.rouge1 is int 5, not an object"),
    "text-score": (lambda d: d["per_item"]["scores"]["rouge2"]["recall"].__setitem__(0, "x"), "rouge2.recall of item 0"),
    "primary-not-a-stat": (lambda d: d["primary"].__setitem__("rouge1", "f9"), "primary.rouge1 is 'f9'"),
    "no-per-item": (lambda d: d.pop("per_item"), "it has no per_item"),
}


@pytest.mark.parametrize("damage", sorted(BASELINE_DAMAGE))
def test_a_damaged_baseline_file_is_refused_in_one_line(store, damage, capsys):
    base = store["tmp"] / "base.json"
    assert bench_main(["baseline", str(store["cat"]), "--output", str(base)]) == 0
    edit, what = BASELINE_DAMAGE[damage]
    _baseline_edit(base, edit)
    capsys.readouterr()
    before = _tree(store["tmp"])
    assert bench_main(["check", str(store["cat"]), "--baseline", str(base), "--output", str(store["tmp"] / "r.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"bench: error: baseline {base} is corrupt") and what in err, err
    assert _tree(store["tmp"]) == before
    with pytest.raises(bench.BenchError, match="is corrupt"):
        bench.check(store["cat"], base)


def test_merge_refuses_a_shard_with_a_missing_line(tmp_path, capsys):
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": i, "candidate": f"the cat {k}", "reference": r}) + "\n"
                            for k, (i, r) in enumerate(zip(IDS, REFS))))
    root = tmp_path / "results"
    shards = [bench.save(bench.evaluate(["dataset=files", f"dataset.path={data}", "metrics=[rouge]", "ci.resamples=0",
                                          "shard.count=2", f"shard.index={k}"]), root) for k in range(2)]
    assert bench_main(["merge", *map(str, shards), "--results-dir", str(tmp_path / "merged")]) == 0  # healthy
    lines = (shards[1] / "samples.jsonl").read_text().splitlines(keepends=True)
    (shards[1] / "samples.jsonl").write_text("".join(lines[:-1]))
    _rehash(shards[1])
    capsys.readouterr()
    before = _tree(tmp_path)
    assert bench_main(["merge", *map(str, shards), "--results-dir", str(tmp_path / "merged")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"run {shards[1]} is damaged: samples.jsonl has 3 lines for inputs.items 4" in err
    assert _tree(tmp_path) == before
