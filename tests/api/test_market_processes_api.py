"""The process sheet of the national carbon market in the store, over the API (issue 21): an
enterprise files its sheet of a year, checked against its stored reports; the process level
(formulas (2)–(4), hand-worked in tests/market/test_processes.py) then shows in its accounts,
and the 2025 steel allocation reads its intensity from it. Refusals are placed (4xx) and write
nothing; a new sheet replaces the year's."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry
from carbonpeak.store.models_market import MarketProcessRow
from tests.api.conftest import CEMENT, STEEL, Api
from tests.api.test_market_api import _upload
from tests.market.test_accounts import FUEL, PROCESS, PRODUCTS, WORKS, table
from tests.market.test_processes import COFIRING, IRON, PROCESSES, SINTER, sheet


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _post(api: Api, content: bytes, who: str = "group", name: str = "工序.csv") -> object:
    return api.client.post(
        f"/api/v1/market/processes/{STEEL}",
        headers=api.headers(who),
        files={"file": (name, content, "text/csv")},
    )


def _stored(api: Api) -> tuple[int, int]:
    """The stored rows and the audited uploads of process sheets."""
    with transaction(api.engine) as session:
        rows = session.scalar(select(func.count()).select_from(MarketProcessRow))
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "market.processes")
        )
    return int(rows or 0), int(audited or 0)


def test_a_process_sheet_stored_gives_the_process_level(api: Api) -> None:
    _upload(api, table(*WORKS))
    before = api.client.get(
        f"/api/v1/market/accounts/{STEEL}?year=2025", headers=api.headers("hebei")
    ).json()
    assert before["processes"] == [] and before["process_sheet"] is None

    stored = _post(api, _csv(sheet(*PROCESSES)))
    assert stored.status_code == 201, stored.text  # type: ignore[attr-defined]
    body = stored.json()  # type: ignore[attr-defined]
    assert body["year"] == 2025 and body["rows"] == len(PROCESSES)
    by = {p["process"]: p for p in body["processes"]}
    assert by["ironmaking"]["co2_t"] == pytest.approx(558.67705, abs=1e-5)  # by hand: IRON
    assert by["ironmaking"]["output_t"] == 1000
    assert by["sintering"]["co2_t"] == pytest.approx(SINTER, abs=1e-5)

    read = api.client.get(
        f"/api/v1/market/processes/{STEEL}?year=2025", headers=api.headers("hebei")
    )
    assert read.status_code == 200, read.text
    rows = read.json()
    assert len(rows["rows"]) == len(PROCESSES) and rows["stored"]["uploaded_by"] == "group"
    assert rows["rows"][1]["process"] == "炼铁" and rows["rows"][1]["line"] == 3  # as written

    accounts = api.client.get(
        f"/api/v1/market/accounts/{STEEL}?year=2025", headers=api.headers("hebei")
    ).json()
    levels = {p["process"]: p for p in accounts["processes"]}
    assert levels["ironmaking"]["co2_t"] == pytest.approx(IRON, abs=1e-5)
    assert levels["ironmaking"]["intensity_t_per_t"] == pytest.approx(IRON / 1000, abs=1e-6)
    assert levels["cofiring_power"]["co2_t"] == pytest.approx(COFIRING, abs=1e-5)
    assert accounts["total"]["co2_t"] == pytest.approx(FUEL + PROCESS + PRODUCTS, abs=1e-5)
    coke = [
        line
        for line in accounts["process_lines"]
        if (line["process"], line["item"]) == ("ironmaking", "coke")
    ]
    assert coke == [
        {
            "period": "2025",
            "process": "ironmaking",
            "stream": "fuel",
            "item": "coke",
            "direction": "in",
            "unit": "t",
            "amount": 350.0,
        }
    ]
    assert _stored(api) == (len(PROCESSES), 1)

    sintering = [p for p in PROCESSES if p["process"] == "sintering"]
    again = _post(api, _csv(sheet(*sintering)))  # replaces the year's sheet
    assert again.status_code == 201, again.text  # type: ignore[attr-defined]
    assert _stored(api) == (len(sintering), 2)
    shown = api.client.get(
        f"/api/v1/market/processes/{STEEL}?year=2025", headers=api.headers("group")
    )
    assert {r["process"] for r in shown.json()["rows"]} == {"sintering"}


def test_the_2025_allocation_reads_the_stored_sheet(api: Api) -> None:
    """The million-tonne works of tests/market/test_allocations.py: without a process sheet
    the 2025 rule asks for one; with it stored the intensity is there, and what is missing
    is the sector's balance value, which the shipped library does not hold (the authority
    enters it as an edition)."""
    from tests.market.test_allocations import BIG
    from tests.market.test_allocations import WORKS as MILLION

    _upload(api, table(*MILLION))
    url = f"/api/v1/market/accounts/{STEEL}?year=2025"
    before = api.client.get(url, headers=api.headers("hebei")).json()["allocation"]
    assert "process sheet" in before["refused"]
    assert _post(api, _csv(sheet(*BIG))).status_code == 201  # type: ignore[attr-defined]
    after = api.client.get(url, headers=api.headers("hebei")).json()
    assert "no balance value of steel for 2025" in after["allocation"]["refused"]
    levels = {p["process"]: p for p in after["processes"]}
    intensity = (levels["ironmaking"]["co2_t"] + levels["sintering"]["co2_t"]) / 1_000_000
    assert intensity == pytest.approx(0.789179, abs=1e-6)  # by hand in test_allocations


def test_bad_sheets_are_refused_placed_and_store_nothing(api: Api) -> None:
    _upload(api, table(*WORKS))
    good = _csv(sheet(*PROCESSES))
    assert _post(api, good).status_code == 201  # type: ignore[attr-defined]
    unknown = _csv(sheet(*PROCESSES[:3], {**PROCESSES[3], "process": "轧钢"}))
    answer = _post(api, unknown)
    assert answer.status_code == 422 and "轧钢" in answer.text  # type: ignore[attr-defined]
    assert '"row":5' in answer.text.replace(" ", "")  # type: ignore[attr-defined]
    other = _csv(sheet(*PROCESSES).assign(enterprise_id=CEMENT))  # another enterprise's rows
    answer = _post(api, other)
    assert answer.status_code == 422 and CEMENT in answer.text  # type: ignore[attr-defined]
    years = sheet(*PROCESSES)
    years.loc[2, "period"] = "2024"
    answer = _post(api, _csv(years))
    assert answer.status_code == 422 and "one year" in answer.text  # type: ignore[attr-defined]
    no_report = _csv(sheet(*PROCESSES).assign(period="2026"))  # no official report of 2026
    assert _post(api, no_report).status_code == 422  # type: ignore[attr-defined]
    wrong = _post(api, b"%PDF-1.4 not a table", name="工序.pdf")  # wrong kind of file
    assert wrong.status_code == 422 and "工序.pdf" in wrong.text  # type: ignore[attr-defined]
    headless = _post(api, b"a,b\n1,2\n", name="x.csv")
    assert headless.status_code == 422 and "enterprise_id" in headless.text  # type: ignore[attr-defined]
    # another enterprise's key does not see the steelworks; a regulator reads, never files
    assert _post(api, good, who="cement").status_code == 404  # type: ignore[attr-defined]
    assert _post(api, good, who="hebei").status_code == 403  # type: ignore[attr-defined]
    assert _stored(api) == (len(PROCESSES), 1)


def test_a_long_file_name_is_kept_cut_not_an_internal_error(api: Api) -> None:
    # the store keeps 255 characters of the name (as the evidence documents do); PostgreSQL
    # refused a longer one (422 "value too long", unplaced) and SQLite kept it whole
    _upload(api, table(*WORKS))
    name = "工" * 300 + ".csv"
    stored = _post(api, _csv(sheet(*PROCESSES)), name=name)
    assert stored.status_code == 201, stored.text  # type: ignore[attr-defined]
    got = api.client.get(
        f"/api/v1/market/processes/{STEEL}?year=2025", headers=api.headers("group")
    ).json()
    assert got["stored"]["file_name"] == name[:255]
