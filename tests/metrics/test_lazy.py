"""bench.metrics.lazy: one submodule without its package's __init__, same behaviour, and the real package still imports."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _in_fresh_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_punkt_splitter_loads_without_all_of_nltk():
    out = _in_fresh_python(
        "import sys\nfrom bench.metrics.sentences import get_splitter\n"
        "print(get_splitter('punkt')('Mr. Smith went to Washington. He left.'))\n"
        "print(sorted(m for m in ('nltk', 'scipy', 'sklearn') if m in sys.modules))\n")
    assert out.splitlines() == ["['Mr. Smith went to Washington.', 'He left.']", "[]"]


@pytest.mark.summeval
def test_punkt_splits_exactly_as_nltks_own_import(summeval_items):
    """The splitter built from the lazily loaded module equals one built from nltk imported normally."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    from bench.metrics.sentences import ABBREVIATIONS, get_splitter

    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    plain = PunktSentenceTokenizer(params)
    ours = get_splitter("punkt")
    texts = {t for it in summeval_items[::8] for t in (it.candidate, *it.references)}
    for text in texts:
        expected = [s.strip() for line in text.splitlines() if line.strip() for s in plain.tokenize(line) if s.strip()]
        assert ours(text) == expected


def test_the_real_package_still_imports_afterwards():
    out = _in_fresh_python(
        "from bench.metrics.lazy import submodule\nsubmodule('nltk', 'tokenize.punkt')\n"
        "import nltk\nfrom nltk.stem import porter\nprint(nltk.__version__ != '', porter.PorterStemmer().stem('running'))\n")
    assert out == "True run"
