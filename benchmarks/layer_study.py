"""Layer study: which hidden layer of BERTScore's encoder agrees best with SummEval's experts?

A call of bench itself, so the numbers are those any user gets:

    bench run dataset=summeval 'metrics=[bertscore]' metrics.bertscore.layer=all   # bertscore_L1..L6, one pass
    bench meta RUN --compare summary:kendall,system:kendall --format json

Protocol: SummEval (100 CNN/DM documents x 16 systems, 11 references, mean of 3 expert ratings),
BERTScore F1 with the shipped all-MiniLM-L6-v2 (idf off, no rescaling, max over references), every
layer from one forward pass per text. Correlations at the sample, summary and system level (Pearson,
Spearman, Kendall tau-b), BOOT-BOTH 95% intervals (1,000 resamples), PERM-BOTH tests between layers
with Holm's correction, clusters. The recommended layer is the best mean summary-level Kendall tau
over the four dimensions.

    HF_HUB_OFFLINE=1 python benchmarks/layer_study.py --out docs/layer_study.md
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _smoke  # beside this file
import bench

DIMS = ("expert.coherence", "expert.consistency", "expert.fluency", "expert.relevance")


def _bench(*args: str) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).with_name("bench"))
    return subprocess.run([exe, *args], capture_output=True, text=True, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=None, help="write the Markdown report here (default: print)")
    ap.add_argument("--path", default=None, help="SummEval JSON (default: the dataset config's)")
    ap.add_argument("--results-dir", default=None)
    args = ap.parse_args()
    _smoke.announce()
    results = args.results_dir or tempfile.mkdtemp()
    extra = ([f"dataset.path={args.path}"] if args.path else []) + _smoke.limit(32)  # smoke: two documents
    run_cmd = ["run", "dataset=summeval", "metrics=[bertscore]", "metrics.bertscore.layer=all",
               "metrics.bertscore.progress=false", f"results_dir={results}", *extra]
    t = time.perf_counter()
    run_dir = _bench(*run_cmd).stdout.strip().splitlines()[-1]
    run_s = time.perf_counter() - t
    meta_cmd = ["meta", run_dir, "--compare", "summary:kendall,system:kendall",
                *(["--resamples", "20", "--test-resamples", "20"] if _smoke.on() else [])]
    t = time.perf_counter()
    payload = json.loads(_bench(*meta_cmd, "--format", "json").stdout)
    markdown = _bench(*meta_cmd, "--format", "markdown", "--no-save").stdout
    meta_s = time.perf_counter() - t
    rows = [r for r in payload["correlations"] if r["level"] == "summary" and r["coefficient"] == "kendall"]
    layers = sorted({r["metric"] for r in rows}, key=lambda m: int(m.rsplit("L", 1)[1]))
    avg = {m: sum(r["value"] for r in rows if r["metric"] == m) / len(DIMS) for m in layers}
    best = max(avg, key=avg.get)
    clusters = {h: sorted((r["metric"] for r in rows if r["human"] == h and r.get("cluster") == 1),
                          key=lambda m: int(m.rsplit("L", 1)[1])) for h in DIMS}
    run = bench.load_run(run_dir)
    lines = [
        "# BERTScore layer study: all-MiniLM-L6-v2 on SummEval",
        "",
        *([f"**{_smoke.LABEL}.**", ""] if _smoke.on() else []),
        "Made by `benchmarks/layer_study.py` (its docstring has the protocol) in about 6 minutes on 2 cores. It is two",
        "bench commands: `bench run dataset=summeval 'metrics=[bertscore]' metrics.bertscore.layer=all` (every layer",
        "a metric, from one forward pass per text), then `bench meta RUN --compare summary:kendall,system:kendall`.",
        "The slow tier runs the command below on two documents with `BENCH_SMOKE=1` ([testing.md](testing.md)).",
        "",
        "<!-- smoke -->",
        "```console",
        "$ python benchmarks/layer_study.py --out docs/layer_study.md",
        "```",
        "",
        f"- Run: {run.inputs.items} items, {run.inputs.references} references, {run_s:.0f} s "
        f"(all six layers from one forward pass per text); meta-evaluation {meta_s:.0f} s for both outputs.",
        f"- Signature of layer 5: `{run.signatures.get('bertscore_L5', '')}`",
        f"- Meta-evaluation signature: `{payload['signature']}`",
        "",
        "## Recommendation",
        "",
        f"**{best}** has the best summary-level Kendall tau averaged over the four expert dimensions: {avg[best]:.4f}.",
        "Per layer: " + ", ".join(f"{m.rsplit('_', 1)[1]} {v:.4f}" for m, v in avg.items()) + ".",
        "",
        "Layers in the top significance cluster at summary-level Kendall (PERM-BOTH, Holm, alpha 0.05; "
        "no test separates them from the best layer's cluster):",
        "",
        *[f"- {h}: {', '.join(m.rsplit('_', 1)[1] for m in ms)}" for h, ms in clusters.items()],
        "",
        "## All correlations (value [95% BOOT-BOTH interval]; (k): cluster where layers were compared)",
        "",
        markdown,
    ]
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text)


if __name__ == "__main__":
    main()
