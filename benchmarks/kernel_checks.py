"""The CPU-kernel facts behind bench.metrics.bert_engine, measured on this machine.

bench reproduces ``bert_score.score(..., batch_size=1)`` run on one thread bit
for bit and claims a text's embedding and a pair's score do not depend on
batch or thread count. Those claims rest on three measurements, which this
script repeats:

1. Forward passes (all-MiniLM-L6-v2, all 7 hidden states, random token ids),
   lengths 2-39 and 64-512: a text alone and in batches of 2-64 same-length
   texts on 2 and 4 threads vs alone on 1 thread; and on 1 thread (bench's
   forward passes), in batches of 2-64 vs alone. Reports the (length, batch)
   cases whose bits differ, and how many of them bench would batch (texts of
   >= SMALL_ROWS tokens).
2. ``bmm`` of unit vectors ([1, m, 384] x [1, 384, n]) on 1 vs 2 threads.
3. With --summeval: SummEval's unique texts through six layers: seconds for
   bert-score-style length-sorted padded batches of 64 on 2 threads,
   same-length batches on 2 threads (bench before it ran kernels on one
   thread), and bench's ``embed`` (same-length batches, 2 Python threads of
   one-thread kernels); and bench's embeddings vs each text alone on one
   thread (bits).

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
LENGTHS = list(range(2, 40)) + [64, 100, 128, 200, 300, 512]


def forward(encoder, x, threads):
    import torch

    torch.set_num_threads(threads)
    with torch.no_grad():
        return encoder.model(x, attention_mask=torch.ones_like(x), output_hidden_states=True).hidden_states


def same(a, b, i, j):
    import torch

    return all(torch.equal(x[i], y[j]) for x, y in zip(a, b))


def forward_section(encoder, lengths: list[int], batches: tuple[int, ...]) -> list[str]:
    import torch

    from bench.metrics.bert_engine import SMALL_ROWS

    gen = torch.Generator().manual_seed(0)
    threaded = {2: [], 4: []}  # threads -> (length, batch) cases differing from the text alone on 1 thread
    differ, batched, checks = [], 0, 0
    for n in lengths:
        x = torch.randint(1000, 20000, (64, n), generator=gen)
        x[:, 0], x[:, -1] = 101, 102
        alone = forward(encoder, x[:1], 1)
        for threads, cases in threaded.items():
            cases += [(n, b) for b in batches if not same(forward(encoder, x[:b], threads), alone, 0, 0)]
        for batch in batches[1:]:
            checks += 1
            if not same(forward(encoder, x[:batch], 1), alone, 0, 0):
                differ.append((n, batch))
                batched += n >= SMALL_ROWS
    cases = ", ".join(f"{n}x{b}" for n, b in differ) or "none"
    threads = "; ".join(
        f"{t} threads: {len(v)} of {len(lengths) * len(batches)} (lengths {_spans(sorted({n for n, _ in v}))}; "
        f"alone: {_spans([n for n, b in v if b == 1])})" for t, v in threaded.items())
    return ["### Forward passes: a text's bits vs thread count and batch", "",
            f"Lengths {lengths[0]}-{lengths[-1]}, batches of {batches[0]}-{batches[-1]} same-length texts, cases whose text differs from "
            f"itself alone on 1 thread: {threads}.", "",
            f"On 1 thread, {checks} cases (batches of {batches[1]}-{batches[-1]}). Differing from the text alone (tokens x batch): {cases}.",
            f"Of those, texts of >= {SMALL_ROWS} tokens (the ones bench batches): {batched}.", ""]


def _spans(values: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9'."""
    if not values:
        return "none"
    spans, first, last = [], values[0], values[0]
    for v in values[1:] + [None]:
        if v is not None and v == last + 1:
            last = v
            continue
        spans.append(str(first) if first == last else f"{first}-{last}")
        if v is not None:
            first = last = v
    return ", ".join(spans)


