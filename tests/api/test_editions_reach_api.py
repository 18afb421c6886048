"""The API's handlers of the wings compute with the library in force: after an edition is
approved (an editor imports it, a reviewer approves it), a plant's diagnosis, the energy-use
control and the observed history answered over HTTP move as its rows say. The rows changed
are test fixtures, not real rules (tests/reference/test_editions_wings.py works each case
out by hand through the services)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from carbonpeak.diagnosis.plant import example_text
from carbonpeak.services.access import Actor
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User
from tests.api.conftest import Api
from tests.reference.test_editions_wings import CAPS, PSI_KPA, approve_edition


def _people(api: Api) -> tuple[Actor, Actor]:
    """The fixture's administrator (the duty reference_editor) and Hebei's regulator (the
    duty reference_reviewer)."""
    with transaction(api.engine) as session:
        found = {
            u.username: Actor.of(u)
            for u in session.execute(select(User).where(User.username.in_(["admin", "hebei"])))
            .scalars()
            .all()
        }
    return found["admin"], found["hebei"]


def _pressure_saving(api: Api) -> float:
    plant = yaml.safe_load(example_text())
    answer = api.client.post(
        "/api/v1/diagnoses", json={"plant": plant}, headers=api.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    [measure] = [m for m in answer.json()["measures"] if m["measure"] == "air_pressure_reduction"]
    return float(measure["savings"][0]["amount"])


def _caps_2021(api: Api) -> dict[str, object]:
    answer = api.client.post(
        "/api/v1/caps/track?target=industry_energy_2025",
        files={"file": ("caps.csv", CAPS, "text/csv")},
        headers=api.headers("hebei"),
    )
    assert answer.status_code == 200, answer.text
    return next(r for r in answer.json()["rows"] if r["year"] == 2021)


def _hebei_steel(api: Api) -> tuple[int, float]:
    answer = api.client.get("/api/v1/pathways/history?sector=steel", headers=api.headers("hebei"))
    assert answer.status_code == 200, answer.text
    row = next(r for r in answer.json()["regions"] if r["region_code"] == "130000")
    return row["peak_year"], row["peak_value"]


def test_the_api_answers_with_the_approved_editions(api: Api, tmp_path: Path) -> None:
    people = _people(api)
    assert _pressure_saving(api) == pytest.approx(37 * 6000 * 50 * 0.005 / PSI_KPA)
    assert _caps_2021(api)["on_track"] is True
    assert _hebei_steel(api) == (2019, 413.521771)
    approve_edition(
        api.engine,
        people,
        tmp_path,
        "diagnosis_parameters",
        [["air_pressure_power_rate", 1.0, "percent/psi", "test fixture, not a real rule"]],
    )
    row = ["industry_energy_2025", "industry", "energy_intensity", 2020, 2025, -0.5]
    approve_edition(api.engine, people, tmp_path, "intensity_targets", [[*row, "dimensionless"]])
    approve_edition(
        api.engine, people, tmp_path, "ceads_history", [["130000", 2019, "steel", 400.0, "MtCO2"]]
    )
    assert _pressure_saving(api) == pytest.approx(37 * 6000 * 50 * 0.010 / PSI_KPA)
    after = _caps_2021(api)
    assert after["on_track"] is False
    assert after["path_intensity"] == pytest.approx(0.5**0.2, abs=1e-6)
    assert _hebei_steel(api) == (2018, 403.497292)
