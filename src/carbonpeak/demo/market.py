"""The national carbon market in the demo province (issue 21): for each key steel enterprise
with monthly reports of the demo's budget year, its data-quality control plan of that year,
its monthly evidence with gaps, and its compliance ledger of the year before.

Everything here is SYNTHETIC, drawn from the province's seed and the demo's day, and labelled
as such; no figure is a statistic, a verified emission or an allowance anyone was given:

- **Plan** (version V1, dated the December before): a row per fuel, carbonate, electrode and
  carbon product the enterprise reports (Annex B.4): quantities measured on a weighbridge or
  a gas meter calibrated every 12 (6) months, coke and coal NCV and every carbon content at
  the guideline's default, natural gas NCV measured monthly by the supplier; crude-steel
  output measured.
- **Evidence**: for each month due by the demo's day, the month's quantities from its report
  with one synthetic document a month (the ledger of the month), the gas NCV with its own
  test report; gaps: the enterprise's last due month lacks the gas test report, and every
  second enterprise has not filed its last due month at all.
- **Ledger of the year before** (recorded by the authorities and the enterprise as the
  registry would show them): an obligation equal to its reported months' CO2 by the guideline
  scaled to a year (a stand-in for verified emissions), an allocation of that obligation x
  (1 + a drawn coefficient within the 2025 rule's +-3 %), and a surrender of a drawn share of
  the allocation; every third enterprise settles instead (buys what its allocation lacks and
  surrenders the whole obligation), so that positions differ (some settled, some short before
  the deadline).
- **Process sheet** of each reported month (`market.processes`, for the process level of the
  guideline's §7): 炼铁 takes a drawn 85–90 % of the month's coke and all its bituminous coal
  and makes the month's pig iron, its blast-furnace gas out carrying a drawn 45–55 % of the
  carbon of those fuels (at the guideline's default NCV and carbon content); 烧结 takes the
  rest of the coke and makes a drawn 1.25–1.45 t of sinter per t of pig iron. No other
  process is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.market.evidence import EvidenceRecord, due_date, month_start
from carbonpeak.market.ledger import Entry
from carbonpeak.market.plans import (
    Enterprise,
    Facility,
    ParameterRow,
    PlanVersion,
    QualityPlan,
)
from carbonpeak.reference.loader import Reference

LABEL = "演示数据（合成，非真实）"  # every synthetic document says it is one
SCALE = {"meter": "电子汽车衡（演示）", "accuracy_class": "III", "calibration_months": 12}
GAS = {"meter": "涡轮流量计（演示）", "accuracy_class": "1.5", "calibration_months": 6}
CARBONATES = ("limestone", "dolomite")
PRODUCTS = ("crude_steel", "pig_iron", "coal_tar", "crude_benzene")


@dataclass(frozen=True)
class MarketDemo:
    """What the demo loads for the carbon market."""

    plans: tuple[QualityPlan, ...]
    documents: dict[str, bytes]  # sha256 -> content (synthetic, labelled)
    evidence: tuple[EvidenceRecord, ...]
    entries: tuple[Entry, ...]
    processes: dict[str, pd.DataFrame]  # enterprise_id -> its process sheet of the year


def _carbon_per_unit(reference: Reference, item: str) -> float:
    """t C per unit of `item` (t, or 10^4 Nm3 for a gas) at the steel guideline's defaults."""
    found = {
        parameter: float(
            reference.lookup(
                "fuel_parameters", parameter_set="cets_steel_2024", item=item, parameter=parameter
            ).value
        )
        for parameter in ("ncv", "carbon_content")
    }
    return found["ncv"] * found["carbon_content"]


def _process_line(
    rows: list[dict[str, str]],
    code: str,
    period: str,
    process: str,
    stream: str,
    item: str,
    direction: str,
    amount: float,
) -> None:
    rows.append(
        {
            "enterprise_id": code,
            "period": period,
            "process": process,
            "stream": stream,
            "item": item,
            "direction": direction,
            "amount": f"{amount:.2f}",
            "unit": "10^4 Nm3" if item.endswith("_gas") else "t",
        }
    )


