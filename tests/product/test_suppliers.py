"""An automaker keeps the footprints its suppliers send in the PACT v3 data model (issue 22,
item 4): a valid file is stored and read back through the service; a v2 file or a missing
required field is refused with the problem placed and nothing stored; a footprint sent again
is kept as held, or as deprecated, and any other change under its id is refused (PACT v3's
lifecycle); a newer footprint naming an older one supersedes it; another automaker can neither
import for nor see the enterprise; a steel mill's export (the CLI's) keeps its PCF."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.errors import Conflict, InputError, NotFoundError, PermissionDenied
from carbonpeak.product.exchange import pact_urn, to_pact
from carbonpeak.services.access import Actor
from carbonpeak.services.product_suppliers import (
    import_supplier_footprints,
    supplier_footprints,
    supplier_footprints_view,
)
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, Enterprise, User
from carbonpeak.store.models_product import SupplierFootprint
from tests.product.pact_cases import mill, without

MAKER_A, MAKER_B = make_uscc("91130200MA0AAAAA1"), make_uscc("91150200MA0BBBBB2")
PASSWORD = "a long enough password"
EXAMPLES = Path(__file__).parents[2] / "examples"
CPC_BATTERY = "urn:pact:productclassification:un-cpc:4642"  # made-up classification for a test


def battery() -> dict[str, Any]:
    """A battery maker's answer (made-up values): a cell per piece, classified, no DQR."""
    payload = to_pact(mill())
    payload.update(
        id="7c1e0d2a-5b6f-4e3d-8a91-2f4b6c8d0e13",
        companyName="示例电池有限公司",
        productNameCompany="磷酸铁锂电芯 LFP-280",
        productDescription="磷酸铁锂电芯",
        productIds=[pact_urn("battery.example.cn", "supplier-id", "LFP-280")],
        productClassifications=[CPC_BATTERY],
    )
    payload["pcf"].update(
        declaredUnitOfMeasurement="piece",
        declaredUnitAmount="1",
        productMassPerDeclaredUnit="5.4",
        pcfExcludingBiogenicUptake="310.25",
        pcfIncludingBiogenicUptake="310.25",
        fossilGhgEmissions="310.25",
        referencePeriodStart="2025-07-01T00:00:00+08:00",
        referencePeriodEnd="2026-07-01T00:00:00+08:00",
    )
    del payload["pcf"]["dqi"]
    return payload


def _file(*objects: dict[str, Any]) -> bytes:
    return json.dumps({"data": list(objects)}, ensure_ascii=False).encode()


@pytest.fixture
def store(engine: Engine) -> Engine:
    with transaction(engine) as session:
        for code, region in ((MAKER_A, "130200"), (MAKER_B, "150200")):
            session.add(
                Enterprise(enterprise_id=code, name=code, region_code=region, industry_code="3612")
            )
        add_user(session, "maker-a", "automaker", PASSWORD, enterprises=[MAKER_A])
        add_user(session, "maker-b", "automaker", PASSWORD, enterprises=[MAKER_B])
        add_user(session, "hebei", "regulator", PASSWORD, regions=["130000"])
        add_user(session, "admin", "admin", PASSWORD)
    return engine


def _actor(session: Session, name: str) -> Actor:
    return Actor.of(session.scalars(select(User).where(User.username == name)).one())


def _import(engine: Engine, who: str, content: bytes, name: str = "answer.json") -> Any:
    with transaction(engine) as session:
        return import_supplier_footprints(session, _actor(session, who), MAKER_A, content, name)


def _held(engine: Engine, who: str = "maker-a") -> list[dict[str, Any]]:
    with transaction(engine) as session:
        return supplier_footprints(session, _actor(session, who), MAKER_A)


def _rows(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(SupplierFootprint)) or 0)


