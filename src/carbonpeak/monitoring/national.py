"""Messages in the national upload layout of the online monitoring of key energy-using units:
an enterprise's end device (端设备) sends its provincial platform

    {"deviceId", "enterpriseCode",
     "data": [{"dataCode", "dataValue", "inputType", "statType", "statDate", "uploadDate",
               "scope", "valid"}, ...]}

`parse_national(message, reference)` turns one into a `NationalBatch`: the real-time values as
readings rows (`meter_id, ts, value`, the meter being the item's dataCode), the daily, monthly
and yearly totals as a table of their own (`totals`; `monthly()` is the shape of the reported
monthly totals of `monitoring.quality`), with the reference rows its codes were checked
against. Every problem of the message is found in one pass and raised as an `InputError`,
each placed by the item's index in `data` and its field (`data.3.statDate`).

Method source. The layout, the field meanings and the codes are those of the specification the
implementations call NECC-NHJC-02, whose text was not found; they are read in six unrelated
open-source end devices and platforms (docs/notes/research17.md §2), so every code row of
`monitoring_data_codes` is `unverified` and a batch says so in its warnings:

- all properties of an item are mandatory (the specification's example, as copied in P-TJ);
- `statType` 0 real-time, 1 day, 2 month, 3 year; `scope` 1 whole plant, 2 production process,
  3 process unit, 4 key equipment; `inputType` 1-5 (the least sure list);
- `dataCode` is `PP-UU-EEEE-CCVVVV-DD`: process, process unit, equipment type and number, data
  class (CC, `energyClassCode`) with the energy variety or indicator (VVVV), data usage (DD);
  a whole-plant item (scope 1) has `00-00-0000` for process, unit and equipment. The variety
  and usage code tables are each platform's downloads: they are not checked. Every part is
  digits in every example read, so the pattern takes digits only;
- `statDate` is the start of the statistics period, `yyyy-MM-dd HH:mm:ss`, China Standard Time
  (P-TJ's copy of the specification; DB34/T 4689-2024 5.4.1 says the same of the time label).
  So a daily total's statDate is 00:00:00 of its day and a monthly one's the first day of its
  month at 00:00:00 (as P-SM uploads them); anything else is refused;
- `valid` false marks an item the device itself holds invalid: it is skipped and counted, not
  refused. Only JSON true / false (or their words) are taken: one platform stores 0 for valid
  data (P-YT), the opposite of a 0 as false, so a 0 or 1 is refused rather than guessed.

A real-time value is the energy of one collection interval (P-AH sends the difference between
consecutive 15-minute sections), stamped at the interval's start: the same convention as the
lake's interval readings, so a real-time item is a reading of an `interval` meter whose
`interval_minutes` is the collection interval (15 minutes, which a platform may relax to 30 or
60: `monitoring_parameters`). The message does not say the interval; where a batch holds two
or more real-time values of one dataCode, the smallest step between them is compared with the
intervals of the reference and a batch whose step is none of them gets a warning.

Units: `dataValue` is in the unit the platform's code tables give the dataCode's variety
(NECC-NHJC-02); the batch keeps the number as sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pandas as pd

from carbonpeak.domain.uscc import invalid_usccs
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.monitoring.readings import EARLIEST, LATEST, READING_LIMIT
from carbonpeak.reference.loader import Provenance, Record, Reference

TABLE = "monitoring_data_codes"
MESSAGE_FIELDS = ("deviceId", "enterpriseCode", "data")
ITEM_FIELDS = (
    "dataCode",
    "dataValue",
    "inputType",
    "statType",
    "statDate",
    "uploadDate",
    "scope",
    "valid",
)
CODED_FIELDS = ("statType", "scope", "inputType")
DATA_CODE = re.compile(
    r"(?P<process>\d{2})-(?P<unit>\d{2})-(?P<equipment>\d{4})-"
    r"(?P<energy_class>\d{2})(?P<variety>\d{4})-(?P<usage>\d{2})"
)
WHOLE_PLANT = "1"
WHOLE_PLANT_PARTS = "00-00-0000"
REALTIME = "0"
FREQ = {"1": "day", "2": "month", "3": "year"}
TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CHINA = timezone(timedelta(hours=8))  # the protocol's times are China Standard Time
INTERVAL_PARAMETERS = (
    "realtime_interval_minutes",
    "realtime_interval_relaxed_minutes",
    "realtime_interval_longest_minutes",
)
NOT_BOOLEAN = N_(
    "{!r} is not true or false (a 0 or 1 is refused: platforms differ on which is valid)"
)
NOT_WHOLE_PLANT = N_(
    "{!r}: a whole-plant item (scope 1) has {} for its process, unit and equipment"
)
NOT_PERIOD_START = {  # statDate is the start of the statistics period
    "1": N_("{!r} does not begin a day (00:00:00): statDate is the start of the period"),
    "2": N_(
        "{!r} does not begin a month (its first day, 00:00:00): statDate is the start of the period"
    ),
    "3": N_(
        "{!r} does not begin a year (1 January, 00:00:00): statDate is the start of the period"
    ),
}
ITEM_COLUMNS = (
    "item",
    "data_code",
    "stat_type",
    "scope",
    "input_type",
    "period_start",
    "upload_ts",
    "value",
)


@dataclass(frozen=True, eq=False)
class NationalBatch:
    """One upload message, checked: its accepted items and what they became.

    `items`: `item` (index in `data`), `data_code`, `stat_type`, `scope`, `input_type` (codes
    as text), `period_start` (statDate) and `upload_ts` (uploadDate), in UTC, `value`;
    `skipped`: the indices of the items sent with `valid` false; `provenance`: the rows of
    `monitoring_data_codes` the codes were checked against (all `unverified`), `warnings`
    saying so."""

    device_id: str
    enterprise_id: str
    items: pd.DataFrame
    skipped: tuple[int, ...]
    provenance: tuple[Provenance, ...]
    warnings: tuple[ResultWarning, ...]

    @property
    def readings(self) -> pd.DataFrame:
        """The real-time items (statType 0) as readings: `meter_id` (the dataCode), `ts` (the
        start of the interval, UTC), `value`, and `item`."""
        mine = self.items[self.items["stat_type"] == REALTIME]
        return pd.DataFrame(
            {
                "meter_id": mine["data_code"],
                "ts": mine["period_start"],
                "value": mine["value"],
                "item": mine["item"],
            }
        ).reset_index(drop=True)

    @property
    def totals(self) -> pd.DataFrame:
        """The daily, monthly and yearly items: `meter_id` (the dataCode), `stat_type`, `freq`
        (`day`, `month`, `year`), `period_start` (UTC), `value`, and `item`."""
        mine = self.items[self.items["stat_type"] != REALTIME]
        return pd.DataFrame(
            {
                "meter_id": mine["data_code"],
                "stat_type": mine["stat_type"],
                "freq": mine["stat_type"].map(FREQ),
                "period_start": mine["period_start"],
                "value": mine["value"],
                "item": mine["item"],
            }
        ).reset_index(drop=True)

    def monthly(self) -> pd.DataFrame:
        """The monthly totals as `monitoring.quality` takes reported ones: `meter_id`, `month`
        (YYYY-MM, China Standard Time), `value`."""
        totals = self.totals
        mine = totals[totals["freq"] == "month"]
        months = [_china(ts).strftime("%Y-%m") for ts in mine["period_start"]]
        return pd.DataFrame(
            {"meter_id": mine["meter_id"].to_list(), "month": months, "value": mine["value"]}
        ).reset_index(drop=True)

    def message(self) -> dict[str, Any]:
        """The accepted items as an upload message again (the items sent with `valid` false
        are left out): what `parse_national` reads back into the same batch."""
        data = [
            {
                "dataCode": row["data_code"],
                "dataValue": float(row["value"]),
                "inputType": row["input_type"],
                "statType": row["stat_type"],
                "statDate": _china(row["period_start"]).strftime(TIME_FORMAT),
                "uploadDate": _china(row["upload_ts"]).strftime(TIME_FORMAT),
                "scope": row["scope"],
                "valid": True,
            }
            for row in self.items.to_dict("records")
        ]
        return {"deviceId": self.device_id, "enterpriseCode": self.enterprise_id, "data": data}


def _china(ts: Any) -> datetime:
    return pd.Timestamp(ts).to_pydatetime().astimezone(CHINA)


def parse_national(message: Mapping[str, Any], reference: Reference) -> NationalBatch:
    """The batch of an upload message in the national layout; `InputError` with every problem
    of it, each placed by field (`enterpriseCode`, `data.3.statDate`), when there is any."""
    batch, problems = _read(message, reference)
    if problems or batch is None:
        raise InputError(problems)
    return batch


def check_national(message: Mapping[str, Any], reference: Reference) -> list[Problem]:
    """Every problem of an upload message in the national layout (none: `parse_national`
    reads it)."""
    return _read(message, reference)[1]


class _Codes:
    """The rows of `monitoring_data_codes`, by field and code, and the ones used."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.rows: dict[str, dict[str, Record]] = {}
        for record in reference.rows(TABLE):
            self.rows.setdefault(str(record["field"]), {})[str(record["code"])] = record
        self.used: dict[tuple[str, str], Record] = {}

    def known(self, field: str, code: str) -> bool:
        record = self.rows.get(field, {}).get(code)
        if record is not None:
            self.used.setdefault((field, code), record)
        return record is not None

    def listed(self, field: str) -> str:
        return ", ".join(self.rows.get(field, {}))

    def provenance(self) -> tuple[Provenance, ...]:
        out = []
        for (field, code), record in sorted(self.used.items()):
            source_id = str(record["source_id"])
            out.append(
                Provenance(
                    table=TABLE,
                    key=(("field", field), ("code", code)),
                    column="name_en",
                    line=record.line,
                    source_id=source_id,
                    source=self.reference.source(source_id).cite(),
                    status=str(record["status"]),
                    note=None if record.get("note") is None else str(record["note"]),
                )
            )
        return tuple(out)


