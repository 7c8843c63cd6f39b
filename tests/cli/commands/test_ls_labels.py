"""`bench ls` names a sweep's runs by what differs among the listed runs of one experiment."""

from pathlib import Path

from bench.cli.commands import ls
from bench.results.catalog import StoredRun


def _run(exp, stem, rid):
    rec = {"experiment": exp, "volatile": {"run_id": rid}, "config": {"metrics": {"rouge": {"use_stemmer": stem}}}}
    return StoredRun(Path(rid), rec)


def test_labels_per_experiment_lower_case_and_none_when_alone():
    runs = [_run("a", True, "r1"), _run("a", False, "r2"), _run("b", True, "r3"), _run("c", True, "r4"), _run("c", True, "r5")]
    assert ls._labels(runs) == ["metrics.rouge.use_stemmer=true", "metrics.rouge.use_stemmer=false", None, None, None]
