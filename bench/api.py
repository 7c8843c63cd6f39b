"""bench as a library: score texts, evaluate experiments, save, load and check runs (a facade).

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
(``prepare`` -> ``compute`` -> ``save``, in ``bench.run.steps``; in-memory texts are checked in
``bench.run.texts``). Each function here validates its arguments and calls one module that does the work.

bench's own modules are imported inside the functions for laziness, not to dodge a cycle (nothing here
imports ``bench.cli``): ``bench.config``, ``pipeline`` and ``results.record`` pull in numpy, and
``import bench`` should not pay for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from bench import hints, values as _values
from bench.errors import BenchError, InputError
from bench.results import model as _model  # light: no numpy, no torch
from bench.run import steps, texts  # light: their heavy imports are inside the functions
# the steps the CLI shares (prepare -> compute -> save), defined in bench.run.steps
from bench.run.steps import Prepared, compute, prepare, run_or_reuse, save  # noqa: F401
from bench.run.texts import DOCUMENT_FIELD, SYSTEM_FIELD

# One run type: the typed record ``bench.results.model.Run`` is what the library returns, saved or not.
Run = _model.Run
Stats = _values.Stats


# --- the public functions ------------------------------------------------------------------------------



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
    empty: str = "score",
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
    the rest of each family's options its shipped defaults (``configs/metrics/``). ``empty``: an empty or
    whitespace-only candidate or reference is scored as rouge-score, sacrebleu and bert-score score it and
    named in one warning (``"score"``, as ``inputs.empty`` of ``bench run``), or refused (``"error"``). The default metrics
    are ROUGE only (``bench run`` adds BERTScore): scoring a few texts should not load a 1.4 GB model
    unasked. Returns an unsaved ``Run``; bad input raises ``bench.errors.InputError``.
    """
    from bench import pipeline
    from bench.data.items import validate

    families = [metrics] if isinstance(metrics, str) else texts.texts_or_names(metrics, "metrics")
    if not families:
        raise InputError("no metric is selected", "pass metrics=['rouge'] or metrics=['rouge', 'bertscore']")
    unknown = sorted(set(metric_options) - set(families))
    if unknown:
        raise InputError(f"options for {', '.join(unknown)}, which is not among metrics={families}", "add it to metrics=")
    empty = texts.empty_mode(empty)
    items = validate(texts.items(candidates, references, ids, systems, documents, metadata), "bench.score()", empty)
    for family, options in metric_options.items():
        if not isinstance(options, Mapping):
            raise InputError(f"{family}= must be a dict of options, got {options!r}", f"pass {family}={{'option': value}}")
    plain = steps.default_plain(families, metric_options)
    if ci is not None:
        if not isinstance(ci, Mapping):
            raise InputError(f"ci= must be a dict of interval options, got {ci!r}", "pass e.g. ci={'resamples': 0}")
        plain["ci"].update(ci)
    dataset = {"name": "memory", "source": "memory",
               "system_key": SYSTEM_FIELD if systems is not None else None,
               "doc_key": DOCUMENT_FIELD if documents is not None else None}
    plain.update(name=name, multiref=multiref, group_by=group_by, seed=seed, dataset=dataset, inputs={"empty": empty})
    return compute(prepare(plain, inputs=pipeline.inputs_of(items)))


