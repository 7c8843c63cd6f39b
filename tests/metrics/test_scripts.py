"""bench.metrics.scripts: a one-language model is flagged only when most letters are in another script."""

from __future__ import annotations

import pytest

from bench.metrics.scripts import mismatch

ZH = "法国和阿尔及利亚同意恢复安全合作"


@pytest.mark.parametrize("model, texts, script", [
    ("all-MiniLM-L6-v2", [ZH, "France"], "Han"),
    ("sentence-transformers/all-MiniLM-L6-v2", ["Привет, мир"], "Cyrillic"),
    ("all-MiniLM-L6-v2", ["東京へ行きました"], "Hiragana"),  # 5 kana, 3 kanji: the larger names it
    ("all-MiniLM-L6-v2", ["The cat sat.", "Müller über Straße, Nuñez"], None),  # accents are Latin
    ("all-MiniLM-L6-v2", [ZH, "France and Algeria agreed to restore security cooperation"], None),  # not most
    ("all-MiniLM-L6-v2", ["1234 !!"], None),  # no letters at all
    ("bert-base-multilingual-cased", [ZH], None),  # no single language declared: nothing to check
])
def test_mismatch(model, texts, script):
    found = mismatch(model, texts)
    assert (found.script if found else None) == script
    if found:
        assert found.language == "English" and found.expected == "Latin" and 0.5 < found.share <= 1.0


def test_share_counts_each_unique_text_once():
    once = mismatch("all-MiniLM-L6-v2", [ZH, "ab"])
    assert mismatch("all-MiniLM-L6-v2", [ZH, "ab", "ab", ZH]) == once
    assert once.share == pytest.approx(len(ZH) / (len(ZH) + 2))
