"""LLM judges (``metrics.llm_judge``): a language model rates each summary, one metric per dimension.

``judge_<dimension>`` (e.g. ``judge_consistency``) is the rating of each item on that dimension's scale,
from the template ``configs/judge/<dimension>.yaml`` (or the user's file): against the item's source
article (consistency, relevance) or of the summary alone (fluency, coherence). Scoring:

- ``logprobs`` (default): the probability-weighted mean of the scale's rating tokens as the answer's
  first token (the local model's full next-token distribution; an endpoint's ``top_logprobs``);
- ``sample``: ``samples`` answers at ``temperature`` with ``seed``, the mean of those that parse.

An answer that does not parse is stored as such (its text, in the item's ``details``), counted in
the notes (``unparsed_items``) and leaves the item without a value (missing), never a number.

Every model call goes through the response cache (``bench.metrics.judge.cache``): a rerun, a
``bench reproduce`` or a run killed midway and started again makes no call it has made before.
Sources longer than the model's window (or ``max_source_tokens``) are cut to fit, with a warning and
a count (``truncated_sources``); the token budget is in the signature.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from bench.data.items import Item
from bench.errors import BenchError
from bench.metrics.base import MetricResult, ScoreRows
from bench.metrics.judge.types import LOGPROBS, SCORINGS, Answer, Params, Request
from bench.signature import Signature
from bench.values import Facts

log = logging.getLogger(__name__)
STAT = "score"
BACKENDS = ("transformers", "openai")
PREFIX = "judge_"
MARGIN = 16  # tokens kept free beyond the prompt and the answer (chat-template tokens a count may miss)


@dataclass(frozen=True)
class LlmJudgeSpec:
    """``metrics.llm_judge`` in the config (configs/metrics/llm_judge.yaml says what each option does)."""

    backend: str = "transformers"
    model: str = "smollm2-135m"
    dimensions: tuple[str, ...] = ("coherence", "consistency", "fluency", "relevance")
    templates: Mapping[str, str] = field(default_factory=dict)
    scoring: str = LOGPROBS
    samples: int = 5
    temperature: float = 1.0
    seed: int = 0
    max_tokens: int = 4
    top_logprobs: int = 20
    max_source_tokens: int | None = None
    device: str = "auto"
    dtype: str = "float32"
    batch_size: int = 8
    prefix_cache: bool = True
    base_url: str | None = None
    api_key_env: str | None = None
    fingerprint: str | None = None
    context_window: int | None = None
    concurrency: int = 4
    max_retries: int = 5
    timeout_s: float = 60.0
    max_requests: int | None = None
    price_prompt: float | None = None  # price per million prompt tokens (cost in the record when set)
    price_completion: float | None = None  # price per million completion tokens
    cache: bool = True
    cache_dir: str | None = None
    progress: bool = True

    # speed, retries and caching never change a number: not in the run key
    not_scoring = ("progress", "cache", "cache_dir", "batch_size", "prefix_cache", "concurrency", "max_retries",
                   "timeout_s", "max_requests")
    # `bench reproduce` keeps the response cache: a judge rerun is answered from it (IDENTICAL, no model call)
    caches = ()

    def __post_init__(self) -> None:
        from bench.errors import unknown_choice

        if self.backend not in BACKENDS:
            raise unknown_choice("judge backend (metrics.llm_judge.backend)", self.backend, BACKENDS)
        if self.scoring not in SCORINGS:
            raise unknown_choice("judge scoring (metrics.llm_judge.scoring)", self.scoring, SCORINGS)
        if not self.dimensions or len(set(self.dimensions)) != len(self.dimensions):
            raise BenchError(f"metrics.llm_judge.dimensions={list(self.dimensions)} must name one or more "
                             "dimensions, each once", "pass e.g. 'metrics.llm_judge.dimensions=[coherence,fluency]'")
        for name, value, low in (("samples", self.samples, 1), ("max_tokens", self.max_tokens, 1),
                                 ("top_logprobs", self.top_logprobs, 1), ("seed", self.seed, 0),
                                 ("concurrency", self.concurrency, 1), ("max_retries", self.max_retries, 0)):
            if value < low:
                raise BenchError(f"metrics.llm_judge.{name}={value} must be >= {low}", f"pass {name}={max(low, 1)} or more")
        for name in ("max_source_tokens", "context_window", "max_requests"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise BenchError(f"metrics.llm_judge.{name}={value} must be >= 1 or null", f"pass {name}=null or a count")
        if not (math.isfinite(self.temperature) and self.temperature >= 0):
            raise BenchError(f"metrics.llm_judge.temperature={self.temperature} must be >= 0", "pass temperature=1.0")
        if not (math.isfinite(self.timeout_s) and self.timeout_s > 0):
            raise BenchError(f"metrics.llm_judge.timeout_s={self.timeout_s} must be > 0", "pass timeout_s=60")
        for name in ("price_prompt", "price_completion"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise BenchError(f"metrics.llm_judge.{name}={value} must be >= 0 or null", f"pass {name}=null or a price")
        if self.backend == "openai" and not self.base_url:
            raise BenchError("metrics.llm_judge.backend=openai needs the endpoint's base_url",
                             "pass metrics.llm_judge.base_url=http://HOST:PORT/v1 and metrics.llm_judge.model=NAME")

    @property
    def params(self) -> Params:
        if self.scoring == LOGPROBS:
            # a local model gives the whole next-token distribution; an endpoint its top alternatives
            return Params(LOGPROBS, top_logprobs=self.top_logprobs if self.backend == "openai" else None)
        return Params(self.scoring, n=self.samples, temperature=self.temperature, seed=self.seed,
                      max_tokens=self.max_tokens)


def build_backend(spec: LlmJudgeSpec):
    """The backend the spec names (the transformers backend resolves its model files here)."""
    if spec.backend == "openai":
        from bench.metrics.judge.endpoint import Endpoint

        return Endpoint(spec.model, spec.base_url, api_key_env=spec.api_key_env, concurrency=spec.concurrency,
                        max_retries=spec.max_retries, timeout_s=spec.timeout_s, max_requests=spec.max_requests,
                        fingerprint=spec.fingerprint, context_window=spec.context_window)
    from bench.metrics.judge.local import Local

    return Local(spec.model, device=spec.device, dtype=spec.dtype, batch_size=spec.batch_size,
                 prefix_cache=spec.prefix_cache)


class LlmJudge:
    """The ``llm_judge`` family: one ``judge_<dimension>`` metric per rated dimension (``base.Metric``)."""

    # a streamed run scores it a chunk at a time (bench.pipeline.chunkable): every item is judged on its own;
    # its notes add up (merge_notes recomputes the cost from the summed tokens)
    chunkable = True

    family = "llm_judge"
    spec = LlmJudgeSpec

    def __init__(self, spec: LlmJudgeSpec):
        from bench.metrics.judge import templates

        self.spec = spec
        self.templates = templates.load_all(tuple(spec.dimensions), dict(spec.templates))
        self.backend = build_backend(spec)

    # --- what the metrics are ---
    def names(self) -> tuple[str, ...]:
        return tuple(PREFIX + t.dimension for t in self.templates)

    def facts(self, template) -> Facts:
        lo, hi = float(template.scale[0]), float(template.scale[-1])
        # a judge's float noise (batching, another BLAS) stays far below 1e-4 of a rating point (measured
        # 2e-5 between prefix reuse on and off); the smallest change worth reading: 2.5% of the scale
        return Facts(True, lo, hi, primary=STAT, drift=1e-4, min_effect=0.025 * (hi - lo), dimension=template.dimension)

    def _uses_source(self) -> bool:
        return any(t.uses == "source" for t in self.templates)

    def budget(self) -> int | None:
        """The most tokens of a source a prompt may hold: ``max_source_tokens``, and what the model's window
        leaves beside the longest template, the answer and a margin (summaries are counted per item)."""
        window = self.backend.window()
        if window is None and self.spec.context_window is not None:
            window = self.spec.context_window
        limits = [v for v in (self.spec.max_source_tokens, window) if v is not None]
        return min(limits) if limits else None

    def signatures(self, items: Sequence[Item], policy: str, inputs: str) -> tuple[Signature, ...]:
        return tuple(self._sign(t, items, inputs) for t in self.templates)

    def _sign(self, template, items: Sequence[Item] | None, inputs: str) -> Signature:
        from bench.signature import bench_version, package_version, short_hash

        identity = self.backend.identity()
        fields: list[tuple[str, str]] = [("backend", self.backend.name), ("model", self.backend.display())]
        if self.backend.name == "transformers":
            fields += [("weights", f"sha256:{short_hash(identity['weights'])}"),
                       ("files", f"sha256:{short_hash(identity['files'])}"), ("dtype", identity["dtype"]),
                       ("device", identity["device"])]
        else:
            fields += [("url", identity["base_url"])]
            declared = dict(identity).pop("fingerprint", "")  # the model version the user declared, if any
            if declared:
                fields.append(("declared", declared))
        fields += [("template", f"sha256:{short_hash(template.sha256)}"),
                   ("scale", f"{template.scale[0]}-{template.scale[-1]}"), ("scoring", self.spec.scoring)]
        params = self.spec.params.key()
        fields += [(k, str(v)) for k, v in params.items() if k != "scoring"]
        if template.uses == "source":
            budget = self.budget()
            fields.append(("maxsrc", "none" if budget is None else str(budget)))
        fields.append(("inputs", short_hash(inputs)))
        if template.uses == "source" and items is not None:
            from bench.data.items import sources_fingerprint

            fields.append(("src", short_hash(sources_fingerprint(items))))
        if self.backend.name == "transformers":
            fields += [(dist, package_version(dist)) for dist in ("transformers", "torch")]
        fields.append(("bench", bench_version()))
        return Signature(PREFIX + template.dimension, tuple(fields))

    # --- scoring ---
    def _sources(self, items: Sequence[Item]) -> tuple[list[str | None], list[bool]]:
        """Each item's source as the prompts hold it (cut to the budget, with a warning) and whether it was cut."""
        if not self._uses_source():
            return [None] * len(items), [False] * len(items)
        from bench.data.items import require_sources

        sources = require_sources(items, "metrics.llm_judge (a dimension that reads the article)")
        budget = self.budget()
        if budget is None:
            return list(sources), [False] * len(items)
        out, cut = [], []
        window = self.backend.window()
        for item, source in zip(items, sources):
            room = budget
            if window is not None:  # what the longest template and this summary leave of the window
                rest = max(self.backend.count_tokens(t.system + t.render(item.candidate, "")[0])
                           for t in self.templates if t.uses == "source")
                room = min(room, window - rest - self.spec.params.max_tokens - MARGIN)
            if room < 1:
                raise BenchError(f"item {item.id}: the judge's prompt without the article already fills the model's "
                                 f"window of {window} tokens", "use a model with a longer window or shorter summaries")
            if self.backend.count_tokens(source) > room:
                out.append(self.backend.truncate(source, room))
                cut.append(True)
            else:
                out.append(source)
                cut.append(False)
        if any(cut):
            log.warning("llm_judge: %d source(s) longer than the model's window allows were truncated to fit "
                        "(counted in the notes as truncated_sources; set max_source_tokens to choose the limit)",
                        sum(cut))
        return out, cut

    def requests(self, items: Sequence[Item]) -> tuple[list[Request], list[bool]]:
        """One request per (template, item), in template order, and which items' sources were cut."""
        sources, cut = self._sources(items)
        params = self.spec.params
        out = []
        for template in self.templates:
            for item, source in zip(items, sources):
                user, prefix, stem = template.render(item.candidate, source if template.uses == "source" else None)
                out.append(Request(template.system, user, prefix, stem, template.labels, params))
        return out, cut

    def key(self, request: Request, identity: dict[str, str] | None = None) -> dict[str, Any]:
        """The response-cache key of a request: everything that can change its answer (never a secret)."""
        from bench.metrics.judge.cache import FORMAT

        identity = self.backend.identity() if identity is None else identity
        return {"format": FORMAT, "identity": identity, "messages": request.messages(),
                "labels": list(request.labels), "params": request.params.key()}

    def _cache(self):
        from pathlib import Path

        from bench.metrics.judge.cache import ResponseCache, default_dir
        from bench.paths import usable

        if not self.spec.cache:
            return None
        if self.spec.cache_dir:
            root = usable(Path(self.spec.cache_dir).expanduser(), f"llm_judge cache_dir {self.spec.cache_dir}")
        else:
            root = usable(default_dir().parent, "bench's cache dir") and default_dir()
        return None if root is None else ResponseCache(root)

    def answers(self, requests: Sequence[Request]) -> tuple[list[Answer], dict[str, int]]:
        """Every request's answer: from the cache, else from the model (each cached the moment it arrives)."""
        from bench.progress import stage

        cache = self._cache()
        identity = self.backend.identity()  # once: the same in every key
        keys = [self.key(r, identity) for r in requests]
        found: list[Answer | None] = [cache.get(k) if cache is not None else None for k in keys]
        missing = [k for k, a in enumerate(found) if a is None]
        # requests sharing an article, then a dimension's instructions, go one after another: the local
        # backend computes each prefix once; endpoints with prefix caching reuse theirs
        missing.sort(key=lambda k: (requests[k].prefix, requests[k].stem, k))
        usage = None
        if missing:
            with stage("llm_judge: model calls", len(missing), unit="call", show=self.spec.progress) as bar:
                def done(j: int, answer: Answer) -> None:
                    k = missing[j]
                    found[k] = answer
                    if cache is not None:
                        cache.put(keys[k], answer)
                    bar.update(1)

                usage = self.backend.answer([requests[k] for k in missing], done)
        counts = {"cache_hit_requests": cache.hits if cache else 0, "cache_miss_requests": len(missing),
                  "cache_damaged_requests": cache.damaged if cache else 0,
                  "calls_made": usage.calls if usage else 0, "calls_retried": usage.retries if usage else 0}
        return [a for a in found if a is not None], counts

    def score(self, items: Sequence[Item], policy: str, inputs: str) -> list[MetricResult]:
        from bench.metrics.judge.scoring import rate

        requests, cut = self.requests(items)
        answers, counts = self.answers(requests)
        if len(answers) != len(requests):
            raise RuntimeError("bench bug: a judge request has no answer")
        results = []
        n = len(items)
        for t_index, template in enumerate(self.templates):
            rows, details = [], []
            unparsed_items = unparsed_answers = prompt_tokens = completion_tokens = 0
            fingerprints = set()
            for i in range(n):
                answer = answers[t_index * n + i]
                rating = rate(answer, self.spec.scoring, template.labels)
                rows.append((float("nan") if rating.value is None else rating.value,))
                unparsed_items += rating.value is None
                unparsed_answers += rating.answers - rating.parsed
                prompt_tokens += answer.prompt_tokens
                completion_tokens += answer.completion_tokens
                if answer.fingerprint:
                    fingerprints.add(answer.fingerprint)
                details.append({**answer.to_json(), "parsed": rating.parsed, "answers": rating.answers,
                                **({"truncated_source": True} if cut[i] and template.uses == "source" else {})})
            notes: dict[str, Any] = {"unparsed_items": unparsed_items, "unparsed_answers": unparsed_answers,
                                     "truncated_sources": sum(cut) if template.uses == "source" else 0,
                                     "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
            cost = self._cost(prompt_tokens, completion_tokens)
            if cost is not None:
                notes["cost_usd"] = cost
            if fingerprints:
                notes["fingerprints"] = sorted(fingerprints)
            if t_index == 0:  # the run's calls, once (every dimension's requests went in one pass)
                notes.update(counts)
            if unparsed_items:
                log.warning("llm_judge: %s: %d of %d item(s) got no rating that parses (stored as unparsed, "
                            "without a value)", PREFIX + template.dimension, unparsed_items, n)
            results.append(MetricResult(PREFIX + template.dimension, (STAT,), ScoreRows.of(rows, 1),
                                        self._sign(template, items, inputs), True, notes, primary=STAT,
                                        facts=self.facts(template), details=tuple(details)))
        return results

    def merge_notes(self, parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Chunks' notes as the whole corpus's (``base.merge_notes``), the cost from the summed tokens: what
        scoring the corpus at once computes, not a sum of rounded chunk costs."""
        from bench.metrics.base import merge_notes

        merged = merge_notes(parts)
        if "cost_usd" in merged:
            merged["cost_usd"] = self._cost(merged["prompt_tokens"], merged["completion_tokens"])
        return merged

    def _cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        return cost(self.spec.price_prompt, self.spec.price_completion, prompt_tokens, completion_tokens)


def cost(price_prompt: float | None, price_completion: float | None, prompt_tokens: int,
         completion_tokens: int) -> float | None:
    """The cost in USD of these tokens at these prices per million (None: no price set); also what
    ``bench merge`` recomputes from the shards' summed tokens."""
    if price_prompt is None and price_completion is None:
        return None
    return ((price_prompt or 0.0) * prompt_tokens + (price_completion or 0.0) * completion_tokens) / 1e6
