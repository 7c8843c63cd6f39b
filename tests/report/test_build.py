"""bench.report.build and the sections: which inputs make which sections; record, paths, determinism."""

from __future__ import annotations

import json
import re

import pytest
from report_offline import remote_references

from bench.errors import BenchError
from bench.report import build


def _titles(report) -> list[str]:
    return [s.title for s in report.sections]


def test_sweep_runs_get_a_sweep_plot(made):
    report = build.assemble([build.read(str(d)) for d in made["runs"]])
    assert _titles(report) == ["Runs: toy", "Sweep over metrics.rouge.use_stemmer"]
    assert [f.name for f in report.sections[0].figures] == ["means", "distributions"]
    assert report.sections[1].figures[0].name == "sweep"
    assert "only config key that differs" in report.sections[0].paragraphs[0]
    kinds = [s["kind"] for s in report.record["sources"]]
    assert kinds == ["run", "run"] and all(s["run_key"].startswith("sha256:") for s in report.record["sources"])


def test_every_kind_of_input_in_one_report(made):
    inputs = [build.read(str(p)) for p in (made["runs"][0], made["systems"], made["meta"], made["check"])]
    assert [i.kind for i in inputs] == ["run", "systems", "meta", "check"]
    report = build.assemble(inputs)
    assert [t.split(" (")[0].split(":")[0] for t in _titles(report)] == [
        "Runs", "Leaderboard", "Meta-evaluation", "Regression check"]
    check = report.sections[-1]
    assert "**REGRESSION** (exit 1)" in check.summary and check.figures[0].name == "check"
    sources = report.record["sources"]
    assert sources[1]["sha256"].startswith("sha256:") and sources[1]["runs"] == [sources[0]["run_key"]]
    assert sources[3]["signature"].startswith("check|")


def test_default_path_beside_the_input_with_its_record_and_same_bytes(made):
    run = str(made["runs"][0])
    path, text = build.write([run, str(made["systems"])])
    assert path.parent == made["runs"][0].parent / "analyses" and re.fullmatch(r"report-[0-9a-f]{12}\.html", path.name)
    record = json.loads(path.with_suffix(".json").read_text())
    assert record["kind"] == "report" and [s["path"] for s in record["sources"]] == [run, str(made["systems"])]
    first = path.read_bytes()
    again, _ = build.write([run, str(made["systems"])])
    assert again == path and again.read_bytes() == first  # deterministic
    md, _ = build.write([run, str(made["systems"])], "markdown")
    assert md == path.with_suffix(".md")  # one record, both renderings
    # an artefact's report lands in the artefact's own analyses/ folder
    assert build.write([str(made["meta"])])[0].parent == made["meta"].parent


def test_html_is_self_contained(made):
    _, text = build.write([str(p) for p in (*made["runs"], made["systems"], made["meta"], made["check"])], output="-")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg ") == 6
    assert remote_references(text) == []
    assert 'href="#' in text and "url(#" in text  # the figures' own local references are all there is
    assert remote_references('<img src="x.png">') and remote_references("a{background:url(https://x)}")


def test_markdown_has_tables_and_no_figures(made):
    _, text = build.write([str(made["runs"][0]), str(made["check"])], "markdown", "-")
    assert text.startswith("# bench report: toy") and "<svg" not in text
    assert "| metric | stat | baseline | run | delta | band | p | verdict | rule | reason |" in text
    # the fixture's baseline was nudged up on rouge2 and the candidates are the same: the drift band decides
    assert re.search(r"\| rouge2 \| fmeasure \|.*\| regression \| same candidates \| beyond drift band 0 \|", text)


@pytest.mark.parametrize("content, problem", [
    (None, "does not exist"),
    ("not json", "is not a run directory nor JSON"),
    ('{"kind": "other"}', "is not a systems, meta or check result"),
])
def test_bad_inputs_are_bench_errors(tmp_path, content, problem):
    path = tmp_path / "x.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BenchError, match=problem):
        build.read(str(path))


def test_sweep_runs_are_labelled_as_every_view_labels_them(made):
    report = build.assemble([build.read(str(d)) for d in made["runs"]])
    first = [row[0] for row in report.sections[0].tables[0][1].rows]
    assert [r.split(" (")[0] for r in first] == ["metrics.rouge.use_stemmer=true", "metrics.rouge.use_stemmer=false"]
