"""Paper tables: a leaderboard, a meta-evaluation, a comparison or one run as LaTeX (``--format latex``).

Pure: each function takes the typed result and returns the text of one or more ``table`` environments,
nothing read or written. The tables use booktabs (``\\toprule``, ``\\midrule``, ``\\cmidrule``,
``\\bottomrule``, ``\\addlinespace``; no ``\\hline``, no vertical rules), numbers right-aligned, names from
the data escaped (``bench.text.tex``), and a ``\\caption`` that says what the numbers are and ends with the
signature of what produced them (``bench.text.tex_code``: breakable after each ``|``), with a short caption
in brackets for a list of tables, and a ``\\label``. A paper needs ``\\usepackage{booktabs}`` only.

Intervals: ``0.490 [0.475, 0.506]`` (``interval="brackets"``, the default), or ``interval="pm"``:
``0.490^{+0.016}_{-0.015}``, the distances from the value up to the interval's upper bound and down to its
lower bound. A bootstrap percentile interval is not symmetric, so one ``±`` half-width would misstate one
side; the two distances state both.

Significance clusters (``bench.stats.ranking``: systems, or metrics, no test separates share a cluster):
a superscript letter per cluster, ``a`` the best, and the top cluster's values in bold.
"""

from __future__ import annotations

import re
from typing import Sequence

from bench.analysis import render_meta
from bench.analysis.compare import Comparison
from bench.analysis.meta import Correlation, MetaEvaluation
from bench.analysis.systems import Leaderboard
from bench.signature import Signature
from bench.text import tex, tex_code
from bench.values import Interval

INTERVALS = ("brackets", "pm")
ADDSPACE = None  # a row of ``_table``'s body that is ``\addlinespace`` (between groups of rows)


