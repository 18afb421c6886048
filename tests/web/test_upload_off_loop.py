"""The upload routes parse (and store) in a worker thread, not on the event loop: while one
upload's parser is held, another request to the same server answers. Each route's parser is
replaced by one that waits for the test to let it go (an `InputError` then: nothing stored), so
the check does not hang on timing: a cheap page answered while the parse is provably still
running is the loop being free; on the loop the cheap page could not answer until the parser
gave up (`HELD` seconds), and the test fails on its timeout first."""

from __future__ import annotations

import threading
from typing import Any

import httpx2
import pytest

from carbonpeak.errors import InputError, Place, Problem

from .conftest import Served

HELD = 20.0  # seconds the held parser waits at most (the test lets it go long before)
CHEAP = 8.0  # seconds the cheap request may take

XLSX = b"PK\x03\x04 not really a workbook"
CSV = b"a,b\n1,2\n"

# login, route, the module and name of the parser it calls, its form fields and file
ROUTES: list[tuple[str, str, str, str, dict[str, str], tuple[str, bytes] | None]] = [
    ("demo-enterprise", "/upload", "accounting", "upload_drafts", {}, ("activity.csv", CSV)),
    ("demo-regulator", "/budgets/import", "budgets", "import_upload", {}, ("b.csv", CSV)),
    (
        "demo-enterprise",
        "/diagnosis/inventory",
        "diagnosis",
        "read_inventory",
        {},
        ("i.xlsx", XLSX),
    ),
    ("demo-enterprise", "/diagnosis/form", "diagnosis", "read_form", {"action": "run"}, None),
    ("demo-automaker", "/credits/fleet", "credits", "upload_fleet", {}, ("fleet.csv", CSV)),
    (
        "demo-automaker",
        "/credits/fleet/footprints",
        "credits",
        "import_supplier_footprints",
        {},
        ("answer.json", b'{"data": []}'),
    ),
    (
        "demo-enterprise",
        "/applications/book",
        "policy",
        "read_application_book",
        {"form_kind": "swap", "enterprise_id": "x"},
        ("swap.xlsx", XLSX),
    ),
    (
        "demo-enterprise",
        "/applications/form",
        "policy",
        "read_form",
        {"form_kind": "swap", "action": "submit"},
        None,
    ),
    ("demo-regulator", "/caps", "policy", "track_caps", {}, ("caps.csv", CSV)),
]


@pytest.mark.parametrize(
    ("login", "route", "module", "parser", "fields", "upload"),
    ROUTES,
    ids=[f"{r[1]}" for r in ROUTES],
)
def test_a_held_parse_leaves_the_server_answering(
    served: Served,
    monkeypatch: pytest.MonkeyPatch,
    login: str,
    route: str,
    module: str,
    parser: str,
    fields: dict[str, str],
    upload: tuple[str, bytes] | None,
) -> None:
    started, released = threading.Event(), threading.Event()

    def held(*_args: Any, **_kwargs: Any) -> Any:
        started.set()
        released.wait(HELD)
        raise InputError([Problem(Place(field="file"), "held by the test")])

    monkeypatch.setattr(f"carbonpeak.web.{module}.{parser}", held)
    answered: dict[str, int] = {}
    with httpx2.Client(base_url=served.url, timeout=HELD + 10) as client:
        signed = client.post(
            "/login", data={"username": login, "password": served.password, "next": "/"}
        )
        assert signed.status_code in (200, 303), signed.text[:300]

        def post() -> None:
            files = {"file": (upload[0], upload[1])} if upload else None
            answered["upload"] = client.post(route, data=fields, files=files).status_code

        poster = threading.Thread(target=post)
        poster.start()
        try:
            assert started.wait(CHEAP), f"{route} never called {parser}"
            # the parse is running (and held): a cheap page of the same server answers now
            cheap = httpx2.get(f"{served.url}/login", timeout=CHEAP)
            assert cheap.status_code == 200
            assert not released.is_set() and poster.is_alive()
        finally:
            released.set()
            poster.join(HELD + 10)
    assert answered["upload"] in (400, 422), answered  # the held parser's problem, shown
