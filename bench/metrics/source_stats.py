"""Source statistics: how a summary relates to its source document (no reference needed).

- Extractive fragments (Grusky, Naaman and Artzi, 2018, "Newsroom", section 4.1):
  the greedy matching F(A, S) of the summary S on the article A (their Algorithm 1:
  for each summary position, the longest run of tokens shared with the article,
  then skip past it), and from it
  coverage = sum |f| / |S|, density = sum |f|^2 / |S|, compression = |A| / |S|.
  The paper's pseudo-code keeps a match when ``|f| < i' - i - 1``; the Newsroom
  code keeps the longest match (``|f| < i' - i``), which is what the text defines
  ("the longest shared token sequence"): bench follows the code.
- Novel n-grams (n = 1..max_n): share of the summary's distinct n-grams that do
  not occur in the source.
- Repeated n-grams: share of the summary's distinct n-grams that occur more than
  once in the summary. Both are over distinct n-grams, as SummEval's
  ``data_stats`` computes them; a summary shorter than n tokens has no n-gram and
  gets 0 (counted in the note ``short_summary_count``).
- Lengths in tokens: ``summary_tokens``, ``source_tokens``.

Tokens are defined by ``tokenize`` (in every signature): ``words`` is
``re.findall(r"\\w+|[^\\w\\s]", text)`` (runs of word characters, and each other
non-space character alone), ``whitespace`` is ``text.split()``; ``lowercase`` folds
case first (``str.lower``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from bench.data.items import Item, check_sources, require_sources, sources_fingerprint
from bench.errors import BenchError, unknown_choice
from bench.metrics.base import MetricResult, ScoreRows
from bench.signature import Signature

WORDS = re.compile(r"\w+|[^\w\s]")
# Signature values (no '|': it separates components); \w is Unicode's, so its data version is signed too.
TOKENIZE = {"words": r"findall(\w+;[^\w\s])", "whitespace": "split()"}
STAT = "value"

# Direction, for tables, `bench meta` and the gate (these are descriptions, not quality scores: the direction
# is the reading papers give them for faithfulness and redundancy). See docs/metrics.md (source statistics).
DIRECTION = {
    "coverage": True,  # more of the summary is copied from the source
    "density": True,  # in longer fragments
    "compression": True,  # a shorter summary for the same source
    "novel": False,  # n-grams the source does not support
    "repeated": False,  # redundancy
    "summary_tokens": True,  # descriptive: no better direction; higher by convention
    "source_tokens": True,
}


@dataclass(frozen=True)
class SourceStatsSpec:
    """``metrics.source_stats`` in the config."""

    tokenize: str = "words"  # words | whitespace
    lowercase: bool = True
    max_n: int = 3  # novel_1..novel_N and repeated_1..repeated_N

    not_scoring = ()
    caches = ()


def tokens(text: str, spec: SourceStatsSpec) -> list[str]:
    """The tokens the statistics count (the signature's ``tok`` and ``case``)."""
    if spec.lowercase:
        text = text.lower()
    return WORDS.findall(text) if spec.tokenize == "words" else text.split()


def positions_of(article: Sequence[str]) -> dict[str, list[int]]:
    """Each token's positions in the article, in order."""
    positions: dict[str, list[int]] = {}
    for j, tok in enumerate(article):
        positions.setdefault(tok, []).append(j)
    return positions


def fragments(article: Sequence[str], summary: Sequence[str], positions: dict | None = None) -> list[int]:
    """Lengths of Grusky et al.'s greedy extractive fragments of ``summary`` on ``article``.

    The paper's inner loop scans every article position j; it acts only where
    A[j] == S[i], so scanning the (sorted) positions of S[i] from j on is the same
    walk, without the quadratic scan.
    """
    positions = positions_of(article) if positions is None else positions
    n_a, n_s = len(article), len(summary)
    out = []
    i = 0
    while i < n_s:
        best, j = 0, 0
        for start in positions.get(summary[i], ()):
            if start < j:
                continue
            i2, j2 = i, start
            while i2 < n_s and j2 < n_a and summary[i2] == article[j2]:
                i2 += 1
                j2 += 1
            best = max(best, i2 - i)
            j = j2
        if best:
            out.append(best)
        i += max(best, 1)
    return out


def ngram_ratios(summary: Sequence[str], source: set, n: int) -> tuple[float, float, bool]:
    """(novel, repeated, short) for order n: shares of the summary's distinct n-grams; short: it has none."""
    grams = list(zip(*(summary[k:] for k in range(n)))) if n > 1 else list(summary)
    if not grams:
        return 0.0, 0.0, True
    counts: dict[Any, int] = {}
    for g in grams:
        counts[g] = counts.get(g, 0) + 1
    novel = sum(1 for g in counts if g not in source)
    repeated = sum(1 for c in counts.values() if c > 1)
    return novel / len(counts), repeated / len(counts), False


def source_ngrams(article: Sequence[str], n: int) -> set:
    """The source's distinct n-grams (tokens themselves for n = 1)."""
    return set(zip(*(article[k:] for k in range(n)))) if n > 1 else set(article)


# Ranges of the statistics (by prefix, as DIRECTION): ratios of summary tokens lie in [0, 1]; density,
# compression and lengths are unbounded above. min_effect: one hundredth of a ratio, a tenth of a density or
# compression unit, one token: what a reader would call a change of a descriptive number.
RANGE = {"coverage": (0.0, 1.0), "density": (0.0, None), "compression": (0.0, None), "novel": (0.0, 1.0),
         "repeated": (0.0, 1.0), "summary_tokens": (0.0, None), "source_tokens": (0.0, None)}
MIN_EFFECT = {"coverage": 0.01, "density": 0.1, "compression": 0.1, "novel": 0.01, "repeated": 0.01,
              "summary_tokens": 1.0, "source_tokens": 1.0}


def _prefix(name: str) -> str:
    return name.rsplit("_", 1)[0] if name[-1].isdigit() else name


def facts(name: str):
    """A source statistic's facts: descriptive (information about a summary, not its quality), exact."""
    from bench.values import DESCRIPTIVE, Facts

    lo, hi = RANGE[_prefix(name)]
    return Facts(higher_is_better=DIRECTION[_prefix(name)], lo=lo, hi=hi, kind=DESCRIPTIVE, primary=STAT,
                 min_effect=MIN_EFFECT[_prefix(name)])


class SourceStats:
    """The source statistics family: one metric name per statistic, stat ``value``."""

    family = "source_stats"
    chunkable = True  # every item's values its own; its one note a count (bench.pipeline.chunkable)

    def __init__(self, spec: SourceStatsSpec):
        if spec.tokenize not in TOKENIZE:
            raise unknown_choice("tokenizer (metrics.source_stats.tokenize)", spec.tokenize, TOKENIZE)
        if not 1 <= spec.max_n <= 9:
            raise BenchError(f"metrics.source_stats.max_n={spec.max_n} is out of range", "pass 1 <= max_n <= 9 (3: n = 1..3)")
        self.spec = spec

    def names(self) -> tuple[str, ...]:
        """coverage, density, compression, novel_1.., repeated_1.., summary_tokens, source_tokens."""
        orders = range(1, self.spec.max_n + 1)
        return ("coverage", "density", "compression", *(f"novel_{n}" for n in orders),
                *(f"repeated_{n}" for n in orders), "summary_tokens", "source_tokens")

    @staticmethod
    def higher_is_better(name: str) -> bool:
        """The name's direction (``DIRECTION``, by its prefix)."""
        return DIRECTION[_prefix(name)]

    def signatures(self, items: Sequence[Item], policy: str, inputs: str) -> tuple[Signature, ...]:
        """Tokenisation, case, the sources' hash and the inputs; the multi-reference policy does not apply."""
        from bench.signature import bench_version, short_hash

        check_sources(items, "metrics source_stats")  # without keeping them: a streamed corpus is read in chunks
        import unicodedata

        comps = (("tok", TOKENIZE[self.spec.tokenize]), ("unicode", unicodedata.unidata_version),
                 ("case", "lower" if self.spec.lowercase else "mixed"),
                 ("against", "source"), ("src", short_hash(sources_fingerprint(items))),
                 ("inputs", short_hash(inputs)), ("bench", bench_version()))
        return tuple(Signature(name, comps) for name in self.names())

    def prepare(self, source: str) -> tuple[list[str], dict, list[set]]:
        """A source's tokens, token positions and n-gram sets (once per distinct source: SummEval has 16 summaries
        of each article)."""
        a = tokens(source, self.spec)
        return a, positions_of(a), [source_ngrams(a, n) for n in range(1, self.spec.max_n + 1)]

    def rows(self, candidate: str, source: str, prepared=None) -> tuple[dict[str, float], bool]:
        """One item's statistics by name, and whether its summary is shorter than max_n tokens."""
        s = tokens(candidate, self.spec)
        a, positions, grams = self.prepare(source) if prepared is None else prepared
        frags = fragments(a, s, positions)
        out = {"coverage": sum(frags) / len(s), "density": sum(f * f for f in frags) / len(s),
               "compression": len(a) / len(s)}
        short = False
        for n in range(1, self.spec.max_n + 1):
            out[f"novel_{n}"], out[f"repeated_{n}"], was_short = ngram_ratios(s, grams[n - 1], n)
            short = short or was_short
        out["summary_tokens"], out["source_tokens"] = float(len(s)), float(len(a))
        return out, short

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]:
        """Every statistic of every item, signed as ``signatures`` declares."""
        sources = require_sources(items, "metrics source_stats")
        sigs = self.signatures(items, policy, inputs)
        per_item = {name: [] for name in self.names()}
        short = 0
        prepared: dict[str, Any] = {}
        for item, source in zip(items, sources):
            if source not in prepared:
                prepared[source] = self.prepare(source)
            values, was_short = self.rows(item.candidate, source, prepared[source])
            short += was_short
            for name in per_item:
                per_item[name].append((values[name],))
        notes = {"short_summary_count": short}
        # one array per statistic (ScoreRows: ints stay ints), not a tuple per item: 11 of them per item at scale
        return [MetricResult(name, (STAT,), ScoreRows.of(per_item[name], 1), sig, self.higher_is_better(name), dict(notes),
                             primary=STAT, facts=facts(name))
                for name, sig in zip(self.names(), sigs)]
