"""`bench report` through the CLI: writes the HTML beside the input and prints its path; one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def made(tmp_path_factory, bench_main, toy_store):
    """A ROUGE-only seed run and a passing `bench check --format json` of it against its own baseline
    (a copy of the session's toy store: reports are written beside the inputs)."""
    store = toy_store.copy_to(tmp_path_factory.mktemp("report-cli"))
    tmp, run = store.root, store.seed
    proc = bench_main("check", str(run), "--baseline", str(tmp / "base.json"), "--format", "json", cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    (tmp / "check.json").write_text(proc.stdout)
    (tmp / "notes.txt").write_text("hello")
    return {"tmp": tmp, "runs": [run], "check": tmp / "check.json", "bogus": tmp / "notes.txt"}


def test_report_cli_writes_and_prints_the_path(made, bench_main):
    proc = bench_main("report", *map(str, made["runs"]), str(made["check"]), cwd=made["tmp"])
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path.suffix == ".html" and path.parent.name == "analyses" and path.with_suffix(".json").is_file()
    assert "<svg " in path.read_text()
    out = made["tmp"] / "out" / "summary.md"
    proc = bench_main("report", str(made["check"]), "--format", "markdown", "--output", str(out), cwd=made["tmp"])
    assert proc.returncode == 0 and out.read_text().startswith("# bench report: seed (check)")
    proc = bench_main("report", str(made["check"]), "--format", "markdown", "--output", "-", cwd=made["tmp"])
    assert proc.returncode == 0 and proc.stdout.startswith("# bench report")


def test_report_errors_are_one_line(made, bench_main):
    bogus = made["bogus"]  # exists, but is no run, artefact or check result
    for args in ([str(made["tmp"] / "missing")], [str(bogus)]):
        proc = bench_main("report", *args, cwd=made["tmp"])
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("bench: error: "), proc.stderr
        assert "; pass run directories" in lines[0]
    proc = bench_main("report", str(made["check"]), "--format", "pdf", cwd=made["tmp"])
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_the_output_suffix_picks_the_format_and_a_contradicting_format_is_refused(made, bench_main):
    out = made["tmp"] / "suffix"
    for name, start in (("r.md", "# bench report"), ("r.html", "<!DOCTYPE html>"), ("r.htm", "<!DOCTYPE html>"),
                        ("r.txt", "<!DOCTYPE html>")):  # no format of its own: html, the default
        proc = bench_main("report", str(made["check"]), "--output", str(out / name), cwd=made["tmp"])
        assert proc.returncode == 0 and (out / name).read_text().startswith(start), (name, proc.stderr)
    for name, fmt in (("x.md", "html"), ("x.HTML", "markdown")):
        proc = bench_main("report", str(made["check"]), "--output", str(out / name), "--format", fmt, cwd=made["tmp"])
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith(f"bench: error: --output {out / name} "
                                                                                 f"names a "), proc.stderr
        assert f"but --format {fmt} was given; drop --format" in lines[0] and not (out / name).exists()
