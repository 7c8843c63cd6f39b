"""The unit of evaluation: one candidate summary and its references."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from bench.errors import BenchError

log = logging.getLogger(__name__)

# the function json.dumps(str, ensure_ascii=False) encodes a string with (C where available)
_encode_string = json.encoder.encode_basestring


@dataclass(frozen=True, slots=True)  # slots: a million items hold no per-item __dict__
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


def validate(items: Iterable[Item], source: str, empty: str = "score") -> list[Item]:
    """Reject what would silently produce a wrong number: missing or non-string texts, duplicate ids.

    ``empty``: an empty or whitespace-only candidate or reference is scored (``"score"``: as rouge-score,
    sacrebleu and bert-score score it; named once in a warning) or refused (``"error"``). Dropping such a
    row instead would bias the evaluation toward the systems that produced something.
    """
    items = list(items)
    checker = Validator(source, empty)
    for item in items:
        checker.check(item)
    checker.finish()
    return items


class Validator:
    """``validate`` an item at a time (a corpus streamed in chunks is checked as it is read, in item order,
    so the first problem named is the one ``validate`` names); ``finish`` warns once and gives the empties."""

    def __init__(self, source: str, empty: str = "score"):
        self.source, self.refuse = source, empty == "error"
        self.count = 0
        self._seen: set[str] = set()
        self._empty_candidates: list[str] = []
        self._empty_references: list[str] = []

    def check(self, item: Item) -> None:
        source, refuse = self.source, self.refuse
        if item.id in self._seen:
            raise BenchError(
                f"duplicate id {item.id!r} in {source}",
                "make the id column unique or map `dataset.columns.id` to a unique column",
            )
        self._seen.add(item.id)
        self.count += 1
        _check_text(item.candidate, f"candidate of item {item.id!r} in {source}", refuse)
        if item.source is not None:  # a source document is never scored as a summary: empty is a data error
            _check_text(item.source, f"source of item {item.id!r} in {source}", True)
        if not item.references:
            raise BenchError(f"item {item.id!r} in {source} has no reference", "map at least one reference column")
        for k, ref in enumerate(item.references):
            _check_text(ref, f"reference {k} of item {item.id!r} in {source}", refuse)
        if is_empty(item.candidate):
            self._empty_candidates.append(item.id)
        if any(is_empty(r) for r in item.references):
            self._empty_references.append(item.id)

    def finish(self) -> "EmptyTexts":
        """The empty texts found (warned about once); a one-line error when there were no items at all."""
        if not self.count:
            raise BenchError(f"{self.source} produced no items", "check the file, split and limit options")
        self._seen = set()  # the ids are not needed past the checks
        found = EmptyTexts.of_ids(self._empty_candidates, self._empty_references)
        if found:
            log.warning("%s", found.warning(self.count))
        return found


def _check_text(text: object, what: str, refuse_empty: bool) -> None:
    if text is None:
        raise BenchError(f"{what} is missing (None)", "fill it in or drop the row")
    if not isinstance(text, str):
        raise BenchError(f"{what} is {type(text).__name__}, not text", "map the column to a string column")
    if refuse_empty and is_empty(text):
        raise BenchError(f"{what} is empty or whitespace-only", "fill it in or drop the row")


def is_empty(text: str) -> bool:
    """Empty or whitespace-only (``str.strip``'s whitespace): what bert-score's ``sent_encode`` encodes as no
    token at all, and what leaves rouge-score, sacrebleu and chrF no word or character to count."""
    return not text.strip()


@dataclass(frozen=True)
class EmptyTexts:
    """How many items had an empty candidate, and at least one empty reference, and their ids (in item order).

    Its fields are the record's ``inputs.empty`` block as they are (``dataclasses.asdict`` writes it).
    """

    candidates: int = 0
    candidate_ids: tuple[str, ...] = ()
    references: int = 0
    reference_ids: tuple[str, ...] = ()

    @classmethod
    def of_ids(cls, candidate_ids: Iterable[str], reference_ids: Iterable[str]) -> "EmptyTexts":
        candidate_ids, reference_ids = tuple(candidate_ids), tuple(reference_ids)
        return cls(len(candidate_ids), candidate_ids, len(reference_ids), reference_ids)

    @classmethod
    def of(cls, block: Mapping[str, Any]) -> "EmptyTexts":
        """From the record's ``inputs.empty`` block (``to_json``'s form)."""
        return cls(block["candidates"], tuple(block["candidate_ids"]), block["references"], tuple(block["reference_ids"]))

    def __bool__(self) -> bool:
        return bool(self.candidates or self.references)

    def to_json(self) -> dict[str, Any]:
        """The record's ``inputs.empty`` block."""
        return {"candidates": self.candidates, "candidate_ids": list(self.candidate_ids),
                "references": self.references, "reference_ids": list(self.reference_ids)}

    def warning(self, n: int) -> str:
        """One line naming every kind of empty text found among ``n`` items (at most 10 ids each)."""
        parts = []
        for ids, noun in ((self.candidate_ids, "candidate"), (self.reference_ids, "item")):
            if not ids:
                continue
            shown = ", ".join(repr(i) for i in ids[:10]) + (f", ... ({len(ids) - 10} more)" if len(ids) > 10 else "")
            if noun == "candidate":
                verb = "is" if len(ids) == 1 else "are"
                parts.append(f"{len(ids)} of {n} candidates {verb} empty or whitespace-only (ids: {shown})")
            else:
                verb = "has" if len(ids) == 1 else "have"
                parts.append(f"{len(ids)} of {n} items {verb} an empty or whitespace-only reference (ids: {shown})")
        return (f"warning: {'; '.join(parts)}; scored as rouge-score, sacrebleu and bert-score score them "
                "(the run record lists them under inputs.empty)")


