"""Carbon dual control in the demo province (issue 18): the 2026 monthly reports of its key
enterprises, the 2025 and 2026 CO2 budget cascades (province -> prefectures -> key
enterprises), the demo authority's early-warning thresholds and two project applications.

Everything is drawn from the province (its seed) and the demo's day `today`, so a fixed day
gives the same rows, and is synthetic (`profile.yaml`, section `dual_control`):

- **Key enterprises**: the `key_per_prefecture` largest CO2 emitters of the demo year in each
  prefecture, and the enterprise the demo's enterprise login acts for.
- **Months**: 2026-01 up to the last full month before `today` (all twelve once 2026 is
  over). Each month of an enterprise is its demo-year activity x its 2026 growth x the
  month's seasonal share x a small deviation of its own (every line alike, so its intensities
  stay its own), plus a value-added line (`economic` / `value_added`, 10^4 yuan) from its
  energy at a synthetic value added per tce of its sector.
- **Budgets** (CO2, even profile): the caps are the budgets' use to date as of the demo's day
  divided by the indicator each should show, so that, under the demo's thresholds, two key
  enterprises (one of them the demo login's) are yellow, one is red and every other budget
  green. A region's cap is the larger of its green cap and its parts' caps plus its reserve,
  so the cascade holds (parts <= whole less its reserve). The indicators come from the
  tracking itself (`policy.budgets.track` on unit caps: pace, used share over the judged
  share of the months reported, and projection are both a budget's use figure over its
  cap). 2025 has no monthly reports: its caps are the demo year's CO2 at a drawn margin,
  cascaded the same way.
- **Thresholds**: the demo's own values, of the demo province's fictional authority (no
  national value exists; see `profile.yaml`).
- **Projects**: a clinker line of the example cement enterprise that fits its prefecture's
  remaining budget, and an electric-arc furnace line of the demo login's steel enterprise
  designed above the benchmark level (an intensity concern), both dated the demo's day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from carbonpeak.accounting.economic import STREAM as ECONOMIC
from carbonpeak.accounting.economic import VALUE_ADDED, VALUE_ADDED_COLUMN
from carbonpeak.accounting.engine import account
from carbonpeak.demo.province import Province, load_profile
from carbonpeak.policy.budgets import Budget, track
from carbonpeak.reference.loader import Reference, default_reference

YEAR = 2026
"""The demo's budget year with monthly reports."""
PREVIOUS_YEAR = 2025
"""The year before, budgeted without monthly reports."""
TABLE = "budget_alert_thresholds"
VALUE_ADDED_UNIT = "10^4 yuan"
CLINKER_ENTERPRISE = "911302007A3K9C2D24"  # the example cement enterprise (profile examples)


@dataclass(frozen=True)
class DualControl:
    """What the demo loads for carbon dual control (module doc)."""

    today: date
    as_of: date
    """the day budgets are tracked and alerts recorded: today within 2026"""
    key_enterprises: tuple[str, ...]
    activity: pd.DataFrame
    """the 2026 monthly reports, in the activity table's columns (amounts as text)"""
    budgets: dict[int, list[dict[str, Any]]]
    """by year, the rows `services.budgets.save_budgets` takes: province, prefectures,
    enterprises"""
    intended: dict[str, str]
    """the level each 2026 budget is built to show as of `as_of`, by its code"""
    thresholds: list[dict[str, Any]]
    document: str
    authority: str
    """the region code of the demo's authority (the province)"""
    projects: list[tuple[str, dict[str, Any]]]
    """(enterprise_id, project body) of the two applications"""


def demo_day(today: date) -> tuple[date, list[int]]:
    """The day budgets are tracked (`today`, at least 2026-02-01 and at most 2026-12-31) and
    the months of 2026 reported by then: January up to the last full month before today."""
    day = max(today, date(YEAR, 2, 1))
    last = 12 if day.year > YEAR else day.month - 1
    return min(day, date(YEAR, 12, 31)), list(range(1, last + 1))


