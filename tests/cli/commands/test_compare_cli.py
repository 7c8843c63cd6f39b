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
