"""The report reads top-down: each section's one-sentence summary first, its headline tables open before the
figures, the long tidy tables folded below them; names in natural order (M0, M1, M2, ..., M10); HTML and
Markdown alike. Toy inputs are built here by hand, so each summary is checked as an exact sentence."""

from __future__ import annotations

import re

import pytest

import bench
from bench.analysis.meta import Correlation, MetaEvaluation
from bench.analysis.systems import CorpusRow, Leaderboard
from bench.report import build, html, markdown, sections
from bench.report.model import Report
from bench.stats.leaderboard import PairRow, SystemRow
from bench.values import Interval

# M10 sorts after M2 by number and before it by characters: every list below must put it last
NAMES = ("M10", "M2", "M1", "M0")


def _board() -> Leaderboard:
    """Two metric stats over four systems; rouge1: M2 and M10 are the top cluster, M1 and M0 below; rouge2:
    M1 alone on top. Means and clusters are given, not computed: the section only shows them."""
    rows = (SystemRow("M2", "rouge1", "fmeasure", 0.5, Interval(0.45, 0.55), 8, 1, 1),
            SystemRow("M10", "rouge1", "fmeasure", 0.49, Interval(0.44, 0.54), 8, 1, 1),
            SystemRow("M1", "rouge1", "fmeasure", 0.3, Interval(0.25, 0.35), 8, 3, 2),
            SystemRow("M0", "rouge1", "fmeasure", 0.2, None, 8, 3, 2),
            SystemRow("M1", "rouge2", "fmeasure", 0.3, Interval(0.28, 0.32), 8, 1, 1),
            SystemRow("M2", "rouge2", "fmeasure", 0.2, Interval(0.18, 0.22), 8, 2, 2),
            SystemRow("M10", "rouge2", "fmeasure", 0.19, Interval(0.17, 0.21), 8, 2, 2),
            SystemRow("M0", "rouge2", "fmeasure", 0.1, Interval(0.08, 0.12), 8, 4, 3))
    pairs = []
    for metric in ("rouge1", "rouge2"):
        ranked = [r.system for r in rows if r.metric == metric]
        for i, a in enumerate(ranked):
            for b in ranked[i + 1:]:
                same = metric == "rouge1" and {a, b} in ({"M2", "M10"}, {"M1", "M0"}) or \
                    metric == "rouge2" and {a, b} == {"M2", "M10"}
                pairs.append(PairRow(a, b, metric, "fmeasure", 0.1, "ar", 0.5 if same else 0.001,
                                     0.5 if same else 0.004, not same))
    corpus = tuple(CorpusRow(s, "bleu", "score", 20.0 + k, None, 8) for k, s in enumerate(NAMES))
    return Leaderboard("systems|tests:ar|clusters:ar|correction:holm|alpha:0.05|ci:95", rows, tuple(pairs),
                       cluster_test="ar", corpus=corpus)


def _corr(metric, human, level, coefficient, value, cluster=None, ci=(0.1, 0.3)) -> Correlation:
    return Correlation("r", metric, "fmeasure", human, True, level, coefficient, value,
                       None if ci is None else Interval(*ci), 8, 0, 50, None if cluster is None else 1, cluster)


def _meta() -> MetaEvaluation:
    """Two metrics, two human dimensions; sample level untested (rouge2 higher on coherence, a tie on
    relevance), summary level tested by kendall (both in the top cluster on coherence, rouge2 alone on
    relevance), system level with pairwise accuracy only there."""
    rows = [_corr("rouge2", "coherence", "sample", "kendall", 0.2), _corr("rouge1", "coherence", "sample", "kendall", 0.1),
            _corr("rouge1", "relevance", "sample", "kendall", 0.3), _corr("rouge2", "relevance", "sample", "kendall", 0.3),
            _corr("rouge1", "coherence", "sample", "pearson", 0.221, ci=(0.106, 0.31)),
            _corr("rouge1", "coherence", "summary", "kendall", 0.15, 1), _corr("rouge2", "coherence", "summary", "kendall", 0.14, 1),
            _corr("rouge2", "relevance", "summary", "kendall", 0.25, 1), _corr("rouge1", "relevance", "summary", "kendall", 0.1, 2),
            _corr("rouge1", "coherence", "system", "pearson", 0.9), _corr("rouge2", "coherence", "system", "pearson", None, ci=None),
            _corr("rouge1", "coherence", "system", "pairwise_accuracy", 0.95)]
    return MetaEvaluation("meta|ci:95", 4, 8, tuple(rows), ())


