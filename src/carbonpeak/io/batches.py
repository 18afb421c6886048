"""Posted batches of meter readings: a body read as a table, its readings checked, its digest.

A batch body is JSON lines (one `{"meter_id": ..., "ts": ..., "value": ...}` a line), CSV (a
header `meter_id,ts,value`, then a reading a line) or Parquet (those columns). Problems are
placed in the batch (shown as the place's file, `batch <id>`) by line: JSON lines from 1, CSV
from 2 (the header is line 1), Parquet rows from 1. Bodies are read by Arrow's readers, not row
by row in Python; a JSON body Arrow refuses is read again line by line, only to say which line
is wrong. The readings are checked by `monitoring.readings.check_readings`, after a quick
vectorised look (`check_batch`) that takes a plainly valid batch as it would.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.monitoring.readings import (
    DATE_PATTERN,
    EARLIEST,
    LATEST,
    OFFSET_PATTERN,
    READING_COLUMNS,
    READING_LIMIT,
    check_readings,
)

BATCH_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"
FORMATS = {
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "text/csv": "csv",
    "application/vnd.apache.parquet": "parquet",
    "application/octet-stream": "parquet",  # a Parquet file, known by its magic bytes
    "application/json": "national",  # one upload message in the national layout
}
PARQUET_MAGIC = b"PAR1"
_JSON_SCHEMA = pa.schema([("meter_id", pa.string()), ("ts", pa.string()), ("value", pa.float64())])


def body_format(content_type: str) -> str | None:
    """`jsonl`, `csv` or `parquet` for a request's Content-Type (its parameters aside)."""
    return FORMATS.get(content_type.split(";")[0].strip().lower())


def batch_place(batch_id: str, problem: Problem) -> Problem:
    """The problem placed in the batch (shown as the place's file: `batch <id>`)."""
    return replace(problem, place=replace(problem.place, file=f"batch {batch_id}"))


def read_batch(
    body: bytes, kind: str, batch_id: str, enterprise_id: str | None = None
) -> pd.DataFrame:
    """A batch body (`kind` from `body_format`) as `meter_id, ts, value` with each reading's
    `row` (its line; in a national upload message, its item's place in `data`, from 1); a body
    that is not of its format, or a national message of another enterprise than
    `enterprise_id`, is an `InputError` placed in the batch."""
    try:
        if kind == "national":
            frame = _national(body, enterprise_id)
        elif kind == "jsonl":
            frame = _json_lines(body)
        elif kind == "csv":
            frame = _csv(body)
        else:
            frame = _parquet(body)
    except InputError as error:
        raise InputError([batch_place(batch_id, p) for p in error.problems]) from None
    if not len(frame):
        raise InputError(
            Problem.of(
                Place(file=f"batch {batch_id}"), N_("no readings in {}"), f"batch {batch_id}"
            )
        )
    return frame


def _national(body: bytes, enterprise_id: str | None) -> pd.DataFrame:
    """The real-time items of an upload message in the national layout
    (`monitoring.national`) as readings, each item's data code its meter's id."""
    from carbonpeak.monitoring.national import parse_national
    from carbonpeak.reference.loader import default_reference

    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(Problem.of(Place(), N_("not a JSON document: {}"), error)) from None
    if not isinstance(message, dict):
        raise InputError(
            Problem.of(Place(), N_("not an upload message: a JSON object with data is expected"))
        )
    batch = parse_national(message, default_reference())
    if enterprise_id is not None and batch.enterprise_id != enterprise_id:
        raise InputError(
            Problem.of(
                Place(field="enterpriseCode"),
                N_("the message is of enterprise {}, the key acts for {}"),
                batch.enterprise_id,
                enterprise_id,
            )
        )
    readings = batch.readings
    return pd.DataFrame(
        {
            "meter_id": readings["meter_id"].astype(str),
            "ts": pd.to_datetime(readings["ts"], utc=True).map(lambda t: t.isoformat()),
            "value": readings["value"].astype("float64"),
            "row": readings["item"].astype("int64") + 1,
        }
    )


