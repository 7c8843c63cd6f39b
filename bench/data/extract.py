"""Candidate extraction: turn a raw candidate document into the text to score.

The seed rewrite (``seeds/001_*.txt``) is a web page: a title line, page chrome
("Total Views : 10", "Zoom In Zoom Out Read Later Print"), then a short summary
paragraph, then the article body. The default rule returns that summary
paragraph. Two explicit overrides exist for other layouts: a block index and a
regular expression. Every path fails loudly when nothing matches: scoring the
wrong text is worse than not scoring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bench.errors import BenchError, unknown_choice

DEFAULT_CHROME = (
    r"^Total Views\s*:\s*\d+$",
    r"^Zoom In Zoom Out Read Later Print$",
)
# A summary paragraph is prose: it ends like a sentence and is longer than a headline.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
MIN_PROSE_WORDS = 8


@dataclass(frozen=True)
class ExtractSpec:
    """How to cut the candidate out of its raw text (``dataset.extract`` in the config)."""

    rule: str = "none"  # none | summary_paragraph
    block_index: int | None = None  # explicit override: the N-th non-empty block (0-based)
    regex: str | None = None  # explicit override: first match (group 1 if the pattern has groups)
    chrome: tuple[str, ...] = field(default=DEFAULT_CHROME)

    def describe(self) -> str:
        """Canonical text for signatures: which extraction produced the candidate."""
        if self.regex is not None:
            return f"regex:{self.regex}"
        if self.block_index is not None:
            return f"block:{self.block_index}"
        return self.rule


def blocks(text: str) -> list[str]:
    """Non-empty blocks separated by blank lines, stripped."""
    parts = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    return [p.strip() for p in parts if p.strip()]


def _drop_chrome(block: str, chrome: list[re.Pattern[str]]) -> str:
    # Line by line: chrome is not always set off by blank lines from the title or the summary.
    lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
    return "\n".join(ln for ln in lines if not any(p.search(ln) for p in chrome))


def _is_prose(block: str) -> bool:
    return len(block.split()) >= MIN_PROSE_WORDS and bool(_SENTENCE_END.search(block))


def summary_paragraph(text: str, chrome_patterns: tuple[str, ...] = DEFAULT_CHROME) -> str:
    """The first prose block after the title and the page chrome.

    Chrome lines are dropped wherever they are; the first remaining block is
    the title whatever it looks like; the answer is the first block after it
    that reads as prose (ends like a sentence, at least MIN_PROSE_WORDS words).
    """
    chrome = [_compile(p, "dataset.extract.chrome") for p in chrome_patterns]
    kept = [b for b in (_drop_chrome(block, chrome) for block in blocks(text)) if b]
    for block in kept[1:]:
        if _is_prose(block):
            return block
    raise BenchError(
        "no summary paragraph found after the title and page chrome",
        "set dataset.extract.block_index=N or dataset.extract.regex=PATTERN",
    )


def _compile(pattern: str, option: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE | re.DOTALL)
    except re.error as exc:
        raise BenchError(f"{option}={pattern!r} is not a valid regular expression ({exc})", "fix the pattern") from None


RULES = ("none", "summary_paragraph")


def check_spec(spec: ExtractSpec) -> None:
    """Fail on a bad extraction option before any data is loaded."""
    if spec.rule not in RULES:
        raise unknown_choice("extraction rule (dataset.extract.rule)", spec.rule, RULES)
    if spec.regex is not None:
        _compile(spec.regex, "dataset.extract.regex")
    for pattern in spec.chrome:
        _compile(pattern, "dataset.extract.chrome")


def extract(text: str, spec: ExtractSpec) -> str:
    """Apply ``spec`` to ``text``; explicit overrides win over the rule."""
    if spec.regex is not None and spec.block_index is not None:
        raise BenchError(
            "dataset.extract.regex and dataset.extract.block_index are both set",
            "set only one of them",
        )
    if spec.regex is not None:
        match = _compile(spec.regex, "dataset.extract.regex").search(text)
        if match is None:
            raise BenchError(f"dataset.extract.regex={spec.regex!r} matches nothing", "fix the pattern")
        found = match.group(1) if match.re.groups else match.group(0)
        if found is None or not found.strip():
            raise BenchError(f"dataset.extract.regex={spec.regex!r} matched empty text", "fix the pattern")
        return found.strip()
    if spec.block_index is not None:
        found_blocks = blocks(text)
        if not -len(found_blocks) <= spec.block_index < len(found_blocks):
            raise BenchError(
                f"dataset.extract.block_index={spec.block_index} is out of range ({len(found_blocks)} blocks)",
                f"use an index from 0 to {len(found_blocks) - 1}",
            )
        return found_blocks[spec.block_index]
    if spec.rule == "summary_paragraph":
        return summary_paragraph(text, spec.chrome)
    if spec.rule == "none":
        return text
    raise unknown_choice("extraction rule (dataset.extract.rule)", spec.rule, ["none", "summary_paragraph"])
