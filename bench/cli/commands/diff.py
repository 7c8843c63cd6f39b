"""``bench diff RUN_A RUN_B``: metric deltas, the items that moved most, and the signature diff."""

from __future__ import annotations

import json

from bench.cli.commands.common import Parser, handles_errors
from bench.gate import baselines, compare

def _primary(side: compare.Side, metric: str) -> str | None:
    return side.primary.get(metric)  # the record's primary stat (bench.results.run_record)


def _verdict(delta: float, higher: bool) -> str:
    """B against A, in the metric's own direction."""
    if delta == 0:
        return "same"
    return "better" if (delta > 0) == higher else "worse"


def _movers(a: compare.Side, b: compare.Side, metric: str, top: int) -> list[tuple[str, float, float]]:
    stat = _primary(a, metric)
    if stat is None or metric not in b.per_item:
        return []
    right = dict(zip(b.ids, b.per_item[metric][stat]))
    pairs = [(i, x, right[i]) for i, x in zip(a.ids, a.per_item[metric][stat]) if i in right]
    pairs.sort(key=lambda t: (-abs(t[2] - t[1]), t[0]))
    return [p for p in pairs[:top] if p[2] != p[1]]


def build(a_dir: str, b_dir: str, top: int) -> dict:
    """Metric deltas (in each metric's direction), the items that moved most and the signature diff of two runs."""
    _, a = baselines.load_run_side(a_dir)
    _, b = baselines.load_run_side(b_dir)
    metrics = {}
    for m in a.metrics:
        if m in b.metrics:
            higher = a.better_is_higher(m)
            metrics[m] = {s: {"a": a.metrics[m][s], "b": b.metrics[m][s], "delta": b.metrics[m][s] - a.metrics[m][s],
                              "b_is": _verdict(b.metrics[m][s] - a.metrics[m][s], higher)}
                          for s in a.metrics[m] if s in b.metrics[m]}
    return {
        "a": a_dir, "b": b_dir,
        "metrics": metrics,
        "only_in_a": sorted(set(a.metrics) - set(b.metrics)),
        "only_in_b": sorted(set(b.metrics) - set(a.metrics)),
        "signature_changes": {k: list(v) for k, v in compare.signature_changes(a, b).items()},
        "same_references": a.references_fingerprint == b.references_fingerprint,
        "higher_is_better": {m: a.better_is_higher(m) for m in metrics},
        "primary": {m: _primary(a, m) for m in metrics},
        "top_movers": {m: [{"id": i, "a": x, "b": y, "delta": y - x, "b_is": _verdict(y - x, a.better_is_higher(m))}
                           for i, x, y in _movers(a, b, m, top)] for m in metrics},
    }


def _primary_label(metric: str, d: dict) -> str:
    return d["primary"].get(metric) or "?"


def table(d: dict) -> str:
    """The diff as a terminal table."""
    lines = [f"bench diff  A={d['a']}  B={d['b']}", "metric     stat       A          B          B-A        B is"]
    for m, stats in d["metrics"].items():
        for s, v in stats.items():
            lines.append(f"{m:<10} {s:<10} {v['a']:.6f}   {v['b']:.6f}   {v['delta']:+.6f}  {v['b_is']}")
    for side in ("only_in_a", "only_in_b"):
        if d[side]:
            lines.append(f"{side.replace('_', ' ')}: {', '.join(d[side])}")
    if not d["same_references"]:
        lines.append("note: the runs score different references")
    for m, changes in d["signature_changes"].items():
        lines += [f"signature {m}: {c}" for c in changes]
    for m, movers in d["top_movers"].items():
        if movers:
            direction = "" if d["higher_is_better"][m] else ", lower is better"
            lines.append(f"items that moved most ({m}, {_primary_label(m, d)}{direction}):")
            lines += [f"  {x['id']}: {x['a']:.6f} -> {x['b']:.6f} ({x['delta']:+.6f}, {x['b_is']})" for x in movers]
    return "\n".join(lines)


@handles_errors
def main(argv: list[str]) -> int:
    """``bench diff RUN_A RUN_B [--top N] [--format table|json]``."""
    parser = Parser(prog="bench diff", description=__doc__)
    parser.add_argument("run_a")
    parser.add_argument("run_b")
    parser.add_argument("--top", type=int, default=10, help="items to list per metric (default 10)")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    args = parser.parse_args(argv)
    d = build(args.run_a, args.run_b, args.top)
    print(json.dumps(d, indent=2, sort_keys=True) if args.format == "json" else table(d))
    return 0
