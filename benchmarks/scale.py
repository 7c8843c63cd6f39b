"""Scale benchmark (issue 28): whole `bench run` processes beside the bare kernel loops, and `bench ls` on large stores.

Everything is measured in one run of this script, side by side, so the ratios hold on a shared machine
whose absolute speed moves. Sections:

1. ``rouge``: for each size (10^4, 10^5, 10^6 generated items by default) `bench run dataset=files
   dataset.path=<jsonl> 'metrics=[rouge]'` as its own process, and the bare loop over the same pairs in its
   own process: `json.loads` per line, bench's punkt splitter (rougeLsum needs one sentence per line,
   rouge-score's convention), `rouge_score_rs.rouge_scorer.RougeScorer(types, use_stemmer=True).score`
   per pair. A second bare process scores rouge1/2/L only, without splitting. Wall time and peak RSS of
   each process; the splitting and scoring seconds inside the bare loop separately.
2. ``sacre``: the same with `'metrics=[bleu,chrf]'` beside sacrebleu's own `BLEU.sentence_score` /
   `CHRF.sentence_score` per item and the corpus score over all items, with bench's default options
   (configs/metrics/bleu.yaml, chrf.yaml). sacrebleu's `sentence_bleu` / `corpus_bleu` functions build
   the same metric object on every call; the loop builds each once, so it does no work bench does not.
   The corpus score is `corpus_score`'s own computation run on chunks of 10,000 items
   (``corpus_in_chunks``: `corpus_score` on all items at once holds every reference's n-gram Counters,
   the bare loop peaked at 10 GiB at 10^5 items with it), checked equal to `corpus_score` itself on the first 2,000 items.
3. ``ls``: `bench ls STORE` (best of --repeat) on stores of 1 and 50 runs of 100 and of
   20,000 items, each store built by scoring once (`bench.score`) and `bench.save`-ing the run N times.

The timings mean something only if both sides computed the same numbers: every item's stored score
(samples.jsonl of the bench run) must equal the bare loop's, and the stored means and corpus scores the
bare loop's (``math.fsum`` mean, as bench's); the report says PASS or FAIL and the script exits 1 on a FAIL.

Peak RSS is each measured process's own (a launcher forks it and reads its rusage with wait4:
``speed._wall``), never this process's. Texts are 3 (candidate) and 4 (reference) SummEval reference
sentences drawn with a seeded RNG (``speed.synthetic_corpus``), written line by line to a temporary folder.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--sections rouge,sacre,ls] [--repeat 3]
        [--sacre-max 100000] [--summeval PATH] [--tmp DIR] [--out FILE.md]

BLEU/chrF run only at sizes up to --sacre-max (default 10^5): sacrebleu's own loop takes about 25 minutes at
10^6 items (1,471 s measured with --sacre-max 1000000, docs/benchmarks.md). On main before issue 28, `bench run
'metrics=[bleu,chrf]'` peaked at 3.6 GiB at 10^5 items; a streamed run of 10^6 items peaks at 1.3 GiB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # _smoke and speed live beside this file

import _smoke  # noqa: E402
from speed import DEFAULT_SUMMEVAL, TYPES, _wall, summeval_items, synthetic_corpus  # noqa: E402

SECTIONS = ("rouge", "sacre", "ls")
ROUGE_STATS = ("precision", "recall", "fmeasure")  # the field order of rouge-score's Score tuple
NO_LSUM = [t for t in TYPES if t != "rougeLsum"]
SACRE = ("bleu", "chrf")
STORE_RUNS = (1, 50)
STORE_ITEMS = (100, 20_000)
GIB = 1024 * 1024  # KiB per GiB (ru_maxrss is in KiB)


# ---------------------------------------------------------------------------------------------------
# The bare loops: each runs as its own process (`scale.py --bare KIND JSONL PREFIX`) so that its wall
# time and peak RSS are its own. Per-item values go to PREFIX.f64 (float64, item-major) in chunks, so
# the loop's memory does not grow with the items; the timings and corpus scores to PREFIX.json.

CHUNK = 10_000


def bare_rouge(jsonl: str, prefix: str, types: list[str]) -> None:
    from array import array

    from rouge_score_rs import rouge_scorer

    from bench.metrics.sentences import get_splitter

    scorer = rouge_scorer.RougeScorer(types, use_stemmer=True)
    split = get_splitter("punkt") if "rougeLsum" in types else None
    clock = time.perf_counter
    read_s = split_s = score_s = 0.0
    n = 0
    buf = array("d")
    started = clock()
    with open(jsonl, encoding="utf-8") as fh, open(prefix + ".f64", "wb") as out:
        t0 = clock()
        for line in fh:
            rec = json.loads(line)
            ref, cand = rec["reference"], rec["candidate"]
            t1 = clock()
            if split is not None:
                ref, cand = "\n".join(split(ref)), "\n".join(split(cand))
            t2 = clock()
            scores = scorer.score(ref, cand)
            t3 = clock()
            for t in types:
                buf.extend(scores[t])
            n += 1
            if len(buf) >= CHUNK * 3 * len(types):
                buf.tofile(out)
                buf = array("d")
            read_s += t1 - t0
            split_s += t2 - t1
            score_s += t3 - t2
            t0 = clock()
        buf.tofile(out)
    Path(prefix + ".json").write_text(json.dumps({"n": n, "read_s": read_s, "split_s": split_s, "score_s": score_s,
                                                  "loop_s": clock() - started}))


def sacre_metrics():
    """sacrebleu's BLEU and CHRF with bench's default options (configs/metrics/bleu.yaml, chrf.yaml, and the
    objects bench/metrics/bleu.py and chrf.py build from them)."""
    from sacrebleu.metrics import BLEU, CHRF

    return (BLEU(lowercase=False, tokenize="13a", smooth_method="exp", smooth_value=None, max_ngram_order=4,
                 effective_order=True, force=True),
            CHRF(char_order=6, word_order=0, beta=2, lowercase=False, whitespace=False, eps_smoothing=False))


def corpus_in_chunks(metric, chunks) -> float:
    """``metric.corpus_score(all hypotheses, [all references]).score``, computed chunk by chunk.

    ``corpus_score`` is ``_aggregate_and_compute(_extract_corpus_statistics(hyps, refs))``, and that is
    ``_compute_score_from_stats`` of the per-item statistics summed (integers). Called on all items at once
    it first keeps every reference's n-gram Counters: the bare loop's peak RSS was 10 GiB at 10^5 items with it. The
    same two hooks on chunks, with each chunk's statistics summed, give the same integers and so the same
    score (``check_chunked_corpus`` compares it with ``corpus_score`` itself) in the memory of one chunk."""
    return metric._aggregate_and_compute([chunk_statistics(metric, hyps, refs) for hyps, refs in chunks]).score


def chunk_statistics(metric, hyps: list[str], refs: list[str]) -> list[int]:
    """The summed sacrebleu statistics of one chunk of items (one reference each)."""
    return [sum(col) for col in zip(*metric._extract_corpus_statistics(hyps, [refs]))]


def read_chunks(jsonl: str, size: int):
    cands, refs = [], []
    with open(jsonl, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            cands.append(rec["candidate"])
            refs.append(rec["reference"])
            if len(cands) == size:
                yield cands, refs
                cands, refs = [], []
    if cands:
        yield cands, refs


def bare_sacre(jsonl: str, prefix: str) -> None:
    from array import array

    bleu, chrf = sacre_metrics()
    clock = time.perf_counter
    started = clock()
    times = dict.fromkeys(("read_s", "bleu_s", "chrf_s", "corpus_bleu_s", "corpus_chrf_s"), 0.0)
    sums = {"bleu": [], "chrf": []}
    n = 0
    t = clock()
    with open(prefix + ".f64", "wb") as out:
        for cands, refs in read_chunks(jsonl, CHUNK):  # chunks: the loop's memory does not grow with the items
            times["read_s"] += clock() - t
            values = array("d", bytes(16 * len(cands)))
            for name, metric, col in (("bleu", bleu, 0), ("chrf", chrf, 1)):
                t = clock()
                for k, (c, r) in enumerate(zip(cands, refs)):
                    values[2 * k + col] = metric.sentence_score(c, [r]).score
                times[f"{name}_s"] += clock() - t
                t = clock()
                sums[name].append(chunk_statistics(metric, cands, refs))
                times[f"corpus_{name}_s"] += clock() - t
            values.tofile(out)
            n += len(cands)
            t = clock()
    corpus = {"bleu": bleu._aggregate_and_compute(sums["bleu"]).score,
              "chrf": chrf._aggregate_and_compute(sums["chrf"]).score}
    Path(prefix + ".json").write_text(json.dumps({"n": n, **times, "corpus": corpus, "loop_s": clock() - started}))


def check_chunked_corpus(jsonl: Path, items: int, chunk: int) -> list[str]:
    """The chunked corpus scores equal sacrebleu's ``corpus_score`` on the first ``items`` items."""
    cands, refs = next(read_chunks(str(jsonl), items))
    problems = []
    for name, metric in zip(SACRE, sacre_metrics()):
        whole = metric.corpus_score(cands, [refs]).score
        chunked = corpus_in_chunks(metric, ((cands[k:k + chunk], refs[k:k + chunk]) for k in range(0, len(cands), chunk)))
        if whole != chunked:
            problems.append(f"{name} corpus_score {whole!r} != chunked {chunked!r}")
    return problems


