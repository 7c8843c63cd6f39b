"""bench.data.items: validation of what gets scored, and the inputs fingerprint."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re

import pytest

from bench.data.items import EmptyTexts, Item, empty_texts, fingerprint, validate
from bench.errors import BenchError


GOOD = Item("a", "the cat sat", ("a cat sat", "the cat sat down"), {"system": "M1"})


def test_validate_returns_the_items_unchanged():
    items = [GOOD, Item("b", "x", ("y",))]
    assert validate(iter(items), "src") == items


BAD = [
    ("no-items", [], "src produced no items"),
    ("duplicate-id", [GOOD, Item("a", "other", ("ref",))], "duplicate id 'a' in src"),
    ("candidate-none", [Item("a", None, ("r",))], "candidate of item 'a' in src is missing (None)"),
    ("candidate-number", [Item("a", 3.5, ("r",))], "candidate of item 'a' in src is float, not text"),
    ("no-reference", [Item("a", "c", ())], "item 'a' in src has no reference"),
    ("reference-none", [Item("a", "c", ("r", None))], "reference 1 of item 'a' in src is missing (None)"),
    ("reference-list", [Item("a", "c", (["nested"],))], "reference 0 of item 'a' in src is list, not text"),
]
# refused only with empty="error" (inputs.empty=error); the default scores them
EMPTY = [
    ("candidate-empty", [Item("a", "", ("r",))], "candidate of item 'a' in src is empty or whitespace-only"),
    ("candidate-whitespace", [Item("a", " \t\n\u3000", ("r",))], "candidate of item 'a' in src is empty or whitespace-only"),
    ("reference-empty", [Item("a", "c", ("",))], "reference 0 of item 'a' in src is empty or whitespace-only"),
    ("reference-whitespace", [Item("a", "c", ("r", "r", "  \r\n"))], "reference 2 of item 'a' in src is empty"),
    ("second-item-bad", [GOOD, Item("b", "", ("r",))], "candidate of item 'b'"),
]


@pytest.mark.parametrize("mode", ["score", "error"])
@pytest.mark.parametrize("items, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_validate_rejects(items, message, mode):
    # a missing or non-string text is an error whatever inputs.empty says
    with pytest.raises(BenchError) as info:
        validate(items, "src", mode)
    assert message in str(info.value)
    assert info.value.fix


@pytest.mark.parametrize("items, message", [b[1:] for b in EMPTY], ids=[b[0] for b in EMPTY])
def test_validate_refuses_empty_texts_in_error_mode(items, message):
    with pytest.raises(BenchError) as info:
        validate(items, "src", "error")
    assert message in str(info.value)
    assert str(info.value).count("\n") == 0 and info.value.fix == "fill it in or drop the row"


@pytest.mark.parametrize("items", [b[1] for b in EMPTY], ids=[b[0] for b in EMPTY])
def test_validate_keeps_empty_texts_by_default(items, caplog):
    with caplog.at_level(logging.WARNING, logger="bench"):
        assert validate(items, "src") == items
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ")


def test_the_warning_counts_and_names_each_kind_once(caplog):
    items = [GOOD, Item("e1", "", ("r",)), Item("e2", "\u3000\n", ("r", "")), Item("e3", "c", ("r", " "))]
    with caplog.at_level(logging.WARNING, logger="bench"):
        validate(items, "src")
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line == ("warning: 2 of 4 candidates are empty or whitespace-only (ids: 'e1', 'e2'); 2 of 4 items have an "
                    "empty or whitespace-only reference (ids: 'e2', 'e3'); scored as rouge-score, sacrebleu and "
                    "bert-score score them (the run record lists them under inputs.empty)")


def test_the_warning_shows_at_most_ten_ids(caplog):
    items = [Item(f"i{k:02d}", "", ("r",)) for k in range(12)]
    with caplog.at_level(logging.WARNING, logger="bench"):
        validate(items, "src")
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "12 of 12 candidates are empty" in line
    assert "'i09', ... (2 more))" in line and "'i10'" not in line


def test_no_warning_without_empty_texts(caplog):
    with caplog.at_level(logging.WARNING, logger="bench"):
        validate([GOOD, Item("b", "x", ("y",))], "src")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_empty_texts_lists_ids_in_item_order_and_round_trips():
    items = [Item("z", "", ("r",)), GOOD, Item("b", " ", (" ", "r")), Item("c", "c", ("r", "\t"))]
    found = empty_texts(items)
    assert found == EmptyTexts(2, ("z", "b"), 2, ("b", "c")) and found
    assert found.to_json() == {"candidates": 2, "candidate_ids": ["z", "b"], "references": 2, "reference_ids": ["b", "c"]}
    assert EmptyTexts.of(found.to_json()) == found
    assert dataclasses.asdict(found) == {**found.to_json(), "candidate_ids": ("z", "b"), "reference_ids": ("b", "c")}
    assert not empty_texts([GOOD])


def test_an_empty_source_is_still_refused():
    # a source document is never scored as a summary: an empty one is a data error in either mode
    with pytest.raises(BenchError, match="source of item '1' in test is empty"):
        validate([Item("1", "c", ("r",), source="  ")], "test", "score")


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


def _dumps(obj, **kw) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), **kw).encode("utf-8")


def _digest(lines) -> str:
    h = hashlib.sha256()
    for line in lines:
        h.update(line + b"\n")
    return "sha256:" + h.hexdigest()


# texts json escapes in every way it can: quotes, backslashes, control characters (short and \u forms),
# DEL, non-ASCII of every width, U+2028, a NUL; metadata nested, unordered, with numbers, None and floats
AWKWARD = [
    Item("q\"id\\", 'say "hi"\\ \b\f\n\r\t \x00 \x1f \x7f é 中文 \U0001f600 \u2028', ("r\x01", "", " \u3000"),
         {"z": 1, "a": {"y": [1.5, None, True], "b": "é"}, "m": 1e16}),
    Item("2", "plain", ("one",), {}),
    Item("3", "", ("a", "b", "c"), {"k": float("inf")}),
]
# what a plug-in may hand over: not strings (the slow path must give json.dumps's own bytes too)
ODD = [Item(7, "c", ("r",)), Item("x", "c", ["r", "s"])]


@pytest.mark.parametrize("items", [AWKWARD, ODD, AWKWARD + ODD, []], ids=["awkward", "odd", "mixed", "none"])
def test_the_one_pass_fingerprints_are_json_dumps_bytes(items):
    from bench.data.items import fingerprints, part_fingerprint, references_hash

    whole = _digest(_dumps(it.to_json(), sort_keys=True) for it in items)
    cands = _digest(_dumps([it.id, it.candidate]) for it in items)
    refs = _digest(_dumps([it.id, list(it.references)]) for it in items)
    assert fingerprints(items) == (whole, cands, refs)
    assert (fingerprint(items), part_fingerprint(items, "candidates"), part_fingerprint(items, "references")) == (whole, cands, refs)
    for it in items:
        assert references_hash(it) == hashlib.sha256(_dumps(list(it.references))).hexdigest()
