"""A comparison (``bench.analysis.compare.Comparison``) as a terminal table or Markdown: runs as rows,
metrics as columns (``_columns``: one per metric shown; another value of a metric, such as its corpus
value, is one more column there), then the legend of long labels, the key, the signature and notes."""

from __future__ import annotations

from typing import Callable

from bench.analysis.compare import Comparison
from bench.text import md, md_code, md_row


def _mean_cell(c: Comparison, label: str, metric: str) -> str:
    v = c.value(label, metric)
    ci = "[n/a]" if v.ci is None else v.ci.text()
    d = c.deciding(label, metric)
    if d is None:
        return f"{v.mean:.4f} {ci}"
    star = "*" if d.significant else ""
    return f"{v.mean:.4f} {ci} {d.delta:+.4f} p={d.p_adjusted:.3g}{star}"


def _corpus_cell(c: Comparison, label: str, metric: str) -> str:
    v = next(v for v in c.corpus if v.label == label and v.metric == metric)
    ci = "[n/a]" if v.ci is None else v.ci.text()
    if v.delta is None:
        return f"{v.value:.4f} {ci}"
    return f"{v.value:.4f} {ci} {v.delta:+.4f} p={v.p:.3g}"


def _columns(c: Comparison) -> list[tuple[str, Callable[[str], str]]]:
    """(header, cell of a run's label) per column after the run's name: each metric's mean, and beside a
    corpus metric's mean its corpus value."""
    out: list[tuple[str, Callable[[str], str]]] = []
    corpus = {v.metric for v in c.corpus}
    for m in c.metrics:
        out.append((f"{m.metric} {m.stat}", lambda label, metric=m.metric: _mean_cell(c, label, metric)))
        if m.metric in corpus:
            out.append((f"{m.metric} corpus", lambda label, metric=m.metric: _corpus_cell(c, label, metric)))
    return out


def _header(c: Comparison) -> list[str]:
    return ["run", *(h for h, _ in _columns(c))]


def _rows(c: Comparison) -> list[list[str]]:
    columns = _columns(c)
    return [[label, *(cell(label) for _, cell in columns)] for label in c.labels]


def _key(c: Comparison) -> str:
    decides = next((d.test for d in c.differences if d.decides), "-")
    others = sorted({d.test for d in c.differences if not d.decides})
    corpus = (f"; corpus: the corpus value [its interval], later runs its difference and sacrebleu's paired "
              f"bootstrap p (two-sided, unadjusted)" if c.corpus else "")
    return (f"mean [interval of the run]; later runs: difference from {c.labels[0]} and its adjusted p "
            f"({decides}; * below alpha)" + (f"; also tested: {', '.join(others)} (--format json)" if others else "")
            + corpus)


def text(c: Comparison) -> str:
    """Aligned columns, then the legend, the key, the signature and notes."""
    rows = [_header(c), *_rows(c)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = ["", *c.legend] if c.legend else []
    return "\n".join([*lines, *legend, "", _key(c), c.signature, *(f"note: {n}" for n in c.notes)])


def markdown(c: Comparison) -> str:
    """A GitHub Markdown table (PR comments, step summaries)."""
    # run labels are config values the user chose: escaped (bench.text), so that each row keeps its cells
    head = _header(c)
    out = [md_row(head), "|---|" + "---:|" * (len(head) - 1)]
    out += [md_row(r) for r in _rows(c)]
    if c.legend:
        out += ["", *(f"- {md(line)}" for line in c.legend)]
    out += ["", md(_key(c)), "", md_code(c.signature), *(f"\n> {md(n)}" for n in c.notes)]
    return "\n".join(out) + "\n"
