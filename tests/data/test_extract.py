"""bench.data.extract: the seed rewrite's summary paragraph, the explicit overrides, and loud failures.

The layouts below are the real seed 001 text, re-arranged: chrome moved around,
glued to its neighbours, CRLF line endings. Whatever the layout, the answer is
the summary paragraph and never the title or page chrome.
"""

from __future__ import annotations

import pytest
from pathlib import Path

from bench.data.extract import ExtractSpec, blocks, extract, summary_paragraph
from bench.errors import BenchError

ROOT = Path(__file__).resolve().parents[2]  # the checkout (tests/conftest.py's ROOT; not imported: other conftest modules shadow the name)

SEED_001 = ROOT / "seeds" / "001_2b5b015d8d3b2a6c.txt"
RAW = SEED_001.read_text(encoding="utf-8")
LINES = RAW.split("\n")
TITLE, VIEWS, ZOOM, SUMMARY = LINES[0], LINES[2], LINES[3], LINES[5]
BODY = "\n".join(LINES[7:])
CHROME_MARKERS = ("Total Views", "Zoom In Zoom Out Read Later Print")
RULE = ExtractSpec(rule="summary_paragraph")


def test_seed_001_has_the_layout_these_tests_assume():
    # If the seed changes shape, the layout table below is meaningless: fail here first.
    assert TITLE.startswith("France and Algeria Resume High-Level Security Cooperation")
    assert (LINES[1], LINES[4], LINES[6]) == ("", "", "")
    assert VIEWS == "Total Views : 10"
    assert ZOOM == "Zoom In Zoom Out Read Later Print"
    assert SUMMARY.startswith("France and Algeria have agreed to resume")
    assert BODY.startswith("France and Algeria have agreed to resume high-level security cooperation, signaling")


def test_seed_001_default_rule_is_exactly_the_summary_paragraph():
    got = extract(RAW, RULE)
    assert got == SUMMARY
    assert got.startswith("France and Algeria have agreed to resume")
    assert got.endswith("Christophe Gleizes.")
    assert "\n" not in got


def test_seed_experiment_config_extracts_the_summary_paragraph(run_config):
    # The composed default config (dataset=seed) must select the summary rule, not `none`.
    from bench.pipeline import prepare

    (item,) = prepare(run_config())
    assert item.candidate == SUMMARY


LAYOUTS = {
    "as-shipped": RAW,
    "crlf": RAW.replace("\n", "\r\n"),
    "chrome-own-blocks": f"{TITLE}\n\n{VIEWS}\n\n{ZOOM}\n\n{SUMMARY}\n\n{BODY}",
    "chrome-in-title-block": f"{TITLE}\n{VIEWS}\n{ZOOM}\n\n{SUMMARY}\n\n{BODY}",
    "chrome-glued-above-summary": f"{TITLE}\n\n{VIEWS}\n{ZOOM}\n{SUMMARY}\n\n{BODY}",
    "chrome-glued-below-summary": f"{TITLE}\n\n{SUMMARY}\n{VIEWS}\n{ZOOM}\n\n{BODY}",
    "chrome-split-around-summary": f"{TITLE}\n\n{VIEWS}\n{SUMMARY}\n{ZOOM}\n\n{BODY}",
    "chrome-before-title": f"{VIEWS}\n{ZOOM}\n\n{TITLE}\n\n{SUMMARY}\n\n{BODY}",
    "chrome-before-title-with-period":
        f"{VIEWS}\n\n{ZOOM}\n\n{TITLE} and a Headline That Ends Like a Sentence.\n\n{SUMMARY}\n\n{BODY}",
    "chrome-after-summary": f"{TITLE}\n\n{SUMMARY}\n\n{ZOOM}\n\n{VIEWS}\n\n{BODY}",
    "chrome-reordered": f"{TITLE}\n\n{ZOOM}\n{VIEWS}\n\n{SUMMARY}\n\n{BODY}",
    "other-view-count": RAW.replace(VIEWS, "Total Views:12345"),
    "blank-lines-with-spaces": f"{TITLE}  \n \t\n\n{VIEWS}\t\n  {ZOOM}\n\t\n{SUMMARY}\n\n\n{BODY}",
    "crlf-chrome-glued-above": f"{TITLE}\n\n{VIEWS}\n{ZOOM}\n{SUMMARY}\n\n{BODY}".replace("\n", "\r\n"),
    "crlf-chrome-before-title": f"{VIEWS}\n{ZOOM}\n\n{TITLE}\n\n{SUMMARY}\n\n{BODY}".replace("\n", "\r\n"),
}