def letter(cluster: int) -> str:
    """Cluster 1 -> ``a``, 26 -> ``z``, 27 -> ``aa`` (as spreadsheet columns): one mark per cluster."""
    out = ""
    while cluster > 0:
        cluster, rest = divmod(cluster - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def number(x: float, digits: int = 3) -> str:
    """``0.490``; a negative number with a minus sign (math mode), not a hyphen; ``n/a`` for NaN."""
    if x != x:
        return "n/a"
    text = f"{x:.{digits}f}"
    return "\\ensuremath{-}" + text[1:] if text.startswith("-") else text


def value(x: float | None, ci: Interval | None, interval: str = "brackets", digits: int = 3, bold: bool = False,
          mark: str = "") -> str:
    """A value with its interval: ``0.490 [0.475, 0.506]`` or ``0.490^{+0.016}_{-0.015}`` (``interval``);
    ``bold``: the value in bold; ``mark``: a cluster letter, superscript after the value."""
    if x is None or x != x:
        return "n/a"
    shown = number(x, digits)
    if bold:
        shown = f"\\textbf{{{shown}}}"
    sup = f"\\textsuperscript{{{mark}}}" if mark else ""
    if ci is None:
        return f"{shown}{sup} [n/a]" if interval == "brackets" else f"{shown}{sup}"
    if interval == "brackets":
        return f"{shown}{sup} [{number(ci.lo, digits)}, {number(ci.hi, digits)}]"
    up, down = ci.hi - x, x - ci.lo
    # the mark goes after the scripts: ``0.490^{+0.016}_{-0.015}`` then the letter, read as one unit
    return (f"{shown}\\ensuremath{{^{{{_signed(up, digits)}}}_{{{_signed(-down, digits)}}}}}{sup}")


def _delta(x: float, digits: int) -> str:
    """A difference in text mode with its sign: ``+0.012`` or a minus sign (not a hyphen) and ``0.012``."""
    return ("\\ensuremath{-}" if x < 0 else "+") + f"{abs(x):.{digits}f}"


def _signed(x: float, digits: int) -> str:
    return f"{x:+.{digits}f}".replace("+-", "-")  # inside math mode: ``-`` is already a minus


def label(*parts: str) -> str:
    """``tab:systems-rouge1-fmeasure``: the parts joined, everything but letters and digits a hyphen (a
    label is read verbatim by TeX; a name from the data could hold anything)."""
    return "tab:" + "-".join(p for p in (re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-") for part in parts) if p)


def table(spec: str, head: Sequence[str], body: Sequence[Sequence[str] | None], caption: str, short: str,
          tag: str, wide: bool = False, above: Sequence[str] = ()) -> str:
    """One table environment: ``spec`` the tabular's column spec (letters only: one per column), ``head``
    and the ``body`` rows as LaTeX cells (``ADDSPACE``: a little space between groups), ``above``: header
    lines (with their own ``\\cmidrule``s) before ``head``; ``wide``: ``table*`` (both columns of a
    two-column paper)."""
    env = "table*" if wide else "table"
    # a wide table (four coefficients with intervals) is set smaller and tighter to fit a page's width
    size = ["\\footnotesize", "\\setlength{\\tabcolsep}{4pt}"] if wide else ["\\small"]
    lines = [f"\\begin{{{env}}}[tbp]", "\\centering", *size, f"\\begin{{tabular}}{{{spec}}}", "\\toprule",
             *above, " & ".join(head) + " \\\\", "\\midrule"]
    for row in body:
        lines.append("\\addlinespace" if row is ADDSPACE else " & ".join(row) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}", f"\\caption[{short}]{{{caption}}}", f"\\label{{{tag}}}",
              f"\\end{{{env}}}"]
    return "\n".join(lines)


def _level(signature: str, key: str = "ci", default: str = "95") -> str:
    """The interval level in percent (``95``) from a signature's ``ci`` (or ``level``) component."""
    return Signature.parse(signature).as_dict().get(key, default) if signature else default


def _after(correction: str) -> str:
    return "without correction" if correction == "none" else f"after {correction} correction"


def _check(interval: str) -> None:
    if interval not in INTERVALS:
        from bench.errors import BenchError
        raise BenchError(f"interval={interval!r} is not one of {', '.join(INTERVALS)}",
                         "use interval='brackets' (0.490 [0.475, 0.506]) or interval='pm'")


def _interval_words(interval: str, level: str, over: str) -> str:
    form = ("[lower, upper]" if interval == "brackets"
            else "superscript: distance up to its upper bound, subscript: down to its lower bound")
    return f"with its {level}\\% bootstrap interval over {over} ({form})"


# --- bench systems -----------------------------------------------------------------------------------------


def systems(lb: Leaderboard, interval: str = "brackets", digits: int = 3) -> str:
    """One table per metric stat ranked: rank, system with its cluster letter, mean with its interval (bold:
    the top cluster), documents; the caption holds the headline (``Leaderboard.headline``) and the
    signatures. A corpus metric (BLEU, chrF) adds a table of its corpus values."""
    _check(interval)
    level = lb.setting("ci", "95")
    rule = {"max": "both bootstrap and ar tests", "ar": "ar test", "bootstrap": "bootstrap test"}.get(
        lb.cluster_test, f"{lb.cluster_test} test")
    out = []
    for metric, stat, rows in lb.blocks():
        docs = sorted({r.n_docs for r in rows})
        over = f"{docs[0]} documents" if len(docs) == 1 else "its documents"
        body = [[str(r.rank), f"{tex(r.system)}\\textsuperscript{{{letter(r.cluster)}}}",
                 value(r.mean, r.ci, interval, digits, bold=r.cluster == 1), str(r.n_docs)] for r in rows]
        caption = (f"{tex(metric)} {tex(stat)}: each system's mean {_interval_words(interval, level, over)}, best "
                   f"first. Superscript letters: significance clusters (systems sharing a letter are not separated by "
                   f"the {rule} {_after(lb.setting('correction', '?'))} at alpha {tex(lb.setting('alpha', '?'))}); "
                   f"bold: the top cluster. {tex(lb.headline(metric, stat))}"
                   + "".join(f" Note: {tex(n)}" for n in lb.notes)
                   + f" Signature: {tex_code(lb.signature)}"
                   + (f"; intervals: {tex_code(lb.interval_signature)}" if lb.interval_signature else "")
                   # the metric's own settings (tokenizer, stemmer, model): what produced the scores ranked
                   + (f"; metric: {tex_code(lb.metric_signatures[metric])}" if metric in lb.metric_signatures else "")
                   + ".")
        out.append(table("rlrr", ["Rank", "System", f"{tex(metric)} {tex(stat)} ({level}\\% CI)", "Docs"], body,
                         caption, f"{tex(metric)} {tex(stat)} by system", label("systems", metric, stat)))
        corpus = [c for c in lb.corpus if c.metric == metric]
        if corpus and not any(label("systems", metric, "corpus") in t for t in out):
            body = [[str(k), tex(c.system), value(c.value, c.ci, interval, digits), str(c.n_items)]
                    for k, c in enumerate(corpus, 1)]
            caption = (f"{tex(metric)} {tex(corpus[0].stat)} corpus values (from the summed statistics of each "
                       f"system's items, not a mean of item scores) {_interval_words(interval, level, 'documents')}; "
                       f"ordered by value, no significance test. Signature: {tex_code(lb.signature)}"
                       + (f"; metric: {tex_code(lb.metric_signatures[metric])}" if metric in lb.metric_signatures else "")
                       + ".")
            out.append(table("rlrr", ["", "System", f"{tex(metric)} corpus ({level}\\% CI)", "Items"], body, caption,
                             f"{tex(metric)} corpus values by system", label("systems", metric, "corpus")))
    return "\n\n".join(out) + "\n"


# --- bench meta --------------------------------------------------------------------------------------------


def _levels(result: MetaEvaluation) -> dict[str, tuple[list[str], dict[tuple[str, str], dict[str, Correlation]]]]:
    """Per level: its coefficients (columns, in the order computed) and per (human, metric label) row the
    cells by coefficient."""
    out: dict[str, tuple[list[str], dict[tuple[str, str], dict[str, Correlation]]]] = {}
    for (level, coef), block in render_meta.by_cell(result).items():
        coefs, rows = out.setdefault(level, ([], {}))
        coefs.append(coef)
        for name, cells in block.items():
            for human, row in cells.items():
                rows.setdefault((human, name), {})[coef] = row
    for level, (coefs, rows) in out.items():  # humans grouped, in order of first appearance; metrics as computed
        humans = list(dict.fromkeys(h for h, _ in rows))
        out[level] = (coefs, {k: rows[k] for h in humans for k in rows if k[0] == h})
    return out


def meta(result: MetaEvaluation, interval: str = "brackets", digits: int = 3) -> str:
    """One table per level: rows human dimension x metric, the coefficients as columns, each cell a value
    with its interval (``-``: a metric not paired with that dimension); where metrics were compared
    (``compare`` cells), a cluster letter, and bold for the top cluster."""
    _check(interval)
    sig = Signature.parse(result.signature).as_dict()
    level_pc = sig.get("ci", "95")
    scheme = sig.get("boot", "both").split(":")[0]
    over = {"both": "systems and documents", "inputs": "documents", "systems": "systems"}.get(scheme, tex(scheme))
    out = []
    for level, (coefs, rows) in _levels(result).items():
        body: list[list[str] | None] = []
        last = None
        for (human, name), cells in rows.items():
            if last is not None and human != last:
                body.append(ADDSPACE)
            first = human != last
            last = human
            row = [tex(human) if first else "", tex(name)]
            for coef in coefs:
                c = cells.get(coef)
                if c is None:
                    row.append("-")  # not paired (MetaSpec.pairing) or not computed at this level
                else:
                    row.append(value(c.value, c.ci, interval, digits, bold=c.cluster == 1,
                                     mark=letter(c.cluster) if c.cluster is not None else ""))
            body.append(row)
        compared = [coef for coef in coefs if any(c.get(coef) is not None and c[coef].cluster is not None
                                                  for c in rows.values())]
        skipped = {h: r.groups_skipped for cells in rows.values() for r in cells.values() for h in [r.human]
                   if r.groups_skipped}
        caption = (f"Meta-evaluation at the {tex(level)} level: correlation of each metric with each human dimension "
                   f"({', '.join(tex(c) for c in coefs)}) {_interval_words(interval, level_pc, over)}; "
                   f"-: metric and dimension not paired.")
        if compared:
            caption += (f" For {', '.join(tex(c) for c in compared)}, superscript letters: significance clusters "
                        f"(metrics sharing a letter are not separated by the {tex(sig.get('tests', '?').split(':')[0])} test "
                        f"{_after(sig.get('correction', '?'))} at alpha {tex(sig.get('alpha', '?'))}, per dimension); "
                        f"bold: the top cluster.")
        if skipped:
            caption += " Documents skipped (constant scores): " + ", ".join(f"{tex(h)} {n}" for h, n in skipped.items()) + "."
        if result.agreement:
            caption += (f" Human agreement (Krippendorff's alpha, {tex(result.agreement_level or '')}): "
                        + ", ".join(f"{tex(h)} {number(a, 3)}" for h, a in result.agreement.items() if a is not None) + ".")
        if result.legend:
            caption += " Runs: " + "; ".join(tex(line) for line in result.legend) + "."
        caption += (f" {result.systems} systems x {result.documents} documents. Signature: "
                    f"{tex_code(result.signature)}"
                    + "".join(f"; {tex(m)}: {tex_code(result.metric_signatures[m])}"
                              for m in sorted(result.metric_signatures)) + ".")
        spec = "ll" + "r" * len(coefs)
        head = ["Human", "Metric", *(f"{tex(c)}" for c in coefs)]
        out.append(table(spec, head, body, caption, f"Meta-evaluation, {tex(level)} level", label("meta", level),
                         wide=True))
    return "\n\n".join(out) + "\n"


# --- bench compare -----------------------------------------------------------------------------------------


def compare(c: Comparison, interval: str = "brackets", digits: int = 3) -> str:
    """Runs as rows; per metric two columns: the run's mean with its interval, and its difference from the
    first run with ``*`` where the deciding test (adjusted) is significant; a corpus metric adds its corpus
    value and difference (``\\dag``: sacrebleu's paired bootstrap p below alpha, unadjusted)."""
    _check(interval)
    sig = Signature.parse(c.signature).as_dict()
    alpha = float(sig.get("alpha", "0.05"))
    corpus_metrics = {v.metric for v in c.corpus}
    groups: list[tuple[str, list[str]]] = []  # (header over two columns, per label: [value, delta])
    for m in c.metrics:
        cells = []
        for lbl in c.labels:
            v = c.value(lbl, m.metric)
            d = c.deciding(lbl, m.metric)
            delta = "--" if d is None else _delta(d.delta, digits) + ("\\textsuperscript{*}" if d.significant else "")
            cells.append([value(v.mean, v.ci, interval, digits), delta])
        groups.append((f"{tex(m.metric)} {tex(m.stat)}", cells))  # type: ignore[arg-type]
        if m.metric in corpus_metrics:
            cells = []
            for lbl in c.labels:
                cv = next(x for x in c.corpus if x.label == lbl and x.metric == m.metric)
                if cv.delta is None:
                    delta = "--"
                else:
                    delta = _delta(cv.delta, digits)
                    delta += "\\textsuperscript{\\dag}" if cv.p is not None and cv.p < alpha else ""
                cells.append([value(cv.value, cv.ci, interval, digits), delta])
            groups.append((f"{tex(m.metric)} corpus", cells))  # type: ignore[arg-type]
    above = [" & ".join(["", *(f"\\multicolumn{{2}}{{c}}{{{h}}}" for h, _ in groups)]) + " \\\\",
             " ".join(f"\\cmidrule(lr){{{2 + 2 * k}-{3 + 2 * k}}}" for k in range(len(groups)))]
    head = ["Run", *(x for _ in groups for x in ("Mean (CI)", "$\\Delta$"))]
    body = [[tex(lbl), *(x for _, cells in groups for x in cells[i])] for i, lbl in enumerate(c.labels)]
    decides = next((d.test for d in c.differences if d.decides), "?")
    level_pc = next((_level(v.interval_signature, "level") for v in c.values if v.interval_signature), "95")
    caption = (f"Each run's mean {_interval_words(interval, level_pc, 'its units')}; $\\Delta$: its difference from "
               f"{tex(c.labels[0])}; *: significant by the {tex(decides)} test "
               f"{_after(sig.get('correction', '?'))} at alpha {tex(sig.get('alpha', '?'))}.")
    if corpus_metrics:
        caption += (" Corpus: the corpus value from summed statistics; \\dag: sacrebleu's paired bootstrap p below "
                    "alpha (two-sided, unadjusted).")
    if c.legend:
        caption += " Runs: " + "; ".join(tex(line) for line in c.legend) + "."
    caption += "".join(f" Note: {tex(n)}" for n in c.notes) + f" Signature: {tex_code(c.signature)}."
    spec = "l" + "rr" * len(groups)
    return table(spec, head, body, caption, "Comparison of runs", label("compare", *c.labels[:1]), wide=len(groups) > 2,
                 above=above) + "\n"


# --- bench show --------------------------------------------------------------------------------------------


def run(r, interval: str = "brackets", digits: int = 3) -> str:
    """One run's metrics: per metric and stat its mean with the run's interval, and each corpus value with
    its interval; the descriptive statistics (not gated) in a table of their own with their ranges."""
    from bench.analysis.render_run import rows as run_rows

    _check(interval)
    info = r.interval_info
    level_pc = _level(info.signature, "level") if info is not None else "95"
    over = f"{info.n_units} {info.unit}s" if info is not None else ""
    out = []
    for descriptive, metrics in run_rows(r):
        body: list[list[str] | None] = []
        for k, (m, entries) in enumerate(metrics):
            if k:
                body.append(ADDSPACE)
            for i, (stat, x, ci) in enumerate(entries):
                name = tex(m.name) + ("" if m.higher_is_better else " ($\\downarrow$)") if i == 0 else ""
                row = [name, tex(stat), value(x, ci, interval, digits)]
                if descriptive:
                    row.append(tex(m.facts.range_text()) if i == 0 else "")
                body.append(row)
        what = "Descriptive statistics (not gated)" if descriptive else "Metrics"
        caption = (f"{what} of {tex(r.experiment)} ({r.inputs.items} items): each stat's mean "
                   + (_interval_words(interval, level_pc, over) if info is not None else "(no intervals)")
                   + "; corpus: the corpus value from summed statistics.")
        if any(not m.higher_is_better for m, _ in metrics):
            caption += " $\\downarrow$: lower is better."
        missing = [f"{tex(m.name)} {m.missing}" for m, _ in metrics if m.missing]
        if missing:
            caption += " Items without a value (means over the others): " + ", ".join(missing) + "."
        caption += " Signatures: " + "; ".join(f"{tex(m.name)} {tex_code(m.signature)}" for m, _ in metrics
                                               if m.signature)
        if info is not None:
            caption += f"; intervals {tex_code(info.signature)}"
        caption += "."
        head = ["Metric", "Stat", f"Value ({level_pc}\\% CI)" if info is not None else "Value",
                *(["Range"] if descriptive else [])]
        out.append(table("llr" + ("l" if descriptive else ""), head, body, caption,
                         f"{what} of {tex(r.experiment)}", label("run", r.experiment, "descriptive" if descriptive else "metrics")))
    return "\n\n".join(out) + "\n"
