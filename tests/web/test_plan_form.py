"""The compliance plan as a form (issue 19): pre-filled from the demo automaker's stored fleet,
run to the same plan as its YAML, bad fields placed at their row and field in the reader's
language with nothing run, lines added and removed, a page for an automaker without a fleet,
and no page for anyone but an automaker or the administrator."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.io.plan_form import read_plan_form
from carbonpeak.services.users import add_user
from carbonpeak.store.models import Enterprise, User

from .conftest import Served
from .test_pages import _login

LANGS = ["zh_CN", "en"]


class _Form(HTMLParser):
    """The fields of the page's `#plan-form` as a browser would post them (in order)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.inside = False
        self.select: str | None = None
        self.chosen = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == "plan-form"
        elif self.inside and tag == "input" and a.get("name"):
            self.fields.setdefault(a["name"], []).append(a.get("value", ""))
        elif self.inside and tag == "select":
            self.select, self.chosen = a["name"], ""
        elif self.select and tag == "option" and "selected" in a:
            self.chosen = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            self.fields.setdefault(self.select, []).append(self.chosen)
            self.select = None


def form_of(text: str) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(text)
    return parser.fields


def yaml_of(text: str) -> str:
    body = text.split('name="plan" rows="16" spellcheck="false">', 1)[1].split("</textarea>")[0]
    return html.unescape(body)


def result_of(text: str) -> str:
    return text[
        text.index('id="plan-result"') : text.index("</section>", text.index("plan-result"))
    ]


@pytest.fixture
def client(demo_store: Engine, served: Served) -> Iterator[TestClient]:
    made = TestClient(create_app(demo_store))
    _login(made, "demo-automaker", served.password)
    yield made


@pytest.mark.parametrize("lang", LANGS)
def test_the_form_is_filled_from_the_stored_fleet(client: TestClient, lang: str) -> None:
    client.cookies.set("lang", lang)
    page = client.get("/credits/plan")
    assert page.status_code == 200
    fields = form_of(page.text)
    # the demo fleet's latest year, 2023: A1 (ICE, 20,000 cars), A3 (HEV, 10,000), A4 (BEV,
    # 8,000, 400 km), A5 (PHEV, 2,000); one line each, planned for 2024 and 2025
    assert fields["line_name"] == ["A1", "A3", "A4", "A5"]
    assert "<strong>演示新能源汽车有限公司</strong>" in page.text  # the maker by name, code beside
    assert fields["line_powertrain"] == ["ice", "hev", "bev", "phev"]
    assert fields["line_electric_range_km"] == ["", "", "400", "60"]
    assert (fields["first_year"], fields["last_year"]) == (["2024"], ["2025"])
    for year in (2024, 2025):
        assert fields[f"line_low_{year}"] == ["0"] * 4
        assert fields[f"line_high_{year}"] == ["20000", "10000", "8000", "2000"]
        assert fields[f"buy_{year}"] == fields[f"sell_{year}"] == [""]  # no price is made up
    help_text = re.sub(r"\s+", " ", html.unescape(page.text))
    if lang == "zh_CN":
        assert "已按贵企业已保存的 2023 年车队填好（共 40,000 辆）" in help_text
        assert "纯电动（BEV）" in page.text and "规划的 YAML 文本" in page.text
    else:
        assert "Filled in from your stored fleet of 2023 (40,000 cars)" in help_text
        assert "battery electric (BEV)" in page.text
    # the YAML box holds the plan the form writes
    assert yaml.safe_load(yaml_of(page.text)) == read_plan_form(fields)


def test_the_form_and_its_yaml_are_one_plan(client: TestClient) -> None:
    fields = form_of(client.get("/credits/plan").text)
    fields["sell_2024"] = fields["sell_2025"] = ["1000"]
    ran = client.post("/credits/plan", data={**fields, "action": "run"})
    assert ran.status_code == 200, ran.text[-2000:]
    written = yaml_of(ran.text)
    assert yaml.safe_load(written) == read_plan_form(fields)
    assert yaml.safe_load(written)["prices"] == {"buy": {}, "sell": {2024: 1000, 2025: 1000}}
    by_yaml = client.post("/credits/plan", data={"action": "yaml", "plan": written})
    assert by_yaml.status_code == 200
    assert result_of(ran.text) == result_of(by_yaml.text)
    # no cost is given, so the cheapest plan sells every NEV credit it can make and makes no
    # car that needs one: per year A4 8,000 x (0.0034 x 400 + 0.2 = 1.56) = 12,480 and A5
    # 2,000 x 1 = 2,000 credits (2023 measures): 14,480 sold at 1,000 yuan, -14,480,000 yuan
    # a year, -28,960,000 in all
    shown = result_of(ran.text)
    assert "-28,960,000" in shown and shown.count(">14,480<") >= 2


