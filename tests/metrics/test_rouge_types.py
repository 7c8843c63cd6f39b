"""Every ROUGE type both engines accept (rouge1..rouge9, rougeL, rougeLsum) scores == rouge-score's RougeScorer,
and anything else (rouge0, rouge10, rougeX) is refused in one line listing the valid types. rougeLsum with
``sentence_splitter=newline`` cuts sentences at "\\n" only, as rouge-score does."""

from __future__ import annotations

import pytest
from rouge_score import rouge_scorer

from bench.data.items import Item
from bench.errors import BenchError
from bench.metrics.rouge import STATS, VALID_TYPES, Rouge, RougeSpec

ENGINES = ("rouge-score-rs", "rouge-score")
ITEMS = [
    Item("a", "the cat sat on the mat and the dog sat on the log all day long",
         ("the cat sat on the mat while the dog sat on the log all day", "a cat sat on a mat")),
    Item("b", "one two three four five six seven eight nine ten eleven", ("one two three four five six seven eight nine ten",)),
    Item("c", "short", ("short text",)),
    Item("d", "", ("one two three",)),
]


def _rows(result):
    return [tuple(result.column(s)[k] for s in STATS) for k in range(len(result.per_item))]


def _oracle(types, items, use_stemmer=True):
    """rouge-score's pair scores, the best F over an item's references (first strictly best, np.argmax's rule)."""
    scorer = rouge_scorer.RougeScorer(list(types), use_stemmer=use_stemmer)
    out = {t: [] for t in types}
    for it in items:
        scores = [scorer.score(r, it.candidate) for r in it.references]
        for t in types:
            best = scores[0][t]
            for s in scores[1:]:
                if s[t].fmeasure > best.fmeasure:
                    best = s[t]
            out[t].append(tuple(best))
    return out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", range(3, 10))
def test_rouge_n_equals_rouge_score(engine, n):
    types = (f"rouge{n}", "rouge1")
    results = Rouge(RougeSpec(types=types, engine=engine)).score(ITEMS, "max", "sha256:x")
    expected = _oracle(types, ITEMS)
    assert [r.name for r in results] == list(types)
    for r in results:
        assert _rows(r) == expected[r.name]
    assert any(row[2] > 0 for row in expected[f"rouge{n}"])  # some pair shares n-grams: not a test of zeros only


def test_the_valid_types_are_what_rouge_score_accepts():
    """VALID_TYPES is the reference package's own rule, asked of the package (not copied from its source)."""
    candidates = [f"rouge{n}" for n in range(0, 12)] + ["rougeL", "rougeLsum", "rougeX", "rouge", "rouge01", "rougel"]
    accepted = []
    for t in candidates:
        try:
            rouge_scorer.RougeScorer([t]).score("a b", "a b")
        except ValueError:
            continue
        accepted.append(t)
    assert tuple(accepted) == VALID_TYPES


@pytest.mark.parametrize("bad,hint", [("rouge0", "did you mean"), ("rouge10", "did you mean"), ("rougeX", "")])
def test_types_neither_engine_accepts_are_one_line_errors(bad, hint):
    with pytest.raises(BenchError) as info:
        Rouge(RougeSpec(types=("rouge1", bad)))
    message = str(info.value)
    assert "\n" not in message and f"unknown ROUGE type {bad!r}" in message and hint in message
    assert "valid types: rouge1, rouge2, rouge3, rouge4, rouge5, rouge6, rouge7, rouge8, rouge9, rougeL, rougeLsum" in message


def test_a_type_listed_twice_is_refused():
    with pytest.raises(BenchError, match="'rouge3' is listed twice"):
        Rouge(RougeSpec(types=("rouge3", "rouge1", "rouge3")))


# every character str.splitlines() ends a line at, other than "\n"; rouge-score's rougeLsum does not
LINE_BOUNDARIES = ["\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sep", LINE_BOUNDARIES, ids=[f"U+{ord(c[0]):04X}{'-LF' if len(c) > 1 else ''}" for c in LINE_BOUNDARIES])
@pytest.mark.parametrize("use_stemmer", (True, False))
def test_newline_splitter_cuts_at_newline_only(engine, sep, use_stemmer):
    # the candidate's word order differs across sep: one sentence (rouge-score) and two give different LCS unions
    cand = f"the dog sat on the log{sep}the cat sat on the mat\nthe end is near"
    ref = f"the cat sat on the mat{sep}the dog sat on the log\nthe end was near"
    items = [Item("a", cand, (ref,)), Item("b", ref, (cand,)), Item("c", f"x{sep}y", (f"y{sep}x",))]
    spec = RougeSpec(engine=engine, sentence_splitter="newline", use_stemmer=use_stemmer, types=("rougeLsum", "rouge1", "rougeL"))
    results = Rouge(spec).score(items, "max", "sha256:x")
    expected = _oracle(spec.types, items, use_stemmer)
    for r in results:
        assert _rows(r) == expected[r.name]
    if sep == "\r\n":  # a line break for rouge-score too (at its "\n"): nothing to tell apart
        return
    # rouge-score's value really differs from the value of a split at sep (so the test can fail)
    split_at_sep = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=use_stemmer).score(
        ref.replace(sep, "\n"), cand.replace(sep, "\n"))["rougeLsum"]
    assert tuple(split_at_sep) != expected["rougeLsum"][0]


def test_newline_splitter_signature_says_version_2():
    """Version 1 cut at every str.splitlines boundary: its stored values differ, so its signature must too."""
    sig = Rouge(RougeSpec(sentence_splitter="newline")).signature("rougeLsum", "max", "1", "sha256:x")
    assert sig.as_dict()["split"] == "newline@2"