def bare(kind: str, jsonl: Path, prefix: Path, tmp: Path) -> tuple[float, int, dict]:
    """Wall s, peak RSS KiB and the timings of one bare loop, run as its own process."""
    wall, rss, _ = _wall([sys.executable, str(Path(__file__).resolve()), "--bare", kind, str(jsonl), str(prefix)], tmp)
    return wall, rss, json.loads(Path(str(prefix) + ".json").read_text())


def bare_values(prefix: Path, columns: int):
    import numpy as np

    return np.fromfile(str(prefix) + ".f64", dtype=np.float64).reshape(-1, columns)


# ---------------------------------------------------------------------------------------------------
# The bench side and the value check.

def bench_run(jsonl: Path, metrics: str, tmp: Path, tag: str) -> tuple[float, int, Path]:
    """Wall s and peak RSS KiB of one `bench run` process, and its run directory."""
    results = tmp / f"results-{tag}"
    # a cache of its own: each run reads its file cold (no Arrow table from an earlier run), as a user's first
    os.environ["BENCH_CACHE_DIR"] = str(tmp / f"cache-{tag}")
    wall, rss, _ = _wall(["bench", "run", "dataset=files", f"dataset.path={jsonl}", f"metrics=[{metrics}]",
                          f"results_dir={results}"], tmp)
    (run_dir,) = [p.parent for p in results.glob("*/*/result.json")]
    shutil.rmtree(tmp / f"cache-{tag}", ignore_errors=True)  # its Arrow table: gigabytes at 10^6 items
    return wall, rss, run_dir


