"""bench.report.sections on typed runs: corpus values beside the means, descriptive statistics apart,
direction and range from each metric's facts; a check's rows with their rule, descriptive rows apart."""

from __future__ import annotations

import re

import pytest

import bench
from bench.gate.compare import SignatureDifference, StatCheck
from bench.report import build, inputs, sections
from bench.report.inputs import Check
from bench.results import run_record
from bench.results.model import Run

CANDIDATES = ["the cat sat on the mat", "a dog ran far away", "x y z", "we went home early today",
              "it rained all day long", "the sun is bright"]
REFERENCES = ["the cat sat on a mat", "the dog ran away", "x y w", "we went home today", "it rained all day",
              "the sun was bright"]
# sacrebleu 2.x on these six pairs, computed outside bench:
#   sacrebleu.corpus_bleu(CANDIDATES, [REFERENCES]).score  -> 39.12711450183219
#   mean of sacrebleu.sentence_bleu(c, [r]).score           -> 46.22703797129331
CORPUS_BLEU, MEAN_BLEU = "39.1271", "46.2270"


@pytest.fixture(scope="module")
def bleu_run(tmp_path_factory) -> str:
    run = bench.score(CANDIDATES, REFERENCES, metrics=["bleu"], ci={"resamples": 200})
    return str(bench.save(run, tmp_path_factory.mktemp("bleu") / "results"))


def _table(section, caption_start: str):
    return next(t for caption, t in (*section.tables, *section.more) if caption.startswith(caption_start))


def _with(run: Run, change) -> Run:
    """A copy of ``run`` whose stored record ``change`` edited (a record another bench could have written)."""
    record = run.record_dict()
    change(record)
    return Run.of(record, run.samples_list(), run.path)


def test_corpus_bleu_sits_beside_the_mean_with_its_interval(bleu_run):
    _, text = build.write([bleu_run], "markdown", "-")
    header = "| run | metric | stat | range | better | mean | 95% CI | corpus | corpus 95% CI |"
    assert header in text
    row = next(line for line in text.splitlines() if line.startswith("| memory/") and "| bleu |" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:6] == ["bleu", "score", "0-100", "higher", MEAN_BLEU]
    assert re.fullmatch(r"\[\d+\.\d{4}, \d+\.\d{4}\]", cells[6])  # six items: the mean has an interval
    # the corpus value's own interval (resampled summed statistics), which holds the corpus value
    assert cells[7] == CORPUS_BLEU and re.fullmatch(r"\[\d+\.\d{4}, \d+\.\d{4}\]", cells[8])
    lo, hi = (float(x) for x in cells[8].strip("[]").split(", "))
    assert lo <= float(CORPUS_BLEU) <= hi
    assert "not the mean of per-item scores" in text


def test_a_corpus_value_without_a_recorded_interval_reads_na(bleu_run):
    run = _with(inputs.read(bleu_run).value, lambda r: r["intervals"].pop("corpus"))
    row = _table(sections.runs([run])[0], "Means with 95% intervals and corpus values").rows[0]
    assert row[-2:] == (CORPUS_BLEU, "n/a")  # never a blank or a made-up range


def test_corpus_interval_is_printed_when_the_record_has_one(bleu_run):
    run = _with(inputs.read(bleu_run).value,
                lambda r: r["intervals"].setdefault("corpus", {}).update({"bleu": {"score": [35.25, 43.5]}}))
    section = sections.runs([run])[0]
    row = _table(section, "Means with 95% intervals and corpus values").rows[0]
    assert row[-2:] == (CORPUS_BLEU, "[35.2500, 43.5000]")


def test_html_shows_the_corpus_value(bleu_run):
    _, text = build.write([bleu_run], "html", "-")
    assert f'<td class="r">{CORPUS_BLEU}</td>' in text and "<th>corpus 95% CI</th>" in text


