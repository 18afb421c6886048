"""Monthly evidence (月度信息化存证) of the national carbon market.

Each month an emitter files on the national platform, for the parameters of its data-quality
control plan, the month's value and its documents (ledgers, settlement vouchers, test and
calibration reports), and the other items its guideline lists (the steel guideline's 10.2:
stoppages, process data, coal-type proof, dry-basis consumption and moisture). A record here
is one parameter's value with its documents, or one item's documents, named by SHA-256 (the
hash of the document's content, the key under which the reference evidence store keeps it:
`services/reference_evidence.py`); the documents themselves are not read here.

`completeness` says, per parameter of the plan and per mandatory item of the guideline, what
is there and what is missing (the documents of an item filed under its clause count for every
plan parameter the item covers), the month's due date (from `market_evidence_deadlines`: within
40 natural days after the month's end from July 2025, per the 2025 work notice) and whether it
is overdue or due in how many days. A value of a measured parameter without a document, a
record of a parameter the plan does not have, a record repeated, and a month outside the plan's
year are placed problems.

Pure: the plan, the records, the reference and the day in; the month's state out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.market.plans import GUIDELINE_TEXTS, ParameterRow, QualityPlan, requirements
from carbonpeak.reference.loader import Record, Reference

RECORDS = "records"
Sha256 = str


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


class EvidenceRecord(BaseModel):
    """One filing of a month: a plan parameter's value with its documents (emission_type, item,
    parameter as in the plan's B.4 row) or the documents of a guideline item (clause)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enterprise: str = Field(min_length=1, description="the enterprise's USCC")
    month: date = Field(description="any day of the month (kept as its first day)")
    emission_type: str = ""
    item: str = ""
    parameter: str = ""
    clause: str = Field(default="", description="a guideline item, e.g. 10.2.1 a)")
    value: float | None = Field(default=None, allow_inf_nan=False)
    documents: tuple[Sha256, ...] = ()

    @field_validator("month")
    @classmethod
    def _first_day(cls, value: date) -> date:
        return month_start(value)

    @field_validator("documents")
    @classmethod
    def _hashes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for digest in value:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ValueError(f"{digest!r} is not a SHA-256 (64 lower-case hex digits)")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> EvidenceRecord:
        if bool(self.clause) == bool(self.parameter):
            raise ValueError("a record names either a plan parameter or a guideline clause")
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        """(emission type, item, parameter) as the plan's `ParameterRow.key`."""
        item = "" if self.emission_type == "enterprise" else self.item
        return (self.emission_type, item, self.parameter)


State = Literal["complete", "missing", "not_due"]


@dataclass(frozen=True)
class ParameterState:
    """One parameter of the plan in the month."""

    row: int
    key: tuple[str, str, str]
    acquisition: str
    clause: str | None
    value_needed: bool
    document_needed: bool
    value: float | None
    documents: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        out = []
        if self.value_needed and self.value is None:
            out.append("value")
        if self.document_needed and not self.documents:
            out.append("document")
        return tuple(out)

    @property
    def state(self) -> State:
        if not (self.value_needed or self.document_needed):
            return "not_due"
        return "missing" if self.missing else "complete"


@dataclass(frozen=True)
class ItemState:
    """A mandatory item of the guideline that no plan parameter covers (stoppages, process
    data, coal-type proof...): filed when it has a document."""

    clause: str
    content_zh: str
    documents: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return () if self.documents else ("document",)


