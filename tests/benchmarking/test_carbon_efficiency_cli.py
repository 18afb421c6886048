"""`carbonpeak benchmarking carbon-efficiency` on an accounts file: the hand-worked grades, JSON,
and a file without its columns refused with the place."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]

# One division, three enterprises: L = 0.3, 1.0 and 4.0 t/10^4 yuan; the division's L is
# 5,300 / 3,000 = 1.7667; K = 0.17, 0.57 (grade 1: K <= 0.6) and 2.26 (grade 5: K > 2.0)
ACCOUNTS = """enterprise_id,industry_code,year,co2_t,value_added_10k_yuan
911302007A3K9C2D24,3011,2026,300,1000
911302005B8M2P4Q99,3011,2026,1000,1000
911502003C6N8R1T91,3011,2026,4000,1000
"""


def test_grades_of_a_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS, encoding="utf-8")
    code, out, _ = cli("benchmarking", "carbon-efficiency", str(path), "--json")
    assert code == 0
    rows = {r["enterprise_id"]: r for r in json.loads(out)["results"]}
    assert [rows[e]["grade"] for e in sorted(rows)] == [1, 1, 5]
    assert rows["911502003C6N8R1T91"]["k"] == pytest.approx(4.0 / (5300 / 3000))
    code, out, _ = cli("benchmarking", "carbon-efficiency", str(path))
    assert code == 0 and "high_carbon" in out and out.count("unverified") == 1


def test_a_file_without_its_columns_is_refused_with_the_place(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("enterprise_id,industry_code,year,co2_t\nx,30,2026,1\n", encoding="utf-8")
    code, _, err = cli("benchmarking", "carbon-efficiency", str(path))
    assert code == 2
    assert f"{path}, row 1, column value_added_10k_yuan" in err
    code, _, err = cli("benchmarking", "carbon-efficiency", str(path), "--mean", "median")
    assert code == 2 and "--mean 'median'" in err
