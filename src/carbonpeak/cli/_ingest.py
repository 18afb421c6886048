"""`carbonpeak monitoring ingest`: readings files checked and added to the lake (a command of the
monitoring group, kept apart for its size)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli._kit import JsonOption, choice, out, print_json, steps_bar

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine", help="duckdb (in process, the default) or spark; else $CARBONPEAK_ENGINE."
    ),
]


def ingest(
    readings: Annotated[
        list[Path],
        typer.Argument(
            help="Readings: meter_id, ts, value (CSV, gzip'd CSV, Parquet or Excel); several "
            "files go into the lake in one commit."
        ),
    ],
    meters: Annotated[
        Path,
        typer.Option(
            "--meters",
            help="Meters: meter_id, enterprise_id, carrier, unit, kind, interval_minutes.",
        ),
    ],
    lake: Annotated[Path, typer.Option("--lake", help="The lake folder (created if missing).")],
    engine: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check readings files and add them to the lake (hive-partitioned Parquet by year and
    month); the same files twice change nothing; files with a problem write nothing, and every
    problem is named by file, row and column."""
    from carbonpeak.engine.session import ENGINES, open_engine
    from carbonpeak.io.lake import ingest
    from carbonpeak.reference.loader import default_reference
    from carbonpeak.settings import settings

    chosen = choice((engine or settings().engine).strip().lower(), ENGINES, "--engine")
    size = sum(p.stat().st_size for p in readings if p.is_file())
    with steps_bar("ingest", size) as tell:
        if chosen == "spark":  # a backfill: the same SQL on Spark
            spark = open_engine("spark")
            try:
                written = ingest(readings, meters, lake, default_reference(), tell, spark)
            finally:
                spark.stop()
        else:
            written = ingest(readings, meters, lake, default_reference(), progress=tell)
    shown = ", ".join(str(p) for p in readings)
    if as_json:
        print_json(written)
        return
    if not written["committed"]:
        out.print(f"{shown} is already in the lake: nothing written")
        return
    out.print(
        f"{written['readings']} interval readings and {written['repeats']} repeat(s) in "
        f"{written['parts']} monthly part(s), {written['new_parts']} new"
    )
