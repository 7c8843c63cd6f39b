"""LLM-judge speed on SummEval, measured side by side in one process (docs/benchmarks.md, docs/judges.md).

    python benchmarks/judge_speed.py [--docs 2] [--systems 16] [--reps 2] [--path ../shared/data/summeval/...]

1. Prefix reuse. One transformers backend on SmolLM2-135M (the shipped default), the same prompts
   (``--docs`` articles x ``--systems`` summaries x the four shipped dimensions), answered with
   ``prefix_cache`` on and off, alternating, ``--reps`` times each; the response cache is not used, so
   every prompt goes through the model. Reported: judge calls per second of each, their ratio (the
   median over reps), and the largest rating difference between the two (float noise; the drift band is 1e-4).
   The same for the two dimensions that read the article alone (consistency, relevance).
2. A cached rerun. ``bench run dataset=summeval limit=64 'metrics=[llm_judge]'`` once (filling the
   response cache), then, alternating, the same with ``force=true`` (answered from the cache) and
   ``'metrics=[rouge]'`` on the same 64 items with ``force=true``, as whole CLI processes. Reported: the
   median wall time of each, their ratio, and whether the judge rerun loaded the model (it must not).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _smoke  # noqa: E402  (beside this file: a script's own folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = ROOT.parent / "shared" / "data" / "summeval" / "bartscore_SummEval_data.json"


def prompts(path: Path, docs: int, systems: int, dims: tuple[str, ...]):
    from bench.metrics.judge import templates
    from bench.metrics.judge.types import Params, Request

    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for doc_id in sorted(data)[:docs]:
        doc = data[doc_id]
        names = sorted(doc["sys_summs"], key=lambda s: int(s.lstrip("M")))[:systems]
        for template in templates.load_all(dims, {}):
            for system in names:
                user, prefix, stem = template.render(doc["sys_summs"][system]["sys_summ"],
                                                     doc["src"] if template.uses == "source" else None)
                out.append(Request(template.system, user, prefix, stem, template.labels, Params()))
    return out


def reuse(args, dims: tuple[str, ...]) -> dict:
    from bench.metrics.judge.local import Local
    from bench.metrics.judge.scoring import rate

    backend = Local("smollm2-135m", batch_size=args.batch_size)
    reqs = prompts(args.path, args.docs, args.systems, dims)
    backend.answer(reqs[:2], lambda k, a: None)  # the model loads here, outside the timings
    rates: dict[bool, list[float]] = {True: [], False: []}
    values: dict[bool, list[float]] = {}
    for _ in range(args.reps):
        for on in (True, False):
            backend.prefix_cache = on
            got = {}
            start = time.perf_counter()
            backend.answer(reqs, lambda k, a: got.__setitem__(k, a))
            rates[on].append(len(reqs) / (time.perf_counter() - start))
            values[on] = [rate(got[k], "logprobs", r.labels).value for k, r in enumerate(reqs)]
    ratios = [a / b for a, b in zip(rates[True], rates[False])]
    return {"dimensions": ",".join(dims), "calls": len(reqs), "reuse_calls_per_s": statistics.median(rates[True]),
            "no_reuse_calls_per_s": statistics.median(rates[False]), "ratio": statistics.median(ratios),
            "max_rating_difference": max(abs(a - b) for a, b in zip(values[True], values[False]))}


def cli(args_list: list[str], env: dict, cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bench", *args_list], cwd=cwd, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"bench {' '.join(args_list)} failed:\n{proc.stderr}")
    return elapsed, proc.stderr


def rerun(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BENCH_CACHE_DIR": os.environ.get("BENCH_CACHE_DIR", str(Path(tmp) / "cache")),
               "BENCH_PROGRESS": "0", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        # a smoke run: 2 items (every step still runs)
        common = ["run", "dataset=summeval", f"dataset.path={args.path}", f"limit={_smoke.cap(64, 2)}",
                  f"results_dir={tmp}/results"]
        # an empty response cache of its own (the model's dequantized copy stays in BENCH_CACHE_DIR)
        fresh = f"metrics.llm_judge.cache_dir={tmp}/responses"
        first, _ = cli([*common, "metrics=[llm_judge]", fresh], env, Path(tmp))
        judge, rouge, loaded = [], [], False
        for _ in range(args.reps + 1):
            t, err = cli([*common, "metrics=[llm_judge]", fresh, "force=true"], env, Path(tmp))
            judge.append(t)
            loaded |= "judge: loading" in err
            rouge.append(cli([*common, "metrics=[rouge]", "force=true"], env, Path(tmp))[0])
    return {"first_run_s": first, "cached_judge_s": statistics.median(judge), "rouge_s": statistics.median(rouge),
            "ratio": statistics.median(judge) / statistics.median(rouge), "model_loaded_on_rerun": loaded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--docs", type=int, default=2)
    parser.add_argument("--systems", type=int, default=16)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8, help="the backend's batch_size (the shipped default: 8)")
    parser.add_argument("--skip-rerun", action="store_true", help="measure prefix reuse only")
    parser.add_argument("--skip-reuse", action="store_true", help="measure the cached rerun only")
    args = parser.parse_args()
    _smoke.announce()
    # a smoke run: one article, two summaries, one rep
    args.docs, args.systems, args.reps = _smoke.cap(args.docs, 1), _smoke.cap(args.systems, 2), _smoke.cap(args.reps, 1)
    import torch

    print(f"# judge speed: {os.cpu_count()} CPUs, torch {torch.__version__} with {torch.get_num_threads()} threads")
    print("\n| prompts | calls | with reuse (calls/s) | without (calls/s) | ratio | max rating difference |")
    print("|---|---:|---:|---:|---:|---:|")
    for dims in () if args.skip_reuse else (("coherence", "consistency", "fluency", "relevance"),
                                            ("consistency", "relevance")):
        r = reuse(args, dims)
        print(f"| {args.docs} articles x {args.systems} summaries x {r['dimensions']} | {r['calls']} | "
              f"{r['reuse_calls_per_s']:.2f} | {r['no_reuse_calls_per_s']:.2f} | {r['ratio']:.2f}x | "
              f"{r['max_rating_difference']:.1e} |")
    if not args.skip_rerun:
        r = rerun(args)
        print("\n| 64 items | wall time (median) |\n|---|---:|")
        print(f"| first judge run (64 items x 4 dimensions, 256 calls) | {r['first_run_s']:.1f} s |")
        print(f"| judge rerun from the response cache (force=true) | {r['cached_judge_s']:.2f} s |")
        print(f"| ROUGE run (force=true) | {r['rouge_s']:.2f} s |")
        print(f"\ncached judge / ROUGE: {r['ratio']:.2f}x; model loaded on a cached rerun: {r['model_loaded_on_rerun']}")


if __name__ == "__main__":
    main()
