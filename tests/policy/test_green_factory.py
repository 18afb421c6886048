"""Green-factory scoring: vetoes, the weighted score worked by hand, what is missing, an
industry sheet extending a section; bad sheets named by field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carbonpeak.errors import InputError
from carbonpeak.policy.green_factory import judge, parse
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
WEIGHTS = {
    "infrastructure": 0.20,
    "management": 0.15,
    "energy_resources": 0.15,
    "products": 0.10,
    "emissions": 0.10,
    "performance": 0.30,
}


def _sheet(**override: Any) -> dict[str, Any]:
    sections = {
        name: [
            {"item": f"{name}-1", "kind": "mandatory", "points": 10, "score": 10},
            {"item": f"{name}-2", "kind": "optional", "points": 10, "score": 5},
        ]
        for name in WEIGHTS
    }
    return {
        "factory": "示例工厂",
        "basic": [{"item": "合法合规", "met": True}],
        "sections": sections,
        **override,
    }


def result(data: dict[str, Any]) -> dict[str, Any]:
    return judge(parse(data, REFERENCE), REFERENCE).as_dict()


def test_the_weighted_score_by_hand() -> None:
    data = _sheet()
    data["sections"]["performance"][1]["score"] = 10  # performance full: 20 of 20
    expected = (
        sum(w * (15 / 20) for n, w in WEIGHTS.items() if n != "performance") * 100 + 0.30 * 100
    )
    out = result(data)
    assert out["score"] == pytest.approx(expected, abs=0.01) and out["passes_vetoes"]
    assert "performance: performance-2 10 of 10" not in out["missing"]
    assert "emissions: emissions-2 5 of 10" in out["missing"]


def test_vetoes() -> None:
    basic = result(_sheet(basic=[{"item": "合法合规", "met": False}]))
    assert not basic["passes_vetoes"] and basic["vetoes"] == ["basic requirement not met: 合法合规"]
    data = _sheet()
    data["sections"]["management"][0]["score"] = 9
    assert result(data)["vetoes"] == [
        "mandatory item short of full marks: management: management-1"
    ]


def test_an_industry_sheet_adds_indicators() -> None:
    data = _sheet()
    data["sections"]["performance"].append(
        {"item": "单位熟料综合能耗达到标杆水平", "kind": "optional", "points": 20, "score": 20}
    )
    section = next(s for s in result(data)["sections"] if s["section"] == "performance")
    assert (section["points"], section["obtained"]) == (40, 35)


def test_bad_sheets(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    data = _sheet()
    data["sections"]["products"][1]["score"] = 12
    with pytest.raises(InputError) as raised:
        parse(data, REFERENCE)
    assert raised.value.problems[0].place.field == "sections.products.1"
    with pytest.raises(InputError, match="not a section"):
        parse({**_sheet(), "sections": {"marketing": []}}, REFERENCE)
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(_sheet()), encoding="utf-8")
    code, out, err = cli("factory", "evaluate", str(path), "--json")
    assert code == 0 and json.loads(out)["score"] == pytest.approx(75.0), err
    path.write_text(json.dumps({**_sheet(), "edition": "GB/T 1-2099"}), encoding="utf-8")
    code, _out, err = cli("factory", "evaluate", str(path))
    assert code == 2 and "edition" in err
