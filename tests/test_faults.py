"""Fault injection: the real CLI in subprocesses, each fault hit deterministically (``bench.faults``).

For every case: the exit code, one message line, no partial run, a consistent index, and a clean
re-run afterwards that equals a run which never saw the fault.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.faults

INTERRUPTED = "bench: interrupted; no run was written"


def _data(path: Path, n: int = 60) -> Path:
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    lines = []
    for i in range(n):
        ref = " ".join(words[(i + k) % len(words)] for k in range(9)) + f" item{i}."
        cand = " ".join(words[(2 * i + k) % len(words)] for k in range(6)) + f" item{i}."
        lines.append(json.dumps({"id": f"d{i:03d}", "candidate": cand, "reference": ref}))
    path.write_text("\n".join(lines) + "\n")
    return path


def _runs(results: Path) -> list[Path]:
    return sorted(p for p in results.glob("*/*") if p.is_dir() and not p.parent.name.startswith("."))


def _assert_consistent(results: Path) -> None:
    """Every run is complete; every index entry names an existing run that has that key."""
    for run in _runs(results):
        record = json.loads((run / "result.json").read_text())
        assert (run / "samples.jsonl").is_file() and (run / "config.yaml").is_file(), run
        assert len((run / "samples.jsonl").read_text().splitlines()) == record["inputs"]["items"]
    index = results / ".index"
    for entry in (index.iterdir() if index.is_dir() else []):
        assert not entry.name.startswith("."), f"index temp file left: {entry}"
        run = results / entry.read_text().strip()
        assert json.loads((run / "result.json").read_text())["run_key"] == "sha256:" + entry.name


def _stable(run: Path) -> tuple[dict, str]:
    record = json.loads((run / "result.json").read_text())
    record.pop("volatile")
    record["config"].pop("results_dir")
    record["config"].pop("force")  # recorded as given; never changes a number
    for spec in record["config"]["metrics"].values():
        spec.pop("cache_dir", None)  # where embeddings are kept; never changes a number
    return record, (run / "samples.jsonl").read_text()


@pytest.fixture(scope="session")  # built once per worker, not again each time the worker comes back to this module
def rouge_case(tmp_path_factory, bench_main):
    """A ROUGE experiment on a small file, and the run that never saw a fault."""
    tmp = tmp_path_factory.mktemp("faults")
    data = _data(tmp / "data.jsonl")
    args = ["run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]", "name=faulty"]
    clean = bench_main(*args, f"results_dir={tmp / 'clean'}", cwd=tmp)  # no fault: in process
    assert clean.returncode == 0, clean.stderr
    return tmp, args, _stable(_runs(tmp / "clean")[0])


SIGNALS = [("SIGINT", 130), ("SIGTERM", 143), ("SIGKILL", -signal.SIGKILL)]


@pytest.mark.parametrize("phase", ["load", "score", "write"])
@pytest.mark.parametrize("sig, code", SIGNALS, ids=[s for s, _ in SIGNALS])
def test_signal_in_each_phase_leaves_no_run(rouge_case, bench_cli, bench_main, tmp_path, phase, sig, code):
    tmp, args, clean = rouge_case
    results = tmp_path / "results"
    proc = bench_cli(*args, f"results_dir={results}", cwd=tmp, env={"BENCH_FAULT": f"{phase}:{sig}"})
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    if sig != "SIGKILL":  # a killed process prints nothing and cleans nothing
        assert [ln for ln in proc.stderr.splitlines() if ln.startswith("bench:")] == [INTERRUPTED]
        assert proc.stderr.splitlines()[-1] == INTERRUPTED
        assert not (results / ".staging").exists()
    assert _runs(results) == []
    _assert_consistent(results)
    again = bench_main(*args, f"results_dir={results}", cwd=tmp)  # the clean re-run: in process
    assert again.returncode == 0, again.stderr
    (run,) = _runs(results)
    assert _stable(run) == clean
    assert not (results / ".staging").exists()  # what a SIGKILL left was reaped by the next run
    _assert_consistent(results)


@pytest.mark.parametrize("sig, code", SIGNALS[:2], ids=[s for s, _ in SIGNALS[:2]])
def test_signal_while_publishing_is_held_until_the_run_is_indexed(rouge_case, bench_cli, bench_main, tmp_path, sig, code):
    """A signal between the rename that publishes a run and its index entry waits for both; the message
    then says truthfully that the run was written."""
    tmp, args, clean = rouge_case
    results = tmp_path / "results"
    proc = bench_cli(*args, f"results_dir={results}", cwd=tmp, env={"BENCH_FAULT": f"publish:{sig}"})
    assert proc.returncode == code, proc.stderr
    (run,) = _runs(results)
    assert proc.stderr.splitlines()[-1] == f"bench: interrupted; run {run} was written before it"
    assert _stable(run) == clean and len(list((results / ".index").iterdir())) == 1
    _assert_consistent(results)
    again = bench_main(*args, f"results_dir={results}", cwd=tmp)  # the index answers it: complete and found
    assert again.returncode == 0 and Path(again.stdout.strip().splitlines()[-1]) == run


@pytest.mark.parametrize("fault, words", [("write_file@2:ENOSPC", "No space left on device"), ("write_file:EIO", "Input/output error")])
def test_full_or_failing_disk_is_one_line_and_no_run(rouge_case, bench_cli, bench_main, tmp_path, fault, words):
    tmp, args, clean = rouge_case
    results = tmp_path / "results"
    proc = bench_cli(*args, f"results_dir={results}", cwd=tmp, env={"BENCH_FAULT": fault})
    assert proc.returncode == 2
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("bench:")]
    assert line.startswith("bench: error: cannot write results under") and words in line
    assert "Traceback" not in proc.stderr and _runs(results) == [] and not (results / ".staging").exists()
    _assert_consistent(results)
    assert bench_main(*args, f"results_dir={results}", cwd=tmp).returncode == 0
    assert _stable(_runs(results)[0]) == clean


def test_results_dir_under_a_regular_file(rouge_case, bench_cli, tmp_path):
    tmp, args, _ = rouge_case
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc = bench_cli(*args, f"results_dir={blocker / 'results'}", cwd=tmp)
    assert proc.returncode == 2
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("bench:")]
    assert "cannot write results under" in line and "Not a directory" in line
    assert blocker.read_text() == "not a directory" and sorted(tmp_path.iterdir()) == [blocker]


@pytest.mark.parametrize("n", [2, 4])
def test_concurrent_runs_of_one_experiment(rouge_case, bench_exe, tmp_path, n):
    tmp, args, clean = rouge_case
    results = tmp_path / "results"
    env = {**os.environ, "TQDM_DISABLE": "1"}
    procs = [subprocess.Popen([bench_exe, *args, f"results_dir={results}", "force=true"], cwd=tmp, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(n)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * n, [e for _, e in outs]
    printed = {Path(o.strip().splitlines()[-1]) for o, _ in outs}
    runs = _runs(results)
    assert len(printed) == n and set(runs) == printed  # distinct run directories, each printed by its run
    assert all(_stable(r) == clean for r in runs)
    _assert_consistent(results)
    assert len(list((results / ".index").iterdir())) == 1 and not (results / ".staging").exists()


@pytest.fixture(scope="session")  # built once per worker, not again each time the worker comes back to this module
def baseline_case(rouge_case, bench_main):
    tmp, args, _ = rouge_case
    results = tmp / "base-results"
    run = Path(bench_main(*args, f"results_dir={results}", cwd=tmp).stdout.strip().splitlines()[-1])
    made = bench_main("baseline", run, "--output", tmp / "baseline.json", cwd=tmp)
    assert made.returncode == 0, made.stderr
    return tmp, run, tmp / "baseline.json"


def _tampered(base: Path, tmp: Path):
    data = json.loads(base.read_text())
    text = base.read_text()
    nan = text.replace(repr(data["metrics"]["rouge1"]["fmeasure"]), "NaN", 1)
    yield "nan", nan, "non-finite number NaN"
    missing = json.loads(text)
    del missing["metrics"]["rouge2"]
    yield "missing-metric", json.dumps(missing), "names metrics"  # the record validator's words
    no_sig = json.loads(text)
    del no_sig["signatures"]["rouge1"]
    yield "missing-signature", json.dumps(no_sig), "names metrics"
    short = json.loads(text)
    short["per_item"]["scores"]["rouge1"]["recall"] = short["per_item"]["scores"]["rouge1"]["recall"][:-1]
    yield "short-per-item", json.dumps(short), "per-item values"
    yield "wrong-schema", json.dumps({**data, "schema_version": 99}), "schema_version 99"
    yield "no-schema", json.dumps({k: v for k, v in data.items() if k != "schema_version"}), "no schema_version"
    yield "other-experiment", json.dumps({**data, "experiment": "other"}), "experiment 'other'"
    yield "not-json", text[: len(text) // 2], "corrupt"


@pytest.mark.parametrize("case", ["nan", "missing-metric", "missing-signature", "short-per-item", "wrong-schema",
                                  "no-schema", "other-experiment", "not-json"])
def test_tampered_baseline(baseline_case, bench_cli, case):
    tmp, run, base = baseline_case
    (_, text, words), = [t for t in _tampered(base, tmp) if t[0] == case]
    path = tmp / f"tampered-{case}.json"
    path.write_text(text)
    proc = bench_cli("check", run, "--baseline", path, cwd=tmp)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("bench: error:") and words in lines[0], proc.stderr


HOSTILE = [
    ("name-traversal", ["name=../../escaped"], "not a safe name"),
    ("name-absolute", ["name=/tmp/escaped"], "not a safe name"),
    ("name-hidden", ["name=.hidden"], "not a safe name"),
    ("name-separator", ["name=a/b"], "not a safe name"),
    ("target-key", ["+x._target_=os.system"], "unknown option 'x'"),
    ("target-node", ["+x={_target_:os.system,command:touch PWNED}"], "unknown option 'x'"),
    ("target-in-metric", ["+metrics.rouge._target_=os.system"], "unknown option metrics.rouge._target_"),
    ("target-in-dataset", ["+dataset.columns._target_=os.system"], "unknown option dataset.columns._target_"),
    ("dataset-name-traversal", ["name=${dataset.name}", "dataset.name=../../x"], "not a safe name"),
]


@pytest.mark.parametrize("overrides, words", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_config_values_write_nothing_and_run_nothing(rouge_case, bench_cli, tmp_path, overrides, words):
    _, args, _ = rouge_case
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    proc = bench_cli(*args, *overrides, "results_dir=results", cwd=work)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("bench:")]
    assert len(lines) == 1 and words in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing anywhere, PWNED included
    assert not Path("/tmp/escaped").exists()


# --- BERTScore: interrupts while embedding, damaged cache files ------------------------------------


def _bert_data(path: Path, n: int = 12) -> Path:
    lines = [json.dumps({"id": f"b{i}", "candidate": f"The council met on day {i} and agreed to a plan.",
                         "reference": f"On day {i} the council agreed a new plan for the town."}) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="session")  # built once per worker, not again each time the worker comes back to this module
def bert_case(tmp_path_factory, bench_main):
    tmp = tmp_path_factory.mktemp("bert-faults")
    data = _bert_data(tmp / "data.jsonl")
    args = ["run", "dataset=files", f"dataset.path={data}", "metrics=[bertscore]", "name=bfaulty",
            "metrics.bertscore.progress=false"]
    clean = bench_main(*args, f"results_dir={tmp / 'clean'}", f"metrics.bertscore.cache_dir={tmp / 'clean-cache'}", cwd=tmp)
    assert clean.returncode == 0, clean.stderr
    return tmp, args, _stable(_runs(tmp / "clean")[0])


def _cache_notes(run: Path) -> dict:
    return json.loads((run / "result.json").read_text())["volatile"]["notes"]["bertscore"]


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", SIGNALS, ids=[s for s, _ in SIGNALS])
def test_interrupt_while_embedding_keeps_written_cache_entries_valid(bert_case, bench_cli, bench_main, tmp_path, sig, code):
    tmp, args, clean = bert_case
    results, cache = tmp_path / "results", tmp_path / "cache"
    where = [f"results_dir={results}", f"metrics.bertscore.cache_dir={cache}"]
    proc = bench_cli(*args, *where, cwd=tmp, env={"BENCH_FAULT": f"cache_put@5:{sig}"})  # 5 of 24 texts stored
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    if sig != "SIGKILL":
        assert proc.stderr.splitlines()[-1] == INTERRUPTED
    assert _runs(results) == []
    again = bench_main(*args, *where, cwd=tmp)  # the re-run needs no process of its own
    assert again.returncode == 0, again.stderr
    (run,) = _runs(results)
    notes = _cache_notes(run)
    assert notes["cache_hit_texts"] == 5 and notes["cache_miss_texts"] == 19 and notes["cache_damaged_texts"] == 0
    assert _stable(run) == clean  # partly warm, bit-identical


@pytest.mark.slow
def test_damaged_cache_files_are_recomputed(bert_case, bench_cli, bench_main, tmp_path):
    tmp, args, clean = bert_case
    results, cache = tmp_path / "results", tmp_path / "cache"
    where = [f"results_dir={results}", f"metrics.bertscore.cache_dir={cache}"]
    assert bench_main(*args, *where, cwd=tmp).returncode == 0
    files = sorted(cache.rglob("*.safetensors"))
    assert len(files) == 24
    corrupt, truncated = files[0], files[1]
    data = bytearray(corrupt.read_bytes())
    data[-10] ^= 0xFF  # a flipped byte inside the embeddings: the CRC catches it
    corrupt.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 3])
    # fresh processes read the files (one process that wrote them may answer from what it holds)
    proc = bench_cli(*args, *where, "force=true", cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    run = max(_runs(results), key=lambda r: r.name)
    notes = _cache_notes(run)
    assert notes["cache_damaged_texts"] == 2 and notes["cache_miss_texts"] == 2 and notes["cache_hit_texts"] == 22
    assert _stable(run) == clean
    again = bench_cli(*args, *where, "force=true", cwd=tmp)  # the damaged files were replaced
    assert _cache_notes(max(_runs(results), key=lambda r: r.name))["cache_hit_texts"] == 24


@pytest.mark.slow
def test_ctrl_c_inside_torch_is_one_line(bert_case, bench_exe, tmp_path):
    """A real SIGINT from outside while the model runs (the original finding: a torch traceback)."""
    tmp, args, _ = bert_case
    data = tmp_path / "many.jsonl"
    data.write_text("\n".join(json.dumps({"id": f"m{i}", "candidate": f"Text number {i} " * 40,
                                          "reference": f"Reference {i} " * 40}) for i in range(400)) + "\n")
    run_args = [*args[:2], f"dataset.path={data}", *args[3:], f"results_dir={tmp_path / 'results'}",
                "metrics.bertscore.cache=false"]
    proc = subprocess.Popen([bench_exe, *run_args], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TQDM_DISABLE": "1"})
    seen = ""
    while "scoring 400 items with bertscore" not in seen:
        line = proc.stderr.readline()
        assert line, "bench ended before scoring"
        seen += line
    time.sleep(3.0)  # inside the model's forward passes by now (400 unique texts of ~80 tokens take far longer)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == INTERRUPTED
    assert out == "" and _runs(tmp_path / "results") == []
