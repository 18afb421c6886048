"""Scenario projection: the issue's file as it is, each way of giving a quantity against its
closed form, fuels and units, parents, regions, stock turnover worked by hand, the Monte Carlo
against a case whose answer is known, the IAMC table, and bad files named by scenario, sector
and key."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.pathways.projection import example_text, parse
from carbonpeak.pathways.quantities import Draws, QuantitySpec, resolve
from carbonpeak.pathways.run import run

EXAMPLES = Path(__file__).parents[2] / "examples"
YEARS = np.arange(2020, 2061)


def _run(data: dict[str, Any], draws: int | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    spec, scenarios = parse(data)
    result, table, _ = run(spec, scenarios, draws)
    return result, table


def _path(**spec: Any) -> np.ndarray:
    return resolve(QuantitySpec.model_validate(spec), YEARS, Draws(1, 0)).values[0]


def _file(sectors: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"base_year": 2020, "horizon": 2060, "scenarios": {"S": {"sectors": sectors}}, **extra}


STEEL = {
    "activity": {"unit": "Mt", "value": 100},
    "routes": {
        "bf_bof": {"share": {"value": 0.9}, "emission_intensity": {"unit": "tCO2/t", "value": 2}},
        "eaf": {"share": {"value": 0.1}, "emission_intensity": {"unit": "tCO2/t", "value": 0.5}},
    },
}


def test_the_issue_file_runs_as_it_is() -> None:
    data = yaml.safe_load((EXAMPLES / "scenario.yaml").read_text())
    result, table = _run(data)
    bau = result["scenarios"]["BAU"]["sectors"]["steel"]
    # by hand: 1065 x (0.9 x 2.0 + 0.1 x 0.5); 1094.6 x (0.895 x 1.99 + 0.105 x 0.495); ...
    expected = [
        1065 * 1.85,
        1094.6 * (0.895 * 1.99 + 0.105 * 0.495),
        1120.5 * (0.89 * 1.98 + 0.11 * 0.49),
    ]
    assert list(bau["values"].values()) == pytest.approx(expected)
    assert bau["unit"] == "MtCO2" and bau["peak_year"] == 2022 and bau["not_yet_peaked"]
    policy = result["scenarios"]["POLICY"]["sectors"]["steel"]["values"]
    # the child changed only the shares: the parent's activity and intensities are kept
    assert policy["2022"] == pytest.approx(1120.5 * (0.88 * 1.98 + 0.12 * 0.49))
    # the series stop in 2022 without an extension rule: the run says so and ends there
    assert result["end"] == 2022 and "stop before it" in result["warnings"][0]["message"]
    assert (
        "scenarios.POLICY.sectors.steel.routes.eaf.share (2022)" in result["warnings"][0]["message"]
    )
    assert list(table.columns) == [
        "model",
        "scenario",
        "region",
        "variable",
        "unit",
        2020,
        2021,
        2022,
    ]


def test_each_form_of_a_quantity() -> None:
    t = YEARS - 2020.0
    assert _path(value=3) == pytest.approx(np.full(41, 3.0))
    assert _path(points={2020: 0, 2060: 40}) == pytest.approx(t)
    assert _path(growth={"start": 100, "rate": 0.02}) == pytest.approx(100 * 1.02**t)
    stepped = _path(growth={"start": 100, "rate": {2020: 0.1, 2022: -0.5}})
    assert stepped[:4] == pytest.approx([100, 110, 55, 27.5])
    assert _path(logistic={"K": 10, "r": 0.2, "t0": 2030}) == pytest.approx(
        10 / (1 + np.exp(-0.2 * (YEARS - 2030)))
    )
    assert _path(gompertz={"K": 10, "b": 3, "c": 0.1, "t0": 2020}) == pytest.approx(
        10 * np.exp(-3 * np.exp(-0.1 * t))
    )
    held = _path(series={2020: 1, 2021: 2}, extend="hold")
    assert held[:3] == pytest.approx([1, 2, 2]) and held[-1] == 2
    assert _path(series={2020: 1, 2021: 2}, extend="linear")[-1] == pytest.approx(41)
    grown = _path(points={2020: 1, 2021: 2}, extend={"growth": 0.1})
    assert grown[3] == pytest.approx(2 * 1.1**2)
    assert _path(value=2, scale=1.5, times={"value": 4})[0] == pytest.approx(12)
    stops = resolve(QuantitySpec(series={2020: 1, 2021: 2}), YEARS, Draws(1, 0))
    assert stops.last == 2021 and np.isnan(stops.values[0, 2:]).all()


def test_energy_fuels_and_a_grid_factor_on_its_own_path() -> None:
    data = _file(
        {
            "cement": {
                "activity": {"unit": "Mt", "value": 10},
                "energy_intensity": {"unit": "GJ/t", "value": 3.0},
                "fuels": {"coal": {"value": 0.9}, "electricity": {"value": 0.1}},
                "process_emissions": {"unit": "kgCO2/t", "value": 500},
            }
        }
    )
    data["scenarios"]["S"]["fuels"] = {
        "coal": {"emission_factor": {"unit": "tCO2/TJ", "value": 95}},
        "electricity": {"emission_factor": {"unit": "tCO2/MWh", "points": {2020: 0.6, 2060: 0.0}}},
    }
    result, table = _run(data)
    cement = result["scenarios"]["S"]["sectors"]["cement"]
    # 10 Mt x 3 GJ/t = 30 PJ; coal 27 PJ x 95 t/TJ = 2.565 Mt; electricity 3 PJ = 833.3 GWh
    # x 0.6 t/MWh = 0.5 Mt; process 10 Mt x 0.5 = 5 Mt
    assert cement["values"]["2020"] == pytest.approx(2.565 + 3e6 / 3600 * 0.6 / 1e3 + 5.0)
    assert cement["values"]["2060"] == pytest.approx(2.565 + 5.0)
    assert cement["energy"]["values"]["2020"] == pytest.approx(30e6 / 29307 / 1e3, rel=1e-6)
    assert cement["energy"]["unit"] == "Mtce" and cement["already_peaked"]
    variables = set(table["variable"])
    assert {
        "Final Energy|Industry|cement",
        "Emissions|CO2|Industry",
        "Production|cement",
    } <= variables


def test_regions_are_summed_and_parents_merge() -> None:
    data = {
        "base_year": 2020,
        "horizon": 2030,
        "region": "CN",
        "scenarios": {
            "A": {
                "regions": {
                    "north": {"sectors": {"steel": STEEL}},
                    "south": {"sectors": {"steel": copy.deepcopy(STEEL)}},
                }
            },
            "B": {
                "parent": "A",
                "regions": {
                    "south": {"sectors": {"steel": {"activity": {"unit": "kt", "value": 50_000}}}}
                },
            },
        },
    }
    result, table = _run(data)
    a, b = result["scenarios"]["A"], result["scenarios"]["B"]
    one = 100 * (0.9 * 2 + 0.1 * 0.5)
    assert a["regions"]["north"]["total"]["peak_value"] == pytest.approx(one)
    assert a["sectors"]["steel"]["values"]["2030"] == pytest.approx(2 * one)
    assert a["total"]["values"]["2025"] == pytest.approx(2 * one)
    assert b["regions"]["south"]["sectors"]["steel"]["values"]["2020"] == pytest.approx(one / 2)
    assert b["total"]["values"]["2020"] == pytest.approx(1.5 * one)
    summed = table[(table.scenario == "B") & (table.variable == "Emissions|CO2|Industry")]
    assert set(summed.region) == {"CN", "north", "south"}
    assert float(summed[summed.region == "CN"][2020].iloc[0]) == pytest.approx(1.5 * one)
    made = table[(table.variable == "Production|steel") & (table.region == "CN")]
    # kt in one region, Mt in the other: both in Mt, summed
    assert dict(zip(made.scenario, made[2020], strict=True)) == pytest.approx({"A": 200, "B": 150})
    assert set(made.unit) == {"Mt/yr"}


def test_stock_turnover_worked_by_hand() -> None:
    """100 Mt a year, full utilisation; blast furnaces built in 2000 and 2010 (50 Mt each) live
    30 years; all new capacity is EAF. 2020-2029: all BF-BOF; 2030: the 2000 furnaces retire
    and 50 Mt of EAF is built; 2040: the rest retire, all EAF; 2060: the 2030 EAF retires and is
    rebuilt as EAF."""
    sector = {
        "activity": {"unit": "Mt", "value": 100},
        "stock": {
            "survival": {"lifetime": 30},
            "vintages": {"bf_bof": {2000: 50, 2010: 50}},
            "new_shares": {"bf_bof": {"value": 0}, "eaf": {"value": 1}},
        },
        "routes": {
            "bf_bof": {"emission_intensity": {"unit": "tCO2/t", "value": 2}},
            "eaf": {"emission_intensity": {"unit": "tCO2/t", "value": 0.5}},
        },
    }
    values = _run(_file({"steel": sector}))[0]["scenarios"]["S"]["sectors"]["steel"]["values"]
    assert values["2029"] == pytest.approx(200)
    assert values["2030"] == pytest.approx(50 * 2 + 50 * 0.5)
    assert values["2040"] == pytest.approx(50) and values["2060"] == pytest.approx(50)
    weibull = copy.deepcopy(sector)
    weibull["stock"]["survival"] = {"weibull_shape": 2, "weibull_scale": 30}
    smooth = _run(_file({"steel": weibull}))[0]["scenarios"]["S"]["sectors"]["steel"]["values"]
    # S(20) of the 2000 vintage = exp(-(20/30)^2); the gap is built as EAF in 2020 already
    surviving = 50 * np.exp(-((20 / 30) ** 2)) + 50 * np.exp(-((10 / 30) ** 2))
    assert smooth["2020"] == pytest.approx(surviving * 2 + (100 - surviving) * 0.5)


def test_stock_parameters_may_be_uncertain() -> None:
    """A lifetime uniform in 25-35 years: the 2000 blast furnaces are still there in 2030 in
    the draws where it exceeds 30 (half); the central draw is the fixed 30-year case."""
    sector = {
        "activity": {"unit": "Mt", "value": 100},
        "stock": {
            "survival": {"lifetime": {"dist": "uniform", "low": 25, "high": 35}},
            "vintages": {"bf_bof": {2000: 50, 2010: {"dist": "normal", "mean": 50, "sd": 0}}},
            "new_shares": {"bf_bof": {"value": 0}, "eaf": {"value": 1}},
        },
        "routes": {
            "bf_bof": {"emission_intensity": {"unit": "tCO2/t", "value": 2}},
            "eaf": {"emission_intensity": {"unit": "tCO2/t", "value": 0.5}},
        },
    }
    entry = _run(_file({"steel": sector}, seed=5), draws=4000)[0]["scenarios"]["S"]["sectors"][
        "steel"
    ]
    assert entry["values"]["2030"] == pytest.approx(125)  # the central lifetime, 30: retired
    fan = entry["uncertainty"]["fan"]
    assert fan["p25"]["2030"] == pytest.approx(125) and fan["p75"]["2030"] == pytest.approx(200)
    # in 2041 the 2010 furnaces (31 years old) remain in 40 % of the draws: not the median
    assert fan["p50"]["2041"] == pytest.approx(50)
    with pytest.raises(InputError, match="lifetime must be above 0"):
        bad = copy.deepcopy(sector)
        bad["stock"]["survival"] = {"lifetime": 0}
        _run(_file({"steel": bad}))


def test_monte_carlo_against_a_known_answer() -> None:
    """Activity 100 in 2020, X in 2040 (uniform 90-110), 50 in 2060: a draw peaks in 2040 when
    X > 100 (half of them), otherwise it has already peaked in 2020."""
    sector = {
        "activity": {
            "unit": "Mt",
            "points": {2020: 100, 2040: {"dist": "uniform", "low": 90, "high": 110}, 2060: 50},
        },
        "emission_intensity": {"unit": "tCO2/t", "value": 1},
    }
    result, _ = _run(_file({"x": sector}, seed=3))
    entry = result["scenarios"]["S"]["total"]
    spread = entry["uncertainty"]
    assert result["draws"] == 10_000 and spread["draws"] == 10_000  # the default
    assert entry["values"]["2040"] == pytest.approx(100)  # the central draw: the midpoint
    assert spread["p_peak_by_2030"] == pytest.approx(0.5, abs=0.03)  # 4 standard errors
    assert spread["peak_year"]["distribution"]["2040"] == pytest.approx(0.5, abs=0.03)
    assert set(spread["peak_year"]["distribution"]) == {"2020", "2040"}
    assert spread["fan"]["p50"]["2040"] == pytest.approx(100, abs=0.5)
    assert spread["fan"]["p5"]["2040"] == pytest.approx(91, abs=0.3)
    assert spread["peak_value"]["p95"] == pytest.approx(109, abs=0.3)  # max(100, X): 100 + 0.9 x 10
    again, _ = _run(_file({"x": sector}, seed=3), draws=500)
    same, _ = _run(_file({"x": sector}, seed=3), draws=500)
    assert again == same and again["draws"] == 500  # seeded


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.05, 1.0), min_size=2, max_size=4),
    st.lists(st.floats(0.1, 3.0), min_size=4, max_size=4),
    st.floats(-0.05, 0.05),
)
def test_the_total_is_the_sum_of_routes_and_sectors(
    weights: list[float], intensities: list[float], rate: float
) -> None:
    shares = np.array(weights) / sum(weights)
    routes = {
        f"r{i}": {
            "share": {"value": float(s)},
            "emission_intensity": {"unit": "tCO2/t", "value": intensities[i]},
        }
        for i, s in enumerate(shares)
    }
    sectors = {
        "a": {"activity": {"unit": "Mt", "growth": {"start": 10, "rate": rate}}, "routes": routes},
        "b": {
            "activity": {"unit": "kt", "value": 5000},
            "emission_intensity": {"unit": "tCO2/t", "value": intensities[-1]},
        },
    }
    result, _ = _run(_file(sectors))
    body = result["scenarios"]["S"]
    for year in ("2020", "2045"):
        a = (
            10
            * (1 + rate) ** (int(year) - 2020)
            * float(np.dot(shares, intensities[: len(shares)]))
        )
        assert body["sectors"]["a"]["values"][year] == pytest.approx(a)
        assert body["total"]["values"][year] == pytest.approx(a + 5 * intensities[-1])


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        _run(data)
    return [str(p) for p in caught.value.problems]


def test_bad_files_are_named_by_scenario_sector_and_key() -> None:
    bad = copy.deepcopy(STEEL)
    bad["routes"]["eaf"]["share"] = {"value": 0.2}
    (problem,) = _problems(_file({"steel": bad}))
    assert "scenarios.S.sectors.steel.routes" in problem and "sum to 1.1 in 2020" in problem

    units = copy.deepcopy(STEEL)
    units["routes"]["eaf"]["emission_intensity"]["unit"] = "GJ/t"
    (problem,) = _problems(_file({"steel": units}))
    assert "routes.eaf.emission_intensity.unit" in problem and "do not give CO2" in problem

    late = copy.deepcopy(STEEL)
    late["activity"] = {"unit": "Mt", "series": {2020: 1, 2061: 2}}
    assert any("activity" in p and "every year" in p for p in _problems(_file({"steel": late})))
    after = copy.deepcopy(STEEL)
    after["activity"] = {"unit": "Mt", "points": {2020: 1, 2070: 2}}
    assert any("after the horizon 2060" in p for p in _problems(_file({"steel": after})))
    before = copy.deepcopy(STEEL)
    before["activity"] = {"unit": "Mt", "points": {2025: 1, 2060: 2}}
    assert any("after the base year 2020" in p for p in _problems(_file({"steel": before})))

    orphan = _file({"steel": STEEL})
    orphan["scenarios"]["T"] = {"parent": "nope", "sectors": {}}
    assert _problems(orphan) == ["field scenarios.T.parent: no scenario named 'nope'"]
    cycle = {
        "base_year": 2020,
        "horizon": 2030,
        "scenarios": {"X": {"parent": "Y"}, "Y": {"parent": "X"}},
    }
    assert any(
        "a cycle of parents: X -> Y -> X" in p or "Y -> X -> Y" in p for p in _problems(cycle)
    )

    fuel = _file(
        {
            "c": {
                "activity": {"unit": "Mt", "value": 1},
                "energy_intensity": {"unit": "GJ/t", "value": 1},
                "fuels": {"peat": {"value": 1}},
            }
        }
    )
    assert any("fuels.peat" in p and "no fuel 'peat'" in p for p in _problems(fuel))
    unknown = copy.deepcopy(STEEL)
    unknown["activity"]["unit"] = "bananas"
    assert any(
        "activity.unit" in p and "unknown unit" in p for p in _problems(_file({"steel": unknown}))
    )
    shaped = copy.deepcopy(STEEL)
    shaped["routes"]["eaf"]["share"] = {"unit": "Mt", "value": 0.1}
    assert any("a share has no unit" in p for p in _problems(_file({"steel": shaped})))
    two = copy.deepcopy(STEEL)
    two["activity"] = {"unit": "Mt", "value": 1, "growth": {"start": 1, "rate": 0}}
    assert any("exactly one of" in p for p in _problems(_file({"steel": two})))
    assert any(
        "sd" in p
        for p in _problems(
            _file(
                {
                    "x": {
                        "activity": {
                            "unit": "Mt",
                            "value": {"dist": "normal", "mean": 1, "sd": -1},
                        },
                        "emission_intensity": {"unit": "tCO2/t", "value": 1},
                    }
                }
            )
        )
    )


def test_an_overflow_is_refused_by_name() -> None:
    sector = {
        "activity": {"unit": "Mt", "growth": {"start": 1, "rate": 1e6}},
        "emission_intensity": {
            "unit": "tCO2/t",
            "value": {"dist": "lognormal", "median": 1, "sigma": 50},
        },
    }
    problems = _problems(_file({"boom": sector}))
    assert problems == [
        "field scenarios.S.sectors.boom: the co2 path of region China overflows or is "
        "undefined (check growth rates, curve parameters and distributions)"
    ]
    with pytest.raises(InputError, match="at most 200 years"):
        _run({"base_year": 2000, "horizon": 2300, "scenarios": {"S": {"sectors": {"x": STEEL}}}})


def test_the_cli(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    table = tmp_path / "out.csv"
    example = str(tmp_path / "pathways.yaml")
    code, stdout, _ = cli("pathways", "example")
    assert code == 0 and stdout == example_text()
    Path(example).write_text(stdout, encoding="utf-8")
    code, stdout, _ = cli(
        "pathways", "run", example, "--draws", "200", "--json", "--out", str(table)
    )
    assert code == 0
    result = json.loads(stdout)
    assert result["draws"] == 200 and result["end"] == 2060 and result["warnings"] == []
    assert set(result["scenarios"]) == {"BAU", "POLICY"}
    assert set(result["scenarios"]["BAU"]["regions"]) == {"north", "south"}
    written = pd.read_csv(table)
    assert list(written.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert written.columns[-1] == "2060" and not written.isna().any().any()
    total = written[(written.region == "China") & (written.variable == "Emissions|CO2|Industry")]
    assert float(total[total.scenario == "BAU"]["2030"].iloc[0]) == pytest.approx(
        result["scenarios"]["BAU"]["total"]["values"]["2030"]
    )
    code, stdout, _ = cli("pathways", "run", example, "--draws", "50")
    assert code == 0 and "POLICY" in stdout and "P(<=2030)" in stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("base_year: 2020\nhorizon: 2010\nscenarios: {}\n")
    code, _, stderr = cli("pathways", "run", str(bad))
    assert code == 2 and "horizon must be after" in stderr and "Traceback" not in stderr
    assert str(bad) in stderr
    code, _, _ = cli("pathways", "run", example, "--out", str(tmp_path / "x.txt"))
    assert code == 2 and not (tmp_path / "x.txt").exists()
    code, _, stderr = cli("pathways", "run", str(tmp_path / "missing.yaml"))
    assert code == 2 and "file not found" in stderr


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 60), st.integers(1, 5), st.integers(0, 2**31))
def test_percentiles_are_numpys(rows: int, columns: int, seed: int) -> None:
    from carbonpeak.pathways.run import FAN, percentiles

    sample = np.random.default_rng(seed).normal(size=(rows, columns))
    assert percentiles(sample, FAN) == pytest.approx(np.percentile(sample, FAN, axis=0))


@settings(max_examples=40, deadline=None)
@given(
    st.floats(50, 150),
    st.floats(50, 150),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.floats(0.2, 3.0),
    st.floats(0.2, 3.0),
)
def test_scenarios_compared_by_lmdi_add_up(
    q0: float, q1: float, s0: float, s1: float, i0: float, i1: float
) -> None:
    """The effects sum to the difference of the totals, even when a route has no output in one
    scenario (a share of 0 or 1); a pure change of activity is all activity effect."""
    from carbonpeak.pathways.compare import compare

    def scenario(q: float, share: float, intensity: float) -> dict[str, Any]:
        return {
            "sectors": {
                "steel": {
                    "activity": {"unit": "Mt", "value": q},
                    "routes": {
                        "a": {
                            "share": {"value": share},
                            "emission_intensity": {"unit": "tCO2/t", "value": intensity},
                        },
                        "b": {
                            "share": {"value": 1 - share},
                            "emission_intensity": {"unit": "tCO2/t", "value": 0.5},
                        },
                    },
                }
            }
        }

    data = {
        "base_year": 2020,
        "horizon": 2030,
        "scenarios": {
            "A": scenario(q0, s0, i0),
            "B": scenario(q1, s1, i1),
            "C": scenario(2 * q0, s0, i0),
        },
    }
    spec, scenarios = parse(data)
    result, _, routes = run(spec, scenarios)
    found = compare(routes, ("A", 2030), ("B", 2030))
    change = (
        result["scenarios"]["B"]["total"]["values"]["2030"]
        - result["scenarios"]["A"]["total"]["values"]["2030"]
    )
    assert sum(found["additive"].values()) == pytest.approx(change, abs=1e-6)
    assert found["total_change"] == pytest.approx(change, abs=1e-6)
    doubled = compare(routes, ("A", 2030), ("C", 2030))
    assert doubled["additive"]["activity"] == pytest.approx(doubled["total_change"])
    assert doubled["multiplicative"]["activity"] == pytest.approx(2.0)
    with pytest.raises(InputError, match="no projection of 'Z' in 2030"):
        compare(routes, ("A", 2030), ("Z", 2030))


def test_review_regressions() -> None:
    """Defects a review found: units through `times`, shared draws, merges that replace,
    a technology from nothing, points before the base year, a sector phased out."""
    from carbonpeak.pathways.compare import compare

    # an energy intensity built with `times` carries its product unit into the fuel's CO2
    sector = {
        "activity": {"unit": "Mt", "value": 100},
        "energy_intensity": {
            "unit": "tce/t",
            "value": 1,
            "times": {"unit": "percent", "value": 50},
        },
        "fuels": {"coal": {"value": 1}},
    }
    data = _file({"s": sector})
    data["scenarios"]["S"]["fuels"] = {
        "coal": {"emission_factor": {"unit": "tCO2/tce", "value": 2.66}}
    }
    found = _run(data)[0]["scenarios"]["S"]["sectors"]["s"]
    assert found["values"]["2020"] == pytest.approx(133) and found["energy"]["values"][
        "2020"
    ] == pytest.approx(50)

    # one national fuel factor, drawn once for both regions and in every scenario
    shared = {
        "base_year": 2020,
        "horizon": 2021,
        "seed": 4,
        "scenarios": {
            "A": {
                "fuels": {
                    "coal": {
                        "emission_factor": {
                            "unit": "tCO2/tce",
                            "value": {"dist": "normal", "mean": 2.66, "sd": 0.5},
                        }
                    }
                },
                "regions": {
                    r: {
                        "sectors": {
                            "s": {
                                "activity": {"unit": "Mt", "value": 100},
                                "energy_intensity": {"unit": "tce/t", "value": 1},
                                "fuels": {"coal": {"value": 1}},
                            }
                        }
                    }
                    for r in ("n", "s")
                },
            },
            "B": {"parent": "A"},
        },
    }
    spec, scenarios = parse(shared)
    result, _, _ = run(spec, scenarios, draws=2000)
    a, b = result["scenarios"]["A"], result["scenarios"]["B"]
    north = a["regions"]["n"]["total"]["uncertainty"]["fan"]["p95"]["2020"]
    assert a["total"]["uncertainty"]["fan"]["p95"]["2020"] == pytest.approx(
        2 * north
    )  # no averaging out
    assert b["total"]["uncertainty"] == a["total"]["uncertainty"]  # inherited: the same draws

    # a child's routes replace the parent's sector-level intensity; a uniform replaces a normal
    child = {
        "base_year": 2020,
        "horizon": 2021,
        "scenarios": {
            "P": {
                "sectors": {
                    "s": {
                        "activity": {"unit": "Mt", "value": 1},
                        "emission_intensity": {
                            "unit": "tCO2/t",
                            "value": {"dist": "normal", "mean": 1, "sd": 0.1},
                        },
                    }
                }
            },
            "C": {
                "parent": "P",
                "sectors": {
                    "s": {
                        "routes": {
                            "r": {
                                "share": {"value": 1},
                                "emission_intensity": {
                                    "unit": "tCO2/t",
                                    "value": {"dist": "uniform", "low": 1, "high": 2},
                                },
                            }
                        }
                    }
                },
            },
        },
    }
    assert _run(child, draws=10)[0]["scenarios"]["C"]["sectors"]["s"]["values"][
        "2020"
    ] == pytest.approx(1.5)

    # a technology from nothing: no vintages, no activity in the base year
    start = {
        "activity": {"unit": "Mt", "points": {2020: 0, 2030: 10}, "extend": "hold"},
        "stock": {"survival": {"lifetime": 30}, "new_shares": {"x": {"value": 1}}},
        "routes": {"x": {"emission_intensity": {"unit": "tCO2/t", "value": 1}}},
    }
    grown = _run(_file({"s": start}))[0]["scenarios"]["S"]["sectors"]["s"]["values"]
    assert grown["2020"] == 0 and grown["2030"] == pytest.approx(10)

    # points that end before the base year, held
    held = {
        "activity": {"unit": "Mt", "points": {2010: 5, 2015: 7}, "extend": "hold"},
        "emission_intensity": {"unit": "tCO2/t", "value": 1},
    }
    assert _run(_file({"s": held}))[0]["scenarios"]["S"]["sectors"]["s"]["values"][
        "2040"
    ] == pytest.approx(7)

    # a sector phased out in one scenario: its whole difference is structure, no NaN
    phased = {
        "base_year": 2020,
        "horizon": 2030,
        "scenarios": {
            "A": {
                "sectors": {
                    "s": {
                        "activity": {"unit": "Mt", "points": {2020: 100, 2030: 0}},
                        "emission_intensity": {"unit": "tCO2/t", "value": 1.5},
                    }
                }
            },
            "B": {
                "sectors": {
                    "s": {
                        "activity": {"unit": "Mt", "value": 100},
                        "emission_intensity": {"unit": "tCO2/t", "value": 1.5},
                    }
                }
            },
        },
    }
    spec, scenarios = parse(phased)
    _, _, routes = run(spec, scenarios)
    found = compare(routes, ("A", 2030), ("B", 2030))
    assert found["total_change"] == pytest.approx(150) and sum(
        found["additive"].values()
    ) == pytest.approx(150)
    empty = copy.deepcopy(phased)
    empty["scenarios"]["A"]["sectors"] = {}
    assert any("at least 1 item" in p for p in _problems(empty))
