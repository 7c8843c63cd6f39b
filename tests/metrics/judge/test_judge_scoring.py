"""Ratings from answers: G-Eval's probability-weighted mean, parsed samples, and unparsed answers."""

from __future__ import annotations

import pytest

from bench.metrics.judge.scoring import first_number, rate, weighted
from bench.metrics.judge.types import Answer

LABELS = ("1", "2", "3", "4", "5")


def test_the_weighted_rating_is_the_mean_of_the_labels_by_their_renormalised_probability():
    probs = {"1": 0.1, "2": 0.0, "3": 0.2, "4": 0.3, "5": 0.1}  # 0.3 of the mass went to other tokens
    assert weighted(probs, LABELS) == pytest.approx((1 * 0.1 + 3 * 0.2 + 4 * 0.3 + 5 * 0.1) / 0.7, abs=1e-15)
    assert weighted({"5": 0.01}, LABELS) == 5.0  # labels an endpoint did not list count as 0
    assert weighted({}, LABELS) is None and weighted({"1": 0.0}, LABELS) is None


@pytest.mark.parametrize("text, value", [
    ("4", 4.0), (" 3\n", 3.0), ("Grade: 5", 5.0), ("4.5 out of 5", 4.5), ("I'd say 2, maybe 3", 2.0),
    ("75/5", None), ("0", None), ("six", None), ("", None), ("-1", None), ("v2 of 5", 5.0),
])
def test_a_sample_gives_its_first_number_when_it_lies_on_the_scale(text, value):
    assert first_number(text, 1.0, 5.0) == value


def test_sampled_ratings_average_the_parsed_answers_and_count_the_rest():
    answer = Answer(("4", "no idea", "2", "9"), None, 100, 8)
    rating = rate(answer, "sample", LABELS)
    assert (rating.value, rating.parsed, rating.answers) == (3.0, 2, 4)
    nothing = rate(Answer(("no", "idea"), None, 100, 2), "sample", LABELS)
    assert nothing.value is None and nothing.parsed == 0  # never turned into a number


def test_a_distribution_without_any_rating_label_is_unparsed():
    assert rate(Answer(("The",), {}, 10, 1), "logprobs", LABELS).value is None
    assert rate(Answer(("4",), {"4": 0.5, "5": 0.5}, 10, 1), "logprobs", LABELS).value == 4.5
