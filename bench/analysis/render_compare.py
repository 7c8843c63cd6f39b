"""A comparison (its JSON form) as a terminal table or Markdown: runs as rows, metrics as columns."""

from __future__ import annotations

from typing import Any, Mapping


def _cell(payload: Mapping[str, Any], label: str, metric: str) -> str:
    v = next(x for x in payload["values"] if x["label"] == label and x["metric"] == metric)
    ci = "[n/a]" if v["ci"] is None else f"[{v['ci'][0]:.4f}, {v['ci'][1]:.4f}]"
    d = [x for x in payload["differences"] if x["label"] == label and x["metric"] == metric and x["decides"]]
    if not d:
        return f"{v['mean']:.4f} {ci}"
    star = "*" if d[0]["significant"] else ""
    return f"{v['mean']:.4f} {ci} {d[0]['delta']:+.4f} p={d[0]['p_adjusted']:.3g}{star}"


def _header(payload: Mapping[str, Any]) -> list[str]:
    return ["run", *(f"{m['metric']} {m['stat']}" for m in payload["metrics"])]


def _rows(payload: Mapping[str, Any]) -> list[list[str]]:
    return [[label, *(_cell(payload, label, m["metric"]) for m in payload["metrics"])] for label in payload["labels"]]


def _legend(payload: Mapping[str, Any]) -> str:
    decides = next((d["test"] for d in payload["differences"] if d["decides"]), "-")
    others = sorted({d["test"] for d in payload["differences"] if not d["decides"]})
    return (f"mean [interval of the run]; later runs: difference from {payload['labels'][0]} and its adjusted p "
            f"({decides}; * below alpha)" + (f"; also tested: {', '.join(others)} (--format json)" if others else ""))


def text(payload: Mapping[str, Any]) -> str:
    """Aligned columns, then the legend, the signature and notes."""
    rows = [_header(payload), *_rows(payload)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([*lines, "", _legend(payload), payload["signature"], *(f"note: {n}" for n in payload["notes"])])


def markdown(payload: Mapping[str, Any]) -> str:
    """A GitHub Markdown table (PR comments, step summaries)."""
    head = _header(payload)
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    out += ["| " + " | ".join(r) + " |" for r in _rows(payload)]
    out += ["", _legend(payload), "", f"`{payload['signature']}`", *(f"\n> {n}" for n in payload["notes"])]
    return "\n".join(out) + "\n"
