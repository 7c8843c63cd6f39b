"""bench.report.plots: every figure is deterministic inline SVG with a title, labelled axes, every text at least
8 pt, and its signature in its ``<desc>`` (not under the plot)."""

from __future__ import annotations

import html
import re

import pytest

from bench.gate.compare import StatCheck
from bench.report import plots
from bench.analysis.meta import Correlation
from bench.stats.leaderboard import SystemRow
from bench.values import Facts, Interval
from tests.report.drawn import drawn_texts

SIG = "ci|boot:1000|level:95|unit:doc|seed:0"


def _texts(svg: str) -> list[str]:
    # glyphs are paths; matplotlib keeps each text as an XML comment beside them (XML-escaped)
    return [html.unescape(t) for t in re.findall(r"<!-- (.*?) -->", svg, flags=re.S)]


def _cases():
    board = [SystemRow(f"s{i}", "rouge1", "fmeasure", 0.5 - i / 20, Interval(0.45 - i / 20, 0.55 - i / 20), 10,
                       1 + 2 * (i // 2), 1 + i // 2) for i in range(4)]
    meta = {(lvl, "quality"): [(m, Correlation("r", m, "fmeasure", "quality", True, lvl, c, 0.3,
                                               Interval(0.1, 0.5), 8, 0, 50))
                               for m in ("rouge1", "rouge2") for c in ("pearson", "kendall")]
            for lvl in ("sample", "system")}
    check = [StatCheck("rouge1", "fmeasure", 0.5, 0.49, "regression", "same candidates", "beyond drift band 0.005",
                       band=0.005),
             StatCheck("loss", "value", 0.2, 0.19, "improved", "same candidates", "beyond drift band 0",
                       higher_is_better=False)]
    return {
        "means": (lambda: plots.means([("a", {"rouge1 fmeasure": (0.5, Interval(0.4, 0.6)), "rouge2 fmeasure": (0.2, None)}),
                                       ("b", {"rouge1 fmeasure": (0.55, Interval(0.5, 0.6))})], "Means title", SIG),
                  ["Means title", "mean score (0-1), 95% bootstrap interval", "metric, stat"]),
        "distributions": (lambda: plots.distributions([("a", {"rouge1 fmeasure": [0.1, 0.5, 0.5, 0.9]})],
                                                      "Dist title", SIG),
                          ["Dist title", "per-item score (0-1)", "items (count)"]),
        "sweep": (lambda: plots.sweep("metrics.bertscore.layer", [4, 2, 6],
                                      {"bertscore f1": [(0.8, Interval(0.7, 0.9)), (0.7, None), (0.85, Interval(0.8, 0.9))]},
                                      "Sweep title", SIG),
                  ["Sweep title", "metrics.bertscore.layer (config value)", "mean score (0-1), 95% interval"]),
        "leaderboard": (lambda: plots.leaderboard({"rouge1 fmeasure": board}, "Board title", SIG),
                        ["Board title", "mean score (0-1) over documents, 95% bootstrap interval",
                         "system (best first)"]),
        "correlations": (lambda: plots.correlations(meta, ["sample", "system"], ["quality"], "Meta title", SIG),
                         ["Meta title", "human dimension", "coefficient · metric", "correlation (colour scale ±0.30)",
                          "0.30", "[0.10, 0.50]"]),  # a cell: value over interval (a comment per line)
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
    assert _described(svg)


def _described(svg: str) -> bool:
    """The signature is the SVG's <desc> (right after <svg ...>), and no text drawn in the figure holds it."""
    return (re.match(r"<svg [^>]*>\n <desc>" + re.escape(html.escape(SIG, quote=False)) + "</desc>", svg) is not None
            and not any(SIG in t for t in _texts(svg)))


@pytest.mark.parametrize("name", list(_cases()))
def test_every_text_is_at_least_8_pt(name, monkeypatch):
    from matplotlib.text import Text

    drawn = []
    svg = plots._Canvas.svg
    monkeypatch.setattr(plots._Canvas, "svg", lambda self: (drawn.append(self.fig), svg(self))[1])
    _cases()[name][0]()
    small = [(t.get_text(), t.get_fontsize()) for t in drawn[0].findobj(Text)
             if t.get_text().strip() and t.get_visible() and t.get_fontsize() < plots.MIN_FONT]
    assert plots.MIN_FONT == 8 and not small, small


@pytest.mark.parametrize("name", list(_cases()))
def test_every_text_lies_inside_the_figure(name, monkeypatch):
    drawn = []
    svg = plots._Canvas.svg
    monkeypatch.setattr(plots._Canvas, "svg", lambda self: (drawn.append(self.fig), svg(self))[1])
    _cases()[name][0]()
    box = drawn[0].bbox
    extents = [(t.get_text(), t.get_window_extent()) for t in drawn_texts(drawn[0])]
    outside = [text for text, e in extents
               if not (box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1)]
    assert not outside, outside


def test_correlations_are_a_heat_map_with_colours_fitted_to_the_data(monkeypatch):
    """The issue: values between 0.1 and 0.3 on a -1..1 axis. Now a heat map whose colour scale ends at the
    largest |value| (0.3 here), not at 1."""
    drawn = []
    svg = plots._Canvas.svg
    monkeypatch.setattr(plots._Canvas, "svg", lambda self: (drawn.append(self.fig), svg(self))[1])
    _cases()["correlations"][0]()
    from matplotlib.collections import QuadMesh

    meshes = [m for ax in drawn[0].axes for m in ax.collections if isinstance(m, QuadMesh)]
    assert len([ax for ax in drawn[0].axes if ax.texts]) == 2  # a heat map per level (and a colour bar)
    assert {m.get_clim() for m in meshes} == {(-0.3, 0.3)}


def test_figures_use_distinct_element_ids():
    # several figures inline in one page: a clip-path id shared by two different figures would cross-wire them
    ids = [set(re.findall(r'id="(p[0-9a-f]{10})"', draw())) for draw, _ in _cases().values()]
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            assert not a & b


def test_unit_label():
    assert plots.unit_label([0.0, 1.0]) == "score (0-1)"
    assert plots.unit_label([-0.2, 0.5]) == "score"  # e.g. rescaled BERTScore


ROUGE = Facts(True, 0.0, 1.0, primary="fmeasure")
BLEU = Facts(True, 0.0, 100.0, primary="score", corpus=True)
TOKENS = Facts(True, 0.0, None, "descriptive", "value")


def test_unit_of_takes_range_and_kind_from_facts():
    assert plots.unit_of(ROUGE) == "score (0-1)"
    assert plots.unit_of(BLEU) == "score (0-100)"
    assert plots.unit_of(TOKENS) == "value (>= 0), descriptive"
    assert plots.unit_of(Facts(False)) == "score (unbounded)"


def test_means_get_a_panel_per_range_and_descriptive_stats_are_marked():
    facts = {"rouge1 fmeasure": ROUGE, "bleu score": BLEU, "summary_tokens value": TOKENS}
    svg = plots.means([("a", {"rouge1 fmeasure": (0.5, None), "bleu score": (23.7, Interval(20.0, 27.5)),
                              "summary_tokens value": (61.0, Interval(58.0, 64.0))})], "T", SIG, "90%", facts)
    texts = _texts(svg)
    for label in ("mean score (0-1), 90% bootstrap interval", "mean score (0-100), 90% bootstrap interval",
                  "mean value (>= 0), descriptive, 90% bootstrap interval"):
        assert label in texts, (label, texts)


def test_distribution_bins_span_the_declared_range():
    svg = plots.distributions([("a", {"bleu score": [10.0, 20.0, 90.0]})], "T", SIG, {"bleu score": BLEU})
    texts = _texts(svg)
    assert "per-item score (0-100)" in texts
    assert "100" in texts  # the x axis runs to the range's end (a tick at 100), not to the largest value (90)


# every verdict bench.gate.compare gives, written out here (not read from the module under test's colours)
GATE_VERDICTS = {"regression", "improved", "unchanged", "within drift band", "within noise", "below minimum effect",
                 "within minimum effect", "information"}


def test_every_verdict_of_the_gate_has_its_own_colour():
    from bench.gate import compare

    given = {v for k, v in vars(compare).items() if k.isupper() and isinstance(v, str) and v in GATE_VERDICTS}
    assert given == GATE_VERDICTS  # the gate still names these verdicts
    assert GATE_VERDICTS <= plots.VERDICT_COLOURS.keys()
    colours = [plots.VERDICT_COLOURS[v] for v in GATE_VERDICTS]
    assert len(set(colours)) == len(colours) and plots.UNKNOWN_VERDICT not in colours


def test_check_legend_names_only_the_verdicts_drawn():
    rows = [StatCheck("rouge1", "fmeasure", 0.5, 0.499, "within noise", "changed candidates", "within noise (p=0.4)",
                      0.4, "bootstrap", 0.005),
            StatCheck("bleu", "score", 20.0, 19.0, "regression", "changed candidates", "significant drop", 0.01,
                      "bootstrap", 0.5, level="corpus")]
    texts = _texts(plots.check(rows, "T", SIG))
    assert "run: within noise" in texts and "run: regression" in texts and "run: improved" not in texts
    assert "bleu score (corpus)" in texts  # a corpus value is named as one


MEAN = 0.8869047619047619


@pytest.mark.parametrize("ci", [Interval(MEAN, MEAN),  # zero width: every item scored alike
                                Interval(0.886904761904762, 0.886904761904762),  # an ulp beside (issue 25's run)
                                Interval(0.8869047619047616, 0.8869047619047617)])  # an ulp below
def test_a_zero_width_interval_and_one_an_ulp_beside_its_mean_plot(ci):
    """`bench report` ended in matplotlib's "'xerr' must not contain negative values" on a run whose items all
    scored alike: its stored interval lay an ulp beside the mean. Every figure that draws intervals draws it."""
    row = SystemRow("s0", "rouge1", "fmeasure", MEAN, ci, 10, 1, 1)
    check = [StatCheck("rouge1", "fmeasure", MEAN, MEAN, "unchanged", "same candidates", "within drift band 0",
                       band=0.0)]
    figures = [plots.means([("a", {"rouge1 fmeasure": (MEAN, ci)})], "Means title", SIG),
               plots.sweep("metrics.rouge.use_stemmer", [0, 1], {"rouge1 fmeasure": [(MEAN, ci), (MEAN, ci)]},
                           "Sweep title", SIG),
               plots.leaderboard({"rouge1 fmeasure": [row]}, "Board title", SIG),
               plots.check(check, "Check title", SIG)]
    for svg in figures:
        assert svg.startswith("<svg ") and _described(svg)


def test_error_bar_arms_are_the_distances_to_the_bounds_and_never_negative():
    assert plots._arms(0.5, Interval(0.4, 0.7)) == [[0.5 - 0.4], [0.7 - 0.5]]
    assert plots._arms(MEAN, Interval(0.886904761904762, 0.886904761904762)) == [[0.0], [0.886904761904762 - MEAN]]
    assert plots._arms(MEAN, Interval(MEAN, MEAN)) == [[0.0], [0.0]]


def test_report_of_a_run_whose_items_all_score_alike(tmp_path):
    """End to end, the case of issue 25: 19 documents x 16 items of one pair (ROUGE-1 recall 2/3 on every
    item) once stored recall [0.6666666666666664, 0.6666666666666665] beside its mean 0.6666666666666666 and
    `bench report` ended in a traceback. Now the stored interval is the mean's zero-width one and the report is made."""
    import json

    from tests import _cli

    rows = [{"id": f"d{d}-s{s}", "candidate": "a b", "reference": "a b c", "doc": f"d{d}"}
            for d in range(19) for s in range(16)]
    (tmp_path / "alike.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    made = _cli.run("run", "dataset=files", "dataset.path=alike.jsonl", "+dataset.doc_key=doc", "metrics=[rouge]",
                    "results_dir=results", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    run_dir = tmp_path / made.stdout.strip().splitlines()[-1]
    record = json.loads((run_dir / "result.json").read_text())
    for metric, stats in record["intervals"]["metrics"].items():
        for stat, ci in stats.items():
            mean = record["metrics"][metric][stat]
            assert ci == [mean, mean], (metric, stat, ci, mean)
    report = _cli.run("report", str(run_dir), cwd=tmp_path)
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr
    assert report.stdout.strip().endswith(".html")
