"""Dual credits: per-vehicle targets at and between the breakpoints, fleets worked out by hand
from the formulas, the eras of the NEV credit, exemptions and relief, the official annual
results' identities, and bad input reported all at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbonpeak.policy.dual_credit.compute import compute
from carbonpeak.policy.dual_credit.fleet import check_fleet
from carbonpeak.policy.dual_credit.rules import round_half_up, rules_for
from carbonpeak.reference.loader import default_reference

MAKER = "911302007A3K9C2D24"
IMPORTER = "91110108551385082Q"
REFERENCE = default_reference()


def _target(year: int, mass: float, rows: int) -> float:
    rules = rules_for(year, REFERENCE)
    seat = "three_rows_or_more" if rows >= 3 else "up_to_two_rows"
    return float(round_half_up(rules.segments[seat].target(np.array([mass])), 2)[0])


@pytest.mark.parametrize(
    ("mass", "two_rows", "three_rows"),
    [
        (900, 4.02, 4.22),
        (1090, 4.02, 4.22),  # the breakpoint belongs to the flat segment
        (1091, 4.02, 4.22),  # 0.0018 x (1091 - 1415) + 4.60 = 4.0168
        (1415, 4.60, 4.80),
        (2000, 5.65, 5.85),  # 0.0018 x 585 + 4.60 = 5.653
        (2510, 6.57, 6.77),  # 6.571
        (2511, 6.57, 6.77),
        (3000, 6.57, 6.77),
    ],
)
def test_gb27999_2019_targets(mass: float, two_rows: float, three_rows: float) -> None:
    assert _target(2021, mass, 2) == two_rows
    assert _target(2025, mass, 3) == three_rows


@pytest.mark.parametrize(
    ("mass", "two_rows", "three_rows"),
    [
        (700, 4.3, 4.5),
        (750, 4.3, 4.5),
        (751, 4.3, 4.5),
        (1090, 4.5, 4.7),
        (1091, 4.7, 4.9),
        (1430, 5.1, 5.3),
        (1431, 5.3, 5.5),
        (2510, 7.0, 7.2),
        (2511, 7.3, 7.5),
    ],
)
def test_gb27999_2014_targets(mass: float, two_rows: float, three_rows: float) -> None:
    assert _target(2016, mass, 2) == two_rows
    assert _target(2020, mass, 3) == three_rows


def _fleet(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    columns = [
        "enterprise_id",
        "year",
        "model_id",
        "powertrain",
        "curb_mass_kg",
        "seat_rows",
        "fuel_consumption_l_per_100km",
        "electric_range_km",
        "fuel_cell_power_kw",
        "volume",
        "imported",
    ]
    raw = pd.DataFrame(rows, columns=columns).astype(str).replace({"None": ""})
    tidy, problems = check_fleet(raw, REFERENCE)
    assert problems == []
    return tidy


def r2(value: float) -> float:
    return float(round_half_up(np.array([value]), 2)[0])


def test_a_fleet_worked_out_by_hand() -> None:
    """2021: GB 27999-2019 targets, requirement 123 %, NEV multiplier 2.0, NEV ratio 14 %,
    low-FC weight 0.5, BEV credit min(3.4, 0.0056 R + 0.4) x range factor, PHEV 1.6."""
    fleet = _fleet(
        [
            (MAKER, 2021, "A1", "ice", 1415, 2, 6.0, None, None, 20000, "no"),
            (MAKER, 2021, "A2", "ice", 2600, 3, 8.5, None, None, 5000, "no"),
            (MAKER, 2021, "A3", "hev", 1500, 2, 4.2, None, None, 10000, "no"),
            (MAKER, 2021, "A4", "bev", 1800, 2, None, 400, None, 8000, "no"),
            (MAKER, 2021, "A5", "phev", 1900, 2, 1.5, 60, None, 2000, "no"),
            (MAKER, 2021, "A6", "bev", 1100, 2, None, 120, None, 1000, "no"),
            (MAKER, 2021, "A7", "fcv", 2000, 2, None, 500, 100, 100, "no"),
            (IMPORTER, 2021, "B1", "ice", 2200, 2, 9.0, None, None, 20000, "yes"),
        ]
    )
    result = {r["enterprise_id"]: r for r in compute(fleet, REFERENCE).results()}
    a = result[MAKER]
    targets = {
        "A1": 4.60,
        "A2": 6.77,
        "A3": r2(0.0018 * 85 + 4.60),
        "A4": r2(0.0018 * 385 + 4.60),
        "A5": r2(0.0018 * 485 + 4.60),
        "A6": r2(0.0018 * -315 + 4.60),
        "A7": r2(0.0018 * 585 + 4.60),
    }
    volumes = {"A1": 20000, "A2": 5000, "A3": 10000, "A4": 8000, "A5": 2000, "A6": 1000, "A7": 100}
    fuel = {"A1": 6.0, "A2": 8.5, "A3": 4.2, "A4": 0, "A5": 1.5, "A6": 0, "A7": 0}
    weight = {m: 2.0 if m in ("A4", "A5", "A6", "A7") else 1.0 for m in volumes}
    total = sum(volumes.values())
    actual = r2(
        sum(fuel[m] * volumes[m] for m in volumes) / sum(weight[m] * volumes[m] for m in volumes)
    )
    target = r2(sum(targets[m] * volumes[m] for m in volumes) / total)
    compliance = r2(target * 1.23)
    assert (a["cafc_actual"], a["cafc_target"], a["cafc_compliance_value"]) == (
        actual,
        target,
        compliance,
    )
    assert a["cafc_credits"] == round((compliance - actual) * total)
    # low-FC: FC <= round(T x 1.23, 2): A3 (4.2 <= 5.84); not A1 (6.0 > 5.66) nor A2 (8.5 > 8.33)
    assert a["low_fc_volume"] == 10000
    nev_target = 0.14 * (25000 + 0.5 * 10000)
    earned = (
        r2(min(3.4, 0.0056 * 400 + 0.4) * 1.0) * 8000
        + 1.6 * 2000
        + r2(min(3.4, 0.0056 * 120 + 0.4) * 0.7) * 1000
        + r2(min(6, 0.08 * 100)) * 100
    )
    assert a["nev_credits_target"] == pytest.approx(nev_target)
    assert a["nev_credits_earned"] == pytest.approx(earned)
    assert a["nev_credits"] == pytest.approx(earned - nev_target)
    b = result[IMPORTER]  # 20,000 conventional cars: below 30,000, no NEV requirement
    assert b["imported"] is True and b["nev_credits_target"] == 0
    assert "policy.dual_credit.nev.exempt" in {w["code"] for w in b["warnings"]}
    assert b["cafc_credits"] == round((r2(_target(2021, 2200, 2) * 1.23) - 9.0) * 20000) < 0
    # the NEV carry-forward condition: conventional CAFC <= 115 % of the compliance value (2021)
    conventional = r2((6.0 * 20000 + 8.5 * 5000 + 4.2 * 10000) / 35000)
    assert a["conventional_cafc_actual"] == conventional
    assert a["nev_carry_forward_allowed"] is (conventional <= r2(compliance * 1.15))
    b_compliance = r2(_target(2021, 2200, 2) * 1.23)
    assert r2(b_compliance * 1.15) < 9.0 and b["nev_carry_forward_allowed"] is False
    unverified = next(
        w for w in a["warnings"] if w["code"] == "policy.dual_credit.rules.unverified"
    )
    assert unverified["data"]["rows"]  # the year rests on unverified rows, and says so


def test_each_year_under_its_own_rules() -> None:
    """The same BEV earns 2.64 under the 2021-2023 formula and 1.56 under 2024-2025's."""
    rows = [(MAKER, y, "E1", "bev", 1800, 2, None, 400, None, 1000, "no") for y in (2023, 2024)]
    rows += [(MAKER, y, "C1", "ice", 1500, 2, 7.0, None, None, 40000, "no") for y in (2023, 2024)]
    credits = compute(_fleet(rows), REFERENCE)
    per_vehicle = credits.models.set_index("year")["nev_credit_per_vehicle"]
    assert per_vehicle[2023].max() == r2(0.0056 * 400 + 0.4)
    assert per_vehicle[2024].max() == r2(0.0034 * 400 + 0.2)
    ratios = {r["year"]: r["nev_credits_target"] for r in credits.results()}
    assert ratios == {2023: pytest.approx(0.18 * 40000), 2024: pytest.approx(0.28 * 40000)}