def test_a_valid_file_is_kept_and_read_back(store: Engine) -> None:
    done = _import(store, "maker-a", _file(to_pact(mill()), battery()))
    assert done.stored == (str(mill().id), battery()["id"]) and done.unchanged == ()
    held = {f["product_name"]: f for f in _held(store)}
    steel, cell = held["热轧卷板 Q235B"], held["磷酸铁锂电芯 LFP-280"]
    assert steel["supplier"] == "示例钢铁有限公司" and steel["file"] == "answer.json"
    assert steel["pcf_excluding_biogenic_kgco2e"] == "2000.5"  # as sent, per 1 000 kg
    assert (steel["declared_amount"], steel["declared_unit"]) == ("1000", "kilogram")
    assert steel["dqr"] == {"technological": "2", "geographical": "1.5", "temporal": "1"}
    assert steel["primary_data_share"] == "60" and steel["period"] == "2025"
    assert steel["classification"] is None and steel["current"]
    assert cell["pcf_excluding_biogenic_kgco2e"] == "310.25" and cell["dqr"] is None
    assert cell["period"] == "2025-07-01 – 2026-07-01"  # not a calendar year
    assert cell["classification"] == "un-cpc 4642"
    # sent again: nothing changes, the answer says so
    again = _import(store, "maker-a", _file(to_pact(mill()), battery()), "again.json")
    assert again.stored == () and set(again.unchanged) == {str(mill().id), battery()["id"]}
    assert _rows(store) == 2
    with Session(store) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "product.suppliers")
        ).all()
    assert len(actions) == 2
    # the automaker's page groups them by the classification given, the unclassified last
    with transaction(store) as session:
        view = supplier_footprints_view(session, _actor(session, "maker-a"))
    assert [g["classification"] for g in view["groups"]] == ["un-cpc 4642", None]
    assert view["earlier"] == [] and view["count"] == 2


def test_a_v2_file_or_a_missing_field_is_refused_placed_and_nothing_stored(
    store: Engine,
) -> None:
    old = to_pact(mill()) | {"specVersion": "2.2.0", "id": "1b7e6a4c-2f3d-4e5a-9b8c-7d6e5f4a3b21"}
    with pytest.raises(InputError) as refused:
        _import(store, "maker-a", _file(battery(), old), "v2.json")
    (problem,) = refused.value.problems
    assert (problem.place.file, problem.place.row, problem.place.field) == (
        "v2.json",
        2,
        "specVersion",
    )
    assert "2026-04-01" in problem.message
    with pytest.raises(InputError) as refused:
        _import(store, "maker-a", _file(without("pcf.declaredUnitAmount")), "gap.json")
    places = {(p.place.file, p.place.row, p.place.field) for p in refused.value.problems}
    assert places == {("gap.json", 1, "pcf.declaredUnitAmount")}
    assert _rows(store) == 0


