"""The utilisation wing in the store (both stores): an enterprise uploads its report, a new
upload of the same enterprise and year replaces it and both are audited; a bad file stores
nothing; a regulator sees the regions it oversees against the target, an enterprise its own
with the national and regional rates; another enterprise's report cannot be filed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.errors import Conflict, InputError, NotFoundError, PermissionDenied
from carbonpeak.i18n import problem_text
from carbonpeak.io.utilisation import read_rates_csv
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.users import add_user
from carbonpeak.services.utilisation import (
    enterprise_view,
    export_rates,
    rates_view,
    rates_views,
    upload,
)
from carbonpeak.services.utilisation_files import export_as, upload_as
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, Enterprise, User
from carbonpeak.store.models_utilisation import SolidWasteReport
from tests.utilisation.cases import ENTERPRISES, LINES, A, B, C, csv_bytes

PASSWORD = "a long enough password"


@pytest.fixture
def store(engine: Engine) -> Engine:
    with transaction(engine) as session:
        for firm in ENTERPRISES.to_dict("records"):
            session.add(Enterprise(**firm))
        add_user(session, "firm-a", "enterprise", PASSWORD, enterprises=[A])
        add_user(session, "hebei", "regulator", PASSWORD, regions=["130000"])
        add_user(session, "admin", "admin", PASSWORD)
    return engine


def _actor(engine: Engine, name: str) -> Actor:
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def _count(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(SolidWasteReport)) or 0)


def test_upload_replaces_and_is_audited(store: Engine) -> None:
    admin = _actor(store, "admin")
    with transaction(store) as session:
        stored = upload(session, admin, "all.csv", csv_bytes(default_reference()))
    assert stored["reports"] == [{"enterprise_id": e, "year": 2024} for e in sorted((A, B, C))]
    again = [line for line in LINES if line[0] == A and not str(line[3]).startswith("utilised")]
    again.append((A, 2024, "steel_slag", "utilised", "backfill", 5))
    firm = _actor(store, "firm-a")
    with transaction(store) as session:
        upload(session, firm, "a.csv", csv_bytes(default_reference(), again))
    assert _count(store) == 3
    with transaction(store) as session:
        view = enterprise_view(session, firm, A, 2024)
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "utilisation.report")
        ).all()
    assert len(actions) == 4
    own = {r["target_kind"]: r for r in view["rates"]}
    # by hand, the second report: utilised 5 of generated 100, none from stock -> 5 %
    assert own["smelting_slag"]["utilised_t"] == 5
    assert own["smelting_slag"]["rate"] == pytest.approx(0.05)
    # the national bulk group holds A and two others (B, C): too few to show its rate to A
    national = {r["target_kind"]: r for r in view["national"]}
    assert national["bulk"]["rate"] is None and national["bulk"]["withheld"] is True
    assert national["bulk"]["members"] == 3


def test_bad_file_stores_nothing(store: Engine) -> None:
    admin = _actor(store, "admin")
    bad = [*LINES, (B, 2024, "fly_ash", "utilised", "backfill", 500)]
    with transaction(store) as session, pytest.raises(InputError) as caught:
        upload(session, admin, "bad.csv", csv_bytes(default_reference(), bad))
    places = {(p.place.file, p.place.row, p.place.column) for p in caught.value.problems}
    assert ("bad.csv", 9, "数量 (amount_t) [t]") in places  # B's first utilised row (line 9)
    assert _count(store) == 0


def test_enterprise_files_only_its_own(store: Engine) -> None:
    firm = _actor(store, "firm-a")
    with transaction(store) as session, pytest.raises(InputError) as caught:
        upload(session, firm, "b.csv", csv_bytes(default_reference(), [LINES[6]]))
    assert caught.value.problems[0].place.column == "enterprise_id"
    regulator = _actor(store, "hebei")
    with transaction(store) as session, pytest.raises(PermissionDenied):
        upload(session, regulator, "a.csv", csv_bytes(default_reference(), LINES[:6]))
    with transaction(store) as session, pytest.raises(NotFoundError):
        enterprise_view(session, firm, B)


def test_regulator_sees_its_regions_against_the_target(store: Engine) -> None:
    """By hand, Hebei 2024, bulk wastes (A's steel slag and B's fly ash; C is in Inner
    Mongolia and out of the regulator's reach):
    Tangshan 130200: utilised 70, generated 100, from stock 10 -> 70 / 110 = 0.63636...
    Shijiazhuang 130100: 100 / 200 = 0.5
    Province 130000: (70 + 100) / (100 + 200 + 10) = 170 / 310 = 0.548387...
    The 2025 national target of bulk wastes, 57 %, is in force in 2024: Tangshan is above
    it, Shijiazhuang and the province below, but 2024 is not the target's year: no verdict."""
    with transaction(store) as session:
        upload(session, _actor(store, "admin"), "all.csv", csv_bytes(default_reference()))
    regulator = _actor(store, "hebei")
    with transaction(store) as session:
        view = rates_view(session, regulator, 2024, "prefecture")
        province = rates_view(session, regulator, 2024, "province")
        exported = export_rates(session, regulator, "csv", 2024, "prefecture")
    ranked = [(r["group"], r["rate"], r["met"]) for r in view["ranked"]]
    assert [g for g, _, _ in ranked] == ["130200", "130100"]
    assert ranked[0][1] == pytest.approx(70 / 110) and ranked[0][2] is None
    assert ranked[1][1] == pytest.approx(0.5) and ranked[1][2] is None
    bulk = next(r for r in province["groups"] if r["target_kind"] == "bulk")
    assert bulk["rate"] == pytest.approx(170 / 310)
    assert bulk["target_rate"] == pytest.approx(0.57) and bulk["met"] is None
    assert bulk["gap"] == pytest.approx(170 / 310 - 0.57)
    assert {s["enterprise_id"] for s in view["stocks"]} == {A, B}  # never C
    back = read_rates_csv(exported)
    assert list(back.group) == [g["group"] for g in view["groups"]]
    assert list(back.name_zh) == [g["name_zh"] for g in view["groups"]]
    assert [float(r) for r in back.rate] == pytest.approx([g["rate"] for g in view["groups"]])
    assert set(back.target_year) <= {"2025", ""} and set(back.met) == {""}  # 2024: no verdict
    assert "2025" in set(back.target_year)


def _tonnes(view: dict[str, object]) -> set[float]:
    """Every number in the regional and national parts of an enterprise's view but the rates,
    targets and member counts (which carry no tonnes)."""
    found: set[float] = set()
    for part in ("regional", "national"):
        for row in view[part]:  # type: ignore[attr-defined]
            for key, value in row.items():
                if key in ("rate", "target_rate", "target_year", "members"):
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    found.add(float(value))
    return found


def test_an_enterprise_sees_no_other_enterprise_s_tonnes(store: Engine) -> None:
    """A's view of the region and the nation: no sums (no `*_t` key, no number but rate,
    target and count); with B and C only beside it each rate is withheld with the reason.
    With three more Hebei enterprises D, E, F (fly ash 100 t generated, 50 t utilised each)
    the regional bulk rate shows, by hand: Hebei (A 70 + B 100 + 3 × 50) /
    (A 100 + 10 from stock + B 200 + 3 × 100) = 320 / 610; red mud (C's alone) stays
    withheld nationally, and A's own smelting slag nationally has no other enterprise."""
    admin, firm = _actor(store, "admin"), _actor(store, "firm-a")
    with transaction(store) as session:
        upload(session, admin, "all.csv", csv_bytes(default_reference()))
        view = enterprise_view(session, firm, A, 2024)
    for part in ("regional", "national"):
        for row in view[part]:
            assert not [k for k in row if k.endswith("_t")], row
            assert row["rate"] is None and row["withheld"] is True
            assert row["reason"] == "too few reports to show without revealing one"
    assert _tonnes(view) == set()
    more = [make_uscc(f"91130100MA0DDDDD{n}") for n in "123"]
    with transaction(store) as session:
        for code in more:
            session.add(
                Enterprise(
                    enterprise_id=code, name=code, region_code="130102", industry_code="4411"
                )
            )
    lines = [
        line
        for code in more
        for line in (
            (code, 2024, "fly_ash", "generated", "", 100),
            (code, 2024, "fly_ash", "utilised", "building_materials", 50),
            (code, 2024, "fly_ash", "stored", "", 50),
        )
    ]
    with transaction(store) as session:
        upload(session, admin, "more.csv", csv_bytes(default_reference(), lines))
        view = enterprise_view(session, firm, A, 2024)
    regional = {r["target_kind"]: r for r in view["regional"]}
    assert regional["bulk"]["rate"] == pytest.approx(320 / 610)
    assert regional["bulk"]["withheld"] is False and regional["bulk"]["members"] == 5
    assert regional["smelting_slag"]["rate"] is None  # A's alone
    national = {r["target_kind"]: r for r in view["national"]}
    assert national["bulk"]["rate"] == pytest.approx(350 / 910)  # + C: 30 / 300
    assert national["red_mud"]["withheld"] is True
    assert _tonnes(view) == set()
    comparison = {c["kind"]: c for c in view["comparison"]}
    assert comparison["bulk"]["regional"] == pytest.approx(320 / 610)
    assert comparison["smelting_slag"]["regional_withheld"] is True


def test_the_nation_grouping_says_it_is_the_reports_one_can_see(store: Engine) -> None:
    """A Hebei regulator grouping by nation sums A and B only (C is out of its reach), by
    hand (70 + 100) / (110 + 200): the group says so rather than "national"."""
    with transaction(store) as session:
        upload(session, _actor(store, "admin"), "all.csv", csv_bytes(default_reference()))
    with transaction(store) as session:
        view = rates_view(session, _actor(store, "hebei"), 2024, "nation")
    bulk = next(r for r in view["groups"] if r["target_kind"] == "bulk")
    assert bulk["rate"] == pytest.approx(170 / 310) and bulk["members"] == 2
    assert (bulk["name_zh"], bulk["name_en"]) == ("所见报告合计", "all reports you can see")


def test_the_opening_stock_is_checked_against_the_year_before(store: Engine) -> None:
    """A's 2024 steel slag ends at 50 + 40 - 10 = 80 t (by hand). A 2025 report starting at
    80 t passes silently; one starting at 70 t is stored with a warning naming both; B's
    2024 fly ash ends at 100 t, so a 2025 report of B giving no opening stock (0) is warned
    too."""
    admin = _actor(store, "admin")
    with transaction(store) as session:
        upload(session, admin, "all.csv", csv_bytes(default_reference()))

    def year_2025(firm: str, kind: str, start: float) -> list[tuple[object, ...]]:
        lines: list[tuple[object, ...]] = [
            (firm, 2025, kind, "generated", "", 10),
            (firm, 2025, kind, "stored", "", 10),
        ]
        return [(firm, 2025, kind, "opening_stock", "", start), *lines] if start else lines

    with transaction(store) as session:
        same = upload(
            session, admin, "a.csv", csv_bytes(default_reference(), year_2025(A, "steel_slag", 80))
        )
        other = upload(
            session, admin, "a.csv", csv_bytes(default_reference(), year_2025(A, "steel_slag", 70))
        )
        none = upload(
            session, admin, "b.csv", csv_bytes(default_reference(), year_2025(B, "fly_ash", 0))
        )
    assert [w["code"] for w in same["warnings"]] == []
    found = [w for w in other["warnings"] if w["code"] == "utilisation.report.opening_stock"]
    assert [w["data"] for w in found] == [
        {
            "enterprise_id": A,
            "period": 2025,
            "kind": "steel_slag",
            "opening_stock_t": 70.0,
            "closing_stock_t": 80.0,
        }
    ]
    assert [w["data"]["closing_stock_t"] for w in none["warnings"]] == [100.0]


def test_the_stored_file_name_the_audit_and_a_concurrent_upload(store: Engine) -> None:
    """The report is kept under its base name, not the uploader's path; the second upload's
    audit entry records what it replaced (kept as its hash). Another writer's report of the
    same enterprise and year landing between this upload's delete and insert (simulated in
    one session with autoflush off) is a conflict (409), not an IntegrityError."""
    admin = _actor(store, "admin")
    with transaction(store) as session:
        upload(session, admin, "/home/someone/报告/all.csv", csv_bytes(default_reference()))
    with transaction(store) as session:
        upload(session, admin, "C:\\Users\\x\\again.csv", csv_bytes(default_reference()))
    with transaction(store) as session:
        names = set(session.scalars(select(SolidWasteReport.file_name)))
        hashes = session.scalars(
            select(AuditEntry.before_hash)
            .where(AuditEntry.action == "utilisation.report")
            .order_by(AuditEntry.seq)
        ).all()
    assert names == {"again.csv"}
    # the first upload replaced nothing; the second each of A, B, C's stored reports
    assert hashes[:3] == [None, None, None] and all(h is not None for h in hashes[3:])
    assert len(hashes) == 6
    with transaction(store) as session, pytest.raises(Conflict), session.no_autoflush:
        session.add(
            SolidWasteReport(
                enterprise_id=A, year=2023, rows=[], file_name="o.csv", uploaded_by=admin.user_id
            )
        )
        lines = [(A, 2023, *line[2:]) for line in LINES if line[0] == A]
        upload(session, admin, "a.csv", csv_bytes(default_reference(), lines))


def test_the_cli_files_problems_are_catalogued(tmp_path: Path) -> None:
    """A file the CLI cannot read or may not write to says so in the reader's language: the
    problems carry their catalogued templates (translated on display), not English text."""
    with pytest.raises(InputError) as caught:
        upload_as("nobody", tmp_path / "missing.csv")
    problem = caught.value.problems[0]
    assert problem.template == "cannot read: {}"
    assert str(problem.place.file).endswith("missing.csv")
    assert problem_text(problem, "zh_CN").startswith("无法读取：")
    with pytest.raises(InputError) as caught:
        export_as("nobody", tmp_path / "rates.txt")
    assert caught.value.problems[0].template == "name the export *.csv or *.xlsx"


def test_several_groupings_at_once_are_each_one_s_view(store: Engine) -> None:
    """`rates_views` (the page's grouping and its industries, the reports read once) gives
    each grouping the view `rates_view` gives it alone."""
    with transaction(store) as session:
        upload(session, _actor(store, "admin"), "all.csv", csv_bytes(default_reference()))
    regulator = _actor(store, "hebei")
    with transaction(store) as session:
        both = rates_views(session, regulator, None, ("prefecture", "industry"))
        alone = {g: rates_view(session, regulator, None, g) for g in ("prefecture", "industry")}
    assert both == alone
    assert {g["group"] for g in both["industry"]["groups"]} == {"31", "44"}  # A steel, B power