def _json_lines(body: bytes) -> pd.DataFrame:
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    try:
        table = pajson.read_json(
            io.BytesIO(body),
            read_options=pajson.ReadOptions(use_threads=False),  # a batch is small: no pool
            parse_options=pajson.ParseOptions(
                explicit_schema=_JSON_SCHEMA, unexpected_field_behavior="ignore"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _json_line_by_line(body)
    if table.num_rows != lines:  # blank lines: number them one by one
        return _json_line_by_line(body)
    frame: pd.DataFrame = table.to_pandas()
    frame["row"] = np.arange(1, len(frame) + 1)
    return frame


def _json_line_by_line(body: bytes) -> pd.DataFrame:
    """A JSON lines body Arrow refused (a line that is not an object, a `ts` that is not a
    string, a `value` that is not a number): each line read, its problems placed."""
    records: list[dict[str, object]] = []
    problems: list[Problem] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            problems.append(
                Problem.of(Place(row=number), N_("not a line of JSON lines: {}"), error)
            )
            continue
        if not isinstance(record, dict):
            problems.append(
                Problem.of(Place(row=number), N_("not a line of JSON lines: {}"), "not an object")
            )
            continue
        records.append(
            {
                "meter_id": _text(record.get("meter_id")),
                "ts": _text(record.get("ts")),
                "value": _text(record.get("value")),
                "row": number,
            }
        )
    if problems:
        raise InputError(problems)
    return pd.DataFrame(records, columns=[*READING_COLUMNS, "row"])


def _text(value: object) -> str:
    """A JSON value as the text a CSV cell would hold (null: empty), for the readings check."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _csv(body: bytes) -> pd.DataFrame:
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(use_threads=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in READING_COLUMNS},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        message = str(error).splitlines()[0]
        found = re.search(r"[Rr]ow #?(\d+)", message)
        place = Place(row=int(found.group(1)) + 1) if found else Place()
        raise InputError(Problem.of(place, N_("not a CSV table: {}"), message)) from None
    frame: pd.DataFrame = table.to_pandas()
    frame["row"] = np.arange(2, len(frame) + 2)
    return frame


def _parquet(body: bytes) -> pd.DataFrame:
    if not (body.startswith(PARQUET_MAGIC) and body.endswith(PARQUET_MAGIC)):
        raise InputError(Problem.of(Place(), N_("not a readable Parquet file: {}"), "no PAR1"))
    try:
        frame: pd.DataFrame = pq.read_table(io.BytesIO(body)).to_pandas()
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputError(
            Problem.of(Place(), N_("not a readable Parquet file: {}"), error)
        ) from None
    frame["row"] = np.arange(1, len(frame) + 1)
    return frame


def check_batch(
    frame: pd.DataFrame, meters: pd.DataFrame, batch_id: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """`monitoring.readings.check_readings` against `meters` (those the sender may post for:
    any other meter is unknown), the problems placed in the batch. A batch of the common
    shape that passes `_plainly_valid` is taken as it is, as `check_readings` would take it,
    without its row-by-row text work; any other batch gets `check_readings` itself."""
    tidy = _plainly_valid(frame, meters)
    if tidy is not None:
        return tidy, []
    tidy, problems = check_readings(frame, meters)
    return tidy, [batch_place(batch_id, p) for p in problems]


def _plainly_valid(frame: pd.DataFrame, meters: pd.DataFrame) -> pd.DataFrame | None:
    """The checked readings (`check_readings`' tidy table) when every reading plainly passes
    its checks: text columns without blanks or surrounding spaces, known meters, numbers
    within `READING_LIMIT`, ISO 8601 times (an offset, or none for China Standard Time) in
    [`EARLIEST`, `LATEST`); else None (then `check_readings` says what is wrong). Only Arrow's
    vectorised kernels and one `pandas.to_datetime` run here."""
    if set(frame.columns) != {*READING_COLUMNS, "row"} or not len(frame):
        return None
    if not all(pd.api.types.is_string_dtype(frame[c]) for c in ("meter_id", "ts")):
        return None
    try:
        meter = pa.array(frame["meter_id"], pa.string())
        text = pa.array(frame["ts"], pa.string())
        raw = frame["value"]
        value = (
            raw.astype("float64")
            if raw.dtype.kind in "fi"
            else pd.Series(
                pc.cast(pa.array(raw, pa.string()), pa.float64()).to_numpy(zero_copy_only=False),
                index=frame.index,
            )
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        return None
    known = pa.array(meters["meter_id"], pa.string())
    plain = (
        meter.null_count == 0
        and text.null_count == 0
        and pc.all(pc.equal(meter, pc.utf8_trim_whitespace(meter))).as_py()
        and pc.all(pc.equal(text, pc.utf8_trim_whitespace(text))).as_py()
        and pc.all(pc.is_in(meter, value_set=known)).as_py()
    )
    numbers = value.to_numpy()
    finite = np.isfinite(numbers) | np.isnan(numbers)  # NaN: a reading left blank, as in CSV
    if not plain or not finite.all() or (np.abs(numbers[~np.isnan(numbers)]) > READING_LIMIT).any():
        return None
    offset = pc.match_substring_regex(text, OFFSET_PATTERN)
    stamped = pc.if_else(offset, text, pc.binary_join_element_wise(text, "+08:00", ""))
    dates = pc.match_substring_regex(text, DATE_PATTERN)  # a date alone: midnight, CST
    stamped = pc.if_else(dates, pc.binary_join_element_wise(text, "T00:00:00+08:00", ""), stamped)
    try:  # Arrow's ISO 8601 reader (30 times pandas'), else pandas' (as check_readings)
        ts = pd.Series(stamped.cast(pa.timestamp("ns", "UTC")).to_pandas(), index=frame.index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        try:
            ts = pd.to_datetime(
                pd.Series(stamped.to_numpy(zero_copy_only=False), index=frame.index),
                format="ISO8601",
                utc=True,
            )
        except (ValueError, OverflowError):
            return None
    if ts.isna().any() or (ts < EARLIEST).any() or (ts >= LATEST).any():
        return None
    return pd.DataFrame(
        {"meter_id": frame["meter_id"], "ts": ts, "value": value, "row": frame["row"]}
    )


def digest(tidy: pd.DataFrame) -> str:
    """The digest of checked readings (`meter_id`, `ts` in UTC, `value`, in their order): the
    same readings, in any of the three formats, have the same digest."""
    hashed = hashlib.sha256()
    hashed.update("\x1f".join(tidy["meter_id"].tolist()).encode())
    hashed.update(tidy["ts"].to_numpy(dtype="datetime64[ns]").view("int64").tobytes())
    hashed.update(tidy["value"].to_numpy(dtype="float64").tobytes())
    return hashed.hexdigest()[:32]