def process_sheet(
    code: str, lines: pd.DataFrame, reference: Reference, rng: np.random.Generator
) -> pd.DataFrame:
    """The synthetic process sheet (炼铁, 烧结) of an enterprise's monthly reports `lines`
    (amounts as numbers), in the columns of `market.processes`, amounts as text."""
    rows: list[dict[str, str]] = []
    iron_share = float(rng.uniform(0.85, 0.90))
    gas_share = float(rng.uniform(0.45, 0.55))
    sinter_ratio = float(rng.uniform(1.25, 1.45))
    gas_carbon = _carbon_per_unit(reference, "blast_furnace_gas")
    for period in sorted(set(lines["period"])):
        month = lines.loc[lines["period"] == period]
        amounts = month.groupby(["stream", "item", "direction"])["amount"].sum()
        coke = float(amounts.get(("fuel", "coke", "in"), 0.0))
        coal = float(amounts.get(("fuel", "bituminous_coal", "in"), 0.0))
        iron = float(amounts.get(("product", "pig_iron", "in"), 0.0))
        if iron <= 0 or coke <= 0:
            continue
        line = partial(_process_line, rows, code, str(period))
        carbon_in = coke * iron_share * _carbon_per_unit(reference, "coke")
        line("炼铁", "fuel", "coke", "in", coke * iron_share)
        if coal > 0:
            carbon_in += coal * _carbon_per_unit(reference, "bituminous_coal")
            line("炼铁", "fuel", "bituminous_coal", "in", coal)
        line("炼铁", "fuel", "blast_furnace_gas", "out", carbon_in * gas_share / gas_carbon)
        line("炼铁", "product", "pig_iron", "in", iron)
        line("烧结", "fuel", "coke", "in", coke * (1 - iron_share))
        line("烧结", "product", "sinter", "in", iron * sinter_ratio)
    frame = pd.DataFrame(rows)
    frame["row"] = range(2, len(frame) + 2)
    return frame


def _document(text: str) -> tuple[str, bytes]:
    import hashlib

    content = f"{LABEL}\n{text}\n".encode()
    return hashlib.sha256(content).hexdigest(), content


def _weighed(kind: str, item: str, meter: dict[str, Any]) -> list[ParameterRow]:
    """A weighed stream's two B.4 rows: its tonnes measured monthly (on `meter`, if given)
    and its emission factor at the guideline's default."""
    return [
        ParameterRow(
            emission_type=kind,
            item=item,
            parameter="quantity",
            acquisition="measured",
            unit="t",
            recording_frequency="monthly",
            **meter,
        ),
        ParameterRow(
            emission_type=kind, item=item, parameter="emission_factor", acquisition="default"
        ),
    ]


