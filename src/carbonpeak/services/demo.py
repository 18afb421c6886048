"""The demo: the synthetic province, its meters, pathways and plants written as files
(`make_demo`), and loaded into the store with a login of each kind (`load_province`), then
its carbon dual control for the demo's day (`load_dual_control`: 2026 monthly reports, the
2025 and 2026 budget cascades, the demo authority's alert thresholds, the alerts as of the
day and two project applications waiting for review)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.demo.dual_control import TABLE as THRESHOLDS
from carbonpeak.demo.dual_control import DualControl, dual_control
from carbonpeak.demo.meters import metered_enterprises
from carbonpeak.demo.province import (
    Province,
    generate_province,
    load_profile,
    province_results,
    write_province,
)
from carbonpeak.domain.days import china_today
from carbonpeak.domain.entities import Enterprise as EnterpriseEntity
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.users import add_user
from carbonpeak.settings import settings
from carbonpeak.store.models import (
    Enterprise,
    Opportunity,
    PolicyApplication,
    ProductionUnit,
    Site,
    User,
)

DEMO_PASSWORD = "carbonpeak-demo"  # a local demo's shared password, printed by `make demo`


def demo_today(today: date | None = None) -> date:
    """The demo's day: `today` if given, else `CARBONPEAK_DEMO_TODAY`, else the date in
    China now."""
    return today or settings().demo_today or china_today()


@dataclass(frozen=True)
class DemoRun:
    """What `make_demo` made: the province and its activity table, the files written (the
    pathways scenario among them), the results: `sectors` and `grades` of the accounts,
    `pathways`, `diagnoses` of the plants and, when loaded, `loaded`; and its carbon dual
    control."""

    province: Province
    activity: pd.DataFrame
    files: list[Path]
    scenario_path: Path
    results: dict[str, Any]
    dual_control: DualControl | None = None


def make_demo(
    out_dir: Path,
    *,
    seed: int = 2030,
    enterprises: int = 1500,
    plants: int = 12,
    load: bool = False,
    today: date | None = None,
) -> DemoRun:
    """Generate the province (the same seed gives the same files) and write its tables, a year
    of meter readings of `plants` plants, the pathways scenario, the demo plants' files and the
    2026 monthly reports up to `today` (`demo_today`); diagnose the plants; with `load`, add it
    all to the store (its schema upgraded first), with its carbon dual control, and the meters
    to the lake (`CARBONPEAK_LAKE`)."""
    from carbonpeak.demo.pathways import province_pathways
    from carbonpeak.demo.plants import demo_plants, write_plants
    from carbonpeak.diagnosis.plant import diagnose, parse
    from carbonpeak.io.sheets import frame_to_csv
    from carbonpeak.reference.loader import default_reference

    province = generate_province(seed=seed, enterprises=enterprises)
    files = write_province(province, out_dir)
    activity = pd.read_csv(out_dir / "activity.csv", dtype=str, keep_default_na=False)
    results: dict[str, Any] = dict(province_results(province, activity))
    if plants:
        files += _write_meters(activity, plants, seed, out_dir, load)
    scenario_path, results["pathways"] = province_pathways(province, activity, out_dir)
    files.append(scenario_path)
    # the demo is built from the shipped library (the same seed gives the same files whatever
    # the store holds); what goes into the store goes through the services, which compute
    # with the library in force (the plants' diagnoses: `register_diagnosis`)
    plant_files = demo_plants(province, default_reference(), seed)
    files += write_plants(plant_files, out_dir)
    results["diagnoses"] = []
    for plant_file in plant_files:
        found = diagnose(parse(plant_file), default_reference())
        results["diagnoses"].append(
            {
                "enterprise_id": plant_file["enterprise_id"],
                "measures": len(found["measures"]),
                **found["totals"],
            }
        )
    control = dual_control(province, activity, demo_today(today))
    months_path = out_dir / "activity_2026.csv"
    frame_to_csv(control.activity, months_path)
    files.append(months_path)
    if load:
        results["loaded"] = _load(province, activity, plant_files, control)
    return DemoRun(province, activity, files, scenario_path, results, control)


def _write_meters(
    activity: pd.DataFrame, plants: int, seed: int, out_dir: Path, load: bool
) -> list[Path]:
    """Write the demo plants' meters, readings and drivers; with `load`, add them to the
    lake (`CARBONPEAK_LAKE`)."""
    from carbonpeak.demo.meters import demo_meters
    from carbonpeak.io.lake import default_lake, ingest, ingest_drivers
    from carbonpeak.io.sheets import frame_to_csv
    from carbonpeak.reference.loader import default_reference

    made = demo_meters(activity, plants, seed)
    files = [out_dir / "meters.csv", out_dir / "readings.parquet", out_dir / "production.csv"]
    frame_to_csv(made.meters, files[0])
    made.readings.to_parquet(files[1], index=False)
    frame_to_csv(made.drivers, files[2])
    if load:  # the demo's meters are made from the shipped library, and checked with it
        lake = default_lake()
        ingest(files[1], files[0], lake, default_reference())
        ingest_drivers(files[2], lake, default_reference())
    return files


def _load(
    province: Province,
    activity: pd.DataFrame,
    plant_files: list[dict[str, Any]],
    control: DualControl,
) -> dict[str, Any]:
    """Upgrade the configured store, load the province, register the plants' diagnoses once
    (loading the demo again adds none), load its carbon dual control and its solid-waste
    reports."""
    from carbonpeak.services.demo_journeys import utilisation_reports
    from carbonpeak.services.diagnosis import register_diagnosis
    from carbonpeak.store.db import opened, transaction, upgrade

    with opened() as engine:
        upgrade(engine)
        with transaction(engine) as session:
            loaded = load_province(session, province, activity)
        with transaction(engine) as session:
            if session.execute(select(Opportunity.opportunity_id)).first() is None:
                admin = session.execute(
                    select(User).where(User.username == "demo-admin")
                ).scalar_one()
                for plant_file in plant_files:
                    register_diagnosis(session, Actor.of(admin), plant_file)
        with transaction(engine) as session:
            loaded["dual_control"] = load_dual_control(session, control)
        with transaction(engine) as session:
            loaded["market"] = load_market(session, control)
        with transaction(engine) as session:
            loaded["journeys"] = load_journeys(
                session, activity, control, loaded["demo_enterprise"]
            )
        with transaction(engine) as session:
            loaded["utilisation"] = utilisation_reports(session, province)
    return loaded


def load_journeys(
    session: Session, activity: pd.DataFrame, control: DualControl, enterprise_id: str
) -> dict[str, Any]:
    """What makes each login a journey (`services.demo_journeys`): the demo enterprise's later
    years (one verified, one returned), the regulator's decisions on applications and the
    exporters' process maps (`demo.product`)."""
    from carbonpeak.services.demo_journeys import (
        decide_applications,
        directory_catalogue,
        green_lists,
        later_years,
        other_kinds,
        product_maps,
    )

    return {
        "directory": directory_catalogue(session),
        "product_maps": product_maps(session, activity, enterprise_id),
        "later_reports": later_years(session, activity, enterprise_id),
        "decided": [
            a["application_id"]
            for a in decide_applications(session, control.projects, control.as_of)
        ],
        "other_applications": [a["application_id"] for a in other_kinds(session, control.as_of)],
        "green_lists": green_lists(session, control.as_of, enterprise_id),
    }


