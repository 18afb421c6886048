"""A dashboard served for real: uvicorn on a free loopback port, a SQLite store holding a small
demo province (300 enterprises: enough for units below the baseline) with its logins."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import uvicorn
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.demo.province import generate_province, write_province
from carbonpeak.services.demo import DEMO_PASSWORD, load_province
from carbonpeak.store.db import make_engine, transaction, upgrade

from ..conftest import free_port

SCREENSHOTS = Path(__file__).parents[2] / "build" / "screenshots"


@dataclass
class Served:
    url: str
    engine: Engine
    password: str = DEMO_PASSWORD


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
