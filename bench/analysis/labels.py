"""Names for runs shown side by side: the config keys and values that differ among them.

One pure function serves every view that puts several runs in one table (``bench meta``,
``bench systems``, ``bench compare``, ``bench report``, ``bench ls``), so a sweep's runs read the
same everywhere: ``metrics.rouge.use_stemmer=true`` / ``metrics.rouge.use_stemmer=false``. Values
are written as a Hydra override would take them (lower-case booleans, ``null``, lists as
``[a,b]``), so a label can be pasted back onto ``bench run``. A run is named by its id only when
nothing in its config tells it apart.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

from bench import dotted

# Config keys that never change a score: runs are not told apart by them.
NOT_PARAMETERS = frozenset({"force", "results_dir"})


def value_text(value: Any) -> str:
    """A config value as a Hydra override writes it: ``true``, ``null``, ``0.5``, ``[a,b]``, ``text``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(value_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}:{value_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def differing_keys(configs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The dotted config keys whose values are not the same in every config (a key absent from one differs)."""
    flats = [dotted.flatten(c or {}) for c in configs]
    keys = sorted(set().union(*flats)) if flats else []
    missing = object()
    return [k for k in keys if k not in NOT_PARAMETERS
            and len({json.dumps(f.get(k, missing), sort_keys=True, default=repr) for f in flats}) > 1]


def run_labels(configs: Sequence[Mapping[str, Any]], run_ids: Sequence[str]) -> list[str]:
    """One label per run: ``key=value`` for each differing key (space-separated), or the run id when
    nothing differs; runs whose configs are identical but for others keep their run id beside it."""
    keys = differing_keys(configs)
    if not keys:
        return list(run_ids)
    flats = [dotted.flatten(c or {}) for c in configs]
    labels = [" ".join(f"{k}={value_text(f[k]) if k in f else 'null'}" for k in keys) for f in flats]
    return [f"{label} ({rid})" if labels.count(label) > 1 else label for label, rid in zip(labels, run_ids)]


def record_labels(records: Sequence[Mapping[str, Any]], run_ids: Sequence[str]) -> list[str]:
    """``run_labels`` of stored records (their ``config``); the one place views read a record's config for it."""
    return run_labels([r.get("config") or {} for r in records], run_ids)
