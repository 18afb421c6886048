"""`carbonpeak monitoring status`: the online-monitoring status of the lake's enterprises as
of a moment (`monitoring.status`), kept apart from the group's module for its size."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli._kit import JsonOption, fail, out, print_json, table, warn_lines

LakeOption = Annotated[Path, typer.Option("--lake", help="The lake folder.")]
EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="duckdb (in process, the default) or spark; else $CARBONPEAK_ENGINE.",
    ),
]


def status(
    lake: LakeOption,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="As of this China Standard Time moment (YYYY-MM-DDTHH:MM); default: the "
            "lake's latest reading.",
        ),
    ] = None,
    silent_hours: Annotated[
        float,
        typer.Option(
            "--silent-hours",
            help="A meter without a reading for longer is silent (the platform's choice).",
        ),
    ] = 24.0,
    engine_name: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Online-monitoring status as of a moment: each enterprise's completeness yesterday and
    over 30 days (against the 90 % reference), upload rate, silent meters, energy today
    against the same weekday last week, and the largest anomalies."""
    from datetime import UTC, datetime

    from carbonpeak.engine.session import open_engine
    from carbonpeak.io.lake import read_lake, read_meters
    from carbonpeak.io.lake_files import named_damage
    from carbonpeak.monitoring.status import StatusOptions, latest_time
    from carbonpeak.monitoring.status import status as compute
    from carbonpeak.reference.loader import default_reference

    if not 0 < silent_hours <= 24 * 366:
        fail(f"--silent-hours {silent_hours:g}: give a number of hours above 0, at most a year")
    moment = None
    if at is not None:
        try:
            given = datetime.fromisoformat(at)
        except ValueError:
            fail(f"--at {at!r} is not a moment (YYYY-MM-DDTHH:MM, China Standard Time)")
        # without an offset the moment is China Standard Time; with one, as it says
        moment = (
            given.astimezone(UTC).replace(tzinfo=None)
            if given.tzinfo
            else given - timedelta(hours=8)
        )
    engine = open_engine(engine_name)
    try:
        with named_damage(lake):  # a damaged part of the lake is named (exit 2)
            meters = read_meters(lake)
            result = compute(
                engine,
                read_lake(engine, lake),
                meters,
                default_reference(),
                moment or latest_time(meters),
                StatusOptions(silent_hours=silent_hours),
            )
    finally:
        engine.stop()
    if as_json:
        print_json(result.as_dict() | {"totals": result.totals()})
        return
    columns = [
        "enterprise_id",
        "meters",
        "silent_meters",
        "completeness_yesterday",
        "completeness_history",
        "upload_rate",
        "energy_tce_today",
        "energy_tce_last_week",
        "anomalies",
    ]
    title = (
        f"as of {result.now + timedelta(hours=8):%Y-%m-%d %H:%M} (China Standard Time); "
        f"completeness passes at {result.threshold.value:.0%} ({result.threshold.status})"
    )
    out.print(table(title, columns, [[getattr(e, c) for c in columns] for e in result.enterprises]))
    warn_lines(result.warnings)
