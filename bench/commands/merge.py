"""``bench merge RUN_DIR...``: join the shard runs of one experiment into one run.

    bench run -m hydra/launcher=joblib shard.count=4 shard.index=0,1,2,3 ...
    bench merge results/<experiment>/<shard runs...>

The merged run is stored like any other (new directory, atomic write) and
equals the unsharded run outside ``volatile``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from bench import merge, store
from bench.commands.common import Parser, handles_errors


@handles_errors
def main(argv: list[str]) -> int:
    parser = Parser(prog="bench merge", description=__doc__, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("run_dirs", nargs="+", help="the shard runs (any order)")
    parser.add_argument("--results-dir", default="results", help="where to store the merged run (default: results)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    shards = [(store.load_run(d), store.load_samples(d)) for d in args.run_dirs]
    record, samples = merge.merge(shards)
    run_id = store.new_run_id()
    record["volatile"] = {
        "run_id": run_id,
        "merged_from": sorted(r["volatile"]["run_id"] for r, _ in shards),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started,
    }
    from bench import run_cache
    from bench.config import parse

    # the key the unsharded run would have: its signatures are the merged record's
    signatures = list(record["signatures"].values())
    record["run_key"] = run_cache.run_key(record["config"], parse(record["config"]), [record["inputs"]["fingerprint"]], signatures)
    run_dir = store.write_run(args.results_dir, record["experiment"], record, samples, {}, run_id, key=record["run_key"])
    from bench import report

    print(f"merged {len(shards)} shards of {record['experiment']}: {len(samples)} items")
    print(report.table(record["metrics"], record.get("higher_is_better")))
    print(run_dir)
    return 0
