"""Texts and the encoder shared by the BERTScore engine tests (test_bert_engine.py, test_bert_threads.py)."""

from __future__ import annotations

import pytest

LAYERS = (2, 6)


def short_texts(encoder):
    """Texts of 3 to 24 tokens, several per length (so they could share batches)."""
    words = "the cat sat on a mat while two dogs ran past an old red barn near this quiet green hill".split()
    texts = [" ".join(words[i : i + n]) for n in range(1, 23) for i in range(3)]
    assert {len(encoder.token_ids(t)) for t in texts} >= set(range(3, 20))
    return texts


@pytest.fixture(scope="module")
def encoder(minilm_path):
    """MiniLM's encoder truncated to 6 layers, on the CPU, with the slow tokenizer."""
    from bench.metrics import bert_engine

    return bert_engine.load_encoder(minilm_path, 6, "cpu", False)
