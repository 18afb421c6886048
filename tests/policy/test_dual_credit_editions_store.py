"""Through the store, on SQLite and PostgreSQL: a fleet of 2026 is refused while no edition
covers the year; an editor imports the TEST FIXTURE edition (invented values, not a real rule:
fixtures/dual_credit_2026_test_edition) as a package, a reviewer approves it, and the same
fleet is accounted with the credits worked out by hand in test_dual_credit_editions.py."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from carbonpeak.errors import InputError
from carbonpeak.io.reference_package import write_package
from carbonpeak.reference.edition_files import read_edition_dir
from carbonpeak.services.access import Actor
from carbonpeak.services.credits import compute_file
from carbonpeak.services.reference_editions import decide, import_edition
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User
from tests.policy.test_dual_credit_editions import COLUMNS, FIXTURE, MODELS

PASSWORD = "correct horse battery"


def _actor(engine: Engine, name: str, role: str, duties: list[str]) -> Actor:
    with transaction(engine) as session:
        add_user(session, name, role, PASSWORD, [], [], "test", duties)
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def _csv() -> bytes:
    lines = [",".join(COLUMNS)]
    lines += [",".join("" if v is None else str(v) for v in model) for model in MODELS]
    return ("\n".join(lines) + "\n").encode()


def test_2026_accounted_once_an_approved_edition_covers_it(engine: Engine) -> None:
    editor = _actor(engine, "editor", "admin", ["reference_editor"])
    reviewer = _actor(engine, "reviewer", "admin", ["reference_reviewer"])
    with transaction(engine) as session, pytest.raises(InputError, match="2026"):
        compute_file(session, "fleet.csv", _csv(), 2026)
    package = write_package(read_edition_dir(FIXTURE), {"installation": "tests"})
    with transaction(engine) as session:
        draft = import_edition(session, editor, "dual_credit_2026.zip", package)
    changed = draft["changes"]["tables"]
    assert changed["formulas"]["add"] == 5 and changed["formula_bands"]["add"] == 6
    with transaction(engine) as session, pytest.raises(InputError, match="2026"):
        compute_file(session, "fleet.csv", _csv(), 2026)  # a draft changes nothing
    with transaction(engine) as session:
        decide(session, reviewer, draft["edition_id"], "approve", "test fixture")
    with transaction(engine) as session:
        [result] = compute_file(session, "fleet.csv", _csv(), 2026)["enterprises"]
    assert result["nev_credits_earned"] == pytest.approx(4000)
    assert result["nev_credits"] == pytest.approx(-15200)
    assert result["cafc_credits"] == -23590


def test_a_missing_formula_input_is_placed_in_the_uploaded_file(engine: Engine) -> None:
    """Review 22 L1: the model without the electric consumption the fixture's BEV formula
    reads is refused at its file, row and column."""
    editor = _actor(engine, "editor", "admin", ["reference_editor"])
    reviewer = _actor(engine, "reviewer", "admin", ["reference_reviewer"])
    package = write_package(read_edition_dir(FIXTURE), {"installation": "tests"})
    with transaction(engine) as session:
        draft = import_edition(session, editor, "dual_credit_2026.zip", package)
    with transaction(engine) as session:
        decide(session, reviewer, draft["edition_id"], "approve", "test fixture")
    lines = _csv().decode().splitlines()
    lines[2] = lines[2].replace(",11.0,", ",,")  # BEV-A without its kWh/100 km
    with transaction(engine) as session, pytest.raises(InputError) as raised:
        compute_file(session, "车队.csv", ("\n".join(lines) + "\n").encode(), 2026)
    [problem] = raised.value.problems
    place = problem.place
    assert (place.file, place.row, place.column) == ("车队.csv", 3, "electric_energy_kwh_per_100km")
