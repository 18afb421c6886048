"""What makes each demo login a journey, added through the services after the province and its
dual control are loaded (`services.demo`): the demo enterprise's later annual reports (a second
year verified by the regulator, a third returned to it with a comment to fix) and the
regulator's decisions on the demo's project applications (one approved, one refused, both
applied for again so that two still wait) and applications of the other instruments (capacity
replacement, data centre, green factory), decided and waiting. Loading it again adds nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.services.access import Actor
from carbonpeak.store.models import PolicyApplication, Submission, User

# synthetic later years of the demo enterprise: its demo-year activity scaled (an efficiency
# gain the demo invents, not a measured one)
LATER_YEARS = (("2024", 0.97, "verify"), ("2025", 0.93, "return"))
RETURN_COMMENT = (
    "2025 年外购电力比 2024 年低 4%，但产量未变：请核对电费发票后修改并重新提交。"
    " (Purchased electricity is 4% below 2024 at the same output: check it against the"
    " electricity bills, correct and submit again.)"
)
REFUSE_COMMENT = (
    "项目单位产品能耗高于准入值，不予通过。 (The project's energy per unit of product is above"
    " the entry level: refused.)"
)


def _user(session: Session, name: str) -> Actor:
    return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def later_years(session: Session, activity: pd.DataFrame, enterprise_id: str) -> list[int]:
    """Submit the demo enterprise's later annual reports (by `demo-enterprise`), the regulator
    verifying the first and returning the second with a comment; the submission ids made
    (none when they are there already)."""
    from carbonpeak.services.accounting import submit
    from carbonpeak.services.accounting_review import review

    enterprise, regulator = _user(session, "demo-enterprise"), _user(session, "demo-regulator")
    held = session.execute(
        select(Submission.submission_id).where(
            Submission.enterprise_id == enterprise_id, Submission.period == LATER_YEARS[0][0]
        )
    ).first()
    if held is not None:
        return []
    own = activity[activity["enterprise_id"] == enterprise_id]
    made = []
    for period, factor, action in LATER_YEARS:
        rows = own.assign(
            period=period,
            amount=(pd.to_numeric(own["amount"]) * factor).map(lambda v: f"{v:.6g}"),
        )
        for sent in submit(session, enterprise, rows, f"demo-province/activity_{period}.csv"):
            comment = RETURN_COMMENT if action == "return" else None
            review(session, regulator, sent["submission_id"], action, comment)
            made.append(int(sent["submission_id"]))
    return made


def decide_applications(
    session: Session, projects: list[tuple[str, dict[str, Any]]], as_of: date
) -> list[dict[str, Any]]:
    """The regulator approves the demo's first project application (refuses it when the rules
    find it non-compliant: a smaller demo province's budget may not hold it) and refuses the
    second; `demo-enterprise` applies for both again (two wait for a decision). Only when the
    first two are both waiting (a demo loaded before)."""
    from carbonpeak.policy.verdict import stored_compliance
    from carbonpeak.services.policy import decide, submit_application

    rows = list(
        session.execute(
            select(PolicyApplication)
            .where(PolicyApplication.kind == "project")
            .order_by(PolicyApplication.application_id)
        ).scalars()
    )
    if len(rows) != 2 or any(r.state != "submitted" for r in rows):
        return []
    regulator, applicant = _user(session, "demo-regulator"), _user(session, "demo-enterprise")
    done = [
        decide(session, regulator, rows[0].application_id, "approve", None)
        if stored_compliance(rows[0].verdict)
        else decide(session, regulator, rows[0].application_id, "refuse", REFUSE_OTHER),
        decide(session, regulator, rows[1].application_id, "refuse", REFUSE_COMMENT),
    ]
    for enterprise_id, body in projects:
        submit_application(session, applicant, "project", enterprise_id, body, as_of)
    return done


# synthetic applications of the other instruments, shaped like the hand-worked cases of
# tests/policy and tests/api (capacity replacement in Tangshan, an air-pollution key region
# needing 2:1; a data centre's PUE months; a green-factory score sheet): designs, not real ones
CEMENT_EXAMPLE, STEEL_EXAMPLE = "911302007A3K9C2D24", "911302005B8M2P4Q99"


def _swap(exit_t: float) -> dict[str, Any]:
    return {
        "sector": "cement",
        "application_date": "2025-03-01",
        "location": {"region_code": "130200"},
        "built": [{"equipment": "clinker_kiln", "capacity_t": 1_500_000}],
        "exit": [{"equipment": "clinker_kiln", "capacity_t": exit_t, "region_code": "130200"}],
        "reaches_benchmark": True,
    }


def _centre(pue: float, as_of: date) -> dict[str, Any]:
    year = as_of.year - 1
    return {
        "region_code": "130200",
        "evaluation_date": as_of.isoformat(),
        "racks": 3000,
        "new_or_expanded": True,
        "large": True,
        "months": [
            {
                "month": f"{year}-{m:02d}",
                "total_kwh": round(1_000_000 * pue, 3),
                "it_kwh": 1_000_000,
            }
            for m in range(1, 13)
        ],
    }


def _factory(score: int) -> dict[str, Any]:
    sections = (
        "infrastructure",
        "management",
        "energy_resources",
        "products",
        "emissions",
        "performance",
    )
    return {
        "factory": "演示工厂",
        "basic": [{"item": "合法合规", "met": True}],
        "sections": {
            name: [
                {"item": f"{name}-1", "kind": "mandatory", "points": 10, "score": 10},
                {"item": f"{name}-2", "kind": "optional", "points": 10, "score": score},
            ]
            for name in sections
        },
    }


def other_kinds(session: Session, as_of: date) -> list[dict[str, Any]]:
    """Applications of every other instrument by `demo-enterprise`, each kind with one decided
    by the regulator and one waiting: a capacity replacement approved (2:1 met), one refused
    (1:1) and one waiting, a data centre refused (PUE 1.55) and one waiting (1.25), a green factory
    approved and one waiting; and the review workflow's states: a capacity replacement under
    review, a green factory returned with a comment, a data centre returned and resubmitted (the
    corrected one waiting). Only when the store has no capacity replacement yet."""
    from carbonpeak.services.policy import decide, review, submit_application

    held = session.execute(
        select(PolicyApplication.application_id).where(PolicyApplication.kind == "swap")
    ).first()
    if held is not None:
        return []
    regulator, applicant = _user(session, "demo-regulator"), _user(session, "demo-enterprise")
    plan = (
        ("swap", CEMENT_EXAMPLE, _swap(3_000_000), "approve"),
        ("swap", CEMENT_EXAMPLE, _swap(1_500_000), "refuse"),
        ("swap", CEMENT_EXAMPLE, _swap(3_000_000), None),
        ("datacentre", STEEL_EXAMPLE, _centre(1.55, as_of), "refuse"),
        ("datacentre", STEEL_EXAMPLE, _centre(1.25, as_of), None),
        ("factory", CEMENT_EXAMPLE, _factory(10), "approve"),
        ("factory", STEEL_EXAMPLE, _factory(5), None),
        ("swap", CEMENT_EXAMPLE, _swap(3_000_000), "take"),
        ("factory", CEMENT_EXAMPLE, _factory(8), "return"),
        ("datacentre", STEEL_EXAMPLE, _centre(1.25, as_of), "resubmit"),
    )
    made = []
    for kind, enterprise_id, body, step in plan:
        application = submit_application(session, applicant, kind, enterprise_id, body, as_of)
        number = application["application_id"]
        if step in ("take", "return", "resubmit"):  # the review workflow's states
            application = review(session, regulator, number, "take", None)
        if step in ("return", "resubmit"):
            application = review(session, regulator, number, "return", RETURN_APPLICATION)
        if step == "resubmit":  # corrected and sent again: the new one waits
            made.append(application)
            application = submit_application(
                session, applicant, kind, enterprise_id, body, as_of, resubmits=number
            )
        elif step in ("approve", "refuse"):
            comment = None if step == "approve" else REFUSE_OTHER
            application = decide(session, regulator, number, step, comment)
        made.append(application)
    return made


RETURN_APPLICATION = (
    "请补充证明材料后重新提交。 (Returned: add the supporting documents and submit it again.)"
)


REFUSE_OTHER = "不符合规则，不予批准。 (The rules find it non-compliant: refused.)"


def product_maps(
    session: Session, activity: pd.DataFrame, first: str | None = None
) -> list[dict[str, Any]]:
    """File the demo's process maps (`demo.product`: a BF-BOF and an EAF steel mill, an
    aluminium smelter and a cement plant) by `demo-admin` through the product service, each
    checked against the plant's stored reports of the year; those already filed are kept."""
    from carbonpeak.demo.product import product_plants
    from carbonpeak.services.product import keep_map
    from carbonpeak.store.models import Enterprise
    from carbonpeak.store.models_product import ProductMap as StoredMap

    industries = {
        str(code): str(industry or "")
        for code, industry in session.execute(
            select(Enterprise.enterprise_id, Enterprise.industry_code)
        )
    }
    admin = _user(session, "demo-admin")
    filed = []
    for made in product_plants(activity, industries, first):
        held = session.execute(
            select(StoredMap.enterprise_id).where(
                StoredMap.enterprise_id == made.enterprise_id, StoredMap.year == made.year
            )
        ).first()
        if held is None:
            kept = keep_map(
                session, admin, made.enterprise_id, made.year, made.plan, made.file_name
            )
            filed.append({"kind": made.kind, **{k: kept[k] for k in ("enterprise_id", "year")}})
    return filed


