"""`bench ls`, `bench show`, `bench export` on a store of real runs made by `bench run`."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

WORDS = "the cat sat on a mat while dogs ran far away from home today".split()


def _data(path: Path, shift: int, n: int = 12) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            ref = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(8))
            cand = " ".join(WORDS[(i + k + shift * (k % 3 == 0)) % len(WORDS)] for k in range(8))
            fh.write(json.dumps({"id": f"i{i}", "candidate": cand, "reference": ref, "sys": "AB"[i % 2],
                                 "doc": f"d{i // 2}", "judge": {"score": i / 2}, "tags": ["t", str(i)]}) + "\n")
    return path


def _made(proc) -> Path:
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip().splitlines()[-1])


def _next_second() -> None:
    """Wait for the next whole second (in process, two runs can start within one)."""
    import time

    time.sleep(1.01 - time.time() % 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory, bench_main):
    """results/ with three runs, oldest first: alpha (files, system/doc keys, groups), seed, beta (files)."""
    tmp = tmp_path_factory.mktemp("store")
    root = tmp / "results"
    common = ["metrics=[rouge]", f"results_dir={root}"]
    alpha = _made(bench_main("run", "dataset=files", f"dataset.path={_data(tmp / 'a.jsonl', 0)}", "name=alpha",
                            "+dataset.system_key=sys", "+dataset.doc_key=doc", "group_by=sys", *common, cwd=tmp))
    _next_second()  # started_at has whole seconds: --since SEED's start must leave alpha out
    seed = _made(bench_main("run", *common, cwd=tmp))
    beta = _made(bench_main("run", "dataset=files", f"dataset.path={_data(tmp / 'b.jsonl', 5)}", "name=beta",
                           *common, cwd=tmp))
    # what lies in a results directory and is not a run
    (root / "baselines").mkdir()
    shutil.copy(seed / "result.json", root / "baselines" / "seed.json")
    (root / "alpha" / "analyses").mkdir()
    shutil.copy(alpha / "result.json", root / "alpha" / "analyses" / "result.json")
    (root / "beta" / "20200101-000000-000000").mkdir()  # no result.json
    assert (root / ".index").is_dir()
    return {"tmp": tmp, "root": root, "alpha": alpha, "seed": seed, "beta": beta}


def _record(run: Path) -> dict:
    return json.loads((run / "result.json").read_text())


def _ls(bench_main, store, *args):
    return bench_main("ls", str(store["root"]), *args, cwd=store["tmp"])


def _listed(proc) -> list[str]:
    assert proc.returncode == 0, proc.stderr
    return [line.split()[0] for line in proc.stdout.splitlines()[1:]]


def test_ls_lists_runs_newest_first_one_line_each(bench_main, store):
    proc = _ls(bench_main, store)
    assert _listed(proc) == ["beta", "seed", "alpha"] and proc.stderr == ""
    header, beta, seed, alpha = proc.stdout.splitlines()
    assert header.split()[:4] == ["experiment", "run", "started", "(UTC)"]
    rec = _record(store["alpha"])
    ci = rec["intervals"]["metrics"]["rouge1"]["fmeasure"]
    assert f"rouge1 {rec['metrics']['rouge1']['fmeasure']:.4f} [{ci[0]:.4f}, {ci[1]:.4f}]" in alpha
    assert rec["volatile"]["run_id"] in alpha and " 12 " in alpha and " files " in alpha
    assert (rec["environment"]["git"]["commit"] or "-")[:10] in alpha  # the project (cwd) is no git checkout: "-"
    assert "rouge1 0.2971 [n/a]" in seed  # one item: too few units for an interval


def test_ls_json_is_a_list_of_run_objects(bench_main, store):
    runs = json.loads(_ls(bench_main, store, "--json").stdout)
    assert [r["experiment"] for r in runs] == ["beta", "seed", "alpha"]
    rec = _record(store["alpha"])
    alpha = runs[2]
    assert set(alpha) == {"path", "experiment", "run_id", "started_at", "items", "dataset", "git_commit", "git_dirty",
                          "ci_signature", "metrics", "label"}
    assert alpha["path"] == str(store["alpha"]) and alpha["run_id"] == rec["volatile"]["run_id"]
    assert alpha["started_at"] == rec["volatile"]["started_at"] and alpha["items"] == 12
    assert alpha["metrics"]["rouge1"] == {"metric": "rouge1", "stat": "fmeasure",
                                          "mean": rec["metrics"]["rouge1"]["fmeasure"],
                                          "ci": rec["intervals"]["metrics"]["rouge1"]["fmeasure"]}
    assert list(alpha["metrics"]) == ["rouge1", "rouge2", "rougeL", "rougeLsum"]


def test_ls_filters(bench_main, store):
    assert _listed(_ls(bench_main, store, "--experiment", "seed")) == ["seed"]
    assert _listed(_ls(bench_main, store, "--where", "dataset.name=files")) == ["beta", "alpha"]
    assert _listed(_ls(bench_main, store, "--where", "dataset.system_key=sys")) == ["alpha"]
    assert _listed(_ls(bench_main, store, "--where", "metrics.rouge.use_stemmer=true", "--where", "group_by=sys")) == ["alpha"]
    beta = _record(store["beta"])["metrics"]["rouge1"]["fmeasure"]
    alpha = _record(store["alpha"])["metrics"]["rouge1"]["fmeasure"]
    assert beta < alpha
    assert _listed(_ls(bench_main, store, "--where", f"rouge1.fmeasure>{beta}", "--experiment", "alpha")) == ["alpha"]
    assert _listed(_ls(bench_main, store, "--where", f"rouge1<={beta}")) == ["beta", "seed"]
    started = _record(store["seed"])["volatile"]["started_at"]
    assert _listed(_ls(bench_main, store, "--since", started)) == ["beta", "seed"]
    assert _listed(_ls(bench_main, store, "--since", _record(store["alpha"])["volatile"]["started_at"][:10])) == ["beta", "seed", "alpha"]
    none = _ls(bench_main, store, "--since", "2999-01-01")
    assert none.returncode == 0 and none.stdout == "" and "no runs" in none.stderr


@pytest.mark.parametrize("args, message", [
    (["--since", "soon"], "since 'soon' is not an ISO date"),
    (["--where", "dataset.name"], "is not KEY=VALUE"),
    (["--where", "rouge1>high"], "not a number"),
])
def test_ls_usage_errors_are_one_line(bench_main, store, args, message):
    proc = _ls(bench_main, store, *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("bench: error: ") and message in proc.stderr


def test_ls_of_a_missing_directory_is_an_error(bench_main, store):
    proc = bench_main("ls", str(store["tmp"] / "nope"), cwd=store["tmp"])
    assert proc.returncode == 2 and proc.stderr.startswith("bench: error: no results directory")


def test_ls_skips_a_damaged_record_with_one_line(bench_main, store, tmp_path):
    root = tmp_path / "results"
    shutil.copytree(store["root"], root)
    damaged = root / "seed" / store["seed"].name / "result.json"
    damaged.write_text(damaged.read_text()[:200])
    proc = bench_main("ls", str(root), cwd=tmp_path)
    assert proc.returncode == 0 and [line.split()[0] for line in proc.stdout.splitlines()[1:]] == ["beta", "alpha"]
    assert proc.stderr.count("\n") == 1 and str(damaged.parent) in proc.stderr and "corrupt" in proc.stderr


def _keep_size_and_mtime(path: Path, edit) -> None:
    """Edit a file in place, then give it back its size and mtime (a hand edit followed by ``touch -d``)."""
    import os

    stat, text = path.stat(), path.read_text()
    edited = edit(text)
    assert edited != text and len(edited.encode()) == stat.st_size
    path.write_text(edited)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_ls_reads_records_and_the_index_not_samples(bench_main, store, tmp_path):
    """The store vouches for the samples it wrote (.verified/): ls lists a run whose samples were replaced by
    bytes of the same size and mtime (it never reads them), and every reader that uses the run refuses it."""
    root = tmp_path / "results"
    shutil.copytree(store["root"], root)  # copy2: mtimes kept, the index still vouches
    assert sorted(p.name for p in (root / ".verified").iterdir()) == ["alpha", "beta", "seed"]
    listed = _ls(bench_main, {**store, "root": root}, "--json").stdout
    alpha = root / "alpha" / store["alpha"].name
    _keep_size_and_mtime(alpha / "samples.jsonl", lambda text: text.replace('"i1"', '"i9"', 1))
    proc = _ls(bench_main, {**store, "root": root}, "--json")
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == listed
    for args in (["show", str(alpha)], ["export", str(alpha), "--format", "csv"], ["systems", str(alpha)],
                 ["compare", str(alpha), str(root / "beta" / store["beta"].name)]):
        used = bench_main(*args, cwd=tmp_path)
        assert used.returncode == 2 and used.stdout == "", args
        assert used.stderr.startswith(f"bench: error: run {alpha} is damaged: samples.jsonl does not match the SHA-256"), used.stderr


def test_ls_checks_again_what_changed_and_lists_it_damaged(bench_main, store, tmp_path):
    root = tmp_path / "results"
    shutil.copytree(store["root"], root)
    listed = _ls(bench_main, {**store, "root": root}, "--json").stdout
    shutil.rmtree(root / ".verified")  # a store from before the index: checked in full once, the same listing
    assert _ls(bench_main, {**store, "root": root}, "--json").stdout == listed
    assert sorted(p.name for p in (root / ".verified").iterdir()) == ["alpha", "beta", "seed"]
    (root / ".verified" / "beta" / f"{store['beta'].name}.json").write_text("{not json")  # a damaged entry: ignored
    assert _ls(bench_main, {**store, "root": root}, "--json").stdout == listed
    samples = root / "alpha" / store["alpha"].name / "samples.jsonl"
    samples.write_text(samples.read_text()[:-30])  # cut short: its size no longer matches the index
    proc = bench_main("ls", str(root), cwd=tmp_path)
    assert proc.returncode == 0 and [line.split()[0] for line in proc.stdout.splitlines()[1:]] == ["beta", "seed"]
    assert proc.stderr == (f"bench ls: skipped damaged run {samples.parent}: samples.jsonl does not match the SHA-256 "
                           "recorded in result.json (edited or cut short)\n")


def test_show_prints_a_readable_record(bench_main, store):
    proc = bench_main("show", str(store["alpha"]), cwd=store["tmp"])
    assert proc.returncode == 0, proc.stderr
    rec, out = _record(store["alpha"]), proc.stdout
    ci = rec["intervals"]["metrics"]["rouge2"]["recall"]
    assert f"recall     {rec['metrics']['rouge2']['recall']:.6f}  [{ci[0]:.6f}, {ci[1]:.6f}]" in out
    assert rec["intervals"]["signature"] in out and "12 documents" not in out and "6 documents" in out
    assert "groups by sys" in out and "\nA " in out and "\nB " in out
    for section in ("signatures", "notes", "inputs", "environment"):
        assert f"\n{section}\n" in out
    assert rec["signatures"]["rougeLsum"] in out and rec["inputs"]["fingerprint"] in out
    assert rec["environment"]["platform"] in out


def test_show_json_is_the_record_and_a_run_id_is_enough(bench_main, store):
    proc = bench_main("show", store["beta"].name, "--results-dir", str(store["root"]), "--json", cwd=store["tmp"])
    assert proc.returncode == 0 and json.loads(proc.stdout) == _record(store["beta"])
    short = bench_main("show", f"seed/{store['seed'].name}", "--results-dir", str(store["root"]), cwd=store["tmp"])
    assert short.returncode == 0 and "metrics (bootstrap interval over 1 items" in short.stdout


def test_show_of_no_run_is_a_one_line_error(bench_main, store):
    proc = bench_main("show", "20200101-000000-000000", "--results-dir", str(store["root"]), cwd=store["tmp"])
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("bench: error: no run 20200101-000000-000000")


def _samples(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


def test_export_parquet_reads_in_duckdb_as_the_run_means(bench_main, store, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "alpha.parquet"
    proc = bench_main("export", str(store["alpha"]), "--format", "parquet", "--output", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().endswith(str(out)) and proc.stdout == ""
    rec = _record(store["alpha"])
    means = duckdb.sql(f"SELECT metric, stat, avg(value), count(*) FROM '{out}' GROUP BY metric, stat").fetchall()
    assert len(means) == 4 * 3
    for metric, stat, mean, n in means:
        assert n == 12 and mean == pytest.approx(rec["metrics"][metric][stat], abs=1e-12)
    systems = duckdb.sql(f"SELECT system, count(DISTINCT document), count(*) FROM '{out}' GROUP BY system ORDER BY 1")
    assert systems.fetchall() == [("A", 6, 6 * 12), ("B", 6, 6 * 12)]
    row = duckdb.sql(f"""SELECT run_id, experiment, item_id, "judge.score", tags FROM '{out}'
                         WHERE item_id = 'i3' LIMIT 1""").fetchone()
    assert row == (rec["volatile"]["run_id"], "alpha", "i3", 1.5, '["t", "3"]')


def test_export_csv_and_jsonl_round_trip(bench_main, store, tmp_path):
    runs = [store["beta"], store["seed"]]
    jsonl = bench_main("export", *map(str, runs), "--format", "jsonl", cwd=tmp_path)
    assert jsonl.returncode == 0, jsonl.stderr
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    expected = [(rec["volatile"]["run_id"], s["id"], m, st, v) for run in runs for rec in [_record(run)]
                for s in _samples(run) for m, stats in s["scores"].items() for st, v in stats.items()]
    assert [(r["run_id"], r["item_id"], r["metric"], r["stat"], r["value"]) for r in rows] == expected
    assert {r["system"] for r in rows} == {None}  # neither dataset declares a system_key
    out = tmp_path / "sub" / "both.csv"
    proc = bench_main("export", *map(str, runs), "--output", str(out), cwd=tmp_path)  # format from the extension
    assert proc.returncode == 0, proc.stderr
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["run_id"], r["item_id"], r["metric"], r["stat"], float(r["value"])) for r in table] == expected
    assert table[0]["sys"] == "A" and table[0]["judge.score"] == "0.0" and table[-1]["sys"] == ""
    assert bench_main("export", *map(str, runs), "--format", "csv", cwd=tmp_path).stdout == out.read_text()


def test_export_wide_is_one_row_per_item_with_the_long_tables_values(bench_main, store, tmp_path):
    run = store["alpha"]
    wide = bench_main("export", str(run), "--wide", "--format", "jsonl", cwd=tmp_path)
    assert wide.returncode == 0, wide.stderr
    rows = [json.loads(line) for line in wide.stdout.splitlines()]
    samples = _samples(run)
    assert [r["item_id"] for r in rows] == [s["id"] for s in samples]
    assert list(rows[0])[:5] == ["run_id", "experiment", "item_id", "system", "document"]
    for row, sample in zip(rows, samples):
        assert {k: v for k, v in row.items() if k.startswith("rouge")} == {
            f"{m}.{st}": v for m, stats in sample["scores"].items() for st, v in stats.items()}
    assert {r["system"] for r in rows} == {"A", "B"}
    both = bench_main("export", str(run), "--wide", "--corpus", "--format", "csv", cwd=tmp_path)
    assert both.returncode == 2 and both.stderr.count("\n") == 1 and "not allowed with" in both.stderr


@pytest.mark.parametrize("args, message", [
    (["--format", "parquet"], "add --output FILE.parquet"),
    ([], "no export format"),
    (["--output", "x.xlsx"], "cannot tell the format of x.xlsx"),
])
def test_export_usage_errors(bench_main, store, tmp_path, args, message):
    proc = bench_main("export", str(store["seed"]), *args, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and message in proc.stderr


def test_export_never_writes_into_a_run(bench_main, store, tmp_path):
    target = store["seed"] / "scores.csv"
    proc = bench_main("export", str(store["seed"]), "--output", str(target), cwd=tmp_path)
    assert proc.returncode == 2 and "inside a run directory" in proc.stderr and not target.exists()


# --- corpus values and descriptive statistics --------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, bench_main):
    """A seed run (it has a source document) with quality metrics, corpus metrics and descriptive statistics."""
    tmp = tmp_path_factory.mktemp("mixed")
    proc = bench_main("run", "metrics=[rouge,bleu,chrf,source_stats]", f"results_dir={tmp / 'results'}", cwd=tmp)
    return {"tmp": tmp, "proc": proc, "run": _made(proc)}


def _block(lines: list[str], heading: str) -> list[str]:
    """The lines from ``heading`` to the next empty line."""
    start = next(k for k, line in enumerate(lines) if line.startswith(heading))
    end = next((k for k in range(start, len(lines)) if not lines[k].strip()), len(lines))
    return lines[start:end]


DESCRIPTIVE = ("compression", "coverage", "density", "novel_1", "repeated_1", "source_tokens", "summary_tokens")


def test_run_summary_has_corpus_values_and_a_descriptive_block(mixed):
    rec = _record(mixed["run"])
    lines = mixed["proc"].stdout.splitlines()
    quality = _block(lines, "metric ")
    assert quality[0].split()[-2:] == ["corpus", "CI"] and "corpus" in quality[0].split()
    bleu = next(line for line in quality if line.startswith("bleu "))
    assert bleu.split()[-2:] == [f"{rec['corpus']['bleu']['score']:.4f}", "n/a"]  # corpus value, its interval
    rouge = next(line for line in quality if line.startswith("rouge1 "))
    assert rouge.split()[-2:] == ["-", "-"]  # ROUGE's corpus value is its mean: no corpus column
    assert not any(line.startswith(DESCRIPTIVE) for line in quality)
    descriptive = _block(lines, "descriptive (not gated)")
    assert descriptive[0].split()[-1] == "range"
    assert any(line.startswith("coverage ") and line.split()[-1] == "0-1" for line in descriptive)
    assert any(line.startswith("novel_1 (lower is better) ") for line in descriptive)
    assert next(line for line in descriptive if line.startswith("summary_tokens ")).endswith(">= 0")
    assert descriptive[-1] == str(mixed["run"])  # the run directory, last, right after the table
    assert {line.split()[0] for line in descriptive[2:-1]} == {m for m in rec["metrics"] if m not in
                                                               ("rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "chrf")}


def test_show_prints_corpus_values_and_descriptive_statistics_apart(bench_main, mixed):
    proc = bench_main("show", str(mixed["run"]), cwd=mixed["tmp"])
    assert proc.returncode == 0, proc.stderr
    rec, lines = _record(mixed["run"]), proc.stdout.splitlines()
    metrics = _block(lines, "metrics (bootstrap interval")
    for name in ("bleu", "chrf"):
        k = next(k for k, line in enumerate(metrics) if line.split()[:1] == [name])
        assert metrics[k + 1].split() == ["corpus", f"{rec['corpus'][name]['score']:.6f}", "n/a"]
    assert not any(line.split()[:1] and line.split()[0] in DESCRIPTIVE for line in metrics)
    descriptive = _block(lines, "descriptive (not gated)")
    coverage = next(line for line in descriptive if line.split()[:1] == ["coverage"])
    assert coverage.split()[1:] == ["value", f"{rec['metrics']['coverage']['value']:.6f}", "n/a", "(range", "0-1)"]
    novel = next(line for line in descriptive if line.split()[:1] == ["novel_2"])
    assert novel.endswith("(range 0-1, lower is better)")
    tokens = next(line for line in descriptive if line.split()[:1] == ["summary_tokens"])
    assert tokens.endswith("(range >= 0)")


def test_export_corpus_writes_one_row_per_run_and_corpus_metric(bench_main, mixed, tmp_path):
    proc = bench_main("export", str(mixed["run"]), str(mixed["run"]), "--corpus", "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rec = _record(mixed["run"])
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["metric"], r["stat"], float(r["corpus"]), float(r["mean"])) for r in rows] == [
        (m, "score", rec["corpus"][m]["score"], rec["metrics"][m]["score"]) for m in ("bleu", "chrf")] * 2
    assert {(r["run_id"], r["items"], r["ci_lo"], r["ci_hi"]) for r in rows} == {(rec["volatile"]["run_id"], "1", "", "")}


def test_export_corpus_of_runs_without_corpus_values_is_a_one_line_error(bench_main, store, tmp_path):
    proc = bench_main("export", str(store["seed"]), "--corpus", "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.count("\n") == 1
    assert "no metric of these runs has a corpus value" in proc.stderr


def test_ls_names_a_sweeps_runs_by_what_differs(bench_main, tmp_path):
    import bench

    for stem in (True, False):
        bench.save(bench.score(["the cats sat"], ["a cat sat"], name="sweep", rouge={"use_stemmer": stem}), tmp_path)
    proc = bench_main("ls", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    header, newer, older = proc.stdout.splitlines()
    column = header.index("setting")
    assert newer[column:].startswith("metrics.rouge.use_stemmer=false  ")
    assert older[column:].startswith("metrics.rouge.use_stemmer=true  ")


@pytest.mark.summeval
def test_show_and_export_of_summeval_bleu_chrf_give_the_corpus_scores(bench_main, summeval_path, tmp_path):
    import bench

    made = _made(bench_main("run", "dataset=summeval", f"dataset.path={summeval_path}", "metrics=[bleu,chrf]",
                            f"results_dir={tmp_path / 'results'}", cwd=tmp_path))
    run = bench.load_run(made)
    # the corpus scores sacrebleu gives SummEval's 1600 candidates (the figures of issue 24)
    assert (round(run.corpus["bleu"], 4), round(run.corpus["chrf"], 4)) == (23.7971, 44.8471)
    shown = bench_main("show", str(made), cwd=tmp_path).stdout.splitlines()
    corpus = [line.split() for line in shown if line.split()[:1] == ["corpus"]]
    assert [float(c[1]) for c in corpus] == [round(run.corpus["bleu"], 6), round(run.corpus["chrf"], 6)]
    exported = bench_main("export", str(made), "--corpus", "--format", "jsonl", cwd=tmp_path).stdout.splitlines()
    assert [json.loads(line)["corpus"] for line in exported] == [run.corpus["bleu"], run.corpus["chrf"]]