def load_province(session: Session, province: Province, activity: pd.DataFrame) -> dict[str, Any]:
    """Add what is missing of the province to the store and submit its activity (again
    submitting the same activity changes nothing)."""
    present = set(session.execute(select(Enterprise.enterprise_id)).scalars())
    examples = [EnterpriseEntity(**e) for e in load_profile()["examples"]]
    candidates = [e.enterprise for e in province.enterprises] + examples
    new = [e for e in candidates if e.enterprise_id not in present]
    session.add_all(Enterprise(**e.model_dump()) for e in new)
    session.flush()
    sites = set(session.execute(select(Site.site_id)).scalars())
    session.add_all(Site(**s.model_dump()) for s in province.sites if s.site_id not in sites)
    session.flush()
    units = set(session.execute(select(ProductionUnit.unit_id)).scalars())
    session.add_all(
        ProductionUnit(**u.model_dump()) for u in province.units if u.unit_id not in units
    )
    first = province.enterprises[0].enterprise.enterprise_id
    # the enterprise login also holds the first metered plant: its monitoring page has readings
    plant = [p for p in metered_enterprises(activity, 1) if p != first]
    logins = {
        "demo-admin": ("admin", [], []),
        "demo-regulator": ("regulator", [province.region.region_code], []),
        "demo-enterprise": (
            "enterprise",
            [],
            [first, *plant, *(e.enterprise_id for e in examples)],
        ),
    }
    # the demo's administrator edits the reference library and its regulator reviews it
    duties = {"demo-admin": ["reference_editor"], "demo-regulator": ["reference_reviewer"]}
    users = set(session.execute(select(User.username)).scalars())
    for name, (role, regions, enterprises) in logins.items():
        if name not in users:
            add_user(
                session, name, role, DEMO_PASSWORD, regions, enterprises, "demo", duties.get(name)
            )
    admin = session.execute(select(User).where(User.username == "demo-admin")).scalar_one()
    submissions = submit(session, Actor.of(admin), activity, "demo-province/activity.csv")
    makers = _automakers(session, province, Actor.of(admin))
    return {
        "enterprises_added": len(new),
        "submissions_created": sum(1 for s in submissions if s["created"]),
        "logins": {name: DEMO_PASSWORD for name in (*logins, "demo-automaker")},
        "demo_enterprise": first,
        "demo_automakers": makers,
    }