def plan_of(enterprise_id: str, name: str, lines: pd.DataFrame, year: int) -> QualityPlan:
    """The plan of a steelworks from the kinds of line it reports (stream, item)."""
    rows: list[ParameterRow] = []
    fuels = sorted(set(lines.loc[lines["stream"] == "fuel", "item"]))
    for item in fuels:
        gas = item.endswith("_gas")
        rows.append(
            ParameterRow(
                emission_type="fuel",
                item=item,
                parameter="net_consumption",
                acquisition="measured",
                unit="10^4 Nm3" if gas else "t",
                description="月度购销存台账（演示）",
                recording_frequency="monthly",
                department="能源管理部（演示）",
                **(GAS if gas else SCALE),
            )
        )
        measured_ncv = item == "natural_gas"
        rows.append(
            ParameterRow(
                emission_type="fuel",
                item=item,
                parameter="ncv",
                acquisition="measured" if measured_ncv else "default",
                monitoring_frequency="monthly" if measured_ncv else None,
                description="供应商月度热值检测报告（演示）" if measured_ncv else "附录A 表A.1",
            )
        )
        rows.append(
            ParameterRow(
                emission_type="fuel",
                item=item,
                parameter="carbon_content",
                acquisition="default",
                description="附录A 表A.1",
            )
        )
    materials = set(lines.loc[lines["stream"] == "process", "item"])
    for item in sorted(materials):
        kind = "carbonate" if item in CARBONATES else "electrode" if item == "electrode" else None
        if kind is None:
            continue
        rows += _weighed(kind, item, SCALE)
    products = set(lines.loc[lines["stream"] == "product", "item"]) & set(PRODUCTS)
    for item in sorted(products):
        rows += _weighed("product", item, {})
    rows += [
        ParameterRow(emission_type="enterprise", parameter="emissions", acquisition="calculated"),
        ParameterRow(
            emission_type="enterprise",
            parameter="crude_steel_output",
            acquisition="measured",
            unit="t",
            recording_frequency="monthly",
        ),
        ParameterRow(emission_type="enterprise", parameter="intensity", acquisition="calculated"),
    ]
    return QualityPlan(
        enterprise=Enterprise(name=name, uscc=enterprise_id, industry_code="3120"),
        sector="steel",
        year=year,
        versions=(
            PlanVersion(number="V1", date=date(year - 1, 12, 20), reason="首次制定（演示）"),
        ),
        facilities=(
            Facility(name="1#高炉（演示）", number="BF01", status="in_use", process="ironmaking"),
            Facility(name="1#转炉（演示）", number="BOF01", status="in_use", process="bof"),
        ),
        parameters=tuple(rows),
        record_retention_years=5,
    )


def _month_records(
    plan: QualityPlan, lines: pd.DataFrame, month: date, gas_report: bool, gas_ncv: float
) -> tuple[list[EvidenceRecord], dict[str, bytes]]:
    """A month's records from its report: the quantities with the month's ledger, the gas
    NCV with its test report (left out when `gas_report` is False: a gap), and a document for
    each mandatory item of the guideline no plan parameter covers (10.2.1 a), c), g), i),
    10.2.2 a), b): stoppages, the 烧结 and 炼铁 boundary ledgers, coal-type proofs, dry basis
    and moisture)."""
    code = plan.enterprise.uscc
    digest, content = _document(f"{code} {month:%Y-%m} 购销存台账")
    documents = {digest: content}
    amounts = lines.groupby(["stream", "item", "direction"])["amount"].sum()
    records: list[EvidenceRecord] = []
    for row in plan.parameters:
        if row.acquisition != "measured":
            continue
        value: float | None = None
        if row.parameter in ("net_consumption", "quantity"):
            stream = {"fuel": "fuel", "product": "product"}.get(row.emission_type, "process")
            value = float(amounts.get((stream, row.item, "in"), 0.0)) - float(
                amounts.get((stream, row.item, "out"), 0.0)
            )
            if row.emission_type == "product":
                value = abs(value)
        elif row.parameter == "crude_steel_output":
            value = float(amounts.get(("product", "crude_steel", "in"), 0.0))
        elif row.parameter == "ncv":
            if not gas_report:
                continue  # the gap: this month's test report is missing
            report, text = _document(f"{code} {month:%Y-%m} {row.item} 热值检测报告")
            documents[report] = text
            records.append(
                EvidenceRecord(
                    enterprise=code,
                    month=month,
                    emission_type=row.emission_type,
                    item=row.item,
                    parameter=row.parameter,
                    value=round(gas_ncv, 3),
                    documents=(report,),
                )
            )
            continue
        records.append(
            EvidenceRecord(
                enterprise=code,
                month=month,
                emission_type=row.emission_type,
                item=row.item,
                parameter=row.parameter,
                value=round(value, 3) if value is not None else None,
                documents=(digest,),
            )
        )
    for clause in ("10.2.1 a)", "10.2.1 c)", "10.2.1 g)", "10.2.1 i)", "10.2.2 a)", "10.2.2 b)"):
        item_doc, item_text = _document(f"{code} {month:%Y-%m} {clause}")
        documents[item_doc] = item_text
        records.append(
            EvidenceRecord(enterprise=code, month=month, clause=clause, documents=(item_doc,))
        )
    return records, documents


