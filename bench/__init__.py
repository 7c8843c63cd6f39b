"""bench: a summarisation-evaluation benchmark harness.

Scores candidate summaries against references with ROUGE (rouge-score) and
BERTScore (bert-score) from Hydra configs, and stores signed, reproducible
results. The library API (``bench.api``) is re-exported here; heavy libraries
(torch, transformers, datasets) are imported lazily, only when a metric or a
dataset needs them, so ``import bench`` stays fast.
"""

from bench.version import __version__  # noqa: E402,F401

from bench.api import (Run, Stats, baseline, check, compare, evaluate, load_run, load_runs, ls, merge,  # noqa: E402
                       meta, save, score, systems)
from bench.errors import BenchError  # noqa: E402  (every error bench.* raises for the caller's input is one)
from bench.results.run_record import DamagedRun  # noqa: E402

__all__ = ["BenchError", "DamagedRun", "Run", "Stats", "__version__", "baseline", "check", "compare", "evaluate",
           "load_run", "load_runs", "ls", "merge", "meta", "save", "score", "systems"]
