"""The openai judge backend against a real OpenAI-compatible server on loopback (tests/metrics/judge/server.py).

Fast tier: the HTTP behaviour (request bodies, retries on 429/500/timeouts, at-once failures, the request
budget, in-flight answers kept on failure, response shapes, the key) against the server answering with
``FixedModel``, whose answers are known in advance. Slow tier: the server answering with SmolLM2-135M
through the local backend; the endpoint's ratings equal the local backend's on SummEval prompts.
"""

from __future__ import annotations

import math
import os
import secrets
import threading
import time

import pytest

from bench.errors import BenchError
from bench.metrics.judge.endpoint import Endpoint
from bench.metrics.judge.types import Params, Request
from tests.metrics.judge.server import FINGERPRINT, FixedModel, JudgeServer, key

LABELS = ("1", "2", "3", "4", "5")
LOGPROBS = Params(top_logprobs=20)
SAMPLE = Params(scoring="sample", n=3, temperature=0.7, seed=11, max_tokens=6)


@pytest.fixture(scope="session")
def fixed_server():
    server = JudgeServer(FixedModel(), model="fixed")
    yield server
    server.close()


@pytest.fixture
def server(fixed_server):
    fixed_server.reset()
    yield fixed_server
    fixed_server.reset()


def _requests(count: int, params: Params = LOGPROBS, prefix: str = "Article A.") -> list[Request]:
    return [Request("Answer with one digit.", f"{prefix} Summary {i}. Grade (1-5):", prefix, prefix, LABELS, params)
            for i in range(count)]


def _run(endpoint: Endpoint, requests):
    """(usage, answers by index, the order done was called in) of one answer call."""
    answers, order = {}, []

    def done(k, answer):
        order.append(k)
        answers[k] = answer

    return endpoint.answer(requests, done), answers, order


def _endpoint(server, **kwargs) -> Endpoint:
    return Endpoint(kwargs.pop("model", "fixed"), server.url, **{"backoff_s": 0.0, **kwargs})


# --- construction ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, words", [
    ({"model": ""}, "metrics.llm_judge.model=''"),
    ({"base_url": "127.0.0.1:8000/v1"}, "not an http(s) URL"),
    ({"base_url": "ftp://host/v1"}, "not an http(s) URL"),
    ({"base_url": "http://host:port/v1"}, "is not a URL"),
    ({"base_url": "http://host/v1?x=1"}, "query or fragment"),
    ({"base_url": None}, "is not a URL"),
    ({"concurrency": 0}, "concurrency=0 must be a whole number >= 1"),
    ({"concurrency": 2.0}, "concurrency=2.0"),
    ({"max_retries": -1}, "max_retries=-1"),
    ({"max_retries": True}, "max_retries=True"),
    ({"timeout_s": 0}, "timeout_s=0"),
    ({"timeout_s": float("nan")}, "timeout_s=nan"),
    ({"max_requests": 0}, "max_requests=0"),
    ({"context_window": -5}, "context_window=-5"),
    ({"backoff_s": -0.1}, "backoff_s=-0.1"),
    ({"fingerprint": 3}, "fingerprint=3"),
])
def test_bad_settings_are_one_line_errors(kwargs, words):
    args = {"model": "m", "base_url": "http://127.0.0.1:9/v1", **kwargs}
    with pytest.raises(BenchError) as err:
        Endpoint(**args)
    assert words in str(err.value) and err.value.fix and "\n" not in str(err.value)


def test_base_url_is_normalised_and_named_in_the_identity():
    e = Endpoint("m", "  http://127.0.0.1:8000/v1//  ", fingerprint="fp_1", context_window=4096)
    assert e.identity() == {"backend": "openai", "model": "m", "base_url": "http://127.0.0.1:8000/v1",
                            "fingerprint": "fp_1"}
    assert e.url == "http://127.0.0.1:8000/v1/chat/completions"
    assert (e.name, e.display(), e.window()) == ("openai", "m", 4096)
    assert Endpoint("m", "https://api.example.com/v1").identity()["fingerprint"] == ""


def test_credentials_in_base_url_are_refused_without_echo():
    with pytest.raises(BenchError) as err:
        Endpoint("m", "http://user:hunter2pass@127.0.0.1:8000/v1")
    assert "hunter2pass" not in str(err.value) and "user name or password" in str(err.value)


