"""`bench meta` on a SummEval ROUGE run: the full table with intervals, tests, clusters, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.stats as st


def _run(bench_main, tmp_path, summeval_path, *extra):
    proc = bench_main("run", "experiment=summeval_rouge", f"dataset.path={summeval_path}", f"results_dir={tmp_path / 'r'}",
                     *extra, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    d = Path(proc.stdout.strip().splitlines()[-1])
    return d if d.is_absolute() else tmp_path / d


@pytest.mark.summeval
def test_meta_on_summeval(tmp_path, summeval_path, bench_main):
    run_dir = _run(bench_main, tmp_path, summeval_path)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in run_dir.iterdir())
    proc = bench_main("meta", str(run_dir), "--format", "json", "--resamples", "200", "--test-resamples", "200",
                     cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["schema_version"] == 1 and out["signature"].startswith("meta|levels:sample,summary,system")
    assert (out["systems"], out["documents"]) == (16, 100)
    rows = [r for r in out["correlations"] if r["coefficient"] != "pairwise_accuracy"]
    assert len(rows) == 4 * 4 * 3 * 3 and all(r["ci"] and r["ci"][0] <= r["value"] <= r["ci"][1] for r in rows)
    # the point values are scipy's on the run's own per-item scores
    samples = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    by_doc = {}
    for s in samples:
        by_doc.setdefault(s["metadata"]["doc_id"], []).append((s["scores"]["rouge2"]["fmeasure"], s["metadata"]["expert"]["relevance"]))
    taus = [st.kendalltau(*zip(*v))[0] for v in by_doc.values()]
    want = np.mean([t for t in taus if t == t])
    (row,) = [r for r in rows if (r["metric"], r["human"], r["level"], r["coefficient"]) == ("rouge2", "expert.relevance", "summary", "kendall")]
    assert row["value"] == pytest.approx(want, abs=1e-12) and "cluster" in row
    skipped = {r["human"]: r["groups_skipped"] for r in rows if r["level"] == "summary" and r["metric"] == "rouge1"}
    assert skipped == {"expert.coherence": 0, "expert.consistency": 4, "expert.fluency": 2, "expert.relevance": 0}
    assert len(out["comparisons"]) == 4 * 6 and {c["test"] for c in out["comparisons"]} == {"perm-both"}
    stored = Path(proc.stderr.strip().splitlines()[-1].split(" at ")[-1])
    assert stored.parent.name == "analyses" and json.loads(stored.read_text()) == out
    assert sorted((p.name, p.stat().st_mtime_ns) for p in run_dir.iterdir()) == before  # the run is only read


@pytest.mark.summeval
def test_meta_errors_are_one_line(tmp_path, summeval_path, bench_main):
    run_dir = _run(bench_main, tmp_path, summeval_path, "limit=48")
    proc = bench_main("meta", str(run_dir), "--human", "expert.clarity", "--no-save", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "has no human score 'expert.clarity'; fields present: doc_id, expert.coherence, expert.consistency" in proc.stderr
    proc = bench_main("meta", str(run_dir), "--levels", "document", "--no-save", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown level(s) document" in proc.stderr


@pytest.mark.summeval
def test_resampling_annotators_widens_intervals_and_agreement_is_reported(tmp_path, summeval_path, bench_main):
    folder = Path(summeval_path).parent / "llm_summeval_model_output_annotations"
    proc = bench_main("run", "dataset=summeval_annotations", f"dataset.path={folder}", "metrics=[rouge]", "limit=240",
                     f"results_dir={tmp_path / 'r'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run_dir = proc.stdout.strip().splitlines()[-1]
    common = ["meta", run_dir, "--format", "json", "--no-save", "--levels", "system", "--coefficients", "pearson",
              "--metrics", "rouge1", "--resamples", "400", "--tests", "williams"]
    plain = json.loads(bench_main(*common, cwd=tmp_path).stdout)
    resampled = json.loads(bench_main(*common, "--resample-annotators", cwd=tmp_path).stdout)
    assert "annotators:mean" in plain["signature"] and "annotators:resampled" in resampled["signature"]
    width = lambda out: np.mean([r["ci"][1] - r["ci"][0] for r in out["correlations"] if r["coefficient"] == "pearson"])  # noqa: E731
    assert width(resampled) > width(plain)
    assert [r["value"] for r in plain["correlations"]] == [r["value"] for r in resampled["correlations"]]
    assert plain["agreement_level"] == "interval" and 0.4 < plain["agreement"]["expert.consistency"] <= 1


# G-Eval (Liu et al. 2023) Table 1, summary level, from UniEval: (Spearman, Kendall) per expert dimension
GEVAL = {
    "rouge1": {"coherence": (0.167, 0.126), "consistency": (0.160, 0.130), "fluency": (0.115, 0.094), "relevance": (0.326, 0.252)},
    "rouge2": {"coherence": (0.184, 0.139), "consistency": (0.187, 0.155), "fluency": (0.159, 0.128), "relevance": (0.290, 0.219)},
    "rougeLsum": {"coherence": (0.128, 0.099), "consistency": (0.115, 0.092), "fluency": (0.105, 0.084), "relevance": (0.311, 0.237)},
}


@pytest.mark.slow  # all of SummEval, 1,000-resample intervals
@pytest.mark.summeval
def test_bench_meta_reproduces_the_published_geval_rouge_rows(tmp_path, summeval_path, bench_main):
    """docs/geval_fidelity.md: the recipe (mean over 11 references, stemming, rougeLsum as the paper's ROUGE-L)."""
    proc = bench_main("run", "experiment=geval_rouge", f"dataset.path={summeval_path}", f"results_dir={tmp_path / 'r'}",
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run_dir = proc.stdout.strip().splitlines()[-1]
    out = json.loads(bench_main("meta", run_dir, "--levels", "summary", "--coefficients", "spearman,kendall",
                               "--metrics", "rouge1,rouge2,rougeLsum", "--tests", "williams", "--resamples", "50",
                               "--format", "json", "--no-save", cwd=tmp_path).stdout)
    got = {(r["metric"], r["human"].split(".")[1], r["coefficient"]): r["value"] for r in out["correlations"]}
    worst = max(abs(got[(m, dim, coef)] - pub[k]) for m, dims in GEVAL.items() for dim, pub in dims.items()
                for k, coef in enumerate(("spearman", "kendall")))
    assert worst <= 0.0025  # the paper prints 3 decimals; measured 0.0020 (ROUGE-1 rho)