def test_small_volume_relief_needs_the_year_before() -> None:
    """2024: at most 2,000 cars and CAFC down >= 4 % on 2023: compliance relaxed by 60 %."""
    rows = [
        (MAKER, 2023, "S1", "ice", 1500, 2, 8.0, None, None, 1500, "no"),
        (MAKER, 2024, "S1", "ice", 1500, 2, 7.6, None, None, 1500, "no"),  # -5 %
    ]
    result = compute(_fleet(rows), REFERENCE, [2024]).results()[0]
    base = r2(_target(2024, 1500, 2) * 1.10)
    assert result["cafc_compliance_value"] == r2(base * 1.6)
    assert "policy.dual_credit.cafc.small_volume_relief" in {w["code"] for w in result["warnings"]}
    alone = compute(_fleet(rows[1:]), REFERENCE).results()[0]
    assert alone["cafc_compliance_value"] == base


def test_the_official_results_add_up() -> None:
    """Domestic producers and importers add up to the totals in every year and measure."""
    table = REFERENCE.frame("dual_credit_results")
    wide = table.pivot_table(index=["year", "measure"], columns="scope", values="value")
    both = wide.dropna()
    assert len(both) >= 50
    gap = (both["domestic"] + both["imported"] - both["total"]).abs()
    additive = ~both.index.get_level_values("measure").isin(["curb_mass_kg", "cafc_l_per_100km"])
    assert gap[additive].max() <= 0.11  # rounding of the published figures (10^4)
    # averages lie between the domestic and the imported value
    averages = both[~additive]
    low = averages[["domestic", "imported"]].min(axis=1) - 0.05
    high = averages[["domestic", "imported"]].max(axis=1) + 0.05
    assert ((averages["total"] >= low) & (averages["total"] <= high)).all()


