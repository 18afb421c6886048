"""The process level of the steel guideline (CETS—AG—03.01—V01—2024 §7), hand-worked:
formula (2) fuels into a process minus fuels out of it, x NCV x CC x 44/12; formula (3) a
co-firing facility with the oxidation rate of 附表A.1; formula (4) the rest."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.market.accounts import account_market
from tests.market.test_accounts import FUEL, PROCESS, PRODUCTS, STEEL, WORKS, C, table


def sheet(*lines: dict[str, Any]) -> pd.DataFrame:
    records = [{"enterprise_id": STEEL, "period": "2025", "direction": "in", **x} for x in lines]
    return pd.DataFrame(records).astype(str).replace("nan", "")


PROCESSES = [
    {"process": "ironmaking", "stream": "fuel", "item": "coke", "amount": "350", "unit": "t"},
    {"process": "炼铁", "stream": "fuel", "item": "bituminous_coal", "amount": "150", "unit": "t"},
    {
        "process": "ironmaking",
        "stream": "fuel",
        "item": "blast_furnace_gas",
        "direction": "out",
        "amount": "100",
        "unit": "10^4 Nm3",
    },
    {
        "process": "ironmaking",
        "stream": "product",
        "item": "pig_iron",
        "amount": "1000",
        "unit": "t",
    },
    {"process": "sintering", "stream": "fuel", "item": "coke", "amount": "50", "unit": "t"},
    {
        "process": "sintering",
        "stream": "fuel",
        "item": "coke_oven_gas",
        "amount": "10",
        "unit": "10^4 Nm3",
    },
    {"process": "sintering", "stream": "product", "item": "sinter", "amount": "1300", "unit": "t"},
    {
        "process": "cofiring_power",
        "stream": "fuel",
        "item": "blast_furnace_gas",
        "amount": "80",
        "unit": "10^4 Nm3",
    },
    {
        "process": "cofiring_power",
        "stream": "fuel",
        "item": "natural_gas",
        "amount": "2",
        "unit": "10^4 Nm3",
    },
]
IRON = 350 * 28.435 * 0.02942 * C + 150 * 23.736 * 0.02618 * C - 100 * 33.000 * 0.07080 * C
SINTER = 50 * 28.435 * 0.02942 * C + 10 * 173.854 * 0.01210 * C
COFIRING = (80 * 33.000 * 0.07080 + 2 * 389.310 * 0.01532) * 0.99 * C  # OF 99 % (gases)


def test_each_process_by_hand() -> None:
    result = account_market(table(*WORKS), "steel", processes=sheet(*PROCESSES))
    assert result.processes is not None
    by = result.processes.set_index("process")
    assert by.loc["ironmaking", "co2_t"] == pytest.approx(IRON)
    assert by.loc["ironmaking", "output_t"] == 1000
    assert by.loc["ironmaking", "intensity_t_per_t"] == pytest.approx(IRON / 1000)
    assert by.loc["sintering", "co2_t"] == pytest.approx(SINTER)
    assert by.loc["sintering", "output_t"] == 1300 and by.loc["sintering", "name_zh"] == "烧结"
    assert by.loc["cofiring_power", "co2_t"] == pytest.approx(COFIRING)
    # written out: 1,073.58238 + 341.77466 − 856.68 = 558.67705 t for the blast furnace
    assert pytest.approx(558.67705, abs=1e-5) == IRON
    (total,) = result.totals.to_dict("records")
    enterprise = FUEL + PROCESS + PRODUCTS
    assert total["co2_t"] == pytest.approx(enterprise)  # the process sheet changes no total
    assert total["processes_co2_t"] == pytest.approx(IRON + SINTER + COFIRING)
    assert total["other_co2_t"] == pytest.approx(enterprise - IRON - SINTER - COFIRING)


def test_a_solid_fuel_takes_the_enterprise_levels_measured_ncv() -> None:
    """§7.1.2.2: anthracite measured at 26 GJ/t at the enterprise level (table WORKS) counts at
    26 in the sintering process; coke keeps its default (always)."""
    process = sheet(
        {
            "process": "sintering",
            "stream": "fuel",
            "item": "anthracite",
            "amount": "10",
            "unit": "t",
        },
    )
    result = account_market(table(*WORKS), "steel", processes=process)
    assert result.processes is not None
    assert result.processes["co2_t"].iloc[0] == pytest.approx(10 * 26.0 * 0.02749 * C)


@pytest.mark.parametrize(
    ("line", "column"),
    [
        (
            {"process": "rolling", "stream": "fuel", "item": "coke", "amount": "1", "unit": "t"},
            "process",
        ),
        (
            {
                "process": "ironmaking",
                "stream": "electricity",
                "item": "electricity",
                "amount": "1",
                "unit": "MWh",
            },
            "stream",
        ),
    ],
)
def test_a_bad_process_line_is_refused_at_its_place(line: dict[str, str], column: str) -> None:
    with pytest.raises(InputError) as caught:
        account_market(table(*WORKS), "steel", processes=sheet(PROCESSES[0], line))
    (problem,) = caught.value.problems
    assert problem.place.row == 3 and problem.place.column == column


def test_process_rows_of_a_period_the_activity_lacks_are_refused() -> None:
    """Found by review: they were listed but left out of the totals silently."""
    stray = sheet({**PROCESSES[0], "period": "2025-01"})
    with pytest.raises(InputError, match="no such enterprise and period"):
        account_market(table(*WORKS), "steel", processes=stray)
    empty = sheet(*PROCESSES).iloc[0:0]
    with pytest.raises(InputError, match="no rows"):
        account_market(table(*WORKS), "steel", processes=empty)


def test_the_ironmaking_product_may_be_dri_or_smelting_reduction_iron() -> None:
    """§8.2.1: the ironmaking process's product is 生铁, 直接还原铁, 熔融还原铁 or 镍铁合金; a
    works making DRI and smelting-reduction iron has an output of their sum (600 + 400 t)."""
    lines = [dict(line) for line in PROCESSES]
    pig = next(i for i, line in enumerate(lines) if line["item"] == "pig_iron")
    lines[pig] = {**lines[pig], "item": "dri", "amount": "600"}
    lines.append({**lines[pig], "item": "smelting_reduction_iron", "amount": "400"})
    result = account_market(table(*WORKS), "steel", processes=sheet(*lines))
    assert result.processes is not None
    iron = result.processes.set_index("process").loc["ironmaking"]
    assert iron["output_t"] == 1000 and iron["co2_t"] == pytest.approx(IRON)
    assert iron["intensity_t_per_t"] == pytest.approx(IRON / 1000)


def test_a_bad_value_in_a_column_the_guideline_sets_aside_is_refused_placed() -> None:
    """Found by review: coke's measured NCV is set aside (always the default, §7.1.2.2), so a
    process sheet with 'abc' there was accounted and stored without a word."""
    bad = sheet(*PROCESSES)
    bad.loc[0, ["ncv", "ncv_unit"]] = ["abc", "GJ/t"]  # row 2: ironmaking's coke
    with pytest.raises(InputError) as caught:
        account_market(table(*WORKS), "steel", processes=bad)
    (problem,) = caught.value.problems
    assert (problem.place.row, problem.place.column) == (2, "ncv")
    good = sheet(*PROCESSES)
    good.loc[0, ["ncv", "ncv_unit"]] = ["30", "GJ/t"]  # a measured value: set aside, as before
    result = account_market(table(*WORKS), "steel", processes=good)
    assert result.processes is not None
    by = result.processes.set_index("process")
    assert by.loc["ironmaking", "co2_t"] == pytest.approx(IRON)


def test_the_report_says_a_stored_sheet_refused_is_not_a_sheet_missing() -> None:
    """Found by review: a stored process sheet refused against the year's reports (e.g. a
    report changed since) left C.4 out saying 'no process sheet of the year is stored'."""
    from carbonpeak.errors import N_, Place, Problem
    from carbonpeak.reports.market import missing_tables

    stored = {"file_name": "工序.csv", "rows": 9}
    refused = Problem.of(Place(column="period"), N_("{!r} is not YYYY or YYYY-MM"), "x")
    view = {"processes": [], "process_sheet": stored, "process_refused": refused}
    assert missing_tables(view) is not None and "does not agree" in str(missing_tables(view))
    none = missing_tables({"processes": [], "process_sheet": None})
    assert none == "process-level tables (C.4): no process sheet of the year is stored"
    assert missing_tables({"processes": [{"process": "ironmaking"}]}) is None
