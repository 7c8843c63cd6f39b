"""bench.hints: the library names options as Python keywords; a caller's formatter replaces that inside
``using`` and is restored after (also when the block raises)."""

from __future__ import annotations

import pytest

from bench import hints
from bench.cli import override


def test_the_library_writes_the_keyword_bench_score_takes():
    assert hints.option("rouge", "tokenizer", "unicode") == 'rouge={"tokenizer": "unicode"}'
    assert hints.option("bertscore", "layer", 4) == 'bertscore={"layer": 4}'


def test_the_cli_installs_its_override_syntax_and_it_is_restored():
    with hints.using(override):
        assert hints.option("rouge", "tokenizer", "unicode") == "metrics.rouge.tokenizer=unicode"
    assert hints.option("rouge", "tokenizer", "unicode") == 'rouge={"tokenizer": "unicode"}'
    with pytest.raises(RuntimeError), hints.using(override):
        raise RuntimeError
    assert hints.option("rouge", "tokenizer", "unicode").startswith("rouge=")
