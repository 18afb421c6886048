"""Metering coverage against GB 17167 Table 1. The rates of neither edition were found in a
faithful copy, so the reference ships `metering_coverage_requirements` without rows and the
diagnosis gives no verdict; an authority supplies the rates as a file.

Every rate in this module is TEST DATA made up for the tests, NOT a value of GB 17167."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.diagnosis.management import (
    RATES,
    MeterCount,
    check_rates,
    edition_on,
    metering,
)
from carbonpeak.diagnosis.plant import diagnose, parse
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import Reference, default_reference

EXAMPLE = Path(str(resources.files("carbonpeak.diagnosis") / "example.yaml"))
HEADER = "standard,level,energy,rate,valid_from,valid_to,source_id,status,note\n"
TEST_NOTE = "TEST DATA for carbonpeak's tests, not a value of the standard"
# TEST DATA, not the standard's values
TEST_RATES = HEADER + "".join(
    f'{standard},{level},{energy},{rate},{start},{end},{source},unverified,"{TEST_NOTE}"\n'
    for standard, level, energy, rate, start, end, source in (
        (
            "GB 17167-2006",
            "unit",
            "electricity",
            1.0,
            "2007-01-01",
            "2026-02-01",
            "dg_gb17167_2006",
        ),
        (
            "GB 17167-2006",
            "unit",
            "natural_gas",
            1.0,
            "2007-01-01",
            "2026-02-01",
            "dg_gb17167_2006",
        ),
        (
            "GB 17167-2006",
            "sub_unit",
            "electricity",
            0.9,
            "2007-01-01",
            "2026-02-01",
            "dg_gb17167_2006",
        ),
        (
            "GB 17167-2006",
            "equipment",
            "electricity",
            0.775,
            "2007-01-01",
            "2026-02-01",
            "dg_gb17167_2006",
        ),
        ("GB 17167-2025", "unit", "electricity", 1.0, "2026-02-01", "", "dg_gb17167_2025"),
        ("GB 17167-2025", "sub_unit", "electricity", 0.85, "2026-02-01", "", "dg_gb17167_2025"),
    )
)
# The example plant's counts: unit electricity 2/2 and natural gas 1/1, sub-unit electricity
# 7/8 = 0.875, equipment electricity 31/40 = 0.775.


@pytest.fixture(scope="module")
def plant() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    path = tmp_path_factory.mktemp("rates") / "rates.csv"
    path.write_text(TEST_RATES, encoding="utf-8")
    return default_reference().with_rows(RATES, path)


def test_the_table_ships_without_rows_and_the_editions() -> None:
    reference = default_reference()
    assert reference.rows(RATES) == []
    assert reference.spec(RATES).authority_supplied
    assert edition_on(date(2006, 12, 31)) is None
    assert edition_on(date(2007, 1, 1)) == "GB 17167-2006"
    assert edition_on(date(2026, 1, 31)) == "GB 17167-2006"
    assert edition_on(date(2026, 2, 1)) == "GB 17167-2025"


def test_without_rates_no_verdict_and_the_note_names_the_table(plant: dict[str, Any]) -> None:
    result = diagnose(parse(plant), default_reference())
    metering = result["metering"]
    assert metering["verdict"] is None
    assert metering["level_verdicts"] == {"unit": None, "sub_unit": None, "equipment": None}
    assert {r["verdict"] for r in metering["rows"]} == {None}
    assert metering["rates"] == [] and metering["standard"] == "GB 17167-2006"
    assert metering["as_of"] == "2024-12-31"  # no diagnosis_date: the end of the plant's year
    assert metering["note"] == (
        "the reference table metering_coverage_requirements has no rows of GB 17167-2006 in "
        "force on 2024-12-31: the required coverage rates of GB 17167 Table 1 (GB 17167-2006 "
        "from 2007-01-01 to 2026-01-31, GB 17167-2025 from 2026-02-01) are supplied by the "
        "authority; coverage is reported without a verdict"
    )
    assert metering["note"] == metering["note_template"].format(*metering["note_values"])
    assert not [w for w in result["warnings"] if w["code"].startswith("diagnosis.management")]
    before = dict(plant, diagnosis_date="2006-12-31", year=2006)
    note = diagnose(parse(before), default_reference())["metering"]["note"]
    assert note.startswith("no edition of GB 17167 in force on 2006-12-31 (GB 17167-2006 from")


def test_supplied_rates_of_the_2006_edition(plant: dict[str, Any], rated: Reference) -> None:
    result = diagnose(parse(dict(plant, diagnosis_date="2026-01-31")), rated)
    metering = result["metering"]
    assert metering["standard"] == "GB 17167-2006" and metering["as_of"] == "2026-01-31"
    rows = {(r["level"], r["energy"]): r for r in metering["rows"]}
    assert rows[("unit", "electricity")]["verdict"] == "meets"  # 2/2 >= 1.0
    assert rows[("unit", "natural_gas")]["verdict"] == "meets"  # 1/1 >= 1.0
    assert rows[("sub_unit", "electricity")]["verdict"] == "below"  # 0.875 < 0.9
    assert rows[("equipment", "electricity")]["verdict"] == "meets"  # 0.775 >= 0.775, exactly
    assert rows[("sub_unit", "electricity")]["rate"] == 0.9
    assert metering["level_verdicts"] == {
        "unit": "meets",
        "sub_unit": "below",
        "equipment": "meets",
    }
    assert metering["verdict"] == "below"
    assert [r["line"] for r in metering["rates"]] == [2, 3, 4, 5]
    assert {r["status"] for r in metering["rates"]} == {"unverified"}
    assert metering["note"] == "verdicts against the rates of GB 17167-2006 in force on 2026-01-31"
    warning = [
        w for w in result["warnings"] if w["code"] == "diagnosis.management.unverified_rates"
    ]
    assert warning and warning[0]["data"] == {"standard": "GB 17167-2006", "lines": [2, 3, 4, 5]}
    # no diagnosis date: the plant's year (2024) is under the 2006 edition too
    assert diagnose(parse(plant), rated)["metering"]["verdict"] == "below"


def test_supplied_rates_of_the_2025_edition(plant: dict[str, Any], rated: Reference) -> None:
    metering = diagnose(parse(dict(plant, diagnosis_date="2026-02-01")), rated)["metering"]
    assert metering["standard"] == "GB 17167-2025"
    rows = {(r["level"], r["energy"]): r["verdict"] for r in metering["rows"]}
    # the test file gives the 2025 edition no natural-gas and no equipment rate
    assert rows == {
        ("unit", "electricity"): "meets",
        ("unit", "natural_gas"): None,
        ("sub_unit", "electricity"): "meets",  # 0.875 >= 0.85
        ("equipment", "electricity"): None,
    }
    assert metering["level_verdicts"] == {"unit": None, "sub_unit": "meets", "equipment": None}
    assert metering["verdict"] is None
    assert metering["note"] == (
        "GB 17167-2025 gives no rate for unit/natural_gas, equipment/electricity: "
        "no verdict for them"
    )


def test_a_level_is_below_when_any_count_is(rated: Reference) -> None:
    counts = [
        MeterCount(level="unit", energy="electricity", required=3, installed=2),
        MeterCount(level="unit", energy="coal", required=1, installed=1),  # no rate: unknown
    ]
    result, _ = metering(counts, rated, date(2020, 6, 1))
    assert result["level_verdicts"] == {"unit": "below"} and result["verdict"] == "below"


def test_a_rates_file_is_checked_like_the_reference(tmp_path: Path) -> None:
    bad = tmp_path / "rates.csv"
    bad.write_text(
        HEADER
        + "GB 17167-2006,unit,electricity,high,2007-01-01,2026-02-01,dg_gb17167_2006,verified,\n"
        + "GB 17167-2016,unit,steam,0.9,2007-01-01,,dg_gb17167_2006,verified,\n"
        + "GB 17167-2025,plant,steam,0.9,2026-02-01,,nowhere,unverified,\n"
        + "GB 17167-2025,unit,steam,0.9,2026-02-01,,dg_gb17167_2025,verified,\n"
        + "GB 17167-2025,unit,steam,0.8,2027-01-01,,dg_gb17167_2025,verified,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        default_reference().with_rows(RATES, bad)
    assert [str(p).removeprefix(f"{bad}, ") for p in raised.value.problems] == [
        "row 2, column rate: 'high' is not a number",
        "row 3, column standard: 'GB 17167-2016' is not one of GB 17167-2006, GB 17167-2025",
        "row 4, column level: 'plant' is not one of unit, sub_unit, equipment",
        "row 4, column note: an unverified row needs a note saying why (recalled, secondary, "
        "derived)",
        "row 6, column valid_from: validity of standard=GB 17167-2025, level=unit, "
        "energy=steam overlaps row 5 (2026-02-01 to -)",
        "row 4, column source_id: 'nowhere' is not in sources",
    ]
    with pytest.raises(InputError, match="file is missing"):
        default_reference().with_rows(RATES, tmp_path / "none.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("level,energy,rate\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing standard"):
        default_reference().with_rows(RATES, wrong)


def test_a_supplied_table_changes_the_digest(rated: Reference) -> None:
    assert rated.digest != default_reference().digest
    assert len(rated.rows(RATES)) == 6 and default_reference().rows(RATES) == []


def test_the_command_takes_the_rates(
    plant: dict[str, Any], tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    (tmp_path / "plant.yaml").write_text(yaml.safe_dump(plant), encoding="utf-8")
    rates = tmp_path / "rates.csv"
    rates.write_text(TEST_RATES, encoding="utf-8")
    code, stdout, stderr = cli(
        "diagnosis", "run", str(tmp_path / "plant.yaml"), "--rates", str(rates), "--json"
    )
    assert code == 0, stderr
    assert json.loads(stdout)["metering"]["verdict"] == "below"
    code, stdout, _ = cli("diagnosis", "run", str(tmp_path / "plant.yaml"), "--json")
    assert code == 0 and json.loads(stdout)["metering"]["verdict"] is None
    broken = copy.deepcopy(TEST_RATES).replace("0.85", "lots")
    rates.write_text(broken, encoding="utf-8")
    code, _, stderr = cli("diagnosis", "run", str(tmp_path / "plant.yaml"), "--rates", str(rates))
    assert code == 2 and "row 7, column rate: 'lots' is not a number" in stderr


def test_the_report_shows_the_verdicts_and_the_note(
    plant: dict[str, Any], rated: Reference
) -> None:
    from carbonpeak.reports.diagnosis import diagnosis_html

    judged = diagnose(parse(plant), rated)
    html = diagnosis_html(judged, rated, "zh_CN")
    assert "87.5 % (低于要求)" in html and "100.0 % (符合)" in html
    assert "按 GB 17167-2006 在 2024-12-31 有效的配备率要求判定" in html
    plain = diagnose(parse(plant), default_reference())
    html = diagnosis_html(plain, default_reference(), "zh_CN")
    assert "由主管部门提供；配备率仅报告，不作判定" in html and "(符合)" not in html
    english = diagnosis_html(plain, default_reference(), "en")
    assert "are supplied by the authority; coverage is reported without a verdict" in english


def test_a_rate_outside_its_edition_is_refused(
    plant: dict[str, Any], tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        HEADER
        + f'GB 17167-2006,unit,coal,1.0,2007-01-01,,dg_gb17167_2006,unverified,"{TEST_NOTE}"\n'
        + f'GB 17167-2025,unit,coal,1.0,2025-01-01,,dg_gb17167_2025,unverified,"{TEST_NOTE}"\n'
        + f'GB 17167-2025,unit,oil,1.0,2026-02-01,,dg_gb17167_2025,unverified,"{TEST_NOTE}"\n',
        encoding="utf-8",
    )
    supplied = default_reference().with_rows(RATES, rates)
    assert [str(p) for p in check_rates(supplied)] == [
        "row 2, column valid_from: valid from 2007-01-01 to -: outside GB 17167-2006, in force "
        "from 2007-01-01 to 2026-02-01",
        "row 3, column valid_from: valid from 2025-01-01 to -: outside GB 17167-2025, in force "
        "from 2026-02-01 to -",
    ]
    (tmp_path / "plant.yaml").write_text(yaml.safe_dump(plant), encoding="utf-8")
    code, _, stderr = cli("diagnosis", "run", str(tmp_path / "plant.yaml"), "--rates", str(rates))
    assert code == 2 and f"{rates}, row 3, column valid_from" in stderr


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["unit", "sub_unit", "equipment"]),
            st.sampled_from(["electricity", "natural_gas", "steam"]),
            st.integers(1, 50),
            st.integers(0, 50),
            st.one_of(st.none(), st.sampled_from([0.5, 0.8, 0.9, 0.95, 1.0])),
        ),
        min_size=1,
        max_size=9,
        unique_by=lambda c: (c[0], c[1]),
    )
)
def test_verdicts_follow_the_rates(counts: list[tuple[str, str, int, int, float | None]]) -> None:
    """TEST DATA rates: a count is below exactly when installed < rate x required; a level is
    below when one of its counts is, meets when all have rates and meet, else has no verdict."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rates.csv"
        path.write_text(
            HEADER
            + "".join(
                f"GB 17167-2006,{level},{energy},{rate},2007-01-01,2026-02-01,dg_gb17167_2006,"
                f'unverified,"{TEST_NOTE}"\n'
                for level, energy, _, _, rate in counts
                if rate is not None
            ),
            encoding="utf-8",
        )
        reference = default_reference().with_rows(RATES, path)
    meters = [
        MeterCount(
            level=level, energy=energy, required=required, installed=min(installed, required)
        )
        for level, energy, required, installed, _ in counts
    ]
    result, _ = metering(meters, reference, date(2020, 1, 1))
    for row, (_, _, required, installed, rate) in zip(result["rows"], counts, strict=True):
        installed = min(installed, required)
        expected = None if rate is None else "below" if installed < rate * required else "meets"
        assert row["verdict"] == expected
    for level, verdict in result["level_verdicts"].items():
        mine = [r["verdict"] for r in result["rows"] if r["level"] == level]
        assert verdict == ("below" if "below" in mine else None if None in mine else "meets")
