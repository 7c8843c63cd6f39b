"""The committed baselines (results/baselines/) are what their experiments declare today.

`bench check experiment=X` in CI compares against these files; a signature component added to a metric
without re-making the baseline would make CI's gate incomparable. This catches it in the test run, with
the component that differs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import api, pipeline
from bench.config import compose, to_plain

ROOT = Path(__file__).resolve().parents[2]
BASELINES = sorted((ROOT / "results" / "baselines").glob("*.json"))


@pytest.mark.parametrize("path", BASELINES, ids=[p.stem for p in BASELINES])
def test_committed_baseline_signatures_equal_the_declared_ones(path, request):
    base = json.loads(path.read_text(encoding="utf-8"))
    overrides = [f"experiment={base['experiment']}"]
    if "summeval" in base["experiment"]:
        overrides.append(f"dataset.path={request.getfixturevalue('summeval_path')}")
    prep = api.prepare(to_plain(compose(overrides)))
    declared = {s.metric: str(s) for s in pipeline.declare(prep.config, prep.built, prep.inputs)}
    assert declared == base["signatures"], f"re-make it: bench baseline RUN --update ({path.name})"
    assert prep.inputs.references_fingerprint == base["inputs"]["references_fingerprint"]


# --- the reader and the writer -------------------------------------------------------------------------------

from bench.errors import BenchError  # noqa: E402
from bench.gate import baselines  # noqa: E402
from bench.values import Facts  # noqa: E402


def test_a_committed_baseline_from_before_facts_reads_with_the_facts_of_its_time():
    base = baselines.read(ROOT / "results" / "baselines" / "seed.json")
    assert base.experiment == "seed" and base.ids == ("seed-000",) and base.source_run == "20261202-125648-696307"
    # no facts block in the file: the record reader's legacy rule (ROUGE 0-1, min effect 0.005; novel_2 descriptive,
    # lower is better as the file's higher_is_better block says)
    assert base.metrics["rouge1"].facts == Facts(True, 0.0, 1.0, primary="fmeasure", min_effect=0.005)
    assert base.metrics["novel_2"].facts.kind == "descriptive" and not base.metrics["novel_2"].higher_is_better
    assert base.metrics["rouge2"].fmeasure == 0.13333333333333336  # the file's number, as written
    assert base.column("rouge2", "fmeasure") == (0.13333333333333336,)
    assert base.inputs.candidates_fingerprint == "sha256:392db1c18010475bc9b1a874e405fd8e21d33ca6c128f92c4950e1d5672eb89d"


def _run():
    import bench

    return bench.score(["the cat sat on the mat", "a dog ran far"] * 3, ["a cat sat on a mat", "the dog ran off"] * 3,
                       metrics=["rouge", "bleu"], ids=[f"i{k}" for k in range(6)])


def test_a_new_baseline_is_an_envelope_with_facts_and_reads_back_as_the_run(tmp_path):
    run = _run()
    path = tmp_path / "b.json"
    baselines.write_baseline(run, path, update=False)
    data = json.loads(path.read_text())
    assert (data["kind"], data["schema_version"]) == ("bench-baseline", 1)
    assert data["facts"]["bleu"] == {"range": [0.0, 100.0], "kind": "quality", "corpus": True, "drift": 0.0,
                                     "min_effect": 0.5}
    base = baselines.read(path)
    for m, summary in run.metrics.items():
        assert base.metrics[m].facts == summary.facts and dict(base.metrics[m].stats) == dict(summary.stats)
        assert base.metrics[m].corpus == summary.corpus
        for stat in summary.stats:
            assert base.column(m, stat) == tuple(run.column(m, stat))
    assert base.ids == run.ids and base.inputs == run.inputs and base.signatures == run.signatures
    with pytest.raises(baselines.BaselineExists, match="already exists; pass update=True"):
        baselines.write_baseline(run, path, update=False)


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.pop("per_item"), "has no per_item"),
    (lambda d: d["per_item"]["scores"]["rouge1"]["fmeasure"].pop(), "rouge1.fmeasure has 5 per-item values for 6 ids"),
    (lambda d: d["per_item"]["ids"].__setitem__(1, "i0"), "per-item ids are not distinct"),
    (lambda d: d["facts"]["rouge1"].__setitem__("kind", "vibes"), "facts.rouge1.kind"),
    (lambda d: d["metrics"]["bleu"].__setitem__("score", "high"), "metrics.bleu.score"),
    (lambda d: d.__setitem__("kind", "systems"), "is not a bench-baseline file"),
])
def test_a_damaged_baseline_is_one_line(tmp_path, edit, words):
    path = tmp_path / "b.json"
    baselines.write_baseline(_run(), path, update=False)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(BenchError) as err:
        baselines.read(path)
    assert words in str(err.value) and "\n" not in str(err.value), str(err.value)