def green_lists(session: Session, as_of: date, first: str) -> list[int]:
    """Import the demo's illustrative green lists (`demo.green`) by `demo-admin` (the editor)
    and approve them by `demo-regulator` (the reviewer), through the green wing's import and
    the editions' review; the lists already imported are kept. The edition ids made."""
    from carbonpeak.demo.green import DOCUMENT, NOTE, demo_green_lists
    from carbonpeak.services.green import import_list
    from carbonpeak.services.reference_editions import decide
    from carbonpeak.store.models import Enterprise
    from carbonpeak.store.models_reference import ReferenceEdition

    enterprises = [
        (str(code), str(name), str(industry or ""))
        for code, name, industry in session.execute(
            select(Enterprise.enterprise_id, Enterprise.name, Enterprise.industry_code).order_by(
                Enterprise.created_at, Enterprise.enterprise_id
            )
        )
    ]
    held = set(session.scalars(select(ReferenceEdition.source_id)))
    editor, reviewer = _user(session, "demo-admin"), _user(session, "demo-regulator")
    made = []
    for listed in demo_green_lists(enterprises, first, as_of):
        if listed.source_id in held:
            continue
        kept = import_list(
            session,
            editor,
            listed.kind,
            f"{listed.source_id}.csv",
            listed.text.encode("utf-8"),
            {**DOCUMENT, "source_id": listed.source_id},
            year=listed.year,
            batch=listed.batch,
            status="unverified",
            note=NOTE,
        )
        decide(session, reviewer, kept["edition_id"], "approve", "演示数据 (the demo's own list)")
        made.append(int(kept["edition_id"]))
    return made


