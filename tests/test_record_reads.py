"""Nothing outside ``bench/results/`` reads a run record by string keys: readers use the typed ``Run``.

Walks the AST of every module of bench/ outside ``bench/results/`` (the record's writer and its one
validated reader) and ``bench/data/`` (readers of foreign formats: SummEval, annotations, dataset
files), and counts subscripts ``x["metrics"]`` and ``x.get("metrics")`` whose key is a key of the
stored record, a samples line or a baseline. A read that must stay carries a ``# record-read: why``
comment on its line; at most ``ALLOWED`` of those may exist.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bench"
EXEMPT = (PACKAGE / "results", PACKAGE / "data")
ALLOWED = 5
MARK = "# record-read:"

# The keys of result.json (and its blocks), of a samples.jsonl line, and of a baseline file.
RECORD_KEYS = frozenset({
    "schema_version", "experiment", "config", "metrics", "signatures", "higher_is_better", "primary", "facts",
    "corpus", "intervals", "groups", "notes", "inputs", "environment", "volatile", "samples_sha256", "run_id",
    "run_key", "timings_s", "scores", "candidate", "n_references", "metadata", "references_sha256",
    "source_sha256", "fingerprint", "references_fingerprint", "candidates_fingerprint", "per_item",
    "n_units", "unit_field", "n_items", "source_run", "shard", "git", "packages",
})


def reads(source: str) -> list[tuple[int, str, bool]]:
    """(line, key, marked) of every string-key read of a record key in ``source``."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out = []
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                key = node.slice.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            key = node.args[0].value
        if key in RECORD_KEYS:
            marked = any(MARK in lines[k - 1] for k in range(node.lineno, (node.end_lineno or node.lineno) + 1))
            out.append((node.lineno, key, marked))
    return out


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not any(e == p or e in p.parents for e in EXEMPT))


def all_reads() -> dict[str, list[tuple[int, str, bool]]]:
    found = {}
    for path in modules():
        got = reads(path.read_text(encoding="utf-8"))
        if got:
            found[str(path.relative_to(PACKAGE.parent))] = got
    return found


@pytest.mark.parametrize("source, expected", [
    ('x = run["metrics"]', [(1, "metrics", False)]),
    ('x = rec.get("intervals") or {}', [(1, "intervals", False)]),
    ('x = s["scores"][m][stat]  # record-read: the stored line itself', [(1, "scores", True)]),
    ('x = d["rows"]', []),
    ('d["metrics"] = 1', []),  # a write (building a record) is not a read
])
def test_the_detector_can_fail(source, expected):
    assert reads(source) == expected


def test_no_module_outside_results_reads_a_record_by_key():
    found = all_reads()
    unmarked = {p: [(line, key) for line, key, marked in r if not marked] for p, r in found.items()}
    unmarked = {p: r for p, r in unmarked.items() if r}
    assert not unmarked, "string-key reads of run records (use the typed Run):\n" + "\n".join(
        f"  {p}: {r}" for p, r in sorted(unmarked.items()))
    marked = [(p, line) for p, r in found.items() for line, _, m in r if m]
    assert len(marked) <= ALLOWED, f"more than {ALLOWED} justified record reads: {marked}"