@dataclass(frozen=True)
class MonthEvidence:
    """The evidence of one enterprise's month, as of a day."""

    enterprise: str
    month: date
    as_of: date
    due: date | None
    parameters: tuple[ParameterState, ...]
    items: tuple[ItemState, ...]
    problems: tuple[Problem, ...]
    warnings: tuple[ResultWarning, ...]
    used: tuple[tuple[str, int], ...]
    digest: str

    @property
    def missing(self) -> tuple[str, ...]:
        """What is still to file, one line each: `fuel/coke/net_consumption: document`."""
        out = [
            f"{'/'.join(p for p in s.key if p)}: {', '.join(s.missing)}"
            for s in self.parameters
            if s.missing
        ]
        out += [f"{i.clause}: {', '.join(i.missing)}" for i in self.items if i.missing]
        return tuple(out)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.problems

    @property
    def days_left(self) -> int | None:
        """Days from `as_of` to the due date (0: due today; negative: overdue)."""
        return None if self.due is None else (self.due - self.as_of).days

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.as_of > self.due and not self.complete


def due_date(reference: Reference, sector: str, month: date) -> tuple[date | None, Record | None]:
    """The day `sector`'s evidence of `month` is due, and the row that says so."""
    month = month_start(month)
    for row in reference.rows("market_evidence_deadlines", sector=sector):
        first = row["first_month"]
        last = row.get("last_month")
        if not isinstance(first, date) or month < first:
            continue
        if isinstance(last, date) and month > last:
            continue
        fixed = row.get("due")
        if isinstance(fixed, date):
            return fixed, row
        days = row.get("days_after_month_end")
        if isinstance(days, int):
            return month_end(month) + timedelta(days=days), row
    return None, None


def _covers(items: tuple[Record, ...]) -> dict[tuple[str, str], Record]:
    out = {}
    for item in items:
        if item["mandatory"] != "yes":
            continue
        for pair in str(item.get("covers") or "").split():
            emission_type, _, parameter = pair.partition(":")
            out[(emission_type, parameter)] = item
    return out


def _needs(row: ParameterRow, item: Record | None) -> tuple[bool, bool]:
    """Whether the month needs a value and a document of the row."""
    measured = row.acquisition == "measured"
    if item is None:
        return measured, measured
    if item["document"] == "measured" and not measured:
        return False, False
    return True, True


def _item_documents(
    row: ParameterRow, covers: dict[tuple[str, str], Record], by_clause: dict[str, EvidenceRecord]
) -> tuple[str, ...]:
    """The documents filed under the clause of the item that covers `row` (one monthly ledger
    for every fuel of 10.2.1 b), say), if any."""
    item = covers.get((row.emission_type, row.parameter))
    filed = by_clause.get(str(item["clause"])) if item is not None else None
    return filed.documents if filed is not None else ()