def test_systems_summary_is_the_first_headline_and_the_ranking_is_open():
    board = _board()
    section = sections.systems(board, "s.json")
    assert section.summary == ("rouge1 fmeasure: 2 of 4 systems are statistically indistinguishable from the best (M2) "
                               "at alpha 0.05: M2, M10 (ar test after holm correction; they are the top cluster: no "
                               "pair among them differs); 4 of 6 pairs differ.")
    assert section.paragraphs[0] == ("rouge2 fmeasure: M1 is significantly better than every other system at alpha "
                                     "0.05 (ar test after holm correction); 5 of 6 pairs differ.")
    ((caption, ranking),) = section.tables
    assert caption.startswith("Ranking by rouge1 fmeasure")
    assert ranking.columns == ("rank", "cluster", "system", "rouge1 fmeasure", "rouge2 fmeasure")
    assert ranking.rows == (  # rank order, not name order; * marks each metric stat's top cluster
        ("1", "1", "M2", "0.5000 [0.4500, 0.5500] *", "0.2000 [0.1800, 0.2200]"),
        ("1", "1", "M10", "0.4900 [0.4400, 0.5400] *", "0.1900 [0.1700, 0.2100]"),
        ("3", "2", "M1", "0.3000 [0.2500, 0.3500]", "0.3000 [0.2800, 0.3200] *"),
        ("3", "2", "M0", "0.2000 n/a", "0.1000 [0.0800, 0.1200]"))
    more = dict(section.more)
    corpus = next(t for c, t in more.items() if c.startswith("Corpus values"))
    assert [r[1] for r in corpus.rows] == ["M0", "M1", "M2", "M10"]  # natural order, not M0, M1, M10, M2
    assert [r[3] for r in more["Systems per metric stat (rank order)"].rows[:4]] == ["M2", "M10", "M1", "M0"]


def test_meta_has_one_open_table_per_level_with_coefficients_as_columns():
    section = sections.meta(_meta(), "m.json")
    assert [c.split(" with")[0] for c, _ in section.tables] == [
        "Correlations at the sample level", "Correlations at the summary level", "Correlations at the system level"]
    sample, summary, system = (t for _, t in section.tables)
    assert sample.columns == ("human", "metric", "kendall", "pearson")
    assert sample.rows == (("coherence", "rouge1", "0.100 [0.100, 0.300]", "0.221 [0.106, 0.310]"),
                           ("coherence", "rouge2", "0.200 [0.100, 0.300]", "-"),  # no pearson computed for it
                           ("relevance", "rouge1", "0.300 [0.100, 0.300]", "-"),
                           ("relevance", "rouge2", "0.300 [0.100, 0.300]", "-"))
    assert summary.columns == ("human", "metric", "kendall", "kendall cluster")
    assert summary.rows[2:] == (("relevance", "rouge1", "0.100 [0.100, 0.300]", "2"),
                                ("relevance", "rouge2", "0.250 [0.100, 0.300]", "1"))
    assert system.columns == ("human", "metric", "pearson", "pairwise_accuracy")
    assert system.rows == (("coherence", "rouge1", "0.900 [0.100, 0.300]", "0.950 [0.100, 0.300]"),
                           ("coherence", "rouge2", "n/a", "-"))  # undefined: n/a; not computed: -
    assert [c for c, _ in section.more] == ["All correlations, one per row"] and len(section.more[0][1].rows) == 12