def test_bad_fleets_are_reported_all_at_once(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(
        "enterprise_id,year,model_id,powertrain,curb_mass_kg,seat_rows,"
        "fuel_consumption_l_per_100km,electric_range_km,fuel_cell_power_kw,volume\n"
        f"{MAKER},2021,M1,diesel,1500,2,6,,,100\n"  # unknown powertrain
        f"{MAKER},2021,M2,bev,1500,2,5.5,400,,100\n"  # a BEV with fuel consumption
        f"{MAKER},2021,M3,ice,,2,6,,,100\n"  # no curb mass
        f"{MAKER},2031,M4,ice,1500,2,6,,,100\n",  # no rules for 2031
        encoding="utf-8",
    )
    code, _out, err = cli("credits", "compute", str(path), "--year", "2021", "--json")
    assert code == 2
    for expected in (
        "row 2, column powertrain",
        "row 3, column fuel_consumption_l_per_100km",
        "row 4, column curb_mass_kg",
        "row 5, column year",
    ):
        assert expected in err, expected
    assert "2031" in err and "Traceback" not in err


def test_credits_command(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text(
        "enterprise_id,year,model_id,powertrain,curb_mass_kg,seat_rows,"
        "fuel_consumption_l_per_100km,electric_range_km,volume\n"
        f"{MAKER},2022,M1,ice,1500,2,6,,50000\n{MAKER},2022,M2,bev,1600,2,,500,9000\n",
        encoding="utf-8",
    )
    code, out, err = cli("credits", "compute", str(path), "--year", "2022", "--json")
    assert code == 0, err
    [row] = json.loads(out)["enterprises"]
    assert set(row) >= {
        "enterprise_id",
        "year",
        "cafc_actual",
        "cafc_target",
        "cafc_compliance_value",
        "cafc_credits",
        "nev_credits_earned",
        "nev_credits_target",
        "nev_credits",
        "warnings",
    }
    # 2022: multiplier 1.8: 6 x 50,000 / (50,000 + 1.8 x 9,000)
    assert row["cafc_actual"] == r2(6 * 50000 / (50000 + 1.8 * 9000))
    code, _out, err = cli("credits", "compute", str(path), "--year", "2019")
    assert code == 2 and "--year" in err


def test_the_industry_view(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    """Two makers of 2022: one with NEV credits to spare, one short; the ratio, the pool's state
    and the official 2022 totals beside them."""
    path = tmp_path / "fleet.csv"
    path.write_text(
        "enterprise_id,year,model_id,powertrain,curb_mass_kg,seat_rows,"
        "fuel_consumption_l_per_100km,electric_range_km,volume\n"
        f"{MAKER},2022,M1,bev,1600,2,,500,100000\n{MAKER},2022,M2,ice,1500,2,6,,40000\n"
        f"{IMPORTER},2022,I1,ice,2000,2,8,,60000\n",
        encoding="utf-8",
    )
    code, out, err = cli("credits", "industry", str(path), "--year", "2022", "--json")
    assert code == 0, err
    view = json.loads(out)
    results = {
        r["enterprise_id"]: r
        for r in compute(
            check_fleet(pd.read_csv(path, dtype=str), REFERENCE)[0], REFERENCE
        ).results()
    }
    positive = sum(r["nev_credits"] for r in results.values() if r["nev_credits"] > 0)
    negative = -sum(r["nev_credits"] for r in results.values() if r["nev_credits"] < 0)
    assert view["nev_supply_demand_ratio"] == pytest.approx(positive / negative, rel=1e-4)
    assert view["pool"] == ("open for deposits" if positive / negative > 2 else "closed")
    assert view["computed"]["cafc_non_compliant"] == 1
    assert view["official"]["nev_positive_10k"] == 1524.08
    assert view["comparison"]["enterprises"] == {"computed": 2, "official": 125}


def test_the_readme_example(cli: Callable[..., tuple[int, str, str]]) -> None:
    fleet = Path(__file__).parents[2] / "examples" / "fleet.csv"
    code, out, err = cli("credits", "compute", str(fleet), "--year", "2021", "--json")
    assert code == 0, err
    [row] = json.loads(out)["enterprises"]
    shown = {
        k: row[k] for k in ("cafc_actual", "cafc_target", "cafc_compliance_value", "cafc_credits")
    }
    assert shown == {
        "cafc_actual": 3.64,
        "cafc_target": 5.01,
        "cafc_compliance_value": 6.16,
        "cafc_credits": 115920,
    }
    assert (row["nev_credits_earned"], row["nev_credits_target"], row["nev_credits"]) == (
        25070.0,
        4200.0,
        20870.0,
    )
