"""Hostile names through every Markdown and HTML writer of runs and analyses: `bench systems`, `compare` and
`meta --format markdown`, and `bench report` (Markdown and HTML) of a run, its leaderboard, its
meta-evaluation and a check against a baseline whose path is hostile too.

Each name holds `|`, a line break, `\\r`, backticks, `<`, `&`, `]]>` and an `<img onerror>`; each table
must keep its shape (every row as many cells as its header), each name read back as itself (line breaks
as spaces), and no raw HTML pass (the HTML parsed: no element a name could have made).
"""

from __future__ import annotations

import html.parser
import random
import re
from pathlib import Path

import pytest

from tests.gate.test_render_escaping import cells, flat, raw_html

IMG = "<img src=x onerror=alert(1)>"
ODD = f"a|b\nc\rd`e``f<b>g&h]]>{IMG}"
SYSTEMS = [f"s1 {ODD}", f"`s2|{ODD}`", f"s3\r\n{ODD}*"]
HUMAN = "q|u`a<b>&]]>\rl"
LABELS = ["r1 |`<i>&]]>", "r2 `x`|<b>"]


@pytest.fixture(scope="module")
def odd(tmp_path_factory, bench_main):
    """Two saved runs with hostile ids, systems, texts and a hostile human field; analyses stored beside."""
    import bench

    tmp = tmp_path_factory.mktemp("odd-names")
    n_docs = 6
    cands, refs, ids, systems, docs, meta = [], [], [], [], [], []
    words = "the cat sat on a mat while dogs ran far away from home".split()
    for d in range(n_docs):
        ref = " ".join(words[(d + k) % len(words)] for k in range(8))
        for s, name in enumerate(SYSTEMS):
            pick = random.Random(10 * d + s)  # scores differ by item and system
            cands.append(" ".join(pick.sample(words, 5 + pick.randrange(4))) + f" {IMG}")
            refs.append(ref)
            ids.append(f"{ODD} d{d}/s{s}")
            systems.append(name)
            docs.append(f"doc{d}")
            meta.append({HUMAN: float(3 - s + (d % 3) * 0.5)})
    runs = []
    # scores vary by item and system (a zero-width interval would test the plots, not the escaping)
    for stem in (True, False):
        run = bench.score(cands, refs, ids=ids, systems=systems, documents=docs, metadata=meta, name="odd",
                          ci={"resamples": 20}, group_by="system", rouge={"use_stemmer": stem})
        runs.append(Path(bench.save(run, tmp / "results")))
    base = tmp / "base `x`|<i>&]]>\n.json"
    assert bench_main("baseline", runs[0], "--output", base, cwd=tmp).returncode == 0
    return {"tmp": tmp, "runs": runs, "base": base}


def _tables(text: str) -> list[list[list[str]]]:
    """Each GitHub table of ``text`` as its rows' cells (header first, the delimiter row dropped)."""
    out, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            out.append([cells(r) for i, r in enumerate(current) if i != 1])
            current = []
    return out


def _shaped(text: str) -> list[list[list[str]]]:
    tables = _tables(text)
    assert tables, text
    for t in tables:
        assert all(len(row) == len(t[0]) for row in t), t
    allowed = {"<details>", "<summary>", "</summary>", "</details>"}  # the report's folded long tables
    assert [t for t in raw_html(text) if t.split(">")[0] + ">" not in allowed] == [], text
    assert "\r" not in text
    return tables


def _cells(tables) -> set[str]:
    return {c for t in tables for row in t for c in row}


def _ok(proc):
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_systems_markdown(odd, bench_main):
    text = _ok(bench_main("systems", odd["runs"][0], "--resamples", "20", "--ci-resamples", "20",
                          "--format", "markdown", "--no-save", cwd=odd["tmp"]))
    found = _cells(_shaped(text))
    assert {flat(s).strip() for s in SYSTEMS} <= found


def test_compare_markdown(odd, bench_main):
    text = _ok(bench_main("compare", *odd["runs"], "--names", ",".join(LABELS), "--resamples", "20",
                          "--format", "markdown", "--no-save", cwd=odd["tmp"]))
    tables = _shaped(text)
    assert [row[0] for row in tables[0][1:]] == [flat(x).strip() for x in LABELS]


def test_meta_markdown(odd, bench_main):
    text = _ok(bench_main("meta", odd["runs"][0], "--human", HUMAN, "--resamples", "10", "--test-resamples", "10",
                          "--format", "markdown", "--no-save", cwd=odd["tmp"]))
    tables = _shaped(text)
    assert all(t[0][1] == flat(HUMAN).strip() for t in tables)  # the human field heads each table


@pytest.fixture(scope="module")
def inputs(odd, bench_main):
    """The run, its stored leaderboard and meta-evaluation, and a check JSON against the hostile baseline."""
    def stored(proc) -> str:
        assert proc.returncode == 0, proc.stderr
        return proc.stderr.strip().splitlines()[-1].split(" at ")[-1]

    run, tmp = odd["runs"][0], odd["tmp"]
    systems = stored(bench_main("systems", run, "--resamples", "20", "--ci-resamples", "20", "--format", "json",
                                cwd=tmp))
    meta = stored(bench_main("meta", run, "--human", HUMAN, "--resamples", "200", "--test-resamples", "10",
                             "--format", "json", cwd=tmp))
    check = tmp / "check.json"
    proc = bench_main("check", run, "--baseline", odd["base"], "--format", "json", "--output", check, cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    return [str(run), systems, meta, str(check)]


def test_report_markdown(odd, inputs, bench_main):
    text = _ok(bench_main("report", *inputs, "--format", "markdown", "--output", "-", cwd=odd["tmp"]))
    found = _cells(_shaped(text))
    assert {flat(s).strip() for s in SYSTEMS} <= found  # leaderboard rows and group rows
    assert flat(HUMAN).strip() in found
    # the check's baseline path, in its summary's code span, reads back whole
    (verdict,) = [line for line in text.splitlines() if line.startswith("Verdict **")]
    spans = re.findall(r"(`+) ?(.*?) ?\1(?!`)", verdict)
    assert flat(str(odd["base"])) in [s for _, s in spans], verdict


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.scripts = set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "script":
            self.scripts.append(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_report_html(odd, inputs, bench_main):
    text = _ok(bench_main("report", *inputs, "--format", "html", "--output", "-", cwd=odd["tmp"]))
    parsed = _Elements()
    parsed.feed(text)
    assert not parsed.tags & {"img", "b", "i"}, parsed.tags
    # the only scripts are the item browser's: its JSON data block and its code (names reach it as JSON data,
    # `<` written as \u003c; tests/report/test_item_browser.py shows them as text in Chromium)
    assert parsed.scripts == [[("type", "application/json"), ("id", "ib-data")], []], parsed.scripts
    data = "".join(parsed.text)
    for name in [*SYSTEMS, HUMAN]:  # every name shown as itself, markup characters included
        assert name.replace("\r\n", "\n").replace("\r", "\n") in data.replace("\r\n", "\n").replace("\r", "\n")
    assert f"against {odd['base']}:" in data  # the baseline path, backticks and all, in its code span