def check_values(run_dir: Path, expected, columns: list[tuple[str, str]], corpus: dict[str, float] | None = None) -> list[str]:
    """Problems (none: PASS) between the stored run and the bare loop's values.

    Reads the stored files themselves, streamed, as docs/results.md describes them: what the check is
    about is what `bench run` stored, and at 10^6 items a loaded ``bench.Run`` would cost this process
    gigabytes. Every item is compared (ids in order, each stat with ``==``), then the stored means (bench's
    are ``math.fsum`` means, exactly rounded) and corpus scores."""
    problems = []
    n = len(expected)
    k = -1
    with open(run_dir / "samples.jsonl", encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            sample = json.loads(line)
            if k >= n:
                problems.append(f"more stored items than the {n} the bare loop scored")
                break
            if sample["id"] != f"s{k}":
                problems.append(f"stored item {k} is {sample['id']!r}, expected 's{k}'")
                break
            scores = sample["scores"]
            row = expected[k]
            for j, (metric, stat) in enumerate(columns):
                if scores[metric][stat] != row[j]:
                    problems.append(f"item s{k} {metric}.{stat}: bench {scores[metric][stat]!r} != bare {float(row[j])!r}")
            if len(problems) >= 5:
                break
    if not problems and k + 1 != n:
        problems.append(f"{k + 1} stored items, {n} scored by the bare loop")
    record = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
    for j, (metric, stat) in enumerate(columns):
        mean = math.fsum(expected[:, j].tolist()) / n
        if record["metrics"][metric][stat] != mean:
            problems.append(f"mean {metric}.{stat}: bench {record['metrics'][metric][stat]!r} != bare {mean!r}")
    for metric, value in (corpus or {}).items():
        if record["corpus"][metric]["score"] != value:
            problems.append(f"corpus {metric}: bench {record['corpus'][metric]['score']!r} != bare {value!r}")
    return problems


def stage_seconds(run_dir: Path) -> str:
    """bench's own stage timings of the run (result.json volatile.timings_s), for where the time goes."""
    timings = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))["volatile"].get("timings_s", {})
    return ", ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in timings.items() if v >= 0.005) or "-"


def verdict(problems: list[str]) -> str:
    return "PASS" if not problems else "FAIL: " + "; ".join(problems[:3])


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f}"


