"""Real history: the CEADs reader on a workbook in the published layout and on the real folder
when it is beside the project, the shipped key-sector table, observed peaks against published
ones, and STIRPAT (known elasticities, collinear drivers, a back-test on the national series)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from carbonpeak.errors import InputError
from carbonpeak.pathways.history import (
    ceads_history,
    key_sectors,
    national_series,
    observed_peaks,
    read_ceads,
    series_peak,
)
from carbonpeak.pathways.stirpat import backtest, fit, predict
from carbonpeak.reference.loader import Reference, default_reference

CEADS = Path(__file__).parents[3] / "shared" / "data" / "ceads_provinces"
FUELS = ["Raw_Coal", "Coke", "Natural_Gas", "Process", "Scope_1_Total"]


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def _sectors(reference: Reference) -> list[str]:
    return [str(r["ceads_sector"]) for r in reference.rows("ceads_sectors")]


def _book(path: Path, year: int, provinces: dict[str, float], sectors: list[str]) -> None:
    """A workbook in the published layout: each sector emits `scale` x its index + 1."""
    book = Workbook()
    book.active.title = "NOTE"
    for province, scale in provinces.items():
        sheet = book.create_sheet(f"{province}{year}")
        sheet.append(["Emission_Inventory", *FUELS])
        sheet.append(["unit", *["Mt CO2"] * len(FUELS)])
        sheet.append([])
        rows = [[scale * (i + 1), 0, 0, 0.5, scale * (i + 1) + 0.5] for i in range(len(sectors))]
        sheet.append(["TotalEmissions", *np.sum(rows, axis=0).tolist()])
        for name, row in zip(sectors, rows, strict=True):
            sheet.append([name, *row])
    book.save(path)


def test_the_published_layout_is_read_and_summed(tmp_path: Path, reference: Reference) -> None:
    sectors = _sectors(reference)
    _book(
        tmp_path / "Emission_Inventories_for_30_Provinces_2018.xlsx",
        2018,
        {"Beijing": 1.0, "InnerMongolia": 2.0},
        sectors,
    )
    table = read_ceads(tmp_path, reference)
    assert len(table) == 2 * len(sectors)
    assert set(table["region_code"]) == {"110000", "150000"}
    summed = key_sectors(table, reference)
    mongolia = summed[summed["region_code"] == "150000"].set_index("key_sector")["co2"]
    steel = sectors.index("Smelting and Pressing of Ferrous Metals")
    assert mongolia["steel"] == pytest.approx(2.0 * (steel + 1) + 0.5)
    n = len(sectors)
    assert mongolia["total"] == pytest.approx(2.0 * n * (n + 1) / 2 + 0.5 * n)
    parts = mongolia.drop(["total", "industry"]).sum()
    assert parts == pytest.approx(mongolia["total"])  # every row in exactly one key sector


def test_a_wrong_workbook_is_named_by_sheet_row_and_column(
    tmp_path: Path, reference: Reference
) -> None:
    sectors = _sectors(reference)
    path = tmp_path / "Emission_Inventories_for_30_Provinces_2018.xlsx"
    _book(path, 2018, {"Beijing": 1.0}, sectors)
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["Beijing2018"]
    sheet["C7"] = "n/a"
    sheet["A9"] = "Widgets"
    book.create_sheet("Atlantis2018")
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_ceads(tmp_path, reference)
    messages = [str(p) for p in caught.value.problems]
    assert any("sheet Beijing2018, row 7, column Coke: not a number" in m for m in messages)
    assert any("sheet Beijing2018, row 9: unknown sector 'Widgets'" in m for m in messages)
    assert any("sheet Atlantis2018: not a province-year sheet of 2018" in m for m in messages)
    with pytest.raises(InputError, match="no CEADs workbooks"):
        read_ceads(tmp_path / "empty", reference)


def test_the_shipped_history(reference: Reference) -> None:
    history = ceads_history(reference)
    assert history["region_code"].nunique() == 30 and set(history["year"]) == set(range(1997, 2020))
    wide = history.pivot_table(index=["region_code", "year"], columns="key_sector", values="co2")
    parts = wide.drop(columns=["total", "industry"]).sum(axis=1)
    assert np.allclose(parts, wide["total"], atol=1e-5)
    industrial = [
        "steel",
        "building_materials",
        "nonferrous",
        "chemicals",
        "petrochemicals",
        "power",
        "other_industry",
    ]
    assert np.allclose(wide[industrial].sum(axis=1), wide["industry"], atol=1e-5)


@pytest.mark.skipif(not CEADS.exists(), reason="the CEADs workbooks are not beside the project")
def test_the_shipped_history_is_the_workbooks(reference: Reference) -> None:
    table = read_ceads(CEADS, reference)
    totals = table.groupby(["region_code", "year"])["Scope_1_Total"].sum()
    assert len(totals) == 30 * 23
    again = key_sectors(table, reference).set_index(["region_code", "year", "key_sector"])["co2"]
    shipped = ceads_history(reference).set_index(["region_code", "year", "key_sector"])["co2"]
    assert np.allclose(again.loc[shipped.index], shipped, atol=1e-6)


def test_observed_peaks_against_published_ones(reference: Reference) -> None:
    # cement output peaked in 2014 at 24.9 亿t (中国建筑材料联合会, pathways_and_scale.md §1.8):
    # the series without USGS's estimates finds 2014; USGS's estimates for 2018-2021 (2.5 Gt in
    # 2021) would move it, and disagree with NBS (~2.36 Gt in 2021, [R])
    cement = series_peak(reference, "cement", estimates=False)
    assert cement["peak_year"] == 2014 and cement["peak_value"] == pytest.approx(2492)
    assert series_peak(reference, "cement")["estimates"] == [2018, 2019, 2020, 2021]
    # crude steel: 1,064.8 Mt in 2020, lower since (§1.8; 2024 from a secondary file)
    steel = series_peak(reference, "crude_steel")
    assert (steel["peak_year"], steel["peak_value"]) == (2020, 1064.8)
    assert 2024 in steel["unverified_years"]
    beijing = observed_peaks(reference, "industry", ["110000"])["regions"][0]
    assert beijing["name"] == "Beijing" and beijing["peak_year"] < 2015
    assert not beijing["not_yet_peaked"]
    national = observed_peaks(reference, "total")["sum"]
    assert national["regions"] == 30 and national["not_yet_peaked"]  # still rising to 2019
    with pytest.raises(InputError, match="no CEADs province 999999"):
        observed_peaks(reference, "steel", ["999999"])
    with pytest.raises(InputError, match="no series 'tea'"):
        national_series(reference, "tea")


def _synthetic(n: int = 40, seed: int = 1, collinear: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.arange(1980, 1980 + n)
    population = np.exp(rng.normal(5, 0.3, n))
    affluence = np.exp(rng.normal(8, 0.5, n))
    industry = np.exp(collinear * np.log(affluence) / 8 + rng.normal(-1, 0.2, n))
    impact = np.exp(0.5) * population**1.0 * affluence**0.6 * industry**0.8
    return pd.DataFrame(
        {"year": years, "I": impact, "P": population, "A": affluence, "T": industry}
    )


def test_stirpat_recovers_known_elasticities() -> None:
    table = _synthetic()
    model = fit(table, "I", ["P", "A", "T"], ridge=1e-10)
    assert model["elasticities"] == pytest.approx({"P": 1.0, "A": 0.6, "T": 0.8}, abs=1e-6)
    assert model["intercept"] == pytest.approx(0.5, abs=1e-5) and model["r2"] == pytest.approx(1.0)
    assert predict(model, table) == pytest.approx(table["I"].to_numpy(), rel=1e-6)
    assert "correlational" in model["caveat"]
    chosen = fit(table, "I", ["P", "A", "T"])  # λ by GCV: noiseless data want the smallest
    assert chosen["ridge"] == pytest.approx(1e-4)


def test_ridge_shrinks_collinear_drivers() -> None:
    table = _synthetic()
    table["A2"] = table["A"] * np.exp(np.random.default_rng(3).normal(0, 0.01, len(table)))
    ols = fit(table, "I", ["P", "A", "A2", "T"], ridge=1e-10)
    ridged = fit(table, "I", ["P", "A", "A2", "T"], ridge=5.0)
    assert ols["vif"]["A"] > 100 and ridged["vif"]["A"] == ols["vif"]["A"]
    spread = abs(ols["elasticities"]["A"] - ols["elasticities"]["A2"])
    assert abs(ridged["elasticities"]["A"] - ridged["elasticities"]["A2"]) < spread
    # the two copies share the affluence effect
    assert ridged["elasticities"]["A"] + ridged["elasticities"]["A2"] == pytest.approx(0.6, abs=0.1)


def test_a_backtest_on_the_national_series(reference: Reference) -> None:
    table = None
    for name in ("co2_fossil", "primary_energy", "crude_steel", "cement"):
        frame = national_series(reference, name)
        frame = frame[frame["estimate"] == "no"][["year", "value"]].rename(columns={"value": name})
        table = frame if table is None else table.merge(frame, on="year")
    assert table is not None and list(table["year"]) == list(range(2000, 2018))
    result = backtest(table, "co2_fossil", ["primary_energy", "crude_steel", "cement"], 2011)
    assert set(result["predicted"]) == {str(y) for y in range(2012, 2018)}
    assert result["mape"] < 0.05  # out of sample, 2012-2017
    assert result["model"]["elasticities"]["primary_energy"] > 0
    # GCP CO2 dipped after 2014 and passed its 2014 level again, by 0.2 %, in 2017; the
    # prediction from the drivers (cement output peaked in 2014) peaks in 2014: inside the
    # observed plateau, but not the observed maximum
    observed, predicted = result["observed_peak"], result["predicted_peak"]
    assert observed["peak_year"] == 2017 and 2014 in observed["plateau_years"]
    assert predicted["peak_year"] == 2014
    with pytest.raises(InputError, match="no year after 2020"):
        backtest(table, "co2_fossil", ["primary_energy"], 2020)


def test_stirpat_bad_tables() -> None:
    table = _synthetic(n=5)
    table.loc[2, "A"] = -1.0
    with pytest.raises(InputError) as caught:
        fit(table, "I", ["P", "A", "X"])
    assert [str(p) for p in caught.value.problems] == ["column X: missing column"]
    with pytest.raises(InputError) as caught:
        fit(table, "I", ["P", "A"])
    assert [str(p) for p in caught.value.problems] == ["row 4, column A: not a positive number"]
    with pytest.raises(InputError, match="too few to fit"):
        fit(_synthetic(n=3), "I", ["P", "A", "T"])


def test_the_cli(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, stdout, _ = cli(
        "pathways", "history", "--sector", "steel", "--region", "130000", "--json"
    )
    assert code == 0
    hebei = json.loads(stdout)["regions"][0]
    assert hebei["name"] == "Hebei" and hebei["values"]["2019"] > 300
    code, stdout, _ = cli("pathways", "history", "--series", "cement", "--no-estimates")
    assert code == 0 and "peak 2014" in stdout
    code, _, stderr = cli("pathways", "history", "--sector", "tea")
    assert code == 2 and "one of" in stderr
    data = tmp_path / "drivers.csv"
    _synthetic().to_csv(data, index=False)
    code, stdout, stderr = cli(
        "pathways",
        "stirpat",
        str(data),
        "--target",
        "I",
        "--drivers",
        "P,A,T",
        "--backtest",
        "2010",
        "--json",
    )
    assert code == 0, stderr
    assert json.loads(stdout)["mape"] < 0.01
    code, stdout, stderr = cli(
        "pathways", "stirpat", str(data), "--target", "I", "--drivers", "P,A"
    )
    assert code == 0 and "elasticity" in stdout and "correlational" in stderr
    bad = tmp_path / "bad.csv"
    _synthetic().assign(P=0).to_csv(bad, index=False)
    code, _, stderr = cli("pathways", "stirpat", str(bad), "--target", "I", "--drivers", "P")
    assert code == 2 and "bad.csv" in stderr and "row 2, column P" in stderr
