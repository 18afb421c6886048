"""The suppliers' footprints on the automaker's fleet page (issue 22, item 4): the page's form
keeps a PACT v3 file for the automaker's enterprise, and the page then shows each footprint
(product, supplier, classification, declared unit, PCF per declared unit as sent, period, data
quality) grouped by the classification the supplier gave, in Chinese and in English; a v2 file
is refused on the page (422) with its problem placed and nothing kept; another automaker's page
does not show them."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from carbonpeak.product.exchange import to_pact
from carbonpeak.web.site import LANG_COOKIE
from tests.api.conftest import PASSWORD, Api, api  # noqa: F401
from tests.api.test_product_suppliers_api import MAKER_A, makers  # noqa: F401
from tests.product.pact_cases import mill
from tests.product.test_suppliers import battery


def _login(client: TestClient, who: str) -> None:
    answer = client.post(
        "/login", data={"username": who, "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert answer.status_code == 303


def _form(client: TestClient, *objects: dict[str, Any], name: str = "answer.json") -> Any:
    content = json.dumps({"data": list(objects)}, ensure_ascii=False).encode()
    return client.post(
        "/credits/fleet/footprints",
        files={"file": (name, content, "application/json")},
        follow_redirects=False,
    )


def _section(page: str) -> str:
    start = page.index('id="suppliers"')
    return page[start : page.index("</section>", start)]


def test_the_form_keeps_the_file_and_the_page_shows_it(makers: Api) -> None:  # noqa: F811
    client = makers.client
    _login(client, "maker-a")
    first = _section(client.get("/credits/fleet").text)
    assert 'id="suppliers-form"' in first and 'id="no-suppliers"' in first
    assert f'name="enterprise_id" value="{MAKER_A}"' in first  # its one enterprise keeps them

    refused = _form(client, battery(), to_pact(mill()) | {"specVersion": "2.2.0"}, name="v2.json")
    assert refused.status_code == 422
    assert 'id="problems"' in refused.text and "v2.json" in refused.text
    assert "2026-04-01" in refused.text and 'id="no-suppliers"' in _section(refused.text)

    kept = _form(client, to_pact(mill()), battery())
    assert kept.status_code == 303 and kept.headers["location"] == "/credits/fleet#suppliers"
    section = _section(client.get("/credits/fleet").text)
    assert 'id="no-suppliers"' not in section
    assert "热轧卷板 Q235B" in section and "示例钢铁有限公司" in section
    assert ">2000.5<" in section and "1000 千克" in section and ">2 / 1.5 / 1<" in section
    assert ">310.25<" in section and "1 件" in section and "2025-07-01 – 2026-07-01" in section
    # grouped: the battery's classification first, the unclassified steel after it
    assert section.index("un-cpc 4642") < section.index("供应商未给出分类")
    assert section.index("磷酸铁锂电芯") < section.index("热轧卷板")
    client.cookies.set(LANG_COOKIE, "en")
    english = _section(client.get("/credits/fleet").text)
    assert "Suppliers&#39; product footprints" in english or "Suppliers' product" in english
    assert "1000 kilogram" in english and "Not classified by the supplier" in english


def test_another_automaker_does_not_see_them(makers: Api) -> None:  # noqa: F811
    client = makers.client
    _login(client, "maker-a")
    assert _form(client, to_pact(mill())).status_code == 303
    _login(client, "maker-b")
    section = _section(client.get("/credits/fleet").text)
    assert "热轧卷板" not in section and 'id="no-suppliers"' in section
    _login(client, "hebei")
    assert _form(client, to_pact(mill())).status_code == 403  # a regulator has no fleet page