def completeness(
    plan: QualityPlan,
    month: date,
    records: tuple[EvidenceRecord, ...] | list[EvidenceRecord],
    reference: Reference,
    as_of: date,
) -> MonthEvidence:
    """The state of `plan`'s enterprise's evidence of `month` on `as_of`: per parameter of the
    plan a value (for the parameters a mandatory item of the guideline covers, and every
    measured one) and a document (the same, with the NCV test report only when measured), per
    other mandatory item a document; the due date and the problems of the records (placed at
    `records`, the record's position from 1). Records of other months are left aside."""
    month = month_start(month)
    sector = plan.sector
    problems: list[Problem] = []
    warnings: list[ResultWarning] = []
    used: list[tuple[str, int]] = []

    if month.year != plan.year:
        problems.append(
            Problem.of(
                Place(field="month"),
                N_("{} is not in the year of the plan ({}): a month follows the plan of its year"),
                f"{month:%Y-%m}",
                plan.year,
            )
        )
    due, rule = due_date(reference, sector, month)
    if rule is None:
        warnings.append(warn("market.evidence.no_deadline", sector=sector, month=f"{month:%Y-%m}"))
    else:
        used.append(("market_evidence_deadlines", rule.line))

    reqs = requirements(reference, sector, plan.year)
    mandatory = tuple(i for i in reqs.evidence_items if i["mandatory"] == "yes")
    if not reqs.evidence_items:
        warnings.append(
            warn(
                "market.evidence.items_not_in_library",
                sector=sector,
                guideline=GUIDELINE_TEXTS.get(sector, sector),
            )
        )
    covers = _covers(mandatory)
    clauses = {str(i["clause"]) for i in mandatory}

    by_key: dict[tuple[str, str, str], EvidenceRecord] = {}
    by_clause: dict[str, EvidenceRecord] = {}
    bare: list[tuple[int, ParameterRow, str]] = []  # measured values filed without a document
    plan_keys = {r.key: r for r in plan.parameters}
    for number, record in enumerate(records, 1):
        if record.month != month:
            continue
        if record.enterprise != plan.enterprise.uscc:
            problems.append(
                Problem.of(
                    Place(sheet=RECORDS, row=number, field="enterprise"),
                    N_("the record is of enterprise {}, the plan of {}"),
                    record.enterprise,
                    plan.enterprise.uscc,
                )
            )
            continue
        if record.clause:
            if record.clause not in clauses:
                problems.append(
                    Problem.of(
                        Place(sheet=RECORDS, row=number, field="clause"),
                        N_("{} is not a mandatory evidence item of the guideline"),
                        record.clause,
                    )
                )
            elif record.clause in by_clause:
                problems.append(
                    Problem.of(
                        Place(sheet=RECORDS, row=number, field="clause"),
                        N_("{} is filed twice for {}"),
                        record.clause,
                        f"{month:%Y-%m}",
                    )
                )
            else:
                by_clause[record.clause] = record
            continue
        row = plan_keys.get(record.key)
        label = "/".join(p for p in record.key if p)
        if row is None:
            problems.append(
                Problem.of(
                    Place(sheet=RECORDS, row=number, field="parameter"),
                    N_("{} is not a parameter of the plan (version {})"),
                    label,
                    plan.version.number,
                )
            )
            continue
        if record.key in by_key:
            problems.append(
                Problem.of(
                    Place(sheet=RECORDS, row=number, field="parameter"),
                    N_("{} is filed twice for {}"),
                    label,
                    f"{month:%Y-%m}",
                )
            )
            continue
        by_key[record.key] = record
        if row.acquisition == "measured" and record.value is not None and not record.documents:
            bare.append((number, row, label))
    for number, row, label in bare:  # unless the item covering it has its documents
        if not _item_documents(row, covers, by_clause):
            problems.append(
                Problem.of(
                    Place(sheet=RECORDS, row=number, field="documents"),
                    N_("{} is measured by the plan: its value of {} needs its document"),
                    label,
                    f"{month:%Y-%m}",
                )
            )

    states = []
    for number, row in enumerate(plan.parameters, 1):
        item = covers.get((row.emission_type, row.parameter))
        if item is not None:
            used.append(("market_evidence_items", item.line))
        value_needed, document_needed = _needs(row, item)
        filed = by_key.get(row.key)
        documents = (filed.documents if filed else ()) or _item_documents(row, covers, by_clause)
        states.append(
            ParameterState(
                row=number,
                key=row.key,
                acquisition=row.acquisition,
                clause=str(item["clause"]) if item is not None else None,
                value_needed=value_needed,
                document_needed=document_needed,
                value=filed.value if filed else None,
                documents=documents,
            )
        )
    covering = {id(i) for i in covers.values()}
    items = []
    for item in mandatory:
        if id(item) in covering:
            continue
        used.append(("market_evidence_items", item.line))
        filed = by_clause.get(str(item["clause"]))
        items.append(
            ItemState(
                clause=str(item["clause"]),
                content_zh=str(item["content_zh"]),
                documents=filed.documents if filed else (),
            )
        )
    return MonthEvidence(
        enterprise=plan.enterprise.uscc,
        month=month,
        as_of=as_of,
        due=due,
        parameters=tuple(states),
        items=tuple(items),
        problems=tuple(problems),
        warnings=tuple(warnings),
        used=tuple(sorted(set(used))),
        digest=reference.digest,
    )
