"""bench.report.figures and ``bench report --figures DIR``: paper figures as SVG, PDF and PNG files.

The figures are drawn once per session from the toy inputs of conftest.py (``made``: 4 systems x 8
documents, ROUGE) and written once through the CLI; every check reads those files or figures.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.errors import BenchError
from bench.report import figures, plots
from bench.report import inputs as report_inputs
from tests import _cli
from tests.report.drawn import drawn_texts

# Okabe & Ito (2008), "Color Universal Design": written out here, not read from the module under test
OKABE_ITO = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}


@pytest.fixture(scope="session")
def drawn(made):
    """(inputs as typed values, the PaperFigures built from the run, the leaderboard and the meta-evaluation)."""
    values = [report_inputs.read(str(p)).value for p in (made["runs"][0], made["systems"], made["meta"])]
    return values, figures.build(values)


@pytest.fixture(scope="session")
def written(made, drawn, tmp_path_factory):
    """The CLI's run: ``bench report RUN SYSTEMS META --figures DIR``; (dir, process, bytes per file)."""
    out = tmp_path_factory.mktemp("figs") / "figs"  # absent: the command creates it
    proc = _cli.run("report", str(made["runs"][0]), str(made["systems"]), str(made["meta"]), "--output",
                    str(out.parent / "report.html"), "--figures", str(out), cwd=made["tmp"])
    assert proc.returncode == 0, proc.stderr
    return out, proc, {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _names(drawn):
    return [f.name for f in drawn[1]]


def test_each_kind_of_input_gives_its_figures(drawn):
    assert _names(drawn) == ["distributions-rouge1-fmeasure", "distributions-rouge2-fmeasure",
                             "distributions-rougeL-fmeasure", "distributions-rougeLsum-fmeasure",
                             "systems-rouge1-fmeasure", "systems-rouge2-fmeasure", "systems-rougeL-fmeasure",
                             "systems-rougeLsum-fmeasure", "correlations-sample", "correlations-summary",
                             "correlations-system"]


def test_cli_writes_three_files_per_figure_and_lists_them(written, drawn):
    out, proc, files = written
    expected = sorted(f"{n}.{fmt}" for n in _names(drawn) for fmt in ("svg", "pdf", "png"))
    assert sorted(files) == expected
    listed = [line.split("figure: ", 1)[1] for line in proc.stderr.splitlines() if line.startswith("figure: ")]
    assert sorted(Path(p).name for p in listed) == expected
    assert proc.stdout.strip().splitlines()[-1].endswith("report.html")  # the report is still written
    assert (out.parent / "report.html").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_png_is_300_dpi_at_the_declared_inches_and_carries_the_signature(written, drawn):
    from PIL import Image

    _, _, files = written
    for f in drawn[1]:
        image = Image.open(io.BytesIO(files[f"{f.name}.png"]))
        width, height = f.size
        assert width in (figures.COLUMN, figures.PAGE)
        assert image.size == (round(width * 300), round(height * 300)), f.name
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert image.text["Description"] == f.signature and f.signature


def _pdf_string(text: str) -> bytes:
    """``text`` as a PDF literal string's body (ISO 32000-1, 7.3.4.2): backslash, parentheses and line ends escaped."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", "\\r")
    return escaped.replace("\n", "\\n").encode("latin-1")


def test_pdf_carries_the_signature_in_its_metadata_and_no_date(written, drawn):
    _, _, files = written
    for f in drawn[1]:
        pdf = files[f"{f.name}.pdf"]
        assert pdf.startswith(b"%PDF-")
        assert b"/Subject (" + _pdf_string(f.signature) + b")" in pdf, f.name
        assert b"/CreationDate" not in pdf
        # TrueType (Type 42: CIDFontType2) fonts, which publishers accept; never Type 3, which some refuse
        assert b"/Subtype /Type3" not in pdf and b"/Subtype /CIDFontType2" in pdf


def test_svg_parses_and_carries_the_signature(written, drawn):
    _, _, files = written
    ns = {"svg": "http://www.w3.org/2000/svg", "dc": "http://purl.org/dc/elements/1.1/"}
    for f in drawn[1]:
        root = ET.fromstring(files[f"{f.name}.svg"])
        assert root.find("svg:desc", ns).text == f.signature
        assert root.find(".//dc:description", ns).text == f.signature
        assert "<dc:date>" not in files[f"{f.name}.svg"].decode()


def test_signature_is_in_the_metadata_not_under_the_plot(drawn):
    from matplotlib.text import Text

    for f in drawn[1]:
        texts = [t.get_text() for t in f.figure.findobj(Text)]
        assert not any("|" in t for t in texts), (f.name, texts)  # no signature (a|b|c) drawn anywhere


def test_same_inputs_give_the_same_bytes(written, made):
    """The CLI's files again, drawn afresh from the same inputs: one figure of each kind (keeps the test fast)."""
    _, _, files = written
    again = figures.build([report_inputs.read(str(p)).value for p in (made["runs"][0], made["systems"], made["meta"])])
    for name in ("distributions-rouge1-fmeasure", "systems-rouge2-fmeasure", "correlations-system"):
        data = figures.encode(next(f for f in again if f.name == name))
        for fmt in ("svg", "png", "pdf"):
            assert data[fmt] == files[f"{name}.{fmt}"], (name, fmt)


def test_every_text_is_at_least_8_pt(written, drawn):
    for f in drawn[1]:  # drawn: the fixture `written` saved each, so tick labels exist
        small = [(t.get_text(), t.get_fontsize()) for t in drawn_texts(f.figure) if t.get_fontsize() < 8]
        assert not small, (f.name, small)


def test_every_text_lies_inside_the_figure(drawn):
    """Nothing is clipped at the declared size (a run's long name once ran a title off a column's edge)."""
    for f in drawn[1]:
        f.figure.draw_without_rendering()
        box = f.figure.bbox
        for t in drawn_texts(f.figure):
            e = t.get_window_extent()
            assert box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 and box.y0 - 1 <= e.y0 and e.y1 <= box.y1 + 1, \
                (f.name, t.get_text(), e, box)


def test_heat_map_colour_limits_are_fitted_to_the_data(drawn):
    values, built = drawn
    meta = values[2]
    shown = [r.value for r in meta.correlations if r.coefficient != "pairwise_accuracy" and r.value is not None]
    largest = max(abs(v) for v in shown)
    for f in (f for f in built if f.name.startswith("correlations-")):
        image = f.figure.axes[0].collections[0]
        lo, hi = image.get_clim()
        assert lo == -hi  # centred at 0: white is no correlation
        assert largest <= hi < largest + 0.01 + 1e-12  # the largest |value|, rounded up to 0.01
        assert image.get_cmap().name.startswith("RdBu")


def test_heat_limit_and_cell_text():
    from bench.values import Interval

    assert plots.heat_limit([0.12, -0.28, None, 0.3]) == 0.3
    assert plots.heat_limit([0.101, -0.205]) == 0.21
    assert plots.heat_limit([]) == 0.01 and plots.heat_limit([0.0]) == 0.01
    assert plots.cell_text(0.2238, Interval(0.1144, 0.3128)) == "0.22\n[0.11, 0.31]"
    assert plots.cell_text(None, None) == "n/a"


def test_unpaired_heat_map_cells_stay_blank():
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    image = plots.draw_heatmap(ax, ["rouge1", "rouge2"], ["coherence", "fluency"],
                               {("rouge1", "coherence"): (0.2, None), ("rouge2", "fluency"): (-0.1, None)}, 0.2)
    grid = image.get_array().reshape(2, 2)
    assert np.ma.getmaskarray(grid).tolist() == [[False, True], [True, False]]
    assert sorted(t.get_text() for t in ax.texts) == ["-0.10", "0.20"]  # nothing written in a blank cell


def test_system_axes_are_fitted_to_the_data(drawn):
    values, built = drawn
    board = values[1]
    for f in (f for f in built if f.name.startswith("systems-")):
        metric, stat = f.name.split("-")[1:]
        rows = [r for r in board.systems if (r.metric, r.stat) == (metric, stat)]
        lo = min(r.ci.lo if r.ci else r.mean for r in rows)
        hi = max(r.ci.hi if r.ci else r.mean for r in rows)
        x0, x1 = f.figure.axes[0].get_xlim()
        assert x0 <= lo and hi <= x1 and (x1 - x0) < 1.5 * (hi - lo) + 1e-9, (f.name, x0, x1, lo, hi)


def test_systems_in_rank_order_coloured_from_the_palette_with_the_top_cluster_marked(drawn):
    values, built = drawn
    board = values[1]
    f = next(f for f in built if f.name == "systems-rouge1-fmeasure")
    ax = f.figure.axes[0]
    rows = [r for r in board.systems if (r.metric, r.stat) == ("rouge1", "fmeasure")]
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.system for r in rows]
    bold = {t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"}
    assert bold == {r.system for r in board.top_cluster("rouge1", "fmeasure")}
    colours = {line.get_color().upper() for line in ax.lines}
    assert colours and colours <= OKABE_ITO
    assert set(plots.PALETTE) == OKABE_ITO


def test_distributions_list_systems_in_natural_order():
    """Systems named M0..M11 come as M0, M1, M2, ..., M10, M11 (not M0, M1, M10, M11, M2)."""
    systems = [f"M{i}" for i in (11, 2, 0, 10, 1)]
    samples = [{"id": f"d{d}/{s}", "candidate": "a", "n_references": 1, "metadata": {"system": s},
                "scores": {"rouge1": {"fmeasure": 0.1 * d}}} for s in systems for d in range(3)]
    record = {"metrics": {"rouge1": {"fmeasure": 0.1}}, "config": {"dataset": {"system_key": "system"}},
              "signatures": {"rouge1": "rouge1|x"}}
    f, = figures.distributions(_FakeRun(record, samples))
    assert [t.get_text() for t in f.figure.axes[0].get_xticklabels()] == ["M0", "M1", "M2", "M10", "M11"]


class _Summary:
    def __init__(self, signature):
        from bench.values import Facts

        self.primary, self.signature, self.facts = "fmeasure", signature, Facts(True, 0.0, 1.0, primary="fmeasure")


class _FakeRun:
    """What ``figures.distributions`` reads of a run: config, samples' metadata, per-item scores, summaries."""

    def __init__(self, record, samples):
        from bench.results.model import Sample

        self.config, self.name, self.run_key = record["config"], "fake", None
        self.samples = tuple(Sample.of(s) for s in samples)
        self.metrics = {m: _Summary(record["signatures"][m]) for m in record["metrics"]}

    def scores(self, metric, stat):
        return tuple(s.scores[metric][stat] for s in self.samples)


def test_a_run_without_a_system_key_gives_no_distribution(made):
    run = report_inputs.read(str(made["runs"][0])).value
    fake = _FakeRun({"config": {"dataset": {}}, "metrics": {}, "signatures": {}}, [])
    assert figures.distributions(fake) == [] and figures.distributions(run)


# --- bad folders and existing files: one line, nothing written ----------------------------------------------

def _refused(made, *args, cwd):
    proc = _cli.run("report", str(made["systems"]), *args, cwd=cwd)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bench: error: ") and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_a_figures_folder_that_is_a_file_is_refused(made, tmp_path):
    (tmp_path / "figs").write_text("not a folder")
    line = _refused(made, "--output", "r.html", "--figures", "figs", cwd=tmp_path)
    assert "--figures" in line and "not a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figs"]  # no report either


