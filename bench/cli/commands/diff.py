"""``bench diff RUN_A RUN_B``: metric deltas, the items that moved most, and the signature diff."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from bench.cli.commands.common import Parser, count, handles_errors
from bench.gate.diff import build  # noqa: F401  (build: older callers import it from here)


@dataclass(frozen=True)
class Diff:
    """``bench.gate.diff.build``'s result read once into fields (its dict stays the ``--format json`` contract);
    an unknown or missing key is a TypeError here, not a wrong table."""

    a: str
    b: str
    metrics: Mapping[str, Mapping[str, Mapping[str, Any]]]  # metric -> stat -> a, b, delta, b_is
    only_in_a: Sequence[str]
    only_in_b: Sequence[str]
    signature_changes: Mapping[str, Sequence[str]]
    same_references: bool
    higher_is_better: Mapping[str, bool]
    primary: Mapping[str, str | None]
    top_movers: Mapping[str, Sequence[Mapping[str, Any]]]
    # metric -> shared items without a value in one run (an unparsed LLM-judge answer): not paired; absent if none
    left_out: Mapping[str, int] = field(default_factory=dict)


def _num(x: float | None, fmt: str = ".6f") -> str:
    return "n/a" if x is None else format(x, fmt)


def table(d: dict) -> str:
    """The diff as a terminal table."""
    d = Diff(**d)
    lines = [f"bench diff  A={d.a}  B={d.b}", "metric     stat       A          B          B-A        B is"]
    for m, stats in d.metrics.items():
        for s, v in stats.items():
            lines.append(f"{m:<10} {s:<10} {_num(v['a']):<8}   {_num(v['b']):<8}   {_num(v['delta'], '+.6f'):<9}  {v['b_is']}")
    for side, names in (("only in a", d.only_in_a), ("only in b", d.only_in_b)):
        if names:
            lines.append(f"{side}: {', '.join(names)}")
    if not d.same_references:
        lines.append("note: the runs score different references")
    for m, n in d.left_out.items():
        lines.append(f"note: {m}: {n} item{'s' if n != 1 else ''} without a value in one run left out of the pairs")
    for m, changes in d.signature_changes.items():
        lines += [f"signature {m}: {c}" for c in changes]
    for m, movers in d.top_movers.items():
        if movers:
            direction = "" if d.higher_is_better[m] else ", lower is better"
            lines.append(f"items that moved most ({m}, {d.primary.get(m) or '?'}{direction}):")
            lines += [f"  {x['id']}: {x['a']:.6f} -> {x['b']:.6f} ({x['delta']:+.6f}, {x['b_is']})" for x in movers]
    return "\n".join(lines)


@handles_errors
def main(argv: list[str]) -> int:
    """``bench diff RUN_A RUN_B [--top N] [--format table|json]``."""
    parser = Parser(prog="bench diff", description=__doc__)
    parser.add_argument("run_a")
    parser.add_argument("run_b")
    parser.add_argument("--top", type=count(0), default=10, help="items to list per metric (default 10)")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    args = parser.parse_args(argv)
    d = build(args.run_a, args.run_b, args.top)
    print(json.dumps(d, indent=2, sort_keys=True) if args.format == "json" else table(d))
    return 0
