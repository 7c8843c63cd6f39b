"""Two stored runs side by side: metric deltas in each metric's direction, the items that moved most,
and the signature diff (what ``bench diff`` prints, as a table or JSON). Reads the two
runs; writes nothing."""

from __future__ import annotations

from bench.gate import compare
from bench.results import run_record
from bench.results.model import Run
from bench.values import is_missing, to_stored


def _verdict(delta: float | None, higher: bool) -> str:
    """B against A, in the metric's own direction (``n/a`` where a side has no value)."""
    if delta is None:
        return "n/a"
    if delta == 0:
        return "same"
    return "better" if (delta > 0) == higher else "worse"


def _pairs(a: Run, b: Run, metric: str) -> tuple[list[tuple[str, float, float]], int]:
    """The items of both runs with a value of ``metric``'s primary stat on both sides, and how many shared
    items were left out for having none on one side (an unparsed LLM-judge answer)."""
    stat = a.metrics[metric].primary
    if stat not in b.metrics[metric].stats:
        return [], 0
    right = dict(zip(b.ids, b.column(metric, stat)))
    shared = [(i, x, right[i]) for i, x in zip(a.ids, a.column(metric, stat)) if i in right]
    pairs = [(i, x, y) for i, x, y in shared if not (is_missing(x) or is_missing(y))]
    return pairs, len(shared) - len(pairs)


def _movers(a: Run, b: Run, metric: str, top: int) -> list[tuple[str, float, float]]:
    pairs = _pairs(a, b, metric)[0]
    pairs.sort(key=lambda t: (-abs(t[2] - t[1]), t[0]))
    return [p for p in pairs[:top] if p[2] != p[1]]


def build(a_dir: str, b_dir: str, top: int) -> dict:
    """Metric deltas (in each metric's direction), the items that moved most and the signature diff of two runs."""
    a, b = run_record.load(a_dir), run_record.load(b_dir)
    shared = [m for m in a.metrics if m in b.metrics]
    metrics = {}
    for m in shared:
        higher = a.metrics[m].higher_is_better
        sa, sb = a.metrics[m].stats, b.metrics[m].stats
        metrics[m] = {}
        for s in sa:
            if s in sb:  # a mean over no value at all is NaN in memory, null in JSON
                x, y = to_stored(sa[s]), to_stored(sb[s])
                delta = None if x is None or y is None else y - x
                metrics[m][s] = {"a": x, "b": y, "delta": delta, "b_is": _verdict(delta, higher)}
    left_out = {m: n for m in metrics if (n := _pairs(a, b, m)[1])}
    return {
        **({"left_out": left_out} if left_out else {}),
        "a": a_dir, "b": b_dir,
        "metrics": metrics,
        "only_in_a": sorted(set(a.metrics) - set(b.metrics)),
        "only_in_b": sorted(set(b.metrics) - set(a.metrics)),
        "signature_changes": {k: list(v) for k, v in compare.signature_changes(a, b).items()},
        "same_references": a.inputs.references_fingerprint == b.inputs.references_fingerprint,
        "higher_is_better": {m: a.metrics[m].higher_is_better for m in metrics},
        "primary": {m: a.metrics[m].primary for m in metrics},
        "top_movers": {m: [{"id": i, "a": x, "b": y, "delta": y - x, "b_is": _verdict(y - x, a.metrics[m].higher_is_better)}
                           for i, x, y in _movers(a, b, m, top)] for m in metrics},
    }