def test_a_figures_folder_inside_a_run_is_refused(made, tmp_path):
    run = made["runs"][0]
    before = sorted(p.name for p in run.iterdir())
    for target in (run, run / "figs"):
        line = _refused(made, "--output", str(tmp_path / "r.html"), "--figures", str(target), cwd=tmp_path)
        assert "inside the stored run" in line
    assert sorted(p.name for p in run.iterdir()) == before and not list(tmp_path.iterdir())


def test_existing_figure_files_are_replaced_only_with_force(made, drawn, tmp_path):
    figs = tmp_path / "figs"
    figs.mkdir()
    (figs / "systems-rouge1-fmeasure.png").write_bytes(b"mine")
    line = _refused(made, "--output", "r.html", "--figures", "figs", cwd=tmp_path)
    assert "systems-rouge1-fmeasure.png exists" in line and "--force" in line
    assert sorted(p.name for p in figs.iterdir()) == ["systems-rouge1-fmeasure.png"] and not (tmp_path / "r.html").exists()
    one = [f for f in drawn[1] if f.name == "systems-rouge1-fmeasure"]  # the library's write, one figure: fast
    with pytest.raises(BenchError, match="exists"):
        figures.write(figs, one)
    written = figures.write(figs, one, force=True)
    assert [p.name for p in written] == [f"systems-rouge1-fmeasure.{x}" for x in ("svg", "pdf", "png")]
    assert (figs / "systems-rouge1-fmeasure.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("created", [True, False])
def test_a_write_failing_midway_leaves_no_figure(drawn, tmp_path, monkeypatch, created):
    import errno
    import os

    figs = tmp_path / "figs"
    if not created:
        figs.mkdir()
        (figs / "mine.txt").write_text("kept")
    some = drawn[1][:2]
    encoded = [{fmt: f"{f.name}.{fmt}".encode() for fmt in figures.FORMATS} for f in some]
    targets = figures.plan(figs, some, False, "")
    calls = []
    real = os.fsync

    def full(fd):  # the disk fills up at the fourth file
        calls.append(fd)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(BenchError, match="No space left on device"):
        figures.put(figs, targets, encoded)
    assert not figs.exists() if created else sorted(p.name for p in figs.iterdir()) == ["mine.txt"]
    monkeypatch.setattr(os, "fsync", real)
    assert [p.name for p in figures.put(figs, targets, encoded)] == [t.name for t in targets]
    assert sorted(p.name for p in figs.iterdir()) == sorted([t.name for t in targets] + ([] if created else ["mine.txt"]))


def test_library_errors_name_no_flag(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(BenchError) as exc:
        figures.check_folder(tmp_path / "f")
    assert "--" not in str(exc.value)


def test_figure_sizes_are_a_column_or_a_page(drawn):
    for f in drawn[1]:
        width, height = f.size
        assert width in (figures.COLUMN, figures.PAGE) and 1.0 < height < 9.0, (f.name, f.size)
        assert not math.isnan(height)


def test_stems_are_safe_file_names():
    assert figures._stem("systems", "rouge 1/x", "f") == "systems-rouge-1-x-f"
    assert re.fullmatch(r"[A-Za-z0-9._-]+", figures._stem("correlations", "../..")) is not None


def test_inputs_without_a_paper_figure_say_so_and_make_no_folder(made, tmp_path):
    proc = _cli.run("report", str(made["check"]), "--output", "r.html", "--figures", "figs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "no figure for a paper in these inputs" in proc.stderr
    assert (tmp_path / "r.html").is_file() and not (tmp_path / "figs").exists()
