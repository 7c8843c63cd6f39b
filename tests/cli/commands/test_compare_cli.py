"""`bench compare` and `bench meta` on a two-value sweep: rows labelled by the swept key, as Hydra writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, summeval_path, bench_main):
    tmp = tmp_path_factory.mktemp("sweep")
    proc = bench_main("run", "-m", "experiment=summeval_rouge", f"dataset.path={summeval_path}", "limit=48",
                     "metrics.rouge.use_stemmer=true,false", f"results_dir={tmp / 'r'}", cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    runs = [line.strip() for line in proc.stdout.splitlines() if line.startswith("  ")][-2:]
    return tmp, [str(Path(r) if Path(r).is_absolute() else tmp / r) for r in runs]


@pytest.mark.summeval
def test_meta_and_compare_label_the_rows_by_the_swept_key(sweep, bench_main):
    tmp, runs = sweep
    labels = ["metrics.rouge.use_stemmer=true", "metrics.rouge.use_stemmer=false"]
    meta = bench_main("meta", *runs, "--metrics", "rouge1", "--coefficients", "kendall", "--resamples", "50",
                     "--test-resamples", "50", "--no-save", cwd=tmp)
    assert meta.returncode == 0, meta.stderr
    rows = [line.split()[0] for line in meta.stdout.splitlines() if line.startswith("rouge1[")]
    assert set(rows) == {f"rouge1[{label}]" for label in labels}
    assert "pairwise_accuracy" not in meta.stdout and "kendall" in meta.stdout  # --coefficients decides every table
    cmp = bench_main("compare", *runs, "--resamples", "1000", cwd=tmp)
    assert cmp.returncode == 0, cmp.stderr
    assert [line.split()[0] for line in cmp.stdout.splitlines()[2:4]] == labels
    stored = Path(cmp.stderr.strip().splitlines()[-1].split(" at ")[-1])
    assert stored.name.startswith("compare-") and stored.parent.name == "analyses"
    out = json.loads(stored.read_text())
    assert out["labels"] == labels and out["kind"] == "compare"
    assert stored.with_suffix(".md").read_text().startswith("| run |")
    js = json.loads(bench_main("compare", *runs, "--resamples", "1000", "--format", "json", "--no-save", cwd=tmp).stdout)
    assert js == out


@pytest.mark.summeval
def test_compare_errors_are_one_line(sweep, bench_main):
    tmp, runs = sweep
    proc = bench_main("compare", runs[0], cwd=tmp)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "at least two runs" in proc.stderr
    proc = bench_main("compare", *runs, "--metrics", "bleu", "--no-save", cwd=tmp)
    assert proc.returncode == 2 and "no metric bleu in every run" in proc.stderr and "Traceback" not in proc.stderr


def _one_line(proc) -> str:
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("bench: error:"), proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def one_item_short(tmp_path_factory):
    """Two runs of a small files dataset, the second without its item 'd5-b' (a system that skipped one input)."""
    from tests import _cli

    tmp = tmp_path_factory.mktemp("short")
    rows = [{"id": f"d{d}-{s}", "candidate": f"the cat {s} sat {d}", "reference": f"a cat sat on mat {d}"}
            for d in range(8) for s in "ab"]
    (tmp / "all.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp / "short.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows if r["id"] != "d5-b"))
    runs = []
    for name in ("all", "short"):
        proc = _cli.run("run", "dataset=files", f"dataset.path={name}.jsonl", "metrics=[rouge]", "results_dir=results",
                        cwd=tmp)
        assert proc.returncode == 0, proc.stderr
        runs.append(str(tmp / proc.stdout.strip().splitlines()[-1]))
    return tmp, runs


def test_compare_names_the_item_a_run_lacks(one_item_short):
    """It once said "different references" (the fingerprint covers every item): the fix was to add an item."""
    from tests import _cli

    tmp, (full, short) = one_item_short
    for order in ((full, short), (short, full)):
        line = _one_line(_cli.run("compare", *order, "--no-save", cwd=tmp))
        assert f"{short} lacks d5-b" in line and "different references" not in line, line
        assert "(16 vs 15)" in line or "(15 vs 16)" in line
    assert not (tmp / "results" / "files" / "analyses").exists()  # nothing stored


@pytest.mark.parametrize("command", ["systems", "compare"])
def test_a_negative_seed_is_told_the_flag_to_pass(one_item_short, command):
    from tests import _cli

    tmp, (full, _) = one_item_short
    line = _one_line(_cli.run(command, full, full, "--seed", "-1", "--no-save", cwd=tmp))
    assert "use e.g. --seed 0" in line and "seed=0" not in line, line
