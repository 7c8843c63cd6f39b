"""Dotted paths into nested mappings (``expert.coherence``, ``metrics.bertscore.layer``): the one
place that reads and flattens them, for metadata, configs and records alike."""

from __future__ import annotations

from typing import Any, Mapping

_MISSING = object()


def get(tree: Mapping[str, Any], path: str, default: Any = _MISSING) -> Any:
    """``tree["a"]["b"]`` for ``a.b``; ``KeyError(path)`` when a step is missing, unless ``default`` is given."""
    value: Any = tree
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            if default is _MISSING:
                raise KeyError(path)
            return default
        value = value[part]
    return value


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys: ``{"expert": {"coherence": 4}}`` -> ``{"expert.coherence": 4}``
    (an empty mapping stays a value, so no key disappears)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
