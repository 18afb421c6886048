"""An approved edition reaches every wing of the services, not the accounting alone: each test
changes one row of a table a wing reads (an edition imported by an editor and approved by a
reviewer, as tests/reference/test_editions_store.py does), and the wing's result through its
service moves as the row says, worked out by hand from the shipped rows
(src/carbonpeak/reference/data/*.csv). Every changed value is a test fixture, not a real rule:
the editions' sources say so."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from carbonpeak.diagnosis.plant import example_text
from carbonpeak.io.reference_edition import table_sheet_title, write_edition_template
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.reference_editions import decide, import_edition
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, User

PASSWORD = "correct horse battery"
PSI_KPA = 6.894757293168  # 1 psi in kPa (the unit of air_pressure_power_rate: percent/psi)


def _actor(engine: Engine, name: str, role: str, duties: list[str], regions: list[str]) -> Actor:
    with transaction(engine) as session:
        add_user(session, name, role, PASSWORD, regions, [], "test", duties)
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def _people(engine: Engine) -> tuple[Actor, Actor]:
    """An administrator who edits the library and a reviewer (another person) who approves."""
    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    reviewer = _actor(engine, "reviewer", "regulator", ["reference_reviewer"], ["130000"])
    return editor, reviewer


def approve_edition(
    engine: Engine,
    people: tuple[Actor, Actor],
    tmp_path: Path,
    table: str,
    rows: list[list[Any]],
) -> None:
    """Import an edition of `table` changing `rows` (in the columns of the table's sheet, the
    key first) and approve it. Its source is a test fixture, not a real rule."""
    path = tmp_path / f"{table}.xlsx"
    write_edition_template(path, default_reference(), [table])
    book = load_workbook(path)
    fields = {
        "来源代码 (source_id)": f"test_fixture_{table}",
        "标题 (title)": f"{table} 调整（test fixture, not a real rule）",
        "发布机关 (issuer)": "test fixture, not a real rule",
        "文号 (document_number)": "测试〔2026〕1号",
        "生效日期 (valid_from)": datetime(2000, 1, 1),
    }
    sheet = book["版本 (edition)"]
    for line in range(2, sheet.max_row + 1):
        if sheet.cell(line, 1).value in fields:
            sheet.cell(line, 2, fields[str(sheet.cell(line, 1).value)])
    for row in rows:
        book[table_sheet_title(default_reference().spec(table))].append(row)
    out = io.BytesIO()
    book.save(out)
    editor, reviewer = people
    with transaction(engine) as session:
        draft = import_edition(session, editor, f"{table}.xlsx", out.getvalue())
    assert draft["rows"] == len(rows)
    with transaction(engine) as session:
        decide(session, reviewer, draft["edition_id"], "approve", "测试：核对了 test fixture")


def test_benchmarking_grades_carbon_efficiency_with_the_edition(
    engine: Engine, tmp_path: Path
) -> None:
    """services.benchmarking.carbon_efficiency: an enterprise alone in its division has K = L /
    its division's mean L = 1; carbon_efficiency_grades' grade 3 runs over (0.8, 1.2], so it is
    grade 3; an edition lowering grade 3's upper bound to 0.9 (test fixture) makes it grade 4,
    (0.9, 2.0]."""
    from carbonpeak.services.accounting import submit
    from carbonpeak.services.benchmarking import carbon_efficiency

    people = _people(engine)
    plant = "911302007A3K9C2D24"
    with transaction(engine) as session:
        session.add(
            Enterprise(enterprise_id=plant, name="p", region_code="130200", industry_code="3011")
        )
    lines = [
        ("electricity", "electricity", "1000", "MWh"),
        ("economic", "value_added", "500", "10^4 yuan"),
    ]
    frame = pd.DataFrame(
        [
            {"enterprise_id": plant, "period": "2024", "stream": stream, "item": item,
             "amount": amount, "unit": unit, "direction": "in"}
            for stream, item, amount, unit in lines
        ]
    )  # fmt: skip
    with transaction(engine) as session:
        submit(session, people[0], frame)
    with transaction(engine) as session:
        [before] = carbon_efficiency(session, people[0], 2024)["results"]
    assert before["k"] == pytest.approx(1.0) and before["grade"] == 3
    approve_edition(
        engine, people, tmp_path, "carbon_efficiency_grades", [["K", "3", "等级3（测试）", 0.9]]
    )
    with transaction(engine) as session:
        [after] = carbon_efficiency(session, people[0], 2024)["results"]
    assert after["k"] == pytest.approx(1.0) and after["grade"] == 4


def test_diagnosis_uses_the_edition(engine: Engine, tmp_path: Path) -> None:
    """services.diagnosis.diagnose_plant: the example plant's compressor C-1 (37 kW input,
    6,000 h) lowered by 50 kPa saves 37 x 6000 x 50 x air_pressure_power_rate; the shipped
    rate is 0.5 %/psi, an edition doubling it to 1.0 %/psi (test fixture) doubles the saving."""
    from carbonpeak.services.diagnosis import diagnose_plant

    people = _people(engine)
    plant = yaml.safe_load(example_text())

    def saving() -> float:
        with transaction(engine) as session:
            result = diagnose_plant(session, plant)
        [measure] = [m for m in result["measures"] if m["measure"] == "air_pressure_reduction"]
        [electricity] = measure["savings"]
        assert electricity["unit"] == "kWh"
        return float(electricity["amount"])

    assert saving() == pytest.approx(37 * 6000 * 50 * 0.005 / PSI_KPA)  # 8,049.6 kWh
    approve_edition(
        engine,
        people,
        tmp_path,
        "diagnosis_parameters",
        [["air_pressure_power_rate", 1.0, "percent/psi", "test fixture, not a real rule"]],
    )
    assert saving() == pytest.approx(37 * 6000 * 50 * 0.010 / PSI_KPA)  # 16,099.2 kWh


def test_monitoring_status_uses_the_edition(engine: Engine, tmp_path: Path) -> None:
    """services.monitoring_region.region_monitoring on the hand-worked lake of
    tests/monitoring/test_status.py: A received 119 of its 144 readings yesterday (0.826),
    below the shipped completeness_min 0.9, so one enterprise is below; an edition lowering
    it to 0.8 (test fixture) passes A, and the status kept for the lake is computed again."""
    from carbonpeak.services.monitoring_region import region_monitoring
    from tests.monitoring.test_status import build_lake

    people = _people(engine)
    lake = build_lake(tmp_path)
    with transaction(engine) as session:
        before = region_monitoring(session, people[0], lake, False)
    assert before.threshold.value == 0.9 and before.totals["enterprises_below"] == 1
    approve_edition(
        engine,
        people,
        tmp_path,
        "monitoring_parameters",
        [["completeness_min", 0.8, "dimensionless", "test fixture, not a real rule"]],
    )
    with transaction(engine) as session:
        after = region_monitoring(session, people[0], lake, False)
    assert after.threshold.value == 0.8 and after.threshold.source_id == (
        "test_fixture_monitoring_parameters"
    )
    assert after.status is not None
    a = {e.enterprise_id: e for e in after.status.enterprises}["911302007A3K9C2D24"]
    assert a.completeness_yesterday == round(119 / 144, 6) and a.passes_yesterday
    assert after.totals["enterprises_below"] == 0


CAPS = (
    b"region_code,year,value_added_10k_yuan,energy_tce\n130000,2020,100,100\n130000,2021,110,100\n"
)


def test_policy_caps_track_the_target_of_the_edition(engine: Engine, tmp_path: Path) -> None:
    """services.policy.track_caps: industry_energy_2025 asks energy per value added to fall
    13.5 % from 2020 to 2025, so 2021's path is 0.865 ** (1/5) = 0.971411 and 110 x 10^4 yuan
    of value added allows 106.855 tce: 100 used is on track. An edition making the change
    -50 % (test fixture) puts the path at 0.5 ** (1/5) and 2021 over it."""
    from carbonpeak.services.policy import caps_targets, track_caps

    people = _people(engine)

    def year_2021() -> dict[str, Any]:
        with transaction(engine) as session:
            result = track_caps(session, "caps.csv", CAPS, "industry_energy_2025")
        return next(r for r in result["rows"] if r["year"] == 2021)

    before = year_2021()
    assert before["path_intensity"] == pytest.approx(0.865**0.2, abs=1e-6)
    assert before["allowed"] == pytest.approx(110 * 0.865**0.2, abs=1e-3)
    assert before["on_track"]
    row = ["industry_energy_2025", "industry", "energy_intensity", 2020, 2025, -0.5]
    approve_edition(engine, people, tmp_path, "intensity_targets", [[*row, "dimensionless"]])
    after = year_2021()
    assert after["path_intensity"] == pytest.approx(0.5**0.2, abs=1e-6)
    assert after["allowed"] == pytest.approx(110 * 0.5**0.2, abs=1e-3)
    assert not after["on_track"]  # 100 / 110 = 0.909 > 0.871
    with transaction(engine) as session:
        assert "industry_energy_2025" in caps_targets(session)


def test_pathways_history_reads_the_edition(engine: Engine, tmp_path: Path) -> None:
    """services.pathways.history: Hebei's steel CO2 (CEADs) is highest in its last year, 2019,
    413.521771 Mt; an edition correcting 2019 to 400 Mt (test fixture) puts the peak in 2018
    (403.497292 Mt) and takes 13.521771 Mt off the provinces' 2019 sum."""
    from carbonpeak.services.pathways import history

    people = _people(engine)
    with transaction(engine) as session:
        before = history(session, "steel")
    hebei = next(r for r in before["regions"] if r["region_code"] == "130000")
    assert (hebei["peak_year"], hebei["peak_value"]) == (2019, 413.521771)
    approve_edition(
        engine,
        people,
        tmp_path,
        "ceads_history",
        [["130000", 2019, "steel", 400.0, "MtCO2"]],
    )
    with transaction(engine) as session:
        after = history(session, "steel")
    hebei = next(r for r in after["regions"] if r["region_code"] == "130000")
    assert (hebei["peak_year"], hebei["peak_value"]) == (2018, 403.497292)
    assert before["sum"]["values"]["2019"] - after["sum"]["values"]["2019"] == pytest.approx(
        413.521771 - 400.0
    )