@pytest.mark.parametrize("text", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_summary_paragraph_whatever_the_layout(text):
    got = extract(text, RULE)
    assert got == SUMMARY
    assert TITLE not in got
    for marker in CHROME_MARKERS:
        assert marker not in got
    assert "\r" not in got


@pytest.mark.parametrize(
    "spec, expected",
    [
        (ExtractSpec(rule="none"), RAW),
        (ExtractSpec(rule="none", block_index=2), SUMMARY),  # blocks: title, chrome, summary, ...
        (ExtractSpec(rule="summary_paragraph", block_index=0), TITLE),  # the override wins over the rule
        (ExtractSpec(rule="summary_paragraph", block_index=1), f"{VIEWS}\n{ZOOM}"),
        (ExtractSpec(rule="summary_paragraph", block_index=-1), blocks(RAW)[-1]),
        (ExtractSpec(regex=r"^(France and Algeria have agreed.*?Gleizes\.)$"), SUMMARY),
        (ExtractSpec(regex=r"Total Views\s*:\s*\d+"), VIEWS),  # no group: the whole match
        (ExtractSpec(rule="summary_paragraph", regex=r"^(.*?)$"), TITLE),  # regex wins; group 1, stripped
        (ExtractSpec(regex=r"Zoom In (Zoom Out) Read"), "Zoom Out"),
    ],
    ids=["none", "block-2", "block-0-over-rule", "block-1", "block-last", "regex-group", "regex-whole",
         "regex-over-rule", "regex-inner-group"],
)
def test_explicit_overrides(spec, expected):
    assert extract(RAW, spec) == expected


def test_block_index_sees_crlf_blocks_like_lf_blocks():
    assert blocks(RAW.replace("\n", "\r\n")) == blocks(RAW)
    assert extract(RAW.replace("\n", "\r\n"), ExtractSpec(block_index=2)) == SUMMARY


@pytest.mark.parametrize(
    "spec, expected",
    [
        (ExtractSpec(), "none"),
        (ExtractSpec(rule="summary_paragraph"), "summary_paragraph"),
        (ExtractSpec(rule="summary_paragraph", block_index=2), "block:2"),
        (ExtractSpec(regex="a(b)"), "regex:a(b)"),
    ],
)
def test_describe(spec, expected):
    assert spec.describe() == expected


ERRORS = [
    ("no-prose", "Title\n\nTotal Views : 3\n\nshort line\n\nno full stop here either at all ok", RULE,
     "no summary paragraph found"),
    ("title-only", "A title that reads like a complete sentence of prose here.", RULE, "no summary paragraph found"),
    ("chrome-only", f"{TITLE}\n\n{VIEWS}\n\n{ZOOM}", RULE, "no summary paragraph found"),
    ("empty", "", RULE, "no summary paragraph found"),
    ("regex-no-match", RAW, ExtractSpec(regex=r"^Breaking news:"), "matches nothing"),
    ("regex-empty-match", RAW, ExtractSpec(regex=r"(\s*)Total Views"), "matched empty text"),
    ("bad-regex", RAW, ExtractSpec(regex=r"(unclosed"), "dataset.extract.regex='(unclosed' is not a valid regular"),
    ("bad-chrome", RAW, ExtractSpec(rule="summary_paragraph", chrome=("[",)), "dataset.extract.chrome='[' is not a valid"),
    ("index-too-big", RAW, ExtractSpec(block_index=99), "block_index=99 is out of range"),
    ("index-too-small", RAW, ExtractSpec(block_index=-99), "block_index=-99 is out of range"),
    ("index-on-empty", "   \n\n  ", ExtractSpec(block_index=0), "out of range (0 blocks)"),
    ("both-overrides", RAW, ExtractSpec(block_index=2, regex="x"), "regex and dataset.extract.block_index are both set"),
    ("unknown-rule", RAW, ExtractSpec(rule="summary-paragraph"),
     "did you mean 'summary_paragraph'? valid choices: none, summary_paragraph"),
]


@pytest.mark.parametrize("text, spec, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_extraction_fails_loudly(text, spec, message):
    with pytest.raises(BenchError) as info:
        extract(text, spec)
    assert message in str(info.value)
    assert info.value.fix  # every error says how to fix it


def test_custom_chrome_patterns_replace_the_default():
    # With no chrome patterns the chrome block is just a short non-prose block: still skipped.
    assert summary_paragraph(RAW, chrome_patterns=()) == SUMMARY
    # A custom pattern can remove the page's own boilerplate line glued to the summary.
    text = f"{TITLE}\n\nAdvertisement\n{SUMMARY}\n\n{BODY}"
    assert summary_paragraph(text, chrome_patterns=(r"^Advertisement$",)) == SUMMARY


def test_block_index_override_through_the_config(run_config):
    from bench.pipeline import prepare

    (item,) = prepare(run_config("dataset.extract.rule=none", "dataset.extract.block_index=2"))
    assert item.candidate == SUMMARY
    (item,) = prepare(run_config(r"dataset.extract.regex='Total Views\s*:\s*\d+'"))
    assert item.candidate == VIEWS