def _user(session: Session, name: str) -> Actor:
    return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def load_dual_control(session: Session, control: DualControl) -> dict[str, Any]:
    """Load the demo's carbon dual control (`demo.dual_control`) into a store holding the
    province (`load_province`), each part through its service and only where missing (loading
    it again adds nothing): the demo authority's thresholds (by `demo-regulator`), the 2026
    monthly reports (by `demo-admin`), the 2025 and 2026 cascades (by `demo-regulator`), the
    alerts as of the demo's day and two project applications (by `demo-enterprise`)."""
    from carbonpeak.services.accounting import submit
    from carbonpeak.services.budgets import list_budgets, record_alerts, save_budgets
    from carbonpeak.services.policy import submit_application
    from carbonpeak.services.reference import enter_authority_rows, list_authority_rows

    admin, regulator = _user(session, "demo-admin"), _user(session, "demo-regulator")
    entered = [
        r for r in list_authority_rows(session, THRESHOLDS) if r["document"] == control.document
    ]
    if not entered:
        enter_authority_rows(
            session, regulator, THRESHOLDS, control.authority, control.thresholds, control.document
        )
    reports = submit(session, admin, control.activity, "demo-province/activity_2026.csv")
    saved = 0
    for year, rows in control.budgets.items():
        if not list_budgets(session, admin, year):
            saved += len(save_budgets(session, regulator, rows))
    alerts = record_alerts(session, control.as_of)
    applications = []
    held = session.execute(
        select(PolicyApplication.application_id).where(PolicyApplication.kind == "project")
    ).first()
    if held is None:
        applicant = _user(session, "demo-enterprise")
        for enterprise_id, body in control.projects:
            made = submit_application(
                session, applicant, "project", enterprise_id, body, control.as_of
            )
            applications.append(made["application_id"])
    return {
        "as_of": control.as_of.isoformat(),
        "key_enterprises": len(control.key_enterprises),
        "reports_created": sum(1 for r in reports if r["created"]),
        "budgets_saved": saved,
        "alerts_raised": sum(1 for a in alerts if a["kind"] == "raised"),
        "applications": applications,
    }