def test_home_and_industry_view_name_the_deadline_of_the_edition(
    engine: Engine, tmp_path: Path
) -> None:
    """services.home.cockpit and services.benchmarking.industry_view: a clinker plant using
    120 kgce/t in 2022 is below the baseline (efficiency_levels, cement_clinker: benchmark 100,
    baseline 117), and must be upgraded by upgrade_deadlines' 2025-12-31; an edition moving
    the deadline to 2027-06-30 (test fixture) moves it on the home page and the industry view."""
    from datetime import date

    from carbonpeak.services.accounting import submit
    from carbonpeak.services.benchmarking import industry_view
    from carbonpeak.services.home import cockpit

    people = _people(engine)
    admin = people[0]
    plant = "911302007A3K9C2D24"
    with transaction(engine) as session:
        session.add(
            Enterprise(enterprise_id=plant, name="p", region_code="130200", industry_code="3011")
        )
    # tce = 120 t x 29.307 GJ/t / 29.307 GJ/tce = 120 tce for 1,000 t of clinker: 120 kgce/t
    lines = [
        {"stream": "fuel", "item": "bituminous_coal", "amount": "120", "unit": "t",
         "ncv": "29.307", "ncv_unit": "GJ/t"},
        {"stream": "product", "item": "clinker", "amount": "1000", "unit": "t",
         "cao_fraction": "0.65"},
    ]  # fmt: skip
    frame = pd.DataFrame(
        [{"enterprise_id": plant, "period": "2022", "direction": "in", **line} for line in lines]
    )
    with transaction(engine) as session:
        submit(session, admin, frame)

    def deadlines() -> tuple[object, object]:
        with transaction(engine) as session:
            [below] = industry_view(session, admin, "2022", None, False)["below"]
            [home] = cockpit(session, admin, date(2026, 3, 1), None)["below_baseline"]
        assert below["indicator_value"] == pytest.approx(120)
        assert below["area"] == home["area"] == "cement_clinker"
        return below["deadline"], home["deadline"]

    assert deadlines() == ("2025-12-31", "2025-12-31")
    approve_edition(
        engine, people, tmp_path, "upgrade_deadlines", [["cement_clinker", date(2027, 6, 30)]]
    )
    assert deadlines() == ("2027-06-30", "2027-06-30")
