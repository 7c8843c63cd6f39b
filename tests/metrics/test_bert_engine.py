"""bench.metrics.bert_engine: a text's embedding does not depend on what it is batched with.

This is what makes a BERTScore value a function of its pair alone (bit-identical
to ``bert_score.score(..., batch_size=1)``, tested in test_bertscore.py), so
that shards merge exactly and a partly warm cache changes nothing. Real texts:
the first two SummEval documents, plus short texts, which bench embeds alone
(``SMALL_ROWS``: on one thread, a product of fewer rows takes another GEMM path).
How batches are formed, and thread counts, are tested in test_bert_threads.py.
"""

from __future__ import annotations

import pytest

from bench.metrics import bert_engine

from bert_texts import LAYERS, encoder, short_texts  # noqa: E402, F401  (shared by the engine tests; encoder is a fixture)


def assert_same(a, b, texts):
    import torch

    for text in texts:
        assert a[text].layers == b[text].layers == LAYERS
        assert torch.equal(a[text].embedding, b[text].embedding), text[:40]
        assert a[text].ids == b[text].ids


@pytest.mark.slow
@pytest.mark.summeval
def test_embeddings_do_not_depend_on_the_batch(encoder, summeval_items):
    real = list(dict.fromkeys(t for it in summeval_items[:32] for t in (it.candidate, *it.references)))
    texts = real + short_texts(encoder)
    together = encoder.embed(texts, LAYERS, batch_size=64)
    # other neighbours, other batch sizes, other order
    assert_same(together, encoder.embed(texts[::-2], LAYERS, batch_size=3), texts[::-2])
    assert_same(together, encoder.embed(texts[1::2], LAYERS, batch_size=64), texts[1::2])
    # each text alone, as bert-score's batch_size=1 embeds it
    for text in texts[::5]:
        assert_same(together, encoder.embed([text], LAYERS, batch_size=1), [text])
    # and on one thread, as in a worker of Hydra's joblib launcher
    with bert_engine.one_thread():
        assert_same(together, encoder.embed(texts[::3], LAYERS, batch_size=5), texts[::3])
        for text in short_texts(encoder)[:20]:
            assert_same(together, encoder.embed([text], LAYERS, batch_size=1), [text])
