"""``bench reproduce RUN_DIR``: re-run a stored run from its own record and say whether it is identical.

The inputs are rebuilt from the recorded config and must have the recorded
fingerprint; then every metric is recomputed (never answered from a cache)
and compared exactly: aggregates, per-item values and signatures.
Exit 0 identical, 1 drifted, 2 usage error.
"""

from __future__ import annotations

from bench import pipeline, store
from bench.commands.common import Parser, handles_errors
from bench.config import parse
from bench.items import fingerprint
from bench.signature import Signature


def _compare(record: dict, samples: list[dict], result: pipeline.RunResult) -> list[str]:
    drift = []
    for m in result.metrics:
        old_sig = record["signatures"].get(m.name)
        if old_sig is None:
            drift.append(f"{m.name}: not in the stored run")
            continue
        for change in Signature.parse(old_sig).diff(m.signature):
            drift.append(f"{m.name} signature: {change}")
        for stat, value in m.means().items():
            old = record["metrics"][m.name][stat]
            if value != old:
                drift.append(f"{m.name}.{stat}: {old!r} -> {value!r} ({value - old:+.3g})")
        changed = sum(
            1 for k, s in enumerate(samples) if tuple(s["scores"][m.name][st] for st in m.stats) != m.per_item[k]
        )
        if changed:
            drift.append(f"{m.name}: {changed} of {len(samples)} items changed")
    return drift


@handles_errors
def main(argv: list[str]) -> int:
    parser = Parser(prog="bench reproduce", description=__doc__)
    parser.add_argument("run_dir")
    args = parser.parse_args(argv)
    record = store.load_run(args.run_dir)
    samples = store.load_samples(args.run_dir)
    config = parse(record["config"])
    items = pipeline.prepare(config)
    if fingerprint(items) != record["inputs"]["fingerprint"]:
        print(f"DRIFTED: inputs changed: {record['inputs']['fingerprint']} -> {fingerprint(items)}")
        return 1
    result = pipeline.run(config)
    drift = _compare(record, samples, result)
    if drift:
        print(f"DRIFTED: {args.run_dir}")
        print("\n".join(f"  {d}" for d in drift))
        return 1
    print(f"IDENTICAL: {args.run_dir} ({len(items)} items, {len(result.metrics)} metrics, signatures equal)")
    return 0