@pytest.mark.parametrize("lang", LANGS)
def test_bad_fields_are_placed_and_nothing_runs(client: TestClient, lang: str) -> None:
    client.cookies.set("lang", lang)
    fields = form_of(client.get("/credits/plan").text)
    fields["line_low_2024"][1] = "-5"  # row 2 (A3): a negative volume
    fields["line_low_2025"][2], fields["line_high_2025"][2] = "200", "100"  # row 3: high < low
    fields["line_high_2027"] = ["5", "", "", ""]  # row 1: a year outside 2024-2025
    fields["sell_2027"] = ["900"]  # and its price
    bad = client.post("/credits/plan", data={**fields, "action": "run"})
    assert bad.status_code == 422 and 'id="plan-result"' not in bad.text
    placed = dict(re.findall(r'data-field="([^"]+)">([^<]+)<', html.unescape(bad.text)))
    assert set(placed) == {"line_low_2024.2", "line_high_2025.3", "line_high_2027.1", "sell_2027"}
    if lang == "zh_CN":
        assert "表单中有 4 处问题：未运行。" in bad.text
        assert "2027 年不在规划年度内（2024 至 2025）" in placed["line_high_2027.1"]
        assert "低于最低产量（200）" in placed["line_high_2025.3"]
    else:
        assert "4 problems in the form: nothing was run." in bad.text
        assert "2027 is not a year of the plan (2024 to 2025)" in placed["line_high_2027.1"]
        assert placed["sell_2027"] == placed["line_high_2027.1"]
        assert placed["line_high_2025.3"] == "below the lowest volume (200)"
        assert placed["line_low_2024.2"] == "a number from 0 to 100,000,000"
    # the form comes back as typed, the stray year's column shown so its problem is seen
    again = form_of(bad.text)
    assert again["line_low_2024"][1] == "-5" and again["line_high_2027"][0] == "5"


def test_lines_added_removed_and_years_changed(client: TestClient) -> None:
    fields = form_of(client.get("/credits/plan").text)
    added = form_of(client.post("/credits/plan", data={**fields, "action": "add"}).text)
    assert added["line_name"] == ["A1", "A3", "A4", "A5", ""]
    removed = form_of(client.post("/credits/plan", data={**added, "action": "remove-2"}).text)
    assert removed["line_name"] == ["A1", "A4", "A5", ""]
    assert removed["line_high_2024"] == ["20000", "8000", "2000", ""]
    longer = form_of(
        client.post("/credits/plan", data={**removed, "last_year": "2026", "action": "years"}).text
    )
    assert longer["line_high_2026"] == ["20000", "8000", "2000", ""]  # as the nearest year
    beyond = client.post("/credits/plan", data={**longer, "action": "run"})
    # the reference has no CAFC targets in force for 2026: said at the form, nothing run
    assert beyond.status_code == 422 and 'id="plan-result"' not in beyond.text
    assert "2026" in beyond.text.split('id="plan-problems"')[1].split("</div>")[0]
    earlier = {**longer, "first_year": "2023", "last_year": "2025", "action": "years"}
    fields = form_of(client.post("/credits/plan", data=earlier).text)
    assert "line_high_2026" not in fields and fields["line_high_2023"][0] == "20000"
    ran = client.post("/credits/plan", data={**fields, "action": "run"})  # the blank row skipped
    assert ran.status_code == 200
    assert result_of(ran.text).count('<tr><td class="n">20') == 3  # 2023-2025


def test_an_automaker_without_a_fleet_is_sent_to_upload_one(
    demo_store: Engine, served: Served
) -> None:
    with Session(demo_store) as session, session.begin():
        third = select(Enterprise.enterprise_id).where(Enterprise.enterprise_id.like("%DEMCAR03%"))
        codes = sorted(session.scalars(third))
        if not session.scalar(select(User).where(User.username == "planless-maker")):
            add_user(
                session, "planless-maker", "automaker", served.password, [], codes, actor="test"
            )
    made = TestClient(create_app(demo_store))
    _login(made, "planless-maker", served.password)
    page = made.get("/credits/plan")
    assert page.status_code == 200 and 'id="plan-form"' not in page.text
    assert 'id="plan-no-fleet"' in page.text and 'href="/credits/fleet"' in page.text
    assert "尚未保存车队" in page.text and '<details id="plan-yaml" open>' in page.text