def empty_texts(items: Iterable[Item]) -> EmptyTexts:
    """Which items hold an empty or whitespace-only candidate or reference (texts already checked to be strings)."""
    items = list(items)
    return EmptyTexts.of_ids((it.id for it in items if is_empty(it.candidate)),
                             (it.id for it in items if any(is_empty(r) for r in it.references)))


def fingerprint(items: Iterable[Item]) -> str:
    """SHA-256 of the items' canonical JSON: ids, texts and metadata, in order.

    Order matters because per-item results are stored in order; metadata is
    included so that a relabelled system id changes the fingerprint too.
    """
    return fingerprints(items)[0]


def _canonical(item: Item) -> tuple[str, str, str]:
    """One item's canonical JSON lines: the whole item, [id, candidate] and [id, references], exactly as
    ``json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` writes them.

    Built from ``json``'s own C string encoder, each text encoded once for all three lines: a ``json.dumps``
    per line and item was most of a large run's input preparation. Anything but plain strings (a plug-in's
    odd item) goes through ``json.dumps`` itself."""
    if not (type(item.id) is str and type(item.candidate) is str and all(type(r) is str for r in item.references)):
        _json_metadata(item)
        whole = json.dumps(item.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        cands = json.dumps([item.id, item.candidate], ensure_ascii=False, separators=(",", ":"))
        refs = json.dumps([item.id, list(item.references)], ensure_ascii=False, separators=(",", ":"))
        return whole, cands, refs
    enc = _encode_string
    ident, cand = enc(item.id), enc(item.candidate)
    ref_list = "[" + ",".join(map(enc, item.references)) + "]"
    meta = _json_metadata(item) if item.metadata else "{}"
    # sort_keys orders the item's own keys: candidate, id, metadata, references
    whole = f'{{"candidate":{cand},"id":{ident},"metadata":{meta},"references":{ref_list}}}'
    return whole, f"[{ident},{cand}]", f"[{ident},{ref_list}]"


def _json_metadata(item: Item) -> str:
    """An item's metadata as canonical JSON; a one-line error for a value JSON cannot hold (a parquet date or
    timestamp column decodes to ``datetime`` objects, which neither the fingerprint nor samples.jsonl can hold)."""
    try:
        return json.dumps(dict(item.metadata), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise BenchError(f"metadata of item {item.id!r} cannot be stored as JSON ({exc})",
                         "cast that column to a string or a number, or drop it") from None


def fingerprints(items: Iterable[Item]) -> tuple[str, str, str]:
    """``fingerprint``, and ``part_fingerprint`` of the candidates and of the references, in one pass."""
    hasher = Fingerprints()
    for item in items:
        hasher.add(item)
    return hasher.digests()


class Fingerprints:
    """``fingerprints`` an item at a time (a streamed corpus is hashed as it is read)."""

    def __init__(self) -> None:
        self._digests = [hashlib.sha256() for _ in range(3)]

    def add(self, item: Item) -> None:
        for digest, line in zip(self._digests, _canonical(item)):
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")

    def digests(self) -> tuple[str, str, str]:
        return tuple("sha256:" + d.hexdigest() for d in self._digests)  # type: ignore[return-value]


def references_hash(item: Item) -> str:
    """SHA-256 of one item's references (canonical JSON list), as samples.jsonl stores it."""
    if all(type(r) is str for r in item.references):  # json.dumps's own bytes, from its C string encoder
        text = "[" + ",".join(map(_encode_string, item.references)) + "]"
    else:
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
            _no_source(item, what)
        out.append(item.source)
    return out


def check_sources(items: Iterable[Item], what: str) -> None:
    """``require_sources`` without keeping them: a corpus streamed from disk is checked a chunk at a time."""
    for item in items:
        if item.source is None:
            _no_source(item, what)


def _no_source(item: Item, what: str) -> None:
    raise BenchError(
        f"item {item.id!r} has no source document, which {what} needs",
        "use a dataset that declares one (seed, summeval) or map dataset.columns.source to a column",
    )


def part_fingerprint(items: Iterable[Item], part: str) -> str:
    """SHA-256 of (id, candidate) or (id, references) only.

    A regression check pairs items by id: it needs the same references
    (otherwise the numbers measure different things) but expects candidates
    to change when a summariser changes.
    """
    return fingerprints(items)[1 if part == "candidates" else 2]
