"""Ways to damage a stored file, as data: ``DAMAGES[kind][name](path)`` rewrites ``path`` in place.

``kind`` is the file's format: ``json`` (result.json, a baseline, an analysis artefact), ``jsonl``
(samples.jsonl), ``text`` (config.yaml, an .index entry). Every damage is one a disk, an editor or
a careless script really produces; none needs bench to undo it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

Damage = Callable[[Path], None]


def _rewrite_json(edit: Callable[[dict], Any]) -> Damage:
    def damage(path: Path) -> None:
        doc = json.loads(path.read_text(encoding="utf-8"))
        edit(doc)
        path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")  # allow_nan: NaN is the damage
    return damage


def _first_float(doc: Any, value: Any) -> bool:
    """Replace the first float leaf (depth first, sorted keys) by ``value``."""
    items = sorted(doc.items()) if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        if isinstance(v, float):
            doc[k] = value
            return True
        if isinstance(v, (dict, list)) and _first_float(v, value):
            return True
    return False


def _wrong_type(doc: dict) -> None:
    if isinstance(doc.get("metrics"), dict):
        doc["metrics"] = {name: 5 for name in doc["metrics"]}  # `"metrics": {"rouge1": 5}`
    else:  # an analysis artefact: its rows are a number
        key = next(k for k, v in doc.items() if isinstance(v, list))
        doc[key] = 5


def _missing_keys(doc: dict) -> None:
    doc.pop("metrics" if "metrics" in doc else "kind")


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # mid-line, mid-token: a write cut short


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "stray").write_text("x")


def _not_utf8(path: Path) -> None:
    data = path.read_bytes()
    at = data.index(b'": "') + 4  # inside the first string value
    path.write_bytes(data[:at] + b"\xff\xfe" + data[at:])


def _lines(edit: Callable[[list[dict]], list[Any]]) -> Damage:
    def damage(path: Path) -> None:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        out = edit(rows)
        path.write_text("".join((r if isinstance(r, str) else json.dumps(r, allow_nan=True)) + "\n" for r in out),
                        encoding="utf-8")
    return damage


def _each(rows: list[dict], k: int, fn: Callable[[dict], Any]) -> list[Any]:
    out = list(rows)
    got = fn(out[k])
    if got is not None:
        out[k] = got
    return out


def _nan_score(row: dict) -> None:
    row["scores"]["rouge1"]["fmeasure"] = float("nan")


def _set_scores_5(row: dict) -> None:
    row["scores"]["rouge1"] = 5


JSON: dict[str, Damage] = {
    "truncated": _truncate,
    "invalid_json": lambda p: p.write_bytes(b"{not json"),
    "non_finite": _rewrite_json(lambda d: _first_float(d.get("metrics", d), float("nan")) or _first_float(d, float("nan"))),
    "wrong_type": _rewrite_json(_wrong_type),
    "missing_keys": _rewrite_json(_missing_keys),
    "wrong_schema": _rewrite_json(lambda d: d.__setitem__("schema_version", 999)),
    "not_an_object": lambda p: p.write_text("[1, 2, 3]\n", encoding="utf-8"),
    "not_utf8": _not_utf8,
    "empty": lambda p: p.write_bytes(b""),
    "directory": _directory,
}

JSONL: dict[str, Damage] = {
    "truncated": _truncate,
    "lines_missing": _lines(lambda rows: rows[:3] + rows[6:]),  # 3 of 18 lines gone, ids still unique
    "line_without_scores": _lines(lambda rows: _each(rows, 4, lambda r: {k: v for k, v in r.items() if k != "scores"})),
    "duplicate_ids": _lines(lambda rows: _each(rows, 4, lambda r: {**r, "id": rows[3]["id"]})),
    "invalid_json": _lines(lambda rows: _each(rows, 4, lambda r: "{not json")),
    "non_finite": _lines(lambda rows: _each(rows, 4, _nan_score)),
    "wrong_type": _lines(lambda rows: _each(rows, 4, _set_scores_5)),
    "missing_keys": _lines(lambda rows: _each(rows, 4, lambda r: {k: v for k, v in r.items() if k != "id"})),
    "line_not_an_object": _lines(lambda rows: _each(rows, 4, lambda r: "[1, 2]")),
    "not_utf8": _not_utf8,
    "empty": lambda p: p.write_bytes(b""),
    "directory": _directory,
}

TEXT: dict[str, Damage] = {
    "truncated": _truncate,
    "garbage": lambda p: p.write_text("{{ not: [yaml or a path\n", encoding="utf-8"),
    "not_utf8": lambda p: p.write_bytes(b"\xff\xfe" + p.read_bytes()),
    "empty": lambda p: p.write_bytes(b""),
    "directory": _directory,
}

