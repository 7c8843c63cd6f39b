"""``bench merge RUN_DIR...``: join the shard runs of one experiment into one run.

    bench run -m hydra/launcher=joblib shard.count=4 shard.index=0,1,2,3 ...
    bench merge results/<experiment>/<shard runs...>

The merged run is stored like any other (new directory, atomic write) and
equals the unsharded run outside ``volatile``.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from bench.cli.commands.common import Parser, handles_errors
from bench.results import merge, run_record, store

log = logging.getLogger("bench")


@handles_errors
def main(argv: list[str]) -> int:
    """``bench merge RUN_DIR... [--results-dir DIR]``: store the merged run and print it."""
    parser = Parser(prog="bench merge", description=__doc__, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("run_dirs", nargs="+", help="the shard runs (any order)")
    parser.add_argument("--results-dir", default="results", help="where to store the merged run (default: results)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    shards = [run_record.plain(run_record.load(d)) for d in args.run_dirs]  # validated: no line may be missing
    record, samples = merge.merge(shards)
    run_id = store.new_run_id()
    record["volatile"] = {
        "run_id": run_id,
        "merged_from": sorted(r["volatile"]["run_id"] for r, _ in shards),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started,
    }
    record["run_key"] = merge.merged_run_key(record, shards)
    if record["run_key"] is None:
        log.info("shards come from other software or machines than this one: the merged run is stored, not indexed")
    run_dir = store.write_run(args.results_dir, record["experiment"], record, samples, {}, run_id, key=record["run_key"])
    from bench.cli import summary

    print(f"merged {len(shards)} shards of {record['experiment']}: {len(samples)} items")
    print(summary.table(record["metrics"], record.get("higher_is_better")))
    print(run_dir)
    return 0
