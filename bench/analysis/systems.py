"""``bench systems``' core: stored runs -> paired tables -> a leaderboard with its sources.

Reads runs (never writes them). One run ranks the systems its items name
(``--by``, by default the dataset's declared ``system_key``; documents by its
``doc_key``); several runs rank one system each, paired by item id, and must
share their references and their metric settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from bench.errors import BenchError
from bench.results import run_record
from bench.results.run_record import RunRecord
from bench.signature import Signature
from bench.stats import pairing
from bench.stats.leaderboard import Leaderboard, SystemsSpec, leaderboard

IGNORED = ("inputs",)  # candidates differ between systems by design


def _dataset_key(record: Mapping[str, Any], key: str) -> str | None:
    return ((record.get("config") or {}).get("dataset") or {}).get(key)


def _check_runs(records: Sequence[tuple[Path, Mapping[str, Any]]], metrics: Sequence[str]) -> None:
    first_dir, first = records[0]
    for run_dir, rec in records[1:]:
        if rec["inputs"]["references_fingerprint"] != first["inputs"]["references_fingerprint"]:
            raise BenchError(f"runs {first_dir} and {run_dir} score against different references",
                             "rank systems scored on the same dataset, split and selection")
        for m in metrics:
            if m not in rec["signatures"] or m not in first["signatures"]:
                continue
            a, b = Signature.parse(first["signatures"][m]), Signature.parse(rec["signatures"][m])
            changed = [str(c) for c in a.changes(b) if c.key not in IGNORED]
            if changed:
                raise BenchError(f"{m} was computed differently in {run_dir} than in {first_dir} ({'; '.join(changed)})",
                                 "rank runs scored with the same metric settings")


def _different_references(runs: Sequence[tuple[str, Sequence[Mapping[str, Any]]]]) -> list[str]:
    """Ids whose stored per-item reference hashes differ between runs (when the samples have them)."""
    first = {s["id"]: s.get("references_sha256") for s in runs[0][1]}
    bad = []
    for _, samples in runs[1:]:
        for s in samples:
            want = first.get(s["id"])
            if want is not None and s.get("references_sha256") is not None and s["references_sha256"] != want:
                bad.append(s["id"])
    return sorted(set(bad))


def _system_names(records: Sequence[tuple[Path, Mapping[str, Any]]]) -> list[str]:
    """One run per system: the experiment names when they differ, else (a sweep) the config keys and
    values that differ among the runs, as ``bench meta``, ``bench compare`` and reports name them."""
    from bench.analysis.labels import record_labels

    experiments = [rec.get("experiment") or d.name for d, rec in records]
    if len(set(experiments)) == len(experiments):
        return experiments
    ids = [(rec.get("volatile") or {}).get("run_id") or d.name for d, rec in records]
    return record_labels([rec for _, rec in records], ids)


def _run_units(tables, samples: Sequence[Mapping[str, Any]], doc: str | None) -> list:
    """One run per system: each system's interval is its run's own (``intervals`` in result.json): the
    run's unsalted stream, documents as units when the items name one (``doc``), else the items."""
    from dataclasses import replace

    doc_of: dict[str, str] = {}
    if doc:
        for item in samples:
            try:
                doc_of[item["id"]] = str(pairing.lookup(item.get("metadata", {}), doc))
            except KeyError:
                doc_of = {}
                break
    out = []
    for t in tables:
        if doc_of and all(d in doc_of for d in t.docs):
            out.append(replace(t, units=tuple(doc_of[d] for d in t.docs), unit="doc", per_system=False))
        else:
            out.append(replace(t, units=t.docs, unit="item", per_system=False))
    return out


def build(runs: Sequence[str | Path | RunRecord], spec: SystemsSpec, by: str | None = None, doc: str | None = None,
          metrics: Sequence[str] | None = None, stat: str | None = None,
          names: Sequence[str] | None = None) -> Leaderboard:
    """The leaderboard of one run's systems (``by``) or of several runs' systems.

    ``runs`` are validated ``RunRecord``s (saved or not) or run directories, loaded
    and validated here; nothing else reads the store."""
    from bench.analysis.artefacts import source

    loaded = [r if isinstance(r, RunRecord) else run_record.load(r) for r in runs]
    dirs = [r.path if r.path is not None else Path(f"<unsaved run {k + 1}>") for k, r in enumerate(loaded)]
    records = [(d, r.record_dict()) for d, r in zip(dirs, loaded)]
    samples = [r.samples_list() for r in loaded]
    direction: dict[str, bool] = {}
    primary: dict[str, str] = {}
    for r in loaded:
        direction.update(r.higher_is_better)
        primary.update(r.primary)
    if len(dirs) == 1:
        if names:
            raise BenchError("--names names the runs of a multi-run leaderboard", "drop --names, or pass several runs")
        rec = records[0][1]
        by = by or _dataset_key(rec, "system_key")
        doc = doc or _dataset_key(rec, "doc_key")
        if by is None:
            raise BenchError(f"the items of {dirs[0]} name no system field",
                             f"pass --by FIELD (fields: {', '.join(pairing.metadata_fields(samples[0])) or 'none'}), or several runs")
        if doc is None:
            raise BenchError(f"the items of {dirs[0]} name no document field",
                             f"pass --doc FIELD (fields: {', '.join(pairing.metadata_fields(samples[0])) or 'none'})")
        tables = pairing.by_field(samples[0], by, doc, metrics, stat, direction, primary)
    else:
        if by is not None:
            raise BenchError("--by ranks the systems inside one run", "pass one run with --by, or several runs without it")
        if names and len(names) != len(dirs):
            raise BenchError(f"--names has {len(names)} names for {len(dirs)} runs", "give one name per run")
        labels = list(names) if names else _system_names(records)
        named = list(zip(labels, samples))
        bad = _different_references(named)
        if bad:
            shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            raise BenchError(f"the runs' references differ for items {shown}",
                             "rank systems scored against the same references")
        tables = pairing.by_runs(named, metrics, stat, direction, primary)
        _check_runs(records, sorted({t.metric for t in tables}))
        tables = _run_units(tables, samples[0], doc or _dataset_key(records[0][1], "doc_key"))
    chosen = sorted({t.metric for t in tables})
    signatures = {m: records[0][1]["signatures"][m] for m in chosen if m in records[0][1]["signatures"]}
    from bench.progress import stage

    with stage("systems: tests", len(tables), unit="metric") as bar:
        return leaderboard(tables, spec, signatures, [source(d, rec) for d, rec in records], done=bar.update)