def market_demo(
    activity: pd.DataFrame,
    names: dict[str, str],
    industries: dict[str, str],
    monthly_co2: dict[str, float],
    as_of: date,
    reference: Reference,
    seed: int,
) -> MarketDemo:
    """Plans, evidence and the year before's ledger of the key steel enterprises of `activity`
    (the demo's monthly reports of its budget year); `monthly_co2`: each one's CO2 by the
    guideline over its reported months (for the synthetic obligation)."""
    rng = np.random.default_rng([seed, 21])
    monthly = activity.loc[activity["period"].astype(str).str.len() == 7]
    steel = sorted(
        code for code in set(monthly["enterprise_id"]) if industries.get(code) in ("3110", "3120")
    )
    plans, evidence, entries = [], [], []
    processes: dict[str, pd.DataFrame] = {}
    documents: dict[str, bytes] = {}
    year = int(str(monthly["period"].iloc[0])[:4]) if len(monthly) else as_of.year
    default_gas_ncv = reference.lookup(
        "fuel_parameters", parameter_set="cets_steel_2024", item="natural_gas", parameter="ncv"
    ).value  # GJ/10^4 Nm3, 附录A 表A.1: the synthetic measurements scatter around it
    for n, code in enumerate(steel):
        lines = monthly.loc[monthly["enterprise_id"] == code].assign(
            amount=lambda f: f["amount"].astype(float)
        )
        plan = plan_of(code, names.get(code, code), lines, year)
        plans.append(plan)
        sheet = process_sheet(code, lines, reference, np.random.default_rng([seed, 21, n]))
        if len(sheet):
            processes[code] = sheet
        due = []
        for period in sorted(set(lines["period"])):
            month = month_start(date.fromisoformat(f"{period}-01"))
            deadline, _ = due_date(reference, "steel", month)
            if deadline is not None and deadline <= as_of:
                due.append((period, month))
        for i, (period, month) in enumerate(due):
            last = i == len(due) - 1
            if last and n % 2 == 1:
                continue  # every second enterprise has not filed its last due month
            gas_ncv = default_gas_ncv * float(rng.uniform(0.98, 1.02))  # synthetic
            records, docs = _month_records(
                plan, lines.loc[lines["period"] == period], month, not last, gas_ncv
            )
            evidence += records
            documents.update(docs)
        months = max(len(set(lines["period"])), 1)
        obligation = Decimal(repr(round(monthly_co2.get(code, 0.0) * 12 / months, 2)))
        if obligation <= 0:
            continue
        alpha = Decimal(repr(round(float(rng.uniform(-0.03, 0.03)), 4)))
        allocated = (obligation * (1 + alpha)).to_integral_value(rounding=ROUND_FLOOR)
        share = Decimal(repr(round(float(rng.uniform(0.5, 1.0)), 2)))
        previous = year - 1
        entries += [
            Entry(date(year, 7, 31), "obligation", code, obligation, year=previous),
            Entry(date(year, 9, 30), "allocated", code, allocated, vintage=previous),
        ]
        surrendered = min(allocated, obligation) * share
        surrendered = surrendered.to_integral_value(rounding=ROUND_FLOOR)
        if n % 3 == 0:  # every third settles: buys what its allocation lacks, surrenders all
            if allocated < obligation:
                bought = (obligation - allocated).to_integral_value(rounding=ROUND_CEILING)
                entries.append(Entry(date(year, 10, 15), "bought", code, bought, vintage=previous))
            surrendered = obligation
        if surrendered > 0:
            entries.append(
                Entry(
                    date(year, 11, 20),
                    "surrendered",
                    code,
                    surrendered,
                    vintage=previous,
                    year=previous,
                )
            )
    entries.sort(key=lambda e: e.day)
    return MarketDemo(tuple(plans), documents, tuple(evidence), tuple(entries), processes)
