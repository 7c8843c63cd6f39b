"""One number per quantity: a system's mean gets the same interval from a run's groups and from bench systems."""

import numpy as np
import pytest

from bench.results.model import Sample
from bench.stats import aggregate, pairing
from bench.values import Facts
from bench.stats.intervals import BootSpec
from bench.stats.leaderboard import SystemsSpec, leaderboard


def _toy(seed=0):
    g = np.random.default_rng(seed)
    items = [{"id": f"{s}-{d}", "metadata": {"system": s, "doc": f"doc{d}"},
              "scores": {"rouge1": {"precision": float(g.random()), "fmeasure": float(g.random())},
                         "rouge2": {"fmeasure": float(g.random())}}}
             for s in ("A", "B", "C") for d in range(12)]
    return [items[k] for k in g.permutation(len(items))]  # corpus order is not the documents' natural order


def _group_intervals(samples, spec):
    block = aggregate.groups([s["id"] for s in samples], [s["scores"] for s in samples],
                             [s["metadata"] for s in samples], spec, "doc", "system")
    return block, {(name, m, st): tuple(ci) for name, g in block["values"].items()
                   for m, stats in g["intervals"].items() for st, ci in stats.items()}


def _board_intervals(board):
    return {(r.system, r.metric, r.stat): r.ci for r in board.systems}


def test_groups_and_leaderboard_give_every_system_the_same_interval():
    samples = _toy()
    block, groups = _group_intervals(samples, BootSpec(resamples=300, unit="doc"))
    facts = {"rouge1": Facts(True, 0.0, 1.0, primary="fmeasure"), "rouge2": Facts(True, 0.0, 1.0, primary="fmeasure")}
    board = leaderboard(pairing.by_field([Sample(s["id"], "", 1, s["metadata"], s["scores"]) for s in samples],
                                         "system", "doc", facts, stat="all"), SystemsSpec(resamples=200, ci_resamples=300))
    got = _board_intervals(board)
    assert set(got) == set(groups) and all(got[k] == groups[k] for k in got)  # bit for bit
    assert board.interval_signature == block["signature"]


@pytest.mark.summeval
def test_summeval_run_groups_and_bench_systems_print_the_same_intervals(summeval_path, tmp_path):
    import bench

    run = bench.evaluate(["experiment=summeval_rouge", f"dataset.path={summeval_path}", "group_by=system"])
    path = bench.save(run, tmp_path)
    board = bench.systems(path, resamples=1000)
    record = run.as_dict()
    groups = record["groups"]
    want = {(name, m, st): tuple(ci) for name, g in groups["values"].items()
            for m, stats in g["intervals"].items() for st, ci in stats.items()}
    got = _board_intervals(board)
    assert len(got) == 16 * 4 and all(got[k] == want[k] for k in got)
    assert board.interval_signature == groups["signature"]
