"""The CPU-kernel facts behind bench.metrics.bert_engine, measured on this machine.

bench reproduces ``bert_score.score(..., batch_size=1)`` bit for bit and
claims a text's embedding and a pair's score do not depend on batch or thread
count. Those claims rest on three measurements, which this script repeats:

1. Forward passes (all-MiniLM-L6-v2, all 7 hidden states, random token ids):
   a text alone vs in batches of 2-64 same-length texts, at 1-4 threads, for
   lengths 3-39 and 64-512. Reports the (length, batch, threads) cases whose
   bits differ from a 64-text batch on 2 threads, and how many remain once
   every batch has >= MIN_ROWS token rows (bench's rule).
2. ``bmm`` of unit vectors ([1, m, 384] x [1, 384, n]) on 1 vs 2 threads.
3. With --summeval: SummEval's unique texts through six layers, bench's
   same-length batches vs bert-score-style length-sorted padded batches of 64
   (seconds), and bench's embeddings vs each text alone (bits).

    python benchmarks/kernel_checks.py [--summeval PATH]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LENGTHS = list(range(3, 40)) + [64, 100, 128, 200, 300, 512]


def forward(encoder, x, threads):
    import torch

    torch.set_num_threads(threads)
    with torch.no_grad():
        return encoder.model(x, attention_mask=torch.ones_like(x), output_hidden_states=True).hidden_states


def same(a, b, i, j):
    import torch

    return all(torch.equal(x[i], y[j]) for x, y in zip(a, b))


def forward_section(encoder) -> list[str]:
    import torch

    from bench.metrics.bert_engine import MIN_ROWS

    gen = torch.Generator().manual_seed(0)
    differ, kept, checks = [], 0, 0
    for n in LENGTHS:
        x = torch.randint(1000, 20000, (64, n), generator=gen)
        x[:, 0], x[:, -1] = 101, 102
        reference = forward(encoder, x, 2)
        for batch, threads in itertools.product((1, 2, 3, 5, 8, 64), (1, 2, 4)):
            checks += 1
            if not same(forward(encoder, x[:batch], threads), reference, 0, 0):
                differ.append((n, batch, threads))
                kept += batch * n >= MIN_ROWS
    cases = ", ".join(f"{n}x{b}@{t}" for n, b, t in differ) or "none"
    return ["### Forward passes: a text's bits vs batch and thread count", "",
            f"{checks} cases (lengths {LENGTHS[0]}-{LENGTHS[-1]}; batches 1-64; 1, 2, 4 threads). Differing from a "
            f"64-text batch on 2 threads (tokens x batch @ threads): {cases}.",
            f"Of those, with >= {MIN_ROWS} token rows in the batch (bench's rule): {kept}.", ""]


def bmm_section() -> list[str]:
    import torch

    gen = torch.Generator().manual_seed(0)
    sizes = list(range(2, 30)) + [50, 100, 300, 512]
    differ = 0
    for m, n in itertools.product(sizes, sizes):
        a, b = torch.randn(1, m, 384, generator=gen), torch.randn(1, n, 384, generator=gen)
        out = []
        for threads in (1, 2):
            torch.set_num_threads(threads)
            out.append(torch.bmm(a, b.transpose(1, 2)))
        differ += not torch.equal(*out)
    return ["### Matching: `bmm` on 1 vs 2 threads", "",
            f"{differ} of {len(sizes) ** 2} shapes ([1, m, 384] x [1, 384, n], m, n in 2-29, 50, 100, 300, 512) "
            "give other bits on 2 threads than on 1; bench matches on single-threaded kernels.", ""]


def summeval_section(encoder, path: Path) -> list[str]:
    import torch
    from bert_score.utils import padding

    data = json.loads(path.read_text(encoding="utf-8"))
    texts = sorted({t for doc in data.values() for t in
                    (doc["src"], *doc["ref_summs"], *(s["sys_summ"] for s in doc["sys_summs"].values()))})
    layers = tuple(range(1, 7))
    torch.set_num_threads(2)
    ids = {t: encoder.token_ids(t) for t in texts}
    start = time.perf_counter()
    order = sorted(texts, key=lambda t: -len(ids[t]))
    for i in range(0, len(order), 64):
        padded, _, mask = padding([ids[t] for t in order[i : i + 64]], encoder.tokenizer.pad_token_id, dtype=torch.long)
        with torch.no_grad():
            encoder.model(padded, attention_mask=mask, output_hidden_states=True)
    t_padded = time.perf_counter() - start
    start = time.perf_counter()
    ours = encoder.embed(texts, layers, 64)
    t_bench = time.perf_counter() - start
    alone = sum(
        not all(torch.equal(ours[t].layer(k), h[0]) for k, h in zip(layers, forward(encoder, torch.tensor([ids[t]]), 2)[1:]))
        for t in texts
        if len(ids[t]) >= 16  # shorter ones are never run alone by bench (MIN_ROWS), see the forward section
    )
    torch.set_num_threads(2)
    return ["### SummEval texts through six layers", "",
            f"{len(texts):,} unique texts: padded length-sorted batches of 64 {t_padded:.1f} s; bench's same-length "
            f"batches {t_bench:.1f} s. Texts of >= 16 tokens whose bench embeddings differ from the text run alone: {alone}.", ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--summeval", type=Path, help="also time and check SummEval's texts (bartscore_SummEval_data.json)")
    args = parser.parse_args()
    import torch

    from bench.metrics import bert_engine
    from bench.metrics.models import resolve

    threads = torch.get_num_threads()
    encoder = bert_engine.load_encoder(resolve("all-MiniLM-L6-v2").path, 6, "cpu", False)
    sections = [forward_section(encoder), bmm_section()]
    if args.summeval:
        sections.append(summeval_section(encoder, args.summeval))
    torch.set_num_threads(threads)
    print("\n".join(line for s in sections for line in s))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
