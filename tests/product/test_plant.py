"""A cement plant's product model from its real account (the accounting engine on a small
activity table) and a process map: footprints, CBAM SEE and the reconciliation, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from carbonpeak.accounting.engine import account
from carbonpeak.errors import InputError
from carbonpeak.product.embedded import embedded
from carbonpeak.product.footprint import footprints
from carbonpeak.product.plant import (
    Assignment,
    Factors,
    Link,
    MapUnit,
    ProductMap,
    build,
)

CEMENT = "911302007A3K9C2D24"
PCF = 0.0006205  # tCO2e/kWh, a test value for the arithmetic
CBAM_EF = 0.5  # tCO2/MWh, a test value


def _lines() -> tuple[pd.DataFrame, pd.Series]:
    activity = pd.DataFrame(
        [
            {"stream": "fuel", "item": "raw_coal", "amount": "100", "unit": "t"},
            {"stream": "process", "item": "limestone", "amount": "1000", "unit": "t"},
            {"stream": "electricity", "item": "electricity", "amount": "500", "unit": "MWh"},
        ]
    ).assign(enterprise_id=CEMENT, period="2023", direction="in")
    accounts = account(activity)
    return accounts.lines, accounts.totals.iloc[0]


def _map(**changes: object) -> ProductMap:
    parts: dict[str, object] = {
        "units": (
            MapUnit("kiln", {"clinker": 800}, 2, "cement_clinker", False),
            MapUnit("mill", {"cement": 1000}, 3, "cement", False),
        ),
        "assignments": (
            Assignment("kiln", "raw_coal", 1.0, 2),
            Assignment("kiln", "limestone", 1.0, 3),
            Assignment("kiln", "electricity", 0.6, 4),
            Assignment("mill", "electricity", 0.4, 5),
        ),
        "links": (Link("mill", "clinker", 750, 2),),
    }
    parts.update(changes)
    return ProductMap(**parts)  # type: ignore[arg-type]


def test_footprints_see_and_reconciliation_of_a_cement_plant() -> None:
    lines, totals = _lines()
    direct = float(totals["co2_combustion_t"] + totals["co2_process_t"])
    plant = build(lines, _map(), Factors(PCF, "test", CBAM_EF))
    found = footprints(list(plant.units))
    clinker = (direct + 300_000 * PCF) / 800
    assert found["clinker"].total == pytest.approx(clinker)
    assert found["cement"].total == pytest.approx(200_000 * PCF / 1000 + 0.75 * clinker)
    see = embedded(list(plant.processes), [])
    assert see["kiln"].direct == pytest.approx(direct / 800)
    assert see["kiln"].indirect == pytest.approx(300 * CBAM_EF / 800)
    assert see["mill"].direct == pytest.approx(0.75 * direct / 800)
    assert see["mill"].indirect_counted == pytest.approx(
        200 * CBAM_EF / 1000 + 0.75 * 300 * CBAM_EF / 800
    )
    rows = {d.component: d for d in plant.reconciliation}
    assert rows["direct"].difference_t == pytest.approx(0, abs=1e-9)
    assert rows["direct"].account_t == pytest.approx(direct)
    assert rows["electricity"].account_t == pytest.approx(float(totals["co2_electricity_t"]))
    assert rows["electricity"].model_t == pytest.approx(500_000 * PCF)
    assert rows["electricity"].reason == "electricity_factor"


def _problems(plan: ProductMap) -> list[str]:
    lines, _ = _lines()
    with pytest.raises(InputError) as refused:
        build(lines, plan, Factors(PCF, "test", CBAM_EF), "map.xlsx")
    return [str(p) for p in refused.value.problems]


def test_shares_that_do_not_add_up_are_placed() -> None:
    found = _problems(
        _map(
            assignments=(
                Assignment("kiln", "raw_coal", 1.0, 2),
                Assignment("kiln", "limestone", 1.0, 3),
                Assignment("kiln", "electricity", 0.6, 4),
                Assignment("mill", "electricity", 0.3, 5),
            )
        )
    )
    assert any("分摊" in p and "'electricity'" in p and "0.9" in p for p in found), found


def test_outputs_that_do_not_balance_are_refused() -> None:
    found = _problems(_map(links=(Link("mill", "clinker", 900, 2),)))
    assert any("工序间" in p and "do not balance" in p for p in found), found


def test_unknown_names_are_placed_by_sheet_and_row() -> None:
    found = _problems(
        _map(
            links=(Link("grinder", "slag", 10, 7),),
            assignments=(
                Assignment("kiln", "raw_coal", 1.0, 2),
                Assignment("kiln", "limestone", 1.0, 3),
                Assignment("kiln", "electricity", 1.0, 4),
                Assignment("kiln", "diesel", 1.0, 9),
            ),
        )
    )
    assert any("工序间" in p and "7" in p and "'grinder'" in p for p in found), found
    assert any("'slag'" in p for p in found), found
    assert any("分摊" in p and "9" in p and "'diesel'" in p for p in found), found


def test_a_map_goes_to_json_and_back() -> None:
    import json

    from carbonpeak.product.footprint import Flow, Stage
    from carbonpeak.product.plant import map_from_dict, map_to_dict

    plan = _map(
        flows=(
            (
                "kiln",
                Flow("gypsum", 50, "t", Stage.materials, 0.01, "s", dqr=(2, 3, 1), uncertainty=0.1),
                2,
            ),
        )
    )
    again = map_from_dict(json.loads(json.dumps(map_to_dict(plan))))
    assert again == plan


def test_bought_heat_goes_into_cbam_and_the_footprint_at_the_accounts_factor() -> None:
    activity = pd.DataFrame(
        [
            {"stream": "fuel", "item": "raw_coal", "amount": "100", "unit": "t"},
            {"stream": "process", "item": "limestone", "amount": "1000", "unit": "t"},
            {"stream": "electricity", "item": "electricity", "amount": "500", "unit": "MWh"},
            {"stream": "heat", "item": "heat", "amount": "100", "unit": "GJ"},
        ]
    ).assign(enterprise_id=CEMENT, period="2023", direction="in")
    accounts = account(activity)
    heat = float(accounts.totals.iloc[0]["co2_heat_t"])
    assert heat > 0
    plan = _map(
        assignments=(
            *_map().assignments,
            Assignment("kiln", "heat", 1.0, 6),
        )
    )
    plant = build(accounts.lines, plan, Factors(PCF, "test", CBAM_EF))
    kiln = embedded(list(plant.processes), [])["kiln"]
    direct = float(
        accounts.totals.iloc[0]["co2_combustion_t"] + accounts.totals.iloc[0]["co2_process_t"]
    )
    # D_Processes: DirEm* + heat imported x its factor (0.1 TJ at the account's factor)
    assert kiln.direct == pytest.approx((direct + heat) / 800)
    assert plant.processes[0].heat_imported_tj == pytest.approx(0.1)
    assert footprints(list(plant.units))["clinker"].total == pytest.approx(
        (direct + heat + 300_000 * PCF) / 800
    )
    rows = {d.component: d for d in plant.reconciliation}
    assert rows["heat"].account_t == pytest.approx(heat) and rows["heat"].difference_t == 0


def _with_output(tonnes: str) -> tuple[pd.DataFrame, pd.Series]:
    """The plant's lines with a cement output line (no emissions of its own) and the value
    added."""
    activity = pd.DataFrame(
        [
            {"stream": "fuel", "item": "raw_coal", "amount": "100", "unit": "t"},
            {"stream": "process", "item": "limestone", "amount": "1000", "unit": "t"},
            {"stream": "electricity", "item": "electricity", "amount": "500", "unit": "MWh"},
            {"stream": "product", "item": "cement", "amount": tonnes, "unit": "t"},
            {"stream": "economic", "item": "value_added", "amount": "300", "unit": "10^4 yuan"},
        ]
    ).assign(enterprise_id=CEMENT, period="2023", direction="in")
    accounts = account(activity)
    return accounts.lines, accounts.totals.iloc[0]


def test_output_lines_need_no_share_and_are_compared_when_given() -> None:
    """The map need not divide an output line (cement, value added); given wholly to the
    mill, which makes 1000 t, the cement line is compared: the same but for rounding, else the
    difference is listed (no tolerance of the platform's own: the user judges it)."""
    lines, _ = _with_output("1000")
    plant = build(lines, _map(), Factors(PCF, "test", CBAM_EF))
    outputs = [d for d in plant.reconciliation if d.component == "output"]
    assert [(d.item, d.reason) for d in outputs] == [("cement", "output_not_compared")]
    given = _map(assignments=(*_map().assignments, Assignment("mill", "cement", 1.0, 6)))
    same = build(lines, given, Factors(PCF, "test", CBAM_EF))
    (row,) = [d for d in same.reconciliation if d.component == "output"]
    assert (row.account_t, row.model_t, row.reason) == (1000, 1000, "same_output")
    other, _ = _with_output("1100")
    differs = build(other, given, Factors(PCF, "test", CBAM_EF))
    (row,) = [d for d in differs.reconciliation if d.component == "output"]
    assert row.reason == "output_differs" and row.difference_t == pytest.approx(-100)
    near, _ = _with_output("1000.5")  # half a tonne off: listed, not hidden by a tolerance
    (row,) = [d for d in build(near, given, Factors(PCF, "test", CBAM_EF)).reconciliation
              if d.component == "output"]  # fmt: skip
    assert row.reason == "output_differs" and row.difference_t == pytest.approx(-0.5)
    half = _map(assignments=(*_map().assignments, Assignment("mill", "cement", 0.5, 6)))
    with pytest.raises(InputError, match=r"'cement' add up to 0\.5"):
        build(lines, half, Factors(PCF, "test", CBAM_EF))


def test_electricity_sold_is_kept_apart_from_electricity_bought() -> None:
    """500 MWh bought and 100 MWh sold (review H4): CBAM takes the kiln's 60 % of the 500 MWh
    gross and 60 MWh exported (deducted only at the operator's own factor); the footprint nets
    the 100 MWh at its factor (system expansion); the account's electricity row is the net."""
    _, totals = _lines()
    sold = pd.DataFrame(
        [{"stream": "electricity", "item": "electricity", "amount": "100", "unit": "MWh"}]
    ).assign(enterprise_id=CEMENT, period="2023", direction="out")
    activity = pd.concat(
        [
            pd.DataFrame(
                [
                    {"stream": "fuel", "item": "raw_coal", "amount": "100", "unit": "t"},
                    {"stream": "process", "item": "limestone", "amount": "1000", "unit": "t"},
                    {
                        "stream": "electricity",
                        "item": "electricity",
                        "amount": "500",
                        "unit": "MWh",
                    },
                ]
            ).assign(enterprise_id=CEMENT, period="2023", direction="in"),
            sold,
        ]
    )
    accounts = account(activity)
    plant = build(accounts.lines, _map(), Factors(PCF, "test", CBAM_EF))
    kiln = plant.processes[0]
    assert (kiln.electricity_mwh, kiln.electricity_exported_mwh) == pytest.approx((300, 60))
    assert plant.exported_kwh == pytest.approx(100_000)
    found = footprints(list(plant.units))
    assert found["cement"].by_stage()["energy"] == pytest.approx(
        160_000 * PCF / 1000 + 0.75 * 240_000 * PCF / 800
    )
    rows = {d.component: d for d in plant.reconciliation}
    assert rows["electricity"].model_t == pytest.approx(400_000 * PCF)
    net = float(accounts.totals.iloc[0]["co2_electricity_t"])
    assert rows["electricity"].account_t == pytest.approx(net)
    assert net == pytest.approx(0.8 * float(totals["co2_electricity_t"]))


def test_a_waste_gas_sold_stays_in_cbam_and_is_deducted_at_natural_gas() -> None:
    """1,000 10^4 Nm3 of converter gas sold by the mill (review25 H1): the account credits
    its carbon; CBAM keeps that in the mill and deducts its energy (2,866 tce, 84.0 TJ) x
    56.1 tCO2/TJ x 0.667 (the template's constants); the footprint keeps the account's
    credit."""
    from carbonpeak.product.cbam import waste_gas, waste_gas_items
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    activity = pd.DataFrame(
        [
            {"stream": "fuel", "item": "raw_coal", "amount": "100", "unit": "t", "direction": "in"},
            {"stream": "process", "item": "limestone", "amount": "1000", "unit": "t",
             "direction": "in"},
            {"stream": "electricity", "item": "electricity", "amount": "500", "unit": "MWh",
             "direction": "in"},
            {"stream": "fuel", "item": "converter_gas", "amount": "1000", "unit": "wan_Nm3",
             "direction": "out"},
        ]
    ).assign(enterprise_id=CEMENT, period="2023")  # fmt: skip
    accounts = account(activity)
    gas = accounts.lines.loc[accounts.lines["item"] == "converter_gas"].iloc[0]
    assert float(gas["energy_tce"]) == pytest.approx(-2866)
    tj = 2866 * 0.029307
    assignments = (*_map().assignments, Assignment("mill", "converter_gas", 1.0, 6))
    plant = build(
        accounts.lines,
        _map(assignments=assignments),
        Factors(PCF, "test", CBAM_EF),
        waste_gases=waste_gas_items(reference),
    )
    mill = plant.processes[1]
    assert mill.direct_t == pytest.approx(0.0)  # the account's credit taken back
    assert mill.waste_gas_exported_tj == pytest.approx(tj)
    assert plant.exported_gas_tj == pytest.approx(tj)
    assert mill.attributed_direct(waste_gas(reference)) == pytest.approx(-tj * 56.1 * 0.667)
    found = footprints(list(plant.units))
    credit = float(gas["co2e_t"])  # negative: the account's
    assert found["cement"].total == pytest.approx(
        200_000 * PCF / 1000 + 0.75 * found["clinker"].total + credit / 1000
    )


def test_a_flow_named_like_the_accounts_parts_is_refused_at_its_row() -> None:
    """A bought flow named "electricity" would pass for the account's own (review25 L6)."""
    from carbonpeak.product.footprint import Flow, Stage

    lines, _ = _lines()
    bought = Flow("electricity", 10, "MWh", Stage.energy, 0.5, "supplier")
    with pytest.raises(InputError, match="names a part the account gives") as caught:
        build(lines, _map(flows=(("mill", bought, 3),)), Factors(PCF, "test", CBAM_EF))
    assert caught.value.problems[0].place.row == 3
