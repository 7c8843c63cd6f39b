"""What a judge backend is asked and what it answers; the protocol both backends implement.

Answers are plain data (texts, probabilities, token counts) so that they serialise exactly into the
response cache and into the run's samples; ratings are computed from them by ``scoring``, never by a backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

LOGPROBS, SAMPLE = "logprobs", "sample"
SCORINGS = (LOGPROBS, SAMPLE)


@dataclass(frozen=True)
class Params:
    """Every setting of a model call that can change its answer (all in the cache key and the signature)."""

    scoring: str = LOGPROBS  # logprobs: one next-token distribution; sample: n generated answers
    n: int = 1  # samples (scoring=sample)
    temperature: float = 0.0  # sampling temperature (scoring=sample; 0: greedy)
    seed: int = 0  # sampling seed (scoring=sample)
    max_tokens: int = 1  # tokens generated per answer
    top_logprobs: int | None = None  # an endpoint's alternatives per position (logprobs); None: the full distribution

    def key(self) -> dict[str, Any]:
        """The parameters that shape an answer, as the cache key and the signature name them."""
        if self.scoring == LOGPROBS:
            return {"scoring": self.scoring, **({"top_logprobs": self.top_logprobs} if self.top_logprobs else {})}
        return {"scoring": self.scoring, "n": self.n, "temperature": self.temperature, "seed": self.seed,
                "max_tokens": self.max_tokens}


@dataclass(frozen=True)
class Request:
    """One prompt to rate: chat messages, the rating labels to read, and the prompt's shared prefix.

    ``prefix``: the leading part of the user message shared by every request on the same article, on
    every dimension (the article, in the shipped templates); ``stem``: the longer leading part shared by
    every summary of one article on one dimension (all of the user message before the summary). A
    backend computes each once (local: a KV cache of the prefix, extended by each stem) or sends requests
    that share them one after another (endpoints with prefix caching)."""

    system: str
    user: str
    prefix: str  # user.startswith(prefix)
    stem: str  # user.startswith(stem) and stem.startswith(prefix)
    labels: tuple[str, ...]  # the rating scale's labels, e.g. ("1", "2", "3", "4", "5")
    params: Params

    def messages(self) -> list[dict[str, str]]:
        """The chat messages (system first when there is one)."""
        return [*([{"role": "system", "content": self.system}] if self.system else []),
                {"role": "user", "content": self.user}]


@dataclass(frozen=True)
class Answer:
    """A backend's answer to one request.

    ``texts``: the generated text of each sample (logprobs: the most likely first token); ``probs``:
    each rating label's probability as the first answer token (logprobs scoring; labels absent from an
    endpoint's top alternatives are left out); ``fingerprint``: what an endpoint reported
    (``system_fingerprint``), if anything."""

    texts: tuple[str, ...]
    probs: Mapping[str, float] | None
    prompt_tokens: int
    completion_tokens: int
    fingerprint: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"texts": list(self.texts), "prompt_tokens": self.prompt_tokens,
                               "completion_tokens": self.completion_tokens}
        if self.probs is not None:
            out["probs"] = dict(self.probs)
        if self.fingerprint is not None:
            out["system_fingerprint"] = self.fingerprint
        return out

    @classmethod
    def from_json(cls, data: Any) -> "Answer":
        """An answer read back from the cache; ValueError when it is not one (a damaged entry)."""
        import math

        if not isinstance(data, dict):
            raise ValueError("not an object")
        texts = data.get("texts")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise ValueError("texts is not a list of strings")
        counts = [data.get("prompt_tokens"), data.get("completion_tokens")]
        if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts):
            raise ValueError("token counts are not counts")
        probs = data.get("probs")
        if probs is not None:
            if not isinstance(probs, dict) or not all(
                    isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
                    and math.isfinite(v) and 0.0 <= v <= 1.0 for k, v in probs.items()):
                raise ValueError("probs is not a map of labels to probabilities")
        fingerprint = data.get("system_fingerprint")
        if fingerprint is not None and not isinstance(fingerprint, str):
            raise ValueError("fingerprint is not text")
        return cls(tuple(texts), None if probs is None else {k: float(v) for k, v in probs.items()},
                   counts[0], counts[1], fingerprint)


@dataclass(frozen=True)
class Usage:
    """Model calls made by one scoring pass (volatile: a cached rerun makes none)."""

    calls: int = 0
    retries: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


class Backend(Protocol):
    """A judge model: identity for keys and signatures, token counting for truncation, and answers."""

    name: str  # "transformers" | "openai"

    def identity(self) -> dict[str, str]:
        """What identifies the model's answers (weights hash; endpoint name and URL), never a secret."""
        ...

    def display(self) -> str:
        """The model's name as a signature shows it."""
        ...

    def window(self) -> int | None:
        """The model's context window in tokens (None: unknown)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` as the model counts them (an estimate where the tokenizer is not local)."""
        ...

    def truncate(self, text: str, tokens: int) -> str:
        """``text`` cut to its first ``tokens`` tokens."""
        ...

    def answer(self, requests: Sequence[Request], done: Callable[[int, Answer], None]) -> Usage:
        """Answer every request, calling ``done(k, answer)`` as each one finishes (the caller caches it at
        once, so a killed run loses no finished call). Raises BenchError when a request cannot be answered."""
        ...
