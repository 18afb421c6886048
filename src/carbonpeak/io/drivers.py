"""The lake's daily drivers of energy (`drivers/`): production, temperature and the like, by
enterprise and day; each file one Parquet part, written whole or not at all (`write_rows`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow as pa

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.commits import locked
from carbonpeak.io.lake_files import read_any, read_parquet, require_rows, write_rows
from carbonpeak.io.tables import place_problems
from carbonpeak.monitoring.readings import EARLIEST, LATEST
from carbonpeak.reference.loader import Reference

DRIVER_KEYS = ("enterprise_id", "day")


def ingest_drivers(path: Path, lake: Path, reference: Reference) -> dict[str, int]:
    """Add a table of daily drivers (`enterprise_id, day` and numeric columns such as
    `production_t`, `temperature_c`) to the lake's `drivers/`; a later file's value of an
    enterprise, day and driver replaces an earlier one. The same file twice writes nothing; a
    file with a problem writes nothing."""
    from carbonpeak.domain.uscc import invalid_usccs
    from carbonpeak.monitoring.enpi import check_table

    table = read_any(path, "drivers")
    require_rows(table, path, N_("no rows in {}"))
    if "enterprise_id" not in table.columns:
        raise InputError(
            [
                Problem.of(
                    Place(file=str(path), row=1, column="enterprise_id"),
                    N_("required column is missing"),
                )
            ]
        )
    names = [c for c in table.columns if c not in (*DRIVER_KEYS, "row")]
    tidy, problems = check_table(table, "day", names, unique=False)
    if "day" not in tidy.columns:  # a required column is missing: nothing more to check
        raise InputError(place_problems(problems, path, "drivers"))
    codes = table["enterprise_id"].fillna("").astype(str).str.strip()
    bad = invalid_usccs(pd.unique(codes), reference)
    rows = table["row"] if "row" in table.columns else pd.Series(range(2, len(table) + 2))
    for row, code in zip(rows, codes, strict=True):
        if code in bad:
            problems.append(
                Problem.of(
                    Place(row=int(row), column="enterprise_id"),
                    N_("{!r} is not a valid USCC: {}"),
                    code,
                    bad[code],
                )
            )
    days = tidy["day"]
    early, late = EARLIEST.tz_localize(None), LATEST.tz_localize(None)
    outside = ((days < early) | (days >= late)).to_numpy()
    for row, shown in zip(rows[outside], days[outside], strict=True):
        problems.append(
            Problem.of(
                Place(row=int(row), column="day"),
                N_("{!r} is not between {} and {} (UTC)"),
                f"{shown:%Y-%m-%d}",
                f"{early:%Y-%m-%d}",
                f"{late - pd.Timedelta(days=1):%Y-%m-%d}",
            )
        )
    repeated = pd.DataFrame({"e": codes, "d": tidy["day"]}).duplicated(keep="first")
    for row, code in zip(rows[repeated.to_numpy()], codes[repeated], strict=True):
        problems.append(
            Problem.of(
                Place(row=int(row), column="day"), N_("enterprise {} has this day twice"), code
            )
        )
    if not names:
        problems.append(
            Problem.of(Place(row=1), N_("no driver columns besides enterprise_id and day"))
        )
    if problems:
        raise InputError(place_problems(problems, path, "drivers"))
    frame = tidy.assign(enterprise_id=codes, day=tidy["day"].dt.date)[[*DRIVER_KEYS, *names]]
    long = frame.melt(id_vars=list(DRIVER_KEYS), var_name="driver", value_name="value")
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(long, index=False).to_numpy().tobytes()
    ).hexdigest()[:16]
    target = lake / "drivers" / f"part-{digest}.parquet"
    with locked(lake):  # the sequence below counts the files before this one
        if target.exists():
            return {"rows": 0, "new_parts": 0}
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in target.parent.glob(".write-*"):  # a dead writer's (write_rows)
            stale.unlink(missing_ok=True)
        order = sum(1 for _ in target.parent.glob("part-*.parquet"))
        long["sequence"] = order  # later files win
        written = write_rows(pa.Table.from_pandas(long, preserve_index=False), target)
    return {"rows": written, "new_parts": 1}


def read_drivers(lake: Path, enterprise_id: str | None = None) -> pd.DataFrame:
    """Daily drivers as a wide table (`enterprise_id, day` and a column per driver), the latest
    file's value where files overlap; empty when the lake has none."""
    files = sorted((lake / "drivers").glob("part-*.parquet"))
    if not files:
        return pd.DataFrame(columns=list(DRIVER_KEYS))
    long = pd.concat([read_parquet(f) for f in files], ignore_index=True)
    if enterprise_id is not None:
        long = long[long["enterprise_id"] == enterprise_id]
    long = long.sort_values("sequence").drop_duplicates([*DRIVER_KEYS, "driver"], keep="last")
    wide = long.pivot(index=list(DRIVER_KEYS), columns="driver", values="value")
    wide.columns.name = None
    return wide.reset_index().sort_values(list(DRIVER_KEYS), ignore_index=True)