def load_market(session: Session, control: DualControl) -> dict[str, Any]:
    """Load the demo's carbon market (`demo.market`: synthetic plans, monthly evidence with
    gaps, process sheets and the year before's ledger of the key steel enterprises) where
    missing: plans and evidence filed by `demo-admin` through their service, the process
    sheets by `demo-admin` through theirs (checked against the stored monthly reports), the
    ledger's entries by the authorities (`demo-regulator`) and the registry's (`demo-admin`)
    through theirs."""
    from carbonpeak.demo.market import LABEL, market_demo
    from carbonpeak.market.accounts import account_market
    from carbonpeak.services.market_evidence import keep_document, keep_records
    from carbonpeak.services.market_ledger import append_entry
    from carbonpeak.services.market_processes import keep_processes
    from carbonpeak.services.reference import library_in_force
    from carbonpeak.store.models_market import MarketPlan

    if session.execute(select(MarketPlan.plan_id)).first() is not None:
        return {"plans": 0, "evidence": 0, "entries": 0, "process_sheets": 0}
    admin, regulator = _user(session, "demo-admin"), _user(session, "demo-regulator")
    reference = library_in_force(session)
    rows = session.execute(
        select(Enterprise.enterprise_id, Enterprise.name, Enterprise.industry_code)
    ).all()
    names = {code: name for code, name, _ in rows}
    industries = {code: str(industry or "") for code, _, industry in rows}
    activity = control.activity
    steel = activity.loc[activity["enterprise_id"].map(industries).isin(["3110", "3120"])]
    co2: dict[str, float] = {}
    if len(steel):
        totals = account_market(steel, "steel", reference=reference).totals
        summed = totals.groupby("enterprise_id")["co2_t"].sum()
        co2 = {str(k): float(v) for k, v in summed.items()}
    made = market_demo(activity, names, industries, co2, control.as_of, reference, seed=2030)
    for plan in made.plans:
        session.add(
            MarketPlan(
                enterprise_id=plan.enterprise.uscc,
                year=plan.year,
                version=1,
                reason=plan.version.reason,
                content=plan.model_dump(mode="json"),
                created_by=admin.user_id,
            )
        )
    for content in made.documents.values():
        keep_document(session, "demo-document.txt", "text/plain", content, admin.user_id)
    keep_records(session, list(made.evidence), admin.user_id)
    for code, sheet in sorted(made.processes.items()):
        year = str(sheet["period"].iloc[0])[:4]
        keep_processes(session, admin, code, sheet, f"工序 {year} {LABEL}.csv")
    for entry in made.entries:
        who = regulator if entry.kind in ("obligation", "allocated") else admin
        append_entry(
            session,
            who,
            {
                "day": entry.day,
                "kind": entry.kind,
                "holder": entry.holder,
                "amount": entry.amount,
                "vintage": entry.vintage,
                "year": entry.year,
            },
        )
    return {
        "plans": len(made.plans),
        "evidence": len(made.evidence),
        "entries": len(made.entries),
        "process_sheets": len(made.processes),
    }


AUTOMAKERS = (  # synthetic makers: name, affiliate group
    ("演示新能源汽车有限公司", "demo-group-1"),
    ("演示汽车销售有限公司", "demo-group-1"),
    ("演示合资汽车有限公司", "demo-group-2"),
)


def _fleet(session: Session, maker: str, admin: Actor) -> None:
    """The first maker's fleet: the fleet workbook's example models in 2023, unless it has
    one."""
    from carbonpeak.io.fleet import check_bilingual_fleet, example_fleet
    from carbonpeak.reference.loader import default_reference
    from carbonpeak.services.fleet import store_fleet
    from carbonpeak.store.models import FleetModel

    if session.execute(
        select(FleetModel.enterprise_id).where(FleetModel.enterprise_id == maker)
    ).first():
        return
    # the demo's fleet is built and checked with the shipped library
    fleet, problems = check_bilingual_fleet(example_fleet(maker, 2023), default_reference())
    assert not problems, problems
    store_fleet(session, admin, fleet, "demo")


