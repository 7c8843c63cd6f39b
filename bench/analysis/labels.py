"""Names for runs shown side by side: the config keys and values that differ among them.

One function serves every view that puts several runs in one table (``bench ls``, ``bench meta``,
``bench systems``, ``bench compare``, ``bench report``), so a sweep's runs read the same everywhere::

    names = labels.of(runs)          # runs: bench.results.model.Run
    names.short[k]                   # the k-th run's name in a table: at most 80 characters
    names.legend                     # lines to print below the table (empty when every label fits)

The rules:

- only keys whose values differ among the runs are named, written as a Hydra override takes them
  (lower-case booleans, ``null``, lists as ``[a,b]``), so a label can be pasted back onto ``bench run``:
  ``metrics.rouge.use_stemmer=true`` / ``metrics.rouge.use_stemmer=false``;
- a group of groups (``metrics``: one option group per metric family) that holds different groups in
  different runs is named by the groups it holds, ``metrics=[rouge,bleu]`` / ``metrics=[rouge]``: a
  group absent from a run is not a difference of its options. The options of a group are compared
  among the runs that have it;
- a label longer than ``WIDTH`` (80) characters is not printed in the table: then every run is named
  ``A``, ``B``, ... there and the legend gives each letter its full label;
- a run is named by its id when nothing in its config tells it apart, and runs whose labels would
  be the same keep their run id beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from bench.results.model import thawed

# Config keys that never change a score: runs are not told apart by them.
NOT_PARAMETERS = frozenset({"force", "results_dir"})
WIDTH = 80  # the most characters a label may take in a table


@dataclass(frozen=True)
class Labels:
    """The names of runs shown together.

    ``full[k]``: the k-th run's differing keys and values (any length); ``short[k]``: its name in a
    table (``full[k]`` when every label fits in ``WIDTH`` characters, else a letter); ``legend``: the
    lines that tell a letter's full label (empty when none is needed); ``keys``: the dotted keys that
    differ (a group of groups by its own name, e.g. ``metrics``)."""

    short: tuple[str, ...]
    full: tuple[str, ...]
    legend: tuple[str, ...]
    keys: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.short)

    def __iter__(self):
        return iter(self.short)

    def __getitem__(self, k: int) -> str:
        return self.short[k]


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


_ABSENT = object()


def _same(values: Sequence[Any]) -> bool:
    texts = {json.dumps(v, sort_keys=True, default=repr) if v is not _ABSENT else "\0absent" for v in values}
    return len(texts) == 1


def _walk(nodes: Sequence[Mapping[str, Any]], members: Sequence[int], prefix: str,
          out: list[list[tuple[str, str]]], keys: list[str]) -> None:
    """Append ``(key, value text)`` to ``out[k]`` for each run ``k`` in ``members`` where a key under
    ``nodes`` (one mapping per member) differs among the members."""
    names = list(dict.fromkeys(k for node in nodes for k in node))
    if not prefix:
        names = [k for k in names if k not in NOT_PARAMETERS]
    if names and prefix and all(isinstance(node[k], Mapping) for node in nodes for k in node):
        # a group of groups (``metrics``): runs holding different groups differ by which they hold
        held = [tuple(node) for node in nodes]
        if len(set(map(frozenset, held))) > 1:
            keys.append(prefix)
            for k, groups in zip(members, held):
                out[k].append((prefix, "[" + ",".join(groups) + "]"))
        for name in names:  # each group's options, among the runs that have it
            having = [(k, node[name]) for k, node in zip(members, nodes) if name in node]
            if len(having) > 1:
                _walk([n for _, n in having], [k for k, _ in having], f"{prefix}.{name}", out, keys)
        return
    for name in names:
        key = f"{prefix}.{name}" if prefix else name
        values = [node.get(name, _ABSENT) for node in nodes]
        if all(isinstance(v, Mapping) for v in values):
            _walk(values, members, key, out, keys)
        elif not _same(values):
            keys.append(key)
            for k, v in zip(members, values):
                out[k].append((key, "null" if v is _ABSENT else value_text(v)))


def differences(configs: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """The keys that differ among ``configs`` (in the order met) and, per config, its ``(key, value)`` of them."""
    out: list[list[tuple[str, str]]] = [[] for _ in configs]
    keys: list[str] = []
    if len(configs) > 1:
        _walk([c or {} for c in configs], list(range(len(configs))), "", out, keys)
    return list(dict.fromkeys(keys)), out


def differing_keys(configs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The dotted config keys that tell the configs apart (``metrics`` when they hold different metric groups)."""
    return differences(configs)[0]


def letter(k: int) -> str:
    """``A``, ``B``, ..., ``Z``, ``AA``, ``AB``, ...: the k-th run's name in a table whose labels are too long."""
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(ord("A") + r) + name
    return name


def of_configs(configs: Sequence[Mapping[str, Any]], run_ids: Sequence[str]) -> Labels:
    """``Labels`` of runs given by their configs and ids (for views that hold configs rather than ``Run``s)."""
    keys, diffs = differences(configs)
    if not keys:
        full = list(run_ids)
    else:
        full = [" ".join(f"{k}={v}" for k, v in d) for d in diffs]
        full = [f"{label} ({rid})" if full.count(label) > 1 else label for label, rid in zip(full, run_ids)]
    if all(len(label) <= WIDTH for label in full):
        return Labels(tuple(full), tuple(full), (), tuple(keys))
    short = tuple(letter(k) for k in range(len(full)))
    return Labels(short, tuple(full), tuple(f"{s}: {f}" for s, f in zip(short, full)), tuple(keys))


def run_id(run: Any) -> str:
    """How a table names a run nothing else tells apart: its id, else its directory's name, else its name."""
    return run.run_id or (Path(run.path).name if run.path is not None else run.name)


def of(runs: Sequence[Any]) -> Labels:
    """``Labels`` of runs (``bench.results.model.Run``) shown together: their configs' differences, else their ids."""
    return of_configs([thawed(r.config) for r in runs], [run_id(r) for r in runs])