def key_enterprises(province: Province, activity: pd.DataFrame, per_prefecture: int) -> list[str]:
    """The largest CO2 emitters of the demo year in each prefecture, and the first enterprise
    (the demo login's); in the province's order."""
    enterprises = _enterprises(province)
    totals = account(activity, enterprises).totals.merge(
        enterprises[["enterprise_id", "region_code"]], on="enterprise_id"
    )
    ranked = totals.sort_values(["co2_t", "enterprise_id"], ascending=[False, True])
    chosen = set(ranked.groupby("region_code").head(per_prefecture)["enterprise_id"])
    chosen.add(province.enterprises[0].enterprise.enterprise_id)
    return [
        e.enterprise.enterprise_id
        for e in province.enterprises
        if e.enterprise.enterprise_id in chosen
    ]


def _enterprises(province: Province) -> pd.DataFrame:
    return pd.DataFrame(
        [{**e.enterprise.model_dump(), "sector": e.sector} for e in province.enterprises]
    )


def monthly_activity(
    province: Province,
    activity: pd.DataFrame,
    keys: Sequence[str],
    months: Sequence[int],
    spec: Mapping[str, Any],
) -> pd.DataFrame:
    """The key enterprises' reports of the `months` of 2026 (module doc), amounts as text."""
    rng = np.random.default_rng([province.seed, 18])
    seasonal = np.array(spec["seasonal"], dtype=float)
    seasonal = seasonal / seasonal.sum()
    sector = {e.enterprise.enterprise_id: e.sector for e in province.enterprises}
    annual = activity[activity["enterprise_id"].isin(keys)].copy()
    annual["amount"] = annual["amount"].astype(float)
    energy = (
        account(annual, _enterprises(province))
        .totals.set_index("enterprise_id")["energy_tce"]
        .to_dict()
    )
    low, high = spec["growth"]
    frames = []
    for code in keys:
        lines = annual[annual["enterprise_id"] == code]
        growth = float(rng.uniform(low, high))
        deviation = np.exp(rng.normal(0.0, float(spec["noise_sigma"]), size=12))
        va_deviation = np.exp(rng.normal(0.0, float(spec["value_added_sigma"]), size=12))
        value_added = float(energy[code]) * float(spec["value_added_per_tce"][sector[code]])
        for month in months:
            factor = growth * seasonal[month - 1] * deviation[month - 1]
            period = f"{YEAR}-{month:02d}"
            rows = lines.assign(period=period, amount=(lines["amount"] * factor).round(3))
            economic = {column: "" for column in lines.columns}
            economic.update(
                enterprise_id=code,
                period=period,
                stream=ECONOMIC,
                item=VALUE_ADDED,
                direction="in",
                amount=round(value_added * factor * va_deviation[month - 1], 1),
                unit=VALUE_ADDED_UNIT,
            )
            frames.append(pd.concat([rows, pd.DataFrame([economic])], ignore_index=True))
    out = pd.concat(frames, ignore_index=True)
    out["amount"] = out["amount"].map(lambda v: f"{float(v):.3f}".rstrip("0").rstrip("."))
    return out.astype(str)


def _indicators(
    budgets: Sequence[Budget],
    use: pd.DataFrame,
    as_of: date,
    regions: Mapping[str, str],
    reference: Reference,
) -> dict[str, tuple[float, float]]:
    """By budget id: (pace, projection) of budgets with a cap of 1 t, i.e. the use figures
    each indicator divides by the cap (`policy.budgets.alerts`)."""
    tracking = track(budgets, use, None, None, as_of, regions, reference)
    return {  # a budget with no figure yet (nothing judged) has no pace: NaN, not a failure
        s.budget_id: (
            s.used_share / s.judged_share if s.judged_share > 0 else math.nan,
            s.projected / s.cap,
        )
        for s in tracking.statuses
    }


def _rounded(value: float, step: float) -> float:
    return float(max(step, round(value / step) * step))


def _up(value: float, step: float) -> float:
    return float(math.ceil(value / step - 1e-9) * step)


