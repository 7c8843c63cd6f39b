"""bench as a library: score texts, evaluate experiments, save, load and check runs.

    import bench
    run = bench.score(["the cat sat"], ["a cat sat on the mat"], metrics=["rouge"])
    run.metrics["rouge1"].fmeasure          # a mean over items
    run.scores("rouge1", "fmeasure")        # per item, in item order
    run.to_pandas()                         # one row per item
    path = bench.save(run, "results")       # a stored run like `bench run` writes; `bench check` accepts it
    bench.baseline(run, "b.json"); bench.check(run, "b.json")   # the gate, saved or not
    bench.systems(run_a, run_b, names=["a", "b"])               # a leaderboard of unsaved runs

Every run made here has real fingerprints of its texts and the same signatures
and record as the CLI's, because the CLI is a shell over the same steps
(``prepare`` -> ``compute`` -> ``save``).

bench's own modules are imported inside the functions for laziness, not to dodge a cycle (nothing here
imports ``bench.cli``): ``bench.config``, ``pipeline`` and ``results.record`` pull in numpy, and
``import bench`` should not pay for them.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

from bench import dotted
from bench.errors import BenchError, InputError
from bench import values as _values
from bench.results import model as _model  # light: no numpy, no torch
from bench.results.model import frozen as _frozen, thawed as _thawed


# One run type: the typed record ``bench.results.model.Run`` is what the library returns, saved or not.
Run = _model.Run
Stats = _values.Stats


# --- the steps the CLI shares --------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A run ready to score: its plain config, parsed config, built metrics, inputs and run key."""

    plain: Mapping[str, Any]
    config: Any
    built: Mapping[str, Any]
    inputs: Any
    key: str
    load_s: float


def prepare(plain: Mapping[str, Any], inputs: Any = None) -> Prepared:
    """Parse and validate ``plain``, build its metrics, load (or take) its inputs, and make its run key."""
    from bench import pipeline
    from bench.results import run_cache
    from bench.config import parse

    config = parse(plain)
    built = pipeline.build_metrics(config)  # cheap (models load on first use); bad options fail before loading data
    t0 = time.perf_counter()
    inputs = inputs if inputs is not None else pipeline.prepare_inputs(config)
    load_s = time.perf_counter() - t0
    key = run_cache.run_key(plain, config, pipeline.input_fingerprints(inputs), pipeline.declare(config, built, inputs))
    return Prepared(plain, config, built, inputs, key, load_s)


def compute(prep: Prepared, files: Mapping[str, str] | None = None) -> Run:
    """Score a prepared run (never from the store) into an unsaved ``Run``."""
    from dataclasses import replace

    from bench import pipeline
    from bench.results import record

    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    result = pipeline.run(prep.config, metrics=prep.built, inputs=prep.inputs)
    result = replace(result, timings={**result.timings, "load_s": prep.load_s})
    volatile = {
        "run_id": None,  # given by ``save``
        "started_at": started_at,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started + prep.load_s,
    }
    rec = {**record.build_record(result, prep.plain, volatile), "run_key": prep.key}
    files = {"config.yaml": _yaml(prep.plain), **(files or {})}
    return Run.of(rec, record.build_samples(result), files=files)


def run_or_reuse(prep: Prepared, files: Mapping[str, str] | None = None) -> tuple[Run, bool]:
    """The stored run with ``prep``'s run key if ``results_dir`` holds one (and ``force`` is off), else a new
    run computed and saved there; returns ``(run, reused)`` with ``run.path`` set (what ``bench run`` does)."""
    from dataclasses import replace

    from bench.results import store

    config = prep.config
    cached = None if config.force else store.find_indexed(config.results_dir, prep.key)
    if cached is not None:
        return load_run(cached), True
    run = compute(prep, files=files)
    return replace(run, path=save(run, config.results_dir)), False


def _yaml(plain: Mapping[str, Any]) -> str:
    from omegaconf import OmegaConf

    return OmegaConf.to_yaml(OmegaConf.create(_thawed(plain)))


# --- the public functions ------------------------------------------------------------------------------


def _default_plain(metrics: Sequence[str]) -> dict[str, Any]:
    """The composed default config with these metric families (their shipped defaults)."""
    from omegaconf import OmegaConf

    from bench.config import compose

    cfg = compose([f"metrics=[{','.join(metrics)}]"])
    plain = OmegaConf.to_container(cfg, resolve=True)
    # only these: the default (seed) dataset's config adds source_stats, which in-memory texts have no source for
    plain["metrics"] = {family: plain["metrics"][family] for family in metrics}
    return plain


