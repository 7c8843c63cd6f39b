"""The response cache: answers by key, atomic, validated on read; damage is a miss, never a number."""

from __future__ import annotations

import json

import pytest

from bench.metrics.judge.cache import ResponseCache
from bench.metrics.judge.types import Answer

PARTS = {"format": "1", "identity": {"backend": "openai", "model": "m"}, "messages": [{"role": "user", "content": "x"}],
         "labels": ["1", "2"], "params": {"scoring": "logprobs"}}
ANSWER = Answer(("2",), {"1": 0.25, "2": 0.5}, 12, 1, "fp_1")


def test_an_answer_comes_back_exactly_and_only_for_its_own_key(tmp_path):
    cache = ResponseCache(tmp_path)
    assert cache.get(PARTS) is None
    cache.put(PARTS, ANSWER)
    assert cache.get(PARTS) == ANSWER
    assert cache.get({**PARTS, "params": {"scoring": "sample", "n": 2}}) is None
    assert (cache.hits, cache.misses, cache.damaged) == (1, 2, 0)
    (entry,) = tmp_path.rglob("*.json")
    assert json.loads(entry.read_text())["key"] == PARTS  # the parts are stored, so a renamed file is a miss


@pytest.mark.parametrize("damage", [
    lambda t: t[: len(t) // 2],
    lambda t: t.replace('"format": "1"', '"format": "0"'),
    lambda t: t.replace('"prompt_tokens": 12', '"prompt_tokens": -1'),
    lambda t: t.replace('"2": 0.5', '"2": 1.5'),
    lambda t: t.replace('"texts": ["2"]', '"texts": []'),
    lambda t: t.replace('"content": "x"', '"content": "y"'),  # a file under another request's name
    lambda t: "\udcff",
])
def test_a_damaged_entry_is_a_counted_miss_and_is_replaced(tmp_path, damage):
    cache = ResponseCache(tmp_path)
    cache.put(PARTS, ANSWER)
    (entry,) = tmp_path.rglob("*.json")
    entry.write_text(damage(entry.read_text()), encoding="utf-8", errors="surrogateescape")
    assert cache.get(PARTS) is None and cache.damaged == 1
    cache.put(PARTS, ANSWER)
    assert cache.get(PARTS) == ANSWER


def test_an_unwritable_cache_costs_only_the_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ResponseCache(blocker / "judge")
    cache.put(PARTS, ANSWER)  # no error: the answer is simply not kept
    assert cache.get(PARTS) is None
