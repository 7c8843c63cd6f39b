"""A minimal OpenAI-compatible chat-completions server on loopback, answering with a local judge model.

llama-cpp-python's server would need a from-source C++ build that does not fit the CI budget, so the
endpoint tests start this one: a ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) in a background
thread, serving ``POST /v1/chat/completions`` and ``GET /v1/models`` with answers computed by
``bench.metrics.judge.local.Local`` (``top_tokens`` for logprobs, ``generate`` for samples,
``count_prompt`` for usage). Model calls are serialised (one forward at a time), as a one-GPU server's
would be; HTTP handling is concurrent, so the client's concurrency and timeouts are real.

What a test can see and set (attributes; ``reset()`` restores the defaults and clears the counts):

- ``log``: every request (``path``, ``headers`` as a dict, parsed ``body``), in arrival order;
- ``received`` / ``answered``: per prompt key (``key(body)``: SHA-256 of the request body's canonical JSON,
  so each sample's seed is its own key), how many requests arrived / were answered with 200;
- ``fail_next`` (K) with ``fail_status`` (429 by default, with ``Retry-After: 0``; 500; 400 ...): the next
  K chat requests get that status;
- ``sleep_next`` (K) with ``sleep_s``: the next K chat requests are answered only after ``sleep_s``
  seconds (the client times out first);
- ``fail_after`` (N) with ``fail_after_status``: every chat request after the N-th answered one fails;
- ``delay_s``: every chat request waits this long before its answer (error or not), so that several
  requests are in flight together;
- ``hold_s``: answers with status 200 wait this much longer (so an error reaches the client first);
- ``garbage``: a list of raw bodies: the next chat requests get these with status 200, one each;
- ``key``: when set, a request without ``Authorization: Bearer <key>`` gets 401 whose message echoes the
  header it got (as some hosted APIs echo part of a wrong key: the client must not show it).

``FixedModel`` is a stand-in for ``Local`` with a fixed next-token distribution and seeded texts: the
HTTP behaviour (retries, budget, timeouts, shapes, the key) is tested with it in the fast tier; what
the model says is tested with the real one (slow tier).

Every answer carries ``usage`` and ``system_fingerprint = FINGERPRINT``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FINGERPRINT = "fp_bench_test_server"


def key(body: Any) -> str:
    """A request's identity: the hash of its body's canonical JSON (model, messages, every parameter)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class JudgeServer:
    """The server and what it saw; ``url`` is the ``base_url`` a client passes (``http://127.0.0.1:PORT/v1``)."""

    def __init__(self, local, model: str = "smollm2-135m"):
        self.local = local
        self.model = model
        self._model_lock = threading.Lock()
        self._lock = threading.Lock()
        self.reset()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, name="judge-test-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def reset(self) -> None:
        with self._lock:
            self.log: list[dict[str, Any]] = []
            self.received: Counter[str] = Counter()
            self.answered: Counter[str] = Counter()
            self.fail_next, self.fail_status, self.retry_after = 0, 429, "0"
            self.sleep_next, self.sleep_s = 0, 0.0
            self.fail_after: int | None = None
            self.fail_after_status = 400
            self.key: str | None = None
            self.delay_s = self.hold_s = 0.0
            self.garbage: list[bytes] = []

    def chat_requests(self) -> int:
        """Chat-completion requests received since the last reset."""
        with self._lock:
            return sum(1 for r in self.log if r["path"].endswith("/chat/completions"))

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # --- answers ---
    def decide(self, headers: dict[str, str], body: Any) -> tuple[int, float]:
        """(status to send, seconds to sleep first) for one chat request, counting it."""
        with self._lock:
            self.received[key(body)] += 1
            if self.key is not None and headers.get("authorization") != f"Bearer {self.key}":
                return 401, 0.0
            if self.garbage:
                return -1, 0.0
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, 0.0
            if self.fail_after is not None and sum(self.answered.values()) >= self.fail_after:
                return self.fail_after_status, 0.0
            if self.sleep_next > 0:
                self.sleep_next -= 1
                return 200, self.sleep_s
            return 200, 0.0

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """The chat completion for ``body`` (logprobs: the next-token distribution; else sampled text)."""
        messages = body["messages"]
        with self._model_lock:
            prompt_tokens = self.local.count_prompt(messages)
            if body.get("logprobs"):
                top = self.local.top_tokens(messages, int(body.get("top_logprobs") or 1))
                token, logprob = top[0]
                text, completion = token, 1
                logprobs = {"content": [{"token": token, "logprob": logprob,
                                         "top_logprobs": [{"token": t, "logprob": lp} for t, lp in top]}]}
            else:
                (text, completion), = self.local.generate(
                    messages, n=1, temperature=float(body.get("temperature", 1.0)), seed=int(body.get("seed", 0)),
                    max_tokens=int(body.get("max_tokens", 16)))
                logprobs = None
        return {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": self.model,
                "system_fingerprint": FINGERPRINT,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": logprobs,
                             "finish_reason": "length"}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
                          "total_tokens": prompt_tokens + completion}}


