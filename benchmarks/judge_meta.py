"""How far to trust the small judge: `bench meta` of SmolLM2-135M's ratings against SummEval's experts.

    python benchmarks/judge_meta.py [--limit 160]

Runs, as a user would and timing each: the judge on the first ``--limit`` SummEval items (160: 10
articles x 16 systems, the four shipped dimensions), ROUGE and BERTScore on the same items, then
``bench meta`` on both runs (Markdown): each judge dimension against the expert dimension of its name,
ROUGE/BERTScore against all four, with intervals at every level, and the tests between them
(docs/judges.md shows the table). The response cache is bench's own (BENCH_CACHE_DIR), so a second
invocation answers the judge from it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _smoke  # beside this file: a script's own folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]


def bench(*args: str, cwd: Path) -> tuple[str, float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "BENCH_PROGRESS": "0"})
    if proc.returncode:
        raise SystemExit(f"bench {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=160)
    args = parser.parse_args()
    _smoke.announce()
    limit = _smoke.cap(args.limit, 32)  # a smoke run: two articles x 16 systems, one dimension, 20 resamples
    resamples = ["--resamples", "20", "--test-resamples", "20"] if _smoke.on() else []
    with tempfile.TemporaryDirectory() as tmp:
        common = ["run", "dataset=summeval", f"dataset.path={ROOT.parent / 'shared/data/summeval/bartscore_SummEval_data.json'}",
                  f"limit={limit}", f"results_dir={tmp}"]
        # a smoke run rates fluency alone (short prompts: every step still runs)
        smoke = ["metrics.llm_judge.dimensions=[fluency]"] if _smoke.on() else []
        out, judge_s = bench(*common, "metrics=[llm_judge]", *smoke, cwd=Path(tmp))
        judged = out.strip().splitlines()[-1]
        out, ref_s = bench(*common, "metrics=[rouge,bertscore]", cwd=Path(tmp))
        reference = out.strip().splitlines()[-1]
        table, meta_s = bench("meta", judged, reference, "--format", "markdown", "--no-save", *resamples, cwd=Path(tmp))
    print(f"judge run ({limit} items x 4 dimensions): {judge_s:.0f} s; ROUGE + BERTScore run: {ref_s:.0f} s; "
          f"bench meta: {meta_s:.0f} s ({os.cpu_count()} CPUs)\n")
    print(table)


if __name__ == "__main__":
    main()
