"""The lake of meter readings: hive-partitioned Parquet (`year=YYYY/month=MM/`, by the UTC
time), written once per input file.

A file's part is named by the hash of its checked content, so ingesting the same file again
writes nothing new; a file with any problem writes nothing at all. Parts are written to a
temporary folder inside the lake and moved into place when all are written.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.errors import InputError
from carbonpeak.io.tables import place_problems, read_table
from carbonpeak.monitoring.readings import check_meters, check_readings, to_intervals
from carbonpeak.reference.loader import Reference

PARQUET_SUFFIXES = (".parquet", ".pq")


def read_any(path: Path, sheet: str) -> pd.DataFrame:
    """A CSV or workbook sheet as text (`read_table`), or a Parquet file as it is."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        if not path.exists():
            return read_table(path, sheet)  # the same "file not found" problem
        frame = pd.read_parquet(path)
        frame["row"] = range(1, len(frame) + 1)  # Parquet has no header line: rows from 1
        return frame
    return read_table(path, sheet)


def ingest(
    readings_path: Path, meters_path: Path, lake: Path, reference: Reference
) -> dict[str, int]:
    """Check a readings file against its meters and add it to the lake; return what was
    written (`readings`, `parts`, `new_parts`)."""
    meters, problems = check_meters(read_any(meters_path, "meters"), reference)
    if problems:
        raise InputError(place_problems(problems, meters_path, "meters"))
    readings, problems = check_readings(read_any(readings_path, "readings"), meters)
    if problems:
        raise InputError(place_problems(problems, readings_path, "readings"))
    intervals = to_intervals(readings, meters)
    meta = meters.set_index("meter_id")
    intervals["enterprise_id"] = intervals["meter_id"].map(meta["enterprise_id"])
    intervals["carrier"] = intervals["meter_id"].map(meta["carrier"])
    intervals["unit"] = intervals["meter_id"].map(meta["unit"])
    intervals["year"] = intervals["ts"].dt.year.astype("int32")
    intervals["month"] = intervals["ts"].dt.month.astype("int32")
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(intervals, index=False).to_numpy().tobytes()
    ).hexdigest()[:16]
    root = lake / "readings"
    root.mkdir(parents=True, exist_ok=True)
    parts = new = 0
    with tempfile.TemporaryDirectory(dir=lake, prefix=".ingest-") as staging:
        moves = []
        for (year, month), group in intervals.groupby(["year", "month"], sort=True):
            folder = Path(f"year={int(str(year))}") / f"month={int(str(month)):02d}"
            target = root / folder / f"part-{digest}.parquet"
            parts += 1
            if target.exists():
                continue
            staged = Path(staging) / folder / target.name
            staged.parent.mkdir(parents=True, exist_ok=True)
            columns = ["meter_id", "enterprise_id", "carrier", "unit", "ts", "value"]
            table = pa.Table.from_pandas(group[columns], preserve_index=False)
            pq.write_table(table, staged)
            moves.append((staged, target))
        for staged, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staged), str(target))
            new += 1
    return {"readings": len(intervals), "parts": parts, "new_parts": new}