def _row(scope: str, code: str, year: int, cap: float, reserve: float = 0.0) -> dict[str, Any]:
    row: dict[str, Any] = {
        "scope": scope,
        "code": code,
        "year": year,
        "quantity": "co2",
        "cap": cap,
        "profile": "even",
    }
    if reserve:
        row["reserve"] = reserve
    return row


def _cascade(
    province: Province,
    year: int,
    enterprise_caps: Mapping[str, float],
    green_caps: Mapping[str, float],
    regions: Mapping[str, str],
    spec: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Rows of a year's cascade: each region's cap the larger of its green cap (`green_caps`,
    by region code; 0 when none) and its parts' caps plus its reserve."""
    step = float(spec["round_t"])
    reserve = spec["reserve"]
    rows = []
    prefecture_caps = {}
    for prefecture in province.prefectures:
        code = prefecture.region_code
        parts = sum(c for e, c in enterprise_caps.items() if regions[e] == code)
        if not parts:
            continue
        whole = parts / (1.0 - float(reserve["prefecture"]))
        prefecture_caps[code] = _up(max(whole, green_caps.get(code, 0.0)), step)
    top = province.region.region_code
    whole = sum(prefecture_caps.values()) / (1.0 - float(reserve["province"]))
    rows.append(
        _row(
            "region",
            top,
            year,
            _up(max(whole, green_caps.get(top, 0.0)), step),
            float(reserve["province"]),
        )
    )
    rows += [
        _row("region", code, year, cap, float(reserve["prefecture"]))
        for code, cap in prefecture_caps.items()
    ]
    rows += [_row("enterprise", code, year, cap) for code, cap in enterprise_caps.items()]
    return rows


def _budgets_2026(
    province: Province,
    keys: Sequence[str],
    use: pd.DataFrame,
    as_of: date,
    regions: Mapping[str, str],
    spec: Mapping[str, Any],
    reference: Reference,
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    rng = np.random.default_rng([province.seed, 18, 2026])
    step = float(spec["round_t"])
    first = province.enterprises[0].enterprise.enterprise_id
    others = [k for k in keys if k != first]
    picked = rng.choice(len(others), size=2, replace=False)
    intended = {code: "green" for code in keys}
    intended[first] = intended[others[int(picked[0])]] = "yellow"
    intended[others[int(picked[1])]] = "red"
    codes: list[tuple[Literal["region", "enterprise"], str]] = [
        *(("enterprise", k) for k in keys),
        *(("region", p.region_code) for p in province.prefectures),
        ("region", province.region.region_code),
    ]
    budgets = [  # caps of 1 t: the indicators are the figures a cap divides
        Budget(budget_id=code, scope=scope, code=code, year=YEAR, quantity="co2", cap=1.0)
        for scope, code in codes
    ]
    figures = _indicators(budgets, use, as_of, regions, reference)
    low, high = spec["green"]
    yellow, red = spec["yellow"], spec["red"]

    def green(code: str) -> float:
        pace, projection = figures[code]
        return max(pace, projection) / float(rng.uniform(low, high))

    caps = {}
    for code in keys:
        pace, projection = figures[code]
        if intended[code] == "yellow":
            cap = max(pace / float(yellow["pace"]), projection / float(yellow["projection"]))
        elif intended[code] == "red":
            cap = pace / float(red["pace"])
        else:
            cap = green(code)
        caps[code] = _rounded(cap, step)
    region_green = {
        code: green(code)
        for scope, code in codes
        if scope == "region" and math.isfinite(figures[code][0])
    }
    rows = _cascade(province, YEAR, caps, region_green, regions, spec)
    intended.update({r["code"]: "green" for r in rows if r["scope"] == "region"})
    return rows, intended


def _budgets_2025(
    province: Province,
    keys: Sequence[str],
    activity: pd.DataFrame,
    regions: Mapping[str, str],
    spec: Mapping[str, Any],
) -> list[dict[str, Any]]:
    rng = np.random.default_rng([province.seed, 18, 2025])
    annual = activity[activity["enterprise_id"].isin(keys)]
    co2 = account(annual, _enterprises(province)).totals.set_index("enterprise_id")["co2_t"]
    low, high = spec["previous_year_cap"]
    caps = {
        code: _rounded(float(co2[code]) * float(rng.uniform(low, high)), float(spec["round_t"]))
        for code in keys
    }
    return _cascade(province, PREVIOUS_YEAR, caps, {}, regions, spec)


def _projects(province: Province, as_of: date) -> list[tuple[str, dict[str, Any]]]:
    """Two projects built like the hand-worked line of tests/policy/test_project_assessment.py:
    a 100,000 t clinker line (83.72 kgce/t, under the benchmark level of 100) that fits its
    region's remaining budget, and a 1 Mt electric-arc furnace line at 420 kWh and 12 Nm3 of
    natural gas a tonne (about 67 kgce/t against the benchmark level of 61): the demo's
    synthetic designs, not real projects."""
    steel = province.enterprises[0].enterprise
    day = as_of.isoformat()
    clinker = {
        "name": "演示熟料线技改项目 (demo clinker line)",
        "region_code": "130200",
        "industry_code": "3011",
        "application_date": day,
        "area": "cement_clinker",
        "energy": [
            {"stream": "fuel", "item": "raw_coal", "amount": 10_000, "unit": "t"},
            {"stream": "electricity", "item": "electricity", "amount": 10_000_000, "unit": "kWh"},
        ],
        "output": {"item": "clinker", "amount": 100_000},
    }
    furnace = {
        "name": "演示电弧炉短流程炼钢项目 (demo electric-arc furnace line)",
        "region_code": steel.region_code,
        "industry_code": "3120",
        "application_date": day,
        "area": "eaf_ge50t",
        "energy": [
            {
                "stream": "electricity",
                "item": "electricity",
                "amount": 420_000_000,
                "unit": "kWh",
            },
            {"stream": "fuel", "item": "natural_gas", "amount": 12_000_000, "unit": "Nm3"},
        ],
        "output": {"item": "crude_steel", "amount": 1_000_000},
    }
    return [(CLINKER_ENTERPRISE, clinker), (steel.enterprise_id, furnace)]


def dual_control(
    province: Province,
    activity: pd.DataFrame,
    today: date,
    reference: Reference | None = None,
) -> DualControl:
    """The demo's dual-control rows for `today` (module doc); `activity` is the province's
    demo-year activity table."""
    spec: dict[str, Any] = load_profile()["dual_control"]
    ref = reference or default_reference()
    as_of, months = demo_day(today)
    annual = activity.copy()
    annual["amount"] = annual["amount"].astype(float)
    keys = key_enterprises(province, annual, int(spec["key_per_prefecture"]))
    monthly = monthly_activity(province, annual, keys, months, spec)
    enterprises = _enterprises(province)
    regions = dict(zip(enterprises["enterprise_id"], enterprises["region_code"], strict=True))
    accounts = account(monthly, enterprises, reference=ref).totals
    use = accounts[["enterprise_id", "period", "co2_t", "energy_tce", VALUE_ADDED_COLUMN]]
    rows_2026, intended = _budgets_2026(province, keys, use, as_of, regions, spec, ref)
    rows_2025 = _budgets_2025(province, keys, annual, regions, spec)
    authority = province.region.region_code
    thresholds = [
        {
            "quantity": "co2",
            **row,
            "valid_from": str(spec["thresholds_from"]),
            "status": "unverified",
            "note": "the demo's own value, set by the demo province's fictional authority; "
            "not a national or any real province's rule",
        }
        for row in spec["thresholds"]
    ]
    return DualControl(
        today=today,
        as_of=as_of,
        key_enterprises=tuple(keys),
        activity=monthly,
        budgets={PREVIOUS_YEAR: rows_2025, YEAR: rows_2026},
        intended=intended,
        thresholds=thresholds,
        document=str(spec["authority_document"]),
        authority=authority,
        projects=_projects(province, as_of),
    )