def test_a_missing_or_empty_key_variable_is_named(monkeypatch):
    monkeypatch.delenv("BENCH_TEST_NO_KEY", raising=False)
    with pytest.raises(BenchError, match="BENCH_TEST_NO_KEY.*not set or empty"):
        Endpoint("m", "http://127.0.0.1:9/v1", api_key_env="BENCH_TEST_NO_KEY")
    monkeypatch.setenv("BENCH_TEST_NO_KEY", "  ")
    with pytest.raises(BenchError, match="BENCH_TEST_NO_KEY"):
        Endpoint("m", "http://127.0.0.1:9/v1", api_key_env="BENCH_TEST_NO_KEY")


def test_a_key_pasted_into_api_key_env_is_not_echoed():
    pasted = "sk-" + secrets.token_hex(16)
    with pytest.raises(BenchError) as err:
        Endpoint("m", "http://127.0.0.1:9/v1", api_key_env=pasted)
    assert pasted not in str(err.value) and "NAME of an environment variable" in str(err.value)


@pytest.mark.parametrize("text", ["", "abc", "abcd", "héllo wörld " * 7, "日本語のテキスト" * 5, "🙂" * 9])
def test_token_estimate_and_truncation_agree(text):
    e = Endpoint("m", "http://127.0.0.1:9/v1")
    assert e.count_tokens(text) == math.ceil(len(text.encode("utf-8")) / 3)
    for n in range(e.count_tokens(text) + 2):
        cut = e.truncate(text, n)
        assert text.startswith(cut) and e.count_tokens(cut) <= n
        # the longest such prefix: one more character would not fit
        assert cut == text or e.count_tokens(text[:len(cut) + 1]) > n


# --- requests and answers -------------------------------------------------------------------------

