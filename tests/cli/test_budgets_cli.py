"""`carbonpeak budgets` on a store (SQLite and PostgreSQL through CARBONPEAK_DATABASE_URL):
import a CSV with Chinese headers as a regulator, list, track, export and import back, enter
thresholds, record, delete; bad input exits 2 with its place and stores nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise

Cli = Callable[..., tuple[int, str, str]]
CEMENT, STEEL = "911302007A3K9C2D24", "911302005B8M2P4Q99"
CSV = (
    "预算编号,范围,代码,年度,指标,总量上限,月度分布,预留比例\n"
    ",地区,130000,2025,二氧化碳,1000,均匀,0.1\n"
    ",地区,130200,2025,二氧化碳,500,均匀,\n"
    f",企业,{CEMENT},2025,二氧化碳,200,均匀,\n"
)


@pytest.fixture
def store(engine: Engine, database: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", database)
    with transaction(engine) as session:
        for code, name in ((CEMENT, "示例水泥"), (STEEL, "示例钢铁")):
            session.add(
                Enterprise(
                    enterprise_id=code, name=name, region_code="130200", industry_code="3011"
                )
            )
        add_user(session, "hebei", "regulator", "a long enough password", regions=["130000"])
        add_user(session, "tangshan", "regulator", "a long enough password", regions=["130200"])
        add_user(session, "cement", "enterprise", "a long enough password", enterprises=[CEMENT])
    return engine


def _budgets(cli: Cli, who: str = "hebei") -> list[dict[str, object]]:
    code, out, err = cli("budgets", "list", "--as", who, "--year", "2025", "--json")
    assert code == 0, err
    return [{k: v for k, v in b.items() if k != "updated_at"} for b in json.loads(out)["budgets"]]


def test_budget_commands(cli: Cli, store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "预算.csv"
    path.write_text(CSV, encoding="utf-8")
    code, out, err = cli("budgets", "import", str(path), "--as", "hebei", "--json")
    assert code == 0, err
    saved = {b["code"]: b for b in json.loads(out)["budgets"]}
    assert saved[CEMENT]["parent_id"] == saved["130200"]["budget_id"]
    assert saved["130200"]["parent_id"] == saved["130000"]["budget_id"]
    assert [b["code"] for b in _budgets(cli, "cement")] == [CEMENT]

    code, out, err = cli(
        "budgets", "track", "--year", "2025", "--as-of", "2025-03-31", "--as", "hebei", "--json"
    )
    assert code == 0, err
    view = json.loads(out)
    # no accounts stored: nothing used; the even profile's Q1 = 90 / 365 of the year
    assert [b["elapsed_share"] for b in view["budgets"]] == pytest.approx([90 / 365] * 3)
    assert {b["level"] for b in view["budgets"]} == {None}
    code, out, _ = cli(
        "budgets", "track", "--year", "2025", "--as-of", "2025-03-31", "--as", "hebei"
    )
    assert code == 0 and "示例水泥" in out and "河北省" in out

    before = _budgets(cli)
    workbook = tmp_path / "export.xlsx"
    code, out, err = cli("budgets", "export", str(workbook), "--year", "2025", "--as", "hebei")
    assert code == 0, err
    assert "3 budget(s)" in out
    code, _, err = cli("budgets", "import", str(workbook), "--as", "hebei")
    assert code == 0, err
    assert _budgets(cli) == before

    thresholds = tmp_path / "阈值.csv"
    thresholds.write_text(
        "quantity,indicator,level,threshold,valid_from\nco2,pace,yellow,1.0,2025-01-01\n",
        encoding="utf-8",
    )
    code, out, err = cli(
        "budgets", "thresholds", str(thresholds), "--region", "130000",
        "--document", "冀发改〔2025〕1号", "--as", "hebei",
    )  # fmt: skip
    assert code == 0, err
    assert "1 threshold row(s) entered for 130000" in out
    code, out, err = cli("budgets", "record", "--as-of", "2025-03-31", "--json")
    assert code == 0, err
    # no account stored: no figure of use, so no level and no alert
    assert [c for c in json.loads(out)["changes"] if c["kind"] == "raised"] == []
    code, out, _ = cli("budgets", "alerts", "--as", "hebei", "--open", "--json")
    assert (code, json.loads(out)) == (0, {"alerts": []})

    code, _, err = cli("budgets", "delete", str(saved[CEMENT]["budget_id"]), "--as", "cement")
    assert code == 2 and "regulators set budgets" in err
    code, out, err = cli("budgets", "delete", str(saved["130200"]["budget_id"]), "--as", "hebei")
    assert code == 0, err
    after = {b["code"]: b for b in _budgets(cli)}
    assert after[CEMENT]["parent_id"] == saved["130000"]["budget_id"]  # took its grandparent


@pytest.mark.parametrize(
    ("who", "text", "place"),
    [
        ("hebei", "预算编号,范围,代码,年度,指标,总量上限,备注\n", "row 1, column 备注"),
        (
            "tangshan",
            "范围,代码,年度,指标,总量上限\n地区,130100,2025,二氧化碳,400\n",
            "row 2, column 代码, field code: 130100 is outside your regions",
        ),
        (
            "hebei",
            "范围,代码,年度,指标,强度上限,强度基准\n地区,130000,2025,能源,0.5,增加值\n",
            "row 2, column 计划分母, field planned: an intensity budget needs the planned",
        ),
        (
            "hebei",
            "范围,代码,年度,指标,总量上限\n地区,130000,2025,二氧化碳,400\n"
            "地区,130000,2025,二氧化碳,500\n",
            "row 3, column 年度, field year: overlapping periods",
        ),
    ],
    ids=["unknown-header", "outside-scope", "intensity-without-planned", "duplicate"],
)
def test_bad_input_exits_2_with_its_place(
    cli: Cli, store: Engine, tmp_path: Path, who: str, text: str, place: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    code, _, err = cli("budgets", "import", str(path), "--as", who)
    assert code == 2
    assert f"{path}, {place}" in err, err
    assert _budgets(cli, "hebei") == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["export", "{dir}/x.xlsx", "--year", "0"], "--year"),
        (["export", "{dir}/x.xlsx", "--year", "10000"], "--year"),
        (["track", "--year", "0", "--as-of", "2025-03-01"], "--year"),
        (["list", "--year", "10000"], "--year"),
        (["export", "{dir}/no folder/x.xlsx", "--year", "2025"], "{dir}/no folder/x.xlsx"),
        (["delete", "99999999999999999999"], "ID"),
    ],
    ids=["year-0", "year-10000", "track-year-0", "list-year-10000", "missing-folder", "huge-id"],
)
def test_impossible_years_folders_and_ids_exit_2_with_their_place(
    cli: Cli, store: Engine, tmp_path: Path, args: list[str], said: str
) -> None:
    # the years are those of the platform (domain.schema: 1990-2100), an id fits the store's
    # 32-bit column, and a file is written only into a folder that exists; never exit 70
    filled = [a.replace("{dir}", str(tmp_path)) for a in args]
    code, _, err = cli("budgets", *filled, "--as", "hebei")
    assert code == 2, err
    assert said.replace("{dir}", str(tmp_path)) in err, err
    assert "internal error" not in err


def test_the_export_refuses_a_year_outside_the_platforms(store: Engine) -> None:
    from sqlalchemy import select

    from carbonpeak.errors import InputError
    from carbonpeak.services.access import Actor
    from carbonpeak.services.budgets_files import export_workbook
    from carbonpeak.store.models import User

    with transaction(store) as session:
        user = session.execute(select(User).where(User.username == "hebei")).scalar_one()
        with pytest.raises(InputError, match="outside the years 1990-2100"):
            export_workbook(session, Actor.of(user), 10000)
