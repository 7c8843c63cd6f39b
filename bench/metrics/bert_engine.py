"""BERTScore's computation (Zhang et al., 2020; ``bert_score`` 0.3.13), reorganised.

This mirrors ``bert_score.utils.bert_cos_score_idf`` step for step, calling
bert-score's own pieces (``sent_encode``, ``padding``, ``bert_encode``,
``greedy_cos_idf``, ``get_idf_dict``) so the arithmetic is theirs. It differs
only in bookkeeping:

- the model and tokenizer are loaded once per process and reused;
- unique texts are embedded once, in an order that is deterministic
  (bert-score sorts ``set(texts)``, whose tie order changes with Python's hash
  seed and with it the padding of each batch, so the last bits of its scores
  can change from one process to the next);
- per-text token ids are kept, so truncation at the model's limit is counted
  and reported instead of happening silently.

With the same model and options the scores match ``bert_score.score`` to
<= 1e-6 (tests check this on SummEval); usually they are identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

Stats = tuple  # (embedding [len, dim] float tensor, idf-ready token ids list)


@dataclass
class Encoder:
    tokenizer: object
    model: object
    device: str
    max_length: int

    def token_ids(self, text: str) -> list[int]:
        from bert_score.utils import sent_encode

        return sent_encode(self.tokenizer, text)

    def is_truncated(self, text: str, ids: list[int]) -> bool:
        if len(ids) < self.max_length:
            return False
        full = self.tokenizer(text.strip(), add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        return len(full) > self.max_length

    def embed(self, texts: Sequence[str], batch_size: int, progress: bool = False) -> dict[str, tuple]:
        """Unique text -> (embedding of its tokens [len, dim], token ids)."""
        import torch
        from bert_score.utils import bert_encode, padding

        order = sorted(set(texts), key=lambda t: (-len(t.split(" ")), t))
        out: dict[str, tuple] = {}
        batches = range(0, len(order), batch_size)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="bertscore: embedding", unit="batch", leave=False)
        pad = self.tokenizer.pad_token_id
        for start in batches:
            batch = order[start : start + batch_size]
            ids = [self.token_ids(t) for t in batch]
            padded, lens, mask = padding(ids, pad, dtype=torch.long)
            emb = bert_encode(self.model, padded.to(self.device), attention_mask=mask.to(self.device)).cpu()
            for i, text in enumerate(batch):
                out[text] = (emb[i, : lens[i]], ids[i])
        return out


_ENCODERS: dict[tuple, Encoder] = {}


def load_encoder(path: Path, num_layers: int, device: str, use_fast: bool) -> Encoder:
    """Load (once per process) a model truncated to ``num_layers`` layers, as bert-score does."""
    key = (str(path), num_layers, device, use_fast)
    if key not in _ENCODERS:
        import transformers
        from bert_score.utils import get_model, get_tokenizer

        transformers.logging.set_verbosity_error()  # no "weights loaded" chatter per run
        transformers.logging.disable_progress_bar()
        tokenizer = get_tokenizer(str(path), use_fast)
        model = get_model(str(path), num_layers).to(device)
        _ENCODERS[key] = Encoder(tokenizer, model, device, int(tokenizer.model_max_length))
    return _ENCODERS[key]


def idf_weights(refs: Sequence[str], encoder: Encoder, use_idf: bool) -> Mapping[int, float]:
    """bert-score's idf dict: over the reference list as given (one entry per pair)."""
    from collections import defaultdict

    from bert_score.utils import get_idf_dict

    if use_idf:
        # nthreads=0: same counts as bert-score's Pool, without forking a process holding torch.
        return get_idf_dict(list(refs), encoder.tokenizer, nthreads=0)
    idf = defaultdict(lambda: 1.0)
    idf[encoder.tokenizer.sep_token_id] = 0
    idf[encoder.tokenizer.cls_token_id] = 0
    return idf


def _pad_batch(texts: Sequence[str], stats: Mapping[str, tuple], idf: Mapping[int, float], device: str):
    """bert-score's ``pad_batch_stats``: pad embeddings with 2.0, idf with 0, and a length mask."""
    import torch
    from torch.nn.utils.rnn import pad_sequence

    embs = [stats[t][0].to(device) for t in texts]
    idfs = [torch.tensor([idf[i] for i in stats[t][1]], dtype=torch.float).to(device) for t in texts]
    lens = torch.tensor([e.size(0) for e in embs], dtype=torch.long)
    emb_pad = pad_sequence(embs, batch_first=True, padding_value=2.0)
    idf_pad = pad_sequence(idfs, batch_first=True)
    base = torch.arange(int(lens.max()), dtype=torch.long).expand(len(lens), int(lens.max()))
    return emb_pad, (base < lens.unsqueeze(1)).to(device), idf_pad


def match(
    refs: Sequence[str],
    hyps: Sequence[str],
    stats: Mapping[str, tuple],
    idf: Mapping[int, float],
    batch_size: int,
    device: str,
):
    """Greedy cosine matching for each (ref, hyp) pair -> float32 tensor [N, 3] of (P, R, F)."""
    import torch
    from bert_score.utils import greedy_cos_idf

    preds = []
    with torch.no_grad():
        for start in range(0, len(refs), batch_size):
            ref_stats = _pad_batch(refs[start : start + batch_size], stats, idf, device)
            hyp_stats = _pad_batch(hyps[start : start + batch_size], stats, idf, device)
            p, r, f = greedy_cos_idf(*ref_stats, *hyp_stats, False)
            preds.append(torch.stack((p, r, f), dim=-1).cpu())
    return torch.cat(preds, dim=0)


def rescale(preds, baseline_path: Path, num_layers: int):
    """bert-score's rescaling: (x - b) / (1 - b), with b read as bert-score reads it."""
    import pandas as pd
    import torch

    baselines = torch.from_numpy(pd.read_csv(baseline_path).iloc[num_layers].to_numpy())[1:].float()
    return (preds - baselines) / (1 - baselines)
