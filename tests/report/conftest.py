"""Small real inputs for the report tests: a two-run sweep, a leaderboard, a meta-evaluation and a failing check.

Made once per session through the real CLI on a toy files dataset (8 documents x 4 systems, ROUGE only),
with few resamples, so they cost seconds; the SummEval screenshots live in docs/report-*.png (docs/screenshots.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

WORDS = "the cat sat on a mat while dogs ran far away from home today under grey skies".split()


def _data(path: Path) -> Path:
    with path.open("w") as fh:
        for d in range(8):
            ref = " ".join(WORDS[(d + k) % len(WORDS)] for k in range(10))
            for s in range(4):  # system s changes every (s+2)-th word: a clear ranking with some ties
                cand = " ".join(WORDS[(d + k + (k % (s + 2) == 0) * (s + 1)) % len(WORDS)] for k in range(10))
                fh.write(json.dumps({"id": f"d{d}/s{s}", "candidate": cand, "reference": ref, "doc": f"d{d}",
                                     "system": f"sys{s}", "quality": float(4 - s + (d % 3) * 0.5)}) + "\n")
    return path


@pytest.fixture(scope="session")
def made(tmp_path_factory, bench_main):
    """dict: runs (two, differing only in metrics.rouge.use_stemmer), systems, meta and check JSON paths."""
    tmp = tmp_path_factory.mktemp("report-inputs")
    data = _data(tmp / "toy.jsonl")
    runs = []
    for stem in ("true", "false"):
        proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]", "name=toy",
                         "+dataset.doc_key=doc", "+dataset.system_key=system", f"metrics.rouge.use_stemmer={stem}",
                         "ci.resamples=200", f"results_dir={tmp / 'results'}", cwd=tmp)
        assert proc.returncode == 0, proc.stderr
        d = Path(proc.stdout.strip().splitlines()[-1])
        runs.append(d if d.is_absolute() else tmp / d)

    def stored(proc) -> Path:
        assert proc.returncode == 0, proc.stderr
        return Path(proc.stderr.strip().splitlines()[-1].split(" at ")[-1])

    systems = stored(bench_main("systems", str(runs[0]), "--resamples", "200", "--ci-resamples", "200",
                               "--format", "json", cwd=tmp))
    meta = stored(bench_main("meta", str(runs[0]), "--human", "quality", "--resamples", "50",
                            "--test-resamples", "50", "--format", "json", cwd=tmp))
    base = tmp / "base.json"
    assert bench_main("baseline", str(runs[0]), "--output", str(base), cwd=tmp).returncode == 0
    nudged = json.loads(base.read_text())
    nudged["metrics"]["rouge2"]["fmeasure"] += 0.01  # the run now looks like a regression on rouge2
    base.write_text(json.dumps(nudged))
    proc = bench_main("check", str(runs[0]), "--baseline", str(base), "--format", "json", cwd=tmp)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    check = tmp / "check.json"
    check.write_text(proc.stdout)
    return {"tmp": tmp, "runs": runs, "systems": systems, "meta": meta, "check": check}