def utilisation_reports(session: Session, province: Any) -> dict[str, Any]:
    """File the demo's solid-waste reports (`demo.utilisation`: 2024 and 2025) by `demo-admin`
    through the utilisation service, checked as any upload is; none when some are stored."""
    from carbonpeak.demo.utilisation import demo_reports
    from carbonpeak.services.reference import library_in_force
    from carbonpeak.services.utilisation import keep_report
    from carbonpeak.store.models_utilisation import SolidWasteReport
    from carbonpeak.utilisation.report import check_report

    if session.execute(select(SolidWasteReport.report_id)).first() is not None:
        return {"reports": 0, "edition": None}
    edition = _illustrative_factors(session)
    name = "demo-province/solid_waste.csv"
    report, problems = check_report(demo_reports(province), library_in_force(session), name)
    if report is None:  # the demo's own data: a failure here is a bug of the demo
        raise InputError(problems)
    kept = keep_report(session, _user(session, "demo-admin"), report, name)
    return {"reports": len(kept["reports"]), "edition": edition}


def _illustrative_factors(session: Session) -> int | None:
    """Import the demo's illustrative edition of avoided-CO2 factors as `demo-admin` (its
    editor) and approve it as `demo-regulator` (its reviewer): every row says it is
    illustrative (`demo.utilisation.illustrative_edition`). Its id, or None when it is in."""
    from carbonpeak.demo.utilisation import ILLUSTRATIVE_SOURCE, illustrative_edition
    from carbonpeak.services.reference import reference_of
    from carbonpeak.services.reference_editions import decide, import_edition
    from carbonpeak.store.models_reference import ReferenceEdition

    held = select(ReferenceEdition.edition_id).where(
        ReferenceEdition.source_id == ILLUSTRATIVE_SOURCE
    )
    if session.execute(held).first() is not None:
        return None
    content = _edition_workbook(reference_of(session), *illustrative_edition())
    made = import_edition(
        session, _user(session, "demo-admin"), "demo-illustrative-factors.xlsx", content
    )
    decide(
        session,
        _user(session, "demo-regulator"),
        int(made["edition_id"]),
        "approve",
        "示例版本，仅供演示 (illustrative, demo only)",
    )
    return int(made["edition_id"])


