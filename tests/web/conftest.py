"""A dashboard served for real: uvicorn on a free loopback port, a SQLite store holding a small
demo province (300 enterprises: enough for units below the baseline) with its logins, and a
lake with a year of 15-minute readings of its three largest plants (`CARBONPEAK_LAKE`)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.demo.meters import demo_meters
from carbonpeak.demo.province import generate_province, province_activity, write_province
from carbonpeak.io.lake import ingest, ingest_drivers
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.demo import DEMO_PASSWORD, load_province
from carbonpeak.services.demo_journeys import product_maps
from carbonpeak.store.db import make_engine, transaction, upgrade

from ..conftest import free_port, require_binary

SCREENSHOTS = Path(__file__).parents[2] / "build" / "screenshots"


@dataclass
class Served:
    url: str
    engine: Engine
    password: str = DEMO_PASSWORD


@dataclass
class DemoLake:
    path: Path
    plants: list[str]  # the enterprises with meters, in the demo's order (P01, P02, ...)


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoLake]:
    folder = tmp_path_factory.mktemp("lake")
    province = generate_province(seed=2030, enterprises=300)
    made = demo_meters(province_activity(province), plants=3)
    made.meters.to_csv(folder / "meters.csv", index=False)
    made.readings.to_parquet(folder / "readings.parquet", index=False)
    made.drivers.to_csv(folder / "production.csv", index=False)
    lake = folder / "lake"
    ingest(folder / "readings.parquet", folder / "meters.csv", lake, default_reference())
    ingest_drivers(folder / "production.csv", lake, default_reference())
    before = os.environ.get("CARBONPEAK_LAKE")
    os.environ["CARBONPEAK_LAKE"] = str(lake)
    yield DemoLake(lake, list(dict.fromkeys(made.meters["enterprise_id"])))
    if before is None:
        os.environ.pop("CARBONPEAK_LAKE", None)
    else:
        os.environ["CARBONPEAK_LAKE"] = before


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("web")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade(engine)
    province = generate_province(seed=2030, enterprises=300)
    write_province(province, folder / "province")
    activity = pd.read_csv(folder / "province" / "activity.csv", dtype=str, keep_default_na=False)
    with transaction(engine) as session:
        load_province(session, province, activity)
        product_maps(session, activity, province.enterprises[0].enterprise.enterprise_id)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def served(demo_store: Engine) -> Iterator[Served]:
    port = free_port()
    config = uvicorn.Config(
        create_app(demo_store), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", demo_store)
    server.should_exit = True
    thread.join(timeout=10)


FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_binary("chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


@contextmanager
def local_page(
    browser: Browser,
    width: int = 1366,
    height: int = 768,
    locale: str | None = None,
    english_at: str | None = None,
) -> Iterator[Page]:
    """A page that downloads and asks for nothing but the local server (checked when it
    closes); in `locale` (the browser's own), and with the site's `lang` cookie set to English
    for the server at `english_at`."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        accept_downloads=True,
        locale=locale,
    )
    if english_at:
        context.add_cookies([{"name": "lang", "value": "en", "url": english_at}])
    opened = context.new_page()
    requested: list[str] = []
    opened.on("request", lambda r: requested.append(r.url))
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    outside = [u for u in requested if urlsplit(u).hostname != "127.0.0.1"]
    assert not outside, f"the page asked for addresses outside 127.0.0.1: {outside}"


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=["laptop", "wide"])
def page(browser: Browser, served: Served, request: pytest.FixtureRequest) -> Iterator[Page]:
    width, height = request.param
    with local_page(browser, width, height) as opened:
        yield opened


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def log_in(page: Page, served: Served, who: str) -> None:
    page.goto(served.url + "/login")
    page.fill("input[name=username]", who)
    page.fill("input[name=password]", served.password)
    page.click("button[type=submit]")
    page.wait_for_url(served.url + "/")


def drawn(page: Page, view: str, height: int = 300) -> None:
    """The chart of a view is drawn: an SVG of the chart's size with many shapes in it."""
    svg = page.locator(f"#{view} .chart svg")
    svg.wait_for()
    box = svg.bounding_box()
    assert box is not None and box["height"] > height and box["width"] > 600
    assert page.locator(f"#{view} .chart svg path").count() > 10
