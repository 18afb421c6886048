"""Posted batches of meter readings: a body read as a table, its readings checked, its digest.

A batch body is JSON lines (one `{"meter_id": ..., "ts": ..., "value": ...}` a line), CSV (a
header `meter_id,ts,value`, then a reading a line) or Parquet (those columns). Problems are
placed in the batch (shown as the place's file, `batch <id>`) by line: JSON lines from 1, CSV
from 2 (the header is line 1), Parquet rows from 1. Bodies are read by Arrow's readers, not row
by row in Python; a JSON body Arrow refuses is read again line by line, only to say which line
is wrong. The readings are checked by `monitoring.readings.check_readings`, after a quick
vectorised look (`check_batch`) that takes a plainly valid batch as it would.

A batch stays an Arrow table from its body to its landing file (`read_batch`, `check_batch`,
`digest`, `io.landing.land`): a plainly valid batch, the common case, 200 of them a second,
never becomes a pandas frame; only a batch with a problem (or of an unusual shape) is handed to
`check_readings` as one (issue 17: the round trips through pandas were most of a batch's CPU).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from carbonpeak.reference.loader import Reference

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
TIDY_SCHEMA = pa.schema(
    [
        ("meter_id", pa.string()),
        ("ts", pa.timestamp("ns", tz="UTC")),
        ("value", pa.float64()),
        ("row", pa.int64()),
    ]
)
"""Checked readings (`check_batch`): UTC times in nanoseconds, a blank value null."""


def body_format(content_type: str) -> str | None:
    """`jsonl`, `csv` or `parquet` for a request's Content-Type (its parameters aside)."""
    return FORMATS.get(content_type.split(";")[0].strip().lower())


def batch_place(batch_id: str, problem: Problem) -> Problem:
    """The problem placed in the batch (shown as the place's file: `batch <id>`)."""
    return replace(problem, place=replace(problem.place, file=f"batch {batch_id}"))


def read_batch(
    body: bytes,
    kind: str,
    batch_id: str,
    enterprise_id: str | None = None,
    reference: Reference | None = None,
) -> pa.Table:
    """A batch body (`kind` from `body_format`) as an Arrow table of `meter_id, ts, value`
    (as sent: a CSV body's are texts) with each reading's `row` (its line; in a national
    upload message, its item's place in `data`, from 1); a body that is not of its format, or
    a national message of another enterprise than `enterprise_id`, is an `InputError` placed
    in the batch. A national message is read with `reference` (its data codes; the shipped
    library if None, for a file without a store; the service passes the library in force)."""
    try:
        if kind == "national":
            frame = _national(body, enterprise_id, reference)
        elif kind == "jsonl":
            frame = _json_lines(body)
        elif kind == "csv":
            frame = _csv(body)
        else:
            frame = _parquet(body)
    except InputError as error:
        raise InputError([batch_place(batch_id, p) for p in error.problems]) from None
    if not frame.num_rows:
        raise InputError(
            Problem.of(
                Place(file=f"batch {batch_id}"), N_("no readings in {}"), f"batch {batch_id}"
            )
        )
    return frame


def _numbered(table: pa.Table, first: int) -> pa.Table:
    """The table with each reading's line (`row`, in place of any column of that name), from
    `first`."""
    if "row" in table.column_names:
        table = table.drop_columns(["row"])
    return table.append_column("row", pa.array(np.arange(first, first + table.num_rows)))


def _national(body: bytes, enterprise_id: str | None, reference: Reference | None) -> pa.Table:
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
    batch = parse_national(message, reference if reference is not None else default_reference())
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
    frame = pd.DataFrame(
        {
            "meter_id": readings["meter_id"].astype(str),
            "ts": pd.to_datetime(readings["ts"], utc=True).map(lambda t: t.isoformat()),
            "value": readings["value"].astype("float64"),
            "row": readings["item"].astype("int64") + 1,
        }
    )
    return pa.Table.from_pandas(frame, preserve_index=False)


def _json_lines(body: bytes) -> pa.Table:
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
    return _numbered(table, 1)


def _json_line_by_line(body: bytes) -> pa.Table:
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
    columns = {c: pa.array([r[c] for r in records], pa.string()) for c in READING_COLUMNS}
    return pa.table({**columns, "row": pa.array([r["row"] for r in records], pa.int64())})


def _text(value: object) -> str:
    """A JSON value as the text a CSV cell would hold (null: empty), for the readings check."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _csv(body: bytes) -> pa.Table:
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
    return _numbered(table, 2)


def _parquet(body: bytes) -> pa.Table:
    if not (body.startswith(PARQUET_MAGIC) and body.endswith(PARQUET_MAGIC)):
        raise InputError(Problem.of(Place(), N_("not a readable Parquet file: {}"), "no PAR1"))
    try:
        table = pq.read_table(io.BytesIO(body))
        table.to_pandas()  # what check_readings would be given must be readable
    except (OSError, ValueError, pa.ArrowException) as error:
        raise InputError(
            Problem.of(Place(), N_("not a readable Parquet file: {}"), error)
        ) from None
    return _numbered(table, 1)


def check_batch(
    frame: pa.Table, meters: pd.DataFrame, batch_id: str
) -> tuple[pa.Table, list[Problem]]:
    """`monitoring.readings.check_readings` against `meters` (those the sender may post for:
    any other meter is unknown), the problems placed in the batch; the checked readings as
    `TIDY_SCHEMA`. A batch of the common shape that passes `_plainly_valid` is taken as it
    is, as `check_readings` would take it, without its row-by-row text work; any other batch
    gets `check_readings` itself."""
    tidy = _plainly_valid(frame, meters)
    if tidy is not None:
        return tidy, []
    checked, problems = check_readings(frame.to_pandas(), meters)
    if problems:
        return frame, [batch_place(batch_id, p) for p in problems]
    return tidy_table(checked), []


def tidy_table(tidy: pd.DataFrame) -> pa.Table:
    """`check_readings`' checked readings as `TIDY_SCHEMA` (a blank value null)."""
    return pa.table(
        {
            "meter_id": pa.array(tidy["meter_id"].astype(str), pa.string()),
            "ts": pa.array(tidy["ts"]).cast(TIDY_SCHEMA.field("ts").type),
            "value": pa.array(tidy["value"].astype("float64"), pa.float64(), from_pandas=True),
            "row": pa.array(tidy["row"], pa.int64()),
        },
        schema=TIDY_SCHEMA,
    )


