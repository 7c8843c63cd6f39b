"""The transformers backend on SmolLM2-135M: prefix reuse and batching change nothing beyond float noise,
samples are seeded per prompt, ratings read single-token labels, and the GGUF copy is the GGUF model.

Slow tier, every test (CI runs it): the model's one-time conversion alone takes ~20 s, which the default
tier, sized for 3 minutes on 2 cores, does not pay."""

from __future__ import annotations

import pytest

from bench.errors import BenchError
from bench.metrics.judge import templates
from bench.metrics.judge.scoring import rate
from bench.metrics.judge.types import Params, Request

pytestmark = pytest.mark.slow

ARTICLE = ("The city council voted on Tuesday to close the old river bridge for six months of repairs. Engineers "
           "found cracks in two of its supports last spring. Buses will use the north bridge instead, and the "
           "council expects the work to cost 4 million pounds.")
SUMMARIES = ["The council will close the river bridge for six months of repairs.",
             "Buses are banned from the city after cracks were found.",
             "bridge bridge council the the repairs"]


def requests(params: Params = Params(), dims=("consistency", "fluency", "relevance")) -> list[Request]:
    out = []
    for template in templates.load_all(dims, {}):
        for summary in SUMMARIES:
            user, prefix, stem = template.render(summary, ARTICLE if template.uses == "source" else None)
            out.append(Request(template.system, user, prefix, stem, template.labels, params))
    return out


def answers(backend, reqs):
    got = {}
    backend.answer(reqs, lambda k, a: got.__setitem__(k, a))
    return [got[k] for k in range(len(reqs))]


def test_prefix_reuse_moves_ratings_by_float_noise_only(local_judge):
    reqs = requests(dims=("consistency", "fluency"))[1:5]  # two prompts with the article, two without
    ratings = {}
    for reuse, batch in ((True, 4), (False, 1)):
        local_judge.prefix_cache, local_judge.batch_size = reuse, batch
        ratings[reuse] = [rate(a, "logprobs", r.labels).value for a, r in zip(answers(local_judge, reqs), reqs)]
    local_judge.prefix_cache, local_judge.batch_size = True, 4
    assert all(1.0 <= v <= 5.0 for v in ratings[False])
    assert max(abs(a - b) for a, b in zip(ratings[True], ratings[False])) < 1e-4  # Facts.drift of a judge


def test_prefix_reuse_and_batching_move_ratings_by_float_noise_only(local_judge):
    reqs = requests()
    ratings = {}
    for reuse, batch in ((True, 4), (False, 4), (True, 1)):
        local_judge.prefix_cache, local_judge.batch_size = reuse, batch
        ratings[reuse, batch] = [rate(a, "logprobs", r.labels).value for a, r in zip(answers(local_judge, reqs), reqs)]
    local_judge.prefix_cache, local_judge.batch_size = True, 4
    base = ratings[False, 4]
    assert all(1.0 <= v <= 5.0 for v in base)
    for other in (ratings[True, 4], ratings[True, 1]):
        assert max(abs(a - b) for a, b in zip(base, other)) < 1e-4  # Facts.drift of a judge


def test_the_split_puts_the_article_in_the_prefix_and_the_instructions_in_the_stem(local_judge):
    consistency, relevance = requests(dims=("consistency",))[0], requests(dims=("relevance",))[0]
    ids_c, prefix_c, stem_c = local_judge.split(consistency)
    ids_r, prefix_r, stem_r = local_judge.split(relevance)
    assert ids_c[:prefix_c] == ids_r[:prefix_r] and prefix_c > 40  # the article's tokens: computed once for both
    assert prefix_c < stem_c < len(ids_c)
    text = local_judge.tokenizer.decode(ids_c[stem_c:])
    assert SUMMARIES[0][:20] in text  # what is left per request: the summary and the question


def test_an_answer_reports_its_prompt_tokens_and_the_labels_probabilities(local_judge):
    (answer,) = answers(local_judge, requests(dims=("fluency",))[:1])
    assert answer.prompt_tokens == local_judge.count_prompt(requests(dims=("fluency",))[0].messages())
    assert set(answer.probs) == {"1", "2", "3", "4", "5"} and 0 < sum(answer.probs.values()) <= 1 + 1e-12
    assert answer.completion_tokens == 1


def test_samples_are_seeded_per_prompt_whatever_else_is_drawn(local_judge):
    params = Params("sample", n=3, temperature=1.0, seed=7, max_tokens=3)
    reqs = requests(params, dims=("fluency",))
    alone = answers(local_judge, reqs[1:2])[0]
    together = answers(local_judge, reqs)[1]
    assert alone.texts == together.texts and len(alone.texts) == 3
    other_seed = answers(local_judge, requests(Params("sample", n=3, temperature=1.0, seed=8, max_tokens=3),
                                               dims=("fluency",))[1:2])[0]
    greedy = answers(local_judge, requests(Params("sample", n=2, temperature=0.0, seed=7, max_tokens=3),
                                           dims=("fluency",))[1:2])[0]
    assert greedy.texts[0] == greedy.texts[1]  # temperature 0: the same answer every time
    assert other_seed.texts != alone.texts or other_seed.texts == greedy.texts[:1] * 3


def test_a_rating_label_must_be_one_token_for_logprobs(local_judge):
    assert all(len(local_judge.label_ids(str(v))) >= 1 for v in range(1, 6))
    with pytest.raises(BenchError, match="rating '10' is not one token.*scoring=sample"):
        local_judge.label_ids("10")


def test_the_dequantized_copy_gives_the_gguf_models_logits_bit_for_bit(judge_model):
    import torch
    from transformers import AutoModelForCausalLM

    from bench.metrics.judge.local import _gguf_of

    gguf, _ = _gguf_of("smollm2-135m")
    original = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32).eval()
    copy = AutoModelForCausalLM.from_pretrained(judge_model, dtype=torch.float32).eval()
    ids = torch.tensor([[1, 504, 2114, 314, 253, 1028, 30, 378, 5716, 28]])
    with torch.inference_mode():
        assert torch.equal(original(ids).logits, copy(ids).logits)


def test_the_alias_resolves_the_packaged_gguf_and_converts_it_once(tmp_path, monkeypatch):
    import time

    from bench.metrics.judge.local import Local

    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path))
    first = Local("smollm2-135m")
    assert first.display() == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert first.model_files.directory.parent == tmp_path / "judge-models"
    start = time.perf_counter()
    again = Local("smollm2-135m")
    assert time.perf_counter() - start < 5  # no second conversion (it takes ~20 s)
    assert again.identity() == first.identity() and again.identity()["weights"].startswith("sha256:")
