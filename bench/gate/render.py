"""Render check reports: terminal table, Markdown (PR comments, CI step summaries), JSON, JUnit XML.

Every gated row carries the rule that decided it (``same candidates: beyond drift band 0``,
``changed candidates: within noise (p=0.37)``); descriptive rows come in their own information block;
an incomparable report lists each signature difference once and what resolves it. ``fix`` is that
resolution's wording: the library's by default (``CheckReport.resolution``), the CLI passes its own.
"""

from __future__ import annotations

import json
from typing import Callable

from bench.text import md, md_code, md_row, xml_attr, xml_text
from bench.gate.compare import CORPUS_RULE, INCOMPARABLE, NO_DIFFERENCE, REGRESSED, SKIPPED, CheckReport, StatCheck
from bench.results import envelope
from bench.values import to_stored

Fix = Callable[[CheckReport], str]


def library_fix(report: CheckReport) -> str:
    return report.resolution()


def _fmt(x: float, spec: str = ".6f") -> str:
    return "n/a" if x != x else format(x, spec)  # NaN: no item has a value (every LLM-judge answer unparsed)


def _num(x: float) -> str:
    return "n/a" if x != x else repr(x)


def _p(s: StatCheck) -> str:
    if s.p_value is not None:
        return f"{s.p_value:.4f}"
    return {SKIPPED: "skipped", NO_DIFFERENCE: "-"}.get(s.test, "-")


HEADER = ["metric", "stat", "baseline", "run", "delta", "p", "verdict", "rule"]
INFO_HEADER = ["metric", "stat", "baseline", "run", "delta"]


def _row(s: StatCheck) -> list[str]:
    name = s.metric if s.level == "mean" else f"{s.metric} (corpus)"
    return [name, s.stat, _fmt(s.baseline), _fmt(s.run), _fmt(s.delta, "+.6f"), _p(s), s.verdict, s.why]


def _info_row(s: StatCheck) -> list[str]:
    # a corpus metric's mean of sentence scores sits here beside descriptive statistics: say which it is
    name = f"{s.metric} (mean of items)" if s.rule == CORPUS_RULE else s.metric
    return [name, s.stat, _fmt(s.baseline), _fmt(s.run), _fmt(s.delta, "+.6f")]


def _aligned(rows: list[list[str]], indent: str = "") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _incomparable(report: CheckReport) -> list[str]:
    """Why incomparable: each problem and each blocking signature difference once, then what resolves them."""
    lines = list(report.problems)
    lines += [f"signature differs: {d.text}" for d in report.blocking]
    return lines


def _footer(report: CheckReport) -> str:
    """The check signature, and when no stat was tested, that its boot:N resamples were never drawn."""
    gated = report.gated
    skipped = bool(gated) and not report.same_candidates and all(s.test == SKIPPED for s in gated)
    return report.check_signature + (" (bootstrap skipped: too few items; see the note)" if skipped else "")


def _allowed(report: CheckReport) -> list[str]:
    return [f"allowed signature change: {d.text}" for d in report.differences if d.allowed]


def _headline(report: CheckReport) -> str:
    return f"bench check {report.experiment} against {report.baseline}: {report.verdict.upper()} (exit {report.status})"


def table(report: CheckReport, fix: Fix = library_fix) -> str:
    """A check report as a terminal table."""
    lines = [_headline(report)]
    lines += [f"  incomparable: {p}" for p in _incomparable(report)]
    if report.blocking:
        lines.append(f"  to resolve: {fix(report)}")
    if report.gated:
        lines += _aligned([HEADER, *map(_row, report.gated)])
    if report.information:
        lines.append("information (not gated: descriptive statistics; corpus metrics' means of items):")
        lines += _aligned([INFO_HEADER, *map(_info_row, report.information)], "  ")
    lines += [f"  note: {n}" for n in (*_allowed(report), *report.notes)]
    lines.append(f"  {_footer(report)}")
    return "\n".join(lines)


