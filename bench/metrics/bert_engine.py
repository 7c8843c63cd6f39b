"""BERTScore's computation (Zhang et al., 2020; ``bert_score`` 0.3.13), without waste.

Same definitions as ``bert_score.utils.bert_cos_score_idf``: bert-score's own
``sent_encode``, ``padding`` and ``get_model`` (a model truncated to N layers),
its idf formula, and ``greedy_cos_idf``'s arithmetic (unit-length token
vectors, cosine matrix, max per token, idf-weighted sums, F = 2PR/(P+R), zero
for an empty text). It differs in bookkeeping:

- each unique text is tokenised and embedded once per process, and the ids are
  kept (idf counts reuse them; truncation at the model's limit is reported);
- texts are batched by token length (bert-score sorts by word count, with ties
  in hash-seed order): deterministic, and 16 % fewer padded tokens on SummEval;
- one forward pass serves several layers: ``hidden_states[k]`` of a deeper
  model is the output of a model truncated to k layers, for encoders whose
  output is their last layer's (checked on every run that uses it);
- matching works on groups of pairs instead of padded batches of 64 pairs:
  the candidates that share their references (SummEval: a document's 16
  systems x 11 references) get one similarity matrix over all their tokens,
  with no padding in it, and a few whole-matrix reductions; groups of one
  pair are merged so a one-reference corpus is not one call per pair. On
  SummEval's 17,600 pairs this takes ~0.7 s of one core, against ~3.2 s for
  bert-score's per-batch padding and ``greedy_cos_idf``.

Embeddings differ from bert-score's in the last float32 bits, as theirs do
from one batch composition to another, and sums run in another order, so
scores match ``bert_score.score`` to <= 1e-6 (2.4e-7 at most over all 17,600
SummEval pairs at layer 4), not bit for bit. bert-score's one batch-dependent quirk (a token whose
similarities are all negative counts 0 when its partner was padded in the
batch of pairs) is reproduced; see ``_padded_in_batch``.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from math import log as _log
from pathlib import Path
from typing import Mapping, Sequence

from bench.errors import BenchError
from bench.metrics.embed_cache import Entry

log = logging.getLogger(__name__)
SIM_BUDGET = 1 << 24  # floats in one similarity matrix (64 MiB); bounds matching memory
MERGE_LIMIT = 1 << 18  # small groups are merged up to this many similarities


@dataclass
class Encoder:
    tokenizer: object
    model: object  # truncated to ``depth`` layers, as bert-score's get_model does
    device: str
    max_length: int
    depth: int

    def token_ids(self, text: str) -> list[int]:
        from bert_score.utils import sent_encode

        return sent_encode(self.tokenizer, text)

    def is_truncated(self, text: str, ids: Sequence[int]) -> bool:
        if len(ids) < self.max_length:
            return False
        full = self.tokenizer(text.strip(), add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        return len(full) > self.max_length

    def embed(self, texts: Sequence[str], layers: Sequence[int], batch_size: int, progress: bool = False):
        """layer -> unique text -> Entry, from one forward pass per batch."""
        import torch
        from bert_score.utils import padding

        ids = {t: self.token_ids(t) for t in dict.fromkeys(texts)}
        order = sorted(ids, key=lambda t: (-len(ids[t]), t))
        out: dict[int, dict[str, Entry]] = {layer: {} for layer in layers}
        batches = range(0, len(order), batch_size)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="bertscore: embedding", unit="batch", leave=False)
        for start in batches:
            batch = order[start : start + batch_size]
            padded, lens, mask = padding([ids[t] for t in batch], self.tokenizer.pad_token_id, dtype=torch.long)
            with torch.no_grad():
                res = self.model(padded.to(self.device), attention_mask=mask.to(self.device), output_hidden_states=True)
            truncated = [self.is_truncated(t, ids[t]) for t in batch]
            for layer, emb in self._layers(res, layers).items():
                emb = emb.cpu()
                for i, text in enumerate(batch):
                    out[layer][text] = Entry(emb[i, : lens[i]], tuple(ids[text]), truncated[i])
        return out

    def _layers(self, res, layers: Sequence[int]) -> dict:
        """Layer k's output: the last hidden state for the model's own depth (bert-score's value), else hidden_states[k]."""
        import torch

        if any(k != self.depth for k in layers) and not torch.equal(res.hidden_states[self.depth], res[0]):
            raise BenchError(
                f"{type(self.model).__name__} transforms its last layer's output, so hidden_states[k] is not a k-layer model's output",
                "score one layer per run (metrics.bertscore.layer=N)",
            )
        return {k: res[0] if k == self.depth else res.hidden_states[k] for k in layers}


_TOKENIZERS: dict[tuple, object] = {}
_ENCODERS: dict[tuple, Encoder] = {}


def load_tokenizer(path: Path, use_fast: bool):
    key = (str(path), use_fast)
    if key not in _TOKENIZERS:
        import transformers
        from bert_score.utils import get_tokenizer

        transformers.logging.set_verbosity_error()  # no "weights loaded" chatter per run
        transformers.logging.disable_progress_bar()
        _TOKENIZERS[key] = get_tokenizer(str(path), use_fast)
    return _TOKENIZERS[key]


def load_encoder(path: Path, depth: int, device: str, use_fast: bool) -> Encoder:
    """Load (once per process) a model truncated to ``depth`` layers, as bert-score does."""
    key = (str(path), depth, device, use_fast)
    if key not in _ENCODERS:
        from bert_score.utils import get_model

        tokenizer = load_tokenizer(path, use_fast)
        model = get_model(str(path), depth).to(device)
        _ENCODERS[key] = Encoder(tokenizer, model, device, int(tokenizer.model_max_length), depth)
    return _ENCODERS[key]


def idf_weights(refs: Sequence[str], ids: Mapping[str, Sequence[int]], tokenizer, use_idf: bool) -> Mapping[int, float]:
    """bert-score's idf dict (``get_idf_dict``) over the reference list as given, from token ids already known."""
    if not use_idf:
        idf = defaultdict(lambda: 1.0)
        idf[tokenizer.sep_token_id] = 0
        idf[tokenizer.cls_token_id] = 0
        return idf
    counts: Counter = Counter()
    for text, times in Counter(refs).items():  # a repeated reference counts once per occurrence, as in bert-score
        for token in set(ids[text]):
            counts[token] += times
    n = len(refs)
    idf = defaultdict(lambda: _log((n + 1) / 1))
    idf.update({token: _log((n + 1) / (c + 1)) for token, c in counts.items()})
    return idf


def idf_vectors(texts: Sequence[str], ids: Mapping[str, Sequence[int]], idf: Mapping[int, float]) -> dict:
    """Per text: its tokens' idf weights scaled to sum to 1, as greedy_cos_idf scales them (layer-independent)."""
    import torch

    out = {}
    for t in dict.fromkeys(texts):
        w = torch.tensor([idf[i] for i in ids[t]], dtype=torch.float)
        out[t] = w / w.sum()
    return out


def _groups(refs: Sequence[str], hyps: Sequence[str], lens: Mapping[str, int]) -> list[tuple[list[str], list[str]]]:
    """(hyps, refs) groups whose every pair is scored by one similarity matrix.

    First the hyps that share a set of refs (SummEval: a document's 16 systems x 11
    references), halved until they fit SIM_BUDGET; then small groups (one
    reference per candidate) are merged up to MERGE_LIMIT, trading unused
    similarities for fewer, larger operations.
    """
    by_hyp: dict[str, dict[str, None]] = {}
    for r, h in zip(refs, hyps):
        by_hyp.setdefault(h, {})[r] = None
    shared: dict[frozenset, tuple[list[str], list[str]]] = {}
    for h, rs in by_hyp.items():
        shared.setdefault(frozenset(rs), ([], list(rs)))[0].append(h)
    blocks, todo = [], list(shared.values())[::-1]
    while todo:
        hs, rs = todo.pop()
        if sum(lens[t] for t in hs) * sum(lens[t] for t in rs) <= SIM_BUDGET or len(hs) + len(rs) == 2:
            blocks.append((hs, rs, sum(lens[t] for t in hs), sum(lens[t] for t in rs)))
        elif len(hs) >= len(rs):
            todo += [(hs[len(hs) // 2 :], rs), (hs[: len(hs) // 2], rs)]
        else:
            todo += [(hs, rs[len(rs) // 2 :]), (hs, rs[: len(rs) // 2])]
    groups, current, th, tr = [], [], 0, 0
    for hs, rs, bh, br in sorted(blocks, key=lambda b: (b[2], b[3])):  # similar lengths pad less when merged
        if current and (th + bh) * (tr + br) > MERGE_LIMIT:
            groups.append(current)
            current, th, tr = [], 0, 0
        current.append((hs, rs))
        th, tr = th + bh, tr + br
    groups.append(current)
    return [(list(dict.fromkeys(h for hs, _ in g for h in hs)), list(dict.fromkeys(r for _, rs in g for r in rs))) for g in groups]


def _stack(texts, embeddings, weights, device) -> tuple:
    """Texts' unit token vectors concatenated, each token's row in a padded [len(texts), longest] layout, weights."""
    import torch

    lens = torch.tensor([embeddings[t].shape[0] for t in texts])
    vecs = torch.cat([embeddings[t] for t in texts]).to(device)
    vecs = vecs / torch.norm(vecs, dim=-1).unsqueeze(-1)
    longest, text_of = int(lens.max()), torch.repeat_interleave(torch.arange(len(texts)), lens)
    rows = text_of * longest + torch.arange(len(text_of)) - (torch.cumsum(lens, 0) - lens)[text_of]
    return vecs, rows.to(device), torch.cat([weights[t] for t in texts]).to(device), longest


def _score_group(hs: Sequence[str], rs: Sequence[str], embeddings, weights, device: str):
    """[len(hs), len(rs), 4]: P, R, and P, R with negative token maxima as 0, from one similarity matrix."""
    import torch

    h, h_rows, h_w, lh = _stack(hs, embeddings, weights, device)
    r, r_rows, r_w, lr = _stack(rs, embeddings, weights, device)
    nh, nr = len(hs), len(rs)
    sim = r @ h.T  # [ref tokens, hyp tokens]
    by_ref = sim.new_full((nr * lr, sim.shape[1]), float("-inf")).index_copy_(0, r_rows, sim)
    best_in_ref = by_ref.view(nr, lr, -1).amax(1)  # [nr, hyp tokens]: each hyp token's best match in each ref
    by_hyp = sim.new_full((sim.shape[0], nh * lh), float("-inf")).index_copy_(1, h_rows, sim)
    best_in_hyp = by_hyp.view(-1, nh, lh).amax(-1)  # [ref tokens, nh]

    def sums(best_in_ref, best_in_hyp):
        p = sim.new_zeros((nr, nh * lh)).index_copy_(1, h_rows, best_in_ref * h_w).view(nr, nh, lh).sum(-1)
        r = sim.new_zeros((nr * lr, nh)).index_copy_(0, r_rows, best_in_hyp * r_w.unsqueeze(1)).view(nr, lr, nh).sum(1)
        return p.T, r.T

    p, r = sums(best_in_ref, best_in_hyp)
    if bool(best_in_ref.min() < 0) or bool(best_in_hyp.min() < 0):  # rare: see _padded_in_batch
        pc, rc = sums(best_in_ref.clamp(min=0), best_in_hyp.clamp(min=0))
    else:
        pc, rc = p, r
    return torch.stack((p, r, pc, rc), dim=-1)


def _padded_in_batch(lengths: Sequence[int], batch_size: int):
    """Whether each text is shorter than the longest in its batch of ``batch_size`` consecutive pairs.

    bert-score matches pairs in such batches and takes each token's max over the
    partner's padded row, padding included at similarity 0: a token whose
    similarities are all negative then counts 0, not its best match. That
    happens (MiniLM layer 6: 16 of SummEval's 17,600 pairs, up to 5e-4 in P),
    so bench reproduces it to keep the <= 1e-6 agreement.
    """
    import torch

    lens = torch.tensor(list(lengths))
    longest = torch.stack([chunk.max() for chunk in lens.split(batch_size)])
    return lens < longest.repeat_interleave(batch_size)[: len(lens)]


def match(refs: Sequence[str], hyps: Sequence[str], embeddings, weights, batch_size: int, device: str):
    """Greedy cosine matching for each (ref, hyp) pair -> float32 tensor [N, 3] of (P, R, F), on the CPU.

    ``embeddings``: text -> token embeddings [len, dim]; ``weights``: text -> ``idf_vectors``;
    ``batch_size``: bert-score's matching batch, which decides its padding (``_padded_in_batch``).
    """
    import torch

    lens = {t: weights[t].shape[0] for t in weights}
    parts, where, done = [], {}, 0
    needed = set(zip(hyps, refs))
    with torch.no_grad():
        for hs, rs in _groups(refs, hyps, lens):
            parts.append(_score_group(hs, rs, embeddings, weights, device).reshape(-1, 4).cpu())
            where.update({pair: done + k for k, pair in enumerate((h, x) for h in hs for x in rs) if pair in needed})
            done += len(hs) * len(rs)
    rows = torch.cat(parts)[torch.tensor([where[pair] for pair in zip(hyps, refs)], dtype=torch.long)]
    p = torch.where(_padded_in_batch([lens[x] for x in refs], batch_size), rows[:, 2], rows[:, 0])
    r = torch.where(_padded_in_batch([lens[h] for h in hyps], batch_size), rows[:, 3], rows[:, 1])
    f = 2 * p * r / (p + r)
    empty = torch.tensor([lens[h] == 2 or lens[x] == 2 for x, h in zip(refs, hyps)])
    if bool(empty.any()):
        log.warning("bertscore: %d pair(s) with an empty text score 0, as in bert-score", int(empty.sum()))
        p, r = p.masked_fill(empty, 0.0), r.masked_fill(empty, 0.0)
    return torch.stack((p, r, f.masked_fill(torch.isnan(f), 0.0)), dim=-1)


def rescale(preds, baseline_path: Path, num_layers: int):
    """bert-score's rescaling: (x - b) / (1 - b), with b read as bert-score reads it."""
    import pandas as pd
    import torch

    baselines = torch.tensor(pd.read_csv(baseline_path).iloc[num_layers].to_numpy())[1:].float()
    return (preds - baselines) / (1 - baselines)
