"""bench.data.items: validation of what gets scored, and the inputs fingerprint."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from bench.data.items import Item, fingerprint, validate
from bench.errors import BenchError


GOOD = Item("a", "the cat sat", ("a cat sat", "the cat sat down"), {"system": "M1"})


def test_validate_returns_the_items_unchanged():
    items = [GOOD, Item("b", "x", ("y",))]
    assert validate(iter(items), "src") == items


BAD = [
    ("no-items", [], "src produced no items"),
    ("duplicate-id", [GOOD, Item("a", "other", ("ref",))], "duplicate id 'a' in src"),
    ("candidate-none", [Item("a", None, ("r",))], "candidate of item 'a' in src is missing (None)"),
    ("candidate-empty", [Item("a", "", ("r",))], "candidate of item 'a' in src is empty or whitespace-only"),
    ("candidate-whitespace", [Item("a", " \t\n\u3000", ("r",))], "candidate of item 'a' in src is empty or whitespace-only"),
    ("candidate-number", [Item("a", 3.5, ("r",))], "candidate of item 'a' in src is float, not text"),
    ("no-reference", [Item("a", "c", ())], "item 'a' in src has no reference"),
    ("reference-none", [Item("a", "c", ("r", None))], "reference 1 of item 'a' in src is missing (None)"),
    ("reference-empty", [Item("a", "c", ("",))], "reference 0 of item 'a' in src is empty or whitespace-only"),
    ("reference-whitespace", [Item("a", "c", ("r", "r", "  \r\n"))], "reference 2 of item 'a' in src is empty"),
    ("reference-list", [Item("a", "c", (["nested"],))], "reference 0 of item 'a' in src is list, not text"),
    ("second-item-bad", [GOOD, Item("b", "", ("r",))], "candidate of item 'b'"),
]


@pytest.mark.parametrize("items, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_validate_rejects(items, message):
    with pytest.raises(BenchError) as info:
        validate(items, "src")
    assert message in str(info.value)
    assert info.value.fix


def _oracle_fingerprint(items):
    # The documented definition: SHA-256 over one canonical JSON line per item, in order.
    digest = hashlib.sha256()
    for it in items:
        record = {"id": it.id, "candidate": it.candidate, "references": list(it.references), "metadata": dict(it.metadata)}
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    return "sha256:" + digest.hexdigest()


def test_fingerprint_format_and_definition():
    items = [GOOD, Item("b", "caf\u00e9 \u2014 na\u00efve", ("r",), {"expert": {"relevance": 4.0}})]
    fp = fingerprint(items)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", fp)
    assert fp == _oracle_fingerprint(items)
    assert fingerprint(list(items)) == fp  # stable across calls


@pytest.mark.parametrize(
    "changed",
    [
        [Item("A", GOOD.candidate, GOOD.references, GOOD.metadata)],
        [Item("a", GOOD.candidate + " ", GOOD.references, GOOD.metadata)],
        [Item("a", GOOD.candidate, GOOD.references[::-1], GOOD.metadata)],
        [Item("a", GOOD.candidate, GOOD.references[:1], GOOD.metadata)],
        [Item("a", GOOD.candidate, GOOD.references, {"system": "M2"})],
        [Item("a", GOOD.candidate, GOOD.references, {})],
        [GOOD, GOOD],
    ],
    ids=["id", "candidate", "reference-order", "reference-dropped", "metadata-value", "metadata-dropped", "duplicated"],
)
def test_fingerprint_changes_with_any_input(changed):
    assert fingerprint(changed) != fingerprint([GOOD])


def test_fingerprint_depends_on_item_order():
    b = Item("b", "x", ("y",))
    assert fingerprint([GOOD, b]) != fingerprint([b, GOOD])


def test_to_json_is_plain_data():
    assert GOOD.to_json() == {
        "id": "a",
        "candidate": "the cat sat",
        "references": ["a cat sat", "the cat sat down"],
        "metadata": {"system": "M1"},
    }
