"""Two stored runs side by side: metric deltas in each metric's direction, the items that moved most,
and the signature diff (what ``bench diff`` prints, as a table or JSON). Reads the two
runs; writes nothing."""

from __future__ import annotations

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