def test_meta_summary_names_the_best_metric_per_level_and_how_it_was_decided():
    assert sections.meta(_meta(), "m.json").summary == (
        "Best-correlating metric per human dimension: sample level (highest kendall, not tested): rouge2 on "
        "coherence, rouge1/rouge2 on relevance; summary level (top kendall cluster): rouge1/rouge2 on coherence, "
        "rouge2 on relevance; system level (highest pearson, not tested): rouge1 on coherence.")


def test_meta_summary_groups_dimensions_that_agree():
    rows = (_corr("rouge1", "coherence", "system", "pearson", 0.5), _corr("rouge2", "coherence", "system", "pearson", 0.4),
            _corr("rouge1", "relevance", "system", "pearson", 0.6), _corr("rouge2", "relevance", "system", "pearson", 0.1))
    assert sections.meta(MetaEvaluation("meta|ci:95", 4, 8, rows, ()), "m.json").summary == (
        "Best-correlating metric per human dimension: system level (highest pearson, not tested): rouge1 on all 2 "
        "dimensions.")


CANDIDATES = ["the cat sat on the mat", "a dog ran far away", "x y z", "we went home early today",
              "it rained all day long", "the sun is bright", "one two three", "red green blue"]
REFERENCES = ["the cat sat on a mat", "the dog ran away", "x y w", "we went home today", "it rained all day",
              "the sun was bright", "one two four", "red green blue"]


@pytest.fixture(scope="module")
def grouped():
    # systems named so that character order (M0, M1, M10, M2) differs from natural order (M0, M1, M2, M10)
    return bench.score(CANDIDATES, REFERENCES, metrics=["rouge"], systems=list(NAMES) * 2,
                       documents=[f"d{i // 4}" for i in range(8)], group_by="system", ci={"resamples": 20})


def test_runs_summary_groups_in_natural_order_and_means_open(grouped):
    section = sections.runs([grouped])[0]
    assert section.summary == ("1 run of `memory`: 8 items scored by 4 metrics (rouge1, rouge2, rougeL, rougeLsum); "
                               "means with 95% bootstrap intervals over 2 documents (20 resamples).")
    assert [c for c, _ in section.tables] == ["Runs", "Means with 95% intervals"]
    ((caption, groups),) = section.more
    assert "groups by `system`" in caption and [r[0] for r in groups.rows] == ["M0", "M1", "M2", "M10"]


def test_runs_summary_without_intervals():
    run = bench.score(CANDIDATES[:2], REFERENCES[:2], metrics=["bleu"], ci={"resamples": 0})
    assert sections.runs([run, run])[0].summary == (
        "2 runs of `memory`: 2 items each scored by 1 metric (bleu); means without intervals (ci.resamples=0).")


def _report(*parts) -> Report:
    return Report("t", tuple(parts), "sig")


def test_html_reads_top_down_summary_headline_figures_then_folded_tables():
    board, meta = _board(), _meta()
    long_meta = MetaEvaluation(meta.signature, 4, 8, meta.correlations * 2, ())  # 24 tidy rows: folded
    text = html.render(_report(sections.systems(board, "s.json"), sections.meta(long_meta, "m.json")))
    systems, meta_part = re.split(r"<section[^>]*>", text)[1:3]
    # summary, headline table, figure, then the tables below (short ones open, long ones folded)
    order = [systems.index(tag) for tag in ('<p class="summary">', "<h3>Ranking by", "<figure",
                                            "<h3>Systems per metric stat")]
    assert order == sorted(order)
    order = [meta_part.index(tag) for tag in ('<p class="summary">', "<h3>Correlations at the system", "<figure",
                                              "<details>")]
    assert order == sorted(order)
    assert '<p class="summary">rouge1 fmeasure: 2 of 4 systems' in text
    assert "<summary>All correlations, one per row (24 rows)</summary>" in text


