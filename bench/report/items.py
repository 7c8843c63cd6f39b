"""The item browser's data: every item of the runs with its scores, and its texts where they can be vouched for.

A run stores each item's candidate, but of its references and source only SHA-256 hashes
(``Sample.references_sha256``, ``source_sha256``). The texts are read again from the run's own config,
exactly as ``bench reproduce`` does (``parse`` the recorded config, ``pipeline.prepare_inputs``), and an
item's references or source are shown only where their hash equals the stored one: a dataset that changed
since the run, or one that cannot be loaded any more, gives "unavailable" and why, never a wrong text. A
run scored in memory (``bench.score``) has no dataset to read.

Each source and each reference set is stored once (keyed by its hash), not once per item: SummEval's
1,600 items share 100 sources and 100 sets of 11 references. ``payload`` is what the page embeds as JSON.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from bench import dotted
from bench.errors import BenchError
from bench.results.model import Run, thawed
from bench.stats.intervals import natural_key

WORST = 10  # how many worst items per system the browser lists by default


@dataclass(frozen=True)
class Loaded:
    """A run's items as its config loads them now, by id (``None`` with ``why``: they could not be loaded)."""
    by_id: Mapping[str, Any] | None
    why: str = ""


def load(run: Run) -> Loaded:
    """The run's items, reloaded from its recorded config (``bench.results.reproduce``'s way), or why not."""
    from bench import pipeline
    from bench.config import parse

    if dotted.get(run.config, "dataset.source", None) == "memory":
        return Loaded(None, "the run scored in-memory texts (bench.score): there is no dataset to read them from")
    try:
        inputs = pipeline.prepare_inputs(parse(thawed(run.config)))
    except BenchError as e:
        return Loaded(None, f"its dataset could not be loaded: {e.problem}")
    except Exception as e:  # a dataset file gone or unreadable: the browser still shows candidates and scores
        return Loaded(None, f"its dataset could not be loaded: {type(e).__name__}: {e}")
    return Loaded({it.id: it for it in inputs.items})


class _Pool:
    """Texts stored once: sources and reference sets by their hash, each an index into ``texts``."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.refsets: list[list[int]] = []
        self._text: dict[str, int] = {}
        self._refs: dict[str, int] = {}

    def text(self, value: str) -> int:
        if value not in self._text:
            self._text[value] = len(self.texts)
            self.texts.append(value)
        return self._text[value]

    def refs(self, digest: str, values: Sequence[str]) -> int:
        if digest not in self._refs:
            self._refs[digest] = len(self.refsets)
            self.refsets.append([self.text(v) for v in values])
        return self._refs[digest]


class _Reasons:
    """Why texts are unavailable, each reason once per run; an item points at one by ``-(index + 1)``."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.items: list[set[int]] = []  # per reason, the items it concerns (references and source count once)

    def code(self, why: str, item: int) -> int:
        if why not in self.lines:
            self.lines.append(why)
            self.items.append(set())
        k = self.lines.index(why)
        self.items[k].add(item)
        return -(k + 1)


def _texts(run: Run, loaded: Loaded, pool: _Pool) -> tuple[list[int], list[int], list[str], list[str]]:
    """Per item: its reference set and source (an index into the pool, or ``-(k + 1)`` for reason ``k``); the
    run's reasons, and its notes (each reason once, with how many items it concerns)."""
    from bench.data.items import references_hash, source_hash

    reasons = _Reasons()
    refs, srcs = [], []
    for k, s in enumerate(run.samples):
        item = None if loaded.by_id is None else loaded.by_id.get(s.id)
        if loaded.by_id is None:
            refs.append(reasons.code(loaded.why, k))
            srcs.append(reasons.code(loaded.why, k))
            continue
        if item is None:
            why = "the item is not in its dataset any more"
            refs.append(reasons.code(why, k))
            srcs.append(reasons.code(why, k))
            continue
        if s.references_sha256 is None:
            refs.append(reasons.code("the run stored no hash of its references to check the dataset's against", k))
        elif references_hash(item) != s.references_sha256:
            refs.append(reasons.code("the references in its dataset differ from those scored (their hash changed)", k))
        else:
            refs.append(pool.refs(s.references_sha256, item.references))
        if s.source_sha256 is None:
            srcs.append(reasons.code("its dataset has no source document for the item" if item.source is None
                                     else "the run stored no hash of its source to check the dataset's against", k))
        elif source_hash(item) != s.source_sha256:
            srcs.append(reasons.code("the source in its dataset differs from the one scored (its hash changed)", k))
        else:
            srcs.append(pool.text(item.source))
    n = len(run.samples)
    notes = [f"references or source unavailable for {len(which)} of {n} items: {why}"
             for why, which in zip(reasons.lines, reasons.items)]
    return refs, srcs, reasons.lines, notes


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else value