def rouge_size(jsonl: Path, n: int, tmp: Path) -> dict:
    wall, rss, run_dir = bench_run(jsonl, "rouge", tmp, f"rouge-{n}")
    b_wall, b_rss, b = bare("rouge", jsonl, tmp / f"bare-rouge-{n}", tmp)
    l_wall, l_rss, lt = bare("rouge-no-lsum", jsonl, tmp / f"bare-rouge3-{n}", tmp)
    full = bare_values(tmp / f"bare-rouge-{n}", 3 * len(TYPES))
    three = bare_values(tmp / f"bare-rouge3-{n}", 3 * len(NO_LSUM))
    problems = check_values(run_dir, full, [(t, s) for t in TYPES for s in ROUGE_STATS])
    if not (three == full[:, : three.shape[1]]).all():  # the 1/2/L-only loop computed the same numbers
        problems.append("the rouge1/2/L-only bare loop differs from the full loop")
    stages = stage_seconds(run_dir)
    shutil.rmtree(run_dir.parent.parent)
    return dict(n=n, wall=wall, rss=rss, b_wall=b_wall, b_rss=b_rss, b=b, l_wall=l_wall, l_rss=l_rss, lt=lt,
                problems=problems, stages=stages)


def sacre_size(jsonl: Path, n: int, tmp: Path) -> dict:
    wall, rss, run_dir = bench_run(jsonl, ",".join(SACRE), tmp, f"sacre-{n}")
    b_wall, b_rss, b = bare("sacre", jsonl, tmp / f"bare-sacre-{n}", tmp)
    problems = check_values(run_dir, bare_values(tmp / f"bare-sacre-{n}", 2), [(m, "score") for m in SACRE], b["corpus"])
    problems += check_chunked_corpus(jsonl, min(n, 2_000), 300)
    stages = stage_seconds(run_dir)
    shutil.rmtree(run_dir.parent.parent)
    return dict(n=n, wall=wall, rss=rss, b_wall=b_wall, b_rss=b_rss, b=b, problems=problems, stages=stages)


def side_by_side(rows: list[dict]) -> list[str]:
    """The table both sections open with: bench's process beside the bare loop's, per size."""
    out = ["| items | bench wall s | bare wall s | ratio | bench peak RSS MiB | bare peak RSS MiB | values |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['n']:,} | {r['wall']:.2f} | {r['b_wall']:.2f} | {r['wall'] / r['b_wall']:.2f}x | {mib(r['rss'])} "
                   f"| {mib(r['b_rss'])} | {verdict(r['problems'])} |")
    return out


def rouge_section(rows: list[dict]) -> list[str]:
    out = ["### ROUGE: `bench run dataset=files dataset.path=<jsonl> 'metrics=[rouge]'` beside the bare rouge-score-rs loop", "",
           "rouge1/2/L/Lsum with stemming, punkt sentences for rougeLsum (bench's defaults). Bare: one process reading the "
           "JSONL (`json.loads` per line), splitting both texts with bench's punkt splitter and scoring each pair with "
           "`RougeScorer(types, use_stemmer=True).score`.", "", *side_by_side(rows)]
    out += ["", "Inside the bare loop (seconds), and rouge1/2/L only (no splitting, its own process); bench's own stage "
            "timings (result.json `volatile.timings_s`):", "",
            "| items | read | split | score | 1/2/L only: wall (score) | 1/2/L peak RSS MiB | bench stages |",
            "|---|---|---|---|---|---|---|"]
    for r in rows:
        b, lt = r["b"], r["lt"]
        out.append(f"| {r['n']:,} | {b['read_s']:.2f} | {b['split_s']:.2f} | {b['score_s']:.2f} | "
                   f"{r['l_wall']:.2f} ({lt['score_s']:.2f}) | {mib(r['l_rss'])} | {r['stages']} |")
    return out


def sacre_section(rows: list[dict]) -> list[str]:
    out = ["### BLEU and chrF: `bench run ... 'metrics=[bleu,chrf]'` beside sacrebleu's own loop", "",
           "Bare: one process reading the JSONL in chunks of 10,000 items, `BLEU(...).sentence_score` and "
           "`CHRF(...).sentence_score` per item, and the corpus scores from each chunk's summed statistics (`corpus_score`'s "
           "own hooks; equal to `corpus_score` on the first 2,000 items, checked), with bench's default options.", "",
           *side_by_side(rows)]
    out += ["", "| items | bare: sentence BLEU s | sentence chrF s | corpus BLEU s | corpus chrF s | bench stages |",
            "|---|---|---|---|---|---|"]
    for r in rows:
        b = r["b"]
        out.append(f"| {r['n']:,} | {b['bleu_s']:.2f} | {b['chrf_s']:.2f} | {b['corpus_bleu_s']:.2f} | "
                   f"{b['corpus_chrf_s']:.2f} | {r['stages']} |")
    return out


