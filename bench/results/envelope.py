"""The one envelope of every JSON file bench writes besides a run: ``kind`` and ``schema_version`` first.

Baselines, ``bench systems`` / ``meta`` / ``compare`` artefacts and ``bench check``'s JSON all carry
``{"kind": <KIND>, "schema_version": <int>, ...body}``. One schema-version policy for all of them:
a reader accepts the versions in ``READS[kind]`` and refuses any other in one line (a newer bench
wrote it, or it is no bench file); the rules for older versions of a kind live in that kind's reader.
"""

from __future__ import annotations

from typing import Any, Mapping

from bench.errors import BenchError

# kind -> the schema version bench writes now ("run": result.json, whose kind is its file name)
WRITES: dict[str, int] = {"run": 1, "bench-baseline": 1, "systems": 1, "meta": 1, "compare": 1, "check": 1}
# kind -> every schema version bench reads. Additive keys (a new optional block such as ``facts`` or
# ``corpus_stats``) keep a version; a version changes only when a reader of the old one would misread it.
READS: dict[str, tuple[int, ...]] = {"run": (1,), "bench-baseline": (1,), "systems": (1,), "meta": (1,),
                                     "compare": (1,), "check": (1,)}


def wrap(kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` in the envelope of ``kind`` (``kind`` and ``schema_version`` first)."""
    if kind not in WRITES or kind == "run":
        raise ValueError(f"unknown artefact kind {kind!r}")
    return {"kind": kind, "schema_version": WRITES[kind],
            **{k: v for k, v in body.items() if k not in ("kind", "schema_version")}}


def kind_of(data: Any) -> str | None:
    """The envelope's kind when ``data`` is an object in bench's envelope, else None."""
    if isinstance(data, dict) and isinstance(data.get("kind"), str) and data["kind"] in READS and data["kind"] != "run":
        return data["kind"]
    return None


def check(data: Any, kind: str, where: str, fix: str) -> dict[str, Any]:
    """``data`` if it is an envelope of ``kind`` in a version this bench reads; else a one-line ``BenchError``."""
    if not isinstance(data, dict):
        raise BenchError(f"{where} is not a JSON object", fix)
    if data.get("kind") != kind:
        got = data.get("kind")
        raise BenchError(f"{where} is not a {kind} file (kind {got!r})" if got is not None
                         else f"{where} is not a {kind} file (no kind)", fix)
    version = data.get("schema_version")
    if isinstance(version, bool) or version not in READS[kind]:
        has = f"schema_version {version!r}" if "schema_version" in data else "no schema_version"
        raise BenchError(f"{where} has {has}; this bench reads {', '.join(map(str, READS[kind]))}", fix)
    return data