def test_logprobs_request_and_answer(server):
    usage, answers, _ = _run(_endpoint(server), _requests(2))
    assert (usage.calls, usage.retries) == (2, 0)
    bodies = [r["body"] for r in server.log]
    assert sorted(b["messages"][1]["content"] for b in bodies) == [r.user for r in _requests(2)]
    by_user = {r.user: r.messages() for r in _requests(2)}
    assert all(b["messages"] == by_user[b["messages"][1]["content"]] for b in bodies)
    for body in bodies:
        assert {k: body[k] for k in ("model", "max_tokens", "temperature", "logprobs", "top_logprobs")} == {
            "model": "fixed", "max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 20}
        assert "seed" not in body
    answer = answers[0]
    # " 4" and "4" both read as 4; "\n5" as 5; "five" and "2." as no label; 1 and 2 absent: left out
    p = {t: math.exp(math.log(v)) for t, v in FixedModel.distribution(_requests(1)[0].messages())}  # as sent
    assert answer.probs == {"3": p["3"], "4": math.fsum([p[" 4"], p["4"]]), "5": p["\n5"]}
    assert answer.texts == (" 4",) and answer.fingerprint == FINGERPRINT
    assert answers[1].probs != answer.probs  # another prompt, another distribution
    words = sum(len(m["content"].split()) for m in _requests(1)[0].messages())
    assert (answer.prompt_tokens, answer.completion_tokens) == (words, 1)


def test_top_logprobs_is_sent_as_asked(server):
    _run(_endpoint(server), _requests(1, Params(top_logprobs=3)))
    _run(_endpoint(server), _requests(1, Params(top_logprobs=None)))  # none named: OpenAI's most, 20
    assert [r["body"]["top_logprobs"] for r in server.log] == [3, 20]


def test_samples_are_one_request_each_with_seed_plus_k(server):
    usage, answers, _ = _run(_endpoint(server, concurrency=3), _requests(2, SAMPLE))
    assert usage.calls == 6
    seeds = sorted((r["body"]["messages"][1]["content"], r["body"]["seed"]) for r in server.log)
    assert seeds == sorted((q.user, 11 + k) for q in _requests(2, SAMPLE) for k in range(3))
    for body in (r["body"] for r in server.log):
        assert (body["temperature"], body["max_tokens"]) == (0.7, 6) and "logprobs" not in body
    for answer in answers.values():
        assert answer.texts == tuple(f"{1 + (11 + k) % 5} out of 5" for k in range(3))  # in k order
        assert answer.probs is None and answer.completion_tokens == 3 * 4
        assert answer.prompt_tokens == 3 * sum(len(m["content"].split()) for m in _requests(1)[0].messages())


def test_requests_start_in_the_given_order(server):
    requests = [*_requests(3, prefix="Article A."), *_requests(3, prefix="Article B.")]
    _run(_endpoint(server, concurrency=1), requests)
    assert [r["body"]["messages"][1]["content"] for r in server.log] == [r.user for r in requests]


def test_concurrency_is_bounded_and_done_is_called_one_at_a_time(server):
    server.delay_s = 0.2
    inside, most, lock = [0], [0], threading.Lock()
    active = [0]
    original = server.decide

    def counting(headers, body):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        return original(headers, body)

    server.decide = counting
    calls = []

    def done(k, answer):
        inside[0] += 1
        assert inside[0] == 1  # no two done() calls overlap
        time.sleep(0.01)
        calls.append(k)
        inside[0] -= 1
        with lock:
            active[0] -= 1

    try:
        start = time.monotonic()
        usage = _endpoint(server, concurrency=3).answer(_requests(9), done)
        elapsed = time.monotonic() - start
    finally:
        del server.decide
    assert sorted(calls) == list(range(9)) and usage.calls == 9
    assert most[0] == 3  # three in flight, never more
    assert elapsed < 9 * 0.2  # they did overlap


# --- retries, failures, budget --------------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 503])
def test_retried_statuses_then_success(server, status):
    server.fail_next, server.fail_status = 2, status
    usage, answers, _ = _run(_endpoint(server), _requests(1))
    assert (usage.calls, usage.retries) == (3, 2) and set(answers[0].probs) == {"3", "4", "5"}
    assert server.chat_requests() == 3


def test_retry_after_is_honoured(server):
    server.fail_next, server.fail_status, server.retry_after = 1, 429, "0.6"
    start = time.monotonic()
    usage, _, _ = _run(_endpoint(server, backoff_s=0.0), _requests(1))
    assert usage.retries == 1 and time.monotonic() - start >= 0.6


def test_backoff_doubles(server):
    server.fail_next, server.fail_status = 2, 500
    start = time.monotonic()
    usage, _, _ = _run(_endpoint(server, backoff_s=0.2), _requests(1))
    assert usage.retries == 2 and time.monotonic() - start >= 0.2 + 0.4


def test_a_timeout_then_success(server):
    server.sleep_next, server.sleep_s = 1, 4.0
    usage, answers, _ = _run(_endpoint(server, timeout_s=1.0), _requests(1))
    assert (usage.calls, usage.retries) == (2, 1) and set(answers[0].probs) == {"3", "4", "5"}


def test_a_400_fails_at_once_with_one_line(server):
    server.fail_next, server.fail_status = 1, 400
    with pytest.raises(BenchError) as err:
        _run(_endpoint(server, max_retries=5), _requests(1))
    message = str(err.value)
    assert server.chat_requests() == 1
    assert "\n" not in message and "HTTP 400" in message and "test server answers 400 as told second line" in message
    assert "Content-Type" not in message and "Authorization" not in message


def test_retries_exhausted_fail_with_one_line(server):
    server.fail_next, server.fail_status = 10, 500
    with pytest.raises(BenchError) as err:
        _run(_endpoint(server, max_retries=2), _requests(1))
    assert server.chat_requests() == 3
    message = str(err.value)
    assert "\n" not in message and "failed 3 times in a row" in message and "HTTP 500" in message
    assert "rerun later" in err.value.fix


def test_timeouts_exhausted_name_the_timeout(server):
    server.sleep_next, server.sleep_s = 5, 2.0
    with pytest.raises(BenchError, match=r"last: no answer within timeout_s=0.5 s"):
        _run(_endpoint(server, timeout_s=0.5, max_retries=1), _requests(1))


def test_a_server_that_is_not_there_is_retried_then_named():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    e = Endpoint("m", f"http://127.0.0.1:{port}/v1", max_retries=1, backoff_s=0.0)
    with pytest.raises(BenchError, match=r"failed 2 times in a row; last: cannot connect"):
        e.answer(_requests(1), lambda k, a: None)


def test_a_budget_of_n_stops_after_n_requests(server):
    server.fail_next, server.fail_status = 1, 500  # the retry counts against the budget too
    answers = {}
    with pytest.raises(BenchError) as err:
        _endpoint(server, max_requests=4, concurrency=1).answer(_requests(6), answers.__setitem__)
    assert server.chat_requests() == 4 and sorted(answers) == [0, 1, 2]
    assert str(err.value).startswith("request budget of 4 (metrics.llm_judge.max_requests) exhausted after 3 of 6")
    assert err.value.fix == "rerun: answered requests are cached; or raise max_requests"


def test_a_budget_that_suffices_is_not_an_error(server):
    usage, answers, _ = _run(_endpoint(server, max_requests=3), _requests(3))
    assert usage.calls == 3 and len(answers) == 3


def test_in_flight_answers_reach_done_before_the_failure(server):
    # every request waits 0.5 s, so all four are in flight when the first one's 400 arrives; the other
    # three are answered 1.5 s later, long after the client has seen the failure and stopped starting more
    server.delay_s, server.hold_s, server.fail_next, server.fail_status = 0.5, 1.5, 1, 400
    answers = {}
    with pytest.raises(BenchError, match="HTTP 400"):
        _endpoint(server, concurrency=4).answer(_requests(10), answers.__setitem__)
    assert server.chat_requests() == 4  # no new request after the failure
    assert len(answers) == 3  # the other three finished and were handed over


def test_a_failing_sample_keeps_its_request_unanswered(server):
    server.fail_next, server.fail_status = 1, 404
    answers = {}
    with pytest.raises(BenchError, match="HTTP 404"):
        _endpoint(server, concurrency=1).answer(_requests(1, SAMPLE), answers.__setitem__)
    assert answers == {}


@pytest.mark.parametrize("raw, words", [
    (b"<html>busy</html>", "not JSON"),
    (b"[1, 2]", "not an object"),
    (b'{"choices": []}', "no choices"),
    (b'{"choices": [{"message": {"content": "4"}}]}', "sent no logprobs"),
    (b'{"choices": [{"logprobs": {"content": [{"token": "4", "top_logprobs": [{"token": "4", "logprob": NaN}]}]}}]}',
     "not JSON"),
    (b'{"choices": [{"logprobs": {"content": [{"token": "4", "top_logprobs": [{"token": "4", "logprob": "-1"}]}]}}]}',
     "not a log-probability"),
    (b'{"choices": [{"logprobs": {"content": [{"token": "4", "top_logprobs": [{"token": "4", "logprob": 0.5}]}]}}]}',
     "not a log-probability"),
    (b'{"choices": [{"logprobs": {"content": [{"token": "4", "top_logprobs": [{"logprob": -1}]}]}}]}',
     "has no token"),
    (b'{"choices": [{"logprobs": {"content": [{"token": "4", "top_logprobs": {}}]}}]}', "not a list"),
    (b'{"choices": [{"logprobs": {"content": [{"token": "4", "top_logprobs": []}]}}], "usage": {"prompt_tokens": -1}}',
     "usage.prompt_tokens is not a count"),
    (b'{"choices": [{"logprobs": {"content": [{"token": "4", "top_logprobs": []}]}}], "system_fingerprint": 7}',
     "system_fingerprint is not text"),
])
def test_a_response_of_the_wrong_shape_is_an_error_not_a_number(server, raw, words):
    server.garbage = [raw]
    answers = {}
    with pytest.raises(BenchError) as err:
        _endpoint(server).answer(_requests(1), answers.__setitem__)
    assert words in str(err.value) and "\n" not in str(err.value) and answers == {}
    assert server.chat_requests() == 1  # not retried: the same server would answer the same


def test_a_minimal_response_counts_zero_tokens(server):
    server.garbage = [(b'{"choices": [{"logprobs": {"content": [{"token": " 3", "top_logprobs": '
                       b'[{"token": " 3", "logprob": -0.1}, {"token": "9", "logprob": -3}]}]}}]}')]
    _, answers, _ = _run(_endpoint(server), _requests(1))
    answer = answers[0]
    assert answer.probs == {"3": math.exp(-0.1)} and answer.texts == (" 3",)
    assert (answer.prompt_tokens, answer.completion_tokens, answer.fingerprint) == (0, 0, None)


def test_a_sample_with_null_content_is_an_empty_text(server):
    server.garbage = [b'{"choices": [{"message": {"role": "assistant", "content": null}}]}']
    _, answers, _ = _run(_endpoint(server), _requests(1, Params(scoring="sample", n=1, temperature=0.0)))
    assert answers[0].texts == ("",)


# --- the key --------------------------------------------------------------------------------------

def test_the_key_is_sent_as_bearer_and_shown_nowhere(server, monkeypatch, caplog):
    import logging
    import pickle

    secret = secrets.token_urlsafe(24)
    monkeypatch.setenv("BENCH_TEST_JUDGE_KEY", secret)
    server.key = secret
    e = _endpoint(server, api_key_env="BENCH_TEST_JUDGE_KEY")
    caplog.set_level(logging.DEBUG)
    server.fail_next, server.fail_status = 1, 500
    usage, answers, _ = _run(e, _requests(1))
    assert usage.retries == 1
    assert all(r["headers"]["authorization"] == f"Bearer {secret}" for r in server.log)
    shown = [repr(e), str(vars(e)), str(e.identity()), e.display(), caplog.text,
             str([a.to_json() for a in answers.values()]), str(e.body(_requests(1)[0]))]
    assert not any(secret in text for text in shown)
    with pytest.raises(Exception):  # noqa: B017 (the key must not travel by pickle either)
        pickle.dumps(e)
    # a wrong key: the server's 401 echoes the header it got; the error shows neither key
    monkeypatch.setenv("BENCH_TEST_JUDGE_KEY", secret + "x")
    wrong = _endpoint(server, api_key_env="BENCH_TEST_JUDGE_KEY")
    with pytest.raises(BenchError) as err:
        wrong.answer(_requests(1), lambda k, a: None)
    assert "HTTP 401" in str(err.value) and "Bearer [key]" in str(err.value) and secret not in str(err.value)
    assert "api_key_env" in err.value.fix


def test_no_key_no_authorization_header(server):
    _run(_endpoint(server), _requests(1))
    assert "authorization" not in server.log[0]["headers"]


# --- resume from the response cache (what llm_judge does with done) --------------------------------

def _cached_run(endpoint, requests, cache):
    """The metric family's loop: answers from the cache, the missing ones from the endpoint, each cached
    in done as it arrives."""
    parts = [{"backend": endpoint.identity(), "messages": r.messages(), "params": r.params.key()} for r in requests]
    answers = {k: cache.get(p) for k, p in enumerate(parts)}
    missing = [k for k, a in answers.items() if a is None]

    def done(i, answer):
        cache.put(parts[missing[i]], answer)
        answers[missing[i]] = answer

    usage = endpoint.answer([requests[k] for k in missing], done)
    return answers, usage


def test_a_run_stopped_midway_resumes_without_repeating_a_request(server, tmp_path):
    from bench.metrics.judge.cache import ResponseCache

    requests = [*_requests(6), *_requests(2, SAMPLE, prefix="Article S.")]
    e = _endpoint(server, concurrency=2)
    server.fail_after, server.fail_after_status = 5, 400
    with pytest.raises(BenchError, match="HTTP 400"):
        _cached_run(e, requests, ResponseCache(tmp_path / "cache"))
    first = dict(server.answered)
    assert sum(first.values()) == 5
    server.fail_after = None
    resumed, usage = _cached_run(e, requests, ResponseCache(tmp_path / "cache"))
    assert max(server.answered.values()) == 1  # no answered request was asked again
    assert sum(server.answered.values()) == 6 + 2 * 3
    fresh, _ = _cached_run(e, requests, ResponseCache(tmp_path / "other"))
    assert {k: a.to_json() for k, a in resumed.items()} == {k: a.to_json() for k, a in fresh.items()}
    before = server.chat_requests()
    again, usage = _cached_run(e, requests, ResponseCache(tmp_path / "cache"))
    assert server.chat_requests() == before and usage.calls == 0
    assert {k: a.to_json() for k, a in again.items()} == {k: a.to_json() for k, a in fresh.items()}


# --- the real model (slow) ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def unbatched_judge(judge_model):
    """The small model (tests/metrics/judge/conftest.py), one prompt per forward pass and no prefix cache:
    the very forward pass the server's ``top_tokens`` makes, so the two agree to the last bit."""
    from bench.metrics.judge.local import Local

    return Local(str(judge_model), device="cpu", prefix_cache=False, batch_size=1)


@pytest.fixture(scope="session")
def model_server(unbatched_judge):
    server = JudgeServer(unbatched_judge, model="smollm2-135m")
    yield server
    server.close()


def _short_items(items, count: int):
    """One summary each of the ``count`` shortest SummEval articles: forward passes on a 2-core CPU
    dominate these tests' time, and they grow with the prompt."""
    first = {}
    for item in items:
        first.setdefault(item.source, item)
    return sorted(first.values(), key=lambda item: len(item.source))[:count]


def _summeval_requests(items, params: Params) -> list[Request]:
    from bench.metrics.judge.templates import load_all, shipped

    templates = load_all(shipped(), {})
    out = []
    for item in items:
        for template in templates:
            user, prefix, stem = template.render(item.candidate, item.source)
            out.append(Request(template.system, user, prefix, stem, template.labels, params))
    return out


@pytest.mark.slow
@pytest.mark.summeval
def test_endpoint_ratings_equal_the_local_backends(model_server, unbatched_judge, summeval_items):
    from bench.metrics.judge.scoring import rate

    model_server.reset()
    # 64 alternatives (a local server's limit, not a hosted API's 20): every label is among them here
    requests = _summeval_requests(_short_items(summeval_items, 2), Params(top_logprobs=64))
    usage, remote, _ = _run(Endpoint("smollm2-135m", model_server.url, concurrency=2), requests)
    local = {}
    unbatched_judge.answer(requests, local.__setitem__)
    assert usage.calls == len(requests) == 8
    for k, request in enumerate(requests):
        # every rating label is among the top 64 for these prompts, so nothing is left out
        assert set(remote[k].probs) == set(LABELS), (k, remote[k].probs)
        assert remote[k].texts == local[k].texts and remote[k].fingerprint == FINGERPRINT
        assert remote[k].prompt_tokens == local[k].prompt_tokens
        for label in LABELS:
            assert remote[k].probs[label] == pytest.approx(local[k].probs[label], abs=1e-12, rel=1e-9)
        ours, theirs = rate(remote[k], "logprobs", LABELS).value, rate(local[k], "logprobs", LABELS).value
        assert abs(ours - theirs) <= 1e-9, (k, ours, theirs)


@pytest.mark.slow
@pytest.mark.summeval
def test_endpoint_samples_are_the_servers(model_server, unbatched_judge, summeval_items):
    from bench.metrics.judge.scoring import first_number, rate

    model_server.reset()
    params = Params(scoring="sample", n=2, temperature=0.7, seed=5, max_tokens=4)
    requests = _summeval_requests(_short_items(summeval_items, 1), params)
    usage, answers, _ = _run(Endpoint("smollm2-135m", model_server.url, concurrency=3), requests)
    assert usage.calls == len(requests) * 2
    for k, request in enumerate(requests):
        expected = [unbatched_judge.generate(request.messages(), n=1, temperature=0.7, seed=5 + j, max_tokens=4)[0]
                    for j in range(2)]
        assert answers[k].texts == tuple(text for text, _ in expected)
        assert answers[k].completion_tokens == sum(n for _, n in expected)
        parsed = [v for v in (first_number(t, 1, 5) for t, _ in expected) if v is not None]
        rating = rate(answers[k], "sample", LABELS)
        assert rating.parsed == len(parsed) and rating.answers == 2
        assert rating.value == (math.fsum(parsed) / len(parsed) if parsed else None)
    # each sample's request, once
    assert sorted(model_server.received.values()) == [1] * len(requests) * 2
    assert all(key(r["body"]) in model_server.answered for r in model_server.log)


# --- through the CLI: bench run with metrics.llm_judge.backend=openai ---------------------------------

def _judge_args(url: str, summeval_path, *extra: str) -> list[str]:
    return ["run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=4", "results_dir=results",
            "metrics=[llm_judge]", "metrics.llm_judge.backend=openai", "metrics.llm_judge.model=fixed",
            f"metrics.llm_judge.base_url={url}", "metrics.llm_judge.max_retries=0", "metrics.llm_judge.progress=false",
            *extra]


def _judge_values(run_dir) -> dict:
    """Every judge value of a stored run: the means and each item's score and stored answer."""
    import bench

    run = bench.load_run(run_dir)
    from bench.results.model import thawed

    return {"means": {n: dict(m.stats) for n, m in run.metrics.items() if n.startswith("judge_")},
            "items": [(s.id, {k: dict(v) for k, v in s.scores.items() if k.startswith("judge_")},
                       {k: thawed(v) for k, v in s.details.items() if k.startswith("judge_")})
                      for s in run.samples]}


def _run_dir(proc, cwd):
    assert proc.returncode == 0, proc.stderr
    return cwd / proc.stdout.strip().splitlines()[-1]


@pytest.mark.summeval
def test_cli_a_failed_run_resumes_without_repeating_a_request(server, bench_main, summeval_path, tmp_path):
    # an uninterrupted run (its own cache) gives the values to compare with
    whole = tmp_path / "whole"
    whole.mkdir()
    done = bench_main(*_judge_args(server.url, summeval_path), cwd=whole, env={"BENCH_CACHE_DIR": str(whole / "c")})
    expected = _judge_values(_run_dir(done, whole))
    assert server.chat_requests() == 16 and len(expected["means"]) == 4
    # the same run failing after 6 answers: the server refuses everything after them (a 400: not retried)
    server.reset()
    server.fail_after = 6
    cut = tmp_path / "cut"
    cut.mkdir()
    env = {"BENCH_CACHE_DIR": str(cut / "c")}
    failed = bench_main(*_judge_args(server.url, summeval_path, "metrics.llm_judge.concurrency=1"), cwd=cut, env=env)
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    error = [line for line in failed.stderr.splitlines() if line.startswith("bench: error:")]
    assert len(error) == 1 and "HTTP 400" in error[0], failed.stderr
    assert sum(server.answered.values()) == 6 and not (cut / "results").exists()
    server.fail_after = None
    resumed = bench_main(*_judge_args(server.url, summeval_path), cwd=cut, env=env)
    assert max(server.answered.values()) == 1 and sum(server.answered.values()) == 16  # nothing answered twice
    assert _judge_values(_run_dir(resumed, cut)) == expected


@pytest.mark.summeval
def test_cli_a_rerun_is_answered_from_the_response_cache(server, bench_main, summeval_path, tmp_path):
    env = {"BENCH_CACHE_DIR": str(tmp_path / "c")}
    first = bench_main(*_judge_args(server.url, summeval_path), cwd=tmp_path, env=env)
    values = _judge_values(_run_dir(first, tmp_path))
    assert server.chat_requests() == 16
    again = bench_main(*_judge_args(server.url, summeval_path, "force=true"), cwd=tmp_path, env=env)
    assert server.chat_requests() == 16  # no request at all
    assert _run_dir(again, tmp_path) != _run_dir(first, tmp_path)
    assert _judge_values(_run_dir(again, tmp_path)) == values


@pytest.mark.summeval
def test_cli_the_key_is_never_written(server, bench_main, summeval_path, tmp_path):
    secret = "k-" + secrets.token_hex(20)
    server.key = secret
    env = {"BENCH_CACHE_DIR": str(tmp_path / "c"), "BENCH_TEST_JUDGE_KEY": secret}
    args = _judge_args(server.url, summeval_path, "metrics.llm_judge.api_key_env=BENCH_TEST_JUDGE_KEY",
                       "metrics.llm_judge.max_retries=1")
    server.fail_next, server.fail_status = 1, 500  # a retry's log line too
    proc = bench_main(*args, cwd=tmp_path, env=env)
    run_dir = _run_dir(proc, tmp_path)
    # what bench writes from the run: its export (the stored answers included)
    exported = bench_main("export", str(run_dir), "--format", "jsonl", "--output", str(tmp_path / "export.jsonl"),
                          cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    # a wrong key: the server's 401 echoes the header it got
    wrong = bench_main(*args, "force=true", "metrics.llm_judge.cache=false", cwd=tmp_path,
                       env={**env, "BENCH_TEST_JUDGE_KEY": secret + "x"})
    assert wrong.returncode != 0 and "HTTP 401" in wrong.stderr
    chat = [r for r in server.log if r["path"].endswith("/chat/completions")]
    assert chat and all(r["headers"]["authorization"].startswith(f"Bearer {secret}") for r in chat)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.parent.parent.name == "judge" for p in written)  # the response cache was written
    assert (tmp_path / "export.jsonl").stat().st_size > 0
    for path in written:
        assert secret.encode() not in path.read_bytes(), path
    for stream in (proc.stdout, proc.stderr, exported.stdout, exported.stderr, wrong.stdout, wrong.stderr):
        assert secret not in stream


@pytest.mark.slow
@pytest.mark.summeval
def test_cli_a_killed_run_resumes_without_repeating_a_request(server, bench_exe, bench_main, summeval_path, tmp_path):
    """SIGKILL mid-run (no handler runs, nothing is flushed at exit): every answer that reached the cache
    before the kill is not asked again, and the resumed run equals an uninterrupted one."""
    import signal
    import subprocess

    from tests import _cli

    whole = tmp_path / "whole"
    whole.mkdir()
    expected = _judge_values(_run_dir(bench_main(*_judge_args(server.url, summeval_path), cwd=whole,
                                                 env={"BENCH_CACHE_DIR": str(whole / "c")}), whole))
    server.reset()
    server.delay_s = 0.15  # 16 answers one at a time take > 2 s: the kill lands midway
    cache = tmp_path / "c"
    env = {**os.environ, **_cli.BASE_ENV, "BENCH_CACHE_DIR": str(cache)}
    proc = subprocess.Popen([bench_exe, *_judge_args(server.url, summeval_path, "metrics.llm_judge.concurrency=1")],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while sum(server.answered.values()) < 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    killed_at = sum(server.answered.values())
    assert 5 <= killed_at < 16
    server.delay_s = 0.0
    finished = len(list((cache / "judge").rglob("*.json")))  # the answers the killed run had cached
    assert finished >= killed_at - 1
    before = server.chat_requests()
    resumed = _run_dir(bench_main(*_judge_args(server.url, summeval_path), cwd=tmp_path,
                                  env={"BENCH_CACHE_DIR": str(cache)}), tmp_path)
    repeated = [k for k, n in server.answered.items() if n > 1]
    # at most the one answer in flight at the kill (answered by the server, not yet cached) is asked again
    assert len(repeated) <= 1 and all(server.answered[k] == 2 for k in repeated)
    assert server.chat_requests() - before == 16 - finished  # exactly the unfinished ones
    assert sum(server.answered.values()) == 16 + len(repeated)
    assert _judge_values(resumed) == expected


@pytest.mark.slow
@pytest.mark.summeval
def test_cli_openai_values_equal_the_transformers_backends(model_server, judge_model, bench_main, summeval_path,
                                                           tmp_path):
    """The same judge run through the endpoint (the server answering with SmolLM2) and through the local
    backend (one prompt per forward pass, as the server computes them) stores the same ratings."""
    model_server.reset()
    common = ["run", "dataset=summeval", f"dataset.path={summeval_path}", "limit=2", "results_dir=results",
              "metrics=[llm_judge]", "metrics.llm_judge.dimensions=[fluency,coherence]",
              "metrics.llm_judge.progress=false"]
    env = {"BENCH_CACHE_DIR": str(tmp_path / "c")}
    remote = _judge_values(_run_dir(bench_main(
        *common, "metrics.llm_judge.backend=openai", "metrics.llm_judge.model=smollm2-135m",
        f"metrics.llm_judge.base_url={model_server.url}", "metrics.llm_judge.top_logprobs=64",
        "metrics.llm_judge.cache=false", cwd=tmp_path, env=env), tmp_path))
    assert model_server.chat_requests() == 4
    local = _judge_values(_run_dir(bench_main(
        *common, "metrics.llm_judge.backend=transformers", f"metrics.llm_judge.model={judge_model}",
        "metrics.llm_judge.device=cpu",
        "metrics.llm_judge.prefix_cache=false", "metrics.llm_judge.batch_size=1", "metrics.llm_judge.cache=false",
        cwd=tmp_path, env=env), tmp_path))
    for (rid, rscores, rdetails), (lid, lscores, ldetails) in zip(remote["items"], local["items"]):
        assert rid == lid
        for name, detail in rdetails.items():
            assert set(detail["probs"]) == set(LABELS), (rid, name, detail["probs"])  # all in the top 64
            assert detail["texts"] == ldetails[name]["texts"] and detail["system_fingerprint"] == FINGERPRINT
            assert abs(rscores[name]["score"] - lscores[name]["score"]) <= 1e-9, (rid, name)
    for name, means in remote["means"].items():
        assert abs(means["score"] - local["means"][name]["score"]) <= 1e-9
