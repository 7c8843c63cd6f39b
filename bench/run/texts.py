"""In-memory texts for ``bench.score``: candidates, references and per-item fields, checked into ``Item``s.

Every check raises ``bench.errors.InputError`` naming the argument as a Python caller wrote it
(``references[3]``, ``systems=``), never a command-line flag.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from bench.errors import InputError

SYSTEM_FIELD = "system"  # the metadata field ``systems=`` fills; recorded as the dataset's system_key
DOCUMENT_FIELD = "document"  # the metadata field ``documents=`` fills; recorded as the dataset's doc_key


def texts_or_names(values: Any, what: str) -> list:
    """``values`` as a list if it is a list or tuple (a generator or set has no item order to keep)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        kind = "one string" if isinstance(values, (str, bytes)) else type(values).__name__
        raise InputError(f"{what} must be a list or tuple, not {kind}",
                         f"pass {what}=[...] (wrap one string in a list; list(...) a generator)")
    return list(values)


def empty_mode(value: Any) -> str:
    """``empty=`` of ``bench.score``: ``"score"`` (empty or whitespace-only texts are scored, as the reference
    packages score them, and named in one warning) or ``"error"`` (refused, as before)."""
    from bench.data.spec import EMPTY_MODES

    if not isinstance(value, str) or value not in EMPTY_MODES:
        raise InputError(f"empty={value!r} is not one of {', '.join(repr(m) for m in EMPTY_MODES)}",
                         "pass empty='score' (score empty texts) or empty='error' (refuse them)")
    return value


def _per_item(values: Any, what: str, n: int) -> list | None:
    if values is None:
        return None
    values = texts_or_names(values, what)
    if len(values) != n:
        raise InputError(f"{len(values)} {what} for {n} candidates", f"pass one {what} entry per candidate")
    return values


def _label(value: Any, what: str) -> str:
    """An id, system or document label: a string or an integer, never None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{what} is {type(value).__name__} {value!r}, not a string", "pass strings (or integers)")
    text = str(value)
    _check_unicode(text, what)
    return text


def _check_unicode(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"{what} holds a lone surrogate {text[exc.start]!r} at position {exc.start}, not text",
                         "decode the source as UTF-8 (errors='replace' if it is damaged)") from None


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{what} is {'None' if value is None else type(value).__name__}, not text",
                         "pass a string (several references: a list of strings)")
    _check_unicode(value, what)
    return value


def _references(value: Any, k: int) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_text(value, f"reference of item {k}"),)
    if isinstance(value, (list, tuple)):
        return tuple(_text(r, f"reference {j} of item {k}") for j, r in enumerate(value))
    raise InputError(f"references[{k}] is {'None' if value is None else type(value).__name__}, not text",
                     "pass a string or a list of strings per candidate")


def items(candidates, references, ids, systems, documents, metadata) -> list:
    """The ``Item``s of ``bench.score``'s arguments, every argument checked for shape and type."""
    from bench.data.items import Item

    candidates = texts_or_names(candidates, "candidates")
    references = texts_or_names(references, "references")
    n = len(candidates)
    if n == 0:
        raise InputError("no candidates to score", "pass at least one candidate and its reference")
    if len(references) != n:
        raise InputError(f"{n} candidates but {len(references)} references", "pass one reference entry per candidate")
    ids = _per_item(ids, "ids", n) or list(range(n))
    systems, documents, metadata = (_per_item(systems, "systems", n), _per_item(documents, "documents", n),
                                    _per_item(metadata, "metadata", n))
    items = []
    for k in range(n):
        meta = _metadata(metadata[k] if metadata else {}, k)
        for field_name, labels in ((SYSTEM_FIELD, systems), (DOCUMENT_FIELD, documents)):
            if labels is not None:
                if field_name in meta:
                    raise InputError(f"metadata of item {k} has a {field_name!r} field and {field_name}s= gives one too",
                                     "pass it one way only")
                meta[field_name] = _label(labels[k], f"{field_name}s[{k}]")
        items.append(Item(_label(ids[k], f"ids[{k}]"), _text(candidates[k], f"candidate of item {k}"),
                          _references(references[k], k), meta))
    return items


def _metadata(value: Any, k: int) -> dict[str, Any]:
    """One item's metadata: a mapping of string keys to JSON data (it is stored and fingerprinted)."""
    import json

    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise InputError(f"metadata[{k}] is {type(value).__name__}, not a dict with string keys", "pass one dict per item")
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise InputError(f"metadata[{k}] is not JSON data ({str(exc).splitlines()[0]})",
                         "use strings, finite numbers, booleans, None, lists and dicts") from None
    return dict(value)