@pytest.mark.parametrize("who", ["demo-enterprise", "demo-regulator"])
def test_only_automakers_and_the_administrator_plan(
    demo_store: Engine, served: Served, who: str
) -> None:
    made = TestClient(create_app(demo_store))
    _login(made, who, served.password)
    assert made.get("/credits/plan").status_code == 403
    posted = made.post("/credits/plan", data={"first_year": "2024", "action": "run"})
    assert posted.status_code == 403 and 'id="plan-result"' not in posted.text


@pytest.mark.parametrize(
    ("first", "last"),
    [("", "2025"), ("2025", "2024"), ("2024", "2040"), ("²", "2025"), ("2024", "٢٠٢٥")],
)
def test_a_bad_year_range_is_placed_not_a_server_error(
    client: TestClient, first: str, last: str
) -> None:
    """Review 20: a blank, reversed or too long range, or digits that are not ASCII (a
    superscript, Arabic-Indic), answered 500; each is a problem at the last year's field."""
    client.cookies.set("lang", "en")
    fields = form_of(client.get("/credits/plan").text)
    ran = client.post(
        "/credits/plan", data={**fields, "first_year": first, "last_year": last, "action": "run"}
    )
    assert ran.status_code == 422
    assert "the plan&#39;s years: 1 to 10, first to last" in ran.text
    odd = client.post("/credits/plan", data={**fields, "action": "remove-²"})
    assert odd.status_code == 200  # an action it does not know changes nothing


def test_a_fleet_of_many_models_posts_and_indented_yaml_is_read(client: TestClient) -> None:
    """Review 20: Starlette's 1,000 form fields cut a fleet of ~76 models with 400; and the
    YAML box was stripped, so YAML indented from its first line failed."""
    fields = form_of(client.get("/credits/plan").text)
    many = {k: v * 30 if k.startswith("line_") else v for k, v in fields.items()}  # 120 lines
    assert sum(len(v) for v in many.values()) > 1000
    ran = client.post("/credits/plan", data={**many, "action": "add"})
    assert ran.status_code == 200 and len(form_of(ran.text)["line_name"]) == 121
    indented = "  " + yaml.safe_dump(read_plan_form(fields)).replace("\n", "\n  ")
    by_yaml = client.post("/credits/plan", data={"action": "yaml", "plan": indented})
    assert by_yaml.status_code == 200 and 'id="plan-result"' in by_yaml.text


def test_a_stored_fleet_past_the_planners_bounds_is_placed_not_run(
    demo_store: Engine, served: Served
) -> None:
    """A maker whose stored fleet has 201 models in its latest year (the plan form takes 200
    lines): the plan page shows the form with the problem at the line names, in Chinese, and
    runs nothing (the branch of `web.credits.plan_form` for a stored value past the bounds)."""
    import csv
    import io

    from carbonpeak.domain.uscc import make_uscc
    from carbonpeak.services.access import Actor
    from carbonpeak.services.enterprises import create_enterprise

    maker = make_uscc("91130100MA0000201")
    with Session(demo_store) as session, session.begin():
        if session.get(Enterprise, maker) is None:
            admin = Actor(0, "test-admin", "admin", frozenset(), frozenset())
            create_enterprise(
                session,
                admin,
                {"enterprise_id": maker, "name": "大车队汽车有限公司", "region_code": "130100",
                 "industry_code": "3612"},
            )  # fmt: skip
        if not session.scalar(select(User).where(User.username == "big-fleet-maker")):
            add_user(
                session, "big-fleet-maker", "automaker", served.password, [], [maker], actor="test"
            )
    made = TestClient(create_app(demo_store))
    _login(made, "big-fleet-maker", served.password)
    out = io.StringIO()
    writer = csv.writer(out)
    header = "enterprise_id year model_id powertrain curb_mass_kg seat_rows"
    writer.writerow([*header.split(), "fuel_consumption_l_per_100km", "volume", "imported"])
    for n in range(201):
        writer.writerow([maker, 2023, f"M{n:03d}", "ice", 1415, 2, "6.0", 100, "no"])
    stored = made.post(
        "/credits/fleet", files={"file": ("fleet.csv", out.getvalue().encode(), "text/csv")}
    )
    assert stored.status_code == 200, stored.text[:1000]
    page = made.get("/credits/plan")
    assert page.status_code == 200
    assert len(form_of(page.text)["line_name"]) == 201  # the stored models, shown to edit
    assert "最多 200 行" in page.text and 'id="plan-result"' not in page.text
