"""A leaderboard (its JSON form) as a terminal table or Markdown."""

from __future__ import annotations

from typing import Any, Mapping


def _groups(lb: Mapping[str, Any]) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    out: dict[tuple[str, str], list] = {}
    for row in lb["systems"]:
        out.setdefault((row["metric"], row["stat"]), []).append(row)
    return out


def _ci(row: Mapping[str, Any]) -> str:
    return "n/a" if row["ci"] is None else f"[{row['ci'][0]:.4f}, {row['ci'][1]:.4f}]"


def _significant(lb: Mapping[str, Any], metric: str, stat: str) -> str:
    """``clusters from ar: 3/120 pairs significant; also bootstrap: 2/120``: the rule first, the others beside it."""
    rule = lb.get("cluster_test", "ar")
    counts = {}
    for test in dict.fromkeys(p["test"] for p in lb["pairs"]):
        rows = [p for p in lb["pairs"] if p["metric"] == metric and p["stat"] == stat and p["test"] == test]
        counts[test] = f"{sum(p['significant'] for p in rows)}/{len(rows)} pairs significant"
    name = "max(bootstrap, ar)" if rule == "max" else rule
    others = [f"{t}: {c}" for t, c in counts.items() if t != rule]
    return f"clusters from {name}: {counts.get(rule, '-')}" + (f"; beside it {'; '.join(others)}" if others else "")


def _rows(rows: list[Mapping[str, Any]]) -> list[list[str]]:
    return [[str(r["rank"]), str(r["cluster"]), r["system"], f"{r['mean']:.4f}", _ci(r), str(r["n_docs"])] for r in rows]


HEADER = ["rank", "cluster", "system", "mean", "95% CI", "docs"]


def text(lb: Mapping[str, Any]) -> str:
    """Aligned columns, one block per metric's stat, then the signature and notes."""
    blocks = []
    for (metric, stat), rows in _groups(lb).items():
        table = [HEADER, *_rows(rows)]
        widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
        lines = ["  ".join(c.ljust(w) if i == 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        blocks.append(f"{metric} {stat}: {_significant(lb, metric, stat)}\n" + "\n".join(lines))
    tail = [lb["signature"], *([lb["interval_signature"]] if lb.get("interval_signature") else []),
            *(f"note: {n}" for n in lb.get("notes", []))]
    return "\n\n".join(blocks) + "\n\n" + "\n".join(tail)


def markdown(lb: Mapping[str, Any]) -> str:
    """GitHub Markdown tables, one per metric's stat (for PR comments and step summaries)."""
    out = []
    for (metric, stat), rows in _groups(lb).items():
        out.append(f"### {metric} {stat}\n\n{_significant(lb, metric, stat)}\n")
        out.append("| " + " | ".join(HEADER) + " |")
        out.append("|" + "|".join("---:" if h != "system" else "---" for h in HEADER) + "|")
        out += ["| " + " | ".join(r) + " |" for r in _rows(rows)]
        out.append("")
    out.append(f"`{lb['signature']}`" + (f" `{lb['interval_signature']}`" if lb.get("interval_signature") else ""))
    out += [f"\n> {n}" for n in lb.get("notes", [])]
    return "\n".join(out) + "\n"