_known: list[tuple[pd.DataFrame, pa.Array]] = []  # the last registry's meters, as Arrow


def _known_meters(meters: pd.DataFrame) -> pa.Array:
    """`meters`' ids as an Arrow array (kept for the same frame: `io.meters` keeps the frame
    while the registry is the same, so 200 batches a second convert it once)."""
    for frame, known in list(_known):
        if frame is meters:
            return known
    known = pa.array(meters["meter_id"].astype(str), pa.string())
    _known[:] = [(meters, known)]
    return known


def _none(mask: pa.Array) -> bool:
    """No reading is marked (a null mark is no mark)."""
    return pc.any(mask).as_py() is not True


def _plainly_valid(frame: pa.Table, meters: pd.DataFrame) -> pa.Table | None:
    """The checked readings (`check_readings`' as `TIDY_SCHEMA`) when every reading plainly
    passes its checks: text columns without blanks or surrounding spaces, known meters,
    numbers within `READING_LIMIT`, ISO 8601 times (an offset, or none for China Standard
    Time) in [`EARLIEST`, `LATEST`); else None (then `check_readings` says what is wrong).
    Only Arrow's vectorised kernels run here."""
    if set(frame.column_names) != {*READING_COLUMNS, "row"} or not frame.num_rows:
        return None
    meter, text, raw = (frame.column(c).combine_chunks() for c in READING_COLUMNS)
    if not (pa.types.is_string(meter.type) and pa.types.is_string(text.type)):
        return None
    if pa.types.is_integer(raw.type) or pa.types.is_floating(raw.type):
        value = raw.cast(pa.float64())
    elif pa.types.is_string(raw.type):
        try:
            value = pc.cast(raw, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    else:
        return None
    if (
        meter.null_count
        or text.null_count
        or not pc.all(pc.equal(meter, pc.utf8_trim_whitespace(meter))).as_py()
        or not pc.all(pc.equal(text, pc.utf8_trim_whitespace(text))).as_py()
        or not pc.all(pc.is_in(meter, value_set=_known_meters(meters))).as_py()
        or not _none(pc.greater(pc.abs(value), READING_LIMIT))  # infinity too; NaN is blank
    ):
        return None
    value = pc.if_else(pc.is_nan(value), pa.scalar(None, pa.float64()), value)
    offset = pc.match_substring_regex(text, OFFSET_PATTERN)
    stamped = pc.if_else(offset, text, pc.binary_join_element_wise(text, "+08:00", ""))
    dates = pc.match_substring_regex(text, DATE_PATTERN)  # a date alone: midnight, CST
    stamped = pc.if_else(dates, pc.binary_join_element_wise(text, "T00:00:00+08:00", ""), stamped)
    kind = TIDY_SCHEMA.field("ts").type
    try:  # Arrow's ISO 8601 reader (30 times pandas'), else pandas' (as check_readings)
        ts = stamped.cast(kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        try:
            ts = pa.array(pd.to_datetime(stamped.to_pandas(), format="ISO8601", utc=True), kind)
        except (ValueError, OverflowError, pa.ArrowException):
            return None
    stamp = ts.cast(pa.int64())
    if (
        ts.null_count
        or not _none(pc.less(stamp, EARLIEST.value))
        or not _none(pc.greater_equal(stamp, LATEST.value))
    ):
        return None
    return pa.table(
        [meter, ts, value, frame.column("row").combine_chunks().cast(pa.int64())],
        schema=TIDY_SCHEMA,
    )


def digest(tidy: pa.Table) -> str:
    """The digest of checked readings (`TIDY_SCHEMA`: `meter_id`, `ts` in UTC, `value`, in
    their order; a blank value hashed as NaN): the same readings, in any of the three formats,
    have the same digest."""
    hashed = hashlib.sha256()
    meter = tidy.column("meter_id").combine_chunks()
    whole = pa.ListArray.from_arrays(pa.array([0, len(meter)], pa.int32()), meter)
    hashed.update(pc.binary_join(whole, "\x1f")[0].as_buffer())  # "\x1f".join(meter ids)
    hashed.update(tidy.column("ts").combine_chunks().cast(pa.int64()).to_numpy().tobytes())
    value = pc.fill_null(tidy.column("value").combine_chunks(), np.nan)
    hashed.update(value.to_numpy().tobytes())
    return hashed.hexdigest()[:32]
