"""``bench merge RUN_DIR...``: join the shard runs of one experiment into one run (``bench.merge``).

    bench run -m hydra/launcher=joblib shard.count=4 shard.index=0,1,2,3 ...
    bench merge results/<experiment>/<shard runs...>

The merged run is stored like any other (new directory, atomic write) and
equals the unsharded run outside ``volatile``.
"""

from __future__ import annotations

import argparse

from bench.cli.commands.common import Parser, handles_errors


@handles_errors
def main(argv: list[str]) -> int:
    """``bench merge RUN_DIR... [--results-dir DIR]``: store the merged run and print it."""
    import bench
    from bench.cli import summary
    from bench.cli.app import setup_logging

    parser = Parser(prog="bench merge", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dirs", nargs="+", help="the shard runs (any order)")
    parser.add_argument("--results-dir", default="results", help="where to store the merged run (default: results)")
    args = parser.parse_args(argv)
    setup_logging()  # the library says on stderr when the merged run cannot be indexed
    run = bench.merge(*args.run_dirs, results_dir=args.results_dir)
    print(f"merged {len(args.run_dirs)} shards of {run.experiment}: {len(run)} items")
    print(summary.of_run(run))
    print(run.path)
    return 0
