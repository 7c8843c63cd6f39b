"""Render check reports: terminal table, Markdown (PR comments, CI step summaries), JSON, JUnit XML."""

from __future__ import annotations

import json
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

from bench.gate.compare import NO_DIFFERENCE, SKIPPED, WITHIN, CheckReport, StatCheck
from bench.signature import changed_component


def _fmt(x: float) -> str:
    return f"{x:.6f}"


def _p(s: StatCheck) -> str:
    if s.p_value is not None:
        return f"{s.p_value:.4f}"
    return {SKIPPED: "skipped", NO_DIFFERENCE: "-"}.get(s.test, s.test)


def _verdict(s: StatCheck) -> str:
    """The decision in words: ``within tolerance (-0.0389 inside +-0.05)`` says which band held the change."""
    if s.verdict == WITHIN:
        return f"within tolerance ({s.delta:+.4g} inside ±{s.allowed_drop:g})"
    return s.verdict


def _rows(report: CheckReport) -> list[list[str]]:
    return [
        [s.metric, s.stat, _fmt(s.baseline), _fmt(s.run), f"{s.delta:+.6f}", f"{s.allowed_drop:g}", _p(s), _verdict(s)]
        for s in report.stats
    ]


def _footer(report: CheckReport) -> str:
    """The check signature, and when no stat was tested, that its boot:N resamples were never drawn."""
    skipped = bool(report.stats) and all(s.test == SKIPPED for s in report.stats)
    return report.check_signature + (" (bootstrap skipped: too few items; see the note)" if skipped else "")


HEADER = ["metric", "stat", "baseline", "run", "delta", "allowed drop", "p", "verdict"]


def _headline(report: CheckReport, baseline: str) -> str:
    return f"bench check {report.experiment} against {baseline}: {report.verdict.upper()} (exit {report.status})"


def table(report: CheckReport, baseline: str) -> str:
    """A check report as a terminal table."""
    rows = [HEADER, *_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = [_headline(report, baseline)]
    lines += [f"  incomparable: {p}" for p in report.problems]
    if report.stats:
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines += [f"  note: {n}" for n in report.notes]
    lines += [f"  signature {m}: {c}" for m, cs in report.signature_changes.items() for c in cs if changed_component(c) != "inputs"]
    lines.append(f"  {_footer(report)}")
    return "\n".join(lines)


def markdown(report: CheckReport, baseline: str) -> str:
    """A check report as Markdown (PR comments, ``$GITHUB_STEP_SUMMARY``)."""
    icon = {"pass": "✅", "regression": "❌", "incomparable": "⚠️"}[report.verdict]
    out = [f"### {icon} bench check `{report.experiment}`: **{report.verdict}**", "", f"Baseline: `{baseline}`", ""]
    out += [f"- **incomparable**: {p}" for p in report.problems]
    if report.stats:
        out += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for r in _rows(report):
            r[-1] = f"**{r[-1]}**" if r[-1] == "regression" else r[-1]
            out.append("| " + " | ".join(r) + " |")
    changes = [f"- `{m}`: {c}" for m, cs in report.signature_changes.items() for c in cs if changed_component(c) != "inputs"]
    if changes:
        out += ["", "Signature changes:", *changes]
    out += [f"- note: {n}" for n in report.notes]
    out += ["", f"`{_footer(report)}`"]
    return "\n".join(out)


def as_json(report: CheckReport, baseline: str) -> str:
    """A check report as JSON (sorted keys)."""
    data = {
        "experiment": report.experiment,
        "baseline": baseline,
        "verdict": report.verdict,
        "exit_code": report.status,
        "problems": list(report.problems),
        "notes": list(report.notes),
        "signature_changes": {k: list(v) for k, v in report.signature_changes.items()},
        "check_signature": report.check_signature,
        "stats": [
            {"metric": s.metric, "stat": s.stat, "baseline": s.baseline, "run": s.run, "delta": s.delta,
             "allowed_drop": s.allowed_drop, "p_value": s.p_value, "verdict": s.verdict, "test": s.test,
             "higher_is_better": s.higher_is_better}
            for s in report.stats
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True)


def junit(report: CheckReport, baseline: str) -> str:
    """One <testcase> per metric; a regression is a <failure>, incomparable an <error>."""
    metrics: dict[str, list[StatCheck]] = {}
    for s in report.stats:
        metrics.setdefault(s.metric, []).append(s)
    names = list(metrics) or list(report.signature_changes) or ["comparison"]
    cases, failures, errors = [], 0, 0
    for name in names:
        stats = metrics.get(name, [])
        detail = "\n".join(f"{s.stat}: {s.baseline!r} -> {s.run!r} ({s.delta:+.6g}, p={_p(s)}) {_verdict(s)}" for s in stats)
        body = ""
        bad = [s for s in stats if s.verdict == "regression"]
        if report.problems:
            errors += 1
            body = f"<error message={quoteattr('; '.join(report.problems))}/>"
        elif bad:
            failures += 1
            msg = ", ".join(f"{s.stat} {s.delta:+.6g}" for s in bad)
            body = f"<failure message={quoteattr(f'{name} regressed: {msg}')}>{escape(detail)}</failure>"
        out = f"<system-out>{escape(detail)}</system-out>" if detail else ""
        cases.append(f'  <testcase classname={quoteattr("bench." + report.experiment)} name={quoteattr(name)}>{body}{out}</testcase>')
    head = (f'<testsuite name={quoteattr("bench check " + report.experiment)} tests="{len(names)}" '
            f'failures="{failures}" errors="{errors}">')
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *cases, "</testsuite>"])


FORMATS: dict[str, Callable[[CheckReport, str], str]] = {
    "table": table, "markdown": markdown, "json": as_json, "junit": junit,
}