class FixedModel:
    r"""A stand-in for ``Local`` (same three methods) whose answers are known in advance.

    Next token (``distribution``): `` 4`` (a), ``4`` (0.2), ``3`` (0.6 - a), ``five`` (0.1), ``\n5`` (0.05),
    ``2.`` (0.05), with ``a`` in [0.1, 0.5) from a hash of the messages (so that items and dimensions get
    different ratings): label 4 has a + 0.2, label 3 0.6 - a, label 5 0.05 (``\n5`` stripped); ``five`` and
    ``2.`` are no label. Texts: ``"<1 + seed % 5> out of 5"`` (the request's seed), so each sample's seed
    shows in its text."""

    @staticmethod
    def distribution(messages) -> list[tuple[str, float]]:
        digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode("utf-8")).digest()
        a = 0.1 + 0.4 * int.from_bytes(digest[:4], "big") / 2 ** 32
        return [(" 4", a), ("4", 0.2), ("3", 0.6 - a), ("five", 0.1), ("\n5", 0.05), ("2.", 0.05)]

    def count_prompt(self, messages):
        return sum(len(m["content"].split()) for m in messages)

    def top_tokens(self, messages, k):
        import math

        return [(t, math.log(p)) for t, p in self.distribution(messages)[:k]]

    def generate(self, messages, n=1, temperature=0.0, seed=0, max_tokens=8):
        return [(f"{1 + (seed + i) % 5} out of 5", 4) for i in range(n)]


def _handler(server: JudgeServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet: the tests read server.log instead
            pass

        def _send(self, status: int, data: Any, extra: dict[str, str] | None = None) -> None:
            payload = json.dumps(data).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                pass

        def _error(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
            self._send(status, {"error": {"message": message, "type": "test_server", "code": status}}, extra)

        def do_GET(self):
            with server._lock:
                server.log.append({"path": self.path, "headers": dict(self.headers.items()), "body": None})
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            with server._lock:
                server.log.append({"path": self.path, "headers": headers, "body": body})
            if self.path != "/v1/chat/completions":
                return self._error(404, f"no route {self.path}")
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                return self._error(400, "the body is not a chat completion request")
            if body.get("model") != server.model:
                return self._error(404, f"the model {body.get('model')!r} does not exist")
            status, sleep = server.decide(headers, body)
            if server.delay_s:
                time.sleep(server.delay_s)
            if status == -1:
                with server._lock:
                    raw = server.garbage.pop(0)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return None
            if status == 401:
                return self._error(401, f"Incorrect API key provided: {headers.get('authorization')}")
            if status != 200:
                extra = {"Retry-After": server.retry_after} if status == 429 else None
                return self._error(status, f"test server answers {status} as told\nsecond line", extra)
            if sleep or server.hold_s:
                time.sleep(sleep + server.hold_s)
            answer = server.complete(body)
            with server._lock:
                server.answered[key(body)] += 1
            self._send(200, answer)

    return Handler
