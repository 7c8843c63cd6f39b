"""bench.report.plots: every figure is deterministic inline SVG with a title, labelled axes and its signature."""

from __future__ import annotations

import re

import pytest

from bench.report import plots

SIG = "ci|boot:1000|level:95|unit:doc|seed:0"


def _texts(svg: str) -> list[str]:
    # glyphs are paths; matplotlib keeps each text as an XML comment beside them
    return re.findall(r"<!-- (.*?) -->", svg, flags=re.S)


def _cases():
    board = [{"system": f"s{i}", "mean": 0.5 - i / 20, "ci": [0.45 - i / 20, 0.55 - i / 20], "rank": 1 + 2 * (i // 2),
              "cluster": 1 + i // 2} for i in range(4)]
    meta = {(lvl, "quality"): [{"metric_label": m, "coefficient": c, "value": 0.3, "ci": [0.1, 0.5]}
                               for m in ("rouge1", "rouge2") for c in ("pearson", "kendall")]
            for lvl in ("sample", "system")}
    check = [{"metric": "rouge1", "stat": "fmeasure", "baseline": 0.5, "run": 0.49, "delta": -0.01,
              "allowed_drop": 0.005, "verdict": "regression", "higher_is_better": True},
             {"metric": "loss", "stat": "value", "baseline": 0.2, "run": 0.19, "delta": -0.01, "allowed_drop": 0.0,
              "verdict": "improved", "higher_is_better": False}]
    return {
        "means": (lambda: plots.means([("a", {"rouge1 fmeasure": (0.5, [0.4, 0.6]), "rouge2 fmeasure": (0.2, None)}),
                                       ("b", {"rouge1 fmeasure": (0.55, [0.5, 0.6])})], "Means title", SIG),
                  ["Means title", "mean score (0-1), 95% bootstrap interval", "metric, stat"]),
        "distributions": (lambda: plots.distributions([("a", {"rouge1 fmeasure": [0.1, 0.5, 0.5, 0.9]})],
                                                      "Dist title", SIG),
                          ["Dist title", "per-item score (0-1)", "items (count)"]),
        "sweep": (lambda: plots.sweep("metrics.bertscore.layer", [4, 2, 6],
                                      {"bertscore f1": [(0.8, [0.7, 0.9]), (0.7, None), (0.85, [0.8, 0.9])]},
                                      "Sweep title", SIG),
                  ["Sweep title", "metrics.bertscore.layer (config value)", "mean score (0-1), 95% interval"]),
        "leaderboard": (lambda: plots.leaderboard({"rouge1 fmeasure": board}, "Board title", SIG),
                        ["Board title", "mean score (0-1) over documents, 95% bootstrap interval", "rank, system"]),
        "correlations": (lambda: plots.correlations(meta, ["sample", "system"], ["quality"], "Meta title", SIG),
                         ["Meta title", "correlation (-1 to 1), 95% CI", "metric"]),
        "check": (lambda: plots.check(check, "Check title", SIG),
                  ["Check title", "mean score (0-1)", "run - baseline (score units)", "metric, stat"]),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_figure_is_self_contained_deterministic_and_labelled(name):
    draw, labels = _cases()[name]
    svg = draw()
    assert svg == draw()  # same data, same bytes (fixed hashsalt, no date)
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert "http" not in svg and "<script" not in svg.lower() and "<metadata" not in svg
    texts = _texts(svg)
    for label in labels:
        assert label in texts, (label, texts)
    assert SIG in texts  # the signature, in small print


def test_figures_use_distinct_element_ids():
    # several figures inline in one page: a clip-path id shared by two different figures would cross-wire them
    ids = [set(re.findall(r'id="(p[0-9a-f]{10})"', draw())) for draw, _ in _cases().values()]
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            assert not a & b


def test_unit_label():
    assert plots.unit_label([0.0, 1.0]) == "score (0-1)"
    assert plots.unit_label([-0.2, 0.5]) == "score"  # e.g. rescaled BERTScore
