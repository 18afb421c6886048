"""Energy-use control: the path to an intensity target worked by hand, on track or not, the
allowance used and remaining, caps; bad tables by row and column."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.policy.energy_caps import Target, check_table, track
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
TABLE = (
    "region_code,year,value_added_10k_yuan,energy_tce,cap_tce\n"
    "130000,2020,1000000,1000000,\n"
    "130000,2021,1050000,1020000,1100000\n"
    "130000,2022,1100000,1040000,1030000\n"
    "110000,2020,500000,200000,\n"
    "110000,2021,520000,190000,\n"
)


def _rows(tmp_path: Path) -> list[dict]:
    path = tmp_path / "regions.csv"
    path.write_text(TABLE, encoding="utf-8")
    target = Target.of(REFERENCE, "industry_energy_2025")
    tidy, problems = check_table(
        pd.read_csv(path, dtype=str, keep_default_na=False), target.indicator
    )
    assert problems == []
    return track(tidy, target)


def test_the_path_by_hand(tmp_path: Path) -> None:
    """-13.5 % from 2020 to 2025 at a constant rate: the 2021 path is 1 x 0.865^(1/5)."""
    rows = {(r["region_code"], r["year"]): r for r in _rows(tmp_path)}
    step = 0.865 ** (1 / 5)
    hebei_2021 = rows[("130000", 2021)]
    assert hebei_2021["path_intensity"] == pytest.approx(step, abs=1e-6)
    assert hebei_2021["intensity"] == pytest.approx(1020000 / 1050000, abs=1e-6)
    assert hebei_2021["on_track"] is (step >= 1020000 / 1050000)
    assert hebei_2021["allowed"] == pytest.approx(1050000 * step, abs=0.01)
    assert hebei_2021["remaining"] == pytest.approx(1050000 * step - 1020000, abs=0.01)
    assert hebei_2021["within_cap"] is True
    hebei_2022 = rows[("130000", 2022)]
    assert hebei_2022["path_intensity"] == pytest.approx(step**2, abs=1e-6)
    assert hebei_2022["within_cap"] is False  # 1,040,000 used against a cap of 1,030,000
    beijing = rows[("110000", 2021)]
    assert beijing["on_track"] and beijing["change_from_base"] == pytest.approx(
        (190000 / 520000) / 0.4 - 1, abs=1e-6
    )


def test_caps_command(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(TABLE, encoding="utf-8")
    code, out, err = cli("caps", "track", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["change"] == -0.135 and len(result["rows"]) == 5
    code, out, err = cli(
        "caps", "track", str(path), "--change", "-0.2", "--base", "2020", "--end", "2025", "--json"
    )
    hebei = next(
        r for r in json.loads(out)["rows"] if (r["region_code"], r["year"]) == ("130000", 2021)
    )
    assert hebei["path_intensity"] == pytest.approx(0.8 ** (1 / 5), abs=1e-6)
    bad = tmp_path / "bad.csv"
    bad.write_text(TABLE + "130000,2021,x,5,\n130000,2023,0,5,\n", encoding="utf-8")
    code, _out, err = cli("caps", "track", str(bad))
    assert code == 2 and "row 7, column value_added_10k_yuan" in err and "row 7, column year" in err
    assert "row 8, column value_added_10k_yuan" in err
    code, _out, err = cli("caps", "track", str(path), "--target", "nothing")
    assert code == 2 and "industry_energy_2025" in err
