"""Side-by-side speed benchmark: the harness against the plain libraries, in one run.

Timings on a shared 2-core machine are noisy, so every comparison is a ratio of
runs made next to each other in this process (best of --repeat), never a
threshold in a unit test. Sections:

1. ROUGE 1/2/L/Lsum with stemming on SummEval (1,600 items x 11 refs = 17,600
   pairs): a plain rouge-score loop, rouge-score-rs called directly, and the
   harness (sentence splitting, scoring, multi-reference reduction included).
   Per-item values are checked equal to the plain loop's before timing counts.
2. BERTScore (all-MiniLM-L6-v2, layer 5) on SummEval: bert_score.score
   directly, bert_score.score(batch_size=1) (whose values bench reproduces bit
   for bit), the harness cold (empty embedding cache), warm (same cache, fresh
   process state for the metric) and an all-layers sweep.
3. The seed experiment re-run answered from the result cache (`bench run`, wall).
4. Scale: synthetic corpora of 1k/10k/100k pairs through `bench run
   dataset=files 'metrics=[rouge]'`: wall time, per-pair cost, peak RSS; and
   BERTScore on 1k/4k/10k pairs (20k unique texts): memory stays flat.
5. Shards: 4 shards through Hydra's joblib launcher + `bench merge` equal the
   single run (outside the volatile block), ROUGE and BERTScore on SummEval.

    python benchmarks/speed.py [--summeval PATH] [--quick] [--out FILE.md]
        [--sections rouge,bertscore,cache,scale,bert-scale,shards] [--bert-sizes 1000,4000,10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUMMEVAL = ROOT.parent / "shared" / "data" / "summeval" / "bartscore_SummEval_data.json"
TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
SECTIONS = ("rouge", "bertscore", "cache", "scale", "bert-scale", "shards")


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def summeval_items(path: Path):
    from bench.data import DatasetSpec, load_items

    return load_items(DatasetSpec(name="summeval", source="summeval", path=str(path)))


def rouge_section(items, repeat: int) -> list[str]:
    from rouge_score import rouge_scorer
    from rouge_score_rs import rouge_scorer as rs_scorer

    from bench.metrics.rouge import Rouge, RougeSpec
    from bench.metrics.sentences import get_splitter

    split = get_splitter("punkt")
    refs = [r for it in items for r in it.references]
    cands = [it.candidate for it in items for _ in it.references]
    # The plain loops get texts already split into lines (rougeLsum's convention), for free.
    lines = {t: "\n".join(split(t)) for t in set(refs) | set(cands)}
    r_lines, c_lines = [lines[t] for t in refs], [lines[t] for t in cands]
    plain = rouge_scorer.RougeScorer(TYPES, use_stemmer=True)
    t_plain, plain_out = best_of(lambda: [plain.score(r, c) for r, c in zip(r_lines, c_lines)], 1)
    rs = rs_scorer.RougeScorer(TYPES, use_stemmer=True)
    t_rs, _ = best_of(lambda: rs.score_batch(r_lines, c_lines), repeat)
    harness = Rouge(RougeSpec())
    t_h, results = best_of(lambda: harness.score(items, "first", "sha256:bench"), repeat)
    # Same numbers, or the timing means nothing: compare with the plain loop on the first reference.
    offsets, k = [], 0
    for it in items:
        offsets.append(k)
        k += len(it.references)
    for res in results:
        assert list(res.per_item) == [tuple(plain_out[o][res.name]) for o in offsets], f"{res.name} differs from rouge-score"
    n = len(refs)
    return [
        f"### ROUGE on SummEval ({len(items)} items, {n} pairs; 1/2/L/Lsum, stemming)",
        "",
        "| engine | seconds | pairs/s | speed-up vs rouge-score loop |",
        "|---|---|---|---|",
        f"| rouge-score loop (plain) | {t_plain:.2f} | {n / t_plain:,.0f} | 1.0x |",
        f"| rouge-score-rs `score_batch` (direct) | {t_rs:.3f} | {n / t_rs:,.0f} | {t_plain / t_rs:.1f}x |",
        f"| bench (split + score + multi-ref) | {t_h:.3f} | {n / t_h:,.0f} | {t_plain / t_h:.1f}x |",
        "",
        f"bench vs rouge-score-rs direct: {t_rs / t_h:.2f}x (>1 means bench is faster; bench also splits sentences). "
        "Per-item values checked identical to rouge-score.",
    ]


# Linux keeps ru_maxrss across fork and exec, so a child forked from this (large)
# process would report this process's peak. A small launcher process forks the
# measured command instead and prints that command's own peak RSS.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "print(f'PEAK_RSS_KIB {usage.ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _wall(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """Wall seconds and peak RSS (KiB) of a command, and its stdout."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")
    rss = int(proc.stderr.strip().splitlines()[-1].split()[-1])
    return wall, rss, proc.stdout


