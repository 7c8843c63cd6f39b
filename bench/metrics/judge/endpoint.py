"""The OpenAI-compatible judge backend: any chat-completions endpoint (vLLM, llama.cpp's server, Ollama,
hosted APIs), over HTTP with the standard library.

Each request is ``POST {base_url}/chat/completions`` with the model and the chat messages, and:

- ``scoring=logprobs``: ``max_tokens: 1, temperature: 0, logprobs: true, top_logprobs: k`` (``k`` from the
  request's parameters; 20, the most OpenAI's API allows, when they name none). A label's
  probability is the sum of ``exp(logprob)`` over the first position's top alternatives whose token,
  stripped of whitespace, is the label (``4`` and `` 4`` both count, as in the local backend); a label
  absent from the top ``k`` is left out (scoring reads only the labels present; none at all: unparsed).
- ``scoring=sample``: one request per sample ``k = 0..n-1`` with ``seed: seed + k``, the temperature and
  ``max_tokens`` (many servers ignore ``n > 1``); the answer's texts are in ``k`` order.

Token counts come from the response's ``usage`` (summed over a sample's requests; 0 where a server sends
none); ``system_fingerprint`` is kept in the answer where the server reports one.

Workload: ``concurrency`` requests in flight (worker threads), started in the order given (the caller
puts requests that share ``Request.prefix`` next to each other, so a server with prefix caching reuses
the article's KV cache); ``done(k, answer)`` is called as each request's answer is complete, one call at
a time. 429, 5xx, timeouts and connection errors are retried up to ``max_retries`` times after
``backoff_s * 2**attempt`` seconds (a numeric ``Retry-After`` instead, at most 30 s); any other status
fails at once. ``max_requests`` bounds the HTTP requests of one ``answer`` call, retries included. On a
failure no new request starts, the ones in flight finish (their answers reach ``done``, so the cache
keeps them) and then one ``BenchError`` names the status and the server's message.

The API key: read once, from the environment variable named by ``api_key_env``, and sent only as the
``Authorization: Bearer`` header. It is not an attribute of the object (``repr``, ``vars``, identity,
errors and logs cannot show it), and a server message that echoes it has it replaced before it is shown.

Token counting (no tokenizer is local): one token per 3 UTF-8 bytes, rounded up. Tokenizers of English
and other Latin-script text average about 4 bytes per token, so the estimate over-counts there and a
prompt truncated by it fits the window; text in scripts where one character is a token or more (CJK) can
be under-counted: set ``context_window`` lower for such text. ``truncate`` keeps the longest prefix of at
most ``3 * tokens`` UTF-8 bytes (whole characters), so ``count_tokens(truncate(t, n)) <= n``.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Sequence

from bench.errors import BenchError
from bench.metrics.judge.types import LOGPROBS, Answer, Request, Usage

log = logging.getLogger(__name__)
BYTES_PER_TOKEN = 3
MAX_RETRY_AFTER_S = 30.0
MESSAGE_CHARS = 200  # a server's message is cut to this in errors (one line)
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
LOOPBACK = ("localhost", "127.0.0.1", "::1")
TOP_LOGPROBS = 20  # asked for when the parameters name no number (OpenAI's API allows at most 20)


def _option(name: str, value: Any, need: str, example: str) -> BenchError:
    return BenchError(f"metrics.llm_judge.{name}={value!r} {need}", f"pass {name}={example}")


def _whole(name: str, value: Any, low: int, example: str) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= low):
        raise _option(name, value, f"must be a whole number >= {low}", example)
    return value


def _seconds(name: str, value: Any, positive: bool, example: str) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (value <= 0 if positive else value < 0):
        raise _option(name, value, f"must be a number of seconds {'> 0' if positive else '>= 0'}", example)
    return float(value)


def normalise_url(base_url: Any) -> str:
    """``base_url`` checked (http or https, a host, no credentials, query or fragment), trailing ``/`` removed."""
    fix = "pass base_url=http://HOST:PORT/v1 (the part before /chat/completions)"
    if not isinstance(base_url, str) or not base_url.strip():
        raise BenchError(f"metrics.llm_judge.base_url={base_url!r} is not a URL", fix)
    text = base_url.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        raise BenchError(f"metrics.llm_judge.base_url={text!r} is not a URL", fix) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BenchError(f"metrics.llm_judge.base_url={text!r} is not an http(s) URL with a host", fix)
    if parts.username is not None or parts.password is not None:
        # Not echoed: the URL holds a credential. It would otherwise reach the cache key and the record.
        raise BenchError("metrics.llm_judge.base_url holds a user name or password",
                         "remove it from the URL and put the key in an environment variable named by api_key_env")
    if parts.query or parts.fragment:
        raise BenchError(f"metrics.llm_judge.base_url={text!r} has a query or fragment",
                         "pass the URL up to /v1 only (bench appends /chat/completions)")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: urllib would resend the Authorization header to wherever they point."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Failure(Exception):
    """A request that cannot be answered: the one-line problem and fix of the BenchError to raise."""

    def __init__(self, problem: str, fix: str):
        super().__init__(problem)
        self.problem, self.fix = problem, fix


class _Budget(Exception):
    """The request budget is spent (no new HTTP request may start)."""


class Endpoint:
    """The ``openai`` backend (``Backend``): chat completions from ``base_url`` for ``model``."""

    name = "openai"

    def __init__(self, model: str, base_url: str, api_key_env: str | None = None, concurrency: int = 4,
                 max_retries: int = 5, timeout_s: float = 60.0, max_requests: int | None = None,
                 fingerprint: str | None = None, context_window: int | None = None, backoff_s: float = 0.5):
        if not isinstance(model, str) or not model.strip():
            raise _option("model", model, "is not a model name", "the name the server serves (GET /v1/models)")
        self.model = model
        self.base_url = normalise_url(base_url)
        self.url = self.base_url + "/chat/completions"
        self.concurrency = _whole("concurrency", concurrency, 1, "4")
        self.max_retries = _whole("max_retries", max_retries, 0, "5")
        self.timeout_s = _seconds("timeout_s", timeout_s, True, "60")
        self.max_requests = None if max_requests is None else _whole("max_requests", max_requests, 1, "1000")
        if fingerprint is not None and not isinstance(fingerprint, str):
            raise _option("fingerprint", fingerprint, "is not text",
                          "the server's system_fingerprint, or leave it unset")
        self.fingerprint = fingerprint
        self.context_window = None if context_window is None else _whole("context_window", context_window, 1, "8192")
        self.backoff_s = _seconds("backoff_s", backoff_s, False, "0.5")
        self.api_key_env = api_key_env
        key = _read_key(api_key_env)
        # The key lives only in this closure: no attribute holds it, so repr/vars/pickle cannot show it.
        self._headers: Callable[[], dict[str, str]] = lambda: {
            "Content-Type": "application/json", "Accept": "application/json",
            **({"Authorization": f"Bearer {key}"} if key else {})}
        self._scrub: Callable[[str], str] = (lambda text: text.replace(key, "[key]")) if key else (lambda text: text)
        handlers: list[Any] = [_NoRedirect()]
        if urllib.parse.urlsplit(self.base_url).hostname in LOOPBACK:
            handlers.append(urllib.request.ProxyHandler({}))  # a proxy cannot reach this machine's loopback
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"Endpoint(model={self.model!r}, base_url={self.base_url!r}, api_key_env={self.api_key_env!r})"

    # --- what the model is ---
    def identity(self) -> dict[str, str]:
        return {"backend": self.name, "model": self.model, "base_url": self.base_url,
                "fingerprint": self.fingerprint or ""}

    def display(self) -> str:
        return self.model

    def window(self) -> int | None:
        return self.context_window

    def count_tokens(self, text: str) -> int:
        return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN)

    def truncate(self, text: str, tokens: int) -> str:
        data = text.encode("utf-8")
        limit = max(0, tokens) * BYTES_PER_TOKEN
        return text if len(data) <= limit else data[:limit].decode("utf-8", errors="ignore")

    # --- answers ---
    def body(self, request: Request, sample: int = 0) -> dict[str, Any]:
        """The JSON body of one HTTP request (``sample``: the sample's index, scoring=sample)."""
        params = request.params
        out: dict[str, Any] = {"model": self.model, "messages": request.messages()}
        if params.scoring == LOGPROBS:
            out.update(max_tokens=1, temperature=0, logprobs=True, top_logprobs=params.top_logprobs or TOP_LOGPROBS)
        else:
            out.update(seed=params.seed + sample, temperature=params.temperature, max_tokens=params.max_tokens)
        return out

    def answer(self, requests: Sequence[Request], done: Callable[[int, Answer], None]) -> Usage:
        """Answer every request (see the module's docstring); raises BenchError after the in-flight requests
        have finished when one cannot be answered or the request budget is spent."""
        units = [(k, j) for k, r in enumerate(requests)
                 for j in range(1 if r.params.scoring == LOGPROBS else r.params.n)]
        if not units:
            return Usage()
        state = _State(requests)
        pending = iter(units)
        lock, done_lock = threading.Lock(), threading.Lock()

        def worker() -> None:
            while True:
                with lock:
                    if state.stop:
                        return
                    unit = next(pending, None)
                if unit is None:
                    return
                k, j = unit
                try:
                    part = self._call(requests[k], j, state, lock)
                except _Budget:
                    with lock:
                        state.stop = state.exhausted = True
                    return
                except _Failure as failure:
                    with lock:
                        state.stop = True
                        state.failure = state.failure or failure
                    return
                except Exception as exc:  # noqa: BLE001 (a bug: stop the others and re-raise it in the caller's thread)
                    with lock:
                        state.stop = True
                        state.crash = state.crash or exc
                    return
                with lock:
                    complete = state.add(k, j, part)
                if complete is not None:
                    with done_lock:
                        done(k, complete)
                    with lock:
                        state.answered += 1

        threads = [threading.Thread(target=worker, name=f"bench-judge-endpoint-{i}", daemon=True)
                   for i in range(min(self.concurrency, len(units)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if state.crash is not None:
            raise state.crash
        if state.failure is not None:
            raise BenchError(state.failure.problem, state.failure.fix)
        if state.exhausted:
            raise BenchError(f"request budget of {self.max_requests} (metrics.llm_judge.max_requests) exhausted after "
                             f"{state.answered} of {len(requests)} prompts answered",
                             "rerun: answered requests are cached; or raise max_requests")
        return Usage(calls=state.calls, retries=state.retries)

    def _call(self, request: Request, sample: int, state: _State, lock: threading.Lock) -> _Part:
        """One sample's answer, retried as the module says; _Failure or _Budget when there is none."""
        data = json.dumps(self.body(request, sample), ensure_ascii=False, allow_nan=False).encode("utf-8")
        last = ""
        for attempt in range(self.max_retries + 1):
            with lock:
                if self.max_requests is not None and state.calls >= self.max_requests:
                    raise _Budget()
                state.calls += 1
                state.retries += attempt > 0
            wait = self.backoff_s * 2 ** attempt
            try:
                status, headers, body = self._post(data)
            except TimeoutError:  # socket.timeout is TimeoutError
                last = f"no answer within timeout_s={self.timeout_s:g} s"
            except urllib.error.URLError as exc:
                reason = exc.reason
                last = (f"no answer within timeout_s={self.timeout_s:g} s" if isinstance(reason, TimeoutError)
                        else f"cannot connect ({self._one_line(str(reason))})")
            except (OSError, http.client.HTTPException) as exc:
                last = f"the connection failed ({type(exc).__name__}: {self._one_line(str(exc))})"
            else:
                if status == 200:
                    return self._parse(request, body)
                message = self._server_message(body)
                last = f"HTTP {status}" + (f" ({message})" if message else "")
                if not (status == 429 or 500 <= status <= 599):
                    raise _Failure(f"the judge endpoint {self.url} answered {last}", _fix(status))
                after = _retry_after(headers.get("Retry-After"))
                if after is not None:
                    wait = after
            if attempt < self.max_retries:
                log.debug("judge endpoint: %s; retrying in %.2f s", last, wait)
                time.sleep(wait)
        raise _Failure(f"the judge endpoint {self.url} failed {self.max_retries + 1} times in a row; last: {last}",
                       "rerun later (answered requests are cached), or raise max_retries or timeout_s")

    def _post(self, data: bytes) -> tuple[int, Any, bytes]:
        """(status, headers, body) of one POST; an HTTP error status is an answer here, not an exception."""
        req = urllib.request.Request(self.url, data=data, headers=self._headers(), method="POST")
        try:
            with self._opener.open(req, timeout=self.timeout_s) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read()
            except (OSError, http.client.HTTPException):
                body = b""
            finally:
                exc.close()
            return exc.code, exc.headers, body

    def _one_line(self, text: str) -> str:
        line = " ".join(self._scrub(text).split())
        return line if len(line) <= MESSAGE_CHARS else line[:MESSAGE_CHARS - 3] + "..."

    def _server_message(self, body: bytes) -> str:
        """The server's short message from an error body (OpenAI's ``{"error": {"message"}}``, a ``message``
        or ``detail`` field, or the text itself), one line, the key replaced if the server echoed it."""
        text = body.decode("utf-8", errors="replace").strip()
        try:
            from bench import jsonio

            data = jsonio.loads(text)
        except ValueError:
            return self._one_line(text)
        for found in (data.get("error") if isinstance(data, dict) else None, data):
            if isinstance(found, str):
                return self._one_line(found)
            if isinstance(found, dict):
                for field in ("message", "detail", "error"):
                    if isinstance(found.get(field), str):
                        return self._one_line(found[field])
        return self._one_line(text)

    def _parse(self, request: Request, body: bytes) -> _Part:
        """One response's text, label probabilities, token counts and fingerprint; _Failure when the
        response is not a chat completion of the expected shape (never a number made up)."""
        from bench import jsonio

        def bad(what: str) -> _Failure:
            return _Failure(f"the judge endpoint {self.url} sent a response that is not a chat completion ({what})",
                            "check that base_url is an OpenAI-compatible /v1 endpoint")

        try:
            data = jsonio.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise bad(f"not JSON: {self._one_line(str(exc))}") from None
        if not isinstance(data, dict):
            raise bad("not an object")
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise bad("no choices")
        choice = choices[0]
        usage = data.get("usage")
        counts = []
        for field in ("prompt_tokens", "completion_tokens"):
            value = usage.get(field) if isinstance(usage, dict) else None
            if value is None:
                value = 0
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
                raise bad(f"usage.{field} is not a count")
            counts.append(value)
        if usage is not None and not isinstance(usage, dict):
            raise bad("usage is not an object")
        fingerprint = data.get("system_fingerprint")
        if fingerprint is not None and not isinstance(fingerprint, str):
            raise bad("system_fingerprint is not text")
        if request.params.scoring != LOGPROBS:
            message = choice.get("message")
            if not isinstance(message, dict):
                raise bad("choices[0].message is not an object")
            content = message.get("content")
            if content is not None and not isinstance(content, str):
                raise bad("choices[0].message.content is not text")
            # null content (a refusal, a tool call) is an answer with no text: it parses as no rating.
            return _Part(content or "", None, counts[0], counts[1], fingerprint)
        logprobs = choice.get("logprobs")
        content = logprobs.get("content") if isinstance(logprobs, dict) else None
        if not isinstance(content, list) or not content or not isinstance(content[0], dict):
            raise _Failure(f"the judge endpoint {self.url} sent no logprobs (choices[0].logprobs.content) for "
                           f"model {self.model}", "use scoring=sample with a server that does not return logprobs")
        first = content[0]
        token, top = first.get("token"), first.get("top_logprobs")
        if not isinstance(token, str):
            raise bad("logprobs.content[0].token is not text")
        if not isinstance(top, list):
            raise bad("logprobs.content[0].top_logprobs is not a list")
        masses: dict[str, list[float]] = {}
        for entry in top:
            if not isinstance(entry, dict) or not isinstance(entry.get("token"), str):
                raise bad("a top_logprobs entry has no token")
            value = entry.get("logprob")
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                    and value <= 1e-6):
                raise bad("a top_logprobs entry's logprob is not a log-probability")
            label = entry["token"].strip()
            if label in request.labels:
                masses.setdefault(label, []).append(math.exp(min(float(value), 0.0)))
        probs = {label: math.fsum(masses[label]) for label in request.labels if label in masses}
        if any(p > 1.0 + 1e-6 for p in probs.values()):
            raise bad("a label's alternatives sum to a probability above 1")
        return _Part(token, {k: min(v, 1.0) for k, v in probs.items()}, counts[0], counts[1], fingerprint)


class _Part:
    """One HTTP response's contribution to an answer."""

    __slots__ = ("completion_tokens", "fingerprint", "probs", "prompt_tokens", "text")

    def __init__(self, text: str, probs: dict[str, float] | None, prompt_tokens: int, completion_tokens: int,
                 fingerprint: str | None):
        self.text, self.probs, self.fingerprint = text, probs, fingerprint
        self.prompt_tokens, self.completion_tokens = prompt_tokens, completion_tokens


class _State:
    """What the workers of one ``answer`` call share (read and written under its lock)."""

    def __init__(self, requests: Sequence[Request]):
        self.requests = requests
        self.parts: dict[int, dict[int, _Part]] = {}
        self.calls = self.retries = self.answered = 0
        self.stop = self.exhausted = False
        self.failure: _Failure | None = None
        self.crash: Exception | None = None

    def add(self, k: int, j: int, part: _Part) -> Answer | None:
        """Record sample ``j`` of request ``k``; the request's answer once all its samples are in."""
        request = self.requests[k]
        n = 1 if request.params.scoring == LOGPROBS else request.params.n
        got = self.parts.setdefault(k, {})
        got[j] = part
        if len(got) < n:
            return None
        del self.parts[k]
        ordered = [got[i] for i in range(n)]
        fingerprint = next((p.fingerprint for p in ordered if p.fingerprint is not None), None)
        return Answer(tuple(p.text for p in ordered), ordered[0].probs if request.params.scoring == LOGPROBS else None,
                      sum(p.prompt_tokens for p in ordered), sum(p.completion_tokens for p in ordered), fingerprint)


def _read_key(api_key_env: Any) -> str:
    """The key in the environment variable ``api_key_env`` ('' when no variable is named). The variable's
    name is checked first, so a key pasted into api_key_env is refused without being echoed."""
    if api_key_env is None:
        return ""
    if not isinstance(api_key_env, str) or not ENV_NAME.fullmatch(api_key_env):
        raise BenchError("metrics.llm_judge.api_key_env must be the NAME of an environment variable (letters, digits "
                         "and _), not the key itself", "export MY_KEY=...; then pass api_key_env=MY_KEY")
    key = os.environ.get(api_key_env, "")
    if not key.strip():
        raise BenchError(f"the environment variable {api_key_env} (metrics.llm_judge.api_key_env) is not set or empty",
                         f"export {api_key_env}=<the API key>, or leave api_key_env unset for a server without keys")
    if any(c in key for c in "\r\n"):
        raise BenchError(f"the environment variable {api_key_env} holds a line break",
                         f"export {api_key_env} with the key alone")
    return key.strip()


def _retry_after(value: Any) -> float | None:
    """A numeric Retry-After header in seconds, capped (None: absent, or an HTTP date, which is not honoured)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S) if math.isfinite(seconds) else None


def _fix(status: int) -> str:
    if status in (401, 403):
        return "check the API key in the environment variable named by api_key_env"
    if status == 404:
        return "check base_url (up to /v1, without /chat/completions) and that the server serves the model"
    return "check the model name and the scoring options (top_logprobs, max_tokens) the server supports"
