"""What the analyses read from a stored run record, in one place.

A run's main stat and direction per metric come from here only, so the record model (the
typed, validated record of a later change) can take over by changing these functions alone.
"""

from __future__ import annotations

from typing import Any, Mapping

from bench.results.run_record import legacy_primary


def main_stat(record: Mapping[str, Any], metric: str) -> str:
    """The metric's main stat: the record's ``primary`` when it has one, else F-measure / F1, else its first stat."""
    declared = (record.get("primary") or {}).get(metric)
    stats = list(record["metrics"][metric])
    if declared in stats:
        return declared
    return legacy_primary(stats)


def higher_is_better(record: Mapping[str, Any], metric: str) -> bool:
    """The metric's direction (higher is better when the record does not say)."""
    return bool((record.get("higher_is_better") or {}).get(metric, True))


def interval(record: Mapping[str, Any], metric: str, stat: str) -> list[float] | None:
    """The run's own interval on the metric's stat (``intervals`` in result.json), or None."""
    return (((record.get("intervals") or {}).get("metrics") or {}).get(metric) or {}).get(stat)


def run_id(record: Mapping[str, Any], fallback: str) -> str:
    """The run's id (its directory name when the record does not say)."""
    return (record.get("volatile") or {}).get("run_id") or fallback
