"""ROUGE tokenizers, and what each one drops.

- ``default``: rouge-score's own tokenizer (lower-case, ``[a-z0-9]+`` runs,
  Porter stemming of tokens longer than 3). It keeps no other letter:
  ``Müller`` becomes ``m ller``, and a Chinese sentence becomes nothing, so
  its ROUGE is 0 for any candidate.
- ``unicode`` (signature ``tok:unicode-v1``): NFKC, Unicode case folding, NFKC
  again; every Han, Hiragana or Katakana character is a token of its own;
  every other run of letters, digits and marks is a word. With stemming on,
  a word is Porter-stemmed only where the Porter stemmer applies: ``[a-z0-9]``
  words longer than 3, exactly as rouge-score stems them. It is an object
  with rouge-score's ``tokenize(text)`` hook, so bench's values equal
  ``rouge_scorer.RougeScorer(types, tokenizer=UnicodeTokenizer(stem))``.

``coverage`` counts, per text, whether any token is left and how many letters
and digits the tokenizer drops, so a run can say when ROUGE is scoring less
than the text (``bench.metrics.rouge`` records and warns).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TOKENIZERS = ("default", "unicode")
SIGNATURES = {"default": "default", "unicode": "unicode-v1"}
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ASCII_ALNUM_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_NON_ASCII_ALNUM = re.compile(r"[^\W_\x00-\x7f]")  # a character beyond ASCII for which str.isalnum() holds
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}"


@lru_cache(maxsize=1)
def _unicode_pattern():
    import regex  # Unicode scripts and categories; the stdlib `re` has neither

    return regex.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


@lru_cache(maxsize=200_000)
def _porter(token: str) -> str:
    # rouge-score-rs's default tokenizer stems exactly as rouge-score does (tested on SummEval),
    # without importing nltk; a single [a-z0-9] token comes back as its stem.
    from rouge_score_rs.tokenizers import DefaultTokenizer

    (stem,) = DefaultTokenizer(True).tokenize(token)
    return stem


def normalize(text: str) -> str:
    """NFKC, Unicode case folding, NFKC again."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


class UnicodeTokenizer:
    """rouge-score's ``Tokenizer`` interface (``tokenize(text) -> list[str]``) for any script."""

    def __init__(self, use_stemmer: bool = False):
        self.use_stemmer = use_stemmer

    def words(self, text: str) -> list[str]:
        """Tokens before stemming."""
        return _unicode_pattern().findall(normalize(text))

    def tokenize(self, text: str) -> list[str]:
        """The text's tokens, Porter-stemmed where the Porter stemmer applies (if stemming)."""
        tokens = self.words(text)
        if self.use_stemmer:
            tokens = [_porter(t) if len(t) > 3 and _ASCII_WORD.fullmatch(t) else t for t in tokens]
        return tokens


@dataclass(frozen=True)
class Coverage:
    """What a tokenizer keeps of one text: any token at all, and letters/digits in and dropped."""

    empty: bool
    word_chars: int
    dropped_chars: int


def coverage(text: str, tokenizer: str) -> Coverage:
    """Whether ``tokenizer`` leaves ``text`` any token, and how many letters/digits it keeps and drops."""
    if tokenizer == "unicode":
        norm = normalize(text)
        words = _unicode_pattern().findall(norm)
        word_chars = sum(c.isalnum() for c in norm)
        kept = sum(c.isalnum() for w in words for c in w)
        return Coverage(not words, word_chars, word_chars - kept)
    # ASCII letters and digits, counted in C as the bytes that deleting them removes (in UTF-8 every other
    # character is bytes >= 0x80; surrogatepass: a lone surrogate is counted as the other characters are)
    raw = text.encode("utf-8", "surrogatepass")
    ascii_chars = len(raw) - len(raw.translate(None, _ASCII_ALNUM_BYTES))
    if text.isascii():  # the common case: every letter and digit is kept
        return Coverage(ascii_chars == 0, ascii_chars, 0)
    # of the other letters and digits (found in C: ``str.isalnum`` beyond ASCII, checked for every code point
    # in the tests), those whose lower case holds no [a-z0-9] are dropped
    others = _NON_ASCII_ALNUM.findall(text)
    dropped = sum(_drops(c) for c in others)
    return Coverage(not _ASCII_WORD.search(text.lower()), ascii_chars + len(others), dropped)


@lru_cache(maxsize=65_536)
def _drops(char: str) -> bool:
    """Whether rouge-score's tokenizer drops this letter or digit (its lower case has no [a-z0-9])."""
    return not any(ch in _ASCII_ALNUM for ch in char.lower())