def bmm_section(sizes: list[int]) -> list[str]:
    import torch

    gen = torch.Generator().manual_seed(0)
    differ = 0
    for m, n in itertools.product(sizes, sizes):
        a, b = torch.randn(1, m, 384, generator=gen), torch.randn(1, n, 384, generator=gen)
        out = []
        for threads in (1, 2):
            torch.set_num_threads(threads)
            out.append(torch.bmm(a, b.transpose(1, 2)))
        differ += not torch.equal(*out)
    return ["### Matching: `bmm` on 1 vs 2 threads", "",
            f"{differ} of {len(sizes) ** 2} shapes ([1, m, 384] x [1, 384, n], m, n in {_spans(sizes)}) "
            "give other bits on 2 threads than on 1; bench matches on single-threaded kernels.", ""]


def summeval_section(encoder, path: Path, most: int | None = None) -> list[str]:
    import torch
    from bert_score.utils import padding

    data = json.loads(path.read_text(encoding="utf-8"))
    texts = sorted({t for doc in data.values() for t in
                    (doc["src"], *doc["ref_summs"], *(s["sys_summ"] for s in doc["sys_summs"].values()))})
    if most is not None:  # a smoke run: the shortest texts
        texts = sorted(sorted(texts, key=len)[:most])
    layers = tuple(range(1, 7))
    ids = {t: encoder.token_ids(t) for t in texts}
    torch.set_num_threads(2)
    start = time.perf_counter()
    order = sorted(texts, key=lambda t: -len(ids[t]))
    for i in range(0, len(order), 64):
        padded, _, mask = padding([ids[t] for t in order[i : i + 64]], encoder.tokenizer.pad_token_id, dtype=torch.long)
        with torch.no_grad():
            encoder.model(padded, attention_mask=mask, output_hidden_states=True)
    t_padded = time.perf_counter() - start
    start = time.perf_counter()
    for n in sorted({len(v) for v in ids.values()}, reverse=True):
        same_length = [ids[t] for t in texts if len(ids[t]) == n]
        for i in range(0, len(same_length), 64):
            forward(encoder, torch.tensor(same_length[i : i + 64]), 2)
    t_two = time.perf_counter() - start
    start = time.perf_counter()
    ours = encoder.embed(texts, layers, 64, known=ids)  # 2 threads of one-thread kernels
    t_bench = time.perf_counter() - start
    alone = sum(
        not all(torch.equal(ours[t].layer(k), h[0]) for k, h in zip(layers, forward(encoder, torch.tensor([ids[t]]), 1)[1:]))
        for t in texts
    )
    torch.set_num_threads(2)
    return ["### SummEval texts through six layers", "",
            f"{len(texts):,} unique texts: padded length-sorted batches of 64 on 2 threads {t_padded:.1f} s; same-length "
            f"batches on 2 threads {t_two:.1f} s; bench's `embed` (2 threads of one-thread kernels) {t_bench:.1f} s. "
            f"Texts whose bench embeddings differ from the text alone on one thread: {alone}.", ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--summeval", type=Path, help="also time and check SummEval's texts (bartscore_SummEval_data.json)")
    args = parser.parse_args()
    import torch

    from bench.metrics import bert_engine
    from bench.metrics.models import resolve

    import _smoke  # beside this file

    _smoke.announce()
    # a smoke run: two lengths, three batch sizes, three bmm sizes, 20 SummEval texts
    lengths = [3, 64] if _smoke.on() else LENGTHS
    batches = (1, 2, 8) if _smoke.on() else (1, 2, 3, 5, 8, 16, 64)
    sizes = [2, 3, 50] if _smoke.on() else list(range(2, 30)) + [50, 100, 300, 512]
    threads = torch.get_num_threads()
    encoder = bert_engine.load_encoder(resolve("all-MiniLM-L6-v2").path, 6, "cpu", False)
    sections = [forward_section(encoder, lengths, batches), bmm_section(sizes)]
    if args.summeval:
        sections.append(summeval_section(encoder, args.summeval, 20 if _smoke.on() else None))
    torch.set_num_threads(threads)
    print("\n".join(line for s in sections for line in s))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
