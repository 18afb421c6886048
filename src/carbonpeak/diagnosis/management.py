"""Energy management: the plant's answers on each clause of the energy management system
standard (ISO 50001:2018, adopted as GB/T 23331-2020; `enms_clauses`) scored, and its metering
coverage by level and energy type after the definition of GB 17167: coverage (配备率) =
meters installed / meters required to measure every energy quantity x 100 %.

Score: yes 1, partly 0.5, no 0, every clause weighing the same (the project's choice: the
standard sets no weights); the score is over the clauses answered, and the share answered is
reported beside it.

The required coverage rates (GB 17167 Table 1, by level and energy kind) were not found in a
faithful copy of either edition (docs/notes/research17.md §1), so `metering_coverage_requirements`
ships without rows and, by default, coverage is reported without a verdict, the note naming the
missing table and its editions. When the authority supplies the rates
(`Reference.with_rows`, `carbonpeak diagnosis run --rates FILE`), the rows of the edition in
force on the diagnosis date are applied: a count meets its rate when installed >= rate x
required; a level meets when every count of it meets, is below when any is below, and has no
verdict while a count of it has no rate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from carbonpeak.domain.schema import Whole
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.loader import Record, Reference

STANDARD = "ISO 50001:2018"
POINTS = {"yes": 1.0, "partly": 0.5, "no": 0.0}
RATES = "metering_coverage_requirements"
LEVELS = ("unit", "sub_unit", "equipment")
# The editions of GB 17167 and when each is in force: the 2006 edition from 2007-01-01 (its
# foreword, [F2] research17.md §1.1), replaced by GB 17167-2025 on 2026-02-01 ([F2]
# standards_2026_verified.md §4.2); sources dg_gb17167_2006 and dg_gb17167_2025.
EDITIONS = (
    ("GB 17167-2006", date(2007, 1, 1), date(2026, 2, 1)),
    ("GB 17167-2025", date(2026, 2, 1), None),
)
TOLERANCE = 1e-9  # installed / required against a rate read from text
Answer = Literal["yes", "partly", "no"]


class MeterCount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    level: Literal["unit", "sub_unit", "equipment"] = Field(
        description="进出用能单位, 进出主要次级用能单位, 主要用能设备"
    )
    energy: str = Field(min_length=1, max_length=40)
    required: Whole = Field(ge=1)
    installed: Whole = Field(ge=0)

    @model_validator(mode="after")
    def _count(self) -> MeterCount:
        if self.installed > self.required:
            raise ValueError(
                "installed is above required: count only meters of a required quantity"
            )
        return self


def checklist(reference: Reference, answers: dict[str, Answer]) -> dict[str, Any]:
    """The score (0-100) over the answered clauses, the share answered, and the gaps."""
    clauses = reference.frame("enms_clauses")
    clauses = clauses[clauses["standard"] == STANDARD]
    titles = dict(zip(clauses["clause"], clauses["title"], strict=True))
    unknown = sorted(set(answers) - set(titles))
    if unknown:
        raise InputError(
            [
                Problem(Place(field=f"management.{c}"), f"no clause {c} in {STANDARD}")
                for c in unknown
            ]
        )
    points = [POINTS[a] for a in answers.values()]
    return {
        "standard": f"{STANDARD} (GB/T 23331-2020)",
        "score": 100 * sum(points) / len(points) if points else None,
        "answered": len(answers) / len(titles),
        "gaps": [
            {"clause": c, "title": titles[c], "answer": answers[c]}
            for c in titles
            if answers.get(c) in ("no", "partly")
        ],
        "not_answered": [c for c in titles if c not in answers],
    }


def edition_on(on: date) -> str | None:
    """The edition of GB 17167 in force on a date (None before 2007)."""
    for standard, start, end in EDITIONS:
        if start <= on and (end is None or on < end):
            return standard
    return None


def check_rates(reference: Reference) -> list[Problem]:
    """The rows of `metering_coverage_requirements` whose validity is not inside the dates of
    their edition (a 2006 row must end by 2026-02-01, a 2025 row begin on it or later): such a
    row would never be applied, or be applied under the wrong edition."""
    problems = []
    spans = {standard: (start, end) for standard, start, end in EDITIONS}
    for record in reference.rows(RATES):
        standard = str(record["standard"])
        start, end = spans[standard]
        begins, ends = record.valid_from, record.valid_to
        if begins is None or begins < start or (end is not None and (ends is None or ends > end)):
            problems.append(
                Problem.of(
                    Place(row=record.line, column="valid_from"),
                    N_("valid from {} to {}: outside {}, in force from {} to {}"),
                    begins or "-",
                    ends or "-",
                    standard,
                    start,
                    end or "-",
                )
            )
    return problems


def _editions() -> tuple[str, ...]:
    """The two editions and their dates, as the values of a note."""
    (old, old_from, old_to), (new, new_from, _) = EDITIONS
    last_day = (old_to - timedelta(days=1)) if old_to else None
    return (old, str(old_from), str(last_day), new, str(new_from))


def metering(
    meters: list[MeterCount], reference: Reference, on: date
) -> tuple[dict[str, Any], list[ResultWarning]]:
    """Coverage by level and energy type and over each level, with a verdict against the
    required rates of the edition of GB 17167 in force on `on` where the reference has them
    (`metering_coverage_requirements`); without them, no verdict and a note saying which
    table is missing. The warnings say when a verdict rests on unverified rates."""
    standard = edition_on(on)
    rates: dict[tuple[str, str], Record] = {}
    if standard is not None:
        for found in reference.rows(RATES, as_of=on, standard=standard):
            rates[(str(found["level"]), str(found["energy"]))] = found
    rows: list[dict[str, Any]] = []
    used: dict[int, Record] = {}
    for m in meters:
        record = rates.get((m.level, m.energy))
        rate, verdict = None, None
        if record is not None:
            used[record.line] = record
            rate = float(record["rate"])  # type: ignore[arg-type]
            verdict = "meets" if m.installed >= rate * m.required - TOLERANCE else "below"
        rows.append(
            {
                "level": m.level,
                "energy": m.energy,
                "required": m.required,
                "installed": m.installed,
                "coverage": m.installed / m.required,
                "rate": rate,
                "verdict": verdict,
            }
        )
    levels = {}
    verdicts: dict[str, str | None] = {}
    for level in LEVELS:
        mine = [m for m in meters if m.level == level]
        if not mine:
            continue
        levels[level] = sum(m.installed for m in mine) / sum(m.required for m in mine)
        given = [r["verdict"] for r in rows if r["level"] == level]
        verdicts[level] = "below" if "below" in given else "meets" if None not in given else None
    given = list(verdicts.values())
    overall = "below" if "below" in given else "meets" if given and None not in given else None
    applied = [used[line] for line in sorted(used)]
    warnings: list[ResultWarning] = []
    unverified = [r.line for r in applied if r["status"] != "verified"]
    if unverified:
        warnings.append(
            warn("diagnosis.management.unverified_rates", standard=standard, lines=unverified)
        )
    template, values = _note(standard, on, rates, rows)
    result = {
        "rows": rows,
        "levels": levels,
        "level_verdicts": verdicts,
        "verdict": overall,
        "as_of": on.isoformat(),
        "standard": standard,
        "rates": [
            {
                "table": RATES,
                "line": r.line,
                "level": r["level"],
                "energy": r["energy"],
                "rate": r["rate"],
                "valid_from": _iso(r.valid_from),
                "valid_to": _iso(r.valid_to),
                "source_id": r["source_id"],
                "status": r["status"],
            }
            for r in applied
        ],
        "note": template.format(*values),
        "note_template": template,
        "note_values": list(values),
    }
    return result, warnings


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _note(
    standard: str | None, on: date, rates: dict[tuple[str, str], Record], rows: list[dict[str, Any]]
) -> tuple[str, tuple[str, ...]]:
    """The note on the verdicts: its template (translatable) and its values."""
    if standard is None:
        template = N_(
            "no edition of GB 17167 in force on {} ({} from {} to {}, {} from {}): no verdict"
        )
        return template, (on.isoformat(), *_editions())
    if not rates:
        template = N_(
            "the reference table {} has no rows of {} in force on {}: the required coverage "
            "rates of GB 17167 Table 1 ({} from {} to {}, {} from {}) are supplied by the "
            "authority; coverage is reported without a verdict"
        )
        return template, (RATES, standard, on.isoformat(), *_editions())
    missing = [f"{r['level']}/{r['energy']}" for r in rows if r["rate"] is None]
    if missing:
        return N_("{} gives no rate for {}: no verdict for them"), (standard, ", ".join(missing))
    return N_("verdicts against the rates of {} in force on {}"), (standard, on.isoformat())