def cache_section(tmp: Path) -> list[str]:
    results = tmp / "cache-results"
    cold, _, _ = _wall(["bench", "run", f"results_dir={results}"], tmp)
    warm, _, out = _wall(["bench", "run", f"results_dir={results}"], tmp)
    assert "CACHED" in out
    return [
        "### Seed experiment re-run from the result cache",
        "",
        f"`bench run` (seed, ROUGE + BERTScore): first run {cold:.2f} s wall; identical re-run {warm:.2f} s wall "
        "(answered from the store, torch not imported).",
    ]


def synthetic_corpus(path: Path, n: int, sentences: list[str], seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for k in range(n):
            cand = " ".join(rng.sample(sentences, 3))
            ref = " ".join(rng.sample(sentences, 4))
            fh.write(json.dumps({"id": f"s{k}", "candidate": cand, "reference": ref}) + "\n")


def _scale_runs(items, tmp: Path, sizes: list[int], name: str, overrides: list[str]) -> list[tuple[int, float, int]]:
    """(pairs, wall s, peak RSS KiB) of `bench run dataset=files <overrides>` on synthetic corpora of each size."""
    from bench.metrics.sentences import get_splitter

    split = get_splitter("punkt")
    sentences = sorted({s for it in items for s in split(it.references[0])})
    runs = []
    for n in sizes:
        path = tmp / f"synthetic-{name}-{n}.jsonl"
        synthetic_corpus(path, n, sentences, seed=n)
        wall, rss, _ = _wall(["bench", "run", "dataset=files", f"dataset.path={path}", *overrides,
                              f"results_dir={tmp}/scale-{name}"], tmp)
        runs.append((n, wall, rss))
    return runs


def scale_section(items, tmp: Path, sizes: list[int]) -> list[str]:
    rows = ["### Scale: `bench run dataset=files 'metrics=[rouge]'` on synthetic pairs", "",
            "| pairs | wall s | µs per pair | peak RSS MiB |", "|---|---|---|---|"]
    for n, wall, rss in _scale_runs(items, tmp, sizes, "rouge", ["metrics=[rouge]"]):
        rows.append(f"| {n:,} | {wall:.2f} | {wall / n * 1e6:.1f} | {rss / 1024:.0f} |")
    rows += ["", "Wall time includes interpreter start-up, imports, reading the file with `datasets` and writing the run."]
    return rows


def bert_scale_section(items, tmp: Path, sizes: list[int]) -> list[str]:
    """BERTScore on synthetic pairs (every text unique): memory must stay flat as pairs grow (chunked scoring)."""
    from bench.metrics.bertscore import CHUNK_TEXTS

    overrides = ["metrics=[bertscore]", "metrics.bertscore.cache=false", "metrics.bertscore.progress=false"]
    rows = ["### Scale: `bench run dataset=files 'metrics=[bertscore]' metrics.bertscore.cache=false` on synthetic pairs", "",
            "| pairs | unique texts | wall s | ms per pair | peak RSS MiB |", "|---|---|---|---|---|"]
    for n, wall, rss in _scale_runs(items, tmp, sizes, "bertscore", overrides):
        rows.append(f"| {n:,} | {2 * n:,} | {wall:.1f} | {wall / n * 1e3:.2f} | {rss / 1024:.0f} |")
    rows += ["", f"Texts are embedded and matched in chunks of at most {CHUNK_TEXTS:,} unique texts, so peak memory "
             "stops growing once a corpus is larger than one chunk."]
    return rows


def shard_section(summeval: Path, tmp: Path, bertscore: bool, extra: list[str] = ()) -> list[str]:
    # the embedding cache is off, so every shard embeds its own texts in its own batches
    metrics = ["metrics=[rouge,bertscore]", "metrics.bertscore.cache=false"] if bertscore else ["metrics=[rouge]"]
    common = ["dataset=summeval", f"dataset.path={summeval}", *metrics, *extra]
    _wall(["bench", "run", *common, f"results_dir={tmp}/single"], tmp)
    _wall(["bench", "run", "-m", "hydra/launcher=joblib", *common, "shard.count=4", "shard.index=0,1,2,3",
           f"results_dir={tmp}/shards"], tmp)
    shards = sorted(str(p.parent) for p in (tmp / "shards").glob("*/*/result.json"))
    _, _, out = _wall(["bench", "merge", *shards, "--results-dir", str(tmp / "merged")], tmp)
    merged = Path(out.strip().splitlines()[-1])
    merged = merged if merged.is_absolute() else tmp / merged
    (single,) = [p.parent for p in (tmp / "single").glob("*/*/result.json")]
    a, b = (json.loads((d / "result.json").read_text()) for d in (single, merged))
    for rec in (a, b):
        rec.pop("volatile")
        rec["config"].pop("results_dir")
    same = a == b and (single / "samples.jsonl").read_bytes() == (merged / "samples.jsonl").read_bytes()
    what = "ROUGE and BERTScore" if bertscore else "ROUGE"
    return ["### Shards", "", f"4 shards (joblib launcher) merged == single run, SummEval {what}: {'PASS' if same else 'FAIL'}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--summeval", type=Path, default=DEFAULT_SUMMEVAL)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="scale up to 10k pairs only, skip BERTScore")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--bert-sizes", default="1000,4000,10000", help="pairs for the BERTScore scale section")
    args = parser.parse_args()
    wanted = set(args.sections.split(","))
    if wanted - set(SECTIONS):
        parser.error(f"unknown section(s) {sorted(wanted - set(SECTIONS))}; choose from {','.join(SECTIONS)}")
    if args.quick:
        wanted -= {"bertscore", "bert-scale"}
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import _smoke  # noqa: E402  (beside this file)

    _smoke.announce()
    items = summeval_items(args.summeval)
    scale_sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    bert_sizes = [int(n) for n in args.bert_sizes.split(",")]
    repeat = args.repeat
    if _smoke.on():  # two documents, one repeat, the smallest sizes: every section still runs
        items, repeat, scale_sizes, bert_sizes = items[:32], 1, [200], [16]
    started = time.perf_counter()
    sections = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ["BENCH_CACHE_DIR"] = str(tmp / "cache")
        if "rouge" in wanted:
            sections.append(rouge_section(items, repeat))
        if "bertscore" in wanted:
            from bert_section import bertscore_section  # noqa: E402  (beside this file)

            sections.append(bertscore_section(items, tmp, repeat))
        if "cache" in wanted:
            sections.append(cache_section(tmp))
        if "scale" in wanted:
            sections.append(scale_section(items, tmp, scale_sizes))
        if "bert-scale" in wanted:
            sections.append(bert_scale_section(items, tmp, bert_sizes))
        if "shards" in wanted:
            # a smoke run shards ROUGE only (tests/cli/commands/test_merge.py shards BERTScore too)
            sections.append(shard_section(args.summeval, tmp, bertscore=not (args.quick or _smoke.on()),
                                          extra=_smoke.limit(32)))
    import platform

    head = [f"## bench speed report ({time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()})", "",
            f"Command: `python benchmarks/speed.py {' '.join(sys.argv[1:])}`; total {time.perf_counter() - started:.0f} s."
            + (" BENCH_SMOKE=1: a smoke run on two documents, its figures mean nothing." if _smoke.on() else ""), ""]
    text = "\n".join(head + [line for s in sections for line in (*s, "")])
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