SYSTEM_FIELD = "system"  # the metadata field ``systems=`` fills; recorded as the dataset's system_key
DOCUMENT_FIELD = "document"  # the metadata field ``documents=`` fills; recorded as the dataset's doc_key


def score(
    candidates: Sequence[str],
    references: Sequence[str | Sequence[str]],
    metrics: str | Sequence[str] = ("rouge",),
    ids: Sequence[str] | None = None,
    systems: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    metadata: Sequence[Mapping[str, Any]] | None = None,
    multiref: str = "max",
    name: str = "memory",
    ci: Mapping[str, Any] | None = None,
    group_by: str | None = None,
    seed: int = 0,
    **metric_options: Mapping[str, Any],
) -> Run:
    """Score in-memory texts: ``references[i]`` is one reference (a string) or several (a list).

    ``ids``, ``systems``, ``documents`` and ``metadata`` give one entry per item: its id (default its
    position), the system that wrote it, the source document, and any other fields. ``systems`` and
    ``documents`` become the metadata fields ``system`` and ``document`` and are recorded as the
    dataset's ``system_key``/``doc_key``, so ``bench.systems(run)`` ranks by system and intervals
    resample documents, as for a dataset that declares them. ``ci`` and ``group_by`` are run options
    (``ci={"resamples": 0}``, ``group_by="system"``, as ``ci.*``/``group_by`` of ``bench run``);
    ``metric_options`` are per family, e.g. ``rouge={"use_stemmer": False}``, ``bertscore={"layer": 4}``,
    the rest of each family's options its shipped defaults (``configs/metrics/``). The default metrics
    are ROUGE only (``bench run`` adds BERTScore): scoring a few texts should not load a 1.4 GB model
    unasked. Returns an unsaved ``Run``; bad input raises ``bench.errors.InputError``.
    """
    from bench import pipeline
    from bench.data.items import validate

    families = [metrics] if isinstance(metrics, str) else _texts_or_names(metrics, "metrics")
    if not families:
        raise InputError("no metric is selected", "pass metrics=['rouge'] or metrics=['rouge', 'bertscore']")
    unknown = sorted(set(metric_options) - set(families))
    if unknown:
        raise InputError(f"options for {', '.join(unknown)}, which is not among metrics={families}", "add it to metrics=")
    items = validate(_items(candidates, references, ids, systems, documents, metadata), "bench.score()")
    plain = _default_plain(families)
    for family, options in metric_options.items():
        if not isinstance(options, Mapping):
            raise InputError(f"{family}= must be a dict of options, got {options!r}", f"pass {family}={{'option': value}}")
        plain["metrics"][family].update(options)
    if ci is not None:
        if not isinstance(ci, Mapping):
            raise InputError(f"ci= must be a dict of interval options, got {ci!r}", "pass e.g. ci={'resamples': 0}")
        plain["ci"].update(ci)
    dataset = {"name": "memory", "source": "memory",
               "system_key": SYSTEM_FIELD if systems is not None else None,
               "doc_key": DOCUMENT_FIELD if documents is not None else None}
    plain.update(name=name, multiref=multiref, group_by=group_by, seed=seed, dataset=dataset)
    return compute(prepare(plain, inputs=pipeline.inputs_of(items)))


def _texts_or_names(values: Any, what: str) -> list:
    """``values`` as a list if it is a list or tuple (a generator or set has no item order to keep)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        kind = "one string" if isinstance(values, (str, bytes)) else type(values).__name__
        raise InputError(f"{what} must be a list or tuple, not {kind}",
                         f"pass {what}=[...] (wrap one string in a list; list(...) a generator)")
    return list(values)


def _per_item(values: Any, what: str, n: int) -> list | None:
    if values is None:
        return None
    values = _texts_or_names(values, what)
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


def _items(candidates, references, ids, systems, documents, metadata) -> list:
    """The ``Item``s of ``bench.score``'s arguments, every argument checked for shape and type."""
    from bench.data.items import Item

    candidates = _texts_or_names(candidates, "candidates")
    references = _texts_or_names(references, "references")
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


def evaluate(overrides: Sequence[str] = ()) -> Run:
    """Score the experiment ``bench run OVERRIDES`` would, without storing it (never answered from the store)."""
    from bench.config import compose_plain

    overrides = _texts_or_names(overrides, "overrides")
    for o in overrides:
        if not isinstance(o, str):
            raise InputError(f"override {o!r} is not a string", "pass overrides as strings, e.g. ['metrics=[rouge]']")
    return compute(prepare(compose_plain(overrides)))


