"""Offline sentence splitting for rougeLsum.

rouge-score's rougeLsum scores summary-level LCS over sentences separated by
newlines; with ``split_summaries=True`` it calls ``nltk.sent_tokenize``, which
needs the punkt model download. That download is not available here (and
would make results depend on which punkt data a machine has), so the harness
splits sentences itself, before scoring, with a splitter named in the
signature. Line breaks are always sentence boundaries; each line is then split
by the chosen splitter.

- ``punkt``   nltk's Punkt algorithm with its built-in parameters (no trained
              model) plus the fixed abbreviation list below. Deterministic,
              fast (~0.1 s for SummEval's 2,646 texts), no download.
- ``pysbd``   pySBD's rule-based English segmenter (optional extra; ~20x slower).
- ``nltk``    ``nltk.sent_tokenize`` with installed punkt data; fails clearly
              when the data is absent.
- ``newline`` the text is already one sentence per line, lines ending at ``"\n"`` only (as rouge-score's
              rougeLsum splits them; ``\r``, U+2028 and the other ``str.splitlines`` boundaries stay inside a
              sentence). The other splitters also end a line at those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from bench.errors import BenchError, unknown_choice
from bench.signature import package_version as _version

# Abbreviations that end in a period but rarely end a sentence in news text.
# Punkt stores them lower-case, without the final period. Changing this list
# changes rougeLsum numbers, so its version is part of the splitter's name.
ABBREVIATIONS_VERSION = "abbrev1"
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep pres rev
    inc ltd co corp bros dept univ assn est no vol fig approx vs etc al
    jan feb mar apr jun jul aug sep sept oct nov dec
    u.s u.k u.n e.u u.s.a d.c a.m p.m i.e e.g""".split()
)


@dataclass(frozen=True)
class Splitter:
    """A named, versioned sentence splitter; ``make`` builds the splitting function on first use,
    so that naming it in a signature (a run answered from the store) imports nothing."""

    name: str
    version: str
    make: Callable[[], Callable[[str], list[str]]]
    # how a text is cut into lines before ``split``: str.splitlines (every Unicode line boundary) by default;
    # the newline splitter cuts on "\n" alone, as rouge-score's rougeLsum does (``text.split("\n")``)
    lines: Callable[[str], list[str]] = str.splitlines
    _made: list = field(default_factory=list, compare=False, repr=False)

    @property
    def signature(self) -> str:
        """``name@version``: what the rougeLsum signature names."""
        return f"{self.name}@{self.version}"

    def split(self, line: str) -> list[str]:
        """One line's sentences (the splitting function is built on first use)."""
        if not self._made:
            self._made.append(self.make())
        return self._made[0](line)

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for line in self.lines(text):
            if line.strip():
                out.extend(s.strip() for s in self.split(line) if s.strip())
        return out


def _punkt_tokenize() -> Callable[[str], list[str]]:
    from bench.metrics.lazy import submodule

    punkt = submodule("nltk", "tokenize.punkt")  # not all of nltk (bench.metrics.lazy)
    PunktParameters, PunktSentenceTokenizer = punkt.PunktParameters, punkt.PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return _remembering(PunktSentenceTokenizer)(params).tokenize


BREAKS_REMEMBERED = 1 << 18  # contexts kept at most (then forgotten at once): bounded, whatever the corpus


def _remembering(tokenizer_class: type) -> type:
    """``tokenizer_class`` (nltk's Punkt tokenizer) answering ``text_contains_sentbreak`` from memory.

    Punkt decides each candidate boundary by tokenizing and annotating a short context around it (the words
    either side of a period) in Python: most of a rougeLsum run's time at 10^5 texts. The decision is a pure
    function of that context for fixed parameters (abbreviations, collocations, sentence starters and
    orthographic context are never updated while tokenizing), and contexts such as "said. The" recur across
    a corpus, so each distinct one is worked out once. Same sentences, bit for bit (tested against nltk's own
    tokenizer)."""

    class Remembering(tokenizer_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._breaks: dict[str, bool] = {}

        def text_contains_sentbreak(self, text: str) -> bool:
            found = self._breaks.get(text)
            if found is None:
                if len(self._breaks) >= BREAKS_REMEMBERED:
                    self._breaks.clear()
                found = self._breaks[text] = super().text_contains_sentbreak(text)
            return found

    return Remembering


def _punkt() -> Splitter:
    return Splitter("punkt", f"nltk-{_version('nltk')}+{ABBREVIATIONS_VERSION}", _punkt_tokenize)


def _nltk() -> Splitter:
    import nltk

    try:
        nltk.sent_tokenize("Probe. Sentence.")
    except LookupError:
        raise BenchError(
            "sentence splitter 'nltk' needs nltk's punkt data, which is not installed",
            "use metrics.rouge.sentence_splitter=punkt (offline, the default)",
        ) from None
    return Splitter("nltk", f"nltk-{_version('nltk')}", lambda: nltk.sent_tokenize)


def _pysbd() -> Splitter:
    try:
        import pysbd
    except ImportError:
        raise BenchError("sentence splitter 'pysbd' is not installed", "pip install pysbd (or pip install -e '.[pysbd]')") from None
    segmenter = pysbd.Segmenter(language="en", clean=False)
    return Splitter("pysbd", f"pysbd-{_version('pysbd')}", lambda: segmenter.segment)


def _newline() -> Splitter:
    # version 2: lines end at "\n" only (rouge-score's rule); version 1 also cut at \r, \x0b, \x0c, \x1c-\x1e,
    # \x85, U+2028 and U+2029 (str.splitlines), which gave other rougeLsum values on texts holding them
    return Splitter("newline", "2", lambda: lambda line: [line], lines=_lines_at_newline)


def _lines_at_newline(text: str) -> list[str]:
    return text.split("\n")


SPLITTERS: dict[str, Callable[[], Splitter]] = {
    "punkt": _punkt,
    "nltk": _nltk,
    "pysbd": _pysbd,
    "newline": _newline,
}


@lru_cache(maxsize=None)
def get_splitter(name: str) -> Splitter:
    """The named sentence splitter (built once per process)."""
    if name not in SPLITTERS:
        raise unknown_choice("sentence splitter (metrics.rouge.sentence_splitter)", name, SPLITTERS)
    return SPLITTERS[name]()
