"""Which writing systems a corpus is in, and whether a one-language BERTScore model fits it.

A model trained on one language (the default ``all-MiniLM-L6-v2`` is English, per its model card) gives
Chinese text numbers that look like scores and mean little. The check counts letters by Unicode script
(``regex``'s ``\\p{Script=...}``) over the unique texts, so it costs one pass and no model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

# Model -> (language, script) where the model card declares one language. Multilingual models are absent:
# there is nothing to warn about. Keys are bench's model names (bench.metrics.models) and Hub ids.
MODEL_LANGUAGES = {
    "all-MiniLM-L6-v2": ("English", "Latin"),
    "sentence-transformers/all-MiniLM-L6-v2": ("English", "Latin"),
    "roberta-large": ("English", "Latin"),  # bert-score's default for lang=en
    "bert-base-uncased": ("English", "Latin"),
    "distilbert-base-uncased": ("English", "Latin"),
    "microsoft/deberta-xlarge-mnli": ("English", "Latin"),
}
# Scripts named in the warning when they outweigh the model's (the common ones; others count as "other").
SCRIPTS = ("Latin", "Han", "Hiragana", "Katakana", "Hangul", "Cyrillic", "Arabic", "Greek", "Hebrew",
           "Devanagari", "Thai")


@dataclass(frozen=True)
class Mismatch:
    """Most letters are in ``script``, not the ``expected`` script of a ``language`` model."""

    language: str
    expected: str
    script: str
    share: float  # of all letters, in ``script``


def mismatch(model: str, texts: Iterable[str]) -> Mismatch | None:
    """A ``Mismatch`` when ``model`` is declared for one language and most letters of ``texts`` are in
    another script; None otherwise (or for a model bench knows no language of)."""
    declared = MODEL_LANGUAGES.get(model)
    if declared is None:
        return None
    import regex

    joined = "\n".join(set(texts))
    letters = len(regex.findall(r"\p{L}", joined))
    if not letters:
        return None
    counts = {s: len(regex.findall(rf"\p{{Script={s}}}", joined)) for s in SCRIPTS}
    language, expected = declared
    if 2 * counts[expected] >= letters:
        return None
    script = max((s for s in SCRIPTS if s != expected), key=counts.__getitem__)
    if not counts[script]:
        script = "other"
    return Mismatch(language, expected, script, counts.get(script, letters - counts[expected]) / letters)