def markdown(report: CheckReport, fix: Fix = library_fix) -> str:
    """A check report as Markdown (PR comments, ``$GITHUB_STEP_SUMMARY``)."""
    icon = {"pass": "✅", "regression": "❌", "incomparable": "⚠️"}[report.verdict]
    # every string from the run, the baseline or the user (names, paths, reasons, notes) is escaped
    # (bench.text): a name with `|`, a line break or a backtick keeps each table's shape, no raw HTML passes
    out = [f"### {icon} bench check {md_code(report.experiment)}: **{report.verdict}**", "",
           f"Baseline: {md_code(report.baseline)}", ""]
    out += [f"- **incomparable**: {md(p)}" for p in _incomparable(report)]
    if report.blocking:
        out += [f"- to resolve: {md(fix(report))}"]
    if report.gated:
        out += [md_row(HEADER), "|" + "---|" * len(HEADER)]
        for r in map(_row, report.gated):
            cells = [md(c) for c in r]
            cells[6] = f"**{cells[6]}**" if r[6] == REGRESSED else cells[6]
            out.append("| " + " | ".join(cells) + " |")
    if report.information:
        out += ["", "Information (not gated: descriptive statistics; corpus metrics' means of items):", "",
                md_row(INFO_HEADER), "|" + "---|" * len(INFO_HEADER)]
        out += [md_row(r) for r in map(_info_row, report.information)]
    out += [""] + [f"- note: {md(n)}" for n in (*_allowed(report), *report.notes)]
    out += ["", md_code(_footer(report))]
    return "\n".join(out)


def as_dict(report: CheckReport, fix: Fix = library_fix) -> dict:
    """A check report as plain data in bench's envelope (kind ``check``)."""
    return envelope.wrap("check", {
        "experiment": report.experiment,
        "baseline": report.baseline,
        "run": report.run,
        "verdict": report.verdict,
        "exit_code": report.status,
        "same_candidates": report.same_candidates,
        "problems": list(report.problems),
        "signature_differences": [{"component": d.component, "change": d.change, "metrics": list(d.metrics),
                                   "allowed": d.allowed} for d in report.differences],
        "resolution": fix(report) if report.blocking else None,
        "notes": list(report.notes),
        "check_signature": report.check_signature,
        "stats": [
            {"metric": s.metric, "stat": s.stat, "level": s.level, "baseline": to_stored(s.baseline),
             "run": to_stored(s.run), "delta": to_stored(s.delta), "p_value": s.p_value, "verdict": s.verdict, "rule": s.rule, "reason": s.reason,
             "band": s.band, "test": s.test, "gated": s.gated, "kind": s.kind, "higher_is_better": s.higher_is_better,
             "n_items": s.n_items, **({"dropped": s.dropped} if s.dropped else {})}
            for s in report.stats
        ],
    })


def as_json(report: CheckReport, fix: Fix = library_fix) -> str:
    """A check report as JSON (sorted keys)."""
    return json.dumps(as_dict(report, fix), indent=2, sort_keys=True)


def junit(report: CheckReport, fix: Fix = library_fix) -> str:
    """One <testcase> per metric (a regression is a <failure>; descriptive metrics pass, their numbers as
    information), or when incomparable one <error> that lists each reason once."""
    # xml_attr/xml_text (bench.text): names and reasons escaped, characters XML forbids replaced
    cls = xml_attr("bench." + report.experiment)
    if report.status == INCOMPARABLE:  # one error, each reason once: no metric was compared
        why = "; ".join(_incomparable(report)) + (f"; to resolve: {fix(report)}" if report.blocking else "")
        names, cases, failures, errors = ["comparison"], [f'  <testcase classname={cls} name="comparison">'
                                                          f'<error message={xml_attr(why)}/></testcase>'], 0, 1
    else:
        metrics: dict[str, list[StatCheck]] = {}
        for s in report.stats:
            metrics.setdefault(s.metric, []).append(s)
        names, cases, failures, errors = list(metrics) or ["comparison"], [], 0, 0
        for name in names:
            stats = metrics.get(name, [])
            detail = "\n".join(f"{s.stat}: {_num(s.baseline)} -> {_num(s.run)} ({_fmt(s.delta, '+.6g')}) {s.verdict}: {s.why}"
                               for s in stats)
            body = ""
            bad = [s for s in stats if s.gated and s.verdict == REGRESSED]
            if bad:
                failures += 1
                msg = ", ".join(f"{s.stat} {_fmt(s.delta, '+.6g')} ({s.why})" for s in bad)
                body = f"<failure message={xml_attr(f'{name} regressed: {msg}')}>{xml_text(detail)}</failure>"
            out = f"<system-out>{xml_text(detail)}</system-out>" if detail else ""
            cases.append(f'  <testcase classname={cls} name={xml_attr(name)}>{body}{out}</testcase>')
    head = (f'<testsuite name={xml_attr("bench check " + report.experiment)} tests="{len(names)}" '
            f'failures="{failures}" errors="{errors}">')
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *cases, "</testsuite>"])


FORMATS: dict[str, Callable[..., str]] = {
    "table": table, "markdown": markdown, "json": as_json, "junit": junit,
}
