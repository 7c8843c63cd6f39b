"""End to end: ``bench run ...`` (the seed runs in a subprocess, the rest in process), results under ``tmp_path``.

Success: the seed experiment's table, the run directory as the last stdout
line, the documented record, and reproducibility (two runs differ only in
``volatile``). Failure: one ``bench: error:`` line (or Hydra's own message for
an unknown group/key), a non-zero exit, no traceback, and no run directory.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]  # the checkout (tests/conftest.py's ROOT; not imported: other conftest modules shadow the name)


SEED_CANDIDATE = ROOT / "seeds" / "001_2b5b015d8d3b2a6c.txt"
ROUGE_NAMES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def run_dirs(results: Path) -> list[Path]:
    """Run directories: results/<experiment>/<run id>/ (not .multirun/, .index/, .staging/)."""
    return sorted(p for p in results.glob("*/*") if p.is_dir() and not p.parent.name.startswith("."))


def without_volatile(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "volatile"}


# --- the default (seed) experiment, run twice -----------------------------------------------------------


@pytest.fixture(scope="session")  # built once per worker, not again each time the worker comes back to this module
def seed_runs(tmp_path_factory, bench_cli):
    """The default experiment run twice, each in its own working directory with ``results_dir=results``.

    Separate result stores, so the second run is computed, not answered from the first run's
    store entry, while the recorded config (which includes ``results_dir``) stays the same.
    """
    procs, stores = [], []
    # A cache of their own, cold for the first run and warm for the second: how a user re-runs.
    cache = {"BENCH_CACHE_DIR": str(tmp_path_factory.mktemp("seed-e2e-cache"))}
    for k in range(2):
        work = tmp_path_factory.mktemp(f"seed-e2e-{k}")
        procs.append(bench_cli("run", "results_dir=results", cwd=work, env=cache))
        stores.append(work / "results")
        assert procs[-1].returncode == 0, procs[-1].stderr
    return procs, stores


def run_dir_of(proc, work_results: Path) -> Path:
    """The last stdout line: the run directory (relative to the working directory when results_dir is)."""
    last = Path(proc.stdout.strip().splitlines()[-1])
    return last if last.is_absolute() else work_results.parent / last


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_seed_run_prints_the_table_and_the_run_directory(seed_runs):
    (proc, _), (results, _) = seed_runs
    lines = proc.stdout.strip().splitlines()
    run_dir = run_dir_of(proc, results)
    assert run_dir.is_dir()
    assert run_dir.resolve().parent == (results / "seed").resolve()
    assert [p.resolve() for p in run_dirs(results)] == [run_dir.resolve()]
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", run_dir.name)
    header = next(i for i, line in enumerate(lines) if line.split()[:4] == ["metric", "P", "R", "F"])
    assert lines[header].split()[4:] == ["95%", "CI", "(1", "item)"]
    blank = lines.index("", header)
    rows = {line.split()[0]: line.split()[1:4] for line in lines[header + 2 : blank]}
    assert list(rows) == [*ROUGE_NAMES, "bertscore"]  # the quality metrics, and only they
    assert all(line.split()[-1] == "n/a" for line in lines[header + 2 : blank])  # one item: no interval
    # the source statistics (the summary against the article) describe it: a block of their own, with ranges
    assert lines[blank + 1].split() == ["descriptive", "(not", "gated)", "value", "95%", "CI", "(1", "item)", "range"]
    described = {line.split()[0]: line.split()[-2:] for line in lines[blank + 3 : -1]}
    assert {"coverage", "density", "compression"} <= set(described)
    assert described["coverage"] == ["n/a", "0-1"] and described["density"] == [">=", "0"]
    record = json.loads((run_dir / "result.json").read_text())
    for name, (p, r, f) in list(rows.items())[:5]:
        values = record["metrics"][name]
        assert (p, r, f) == tuple(f"{values[s]:.4f}" for s in ("precision", "recall", "fmeasure" if name != "bertscore" else "f1"))
    assert "Traceback" not in proc.stderr


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_the_seed_run_prints_no_warning(seed_runs):
    """A whole process from a cold start (imports, model load, cold cache included) warns of nothing; a Chinese
    candidate still does (tests/cli/test_warnings.py)."""
    from tests.cli.test_warnings import _warnings

    for proc in seed_runs[0]:
        assert "bertscore" in proc.stdout and "rouge1" in proc.stdout
        assert _warnings(proc.stderr) == [], proc.stderr


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_the_readmes_bench_run_output_is_what_bench_run_prints(seed_runs):
    """The README's first example cannot go stale: its output lines are the seed run's stderr and stdout, line for
    line, all but the run directory (a new one each run)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Run", 1)[1].split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == "$ bench run"
    shown = block[1:]
    proc = seed_runs[0][0]
    printed = proc.stderr.splitlines() + proc.stdout.splitlines()
    assert shown[:-1] == printed[:-1]
    assert shown[-1].startswith("results/seed/") and printed[-1].startswith("results/seed/")


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_seed_run_record(seed_runs):
    (proc, _), (results, _) = seed_runs
    run_dir = run_dir_of(proc, results)
    record = json.loads((run_dir / "result.json").read_text())
    for key in ("schema_version", "experiment", "config", "metrics", "signatures", "inputs", "environment", "volatile"):
        assert key in record, key
    assert record["schema_version"] == 1
    assert record["experiment"] == "seed"
    for name in ROUGE_NAMES:
        assert set(record["metrics"][name]) == {"precision", "recall", "fmeasure"}
        assert all(0.0 <= v <= 1.0 for v in record["metrics"][name].values())
    assert set(record["metrics"]["bertscore"]) == {"precision", "recall", "f1"}
    assert set(record["signatures"]) >= {*ROUGE_NAMES, "bertscore", "coverage", "density", "compression"}
    assert record["signatures"]["rouge1"].startswith("rouge1|engine:rouge-score-rs@")
    assert "|layer:" in record["signatures"]["bertscore"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", record["inputs"]["fingerprint"])
    assert record["inputs"]["items"] == 1
    assert record["config"]["dataset"]["source"] == "seed"
    assert {"run_id", "started_at", "duration_s"} <= set(record["volatile"])
    assert record["volatile"]["run_id"] == run_dir.name
    assert "packages" in record["environment"]
    # keys are written sorted (stable diffs between runs)
    text = (run_dir / "result.json").read_text()
    assert text == json.dumps(record, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_seed_run_rouge_is_rouge_score(seed_runs):
    # The stored numbers are rouge-score's own, for the extracted summary paragraph vs the article.
    from rouge_score import rouge_scorer

    from bench.metrics.sentences import get_splitter

    (proc, _), (results, _) = seed_runs
    run_dir = run_dir_of(proc, results)
    record = json.loads((run_dir / "result.json").read_text())
    (sample,) = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    reference = (ROOT / "seeds" / "000_b397174ee7933813.txt").read_text(encoding="utf-8").strip()
    split = get_splitter("punkt")
    oracle = rouge_scorer.RougeScorer(list(ROUGE_NAMES), use_stemmer=True).score(
        "\n".join(split(reference)), "\n".join(split(sample["candidate"])))
    for name in ROUGE_NAMES:
        assert record["metrics"][name] == dict(zip(("precision", "recall", "fmeasure"), oracle[name]))


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_seed_run_files(seed_runs):
    (proc, _), (results, _) = seed_runs
    run_dir = run_dir_of(proc, results)
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    assert len(samples) == 1
    assert samples[0]["id"] == "seed-000"
    assert samples[0]["candidate"].startswith("France and Algeria have agreed to resume")
    assert samples[0]["candidate"].endswith("Christophe Gleizes.")
    assert set(samples[0]["scores"]) >= {*ROUGE_NAMES, "bertscore", "coverage"}  # + the seed's source statistics
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert config["dataset"]["source"] == "seed"
    overrides = yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text())
    assert any(o.startswith("results_dir=") for o in overrides)


def differences(a, b, path="") -> list[str]:
    """Dotted paths where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in differences(a.get(k), b.get(k), f"{path}.{k}".lstrip("."))]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_two_runs_differ_only_in_volatile(seed_runs):
    procs, stores = seed_runs
    dirs = [run_dir_of(p, r) for p, r in zip(procs, stores)]
    assert all("CACHED" not in p.stdout for p in procs)  # both were computed
    records = [json.loads((d / "result.json").read_text()) for d in dirs]
    assert records[0]["volatile"]["run_id"] != records[1]["volatile"]["run_id"]
    diff = differences(without_volatile(records[0]), without_volatile(records[1]))
    assert diff == [], "result.json differs outside `volatile`:\n" + "\n".join(diff)


@pytest.mark.slow  # the seed experiment loads the BERTScore model
def test_two_runs_write_byte_identical_samples(seed_runs):
    procs, stores = seed_runs
    dirs = [run_dir_of(p, r) for p, r in zip(procs, stores)]
    assert dirs[0] != dirs[1]
    assert (dirs[0] / "samples.jsonl").read_bytes() == (dirs[1] / "samples.jsonl").read_bytes()
    for results in stores:
        assert not (results / ".staging").exists()


# --- a sweep ----------------------------------------------------------------------------------------------


def test_multirun_sweep_makes_one_run_per_job(tmp_path, bench_main):
    results = tmp_path / "results"
    proc = bench_main("run", "-m", "metrics=[rouge]", "metrics.rouge.use_stemmer=true,false", f"results_dir={results}",
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    dirs = run_dirs(results)
    assert len(dirs) == 2
    lines = proc.stdout.strip().splitlines()
    assert lines[-3] == "bench run -m: 2 run(s)" and sorted(Path(x.strip()) for x in lines[-2:]) == [d.resolve() for d in dirs]
    assert [p.name for p in tmp_path.iterdir()] == ["results"]  # no multirun.yaml in the working directory
    assert list(results.glob(".multirun/*/multirun.yaml"))
    sigs = [json.loads((d / "result.json").read_text())["signatures"] for d in dirs]
    assert sigs[0] != sigs[1]
    stems = sorted(s["rouge1"].split("|stem:")[1].split("|")[0] for s in sigs)
    assert stems == ["no", "porter"]
    for d in dirs:
        assert set(json.loads((d / "result.json").read_text())["metrics"]) >= set(ROUGE_NAMES)


# --- your own file, end to end ----------------------------------------------------------------------------


def test_files_dataset_end_to_end(tmp_path, bench_main):
    paras = [p for p in (ROOT / "seeds" / "000_b397174ee7933813.txt").read_text(encoding="utf-8").split("\n") if p.strip()]
    rows = [{"doc": f"d{k}", "summary": paras[k], "refs": [paras[k + 1], paras[k + 2]]} for k in range(4)]
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    results = tmp_path / "results"
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "dataset.columns.id=doc",
                     "dataset.columns.candidate=summary", "dataset.columns.references=[refs]", "metrics=[rouge]",
                     "multiref=mean", f"results_dir={results}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = run_dirs(results)
    assert run_dir.parent.name == "files"
    assert Path(proc.stdout.strip().splitlines()[-1]) == run_dir
    record = json.loads((run_dir / "result.json").read_text())
    assert record["inputs"]["items"] == 4 and record["inputs"]["references"] == 8
    assert "|refs:mean|nrefs:2|" in record["signatures"]["rouge2"]
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    assert [s["id"] for s in samples] == ["d0", "d1", "d2", "d3"]


def test_execute_in_process(tmp_path, compose, capsys):
    from bench.cli.app import execute

    run_dir = execute(compose("metrics=[rouge]", f"results_dir={tmp_path / 'results'}"))
    assert run_dir.is_dir() and run_dir.parent == tmp_path / "results" / "seed"
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(run_dir)


# --- bad input: one clear line, non-zero exit, nothing written ---------------------------------------------

ROW = {"id": "a", "candidate": "the cat sat on the mat .", "reference": "a cat sat on a mat ."}


def jsonl(*rows):
    return "".join(json.dumps({**ROW, **r}) + "\n" for r in rows).encode()


BAD_INPUT = [
    # id, files to write, arguments, words the error must contain
    ("missing-file", {}, ["dataset=files", "dataset.path=missing.jsonl"], ["file not found", "missing.jsonl"]),
    ("path-not-set", {}, ["dataset=files"], ["dataset.path is not set"]),
    ("directory", {"adir/x": b""}, ["dataset=files", "dataset.path=adir"], ["is not a file"]),
    ("not-utf8", {"latin.jsonl": b'{"id": "a", "candidate": "caf\xe9", "reference": "x"}\n'},
     ["dataset=files", "dataset.path=latin.jsonl"], ["not valid UTF-8"]),
    ("malformed-json", {"bad.jsonl": b'{"id": "a", "candidate": \n'}, ["dataset=files", "dataset.path=bad.jsonl"],
     ["cannot read", "bad.jsonl", "JSON parse error"]),
    ("unknown-column", {"d.jsonl": jsonl({})}, ["dataset=files", "dataset.path=d.jsonl", "dataset.columns.candidate=summary"],
     ["unknown column 'summary'", "candidate, id, reference"]),
    ("empty-candidate", {"d.jsonl": jsonl({"candidate": ""})}, ["dataset=files", "dataset.path=d.jsonl", "inputs.empty=error"],
     ["candidate of item 'a'", "empty or whitespace-only"]),
    ("none-candidate", {"d.jsonl": jsonl({"candidate": None}, {"id": "b"})}, ["dataset=files", "dataset.path=d.jsonl"],
     ["candidate of item 'a'", "missing (None)"]),
    ("whitespace-candidate", {"d.jsonl": jsonl({"candidate": " \t\n "})}, ["dataset=files", "dataset.path=d.jsonl", "inputs.empty=error"],
     ["candidate of item 'a'", "empty or whitespace-only"]),
    ("empty-reference", {"d.jsonl": jsonl({}, {"id": "b", "reference": ""})}, ["dataset=files", "dataset.path=d.jsonl", "inputs.empty=error"],
     ["reference 0 of item 'b'", "empty or whitespace-only"]),
    ("none-reference", {"d.jsonl": jsonl({"reference": None}, {"id": "b"})}, ["dataset=files", "dataset.path=d.jsonl"],
     ["reference 0 of item 'a'", "missing (None)"]),
    ("whitespace-reference", {"d.jsonl": jsonl({"reference": "   "})}, ["dataset=files", "dataset.path=d.jsonl", "inputs.empty=error"],
     ["reference 0 of item 'a'", "empty or whitespace-only"]),
    ("duplicate-ids", {"d.jsonl": jsonl({}, {"candidate": "another summary ."})}, ["dataset=files", "dataset.path=d.jsonl"],
     ["duplicate id 'a'"]),
    ("unknown-model", {}, ["metrics=[bertscore]", "metrics.bertscore.model=no-such-org/no-such-model"],
     ["model 'no-such-org/no-such-model'"]),
    ("unknown-option-plus", {}, ["+metrics.rouge.foo=1"],
     ["unknown option metrics.rouge.foo", "engine, sentence_splitter, tokenizer, types, use_stemmer"]),
    ("bad-type", {}, ["limit=ten"], ["limit=ten is not a valid int"]),  # as the user typed it
    ("unknown-policy", {}, ["multiref=best"], ["multi-reference policy", "'best'"]),
    ("extraction-fails", {}, ["dataset.extract.block_index=99"], ["block_index=99 is out of range"]),
    ("tampered-seed", {"001_2b5b015d8d3b2a6c.txt": SEED_CANDIDATE.read_bytes() + b"\n"},
     ["dataset.candidate_file=001_2b5b015d8d3b2a6c.txt"], ["SHA-256"]),
]
HYDRA_ERRORS = [
    # Hydra's composition errors, as bench's one line with the closest name and the valid ones
    ("unknown-metric", ["metrics=[rogue]"], ["unknown metric 'rogue'", "did you mean 'rouge'?", "bertscore, bleu, chrf, chrfpp, llm_judge, rouge"]),
    ("unknown-option", ["metrics.rouge.foo=1"], ["unknown option 'metrics.rouge.foo'", "use_stemmer"]),
    ("option-typo", ["metrics.rouge.use_stemer=false"], ["did you mean 'use_stemmer'?"]),
    ("top-level-typo", ["limt=5"], ["unknown option 'limt'", "did you mean 'limit'?"]),
    ("unknown-dataset", ["dataset=sumeval"], ["unknown dataset 'sumeval'", "did you mean 'summeval'?", "files, hub, seed"]),
    ("unknown-experiment", ["experiment=seeed"], ["unknown experiment 'seeed'", "did you mean 'seed'?"]),
    ("unknown-check", ["check=strict"], ["unknown check settings 'strict'", "valid choices: default"]),
    ("bad-grammar", ["dataset.path=["], ["cannot parse a command-line override"]),
]


def assert_nothing_written(results: Path):
    assert not results.exists() or list(results.iterdir()) == [], sorted(results.rglob("*"))


@pytest.mark.parametrize("files, args, words", [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_one_error_line(tmp_path, bench_main, files, args, words):
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    results = tmp_path / "results"
    metrics = [] if any(a.startswith("metrics=") for a in args) else ["metrics=[rouge]"]
    proc = bench_main("run", *metrics, *args, f"results_dir={results}", cwd=tmp_path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("bench: error:")]
    assert len(errors) == 1, proc.stderr
    for word in words:
        assert word in errors[0]
    # the problem is said once: no library's own log line repeats it (datasets logs parse errors itself)
    others = [ln for ln in proc.stderr.splitlines() if ln.strip() and not ln.startswith(("bench: error:", "[bench] "))]
    assert others == [], proc.stderr
    assert proc.stdout == ""
    assert_nothing_written(results)


@pytest.mark.parametrize("args, words", [h[1:] for h in HYDRA_ERRORS], ids=[h[0] for h in HYDRA_ERRORS])
def test_unknown_group_or_key_is_one_line_exit_2(tmp_path, bench_main, args, words):
    results = tmp_path / "results"
    metrics = [] if any(a.startswith("metrics=") for a in args) else ["metrics=[rouge]"]
    proc = bench_main("run", *metrics, *args, f"results_dir={results}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("bench: error: ")
    for word in words:
        assert word in line
    assert proc.stdout == ""
    assert_nothing_written(results)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nor anything else in the working directory


def test_failed_run_keeps_earlier_runs(tmp_path, bench_main):
    results = tmp_path / "results"
    ok = bench_main("run", "metrics=[rouge]", f"results_dir={results}", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    before = run_dirs(results)
    bad = bench_main("run", "metrics=[rouge]", "dataset.extract.block_index=99", f"results_dir={results}", cwd=tmp_path)
    assert bad.returncode != 0
    assert run_dirs(results) == before
    assert not (results / ".staging").exists()
