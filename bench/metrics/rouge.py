"""ROUGE via rouge-score (Lin, 2004; google-research ``rouge_score`` 0.1.2).

Per-item values are bit-identical to ``rouge_scorer.RougeScorer(types,
use_stemmer).score(reference, candidate)`` with the default tokenizer, where
rougeLsum gets one sentence per line (rouge-score's own convention). Two
engines produce those numbers:

- ``rouge-score-rs``  a Rust re-implementation, bit-identical to rouge-score
                      and ~100x faster (default);
- ``rouge-score``     the reference Python package, kept as the oracle.

Sentences for rougeLsum come from ``bench.metrics.sentences`` (offline), inserted as
newlines before scoring.

With the Rust engine each unique text is tokenized (and Porter-stemmed) once,
not once per pair, where texts recur (a chunk with fewer than 3 distinct texts in
4): SummEval pairs every reference with 16 candidates, and stemming is most of
ROUGE's cost. Where nearly every text is new, the Rust scorer stems each pair's
texts itself, which is faster than the round trip through Python. The stemmed tokens are joined with spaces
(lines kept) and scored with stemming off; rouge-score's tokenizer maps such
a text back to exactly the same tokens (stems are lower-case ``[a-z0-9]+``),
so the numbers are unchanged, which the tests check against rouge-score on
all of SummEval. Because rouge-score's tokenizer treats every
non-alphanumeric character alike, the newlines do not change rouge1/2/L, so
all types are scored from the same split texts in one pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Sequence

from bench import hints
from bench.data.items import Item
from bench.errors import BenchError, unknown_choice
from bench.metrics.base import PairMetric, PairScores
from bench.metrics.rouge_tokenizers import SIGNATURES as TOKENIZER_SIGNATURES
from bench.metrics.rouge_tokenizers import TOKENIZERS, UnicodeTokenizer, coverage
from bench.metrics.sentences import get_splitter
from bench.signature import Signature, package_version


log = logging.getLogger("bench")

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")  # the default types
# every type both engines score: rouge-score (and rouge-score-rs after it) accepts rougeN for N matching
# `rouge[0-9]$` except 0 ("rougen requires positive n"), so rouge1..rouge9; rouge10 is "Invalid rouge type"
VALID_TYPES = (*(f"rouge{n}" for n in range(1, 10)), "rougeL", "rougeLsum")
STATS = ("precision", "recall", "fmeasure")
# Warn about dropped letters/digits above this share (a few accented names in English news are noise: the
# seed drops 0.39%, SummEval 0.00%); a text left with no token (it scores 0) is always warned about.
MATERIAL_DROP_PERCENT = 1.0
ENGINES = {"rouge-score-rs": "rouge-score-rs", "rouge-score": "rouge-score"}  # engine -> distribution


@dataclass(frozen=True)
class RougeSpec:
    """``metrics.rouge`` in the config."""

    types: tuple[str, ...] = ROUGE_TYPES
    use_stemmer: bool = True
    sentence_splitter: str = "punkt"
    engine: str = "rouge-score-rs"
    tokenizer: str = "default"  # default (rouge-score's: a-z0-9 only) | unicode (any script; rouge_tokenizers)
    against: str = "references"  # references | source (the item's article; base.PairMetric)

    not_scoring = ()  # every option changes numbers (base: the run key)
    caches = ()


def _scorer(spec: RougeSpec, pretokenized: bool):
    if spec.engine == "rouge-score-rs":
        from rouge_score_rs import rouge_scorer
    elif spec.engine == "rouge-score":
        from rouge_score import rouge_scorer
    else:
        raise unknown_choice("ROUGE engine (metrics.rouge.engine)", spec.engine, ENGINES)
    # Pre-tokenized text is already stemmed: stemming it again would be wrong.
    if spec.tokenizer == "unicode" and not pretokenized:
        return rouge_scorer.RougeScorer(list(spec.types), tokenizer=UnicodeTokenizer(spec.use_stemmer))
    return rouge_scorer.RougeScorer(list(spec.types), use_stemmer=spec.use_stemmer and not pretokenized)


class Rouge(PairMetric):
    """ROUGE types as one family: the shared loop (``PairMetric``) with rouge-score's pair scores as the hook."""

    family = "rouge"
    stats = STATS
    primary = "fmeasure"
    lo, hi = 0.0, 1.0
    min_effect = 0.005  # half a ROUGE point: below what papers report as a difference
    chunk_items = 20_000  # items per call of score_pairs: bounds the memory of per-pair results
    chunkable = True  # a streamed run scores it a chunk at a time: each pair's values its own, notes are counts

    def __init__(self, spec: RougeSpec):
        for t in spec.types:
            if t not in VALID_TYPES:
                close = get_close_matches(str(t), VALID_TYPES, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise BenchError(f"unknown ROUGE type {t!r}",
                                 f"{hint}valid types: {', '.join(VALID_TYPES)}")
        if not spec.types:
            raise BenchError("no ROUGE type is selected (types is empty)", f"list some of {', '.join(VALID_TYPES)}")
        if len(set(spec.types)) != len(spec.types):
            dup = next(t for t in spec.types if spec.types.count(t) > 1)
            raise BenchError(f"ROUGE type {dup!r} is listed twice", "list each type once")
        if spec.engine not in ENGINES:
            raise unknown_choice("ROUGE engine (metrics.rouge.engine)", spec.engine, ENGINES)
        if spec.tokenizer not in TOKENIZERS:
            raise unknown_choice("ROUGE tokenizer (metrics.rouge.tokenizer)", spec.tokenizer, TOKENIZERS)
        from bench.metrics.base import against_of
        from bench.metrics.sentences import SPLITTERS

        against_of(spec)
        if spec.sentence_splitter not in SPLITTERS:  # checked even when rougeLsum is off: a typo is a typo
            raise unknown_choice("sentence splitter (metrics.rouge.sentence_splitter)", spec.sentence_splitter, SPLITTERS)
        self.spec = spec
        self._splitter = get_splitter(spec.sentence_splitter) if "rougeLsum" in spec.types else None

    def names(self) -> tuple[str, ...]:
        """The ROUGE types asked for, in config order."""
        return tuple(self.spec.types)

    def signature_fields(self, rouge_type: str) -> list[tuple[str, str]]:
        """Engine, tokenizer, stemmer and (rougeLsum) sentence splitter."""
        comps = [
            ("engine", f"{self.spec.engine}@{package_version(ENGINES[self.spec.engine])}"),
            ("tok", self._tokenizer_signature()),
            ("stem", self._stemmer_signature()),
        ]
        if rouge_type == "rougeLsum":
            comps.append(("split", self._splitter.signature))
        return comps

    def signature(self, rouge_type: str, policy: str, nrefs: str, inputs: str) -> Signature:
        """The signature of one ROUGE type (tests and callers that know nrefs)."""
        return self.sign(rouge_type, policy, nrefs, inputs)

    def _tokenizer_signature(self) -> str:
        if self.spec.tokenizer == "unicode":  # its Unicode data (scripts, categories) comes from `regex`
            return f"{TOKENIZER_SIGNATURES['unicode']}@regex-{package_version('regex')}"
        return TOKENIZER_SIGNATURES[self.spec.tokenizer]  # the engine's own: its version is in `engine`

    def _stemmer_signature(self) -> str:
        """Which code stems: the engine's own (its version is in ``engine``), except rouge-score's Python
        engine, which stems with nltk's Porter stemmer, and the unicode tokenizer, which uses rouge-score-rs's."""
        if not self.spec.use_stemmer:
            return "no"
        if self.spec.tokenizer == "unicode":
            return f"porter@rouge-score-rs-{package_version('rouge-score-rs')}"
        if self.spec.engine == "rouge-score":
            return f"porter@nltk-{package_version('nltk')}"
        return "porter"

    @property
    def _pretokenizes(self) -> bool:
        return self.spec.engine == "rouge-score-rs"

    def _prepare(self, unique: set[str], pretokenize: bool) -> dict[str, str]:
        """Unique text -> one sentence per line (rougeLsum), pre-tokenized (and stemmed) if asked."""
        if self._splitter is None:
            lines = {t: [t] for t in unique}
        else:
            lines = {t: self._splitter(t) for t in unique}
        if not pretokenize:
            return {t: "\n".join(ls) for t, ls in lines.items()}
        if self.spec.tokenizer == "unicode":
            return _surrogates(lines, UnicodeTokenizer(self.spec.use_stemmer).tokenize)
        from rouge_score_rs.tokenizers import DefaultTokenizer

        tokenize = DefaultTokenizer(self.spec.use_stemmer).tokenize
        return {t: "\n".join(" ".join(tokenize(line)) for line in ls) for t, ls in lines.items()}

    def pair_scores(self, targets: Sequence[str], predictions: Sequence[str]) -> list[dict]:
        """rouge-score's ``score(target, prediction)`` for each pair, via the chosen engine."""
        texts = [*targets, *predictions]
        unique = set(texts)
        # Stemming each unique text once in Python pays where texts recur (SummEval: 2,746 unique texts in
        # 35,200); where nearly every text is new, the Rust scorer tokenizes and stems faster itself. Both give
        # rouge-score's numbers (the tests hold each path to rouge-score).
        pretokenize = self._pretokenizes and (self.spec.tokenizer == "unicode" or 4 * len(unique) < 3 * len(texts))
        prepared = self._prepare(unique, pretokenize)
        t = [prepared[x] for x in targets]
        p = [prepared[x] for x in predictions]
        scorer = _scorer(self.spec, pretokenize)
        if hasattr(scorer, "score_batch"):
            return scorer.score_batch(t, p)
        return [scorer.score(a, b) for a, b in zip(t, p)]

    def score_pairs(self, refs: Sequence[str], hyps: Sequence[str]) -> PairScores:
        """rouge-score's scores of every pair, per ROUGE type."""
        flat = self.pair_scores(refs, hyps)  # Score namedtuples of Python floats
        return PairScores({t: [tuple(score[t]) for score in flat] for t in self.spec.types})

    def item_notes(self, items: Sequence[Item]) -> dict[str, Any]:
        """What the tokenizer drops (``coverage_notes``)."""
        return self.coverage_notes(items)

    def chunk_progress(self, starts: range, n_items: int):
        """Chunk starts, with a progress bar on corpora of several chunks."""
        return _progress(starts, n_items)

    def coverage_notes(self, items: Sequence[Item]) -> dict[str, Any]:
        """Texts (each candidate and reference occurrence) with content the tokenizer leaves empty, and letters/digits
        it drops; recorded always, warned about when a text is left empty (it scores 0 against anything) or
        more than ``MATERIAL_DROP_PERCENT`` of the letters/digits are dropped."""
        seen: dict[str, Any] = {}
        empty = word = dropped = 0
        for item, targets in zip(items, self.targets(items)):
            if len(seen) > 100_000:  # a cache only (the counts are per occurrence): bounded, not per corpus
                seen.clear()
            for text in (item.candidate, *targets):
                cov = seen.get(text)
                if cov is None:
                    cov = seen[text] = coverage(text, self.spec.tokenizer)
                # an empty or whitespace-only text is the data layer's to count and warn about (it scores 0
                # whatever the tokenizer); here only texts with content that the tokenizer erases
                empty += cov.empty and bool(text.strip())
                word += cov.word_chars
                dropped += cov.dropped_chars
        share = 100.0 * dropped / word if word else 0.0
        if empty or share > MATERIAL_DROP_PERCENT:
            fix = "" if self.spec.tokenizer == "unicode" else f"; {hints.option('rouge', 'tokenizer', 'unicode')} keeps every script"
            log.warning(
                "rouge: the %s tokenizer leaves %d text(s) with no token (they score 0) and drops %d of %d "
                "letters/digits (%.2f%%)%s", self.spec.tokenizer, empty, dropped, word, share, fix,
            )
        # names end in _texts/_count so that merging shards adds them up
        return {"tokenizer_empty_texts": empty, "tokenizer_dropped_chars_count": dropped, "tokenizer_word_chars_count": word}


CHUNK_ITEMS = Rouge.chunk_items


def _progress(chunks: range, n_items: int):
    """The chunk starts, with a progress bar (items/s) when there is more than one chunk."""
    if n_items <= CHUNK_ITEMS:
        return iter(chunks)
    return _with_bar(chunks, n_items)


def _with_bar(chunks: range, n_items: int):
    from bench.progress import stage

    with stage("rouge", n_items) as bar:
        for start in chunks:
            yield start
            bar.update(min(CHUNK_ITEMS, n_items - start))


def _surrogates(lines: dict[str, list[str]], tokenize) -> dict[str, str]:
    """Each text's tokens, one sentence per line, with every distinct token replaced by one ASCII word.

    ROUGE compares tokens only for equality, so an injective renaming changes no
    number; the ASCII words (``t0``, ``t1``, ...) pass rouge-score's default
    tokenizer unchanged, so the Rust engine scores unicode tokens exactly.
    """
    names: dict[str, str] = {}

    def name(token: str) -> str:
        found = names.get(token)
        if found is None:
            found = names[token] = f"t{len(names):x}"
        return found

    return {t: "\n".join(" ".join(name(tok) for tok in tokenize(line)) for line in ls) for t, ls in lines.items()}
