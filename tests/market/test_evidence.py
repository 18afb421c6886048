"""Monthly evidence (月度信息化存证) of a hand-made steel month: what is due, what is missing,
the due date (month end + 40 natural days from July 2025, 环办气候函〔2025〕140号) and the placed
problems of bad records."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import Place
from carbonpeak.market.evidence import EvidenceRecord, completeness, due_date, month_end
from carbonpeak.reference.loader import Reference, default_reference

from .test_plans import ENTERPRISE, plan

USCC = ENTERPRISE.uscc
JULY = date(2025, 7, 1)


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def record(emission_type="", item="", parameter="", value=None, documents=(), **extra):
    return EvidenceRecord(
        enterprise=extra.pop("enterprise", USCC),
        month=extra.pop("month", JULY),
        emission_type=emission_type,
        item=item,
        parameter=parameter,
        value=value,
        documents=tuple(documents),
        **extra,
    )


def full_month() -> list[EvidenceRecord]:
    """Every value and document the steel plan of test_plans needs for July 2025."""
    ledger = [sha("2025-07 购销存台账")]
    out = [
        record("fuel", "coke", "net_consumption", 1000.0, ledger),
        record("fuel", "anthracite", "net_consumption", 200.0, ledger),
        record("fuel", "anthracite", "ncv", 24.1, [sha("无烟煤 批次检测报告")]),
        record("fuel", "natural_gas", "net_consumption", 50.0, ledger),
        record("fuel", "natural_gas", "ncv", 380.2, [sha("天然气 热值检测报告")]),
        record("carbonate", "limestone", "quantity", 300.0, ledger),
        record("electrode", "electrode", "quantity", 10.0, ledger),
        record("product", "crude_steel", "quantity", 80000.0, [sha("粗钢 生产台账")]),
        record("enterprise", "", "crude_steel_output", 80000.0, [sha("粗钢 生产台账")]),
    ]
    for clause in ("10.2.1 a)", "10.2.1 c)", "10.2.1 g)", "10.2.1 i)", "10.2.2 a)", "10.2.2 b)"):
        out.append(record(clause=clause, documents=[sha(clause)]))
    return out


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (date(2025, 7, 1), date(2025, 9, 9)),  # 31 July + 40 days
        (date(2025, 8, 15), date(2025, 10, 10)),  # 31 August + 40
        (date(2025, 9, 1), date(2025, 11, 9)),  # 30 September + 40
        (date(2026, 2, 1), date(2026, 4, 9)),  # 28 February + 40
        (date(2025, 12, 1), date(2026, 2, 9)),  # across the year
        (date(2025, 3, 1), date(2025, 10, 31)),  # January-June 2025: back-filed by 31 October
        (date(2025, 6, 1), date(2025, 10, 31)),
    ],
)
def test_due_date(reference, month, due):
    assert due_date(reference, "steel", month)[0] == due
    assert due_date(reference, "cement", month)[0] == due


def test_no_due_date_before_2025(reference):
    assert due_date(reference, "aluminium", date(2024, 12, 1)) == (None, None)


def test_month_end():
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2025, 12, 1)) == date(2025, 12, 31)


def test_full_month_complete(reference):
    month = completeness(plan(year=2025), JULY, full_month(), reference, as_of=date(2025, 9, 1))
    assert month.problems == ()
    assert month.missing == ()
    assert month.complete and not month.overdue
    assert month.due == date(2025, 9, 9) and month.days_left == 8
    states = {s.key: s.state for s in month.parameters}
    # defaults and calculated values are not filed monthly; the coke NCV is the default
    assert states[("fuel", "coke", "ncv")] == "not_due"
    assert states[("fuel", "anthracite", "carbon_content")] == "not_due"
    assert states[("enterprise", "", "emissions")] == "not_due"
    assert states[("fuel", "anthracite", "ncv")] == "complete"
    assert [s.clause for s in month.parameters if s.key == ("fuel", "coke", "net_consumption")] == [
        "10.2.1 b)"
    ]
    assert {table for table, _ in month.used} == {
        "market_evidence_deadlines",
        "market_evidence_items",
    }


def test_empty_month_lists_what_is_missing(reference):
    month = completeness(plan(year=2025), JULY, [], reference, as_of=date(2025, 9, 10))
    assert month.overdue and month.days_left == -1
    assert "fuel/coke/net_consumption: value, document" in month.missing
    assert "fuel/natural_gas/ncv: value, document" in month.missing
    assert "enterprise/crude_steel_output: value, document" in month.missing
    assert "10.2.1 i): document" in month.missing
    assert not any("coke/ncv" in line for line in month.missing)
    assert len(month.missing) == 9 + 6


def test_missing_document_before_deadline(reference):
    records = [r for r in full_month() if r.key != ("fuel", "coke", "net_consumption")]
    records.append(record("fuel", "coke", "net_consumption", 1000.0))
    month = completeness(plan(year=2025), JULY, records, reference, as_of=date(2025, 9, 9))
    assert month.missing == ("fuel/coke/net_consumption: document",)
    assert not month.overdue and month.days_left == 0
    # the coke consumption is measured: a value without its document is the bad input
    [problem] = month.problems
    assert problem.place == Place(sheet="records", row=len(records), field="documents")


def test_measured_value_without_document_is_a_problem(reference):
    records = [r for r in full_month() if r.key != ("fuel", "natural_gas", "ncv")]
    records.append(record("fuel", "natural_gas", "ncv", 380.2))
    month = completeness(plan(year=2025), JULY, records, reference, as_of=date(2025, 8, 1))
    [problem] = month.problems
    assert problem.place == Place(sheet="records", row=len(records), field="documents")
    assert "fuel/natural_gas/ncv" in problem.message and "2025-07" in problem.message
    assert not month.complete


def test_record_not_in_plan_and_twice(reference):
    records = [
        *full_month(),
        record("fuel", "diesel", "net_consumption", 3.0, [sha("x")]),
        record("fuel", "coke", "net_consumption", 1.0, [sha("y")]),
        record(clause="10.2.3 a)", documents=[sha("z")]),
        record("fuel", "coke", "net_consumption", 1.0, [sha("y")], enterprise="91110000000000000Y"),
    ]
    month = completeness(plan(year=2025), JULY, records, reference, as_of=date(2025, 8, 1))
    n = len(full_month())
    assert [(p.place.row, p.place.field) for p in month.problems] == [
        (n + 1, "parameter"),
        (n + 2, "parameter"),
        (n + 3, "clause"),
        (n + 4, "enterprise"),
    ]
    assert "not a parameter of the plan (version V1)" in month.problems[0].message


def test_other_months_left_aside(reference):
    august = [r.model_copy(update={"month": date(2025, 8, 1)}) for r in full_month()]
    month = completeness(plan(year=2025), JULY, august, reference, as_of=date(2025, 8, 1))
    assert month.problems == () and len(month.missing) == 15


def test_bad_hash_and_record_kind():
    with pytest.raises(ValueError, match="SHA-256"):
        record("fuel", "coke", "net_consumption", 1.0, ["ABC"])
    with pytest.raises(ValueError, match="either"):
        record()


def test_cement_month_measured_parameters_only(reference):
    from carbonpeak.market.plans import ParameterRow

    rows = [
        ParameterRow(emission_type="enterprise", parameter="emissions", acquisition="calculated"),
        ParameterRow(
            emission_type="product", item="clinker", parameter="quantity", acquisition="measured"
        ),
    ]
    cement = plan(rows, sector="cement", year=2025)
    month = completeness(cement, JULY, [], reference, as_of=date(2025, 8, 1))
    assert [w.code for w in month.warnings] == ["market.evidence.items_not_in_library"]
    assert month.missing == ("product/clinker/quantity: value, document",)
    assert month.due == date(2025, 9, 9)


@st.composite
def month_records(draw):
    records = full_month()
    keep = draw(st.lists(st.booleans(), min_size=len(records), max_size=len(records)))
    strip = draw(st.lists(st.booleans(), min_size=len(records), max_size=len(records)))
    out = []
    for r, k, s in zip(records, keep, strip, strict=True):
        if k:
            out.append(r.model_copy(update={"documents": ()}) if s else r)
    return out


@settings(max_examples=60, deadline=None)
@given(records=month_records(), index=st.integers(min_value=0, max_value=100))
def test_adding_a_document_never_makes_a_month_less_complete(records, index):
    reference = default_reference()
    before = completeness(plan(year=2025), JULY, records, reference, as_of=date(2025, 9, 1))
    if records:
        i = index % len(records)
        target = records[i]
        added = target.model_copy(update={"documents": (*target.documents, sha(f"doc {index}"))})
        after_records = [*records[:i], added, *records[i + 1 :]]
    else:
        after_records = [record(clause="10.2.1 a)", documents=[sha("a")])]
    after = completeness(plan(year=2025), JULY, after_records, reference, as_of=date(2025, 9, 1))
    assert set(after.missing) <= set(before.missing)
    assert len(after.problems) <= len(before.problems)
    assert after.complete or not before.complete


def test_a_covering_items_clause_record_counts_for_its_parameters(reference):
    """10.2.1 b) (the monthly 购销存 ledger of the fuels) filed once under its clause documents
    the net consumption of every fuel; each value is still filed by parameter. The NCV test
    reports of 10.2.1 h) likewise."""
    ledger = [sha("2025-07 购销存台账")]
    records = [
        record("fuel", "coke", "net_consumption", 1000.0),
        record("fuel", "anthracite", "net_consumption", 200.0),
        record("fuel", "anthracite", "ncv", 24.1),
        record("fuel", "natural_gas", "net_consumption", 50.0),
        record("fuel", "natural_gas", "ncv", 380.2),
        record(clause="10.2.1 b)", documents=ledger),
        record(clause="10.2.1 h)", documents=[sha("2025-07 热值检测报告")]),
    ]
    month = completeness(plan(year=2025), JULY, records, reference, as_of=date(2025, 9, 1))
    assert month.problems == ()  # the measured values have their documents, by the clauses
    states = {s.key: s for s in month.parameters}
    for fuel in ("coke", "anthracite", "natural_gas"):
        assert states[("fuel", fuel, "net_consumption")].documents == tuple(ledger)
        assert states[("fuel", fuel, "net_consumption")].state == "complete"
    assert states[("fuel", "natural_gas", "ncv")].state == "complete"
    assert not any(line.startswith("fuel/") for line in month.missing)
    # without the clause record, the same values lack their documents
    bare = completeness(plan(year=2025), JULY, records[:5], reference, as_of=date(2025, 9, 1))
    assert [p.place.row for p in bare.problems] == [1, 2, 3, 4, 5]


def test_a_month_outside_the_plans_year_is_a_problem(reference):
    """The 2026 plan does not cover July 2025: its evidence follows the 2025 plan."""
    month = completeness(plan(), JULY, full_month(), reference, as_of=date(2025, 9, 1))
    [problem] = month.problems
    assert problem.place == Place(field="month")
    assert "2025-07 is not in the year of the plan (2026)" in problem.message
    assert not month.complete
