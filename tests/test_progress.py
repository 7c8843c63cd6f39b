"""Progress: a bar on a terminal, periodic plain lines elsewhere, always on stderr, never on stdout."""

import io
import sys

from bench import progress


def test_plain_lines_on_stderr_when_not_a_terminal(monkeypatch, capsys):
    monkeypatch.setenv("BENCH_PROGRESS_INTERVAL", "0")
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setattr(progress, "_is_tty", lambda: False)
    with progress.stage("rouge", 4) as bar:
        for _ in range(4):
            bar.update(1)
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("bench: rouge: 1/4 items (25%), ") and "items/s" not in lines[0] and "item/s, ETA" in lines[0]
    assert lines[-1].startswith("bench: rouge: 4 items in ") and "\r" not in err


def test_quiet_for_short_stages_and_when_disabled(monkeypatch, capsys):
    monkeypatch.setattr(progress, "_is_tty", lambda: False)
    with progress.stage("rouge", 3) as bar:  # default interval 10 s: a short stage prints nothing
        bar.update(3)
    monkeypatch.setenv("BENCH_PROGRESS", "0")
    monkeypatch.setenv("BENCH_PROGRESS_INTERVAL", "0")
    with progress.stage("rouge", 3) as bar:
        bar.update(3)
    assert capsys.readouterr() == ("", "")


def test_a_terminal_gets_a_tqdm_bar_on_stderr(monkeypatch):
    fake = io.StringIO()
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setattr(progress, "_is_tty", lambda: True)
    monkeypatch.setattr(sys, "stderr", fake)
    with progress.stage("bertscore: embedding", 10, unit="text") as bar:
        bar.update(10)
    assert "bertscore: embedding" in fake.getvalue() and "text" in fake.getvalue()
