"""bench.metrics.bert_engine: a text's embedding does not depend on what it is batched with.

This is what makes a BERTScore value a function of its pair alone (bit-identical
to ``bert_score.score(..., batch_size=1)``, tested in test_bertscore.py), so
that shards merge exactly and a partly warm cache changes nothing. Real texts:
the first two SummEval documents, plus short texts, where a small batch
would take GEMM paths that depend on the thread count (see ``MIN_ROWS``).
"""

from __future__ import annotations

import pytest

from bench.metrics import bert_engine

LAYERS = (2, 6)


@pytest.fixture(scope="module")
def encoder(minilm_path):
    return bert_engine.load_encoder(minilm_path, 6, "cpu", False)


def short_texts(encoder):
    """Texts of 3 to 24 tokens, several per length (so they share batches)."""
    words = "the cat sat on a mat while two dogs ran past an old red barn near this quiet green hill".split()
    texts = [" ".join(words[i : i + n]) for n in range(1, 23) for i in range(3)]
    assert {len(encoder.token_ids(t)) for t in texts} >= set(range(3, 20))
    return texts


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


@pytest.mark.slow
def test_batches_hold_one_token_length_and_enough_rows(encoder, monkeypatch):
    seen = []
    model = encoder.model

    def spy(x, attention_mask, output_hidden_states):
        seen.append(x.tolist())
        assert bool(attention_mask.all())  # no padding anywhere
        return model(x, attention_mask=attention_mask, output_hidden_states=output_hidden_states)

    monkeypatch.setattr(encoder, "model", spy)
    texts = short_texts(encoder) + ["a longer text " * 12]
    out = encoder.embed(texts, (1,), batch_size=2)
    assert set(out) == set(texts) and all(e.embedding.shape[0] == 1 for e in out.values())
    ids = {tuple(encoder.token_ids(t)) for t in texts}
    for rows in seen:
        assert len({len(r) for r in rows}) == 1  # one token length per batch
        assert len(rows) * len(rows[0]) >= bert_engine.MIN_ROWS
        assert len({tuple(r) for r in rows}) <= 2  # batch_size distinct texts, the rest copies
    assert {tuple(r) for rows in seen for r in rows} == ids
    assert any(len(rows) > 2 for rows in seen) and any(len(rows) == 1 for rows in seen)