def evaluate(overrides: Sequence[str] = ()) -> Run:
    """Score the experiment ``bench run OVERRIDES`` would, without storing it (never answered from the store)."""
    from bench.config import compose_plain

    overrides = texts.texts_or_names(overrides, "overrides")
    for o in overrides:
        if not isinstance(o, str):
            raise InputError(f"override {o!r} is not a string", "pass overrides as strings, e.g. ['metrics=[rouge]']")
    with hints.overrides():  # the caller wrote overrides: errors name options as overrides, not keywords
        return compute(prepare(compose_plain(overrides)))


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
    (``config.dataset.name``, ``config.metrics.bertscore.layer``). Every run's record is
    validated and its samples verified as ``bench ls`` does (``bench.results.run_record.listed``: by the
    store's index, no item read); a damaged one is skipped with a warning naming it, as ``bench ls`` skips it.
    A samples file edited in place to the same size and modification time is not seen here (the index trusts
    them, docs/results.md); every reader that uses the run re-hashes it and refuses it.
    """
    import warnings

    import pandas as pd

    from bench.results import catalog

    runs, problems = catalog.scan(results_dir)
    for problem in problems:
        warnings.warn(problem, stacklevel=2)
    rows = [row for run in catalog.select(runs) for row in catalog.metric_rows(run)]
    return pd.DataFrame(rows, columns=None if rows else list(catalog.ROW_COLUMNS))


def ls(results_dir: str | Path = "results", experiment: str | None = None, since: str | Any | None = None,
       where: str | Sequence[str] = ()):
    """The stored runs under ``results_dir``, newest first, as ``bench ls`` lists them: a
    ``bench.results.catalog.Listing`` of ``ListedRun`` rows (``row.run``: the ``Run``, its record validated, its
    samples verified by the store's index and read, verified in full, on first use;
    ``row.label``: what tells it apart from the other listed runs of its experiment, None when nothing
    does, at most 80 characters: longer ones are a letter, spelled out in ``.legend``; ``row.to_dict()``:
    the ``bench ls --json`` object) and ``.problems``, one line per damaged run that was skipped.

    ``experiment``: runs of that experiment only; ``since``: runs started at or after an ISO date or
    time (UTC unless it names an offset) or a ``datetime``; ``where``: ``KEY<op>VALUE`` conditions, all
    required, on a metric (``rouge1.fmeasure>0.4``, ``rouge1`` for its main stat) or a dotted config
    key (``dataset.name=summeval``), op one of ``= == != > >= < <=``.
    """
    from bench.analysis import labels as naming
    from bench.results import catalog

    where = [where] if isinstance(where, str) else texts.texts_or_names(where, "where")
    filters = [catalog.parse_where(w) for w in where]  # parsed first: a typo fails before any reading
    if since is not None:
        filters.append(catalog.since(catalog.parse_since(since)))
    if experiment is not None:
        filters.append(catalog.experiment(experiment))
    runs, problems = catalog.scan(results_dir)
    chosen = catalog.select(runs, filters)
    labels: list[str | None] = [None] * len(chosen)
    legend: list[str] = []
    by_experiment: dict[str, list[int]] = {}
    for k, run in enumerate(chosen):
        by_experiment.setdefault(run.experiment, []).append(k)
    for name, members in by_experiment.items():  # a sweep's runs are told apart within their experiment
        if len(members) < 2:
            continue
        named = naming.of([chosen[k] for k in members])
        if named.keys:
            for k, label in zip(members, named.short):
                labels[k] = label if not named.legend else f"{name} {label}"
            legend += [f"{name} {line}" for line in named.legend]
    return catalog.Listing(tuple(catalog.listed(r, label) for r, label in zip(chosen, labels)), tuple(problems),
                           tuple(legend))


def merge(*runs: Run | str | Path, results_dir: str | Path = "results") -> Run:
    """Join the shard runs of one experiment (``shard.index``/``shard.count``; runs or run directories, any
    order) into the run the unsharded experiment stores, save it under ``results_dir`` (as ``bench merge``
    does), and return it loaded from there. Every shard is validated first: a shard with a missing or
    damaged line is refused."""
    from bench.results import merge as merging

    import time

    started = time.perf_counter()
    shards = _validated(runs, "merge")
    return load_run(save(merging.merged(shards, started), results_dir))


def _validated(runs: Sequence[Run | str | Path], what: str):
    """Runs (saved or not) or run directories as validated ``Run``s: the analyses' one edge."""
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
    """A leaderboard, as ``bench systems`` computes it (not stored); returns a ``bench.analysis.systems.Leaderboard``
    (``.to_json()`` gives the tidy rows ``bench systems --format json`` prints).

    ``runs``: one run whose items name their system (``by``; default the
    dataset's ``system_key``), or several runs, one system each (``names`` labels
    them); saved or unsaved runs, or run directories.
    ``settings``: ``tests``, ``cluster_test``, ``resamples``, ``ci_resamples``, ``seed``,
    ``correction``, ``alpha``, ``level`` (``bench.stats.leaderboard.SystemsSpec``, whose defaults apply).
    """
    from bench.analysis import systems as analysis
    from bench.stats.leaderboard import SystemsSpec

    loaded = _validated(runs, "systems")
    if "tests" in settings:
        settings["tests"] = tuple(settings["tests"])
    return analysis.build(loaded, SystemsSpec(**settings), by=by, doc=doc, metrics=metrics, stat=stat, names=names)


def meta(*runs: Run | str | Path, humans: Sequence[str] | None = None, judgments: str | Path | None = None,
         system: str | None = None, doc: str | None = None, metrics: Sequence[str] | None = None,
         stat: str | None = None, **settings: Any):
    """How well each metric agrees with human judgments, as ``bench meta`` computes it (not stored); returns a
    ``bench.analysis.meta.MetaEvaluation`` (``.to_json()`` gives the tidy rows ``bench meta --format json`` prints).

    ``runs``: runs of one dataset (saved or unsaved, or run directories) whose
    items name their system and document (``system``/``doc``; default the
    dataset's ``system_key``/``doc_key``) and carry human scores (``humans``:
    metadata fields, default the dataset's ``human``; or a ``judgments`` JSONL
    file joined by item id). ``settings`` are ``bench.analysis.meta.MetaSpec``'s
    (whose defaults apply): ``levels``, ``coefficients``, ``constant``, ``scheme``,
    ``resamples``, ``level``, ``seed``, ``tests``, ``test_resamples``, ``compare``,
    ``correction``, ``alpha``, ``resample_annotators``.
    """
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
    return analysis.evaluate(scores, spec)


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
    from bench.results.corpus import corpus_metric

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
    scores = {}  # corpus metrics: summed statistics -> corpus value, the metric rebuilt from the run's options
    for metric in loaded.metrics:
        found = corpus_metric(loaded, metric)
        if found is not None:
            scores[metric] = found.score
    return compare.check(loaded.experiment, base, loaded, spec, str(path), name, scores)


def compare(*runs: Run | str | Path, metrics: Sequence[str] | None = None, names: Sequence[str] | None = None,
            **settings: Any):
    """Runs of the same items side by side, as ``bench compare`` computes them (not stored); returns a
    ``bench.analysis.compare.Comparison`` (``.to_json()`` gives the tidy rows).

    ``runs``: saved or unsaved runs, or run directories (the first is the reference). Each metric's
    primary stat per run with the run's interval, and each run's difference from the first with the
    paired tests of ``bench systems``. ``settings``: ``tests``, ``resamples``, ``seed``, ``correction``,
    ``alpha``, ``level``, ``cluster_test`` (the deciding test) (``bench.stats.leaderboard.SystemsSpec``,
    whose defaults apply).
    """
    from bench.analysis import compare as analysis
    from bench.stats.leaderboard import SystemsSpec

    loaded = _validated(runs, "compare")
    if "tests" in settings:
        settings["tests"] = tuple(settings["tests"])
    return analysis.compare(loaded, SystemsSpec(**settings), metrics=metrics, names=names)
