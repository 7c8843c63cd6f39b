"""Bootstrap sums at 10^4, 10^5 and 10^6 units: the loop bench used before issue 28 beside ``resample.bootstrap_sums``.

    python benchmarks/bootstrap_scale.py [--sizes 10000 100000 1000000] [--resamples 1000] [--columns 12]
                                         [--old-cells 20000000]

What an interval of a run with ``ci.unit=item`` costs: ``--resamples`` bootstrap rows of n units, each the
resampled sums of ``--columns`` columns (12: ROUGE's four types x P/R/F). "old" is the code every stored interval
was computed with, copied here (``tests/stats/test_bootstrap_sums.py`` holds the same copy as its oracle):
index rows in chunks of 20M cells, float64 count matrices, units added by a Python loop. "new" is
``bench.stats.resample.bootstrap_sums``. Each measurement runs in a fresh process: wall and CPU seconds, the
peak of numpy's traced allocations beyond the inputs (tracemalloc) and the process's peak RSS.

The old loop at 10^6 units takes minutes per 1,000 resamples: it runs at most ``--old-cells`` index cells
(resamples x units; default one old chunk, 20 resamples at 10^6) and its time is scaled to ``--resamples``
(marked ``*``: its memory is that of one chunk, which is every chunk's). Both share a stream, so the rows
the old loop computed are compared with the new ones bit for bit (``-0.0`` and NaN included).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import resample  # noqa: E402

import _smoke  # noqa: E402  (beside this file: a script's own folder is on sys.path)

OLD_CHUNK_CELLS = 20_000_000


def old_sums(gen: np.random.Generator, n: int, resamples: int, v: np.ndarray) -> np.ndarray:
    """bench before issue 28: ``resample.bootstrap_counts`` then ``resample.weighted_sums``, verbatim."""
    out = []
    step = max(1, min(resamples, OLD_CHUNK_CELLS // max(n, 1)))
    done = 0
    while done < resamples:
        rows = min(step, resamples - done)
        done += rows
        indices = gen.integers(0, n, (rows, n))
        flat = (indices + n * np.arange(rows)[:, None]).ravel()
        c = np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(np.float64)
        sums = np.zeros((rows, v.shape[1]))
        term = np.empty_like(sums)
        for j in range(n):
            np.multiply(c[:, j:j + 1], v[j], out=term)
            sums += term
        out.append(sums)
    return np.concatenate(out)


def one(which: str, n: int, resamples: int, columns: int, save: str) -> None:
    """One measurement, in this process: prints a JSON line."""
    v = np.random.default_rng(12345).random((n, columns))  # ROUGE-like scores in [0, 1)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    t, c = time.perf_counter(), time.process_time()
    if which == "old":
        sums = old_sums(np.random.default_rng(0), n, resamples, v)
    else:
        sums = resample.bootstrap_sums(np.random.default_rng(0), n, resamples, v)[0]
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    np.save(save, sums)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"wall": wall, "cpu": cpu, "traced_mib": peak / 2**20, "rss_mib": rss}))


def measure(which: str, n: int, resamples: int, columns: int, save: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--one", which, str(n), str(resamples), str(columns), save],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--columns", type=int, default=12)
    ap.add_argument("--old-cells", type=int, default=OLD_CHUNK_CELLS)
    ap.add_argument("--one", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        which, n, b, k, save = args.one
        one(which, int(n), int(b), int(k), save)
        return
    _smoke.announce()
    sizes = list(dict.fromkeys(_smoke.cap(n, 2000) for n in args.sizes))  # a smoke run: one small size
    resamples = _smoke.cap(args.resamples, 30)
    old_cells = _smoke.cap(args.old_cells, 20_000)
    print(f"{resamples} resamples x {args.columns} columns; numpy {np.__version__}")
    print(f"{'units':>9} | {'old s':>9} {'old CPU':>8} {'old traced MiB':>14} {'old RSS':>8} | "
          f"{'new s':>7} {'new CPU':>8} {'new traced MiB':>14} {'new RSS':>8} | {'old/new':>7} | same bits")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            old_b = max(1, min(resamples, old_cells // n))
            scale = resamples / old_b
            old = measure("old", n, old_b, args.columns, f"{tmp}/old.npy")
            new = measure("new", n, resamples, args.columns, f"{tmp}/new.npy")
            same = np.array_equal(np.load(f"{tmp}/old.npy").view(np.int64), np.load(f"{tmp}/new.npy")[:old_b].view(np.int64))
            star = "*" if old_b < resamples else " "
            print(f"{n:>9,} | {old['wall'] * scale:8.2f}{star} {old['cpu'] * scale:8.2f} {old['traced_mib']:14.0f} "
                  f"{old['rss_mib']:8.0f} | {new['wall']:7.2f} {new['cpu']:8.2f} {new['traced_mib']:14.0f} "
                  f"{new['rss_mib']:8.0f} | {old['wall'] * scale / new['wall']:6.1f}x | "
                  f"{'yes' if same else 'NO'} ({old_b} rows)", flush=True)
            if not same:
                sys.exit("bootstrap_scale: the new sums differ from the old ones")


if __name__ == "__main__":
    main()