def test_without_corpus_values_there_are_no_corpus_columns():
    run = bench.score(CANDIDATES, REFERENCES, metrics=["rouge"], ci={"resamples": 0})
    table = _table(sections.runs([run])[0], "Means with")
    assert table.columns == ("run", "metric", "stat", "range", "better", "mean", "95% CI")
    assert {r[3] for r in table.rows} == {"0-1"} and {r[6] for r in table.rows} == {"n/a"}


def test_direction_comes_from_the_facts_not_a_default(bleu_run):
    run = _with(inputs.read(bleu_run).value, lambda r: r["higher_is_better"].update(bleu=False))
    row = _table(sections.runs([run])[0], "Means with").rows[0]
    assert row[1] == "bleu" and row[4] == "lower"


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory) -> Run:
    # the seed dataset has a source document, so its runs carry source_stats (descriptive) beside BLEU
    return bench.evaluate(["dataset=seed", "metrics=[bleu]", "ci.resamples=0",
                           f"results_dir={tmp_path_factory.mktemp('seed')}"])


def test_descriptive_statistics_are_listed_apart_and_marked(seed_run):
    section = sections.runs([seed_run])[0]
    quality = _table(section, "Means with")
    descriptive = _table(section, "Descriptive statistics")
    assert [r[1] for r in quality.rows] == ["bleu"]
    assert descriptive.columns == ("run", "metric", "stat", "range", "mean", "95% CI")  # no "better" column
    ranges = {r[1]: r[3] for r in descriptive.rows}
    assert ranges == {"compression": ">= 0", "coverage": "0-1", "density": ">= 0", "novel_1": "0-1",
                      "novel_2": "0-1", "novel_3": "0-1", "repeated_1": "0-1", "repeated_2": "0-1",
                      "repeated_3": "0-1", "source_tokens": ">= 0", "summary_tokens": ">= 0"}
    assert any("Descriptive statistics" in p and "no better or worse" in p for p in section.paragraphs)
    means = next(f for f in section.figures if f.name == "means").svg
    assert "mean value (&gt;= 0), descriptive" in means and "mean value (0-1), descriptive" in means
    assert "mean score (0-100)" in means  # BLEU in a panel of its own range


def test_markdown_of_a_run_with_descriptive_statistics_marks_them(seed_run):
    report = build.assemble([inputs.of_run(seed_run)])
    text = build.render(report, "markdown")
    assert "**Descriptive statistics (information, no direction): means with 95% intervals**" in text
    block = text.split("**Descriptive statistics")[1].split("\n\n")[1]  # the table after its caption
    assert "| summary_tokens | value | >= 0 |" in block and "| bleu |" not in block


def test_several_runs_are_named_by_what_differs():
    a = bench.score(CANDIDATES, REFERENCES, metrics=["bleu"], ci={"resamples": 0})
    b = bench.score(CANDIDATES, REFERENCES, metrics=["bleu"], ci={"resamples": 0}, bleu={"lowercase": True})
    overview = _table(sections.runs([a, b])[0], "Runs")
    assert [r[0] for r in overview.rows] == ["metrics.bleu.lowercase=false (memory)",
                                             "metrics.bleu.lowercase=true (memory)"]


def _check(**change) -> Check:
    rows = (StatCheck("rouge1", "fmeasure", 0.5, 0.49, "regression", "changed candidates",
                      "significant drop (p=0.01) beyond minimum effect 0.005", 0.01, "bootstrap", 0.005, n_items=40),
            StatCheck("bleu", "score", 20.0, 19.9, "within noise", "changed candidates", "within noise (p=0.37)", 0.37,
                      "bootstrap", 0.5, level="corpus", n_items=40),
            StatCheck("bleu", "score", 21.0, 20.5, "information", "gated on the corpus value",
                      "mean of sentence scores: within noise (p=0.4)", 0.4, "bootstrap", 0.5, gated=False),
            StatCheck("source_stats", "summary_tokens", 30.0, 25.0, "information", "descriptive",
                      "not gated (gate_descriptive=[source_stats] gates it)", kind="descriptive", gated=False))
    fields = dict(experiment="toy", baseline="base.json", verdict="regression", exit_code=1,
                  check_signature="check|boot:2000", stats=rows, run="runs/toy/x")
    return Check(**{**fields, **change})