def _code(value: Any) -> str | None:
    """A code as text: sent as a string or as a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _time(value: Any) -> datetime | None:
    """A `yyyy-MM-dd HH:mm:ss` China Standard Time as an aware UTC datetime."""
    if not isinstance(value, str) or not TIME_PATTERN.fullmatch(value.strip()):
        return None
    try:
        local = datetime.strptime(value.strip(), TIME_FORMAT)
    except ValueError:
        return None
    return local.replace(tzinfo=CHINA).astimezone(UTC)


def _begins_period(local: datetime, stat_type: str) -> bool:
    midnight = (local.hour, local.minute, local.second) == (0, 0, 0)
    if stat_type == "1":
        return midnight
    if stat_type == "2":
        return midnight and local.day == 1
    if stat_type == "3":
        return midnight and (local.month, local.day) == (1, 1)
    return True


def _read(
    message: Mapping[str, Any], reference: Reference
) -> tuple[NationalBatch | None, list[Problem]]:
    problems: list[Problem] = []

    def at(field: str, template: str, *values: object) -> None:
        problems.append(Problem.of(Place(field=field), template, *values))

    if not isinstance(message, Mapping):
        at("", N_("the message must be an object with {}"), ", ".join(MESSAGE_FIELDS))
        return None, problems
    device = message.get("deviceId")
    enterprise = message.get("enterpriseCode")
    data = message.get("data")
    for name, value in (("deviceId", device), ("enterpriseCode", enterprise)):
        if value is None or (isinstance(value, str) and not value.strip()):
            at(name, N_("required field is missing"))
        elif not isinstance(value, str):
            at(name, N_("{!r} is not text"), value)
    if isinstance(enterprise, str) and enterprise.strip():
        uscc = enterprise.strip()
        bad = invalid_usccs([uscc], reference)
        if bad:
            at("enterpriseCode", N_("{!r} is not a valid USCC: {}"), uscc, bad[uscc])
    if data is None:
        at("data", N_("required field is missing"))
        data = []
    elif not isinstance(data, list):
        at("data", N_("must be a list of items"))
        data = []
    codes = _Codes(reference)
    rows: list[dict[str, Any]] = []
    skipped: list[int] = []
    seen: dict[tuple[str, str, datetime], int] = {}
    for index, item in enumerate(data):
        where = f"data.{index}"
        if not isinstance(item, Mapping):
            at(where, N_("must be an object with {}"), ", ".join(ITEM_FIELDS))
            continue
        valid = item.get("valid")
        if isinstance(valid, str) and valid.strip().lower() in ("true", "false"):
            valid = valid.strip().lower() == "true"
        if valid is False:  # the device holds the item invalid: skipped whatever else it holds
            skipped.append(index)
            continue
        missing = [
            name
            for name in ITEM_FIELDS
            if item.get(name) is None or (isinstance(item[name], str) and not item[name].strip())
        ]
        for name in missing:
            at(f"{where}.{name}", N_("required field is missing"))
        if "valid" not in missing and not isinstance(valid, bool):
            at(f"{where}.valid", NOT_BOOLEAN, item["valid"])
        row: dict[str, Any] = {"item": index}
        for name, column in zip(CODED_FIELDS, ("stat_type", "scope", "input_type"), strict=True):
            if name in missing:
                continue
            code = _code(item[name])
            if code is None or not codes.known(name, code):
                at(
                    f"{where}.{name}",
                    N_("{!r} is not a code of {} in the reference table {} ({})"),
                    item[name],
                    name,
                    TABLE,
                    codes.listed(name),
                )
            else:
                row[column] = code
        if "dataCode" not in missing:
            text = item["dataCode"]
            found = DATA_CODE.fullmatch(text.strip()) if isinstance(text, str) else None
            if found is None:
                at(
                    f"{where}.dataCode",
                    N_("{!r} is not a data-item code PP-UU-EEEE-CCVVVV-DD"),
                    text,
                )
            else:
                row["data_code"] = found.group(0)
                if not codes.known("energyClassCode", found["energy_class"]):
                    at(
                        f"{where}.dataCode",
                        N_("{!r}: data class {} is not a code of the reference table {} ({})"),
                        text,
                        found["energy_class"],
                        TABLE,
                        codes.listed("energyClassCode"),
                    )
                parts = found.group(0)[: len(WHOLE_PLANT_PARTS)]
                if row.get("scope") == WHOLE_PLANT and parts != WHOLE_PLANT_PARTS:
                    at(
                        f"{where}.dataCode",
                        NOT_WHOLE_PLANT,
                        text,
                        WHOLE_PLANT_PARTS,
                    )
        for name, column in (("statDate", "period_start"), ("uploadDate", "upload_ts")):
            if name in missing:
                continue
            instant = _time(item[name])
            if instant is None:
                at(
                    f"{where}.{name}",
                    N_("{!r} is not a time yyyy-MM-dd HH:mm:ss (China Standard Time)"),
                    item[name],
                )
            elif not EARLIEST <= pd.Timestamp(instant) < LATEST:
                at(
                    f"{where}.{name}",
                    N_("{!r} is not between {} and {} (UTC)"),
                    item[name],
                    f"{EARLIEST:%Y-%m-%d}",
                    f"{LATEST - pd.Timedelta(seconds=1):%Y-%m-%d}",
                )
            else:
                row[column] = instant
        if (
            "period_start" in row
            and "stat_type" in row
            and not _begins_period(row["period_start"].astimezone(CHINA), row["stat_type"])
        ):
            at(f"{where}.statDate", NOT_PERIOD_START[row["stat_type"]], item["statDate"])
        if "dataValue" not in missing:
            number = _number(item["dataValue"])
            if number is None:
                at(f"{where}.dataValue", N_("{!r} is not a number"), item["dataValue"])
            elif not math.isfinite(number):
                at(f"{where}.dataValue", N_("{!r} is not a finite number"), item["dataValue"])
            elif abs(number) > READING_LIMIT:
                at(
                    f"{where}.dataValue",
                    N_("{!r} is beyond any meter's reading (at most {} in magnitude)"),
                    item["dataValue"],
                    f"{READING_LIMIT:g}",
                )
            else:
                row["value"] = number
        if len(row) == len(ITEM_COLUMNS):
            key = (row["data_code"], row["stat_type"], row["period_start"])
            if key in seen:
                at(
                    f"{where}.dataCode",
                    N_("repeats item {} (the same dataCode, statType and statDate)"),
                    seen[key],
                )
            else:
                seen[key] = index
                rows.append(row)
    if problems:
        return None, problems
    items = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    for column in ("period_start", "upload_ts"):
        items[column] = pd.to_datetime(items[column], utc=True).astype("datetime64[ns, UTC]")
    items["value"] = items["value"].astype(float)
    items["item"] = items["item"].astype(int)
    provenance = codes.provenance()
    warnings = _warnings(items, skipped, provenance, reference)
    batch = NationalBatch(
        device_id=str(device).strip(),
        enterprise_id=str(enterprise).strip(),
        items=items,
        skipped=tuple(skipped),
        provenance=provenance,
        warnings=tuple(warnings),
    )
    return batch, []


def _warnings(
    items: pd.DataFrame,
    skipped: list[int],
    provenance: tuple[Provenance, ...],
    reference: Reference,
) -> list[ResultWarning]:
    out = []
    unverified = sorted({dict(p.key)["field"] for p in provenance if not p.verified})
    if unverified:
        out.append(warn("monitoring.national.unverified_codes", fields=unverified))
    if skipped:
        out.append(warn("monitoring.national.items_skipped", items=skipped))
    realtime = items[items["stat_type"] == REALTIME]
    if realtime.empty:
        return out
    allowed = sorted(
        int(reference.lookup("monitoring_parameters", parameter=name).to("min"))
        for name in INTERVAL_PARAMETERS
    )
    for code, group in realtime.groupby("data_code", sort=True):
        stamps = group["period_start"].drop_duplicates().sort_values()
        if len(stamps) < 2:
            continue
        step = stamps.diff().dropna().min() / pd.Timedelta(minutes=1)
        if step not in allowed:
            out.append(
                warn(
                    "monitoring.national.unusual_interval",
                    data_code=code,
                    minutes=step,
                    allowed=allowed,
                )
            )
    return out
