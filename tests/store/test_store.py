"""The store on SQLite and PostgreSQL: migrations, users, and the hash-chained audit log."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DatabaseError

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.services.users import add_user, authenticate
from carbonpeak.store import audit
from carbonpeak.store.db import (
    current_revision,
    head_revision,
    make_engine,
    require_schema,
    transaction,
    upgrade,
)
from carbonpeak.store.models import AuditEntry, Base, Enterprise, User

PASSWORD = "correct horse battery"


def test_migrations_create_the_schema_and_are_idempotent(database: str) -> None:
    engine = make_engine(database)
    with pytest.raises(CarbonpeakError, match="has no schema; run `carbonpeak store upgrade`"):
        require_schema(engine)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision() == "0023"
    tables = set(inspect(engine).get_table_names())
    assert {
        "enterprises",
        "sites",
        "production_units",
        "users",
        "user_scopes",
        "submissions",
        "activity_lines",
        "account_results",
        "audit_log",
        "audit_head",
        "credit_entries",
        "policy_applications",
        "fleet_models",
        "market_process_rows",
    } <= tables
    require_schema(engine)
    with engine.connect() as connection:  # the migrations build exactly the models' schema
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_users_are_added_with_scopes_and_audited(engine: Engine) -> None:
    with transaction(engine) as session:
        add_user(session, "hebei", "regulator", PASSWORD, regions=["130000"])
        add_user(session, "plant", "enterprise", PASSWORD, enterprises=["91310000631696382C"])
    with transaction(engine) as session:
        regulator = authenticate(session, "hebei", PASSWORD)
        assert regulator is not None and regulator.role == "regulator"
        assert [(s.kind, s.code) for s in regulator.scopes] == [("region", "130000")]
        assert authenticate(session, "hebei", "wrong password!!") is None
        assert authenticate(session, "nobody", PASSWORD) is None
        stored = session.execute(select(User.password_hash)).scalars().all()
        assert all(h.startswith("$argon2") and PASSWORD not in h for h in stored)
        entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        assert [(e.action, e.entity_id) for e in entries] == [
            ("user.add", "hebei"),
            ("user.add", "plant"),
        ]
        assert audit.verify(session).ok


def test_bad_user_requests_list_every_problem_and_store_nothing(engine: Engine) -> None:
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        add_user(session, "bad name!", "overlord", "short", regions=["999999"])
    fields = sorted(str(p.place.field) for p in raised.value.problems)
    assert fields == ["password", "region", "role", "username"]
    with transaction(engine) as session:
        assert session.execute(select(User)).first() is None
        assert audit.verify(session).entries == 0


def test_audit_chain_detects_tampering(engine: Engine) -> None:
    with transaction(engine) as session:
        for n in range(5):
            audit.record(session, "tester", "enterprise.add", "enterprise", f"E{n}", None, {"n": n})
    with transaction(engine) as session:
        verdict = audit.verify(session)
        assert (verdict.ok, verdict.entries) == (True, 5)
    # the database refuses changes to the log ...
    with pytest.raises(DatabaseError, match="append-only"), transaction(engine) as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    with pytest.raises(DatabaseError, match="append-only"), transaction(engine) as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    # ... and someone who drops the guard is still caught by the chain
    _drop_guards(engine)
    with transaction(engine) as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    with transaction(engine) as session:
        verdict = audit.verify(session)
    assert (verdict.ok, verdict.seq, verdict.problem) == (
        False,
        3,
        "content does not match its hash",
    )
    with transaction(engine) as session:
        session.execute(text("UPDATE audit_log SET actor = 'tester' WHERE seq = 3"))
        session.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    with transaction(engine) as session:
        verdict = audit.verify(session)
    assert (verdict.ok, verdict.seq) == (False, 5)
    assert verdict.problem == "entries after the last one were removed"


def _drop_guards(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")


def test_concurrent_writers_keep_one_chain(engine: Engine) -> None:
    def write(worker: int) -> None:
        for n in range(10):
            with transaction(engine) as session:
                session.add(
                    Enterprise(
                        enterprise_id=f"{worker:02d}{n:016d}",
                        name="x",
                        region_code="130000",
                        industry_code="3120",
                    )
                )
                audit.record(session, f"w{worker}", "enterprise.add", "enterprise", f"{worker}-{n}")

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with transaction(engine) as session:
        verdict = audit.verify(session)
        count = len(session.execute(select(Enterprise)).all())
    assert (verdict.ok, verdict.entries, count) == (True, 40, 40)


def test_writers_whose_first_write_is_the_audit_entry_keep_one_chain(engine: Engine) -> None:
    """An entry that is its transaction's first write (a sign-in attempt's): SQLite's driver
    begins the transaction only at that write, so the head must be read after the lock (twelve
    at once gave `UNIQUE constraint failed: audit_log.seq` before)."""
    start, failures = threading.Barrier(12), []

    def write(worker: int) -> None:
        start.wait()
        try:
            for n in range(3):
                with transaction(engine) as session:
                    audit.record(session, f"w{worker}", "user.sign_in", "user", f"{worker}-{n}")
        except Exception as exc:  # the test counts every failure
            failures.append(repr(exc))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with transaction(engine) as session:
        verdict = audit.verify(session)
    assert failures == [] and (verdict.ok, verdict.entries) == (True, 36)


def test_jobs_left_unfinished_are_marked_failed(engine: Engine) -> None:
    from carbonpeak.services.jobs import recover
    from carbonpeak.store.models import Job

    with transaction(engine) as session:
        user = add_user(session, "someone", "admin", PASSWORD)
        session.add(Job(kind="submission", state="running", created_by=user.user_id))
    assert recover(engine) == 1
    with transaction(engine) as session:
        job = session.execute(select(Job)).scalar_one()
        assert job.state == "failed" and "interrupted" in job.outcome["error"]


def test_api_keys_from_before_expiry_get_one(database: str) -> None:
    """Migration 0010: a key issued when keys did not expire lasts 90 days from its issue."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    engine = make_engine(database)
    upgrade(engine, "0009")
    issued = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, role, active, created_at) "
                "VALUES ('old', 'x', 'enterprise', true, :at)"
            ),
            {"at": issued},
        )
        connection.execute(
            text(
                "INSERT INTO tokens (token_hash, user_id, kind, name, created_at) "
                "SELECT 'h', user_id, 'api_key', 'old key', :at FROM users"
            ),
            {"at": issued},
        )
    upgrade(engine)
    with engine.connect() as connection:
        expires = connection.execute(text("SELECT expires_at FROM tokens")).scalar_one()
    if isinstance(expires, str):
        expires = datetime.fromisoformat(expires)
    assert expires.replace(tzinfo=UTC) == issued + timedelta(days=90)
    engine.dispose()