def save(run: Run, results_dir: str | Path = "results") -> Path:
    """Store ``run`` atomically under ``results_dir/<experiment>/<run id>/`` and index it; returns the directory."""
    from bench.results import store

    if not isinstance(run, Run):
        raise InputError(f"bench.save takes a Run, got {type(run).__name__}", "pass what bench.score or bench.evaluate returned")
    record = run.as_dict()
    record["volatile"]["run_id"] = run_id = store.new_run_id()
    return store.write_run(results_dir, run.experiment, record, list(run.plain_samples), dict(run.files), run_id,
                           key=record.get("run_key"))


def load_run(path: str | Path) -> Run:
    """A stored run (a directory printed by ``bench run`` or returned by ``save``), validated on load:
    a damaged one raises ``bench.results.run_record.DamagedRun`` (a ``BenchError``)."""
    from bench.results import run_record

    return run_record.load(path)


def load_runs(results_dir: str | Path = "results"):
    """Run-level metrics of every stored run under ``results_dir`` as a pandas DataFrame, newest run first.

    One row per run x metric x stat: ``run_id``, ``experiment``, ``started_at``,
    ``dataset``, ``items``, ``git_commit``, ``git_dirty``, ``path``, ``metric``,
    ``stat``, ``mean``, ``ci_lo``/``ci_hi`` (the stored bootstrap interval; missing,
    NaN or None, without one), ``signature``, and the run's config flattened as ``config.<key>``
    (``config.dataset.name``, ``config.metrics.bertscore.layer``). Every run is
    validated; a damaged one is skipped with a warning naming it, as ``bench ls`` skips it.
    """
    import warnings

    import pandas as pd

    from bench.results import catalog

    runs, problems = catalog.scan(results_dir)
    for problem in problems:
        warnings.warn(problem, stacklevel=2)
    rows = [row for run in catalog.select(runs) for row in catalog.metric_rows(run)]
    return pd.DataFrame(rows, columns=None if rows else list(catalog.ROW_COLUMNS))


def _validated(runs: Sequence[Run | str | Path], what: str):
    """Runs (saved or not) or run directories as validated ``RunRecord``s: the analyses' one edge."""
    from bench.results import run_record

    if not runs:
        raise BenchError(f"{what} needs at least one run", f"pass runs to bench.{what}()")
    out = []
    for r in runs:
        if isinstance(r, Run):
            out.append(r.validated)
        elif isinstance(r, (str, Path)):
            out.append(run_record.load(r))
        else:
            raise BenchError(f"bench.{what}() takes runs or run directories, not {type(r).__name__}",
                             "pass bench.score(...) results, bench.load_run(...) results or paths")
    return out


def systems(*runs: Run | str | Path, by: str | None = None, doc: str | None = None,
            metrics: Sequence[str] | None = None, stat: str | None = None, names: Sequence[str] | None = None,
            **settings: Any):
    """A leaderboard, as ``bench systems`` computes it (not stored); returns a ``bench.stats.leaderboard.Leaderboard``
    (``.to_json()`` gives the tidy rows).

    ``runs``: one run whose items name their system (``by``; default the
    dataset's ``system_key``), or several runs, one system each (``names`` labels
    them); saved or unsaved runs, or run directories.
    ``settings``: ``tests``, ``resamples``, ``ci_resamples``, ``seed``,
    ``correction``, ``alpha``, ``level`` (``bench.stats.leaderboard.SystemsSpec``).
    """
    from bench.analysis import systems as analysis
    from bench.stats.leaderboard import SystemsSpec

    loaded = _validated(runs, "systems")
    if "tests" in settings:
        settings["tests"] = tuple(settings["tests"])
    return analysis.build(loaded, SystemsSpec(**settings), by=by, doc=doc, metrics=metrics, stat=stat, names=names)


def meta(*runs: Run | str | Path, humans: Sequence[str] | None = None, judgments: str | Path | None = None,
         system: str | None = None, doc: str | None = None, metrics: Sequence[str] | None = None,
         stat: str | None = None, **settings: Any) -> dict[str, Any]:
    """How well each metric agrees with human judgments, as ``bench meta`` computes it (not stored).

    ``runs``: runs of one dataset (saved or unsaved, or run directories) whose
    items name their system and document (``system``/``doc``; default the
    dataset's ``system_key``/``doc_key``) and carry human scores (``humans``:
    metadata fields, default the dataset's ``human``; or a ``judgments`` JSONL
    file joined by item id). ``settings`` are ``bench.analysis.meta.MetaSpec``'s:
    ``levels``, ``coefficients``, ``constant``, ``scheme``, ``resamples``,
    ``level``, ``seed``, ``tests``, ``test_resamples``, ``compare``, ``correction``,
    ``alpha``, ``resample_annotators``. Returns the tidy payload (the
    ``bench meta --format json`` contract).
    """
    from bench.analysis import artefacts
    from bench.analysis import meta as analysis

    loaded = _validated(runs, "meta")
    for key in ("levels", "coefficients", "tests"):
        if key in settings:
            settings[key] = tuple(settings[key])
    if "compare" in settings:
        settings["compare"] = tuple(tuple(c) for c in settings["compare"])
    spec = analysis.MetaSpec(**settings)
    scores = analysis.load(loaded, humans=humans, judgments=judgments, system_key=system, doc_key=doc,
                           metrics=metrics, stat=stat, annotators=spec.resample_annotators)
    sources = [artefacts.source(r.path if r.path is not None else Path(f"<unsaved run {k + 1}>"), r.record_dict())
               for k, r in enumerate(loaded)]
    return analysis.evaluate(scores, spec, sources)


