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
