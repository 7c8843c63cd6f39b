"""The one reader of stored analysis artefacts: a ``bench systems`` / ``meta`` / ``compare`` JSON file back
into its dataclass (``systems.Leaderboard``, ``meta.MetaEvaluation``, ``compare.Comparison``).

``bench report`` and scripts read artefacts here and nowhere else; the fields are read by the
codec in ``bench.analysis.artefacts`` from the dataclasses' annotations, never by key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.analysis import artefacts
from bench.analysis.compare import Comparison
from bench.analysis.meta import MetaEvaluation
from bench.analysis.systems import Leaderboard
from bench.errors import BenchError
from bench.results import envelope

KINDS: dict[str, type] = {"systems": Leaderboard, "meta": MetaEvaluation, "compare": Comparison}


def parse(data: Any, where: str, kind: str | None = None) -> Leaderboard | MetaEvaluation | Comparison:
    """Loaded JSON as its artefact (the kind its envelope names; ``kind`` to require one)."""
    found = envelope.kind_of(data)
    kind = kind or found
    if kind not in KINDS:
        raise BenchError(f"{where} is not a {', '.join(KINDS)} artefact (kind {found!r})",
                         "pass a file `bench systems`, `bench meta` or `bench compare` stored under analyses/")
    return artefacts.decode(KINDS[kind], data, where, kind)


def read(path: str | Path, kind: str | None = None) -> Leaderboard | MetaEvaluation | Comparison:
    """A stored artefact file (``analyses/<kind>-<hash>.json``) as its dataclass."""
    return parse(artefacts.load_json(path), str(path), kind)
