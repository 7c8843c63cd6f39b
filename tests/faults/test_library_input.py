"""Bad library input raises bench.BenchError (one line, no CLI vocabulary), never a bare Python error,
and never a silently wrong result (issue 17, "Library")."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.faults


def _score(*args, **kwargs):
    import bench

    return bench.score(*args, **kwargs)


BAD = {
    "none_reference": lambda: _score(["a b c"], [None]),
    "none_candidate": lambda: _score([None], ["a b c"]),
    "lone_surrogate_candidate": lambda: _score(["a \ud800 b"], ["a b"]),
    "lone_surrogate_reference": lambda: _score(["a b"], ["a \udfff b"]),
    "dict_reference": lambda: _score(["a b"], [{"a b": 1}]),  # today: scores the dict's keys
    "number_candidate": lambda: _score([3.5], ["a b"]),
    "lengths_differ": lambda: _score(["a b", "c d"], ["a b"]),
    "bare_string_candidates": lambda: _score("a b", ["a b"]),  # a str is a sequence of characters
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_library_input_is_a_bench_error(case):
    from bench.errors import BenchError

    with pytest.raises(BenchError) as info:
        BAD[case]()
    message = str(info.value)
    assert "\n" not in message and "--" not in message, message


def test_bench_error_is_public():
    import bench
    from bench.errors import BenchError

    assert bench.BenchError is BenchError


def test_generator_input_is_scored_or_refused():
    """A generator is not a Sequence: either it is read once into a list (the same run as a list) or
    refused with a BenchError; never a TypeError from deep inside."""
    from bench.errors import BenchError

    texts, refs = ["the cat sat", "a dog ran"], ["the cat sat down", "a dog ran far"]
    try:
        run = _score((t for t in texts), (r for r in refs))
    except BenchError as exc:
        assert "\n" not in str(exc)
        return
    assert run.scores("rouge1", "fmeasure") == _score(texts, refs).scores("rouge1", "fmeasure")


def test_unknown_stat_is_a_bench_error():
    from bench.errors import BenchError

    run = _score(["the cat sat"], ["the cat sat down"])
    with pytest.raises(BenchError, match="nosuch"):
        run.scores("rouge1", "nosuch")
    with pytest.raises(BenchError, match="nosuch"):
        run.scores("nosuch", "fmeasure")
