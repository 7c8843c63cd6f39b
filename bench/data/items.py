"""The unit of evaluation: one candidate summary and its references."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from bench.errors import BenchError


@dataclass(frozen=True)
class Item:
    """One candidate with one or more references, and the source document when the dataset has one.

    ``metadata`` carries whatever the source knows (document id, system id,
    human scores); it is stored with the per-item scores but never scored.
    ``source`` (the article a summary was written from) is scored only by a
    metric that asks for it (``against=source``, ``source_stats``); it is not in
    ``fingerprint`` (whose value the committed baselines sign) but in
    ``sources_fingerprint``, which those metrics put in their signatures.
    """

    id: str
    candidate: str
    references: tuple[str, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The item as canonical JSON data (what its fingerprint hashes)."""
        return {
            "id": self.id,
            "candidate": self.candidate,
            "references": list(self.references),
            "metadata": dict(self.metadata),
        }


def validate(items: Iterable[Item], source: str) -> list[Item]:
    """Reject what would silently produce a wrong number: empty texts, duplicate ids."""
    items = list(items)
    if not items:
        raise BenchError(f"{source} produced no items", "check the file, split and limit options")
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise BenchError(
                f"duplicate id {item.id!r} in {source}",
                "make the id column unique or map `dataset.columns.id` to a unique column",
            )
        seen.add(item.id)
        _check_text(item.candidate, f"candidate of item {item.id!r} in {source}")
        if item.source is not None:
            _check_text(item.source, f"source of item {item.id!r} in {source}")
        if not item.references:
            raise BenchError(f"item {item.id!r} in {source} has no reference", "map at least one reference column")
        for k, ref in enumerate(item.references):
            _check_text(ref, f"reference {k} of item {item.id!r} in {source}")
    return items


def _check_text(text: object, what: str) -> None:
    if text is None:
        raise BenchError(f"{what} is missing (None)", "fill it in or drop the row")
    if not isinstance(text, str):
        raise BenchError(f"{what} is {type(text).__name__}, not text", "map the column to a string column")
    if not text.strip():
        raise BenchError(f"{what} is empty or whitespace-only", "fill it in or drop the row")


def fingerprint(items: Iterable[Item]) -> str:
    """SHA-256 of the items' canonical JSON: ids, texts and metadata, in order.

    Order matters because per-item results are stored in order; metadata is
    included so that a relabelled system id changes the fingerprint too.
    """
    digest = hashlib.sha256()
    for item in items:
        line = json.dumps(item.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def references_hash(item: Item) -> str:
    """SHA-256 of one item's references (canonical JSON list), as samples.jsonl stores it."""
    text = json.dumps(list(item.references), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_hash(item: Item) -> str | None:
    """SHA-256 of one item's source text (UTF-8), as samples.jsonl stores it; None without a source."""
    return None if item.source is None else hashlib.sha256(item.source.encode("utf-8")).hexdigest()


def sources_fingerprint(items: Iterable[Item]) -> str:
    """SHA-256 of (id, source) in order: what a metric scoring against the source signs (None -> null)."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(json.dumps([item.id, item.source], ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def require_sources(items: Iterable[Item], what: str) -> list[str]:
    """Every item's source, or a one-line error naming the first item without one."""
    out = []
    for item in items:
        if item.source is None:
            raise BenchError(
                f"item {item.id!r} has no source document, which {what} needs",
                "use a dataset that declares one (seed, summeval) or map dataset.columns.source to a column",
            )
        out.append(item.source)
    return out


def part_fingerprint(items: Iterable[Item], part: str) -> str:
    """SHA-256 of (id, candidate) or (id, references) only.

    A regression check pairs items by id: it needs the same references
    (otherwise the numbers measure different things) but expects candidates
    to change when a summariser changes.
    """
    digest = hashlib.sha256()
    for item in items:
        value = item.candidate if part == "candidates" else list(item.references)
        digest.update(json.dumps([item.id, value], ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()
