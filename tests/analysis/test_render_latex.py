"""Paper tables (``bench.analysis.render_latex``): booktabs structure checked by parsing the output, and
each kind of table compiled by pdflatex on toy data with hostile names (skipped without pdflatex, a
failure under CI=true). The slow case renders the real SummEval artefacts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bench.analysis import render_latex, render_meta, render_run, render_systems
from bench.analysis.compare import compare
from bench.analysis.meta import Correlation, MetaEvaluation
from bench.analysis.systems import Leaderboard
from bench.results.model import Run
from bench.stats.leaderboard import PairRow, SystemRow, SystemsSpec
from bench.text import tex, tex_code
from bench.values import Interval

HOSTILE = "M_1 & 50% #x"
NASTY = r'[a\b{c}$d~e^f<g>h|i--j]k"l'  # every other special character, a leading [ too
LATIN = "Système-Zürich ß"
SIG = "systems|tests:bootstrap,ar|clusters:ar|resamples:10000|seed:0|correction:holm|alpha:0.05|ci:95|boot:1000|unit:doc"
ROUGE1 = {"range": [0.0, 1.0], "kind": "quality", "corpus": False, "drift": 0.0, "min_effect": 0.005}
LENGTH = {"range": [0.0, None], "kind": "descriptive", "corpus": False, "drift": 0.0, "min_effect": 0.0}


def _leaderboard() -> Leaderboard:
    # M10 and M2 tie exactly within rank 1: shown in natural order (M2 first), whatever order they arrive in
    rows = [(HOSTILE, 0.52, 1, 1), ("M10", 0.50, 1, 1), ("M2", 0.50, 1, 1), (LATIN, 0.45, 4, 2), (NASTY, 0.30, 5, 3)]
    systems = tuple(SystemRow(s, "rouge1", "fmeasure", m, Interval(m - 0.02, m + 0.015), 100, r, c) for s, m, r, c in rows)
    names = [r[0] for r in rows]
    pairs = tuple(PairRow(a, b, "rouge1", "fmeasure", 0.01, "ar", 0.01, 0.02, ca != cb)
                  for i, (a, _, _, ca) in enumerate(rows) for (b, _, _, cb) in rows[i + 1:])
    assert len(pairs) == len(names) * (len(names) - 1) // 2
    return Leaderboard(SIG, systems, pairs, {"rouge1": "rouge1|x"}, notes=(f"note about {HOSTILE}",),
                       interval_signature="ci|boot:1000|level:95|unit:doc")


def _meta() -> MetaEvaluation:
    rows = []
    for human in ("expert.coherence", HOSTILE):
        for k, metric in enumerate(("rouge1", NASTY)):
            for coef in ("pearson", "kendall"):
                compared = coef == "kendall"
                rows.append(Correlation("r", metric, "fmeasure", human, True, "summary", coef, 0.3 - 0.1 * k,
                                        Interval(0.1, 0.45), 100, 0, 1000, k + 1 if compared else None,
                                        k + 1 if compared else None))
    # a metric paired with one dimension only: "-" in the other's row
    rows.append(Correlation("r", "judge_coherence", "score", "expert.coherence", True, "summary", "pearson", -0.05,
                            Interval(-0.2, 0.1), 100, 3, 1000))
    sig = "meta|levels:summary|coefficients:pearson,kendall|boot:both:200|ci:95|tests:perm-both:1000|compare:summary:kendall|correction:holm|alpha:0.05"
    return MetaEvaluation(sig, 5, 100, tuple(rows), (), agreement={HOSTILE: 0.61}, agreement_level="summary",
                          legend=(f"a: {HOSTILE}",))


def _run(name, values, stem, higher=True, descriptive=False):
    ids = [f"i{k}" for k in range(len(values))]
    scores = {"rouge1": {"precision": v, "fmeasure": v} for v in values}
    samples = [{"id": i, "candidate": "c", "n_references": 1, "metadata": {},
                "scores": {"rouge1": {"precision": v, "fmeasure": v}, **({"length": {"words": 10 * v}} if descriptive else {})}}
               for i, v in zip(ids, values)]
    del scores
    metrics = {"rouge1": {"precision": float(np.mean(values)), "fmeasure": float(np.mean(values))}}
    record = {"experiment": name, "metrics": metrics,
              "signatures": {"rouge1": "rouge|x"}, "higher_is_better": {"rouge1": higher},
              "primary": {"rouge1": "fmeasure"}, "facts": {"rouge1": ROUGE1},
              "inputs": {"items": len(values), "fingerprint": f"sha256:{stem}", "references_fingerprint": "sha256:r"},
              "volatile": {"run_id": str(stem)}, "config": {"metrics": {"rouge": {"use_stemmer": stem}}},
              "intervals": {"signature": "ci|boot:1000|level:95|unit:item",
                            "metrics": {"rouge1": {"fmeasure": [0.1, 0.9], "precision": [0.1, 0.9]}}}}
    if descriptive:
        record["metrics"]["length"] = {"words": float(np.mean(values)) * 10}
        record["signatures"]["length"] = "length|w"
        record["higher_is_better"]["length"] = True
        record["primary"]["length"] = "words"
        record["facts"]["length"] = LENGTH
    return Run.of(record, samples)


@pytest.fixture(scope="module")
def comparison():
    g = np.random.default_rng(0)
    base = g.random(40)
    runs = [_run("a", base, True), _run("b", base - 0.05 + g.normal(0, 0.01, 40), False)]
    return compare(runs, SystemsSpec(resamples=200), names=[HOSTILE, NASTY])


@pytest.fixture(scope="module")
def tables(comparison):
    run = _run(HOSTILE, np.linspace(0.2, 0.6, 20), True, descriptive=True)
    return {"systems": render_latex.systems(_leaderboard()), "systems-pm": render_latex.systems(_leaderboard(), "pm"),
            "meta": render_latex.meta(_meta()), "compare": render_latex.compare(comparison),
            "show": render_latex.run(run), "show-pm": render_latex.run(run, "pm")}


# --- structure ---------------------------------------------------------------------------------------------


def _strip_escapes(text: str) -> str:
    """``text`` with every escape bench writes removed: what is left must hold no bare special character."""
    text = re.sub(r"\\char\d+\{\}", "", text)
    return re.sub(r"\\[%&#_${}~^]|\\[A-Za-z]+|\\\\", "", text)


def _environments(text: str) -> list[str]:
    return re.findall(r"\\begin\{(table\*?)\}.*?\\end\{\1\}", text, re.S) and \
        [m.group(0) for m in re.finditer(r"\\begin\{(table\*?)\}.*?\\end\{\1\}", text, re.S)]


def _balanced(text: str) -> bool:
    depth = 0
    for m in re.finditer(r"\\.|[{}]", text):
        depth += {"{": 1, "}": -1}.get(m.group(), 0)
        if depth < 0:
            return False
    return depth == 0


def _cells(row: str) -> int:
    """Columns a row spans: ``&``s not escaped, a ``\\multicolumn{n}`` counting n."""
    row = row.removesuffix("\\\\").strip()
    parts = re.split(r"(?<!\\)&", row)
    return sum(int(m.group(1)) if (m := re.match(r"\s*\\multicolumn\{(\d+)\}", p)) else 1 for p in parts)


@pytest.mark.parametrize("kind", ["systems", "systems-pm", "meta", "compare", "show", "show-pm"])
def test_booktabs_structure(tables, kind):
    envs = _environments(tables[kind])
    assert envs, tables[kind]
    for env in envs:
        spec = re.search(r"\\begin\{tabular\}\{([a-z]+)\}", env).group(1)
        assert set(spec) <= set("lrc"), spec  # no vertical rules
        assert "\\hline" not in env and "|" not in spec
        assert env.count("\\toprule") == env.count("\\midrule") == env.count("\\bottomrule") == 1
        body = env.split("\\begin{tabular}", 1)[1].split("\\end{tabular}")[0]
        rows = [line for line in body.splitlines() if line.endswith("\\\\")]
        assert rows and all(_cells(r) == len(spec) for r in rows), (spec, rows)
        assert _balanced(env)
        caption = re.search(r"\\caption\[", env)
        assert caption and "\\label{tab:" in env
        assert "Signature" in env
        # every special character of a name arrives escaped: nothing bare is left once escapes are removed
        for line in env.splitlines():
            if line.startswith("\\begin{tabular}") or line.startswith("\\setlength"):
                continue
            # the renderer's own math first: the +/- distances of an interval (``^{+0.016}_{-0.015}``)
            line = re.sub(r"\\ensuremath\{\^\{[^}]*\}_\{[^}]*\}\}", "", line)
            bare = _strip_escapes(line.removesuffix("\\\\"))
            bare = re.sub(r"\\ensuremath|[{}]|\$[^$]*\$", "", bare)  # groups and the math the renderer writes
            assert not re.search(r"[%#_~^<>|\\]", bare), line


def test_names_and_signatures_are_escaped_as_themselves(tables):
    assert tex(HOSTILE) == r"M\_1 \& 50\% \#x"
    assert tex(NASTY) == (r"{[}a\textbackslash{}b\{c\}\ensuremath{\$}d\~{}e\^{}f\textless{}g\textgreater{}h"
                          r"\textbar{}i-{}-j{]}k{\ttfamily\char34}l")
    assert tex(LATIN) == LATIN  # Latin letters pass through (pdflatex reads UTF-8)
    assert tex("a\nb") == "a b"
    assert tex_code("x|y_z") == r"\texttt{x\char124{}\allowbreak{}y\char95{}z}"
    assert tex(HOSTILE) in tables["systems"] and tex(NASTY) in tables["meta"] and tex(HOSTILE) in tables["compare"]
    assert tex_code(SIG) in tables["systems"]


def test_systems_table_shows_clusters_headline_and_natural_ties(tables):
    text = tables["systems"]
    lines = [line for line in text.splitlines() if line.endswith("\\\\")][1:]
    assert [line.split(" & ")[1].split("\\textsuperscript")[0] for line in lines] == \
        [tex(HOSTILE), "M2", "M10", tex(LATIN), tex(NASTY)]
    assert lines[0] == f"1 & {tex(HOSTILE)}\\textsuperscript{{a}} & \\textbf{{0.520}} [0.500, 0.535] & 100 \\\\"
    assert lines[3].startswith(f"4 & {tex(LATIN)}\\textsuperscript{{b}} & 0.450 [0.430, 0.465]")
    assert "\\textsuperscript{c}" in lines[4]
    assert tex(_leaderboard().headline("rouge1", "fmeasure")) in text
    pm = [line for line in tables["systems-pm"].splitlines() if line.endswith("\\\\")][1]
    assert "\\textbf{0.520}\\ensuremath{^{+0.015}_{-0.020}} & 100" in pm  # up and down, not one ±


def test_meta_table_per_level_with_coefficients_as_columns(tables):
    text = tables["meta"]
    assert text.count("\\begin{table*}") == 1
    assert "Human & Metric & pearson & kendall \\\\" in text
    assert " & judge\\_coherence & \\ensuremath{-}0.050 [\\ensuremath{-}0.200, 0.100] & - \\\\" in text
    assert "\\textbf{0.300}\\textsuperscript{a} [0.100, 0.450]" in text  # compared cell: cluster a, bold
    assert "0.200\\textsuperscript{b} [0.100, 0.450]" in text
    assert "\\addlinespace" in text and "Krippendorff" in text


def test_compare_table_deltas_and_marks(tables, comparison):
    text = tables["compare"]
    assert "\\multicolumn{2}{c}{rouge1 fmeasure}" in text and "\\cmidrule(lr){2-3}" in text
    d = comparison.deciding(NASTY, "rouge1")
    mark = "\\textsuperscript{*}" if d.significant else ""
    assert f"\\ensuremath{{-}}{abs(d.delta):.3f}{mark} \\\\" in text
    assert d.significant  # a drop of 0.05 on 40 items: the mark is exercised
    assert f"{tex(HOSTILE)} & " in text and " & -- \\\\" in text


def test_show_keeps_descriptive_statistics_apart(tables):
    text = tables["show"]
    envs = _environments(text)
    assert len(envs) == 2 and "Descriptive statistics" in envs[1] and "length" in envs[1] and "length" not in envs[0]
    assert "rouge1 & precision & 0.400 [0.100, 0.900] \\\\\n & fmeasure & 0.400 [0.100, 0.900]" in envs[0]


def test_unknown_interval_form_is_an_error():
    from bench.errors import BenchError

    with pytest.raises(BenchError, match="interval='x'"):
        render_latex.systems(_leaderboard(), "x")


def test_markdown_carries_the_same_content(comparison):
    md = render_systems.markdown(_leaderboard())
    assert "statistically indistinguishable" in md and "systems|tests" in md
    assert md.index("| M2 |") < md.index("| M10 |")
    meta_md = render_meta.markdown(_meta())
    assert "(1)" in meta_md and "no test separates" in meta_md
    run_md = render_run.markdown(_run(HOSTILE, np.linspace(0.2, 0.6, 20), True, descriptive=True))
    assert "| rouge1 | precision | 0.4000 [0.1000, 0.9000] |" in run_md and "descriptive (not gated)" in run_md
    assert "`ci|boot:1000|level:95|unit:item`" in run_md


# --- compilation -------------------------------------------------------------------------------------------


def _pdflatex() -> str:
    found = shutil.which("pdflatex")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("pdflatex is not installed; CI=true requires it (.ci/run installs texlive-latex-base and "
                    "texlive-latex-recommended)")
    pytest.skip("pdflatex is not installed (apt-get install texlive-latex-base texlive-latex-recommended)")


def compile_tex(body: str, where: Path) -> str:
    """``body`` inside a minimal article with booktabs, compiled once; returns the log (asserts success)."""
    doc = where / "t.tex"
    doc.write_text("\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n" + body
                   + "\\end{document}\n", encoding="utf-8")
    proc = subprocess.run([_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=where,
                          capture_output=True, text=True, timeout=60)
    log = (where / "t.log").read_text(encoding="utf-8", errors="replace")
    assert proc.returncode == 0 and (where / "t.pdf").is_file(), log[-3000:]
    # no glyph missing, and no font built at compile time (a TS1 fallback would need METAFONT)
    assert "Missing character" not in log and "mktexpk" not in proc.stdout + proc.stderr, log[-3000:]
    return log


@pytest.mark.parametrize("kind", ["systems", "systems-pm", "meta", "compare", "show"])
def test_tables_compile_with_pdflatex(tables, kind, tmp_path):
    compile_tex(tables[kind], tmp_path)


@pytest.mark.slow
def test_summeval_tables_compile(tmp_path, summeval_path, bench_main):
    """The real SummEval run (ROUGE, 16 systems x 100 documents) through the CLI: `bench systems`, `bench meta`
    and `bench show` with --format latex, all compiled; the natural order of the run's groups table."""
    run = bench_main("run", "experiment=summeval_rouge", f"dataset.path={summeval_path}", "group_by=system",
                     f"results_dir={tmp_path / 'r'}", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    run_dir = Path(run.stdout.strip().splitlines()[-1])
    run_dir = run_dir if run_dir.is_absolute() else tmp_path / run_dir
    groups = [line.split()[0] for line in run.stdout.splitlines() if re.match(r"M\d+ ", line)]
    assert groups == sorted(groups, key=lambda g: int(g[1:])) and len(groups) == 16  # M0, M1, M2, ..., M23
    outputs = []
    for argv in (["systems", str(run_dir), "--resamples", "200", "--ci-resamples", "200", "--correction", "none"],
                 ["meta", str(run_dir), "--resamples", "50", "--test-resamples", "50"], ["show", str(run_dir)]):
        proc = bench_main(*argv, "--format", "latex", *(["--no-save"] if argv[0] != "show" else []), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    systems, meta, show = outputs
    assert "\\textsuperscript{b}" in systems and "\\textbf{" in systems  # SummEval's ROUGE has several clusters (200 resamples: uncorrected)
    assert "statistically indistinguishable from the best" in systems
    assert "Meta-evaluation at the summary level" in meta and "\\textsuperscript{a}" in meta
    assert "\\addlinespace" in show
    compile_tex(systems + meta + show, tmp_path)