def _ranks(values: Sequence[str | None]) -> list[int]:
    """Each value's position in natural order (M2 before M11); ``None`` (no system/document) last."""
    order = sorted({v for v in values if v is not None}, key=natural_key)
    rank = {v: k for k, v in enumerate(order)}
    return [rank.get(v, len(order)) for v in values]


def _keyed(run: Run, key_path: str) -> list[str | None]:
    key = dotted.get(run.config, key_path, None)
    if not key:
        return [None] * len(run)
    out = []
    for s in run.samples:
        value = dotted.get(s.metadata, key, None)
        out.append(None if value is None else str(value))
    return out


def payload(runs: Sequence[Run], labels: Sequence[str], worst: int = WORST) -> dict[str, Any]:
    """The browser's data: metrics (name, stats, main stat, direction), runs (columns of ids, systems,
    documents, candidates, text indices and scores, with notes) and the shared text pool."""
    from bench.results.catalog import metric_order

    if not runs:
        raise BenchError("the item browser needs at least one run", "pass a run directory")
    if worst < 1:
        raise BenchError(f"worst={worst} lists no item", "use worst >= 1")
    names: list[str] = []
    for run in runs:
        names += [m for m in run.metrics if m not in names]
    names.sort(key=metric_order)
    metrics = []
    for m in names:
        run = next(r for r in runs if m in r.metrics)
        facts = run.facts[m]
        stats = list(run.metrics[m].stats)
        metrics.append({"name": m, "stats": stats, "main": stats.index(facts.primary) if facts.primary in stats else 0,
                        "higher": facts.higher_is_better})
    pool = _Pool()
    cache: dict[str, Loaded] = {}
    out_runs = []
    for run, label in zip(runs, labels):
        key = json.dumps(thawed(run.config), sort_keys=True, default=str)
        if key not in cache:  # runs of one dataset (a sweep) load it once
            cache[key] = load(run)
        refs, srcs, reasons, notes = _texts(run, cache[key], pool)
        systems, docs = _keyed(run, "dataset.system_key"), _keyed(run, "dataset.doc_key")
        scores = []
        for m in metrics:
            if m["name"] not in run.metrics:
                scores.append(None)
                continue
            scores.append([[_number(v) for v in run.column(m["name"], stat)] for stat in m["stats"]])
        out_runs.append({
            "label": label, "ids": list(run.ids), "systems": systems, "docs": docs,
            "candidates": [s.candidate for s in run.samples], "refs": refs, "srcs": srcs, "scores": scores,
            "reasons": reasons, "unavailable": notes,
        })
    # natural order over all runs together, so that sorting by id, system or document interleaves runs correctly
    for column, key in (("ids", "id"), ("systems", "system"), ("docs", "doc")):
        ranks = _ranks([v for r in out_runs for v in r[column]])
        at = 0
        for r in out_runs:
            r.setdefault("ranks", {})[key] = ranks[at: at + len(r[column])]
            at += len(r[column])
    return {"metrics": metrics, "runs": out_runs, "texts": pool.texts, "refsets": pool.refsets, "worst": worst}


def embedded(data: Mapping[str, Any]) -> str:
    """``data`` as JSON to embed in a ``<script type="application/json">``: ``<``, ``>`` and ``&`` written as
    ``\\u003c``/``\\u003e``/``\\u0026`` so no text (``</script>``, ``<!--``) can end or change the block."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
