"""The synthetic province is deterministic, valid and spread across the sectors."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from carbonpeak.accounting.activity import check_activity
from carbonpeak.demo.province import (
    Province,
    generate_province,
    load_profile,
    province_activity,
    province_results,
    write_province,
)
from carbonpeak.domain.uscc import check_uscc
from carbonpeak.reference.loader import default_reference


@pytest.fixture(scope="module")
def province() -> Province:
    return generate_province(seed=7, enterprises=1500)


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(directory.iterdir()):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    write_province(generate_province(seed=11, enterprises=200), tmp_path / "a")
    write_province(generate_province(seed=11, enterprises=200), tmp_path / "b")
    write_province(generate_province(seed=12, enterprises=200), tmp_path / "c")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_size_and_codes(province: Province) -> None:
    assert len(province.enterprises) == 1500
    codes = [e.enterprise.enterprise_id for e in province.enterprises]
    assert len(set(codes)) == len(codes)
    for code in codes:
        verdict = check_uscc(code)
        assert verdict.valid and verdict.warnings == ()
    prefectures = {p.region_code for p in province.prefectures}
    assert len(prefectures) == 11
    assert {e.enterprise.region_code for e in province.enterprises} <= prefectures
    assert {s.region_code for s in province.sites} <= prefectures


def test_every_sector_is_present_in_proportion(province: Province) -> None:
    profile = load_profile()["sectors"]
    counts: dict[str, int] = {}
    for e in province.enterprises:
        counts[e.sector] = counts.get(e.sector, 0) + 1
    assert set(counts) == set(profile)
    total_share = sum(float(s["share"]) for s in profile.values())
    for sector, spec in profile.items():
        expected = float(spec["share"]) / total_share * 1500
        assert abs(counts[sector] - expected) < 1


def test_units_belong_to_sites_and_capacities_respect_the_profile(province: Province) -> None:
    sites = {s.site_id for s in province.sites}
    assert {u.site_id for u in province.units} <= sites
    owners = {s.enterprise_id for s in province.sites}
    assert owners == {e.enterprise.enterprise_id for e in province.enterprises}
    sector_of = {e.enterprise.enterprise_id: e.sector for e in province.enterprises}
    sector_of_site = {s.site_id: sector_of[s.enterprise_id] for s in province.sites}
    bounds = {
        (sector, u["process"]): (u["min"], u["max"])
        for sector, spec in load_profile()["sectors"].items()
        for u in spec["units"]
    }
    for unit in province.units:
        low, high = bounds[(sector_of_site[unit.site_id], unit.process)]
        assert low <= unit.capacity <= high


def test_summary_adds_up(province: Province) -> None:
    summary = province.summary()
    assert sum(r["units"] for r in summary) == len(province.units)
    assert sum(r["capacity"] for r in summary) == pytest.approx(
        sum(u.capacity for u in province.units)
    )


def test_written_files(tmp_path: Path, province: Province) -> None:
    paths = write_province(province, tmp_path)
    assert [p.name for p in paths] == [
        "activity.csv",
        "enterprises.csv",
        "sites.csv",
        "production_units.csv",
    ]
    with paths[1].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1500
    assert set(rows[0]) == {"enterprise_id", "name", "region_code", "industry_code", "sector"}
    assert not list(tmp_path.glob("*.tmp"))


def test_the_demo_year_is_valid_activity_and_gets_accounts_and_grades(province: Province) -> None:
    activity = province_activity(province).astype(str).replace("nan", "")
    assert check_activity(activity, default_reference()) == []
    results = province_results(province, activity)
    sectors = {r["sector"]: r for r in results["sectors"]}
    assert set(sectors) == set(load_profile()["sectors"])
    assert all(r["energy_tce"] > 0 and r["co2_t"] > 0 for r in sectors.values())
    grades = {r["area"]: r for r in results["grades"]}
    assert {
        "blast_furnace",
        "bof",
        "cement_clinker",
        "eaf_ge50t",
        "electrolytic_aluminium",
        "methanol_coal_bituminous",
    } <= set(grades)
    for row in grades.values():
        assert row["products"] == row["benchmark"] + row["baseline"] + row["below_baseline"]
    # the synthetic intensities put most plants between the benchmark and the baseline
    cement = grades["cement_clinker"]
    assert (
        cement["baseline"] > cement["benchmark"] and cement["baseline"] > cement["below_baseline"]
    )


def test_profile_examples_match_the_example_files() -> None:
    examples = Path(__file__).parents[2] / "examples" / "enterprises.csv"
    with examples.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{k: str(v) for k, v in e.items()} for e in load_profile()["examples"]]


def test_the_demo_pathways_start_from_the_accounts(tmp_path: Path, province: Province) -> None:
    """The scenario file's base year reproduces the province's accounts (steel: output x CO2
    per tonne of each route = the steel enterprises' CO2), and it runs."""
    import pandas as pd
    import yaml

    from carbonpeak.accounting.engine import account
    from carbonpeak.demo.pathways import province_pathways

    activity = province_activity(province).astype(str).replace("nan", "")
    path, rows = province_pathways(province, activity, tmp_path)
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "&id" not in path.read_text(encoding="utf-8")  # written in full, no anchors
    steel = scenario["scenarios"]["BAU"]["sectors"]["steel"]
    output = steel["activity"]["growth"]["start"]
    co2 = sum(
        output * r["share"]["value"] * r["emission_intensity"]["growth"]["start"]
        for r in steel["routes"].values()
    )
    enterprises = pd.DataFrame(
        [{**e.enterprise.model_dump(), "sector": e.sector} for e in province.enterprises]
    )
    totals = account(activity, enterprises).totals.merge(enterprises, on="enterprise_id")
    assert co2 == pytest.approx(
        totals[totals["sector"].isin(["steel", "steel_eaf"])]["co2_t"].sum()
    )
    everything = {r["scenario"]: r for r in rows if r["sector"] == "total"}
    assert set(everything) == {"BAU", "POLICY"}
    assert everything["POLICY"]["value_2030"] < everything["BAU"]["value_2030"]
    # POLICY falls from the base year on: its peak is the base year's total, every enterprise's
    # CO2 in it (MtCO2)
    assert everything["POLICY"]["peak_year"] == scenario["base_year"]
    assert everything["POLICY"]["peak_value"] == pytest.approx(totals["co2_t"].sum() / 1e6)