# ---------------------------------------------------------------------------------------------------
# bench ls on large stores.

def read_pairs(jsonl: Path) -> tuple[list[str], list[str], list[str]]:
    ids, cands, refs = [], [], []
    with jsonl.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            ids.append(rec["id"])
            cands.append(rec["candidate"])
            refs.append(rec["reference"])
    return ids, cands, refs


def ls_section(sentences: list[str], tmp: Path, items_sizes: tuple[int, ...], runs_sizes: tuple[int, ...],
               repeat: int) -> tuple[list[str], float | None]:
    import bench

    rows, best = [], {}
    for items in items_sizes:
        jsonl = tmp / f"store-{items}.jsonl"
        synthetic_corpus(jsonl, items, sentences, seed=items)
        ids, cands, refs = read_pairs(jsonl)
        t = time.perf_counter()
        run = bench.score(cands, refs, metrics=["rouge"], ids=ids, name="scale")
        score_s = time.perf_counter() - t
        for runs in runs_sizes:
            store = tmp / f"store-{runs}x{items}"
            t = time.perf_counter()
            for _ in range(runs):
                bench.save(run, store)
            save_s = time.perf_counter() - t
            walls, rss = [], 0
            for _ in range(repeat):
                wall, peak, out = _wall(["bench", "ls", str(store)], tmp)
                walls.append(wall)
                rss = max(rss, peak)
            listed = sum(1 for line in out.splitlines() if line.split()[:1] == ["scale"])
            if listed != runs:  # a store listed short was not listed at all
                raise RuntimeError(f"bench ls listed {listed} of the {runs} runs in {store}:\n{out}")
            best[(runs, items)] = min(walls)
            rows.append(f"| {runs} | {items:,} | {min(walls):.2f} | {mib(rss)} | {score_s:.1f} + {save_s:.1f} |")
            shutil.rmtree(store)
    big, small = max(items_sizes), min(items_sizes)
    many = max(runs_sizes)
    ratio = best[(many, big)] / best[(many, small)]
    out = [f"### `bench ls STORE` (best of {repeat})", "",
           "Each store: one run scored with `bench.score(..., metrics=['rouge'])`, saved N times with `bench.save`.", "",
           "| runs | items per run | ls wall s | ls peak RSS MiB | building: score + save s |", "|---|---|---|---|---|", *rows, "",
           f"{many} runs of {big:,} items against {many} runs of {small:,}: **{ratio:.2f}x**."]
    return out, ratio


# ---------------------------------------------------------------------------------------------------

def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()} ({sys.executable})"