def baseline(run: Run | str | Path, path: str | Path | None = None, update: bool = False) -> Path:
    """Write ``run``'s baseline file (what ``bench baseline RUN`` writes) atomically; returns its path
    (default ``results/baselines/<experiment>.json``).

    ``run`` is validated first: a damaged run never becomes a baseline. An existing
    file is replaced only with ``update=True`` (and only by a baseline of the same experiment)."""
    from bench.gate import baselines

    (loaded,) = _validated([run], "baseline")
    target = Path(path) if path is not None else baselines.default_baseline(loaded.experiment)
    baselines.write_baseline(loaded, target, update)
    return target


def check(run: Run | str | Path, baseline: str | Path | None = None, *, overrides: Sequence[str] = (),
          allow: Sequence[str] = (), **settings: Any):
    """Compare a run with a baseline file, as ``bench check`` does; returns a ``bench.gate.compare.CheckReport``
    (``bench.gate.render`` prints it; ``.status`` is the exit code: 0 pass, 1 regression, 2 incomparable).

    ``baseline`` defaults to ``results/baselines/<experiment>.json``. The settings are
    ``configs/check/default.yaml`` (and the run's experiment's own ``check`` node) with ``overrides``
    (``check.*`` config overrides, e.g. ``["check.alpha=0.01"]``) and then ``settings``: ``alpha``,
    ``resamples``, ``seed``, ``min_items``, ``allow_signature_changes``, ``gate_descriptive``,
    ``default`` (``{"min_effect_range": 0.005}``) and ``tolerances`` (``{"rouge2": {"min_effect": 0.01}}``).
    ``allow``: signature components allowed to differ besides the settings' ``allow_signature_changes``.
    """
    from dataclasses import replace

    from bench.gate import baselines, compare
    from bench.gate.settings import settings as check_settings

    (loaded,) = _validated([run], "check")  # a damaged run is refused before any comparison
    path = Path(baseline) if baseline is not None else baselines.default_baseline(loaded.experiment)
    base = baselines.read(path)
    if base.experiment != loaded.experiment:
        raise BenchError(f"baseline {path} is for experiment {base.experiment!r}, the run is {loaded.experiment!r}",
                         "pass the baseline of the run's experiment")
    spec = check_settings(overrides, loaded.experiment, **settings)
    if allow:
        spec = replace(spec, allow_signature_changes=tuple(dict.fromkeys((*spec.allow_signature_changes, *allow))))
    name = str(loaded.path) if loaded.path is not None else loaded.name
    return compare.check(loaded.experiment, base, loaded, spec, str(path), name)


def compare(*runs: Run | str | Path, metrics: Sequence[str] | None = None, names: Sequence[str] | None = None,
            **settings: Any):
    """Saved runs side by side, as ``bench compare`` computes them (not stored); returns a
    ``bench.analysis.compare.Comparison`` (``.to_json()`` gives the tidy rows).

    Each metric's main stat per run with the run's interval, and each run's difference from the first with
    the paired tests of ``bench systems``. ``settings``: ``tests``, ``resamples``, ``seed``, ``correction``,
    ``alpha``, ``cluster_test`` (the deciding test; ``bench.stats.leaderboard.SystemsSpec``).
    """
    from bench.analysis import compare as analysis
    from bench.stats.leaderboard import SystemsSpec

    paths = []
    for r in runs:
        if isinstance(r, Run):
            if r.path is None:
                raise BenchError("a run given to bench.compare has not been saved", "bench.save(run) it first")
            paths.append(r.path)
        else:
            paths.append(Path(r))
    if "tests" in settings:
        settings["tests"] = tuple(settings["tests"])
    return analysis.compare(analysis.load(paths), SystemsSpec(**settings), metrics=metrics, names=names)
