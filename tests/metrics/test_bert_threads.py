"""bench.metrics.bert_engine: a text's embedding does not depend on the thread count or the process.

Forward passes run on one-thread kernels (several batches at a time on Python
threads), so a text's bits are those of the text alone on one thread, which
is how the oracle of test_bertscore.py runs ``bert_score.score(...,
batch_size=1)``: in-process on 2 threads, on 1 thread, with 1 or 2 embedding
workers, and in a child process limited to one thread the way Hydra's joblib
launcher limits its workers (OMP_NUM_THREADS=1 etc.), every bit is the same.
On a Sapphire Rapids Xeon (torch 2.13.0+cpu), the same batches on 2 threads
gave 83 of 176 SummEval texts other bits than on 1 (docs/kernel_checks.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from bench.metrics import bert_engine

from bert_texts import LAYERS, encoder, short_texts  # noqa: E402, F401  (shared by the engine tests; encoder is a fixture)


@pytest.fixture(scope="module")
def texts(encoder, summeval_items):
    real = list(dict.fromkeys(t for it in summeval_items[:32] for t in (it.candidate, *it.references)))
    return real + short_texts(encoder)


def alone_on_one_thread(encoder, text):
    """The text alone on one thread: what bert-score's batch_size=1 computes there (hidden states of LAYERS)."""
    import torch

    x = torch.tensor([encoder.token_ids(text)])
    with bert_engine.one_thread(), torch.no_grad():
        states = encoder.model(x, attention_mask=torch.ones_like(x), output_hidden_states=True).hidden_states
    return torch.stack([states[k][0] for k in LAYERS])


def assert_same(a, b, texts):
    import torch

    for text in texts:
        assert torch.equal(a[text].embedding, b[text].embedding), text[:40]


@pytest.fixture
def two_threads():
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(n)


@pytest.mark.slow
@pytest.mark.summeval
def test_embeddings_do_not_depend_on_threads_or_workers(encoder, texts, two_threads):
    import torch

    together = encoder.embed(texts, LAYERS, batch_size=64)  # 2 workers of one-thread kernels
    assert torch.get_num_threads() == 2  # restored
    assert_same(together, encoder.embed(texts, LAYERS, batch_size=7, workers=1), texts)
    assert_same(together, encoder.embed(texts[::-3], LAYERS, batch_size=64, workers=3), texts[::-3])
    with bert_engine.one_thread():
        assert_same(together, encoder.embed(texts[1::2], LAYERS, batch_size=5), texts[1::2])
        assert torch.get_num_threads() == 1
    for text in texts[::4]:
        assert torch.equal(together[text].embedding, alone_on_one_thread(encoder, text)), text[:40]


@pytest.mark.slow
@pytest.mark.summeval
def test_a_one_thread_process_embeds_the_same_bits(encoder, texts, minilm_path, tmp_path, two_threads):
    import torch

    ours = encoder.embed(texts, LAYERS, batch_size=64)
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    script = textwrap.dedent(f"""
        import json, torch
        from bench.metrics import bert_engine
        assert torch.get_num_threads() == 1
        texts = json.loads(open({str(tmp_path / "texts.json")!r}, encoding="utf-8").read())
        encoder = bert_engine.load_encoder(__import__("pathlib").Path({str(minilm_path)!r}), 6, "cpu", False)
        out = encoder.embed(texts, {LAYERS!r}, batch_size=16)
        torch.save({{t: e.embedding for t, e in out.items()}}, {str(tmp_path / "out.pt")!r})
    """)
    # what joblib's loky backend gives each of n_jobs workers on a machine of n_jobs cores
    limits = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, **limits}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    theirs = torch.load(tmp_path / "out.pt")
    for text in texts:
        assert torch.equal(ours[text].embedding, theirs[text]), text[:40]


@pytest.mark.slow
def test_batches_hold_one_token_length_and_short_texts_alone(encoder, monkeypatch):
    seen = []
    model = encoder.model

    def spy(x, attention_mask, output_hidden_states):
        seen.append(x.tolist())
        assert bool(attention_mask.all())  # no padding anywhere
        return model(x, attention_mask=attention_mask, output_hidden_states=output_hidden_states)

    monkeypatch.setattr(encoder, "model", spy)
    texts = short_texts(encoder) + [f"a longer text number {i} " * 4 for i in range(5)]
    out = encoder.embed(texts, (1,), batch_size=2)
    assert set(out) == set(texts) and all(e.embedding.shape[0] == 1 for e in out.values())
    ids = [tuple(encoder.token_ids(t)) for t in texts]
    for rows in seen:
        assert len({len(r) for r in rows}) == 1  # one token length per batch
        assert len(rows) <= 2 and len({tuple(r) for r in rows}) == len(rows)  # batch_size texts at most, no copies
        if len(rows[0]) < bert_engine.SMALL_ROWS:
            assert len(rows) == 1  # a short text alone: company would change its bits
    assert sorted(tuple(r) for rows in seen for r in rows) == sorted(set(ids))
    assert any(len(rows) == 2 for rows in seen)