def test_check_rows_say_their_rule_and_descriptive_rows_stand_apart():
    section = sections.check(_check(), "check.json")
    gated = _table(section, "Gated stats")
    assert gated.columns == ("metric", "stat", "baseline", "run", "delta", "band", "p", "verdict", "rule", "reason")
    assert [r[:2] for r in gated.rows] == [("rouge1", "fmeasure"), ("bleu (corpus)", "score")]
    assert gated.rows[0][4:] == ("-1.00e-02", "5.00e-03", "0.01", "regression", "changed candidates",
                                 "significant drop (p=0.01) beyond minimum effect 0.005")
    assert gated.rows[1][-3:] == ("within noise", "changed candidates", "within noise (p=0.37)")
    info = _table(section, "Information (not gated")
    assert [(r[0], r[2], r[-2]) for r in info.rows] == [("bleu", "quality", "gated on the corpus value"),
                                                        ("source_stats", "descriptive", "descriptive")]
    assert "information" not in {r[7] for r in gated.rows}
    assert section.figures[0].name == "check" and "summary_tokens" not in section.figures[0].svg  # gated rows only


def test_an_incomparable_check_lists_each_difference_once_and_its_resolution():
    diffs = (SignatureDifference("stem", "porter -> no", ("rouge1", "rouge2"), False),
             SignatureDifference("tokenize", "13a -> intl", ("bleu",), True))
    section = sections.check(_check(stats=(), verdict="incomparable", exit_code=2, signature_differences=diffs,
                                    resolution="pass --allow stem", problems=("item ids differ",)), "check.json")
    assert section.paragraphs[0:4] == ("Problem: item ids differ",
                                       "Signature difference: stem: porter -> no (rouge1, rouge2)",
                                       "Signature difference (allowed): tokenize: 13a -> intl (bleu)",
                                       "To resolve: pass --allow stem")
    assert sum("porter -> no" in p for p in section.paragraphs) == 1
    assert section.tables == section.more == () and section.figures == ()  # nothing was compared
    assert section.summary == ("Verdict **INCOMPARABLE** (exit 2) for experiment `toy` (run `runs/toy/x`) against "
                               "`base.json`: nothing gated was compared (1 blocking signature difference, 1 problem "
                               "below).")


def test_leaderboard_shows_each_systems_corpus_value_read_back_through_the_analysis_reader(tmp_path):
    from bench.analysis import artefacts, systems
    from bench.stats.leaderboard import SystemsSpec

    shorter = [" ".join(c.split()[:3]) for c in CANDIDATES]
    runs = [run_record.load(bench.save(bench.score(c, REFERENCES, metrics=["bleu"], ci={"resamples": 50}),
                                       tmp_path / name)) for name, c in (("a", CANDIDATES), ("b", shorter))]
    board = systems.build(runs, SystemsSpec(resamples=100, ci_resamples=50), names=["a", "b"])
    path = tmp_path / "systems.json"
    path.write_text(artefacts.canonical(board.to_json()))
    got = inputs.read(str(path))
    assert got.value == board  # the analysis's own Leaderboard, read back by bench.analysis.stored
    table = _table(sections.systems(got.value, "systems.json"), "Corpus values per system")
    assert table.columns == ("metric", "system", "corpus", "95% CI", "items")
    assert ("bleu score", "a", CORPUS_BLEU) == table.rows[[r[1] for r in table.rows].index("a")][:3]
    assert all(r[-1] == "6" for r in table.rows)


def test_a_compare_artefact_is_refused_in_one_line(tmp_path):
    from bench.errors import BenchError

    path = tmp_path / "compare-x.json"
    path.write_text('{"kind": "compare", "schema_version": 1}')
    with pytest.raises(BenchError) as err:
        inputs.read(str(path))
    assert "\n" not in str(err.value)
    assert f"{path} is a compare file, which bench report does not show (`bench compare` shows its own tables)" in str(err.value)
