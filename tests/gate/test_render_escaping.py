"""The gate's Markdown summary and JUnit XML with hostile names: every table keeps its shape, each name
reads back as itself, no raw HTML passes, and the XML parses (xml.etree) with each name intact.

Names hold `|`, a line break, `\\r`, backticks, `<`, `&` and `]]>` (and, for XML, a character XML 1.0
forbids). The expected cells are the names themselves with each line break as a space, never text made
by bench.text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from bench.gate import compare, render
from bench.gate.compare import CheckSpec, Side
from bench.results.model import Inputs, MetricSummary
from bench.values import Facts, Stats

ODD = "a|b\nc\rd`e``f<b>g&amp;h]]>i*j_k_ [l](http://x) ~~m~~ #1"
NAMES = [f"{ODD} one", f"`two|{ODD}`", f"three\r\n{ODD}\x0b"]
ROUGE = Facts(True, 0.0, 1.0, primary="fmeasure", min_effect=0.005)
SIG = "m|engine:rouge-score-rs@0.2.1|tok:default|stem:porter|refs:max|nrefs:1|inputs:aaaa|bench:0.1.0"


def _side(shift: float) -> Side:
    n = 40
    ids = tuple(f"i{k}" for k in range(n))
    metrics, sigs, cols = {}, {}, {}
    for m in NAMES:
        values = tuple(0.3 + 0.01 * (k % 10) + shift for k in range(n))
        metrics[m] = MetricSummary(m, Stats({"fmeasure": sum(values) / n}), ROUGE, SIG)
        sigs[m] = SIG
        cols[m] = {"fmeasure": values}
    return Side(metrics, sigs, Inputs(n, "sha256:all-c", "sha256:r", "sha256:c"), ids, cols)


def _report():
    report = compare.check("x", _side(0.0), _side(-0.2), CheckSpec())
    assert report.status == compare.REGRESSION  # every metric dropped by 0.2 on the same candidates
    return replace(report, experiment=f"exp {ODD}", baseline=f"base/{ODD}.json", notes=(f"note {ODD}",))


def cells(line: str) -> list[str]:
    """A GitHub table row's cells as a reader sees them: split on each `|` not escaped (GFM, also inside
    code spans), each backslash escape of ASCII punctuation undone, code spans' backticks dropped."""
    assert line.startswith("|") and line.endswith("|"), line
    out, cur, k, body = [], "", 0, line[1:-1]
    while k < len(body):
        if body[k] == "\\" and k + 1 < len(body):
            cur, k = cur + body[k:k + 2], k + 2
        elif body[k] == "|":
            out, cur, k = out + [cur], "", k + 1
        else:
            cur, k = cur + body[k], k + 1
    return [read_inline(c.strip()) for c in [*out, cur]]


def read_inline(text: str) -> str:
    """Markdown inline text as it renders: a code span's content as is (`\\|` a pipe, in a table), plain
    text with CommonMark's backslash escapes of ASCII punctuation undone."""
    m = re.fullmatch(r"(`+)(.*?)\1", text)
    if m:
        body = m.group(2).replace("\\|", "|")
        return body[1:-1] if body.startswith(" ") and body.endswith(" ") and body.strip() else body
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def flat(name: str) -> str:
    """What a one-line rendering shows of a name: every line break or control character a space."""
    return re.sub(r"\r\n|[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]", " ", name)


def raw_html(text: str) -> list[str]:
    """The raw HTML tags a Markdown renderer would pass: `<` then a letter, `/`, `!` or `?`, not escaped and
    outside fenced code blocks and code spans (whose content is shown literally)."""
    outside = re.sub(r"^(`{3,})[^\n]*\n.*?^\1[ \t]*$", "", text, flags=re.M | re.S)
    outside = re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", outside)
    return re.findall(r"(?<!\\)<[A-Za-z/!?][^>\n]*", outside)


def test_markdown_tables_keep_their_shape_and_names():
    text = render.markdown(_report())
    rows = [line for line in text.splitlines() if line.startswith("|")]
    header = cells(rows[0])
    assert header == render.HEADER
    body = [cells(r) for r in rows[2:]]
    assert all(len(r) == len(header) for r in body), rows
    assert sorted(r[0] for r in body) == sorted(flat(n).strip() for n in NAMES)  # GFM trims each cell
    assert {r[6] for r in body} == {"**regression**"}  # the verdict, bold where it regressed
    assert raw_html(text) == [], text
    assert "\r" not in text


def test_markdown_headline_baseline_and_notes_read_back():
    text = render.markdown(_report())
    lines = text.splitlines()
    head = re.fullmatch(r"### \S+ bench check (`+ ?.*? ?`+): \*\*regression\*\*", lines[0])
    assert head and read_inline(head.group(1)) == flat(f"exp {ODD}")
    base = re.fullmatch(r"Baseline: (`+.*`+)", lines[2])
    assert base and read_inline(base.group(1)) == flat(f"base/{ODD}.json")
    (note,) = [line for line in lines if line.startswith("- note: note")]
    assert read_inline(note[len("- note: "):]) == flat(f"note {ODD}")


def test_an_incomparable_summary_escapes_its_problems():
    report = replace(_report(), status=compare.INCOMPARABLE, problems=(f"problem {ODD}",), stats=())
    text = render.markdown(report)
    (line,) = [x for x in text.splitlines() if x.startswith("- **incomparable**: ")]
    assert read_inline(line[len("- **incomparable**: "):]) == flat(f"problem {ODD}")
    assert raw_html(text) == []


def _xml_safe(name: str) -> str:
    return name.replace("\x0b", "\ufffd")  # not allowed in XML 1.0, even as a reference


def test_junit_parses_with_every_name_intact():
    report = _report()
    root = ET.fromstring(render.junit(report).encode("utf-8"))
    assert root.get("name") == f"bench check exp {ODD}"
    cases = root.findall("testcase")
    assert sorted(c.get("name") for c in cases) == sorted(_xml_safe(n) for n in NAMES)
    for case in cases:
        assert case.get("classname") == f"bench.exp {ODD}"
        failure = case.find("failure")
        assert failure.get("message").startswith(f"{case.get('name')} regressed: ")
        assert case.find("system-out").text.startswith("fmeasure: 0.345 -> 0.145 (-0.2) regression")
    assert root.get("failures") == "3"


def test_junit_of_an_incomparable_check_parses():
    report = replace(_report(), status=compare.INCOMPARABLE, problems=(f"problem {ODD}\x00",), stats=())
    root = ET.fromstring(render.junit(report).encode("utf-8"))
    (case,) = root.findall("testcase")
    assert case.find("error").get("message") == f"problem {ODD}\ufffd"