def test_markdown_reads_top_down_too():
    text = markdown.render(_report(sections.systems(_board(), "s.json"), sections.meta(_meta(), "m.json")))
    systems = text.split("## Leaderboard (s.json)\n\n")[1].split("\n## ")[0]
    assert systems.startswith("rouge1 fmeasure: 2 of 4 systems are statistically indistinguishable")
    blocks = [b for b in systems.split("\n\n") if b.startswith("**")]
    assert blocks[0].startswith("**Ranking by rouge1 fmeasure")
    assert re.search(r"\| 1 \| 1 \| M2 \| 0\.5000 \[0\.4500, 0\.5500\] \\\* \|", systems)
    meta = text.split("## Meta-evaluation (m.json)\n\n")[1]
    assert meta.startswith("Best-correlating metric per human dimension: sample level")
    assert meta.index("**Correlations at the sample level") < meta.index("**All correlations, one per row**")


def test_report_of_real_inputs_opens_with_each_summary(made):
    _, text = build.write([str(p) for p in (made["runs"][0], made["systems"], made["meta"], made["check"])],
                          output="-")
    sections_html = re.split(r'<section id="[a-z0-9-]+">', text.split("<section>\n<h2>Built from")[0])[1:]
    assert len(sections_html) == 4  # runs, leaderboard, meta-evaluation, check (no browser: worst=None)
    assert all(re.match(r'\n<h2>[^<]*</h2>\n<p class="summary">', s) for s in sections_html), sections_html[0][:200]
    for part in sections_html:
        if "<details>" in part:
            assert part.index("<h3>") < part.index("<details>")


def test_check_summary_is_the_verdict_with_what_decided_it():
    from test_sections import _check

    from bench.gate.compare import StatCheck

    assert sections.check(_check(), "c.json").summary == (
        "Verdict **REGRESSION** (exit 1) for experiment `toy` (run `runs/toy/x`) against `base.json`: 1 of 2 gated "
        "stats regressed (rouge1 fmeasure).")
    better = StatCheck("rouge2", "fmeasure", 0.2, 0.25, "improved", "changed candidates", "significant gain", 0.001,
                       "bootstrap", 0.005, n_items=40)
    passed = _check(verdict="pass", exit_code=0, run="", stats=(better, *_check().stats[1:]))
    assert sections.check(passed, "c.json").summary == (
        "Verdict **PASS** (exit 0) for experiment `toy` against `base.json`: none of 2 gated stats regressed, "
        "1 improved.")


def test_each_section_has_a_stable_anchor_and_the_page_a_contents_line():
    from bench.report.model import Section

    parts = (Section("Runs: toy"), Section("Leaderboard (systems-1.json)"), Section("Leaderboard (systems-2.json)"),
             Section("Meta-evaluation (meta-1.json)"), Section("Items"))
    assert html.anchors(parts) == ["runs", "leaderboard", "leaderboard-2", "meta-evaluation", "items"]
    page = html.render(Report("t", parts))
    for anchor in html.anchors(parts):
        assert f'<section id="{anchor}">' in page and f'<a href="#{anchor}">' in page
    assert page.index("<nav") < page.index("<section")
    assert "<nav" not in html.render(Report("t", parts[:1]))  # one section: nothing to jump between


def test_a_lower_is_better_metric_is_labelled_negated_in_tables_and_heat_maps():
    from bench.report import figures

    lower = Correlation("r", "ter", "score", "coherence", False, "summary", "kendall", 0.2, Interval(0.1, 0.3),
                        8, 0, 50)
    meta = MetaEvaluation("meta|ci:95", 4, 8, (_corr("rouge1", "coherence", "summary", "kendall", 0.1), lower), ())
    section = sections.meta(meta, "m.json")
    shown = [cell for _, table in (*section.tables, *section.more) for row in table.rows for cell in row]
    assert "ter (lower is better, negated)" in shown and "rouge1" in shown
    (heat,) = figures.correlations(meta)
    labels = [t.get_text() for t in heat.figure.axes[0].get_yticklabels()]
    assert any(label.endswith("ter (negated)") for label in labels)
    assert not any("rouge1" in label and "negated" in label for label in labels)
