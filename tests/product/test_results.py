"""A cement plant's year as a CBAM exporter sees it: actual SEE against China's default values
with the 2026 mark-up, and the certificates per tonne either way (by hand, with the tables'
values: grey clinker 1.39 and grey Portland cement 1.42 tCO2e/t, benchmarks 0.666 and 0.0 /
0.666, CBAM factor 0.975, CSCF 1)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from carbonpeak.product.plant import Factors
from carbonpeak.product.results import product_results
from carbonpeak.reference.loader import default_reference

from .test_plant import CBAM_EF, PCF, _lines, _map


def _results(electricity: float | None = CBAM_EF):  # type: ignore[no-untyped-def]
    plan = _map()
    kiln, mill = plan.units
    units = (
        replace(kiln, cn_codes={"clinker": "2523 10 00 90"}, routes={"clinker": "A"}),
        replace(mill, cn_codes={"cement": "2523 29 00"}),
    )
    lines, totals = _lines()
    done = product_results(
        lines,
        replace(plan, units=units),
        Factors(PCF, "test", electricity),
        default_reference(),
        2026,
    )
    return done, float(totals["co2_combustion_t"] + totals["co2_process_t"])


def test_the_cement_plants_goods_against_the_default_values() -> None:
    done, direct = _results()
    goods = {g.product: g for g in done.goods}
    clinker, cement = goods["clinker"], goods["cement"]
    see_clinker = direct / 800 + 300 * CBAM_EF / 800  # not Annex II: indirect counts
    assert clinker.see.counted == pytest.approx(see_clinker)
    assert clinker.default.value == pytest.approx(1.39)
    assert clinker.default_marked_up == pytest.approx(1.529)
    assert clinker.actual.certificates == pytest.approx(max(0, see_clinker - 0.975 * 0.666))  # type: ignore[union-attr]
    assert clinker.by_default.certificates == pytest.approx(1.529 - 0.975 * 0.666)  # type: ignore[union-attr]
    see_cement = 0.75 * see_clinker + 200 * CBAM_EF / 1000
    assert cement.see.counted == pytest.approx(see_cement)
    assert cement.default_marked_up == pytest.approx(1.42 * 1.1)
    assert cement.benchmark_actual.value == 0.0  # type: ignore[union-attr]
    # actual values are measured against the chain's benchmark: the mill's own Column A (0)
    # plus 0.75 t of clinker a tonne x clinker's 0.666 (SEFA of a complex good)
    assert cement.benchmark_actual_chain == pytest.approx(0.75 * 0.666)
    assert cement.actual.certificates == pytest.approx(  # type: ignore[union-attr]
        see_cement - 0.975 * 0.75 * 0.666
    )
    assert clinker.benchmark_actual_chain == pytest.approx(0.666)
    assert cement.by_default.certificates == pytest.approx(1.562 - 0.975 * 0.666)  # type: ignore[union-attr]
    assert clinker.good.direct_only is False and done.warnings == ()
    assert done.footprints["cement"].total > 0


def test_without_an_electricity_factor_the_understatement_is_said() -> None:
    done, _ = _results(electricity=None)
    assert [w.code for w in done.warnings] == ["product.cbam.no_electricity_factor"]
    assert {g.product: g.see.indirect for g in done.goods}["clinker"] == 0


def test_the_electricity_footprint_factor_of_the_year_or_the_latest_before() -> None:
    from carbonpeak.product.years import factors_for

    reference = default_reference()
    assert factors_for(reference, 2023).electricity_pcf == pytest.approx(0.6205e-3)
    assert factors_for(reference, 2024).electricity_pcf == pytest.approx(0.5777e-3)
    assert factors_for(reference, 2026).electricity_pcf == pytest.approx(0.5777e-3)
    early = factors_for(reference, 2022, electricity_cbam=0.6)
    assert early.electricity_pcf is None and early.electricity_cbam == 0.6
    assert "unverified" in (factors_for(reference, 2024).electricity_pcf_source or "")


def test_the_results_as_json_records() -> None:
    import json

    from carbonpeak.product.records import results_record

    done, _ = _results()
    record = json.loads(json.dumps(results_record(done)))
    goods = {g["product"]: g for g in record["goods"]}
    assert goods["clinker"]["default"]["status"] == "unverified"
    assert goods["clinker"]["default_marked_up"] == pytest.approx(1.529)
    assert goods["clinker"]["actual_saves_per_t"] == pytest.approx(
        goods["clinker"]["by_default"]["certificates_per_t"]
        - goods["clinker"]["actual"]["certificates_per_t"]
    )
    cement = next(f for f in record["footprints"] if f["product"] == "cement")
    assert sum(p["tco2e_per_t"] for p in cement["parts"]) == pytest.approx(
        cement["total_tco2e_per_t"], abs=1e-5
    )
    assert [r["component"] for r in record["reconciliation"]] == [
        "direct",
        "electricity",
        "heat",
        "gate_to_gate",
        "outside_account",
    ]


def test_the_products_leaving_the_gate_carry_the_account_by_hand() -> None:
    """50 t of clinker (800 made, 750 ground) and 1000 t of cement leave the gate: their
    gate-to-gate parts add up to the account's direct emissions and the 500 MWh at the
    footprint's factor (clinker 1 t: (direct + 300 MWh x PCF) / 800; cement 1 t: 200 MWh x PCF
    / 1000 + 0.75 t of clinker), so the difference is the electricity row's alone; nothing
    comes from outside the account."""
    done, direct = _results()
    rows = {d.component: d for d in done.reconciliation}
    clinker = (direct + 300_000 * PCF) / 800
    cement = 200_000 * PCF / 1000 + 0.75 * clinker
    assert rows["gate_to_gate"].model_t == pytest.approx(50 * clinker + 1000 * cement)
    assert rows["gate_to_gate"].model_t == pytest.approx(direct + 500_000 * PCF)
    assert rows["gate_to_gate"].difference_t == pytest.approx(
        rows["direct"].difference_t + rows["electricity"].difference_t + rows["heat"].difference_t
    )
    assert rows["outside_account"].model_t == 0


def test_a_material_bought_is_outside_the_account() -> None:
    """1 t of gypsum at 0.01 tCO2e/t in every 20 t of cement: 1000 t carry 0.5 t from
    outside the account, and the gate-to-gate row is unchanged."""
    from carbonpeak.product.footprint import Flow, Stage

    plan = _map()
    gypsum = Flow("gypsum", 50, "t", Stage.materials, 0.01, "test")
    lines, _ = _lines()
    done = product_results(
        lines,
        replace(plan, flows=(("mill", gypsum, 2),)),
        Factors(PCF, "test", CBAM_EF),
        default_reference(),
        2026,
    )
    rows = {d.component: d for d in done.reconciliation}
    assert rows["outside_account"].model_t == pytest.approx(0.5)
    before = {d.component: d for d in _results()[0].reconciliation}
    assert rows["gate_to_gate"].model_t == pytest.approx(before["gate_to_gate"].model_t)


def test_a_province_at_once_gives_each_plants_own_results() -> None:
    from pathlib import Path

    import pandas as pd

    from carbonpeak.io.product_map import read_product_map
    from carbonpeak.product.years import province_results, year_results

    examples = Path(__file__).parents[2] / "examples"
    plan = read_product_map(examples / "product_map.xlsx")
    one = pd.read_csv(examples / "product_activity.csv", dtype=str)
    other = one.assign(
        enterprise_id="911302005B8M2P4Q99",
        amount=(one["amount"].astype(float) * 1.5).astype(str),
    )
    activity = pd.concat([one, other], ignore_index=True)
    reference = default_reference()
    together = province_results(
        activity, None, {e: plan for e in activity["enterprise_id"].unique()}, 2024, reference
    )
    for enterprise_id, done in together.items():
        alone = year_results(activity, None, plan, enterprise_id, 2024, reference)
        assert {p: f.total for p, f in done.footprints.items()} == pytest.approx(
            {p: f.total for p, f in alone.footprints.items()}
        )
    assert (
        together["911302005B8M2P4Q99"].footprints["clinker"].total
        > together[one["enterprise_id"][0]].footprints["clinker"].total
    )


def test_a_loop_in_the_map_is_refused_at_its_sheet() -> None:
    from carbonpeak.errors import InputError
    from carbonpeak.product.plant import Link

    plan = _map(links=(Link("kiln", "clinker", 800, 3),))  # the kiln eats all it makes
    lines, _ = _lines()
    with pytest.raises(InputError) as refused:
        product_results(lines, plan, Factors(PCF, "test", CBAM_EF), default_reference(), 2026)
    assert refused.value.problems[0].place.sheet == "工序间"
    assert "loop" in str(refused.value)


def test_a_unit_without_category_counts_its_indirect_emissions_and_says_so() -> None:
    plan = _map()
    kiln, mill = plan.units
    units = (replace(kiln, category=None), replace(mill, cn_codes={"cement": "2523 29 00"}))
    lines, _ = _lines()
    done = product_results(
        lines,
        replace(plan, units=units),
        Factors(PCF, "test", CBAM_EF),
        default_reference(),
        2026,
    )
    said = {w.code: w.data for w in done.warnings}
    assert said["product.cbam.no_category"] == {"units": ["kiln"]}
    cement = done.goods[0]
    assert cement.see.indirect_counted == pytest.approx(
        200 * CBAM_EF / 1000 + 0.75 * 300 * CBAM_EF / 800
    )


def test_an_earlier_years_electricity_factor_is_said() -> None:
    from carbonpeak.product.years import factors_for

    plan = _map()
    lines, _ = _lines()
    reference = default_reference()
    later = product_results(lines, plan, factors_for(reference, 2026), reference, 2026)
    said = {w.code: w.data for w in later.warnings}
    assert said["product.footprint.earlier_factor"] == {"factor_year": 2024, "year": 2026}
    same = product_results(lines, plan, factors_for(reference, 2024), reference, 2024)
    assert "product.footprint.earlier_factor" not in {w.code for w in same.warnings}


def test_a_good_without_a_benchmark_is_said() -> None:
    """7601 20 20 (unwrought aluminium alloy slabs or billets) has a default value for China
    (3.0) but no benchmark: the 2025 implementing act prints its successors 7601 20 30 and
    7601 20 40. No free allocation is deducted, no certificates computed, and it is said."""
    plan = _map()
    kiln, mill = plan.units
    units = (replace(kiln, cn_codes={"clinker": "7601 20 20"}, routes={"clinker": "K"}), mill)
    lines, _ = _lines()
    done = product_results(
        lines, replace(plan, units=units), Factors(PCF, "test", CBAM_EF), default_reference(), 2026
    )
    (good,) = done.goods
    assert good.actual is None and good.by_default is None
    assert good.default.value == pytest.approx(3.0)
    said = {w.code: w.data for w in done.warnings}
    assert said["product.cbam.no_benchmark"] == {"product": "clinker", "cn_code": "76012020"}


def test_electricity_sold_is_said_for_the_footprint_and_for_cbam() -> None:
    import pandas as pd

    from carbonpeak.accounting.engine import account

    from .test_plant import CEMENT

    activity = pd.DataFrame(
        [
            {"stream": "fuel", "item": "raw_coal", "amount": "100", "direction": "in"},
            {"stream": "process", "item": "limestone", "amount": "1000", "direction": "in"},
            {"stream": "electricity", "item": "electricity", "amount": "500000", "direction": "in"},
            {
                "stream": "electricity",
                "item": "electricity",
                "amount": "100000",
                "direction": "out",
            },
        ]
    ).assign(enterprise_id=CEMENT, period="2023", unit=["t", "t", "kWh", "kWh"])
    plan = _map()
    kiln, mill = plan.units
    units = (replace(kiln, cn_codes={"clinker": "2523 10 00 90"}, routes={"clinker": "A"}), mill)
    done = product_results(
        account(activity).lines,
        replace(plan, units=units),
        Factors(PCF, "test", CBAM_EF),
        default_reference(),
        2026,
    )
    said = {w.code: w.data for w in done.warnings}
    assert said["product.footprint.exported_electricity"] == {"mwh": 100.0}
    assert said["product.cbam.exported_electricity"] == {"mwh": 100.0}


def _bought(**given: object):  # type: ignore[no-untyped-def]
    from carbonpeak.product.plant import BoughtGood

    plan = _map()
    kiln, mill = plan.units
    units = (
        replace(kiln, cn_codes={"clinker": "2523 10 00 90"}, routes={"clinker": "A"}),
        replace(mill, cn_codes={"cement": "2523 29 00"}),
    )
    fields: dict[str, object] = {"unit": "mill", "item": "bought clinker", "tonnes": 500.0,
                                 "cn_code": "2523 10 00 90", "row": 2} | given  # fmt: skip
    lines, totals = _lines()
    done = product_results(
        lines,
        replace(plan, units=units, bought=(BoughtGood(**fields),)),  # type: ignore[arg-type]
        Factors(PCF, "test", CBAM_EF),
        default_reference(),
        2026,
    )
    return done, float(totals["co2_combustion_t"] + totals["co2_process_t"])


def test_a_precursor_bought_with_its_suppliers_see_by_hand() -> None:
    """500 t of clinker bought at the supplier's 0.9 direct and 0.05 indirect into the 1000 t
    of cement (review H2): 0.5 t a tonne adds 0.45 direct and 0.025 indirect, both counted
    (cement is not of Annex II)."""
    done, direct = _bought(see_direct=0.9, see_indirect=0.05)
    see_clinker = direct / 800 + 300 * CBAM_EF / 800
    cement = done.see["mill"]
    assert cement.counted == pytest.approx(
        0.75 * see_clinker + 200 * CBAM_EF / 1000 + 0.5 * (0.9 + 0.05)
    )
    bought = done.see["bought clinker"]
    assert (bought.direct, bought.indirect) == pytest.approx((0.9, 0.05))
    assert not [w for w in done.warnings if w.code.startswith("product.cbam.precursor")]


def test_a_precursor_bought_without_its_suppliers_see_takes_the_default_said() -> None:
    """Grey clinker made in China: the default value 1.35 direct and 0.04 indirect (1.39)."""
    done, direct = _bought()
    see_clinker = direct / 800 + 300 * CBAM_EF / 800
    assert done.see["mill"].counted == pytest.approx(
        0.75 * see_clinker + 200 * CBAM_EF / 1000 + 0.5 * 1.39
    )
    said = {w.code: w.data for w in done.warnings}
    assert said["product.cbam.precursor_default"] == {
        "item": "bought clinker",
        "cn_code": "2523100090",
        "country": "CN",
        "value": 1.39,
    }


def test_a_precursor_bought_before_the_definitive_period_is_said_uncounted() -> None:
    from carbonpeak.product.plant import BoughtGood

    plan = _map()
    lines, _ = _lines()
    good = BoughtGood("mill", "bought clinker", 500.0, "2523 10 00 90", row=2)
    done = product_results(
        lines,
        replace(plan, bought=(good,)),
        Factors(PCF, "test", CBAM_EF),
        default_reference(),
        2024,
    )
    said = {w.code: w.data for w in done.warnings}
    assert said["product.cbam.precursor_unvalued"]["item"] == "bought clinker"
    assert done.see["bought clinker"].counted == 0


def test_a_precursor_named_as_a_product_made_here_is_refused() -> None:
    from carbonpeak.errors import InputError

    with pytest.raises(InputError, match="bought and made here"):
        _bought(item="clinker")
