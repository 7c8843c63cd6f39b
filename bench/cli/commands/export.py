"""``bench export RUN... --format parquet|csv|jsonl [--output FILE] [--wide | --corpus]``: the runs' per-item
scores as one flat table, a row per item x metric x stat; with ``--wide``, a row per item and a column per
metric stat; with ``--corpus``, the corpus table instead: a row per run x metric with a corpus value (BLEU,
chrF), its interval and the item mean (columns: bench.results.export).

Parquet needs ``--output``; CSV and JSON lines go to stdout without it. The file is
written atomically; the runs are only read. An existing ``--output`` file is replaced only with
``--force``, and never when it is a file bench wrote of another kind (a baseline, a run's file, an
analysis artefact) or not a regular file (a device, a FIFO, a symbolic link, a folder): send stdout there.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.cli.commands.common import Parser, handles_errors
from bench.errors import BenchError


def _parser() -> Parser:
    from bench.results.export import FORMATS

    p = Parser(prog="bench export", description=__doc__)
    p.add_argument("runs", nargs="+", metavar="RUN", help="run directories, <experiment>/<run id>, or run ids")
    p.add_argument("--format", choices=FORMATS, help="default: from the --output extension")
    p.add_argument("--output", "-o", help="the file to write (required for parquet; default for csv/jsonl: stdout)")
    p.add_argument("--results-dir", default="results", help="where to look up run ids (default: results)")
    p.add_argument("--force", action="store_true", help="replace an existing --output file (never a bench baseline, "
                   "run file or analysis artefact, a device, a FIFO, a symbolic link or a folder)")
    p.add_argument("--csv-safe", action="store_true",
                   help="CSV: put a ' before each text cell starting with = + - @ (or a tab, a carriage return), so a "
                        "spreadsheet does not run it as a formula; changes those values (default: off, values exact)")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--corpus", action="store_true",
                       help="one row per run x metric with a corpus value (BLEU, chrF): corpus value, its interval, item mean")
    shape.add_argument("--wide", action="store_true",
                       help="one row per run x item, one column per metric stat (rouge1.fmeasure, ...), then metadata")
    return p


def _format(fmt: str | None, output: str | None) -> str:
    from bench.results.export import FORMATS

    if fmt is None and output:
        fmt = Path(output).suffix.lstrip(".").lower() or None
        fmt = {"pq": "parquet", "ndjson": "jsonl"}.get(fmt, fmt)  # type: ignore[arg-type]
        if fmt not in FORMATS:
            raise BenchError(f"cannot tell the format of {output}", f"add --format {'|'.join(FORMATS)}")
    if fmt is None:
        raise BenchError("no export format", f"add --format {'|'.join(FORMATS)}")
    if fmt == "parquet" and not output:
        raise BenchError("parquet is binary and is not written to the terminal", "add --output FILE.parquet")
    return fmt


@handles_errors
def main(argv: list[str]) -> int:
    """Export the runs; the path of the file written is the last line on stderr."""
    import bench
    from bench.paths import inside, output_target
    from bench.results import catalog, export

    args = _parser().parse_args(argv)
    fmt = _format(args.format, args.output)
    if args.csv_safe and fmt != "csv":
        raise BenchError(f"--csv-safe applies to CSV, not {fmt}", "drop --csv-safe or add --format csv")
    run_dirs = [catalog.resolve(r, args.results_dir) for r in args.runs]
    if args.output and any(inside(d, Path(args.output)) for d in run_dirs):
        # a stored run is never edited: an export inside one would change what `reproduce` and `check` read
        raise BenchError(f"{args.output} lies inside a run directory", "write the export somewhere else")
    if args.output:  # before any work: refused targets cost nothing
        output_target(args.output, args.force, "pass --force to replace it")
    runs = [bench.load_run(d) for d in run_dirs]
    data = export.encode(export.corpus_table(runs) if args.corpus else export.wide_table(runs) if args.wide else export.table(runs), fmt, csv_safe=args.csv_safe)
    if args.output:
        export.write(args.output, data)
        print(f"bench export: wrote {args.output}", file=sys.stderr)
    else:
        from bench.cli.streams import write_bytes

        write_bytes(data)  # the format's UTF-8 as it is, whatever the terminal's encoding
    return 0
