"""The judge's response cache: every model answer on disk, so a rerun makes no model call.

Key: SHA-256 of the canonical JSON of everything that can change an answer: the cache format, the
backend, the model's identity (local: the weights' and tokenizer files' hashes, dtype, device kind,
torch/transformers versions; endpoint: model name, base URL and any declared fingerprint), the exact
prompt (the chat messages; local models: the prompt text after the chat template too) and every
sampling parameter. Never the API key: it does not change an answer, and the cache must not hold it.

Layout: ``<dir>/<key[:2]>/<key>.json`` holding ``{"format", "key", "answer"}``; the stored key parts
are compared on read, so a hash collision or a file copied under another name is a miss. One file per
answer: a lookup is one ``open``, a damaged file costs one answer (a miss, recomputed and replaced),
and writes are atomic (``bench.atomic``), so a run killed midway leaves every finished answer and no
partial one. Only answers are stored: a failed call (an error, a timeout) is never cached.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Mapping

from bench import jsonio
from bench.atomic import write_atomic
from bench.metrics.judge.types import Answer

log = logging.getLogger(__name__)
FORMAT = "1"


def default_dir() -> Path:
    from bench.paths import cache_dir

    return cache_dir() / "judge"


class ResponseCache:
    """Answers by key under ``root`` (counts of hits, misses and damaged entries for the run's notes)."""

    def __init__(self, root: Path):
        self.root = root
        self.hits = self.misses = self.damaged = 0

    @staticmethod
    def key(parts: Mapping[str, Any]) -> str:
        return hashlib.sha256(_canonical(parts).encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, parts: Mapping[str, Any]) -> Answer | None:
        """The stored answer for ``parts``, or None (absent or damaged: counted, then recomputed)."""
        key = self.key(parts)
        path = self._path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, UnicodeDecodeError):
            return self._damaged(path)
        try:
            data = jsonio.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a judge cache entry of this format")
            if _canonical(data.get("key")) != _canonical(parts):
                raise ValueError("its key parts differ from the name's")
            answer = Answer.from_json(data.get("answer"))
        except ValueError:
            return self._damaged(path)
        self.hits += 1
        return answer

    def _damaged(self, path: Path) -> None:
        self.damaged += 1
        self.misses += 1
        log.debug("judge cache entry %s is damaged; recomputing it", path)
        return None

    def put(self, parts: Mapping[str, Any], answer: Answer) -> None:
        """Store ``answer`` (atomically; a folder that cannot be written costs only the cache)."""
        key = self.key(parts)
        path = self._path(key)
        body = json.dumps({"format": FORMAT, "key": parts, "answer": answer.to_json()}, ensure_ascii=False,
                          allow_nan=False, sort_keys=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, body, fsync=False)
        except OSError as exc:
            log.debug("judge cache: cannot write %s (%s)", path, exc)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