def test_the_pact_lifecycle_deprecated_superseded_and_no_silent_change(store: Engine) -> None:
    first = to_pact(mill())
    _import(store, "maker-a", _file(first))
    changed = json.loads(json.dumps(first))
    changed["pcf"]["pcfExcludingBiogenicUptake"] = "1900"
    with pytest.raises(Conflict) as refused:  # same id, other figure: PACT v3 forbids it
        _import(store, "maker-a", _file(battery(), changed), "changed.json")
    (problem,) = refused.value.problems
    assert (problem.place.row, problem.place.field) == (2, "id")
    assert "answer.json" in problem.message
    assert _rows(store) == 1  # the battery of the refused file was not kept either
    assert _held(store)[0]["pcf_excluding_biogenic_kgco2e"] == "2000.5"
    # the mill's new footprint names the first; then the first comes again, deprecated
    newer = changed | {
        "id": "3a9d2c4b-6e1f-4a7b-8c5d-9e0f1a2b3c4d",
        "precedingPfIds": [first["id"]],
    }
    done = _import(store, "maker-a", _file(newer), "newer.json")
    assert done.stored == (newer["id"],) and done.superseded == (first["id"],)
    done = _import(store, "maker-a", _file(first | {"status": "Deprecated"}), "old.json")
    assert done.deprecated == (first["id"],)
    held = {f["footprint_id"]: f for f in _held(store)}
    assert held[first["id"]]["status"] == "Deprecated"
    assert held[first["id"]]["superseded_by"] == newer["id"] and not held[first["id"]]["current"]
    assert held[newer["id"]]["current"] and held[newer["id"]]["preceding_ids"] == [first["id"]]
    # a deprecated footprint does not change back
    with pytest.raises(Conflict):
        _import(store, "maker-a", _file(first), "active-again.json")
    # twice in one file, or naming itself: placed at the item
    with pytest.raises(InputError) as refused:
        _import(
            store, "maker-a", _file(battery(), battery() | {"precedingPfIds": [battery()["id"]]})
        )
    assert {(p.place.row, p.place.field) for p in refused.value.problems} == {
        (2, "id"),
        (2, "precedingPfIds"),
    }
    with pytest.raises(InputError) as refused:  # PostgreSQL cannot keep a NUL character
        _import(store, "maker-a", _file(battery() | {"productDescription": "电芯\x00"}))
    assert [(p.place.row, p.place.field) for p in refused.value.problems] == [
        (1, "productDescription")
    ]
    with transaction(store) as session:
        view = supplier_footprints_view(session, _actor(session, "maker-a"))
    assert [f["footprint_id"] for g in view["groups"] for f in g["footprints"]] == [newer["id"]]
    assert [f["footprint_id"] for f in view["earlier"]] == [first["id"]]


def test_another_automaker_can_neither_import_for_nor_see_the_enterprise(store: Engine) -> None:
    content = _file(to_pact(mill()))
    with pytest.raises(NotFoundError):
        _import(store, "maker-b", content)
    with pytest.raises(PermissionDenied):  # the department reads, the buyer collects
        _import(store, "hebei", content)
    _import(store, "maker-a", content)
    with pytest.raises(NotFoundError):
        _held(store, "maker-b")
    assert len(_held(store, "hebei")) == 1 and len(_held(store, "admin")) == 1
    with transaction(store) as session:
        assert supplier_footprints_view(session, _actor(session, "maker-b"))["count"] == 0
        assert supplier_footprints_view(session, _actor(session, "admin"))["count"] == 1
    assert _rows(store) == 1


def test_a_mills_export_keeps_its_pcf(
    cli: Any, store: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "mill.json"
    code, _, err = cli(
        "product",
        "exchange",
        "export",
        str(EXAMPLES / "product_activity.csv"),
        str(EXAMPLES / "product_map.xlsx"),
        "--enterprise",
        "911302007A3K9C2D24",
        "--year",
        "2024",
        "--out",
        str(target),
        "--company",
        "示例水泥",
        "--fossil-carbon",
        "clinker=0",
    )
    assert code == 0, err
    sent = json.loads(target.read_text(encoding="utf-8"))["data"][0]
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", store.url.render_as_string(False))
    keep = ("product", "exchange", "import", str(target), "--enterprise", MAKER_A)
    code, out, err = cli(*keep, "--as", "maker-a", "--json")
    assert code == 0, err
    assert json.loads(out)["stored"] == [sent["id"]]
    code, out, err = cli(*keep, "--as", "maker-a")
    assert code == 0 and "0 footprint(s) stored, 1 held unchanged" in out, err
    code, out, err = cli(*keep, "--as", "maker-b")  # not its enterprise: as if none
    assert code == 2 and MAKER_A in err
    (held,) = _held(store)
    assert held["pcf_excluding_biogenic_kgco2e"] == sent["pcf"]["pcfExcludingBiogenicUptake"]
    assert Decimal(held["pcf_excluding_biogenic_kgco2e"]) > 0
    assert held["footprint_id"] == str(UUID(sent["id"])) and held["period"] == "2024"