def _edition_workbook(reference: Any, document: dict[str, Any], rows: list[list[object]]) -> bytes:
    """An edition workbook of `solid_waste_avoided_factors` with `document` and `rows`."""
    import io
    import tempfile
    from pathlib import Path

    from openpyxl import load_workbook

    from carbonpeak.io.reference_edition import (
        EDITION_SHEET,
        FIELDS,
        table_sheet_title,
        write_edition_template,
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edition.xlsx"
        write_edition_template(path, reference, ["solid_waste_avoided_factors"])
        book = load_workbook(path)
    sheet = book[EDITION_SHEET]
    for row, (code, _zh) in enumerate(FIELDS, start=2):
        sheet.cell(row=row, column=2, value=document.get(code))
    table = book[table_sheet_title(reference.spec("solid_waste_avoided_factors"))]
    for line in rows:
        table.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def directory_catalogue(session: Session) -> dict[str, Any]:
    """The demo's illustrative technology catalogue (`demo.directory`) imported as an authority
    imports a published one, its spreadsheet read into a draft edition (by `demo-admin`, the
    editor) and approved (by `demo-regulator`, the reviewer), so that a diagnosis's findings
    and the units below the benchmark level list candidate technologies; and the first
    variable-speed drive of the register marked as using its entry, for the entry's page to
    show. Once: an edition of the catalogue already stored is kept."""
    from carbonpeak.demo.directory import SOURCE_ID, catalogue_document, catalogue_rows
    from carbonpeak.io.directory import workbook_bytes
    from carbonpeak.services.directory import (
        candidates_for,
        catalogue_info,
        import_catalogue,
        use_technology,
    )
    from carbonpeak.services.reference_editions import decide
    from carbonpeak.store.models import Opportunity
    from carbonpeak.store.models_reference import ReferenceEdition

    stored = session.execute(
        select(ReferenceEdition).where(ReferenceEdition.source_id == SOURCE_ID)
    ).scalar_one_or_none()
    if stored is not None:
        return {"edition_id": stored.edition_id, "state": stored.state}
    header, rows = catalogue_rows()
    document = catalogue_document()
    draft = import_catalogue(
        session,
        _user(session, "demo-admin"),
        "demo-directory.xlsx",
        workbook_bytes(header, rows, "示例目录"),
        catalogue_info(**document),
    )
    decided = decide(
        session,
        _user(session, "demo-regulator"),
        int(draft["edition_id"]),
        "approve",
        "示例目录，仅供演示 (the demo's illustrative catalogue)",
    )
    used = (
        session.execute(
            select(Opportunity)
            .where(Opportunity.measure == "variable_speed_drive")
            .order_by(Opportunity.opportunity_id)
        )
        .scalars()
        .first()
    )
    drives = candidates_for(session, ["variable_speed_drive"]).get("variable_speed_drive")
    if used is not None and drives:
        use_technology(session, _user(session, "demo-admin"), used.opportunity_id, drives[0]["key"])
    return {"edition_id": decided["edition_id"], "state": decided["state"]}