def _automakers(session: Session, province: Province, admin: Actor) -> list[str]:
    """Three synthetic automakers of the province (two affiliates), a `demo-automaker` login
    for the first two, and two years of their credit ledger (results, a trade, transfers,
    offsets, a pool deposit and a deficit left open) unless the ledger has entries."""
    from carbonpeak.domain.uscc import make_uscc, organisation_check_character
    from carbonpeak.services.credits import append_entry
    from carbonpeak.store.models import CreditEntry

    region = province.prefectures[0].region_code
    bodies = [f"DEMCAR0{i}" for i in range(1, 4)]
    codes = [make_uscc(f"91{region}{b}{organisation_check_character(b)}") for b in bodies]
    present = set(session.execute(select(Enterprise.enterprise_id)).scalars())
    for code, (name, group) in zip(codes, AUTOMAKERS, strict=True):
        if code not in present:
            session.add(
                Enterprise(
                    enterprise_id=code,
                    name=name,
                    region_code=region,
                    industry_code="3612",
                    affiliate_group=group,
                )
            )
    session.flush()
    if not session.execute(select(User).where(User.username == "demo-automaker")).first():
        add_user(session, "demo-automaker", "automaker", DEMO_PASSWORD, [], codes[:2], actor="demo")
    _fleet(session, codes[0], admin)
    if session.execute(select(CreditEntry.entry_id)).first():
        return codes
    a, b, c = codes
    for entry in (
        ("2023-07-01", "earn", "nev", 2022, 120000, a, {}),
        ("2023-07-01", "earn", "cafc", 2022, 80000, a, {}),
        ("2023-07-01", "deficit", "cafc", 2022, 30000, b, {}),
        ("2023-07-01", "deficit", "nev", 2022, 40000, c, {}),
        ("2023-07-15", "trade", "nev", 2022, 40000, a, {"counterparty": c, "price": 1128}),
        ("2023-08-01", "offset", "nev", 2022, 40000, c, {"settles": 2022, "settles_credit": "nev"}),
        ("2023-08-10", "transfer", "cafc", 2022, 30000, a, {"counterparty": b}),
        (
            "2023-08-20",
            "offset",
            "cafc",
            2022,
            30000,
            b,
            {"settles": 2022, "settles_credit": "cafc"},
        ),
        ("2024-07-01", "earn", "nev", 2023, 150000, a, {}),
        ("2024-07-01", "deficit", "nev", 2023, 50000, c, {}),
        ("2024-07-01", "deficit", "cafc", 2023, 20000, b, {}),
        ("2024-07-10", "deposit", "nev", 2023, 30000, a, {}),
    ):
        day, kind, credit, vintage, amount, entity, extra = entry
        append_entry(
            session,
            admin,
            {
                "day": date.fromisoformat(day),
                "kind": kind,
                "credit": credit,
                "vintage": vintage,
                "amount": float(amount),
                "entity": entity,
                **extra,
            },
        )
    return codes


def replay(url: str, folder: Path, seed: int = 2030, plants: int = 12) -> dict[str, Any]:
    """The demo's live day (`demo.replay`) sent to the server at `url` by the collectors of
    the demo's monitored plants, each with an API key of `demo-admin` narrowed to its plant
    and lasting a day; `folder` holds the demo's files (`carbonpeak demo --out`)."""
    from carbonpeak.demo.meters import demo_meters
    from carbonpeak.demo.replay import live_day, send
    from carbonpeak.services.store import store_session
    from carbonpeak.services.tokens import issue_api_key

    activity = pd.read_csv(folder / "activity.csv", dtype=str, keep_default_na=False)
    live = live_day(demo_meters(activity, plants, seed), activity, seed=seed)
    enterprises = sorted({enterprise for enterprise, _b, _r in live.batches})
    with store_session() as session:
        admin = session.execute(select(User).where(User.username == "demo-admin")).scalar_one()
        keys = {
            enterprise: issue_api_key(
                session, Actor.of(admin), f"demo collector {enterprise}", 1, enterprise
            )["api_key"]
            for enterprise in enterprises
        }
    sent = send(url, live, keys)
    return {
        "day": live.day.date().isoformat(),
        "plants": len(enterprises),
        "batches": len(live.batches),
        "silent": live.silent,
        "spiked": live.spiked,
        **sent,
    }
