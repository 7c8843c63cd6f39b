"""Judge templates: the shipped ones, their prefixes, and every way a user's file can be wrong."""

from __future__ import annotations

import pytest

from bench.errors import BenchError
from bench.metrics.judge import templates

ARTICLE = "The council voted on Tuesday to close the bridge for repairs."


def test_bench_ships_one_template_per_summeval_dimension():
    assert templates.shipped() == ("coherence", "consistency", "fluency", "relevance")
    loaded = templates.load_all(templates.shipped(), {})
    assert {t.dimension: t.uses for t in loaded} == {"coherence": "summary", "consistency": "source",
                                                     "fluency": "summary", "relevance": "source"}
    assert all(t.scale == (1, 2, 3, 4, 5) and t.labels == ("1", "2", "3", "4", "5") for t in loaded)


def test_dimensions_that_read_the_article_share_its_prefix_and_each_has_its_own_stem():
    consistency, relevance = templates.load("consistency"), templates.load("relevance")
    c_user, c_prefix, c_stem = consistency.render("The bridge closes.", ARTICLE)
    r_user, r_prefix, r_stem = relevance.render("A summary.", ARTICLE)
    assert c_prefix == r_prefix and c_prefix.endswith(ARTICLE)  # the article is computed once for both
    assert consistency.system == relevance.system
    assert c_user.startswith(c_stem) and c_stem.startswith(c_prefix) and c_stem != r_stem
    assert c_user[len(c_stem):].startswith("The bridge closes.")  # the summary comes right after the stem


def test_a_summary_holding_a_placeholder_is_taken_literally():
    user, _, _ = templates.load("consistency").render("odd {source} and {summary}", ARTICLE)
    assert "odd {source} and {summary}" in user and user.count(ARTICLE) == 1


def test_the_template_hash_ignores_comments_but_not_words(tmp_path):
    base = templates.load("fluency")
    text = (templates.shipped_dir() / "fluency.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text("# another comment\n" + text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text.replace("flawless", "perfect"), encoding="utf-8")
    assert templates.load("fluency", str(tmp_path / "a.yaml")).sha256 == base.sha256
    assert templates.load("fluency", str(tmp_path / "b.yaml")).sha256 != base.sha256


GOOD = {"dimension": "clarity", "uses": "summary", "scale": [1, 2, 3], "system": "s", "user": "Rate {summary}"}


@pytest.mark.parametrize("change, words", [
    ({"extra": 1}, "unknown field(s) extra"),
    ({"user": None}, "user is not text"),
    ({"scale": [3, 2, 1]}, "not an increasing list"),
    ({"scale": [1]}, "not an increasing list"),
    ({"scale": [1, 2.5]}, "not an increasing list"),
    ({"uses": "article"}, "uses='article' is not one of source, summary"),
    ({"user": "Rate {summary} and {summary}"}, "{summary} exactly once"),
    ({"user": "Rate it"}, "{summary} exactly once"),
    ({"uses": "source"}, "holds {source} once, before {summary}"),
    ({"uses": "source", "user": "{summary} then {source}"}, "holds {source} once, before {summary}"),
    ({"user": "{source} {summary}"}, "holds {source} but says uses: summary"),
    ({"system": "read {summary}"}, "system message holds a placeholder"),
    ({"dimension": "two words"}, "is not a name"),
])
def test_a_bad_template_is_one_line_naming_the_file_and_the_problem(change, words):
    data = {**GOOD, **change}
    with pytest.raises(BenchError) as info:
        templates.parse(data, "mine.yaml")
    assert "judge template mine.yaml" in str(info.value) and words in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_fields_and_files_and_dimensions_are_named(tmp_path):
    with pytest.raises(BenchError, match="missing field.*scale"):
        templates.parse({k: v for k, v in GOOD.items() if k != "scale"}, "x.yaml")
    with pytest.raises(BenchError, match="unknown judge dimension 'clarity'.*coherence, consistency, fluency, relevance"):
        templates.load("clarity")
    with pytest.raises(BenchError, match="is not a file"):
        templates.load("clarity", str(tmp_path / "nope.yaml"))
    (tmp_path / "t.yaml").write_text("dimension: [unclosed", encoding="utf-8")
    with pytest.raises(BenchError, match="cannot be read"):
        templates.load("clarity", str(tmp_path / "t.yaml"))
    (tmp_path / "c.yaml").write_text("dimension: other\nuses: summary\nscale: [1, 2]\nsystem: s\nuser: '{summary}'\n")
    with pytest.raises(BenchError, match="rates 'other', but it was given for 'clarity'"):
        templates.load("clarity", str(tmp_path / "c.yaml"))
    with pytest.raises(BenchError, match="templates are given for clarity, which is not rated"):
        templates.load_all(("fluency",), {"clarity": str(tmp_path / "c.yaml")})