def goals(rouge_rows: list[dict], ls_ratio: float | None, ls_shape: tuple[int, int, int]) -> list[str]:
    by_n = {r["n"]: r for r in rouge_rows}

    def row(goal: str, n: int, measured) -> str:
        if n not in by_n:
            return f"| {goal} | not measured ({n:,} items not in --sizes) | - |"
        value, met = measured(by_n[n])
        return f"| {goal} | {value} | {'met' if met else 'NOT met'} |"

    lines = ["### Goals of issue 28", "", "| goal | measured | |", "|---|---|---|",
             row("100,000-item ROUGE run: whole process <= 2x the bare loop", 100_000,
                 lambda r: (f"{r['wall'] / r['b_wall']:.2f}x ({r['wall']:.1f} s / {r['b_wall']:.1f} s)",
                            r["wall"] <= 2 * r["b_wall"])),
             row("peak RSS <= 1 GiB at 100,000 items (ROUGE run)", 100_000,
                 lambda r: (f"{mib(r['rss'])} MiB", r["rss"] <= GIB)),
             row("peak RSS <= 2 GiB at 1,000,000 items (ROUGE run)", 1_000_000,
                 lambda r: (f"{mib(r['rss'])} MiB", r["rss"] <= 2 * GIB))]
    many, big, small = ls_shape
    if ls_ratio is None:
        lines.append(f"| `bench ls`: {many} x {big:,} items <= 2x {many} x {small:,} | not measured (--sections) | - |")
    else:
        lines.append(f"| `bench ls`: {many} x {big:,} items <= 2x {many} x {small:,} | {ls_ratio:.2f}x | "
                     f"{'met' if ls_ratio <= 2 else 'NOT met'} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="items per generated corpus, comma-separated")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--sacre-max", type=int, default=100_000, help="largest size BLEU/chrF run at")
    parser.add_argument("--repeat", type=int, default=3, help="bench ls: best of this many")
    parser.add_argument("--summeval", type=Path, default=DEFAULT_SUMMEVAL, help="where the sentences come from")
    parser.add_argument("--tmp", type=Path, help="folder for the temporary corpora and stores (default: the system's)")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    args = parser.parse_args()
    wanted = set(args.sections.split(","))
    if wanted - set(SECTIONS):
        parser.error(f"unknown section(s) {sorted(wanted - set(SECTIONS))}; choose from {','.join(SECTIONS)}")
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: give item counts like 10000,100000")
    if any(n < 1 for n in sizes) or args.repeat < 1:
        parser.error("--sizes and --repeat must be positive")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _smoke.announce()
    store_items, store_runs, repeat = STORE_ITEMS, STORE_RUNS, args.repeat
    if _smoke.on():  # every step still runs, on small sizes
        sizes, store_items, store_runs, repeat = [200, 400], (100, 400), (1, 2), 1
    started = time.perf_counter()
    from bench.metrics.sentences import get_splitter

    split = get_splitter("punkt")
    sentences = sorted({s for it in summeval_items(args.summeval) for s in split(it.references[0])})
    sections, rouge_rows, ls_ratio, failed = [], [], None, False
    if args.tmp:
        args.tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.tmp) as d:
        tmp = Path(d)
        sacre_rows, made = [], []
        for n in sizes:
            if not wanted & {"rouge", "sacre"}:
                break
            jsonl = tmp / f"items-{n}.jsonl"
            t = time.perf_counter()
            synthetic_corpus(jsonl, n, sentences, seed=n)
            made.append(f"{n:,} items {time.perf_counter() - t:.1f} s ({jsonl.stat().st_size / 2**20:,.0f} MiB)")
            if "rouge" in wanted:
                rouge_rows.append(rouge_size(jsonl, n, tmp))
                print(f"rouge {n:,}: {verdict(rouge_rows[-1]['problems'])}", file=sys.stderr, flush=True)
            if "sacre" in wanted and n <= args.sacre_max:
                sacre_rows.append(sacre_size(jsonl, n, tmp))
                print(f"bleu,chrf {n:,}: {verdict(sacre_rows[-1]['problems'])}", file=sys.stderr, flush=True)
            for leftover in tmp.glob("bare-*"):
                leftover.unlink()
            jsonl.unlink()
        if made:
            sections.append([f"Corpora generated (seeded, written line by line): {'; '.join(made)}."])
        if rouge_rows:
            sections.append(rouge_section(rouge_rows))
        if sacre_rows:
            sections.append(sacre_section(sacre_rows))
        skipped = [n for n in sizes if n > args.sacre_max]
        if "sacre" in wanted and skipped:
            sections.append([f"BLEU/chrF not run at {', '.join(f'{n:,}' for n in skipped)} items (over --sacre-max "
                             f"{args.sacre_max:,}: bench's BLEU/chrF memory still grows with the items)."])
        failed = any(r["problems"] for r in rouge_rows + sacre_rows)
        if "ls" in wanted:
            lines, ls_ratio = ls_section(sentences, tmp, store_items, store_runs, repeat)
            sections.append(lines)
    sections.insert(0, goals(rouge_rows, ls_ratio, (max(store_runs), max(store_items), min(store_items))))
    head = [f"## bench scale report ({time.strftime('%Y-%m-%d')})", "",
            f"Machine: {machine()}.", "",
            f"Command: `python benchmarks/scale.py {' '.join(sys.argv[1:])}`; total {time.perf_counter() - started:.0f} s."
            + (f" {_smoke.LABEL}." if _smoke.on() else ""), ""]
    text = "\n".join(head + [line for s in sections for line in (*s, "")])
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    if failed:
        print("scale.py: bench's stored values differ from the bare loops' (see the values column)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bare"]:  # one bare loop, as its own measured process (see bare())
        kind, jsonl, prefix = sys.argv[2:5]
        if kind == "sacre":
            bare_sacre(jsonl, prefix)
        else:
            bare_rouge(jsonl, prefix, TYPES if kind == "rouge" else NO_LSUM)
        sys.exit(0)
    sys.exit(main())
