"""bench.metrics.base.ScoreRows: per-item rows held as one array read back exactly as the tuples they replace."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bench.metrics.base import ScoreRows

FLOATS = [(0.1, 1 / 3, 5e-324), (-0.0, 1e308, math.nan), (0.5, 0.25, 2.0 ** -1074)]


def test_floats_read_back_bit_for_bit():
    rows = ScoreRows.of(FLOATS, 3)
    assert isinstance(rows, ScoreRows) and rows.array.dtype == np.float64
    back = list(rows)
    assert json.dumps(back) == json.dumps([list(r) for r in FLOATS])  # repr of every float, -0.0 and NaN included
    assert all(type(v) is float for row in back for v in row)
    assert rows[1][:2] == (-0.0, 1e308) and math.isnan(rows[1][2]) and math.copysign(1, rows[1][0]) == -1
    assert rows.column(0) == [0.1, -0.0, 0.5] and rows[-1] == FLOATS[-1] and repr(rows[1:]) == repr(tuple(FLOATS[1:]))


def test_ints_stay_ints_and_mixed_rows_stay_tuples():
    ints = ScoreRows.of([[3, 4, 0], [10, 2**62, 1]], 3)
    assert isinstance(ints, ScoreRows) and ints[1] == (10, 2**62, 1) and all(type(v) is int for v in ints[1])
    assert json.dumps(list(ints)) == "[[3, 4, 0], [10, 4611686018427387904, 1]]"
    # an int 0 beside floats (rouge-score's score for an empty text): kept as given, so samples write 0
    mixed = ScoreRows.of([(0, 0, 0), (0.5, 0.5, 0.5)], 3)
    assert mixed == ((0, 0, 0), (0.5, 0.5, 0.5)) and type(mixed) is tuple and type(mixed[0][0]) is int
    assert type(ScoreRows.of([(True, 1.0)], 2)) is tuple  # a bool is not a number here
    assert type(ScoreRows.of([(2**63,)], 1)) is tuple  # beyond int64
    assert type(ScoreRows.of([(1.0, 2.0), (1.0,)], 2)) is tuple  # ragged


def test_a_sequence_equal_to_its_tuples():
    rows = ScoreRows.of(FLOATS[:1] * 5000, 3)  # more than one block of iteration
    assert rows == tuple(FLOATS[:1] * 5000) and len(rows) == 5000
    assert hash(ScoreRows.of([(0.5,)], 1)) == hash(((0.5,),))
    assert np.asarray(rows, dtype=np.float32).dtype == np.float32 and np.asarray(rows) is rows.array
    with pytest.raises(IndexError):
        rows[5000]


def test_rouge_scores_of_an_empty_text_keep_rouge_scores_ints(tmp_path):
    """The Python engine scores an empty text 0 (an int): the stored sample says 0, as before arrays."""
    from bench.data.items import Item
    from bench.metrics.rouge import Rouge, RougeSpec

    items = [Item("a", "", ("the cat",)), Item("b", "the cat", ("the cat sat",))]
    (rl,) = Rouge(RougeSpec(types=("rougeL",), engine="rouge-score")).score(items, "max", "sha256:x")
    assert rl.per_item[0] == (0, 0, 0) and type(rl.per_item[0][0]) is int  # rouge_score's _score_lcs: Score(0, 0, 0)
    assert rl.per_item[1] == (1.0, 2 / 3, 0.8)


def test_an_int_chunk_beside_a_float_chunk_stays_ints(monkeypatch):
    """rouge-score's Score(0, 0, 0) filling a whole chunk, then a chunk of real scores: still 0, not 0.0."""
    from bench.data.items import Item
    from bench.metrics.rouge import Rouge, RougeSpec

    monkeypatch.setattr(Rouge, "chunk_items", 1)
    items = [Item("a", "中文摘要", ("中文参考",)), Item("b", "the cat sat", ("the cat sat down",))]
    (rl,) = Rouge(RougeSpec(types=("rougeL",), engine="rouge-score")).score(items, "max", "sha256:x")
    assert json.dumps(list(rl.per_item)) == "[[0, 0, 0], [1.0, 0.75, 0.8571428571428571]]"


def test_the_array_cannot_be_changed_through_numpy():
    rows = ScoreRows.of([(0.5, 0.25)], 2)
    with pytest.raises(ValueError):
        np.asarray(rows)[0, 0] = 9.0
    assert list(rows) == [(0.5, 0.25)]
