"""Tables of the store (SQLAlchemy 2). The schema is created and changed by Alembic only.

Column names follow the glossary: `enterprise_id` (USCC), `region_code`, `industry_code`,
`period`, `energy_tce`, `co2_t`, ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("admin", "regulator", "enterprise", "automaker")
# what an admin or a regulator may also do (a user scope of kind "duty"): import editions of the
# reference library, and approve or reject them (never one's own)
DUTIES = ("reference_editor", "reference_reviewer")
SUBMISSION_STATES = ("draft", "submitted", "returned", "verified", "approved")


def now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Enterprise(Base):
    __tablename__ = "enterprises"

    enterprise_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str] = mapped_column(String(4), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    # automakers: the group within which CAFC credits may be transferred (affiliates)
    affiliate_group: Mapped[str | None] = mapped_column(String(64))

    sites: Mapped[list[Site]] = relationship(back_populates="enterprise")


class Site(Base):
    __tablename__ = "sites"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))

    enterprise: Mapped[Enterprise] = relationship(back_populates="sites")


class ProductionUnit(Base):
    __tablename__ = "production_units"

    unit_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.site_id"), index=True)
    process: Mapped[str] = mapped_column(String(64))
    product: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[float] = mapped_column(Float)
    capacity_unit: Mapped[str] = mapped_column(String(32))


class User(Base):
    __tablename__ = "users"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class UserScope(Base):
    """What a user may see: region codes (regulators) or enterprise codes (enterprises and
    automakers)."""

    __tablename__ = "user_scopes"
    __table_args__ = (UniqueConstraint("user_id", "kind", "code"),)

    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.user_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # region | enterprise | duty
    code: Mapped[str] = mapped_column(String(18))

    user: Mapped[User] = relationship(back_populates="scopes")


class Submission(Base):
    """One version of an enterprise's report for a period, with its state."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "period", "version"),
        # not unique: an earlier version's content sent again is a new version
        Index("ix_submissions_content", "enterprise_id", "period", "content_hash"),
    )

    submission_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    content_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(260))
    comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ActivityLine(Base):
    """A row of a submitted activity table, as submitted."""

    __tablename__ = "activity_lines"

    line_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.submission_id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)


class AccountResult(Base):
    """Computed energy and emissions of a submission, with what made them."""

    __tablename__ = "account_results"
    __table_args__ = (UniqueConstraint("submission_id", "enterprise_id", "period"),)

    result_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.submission_id"), index=True)
    enterprise_id: Mapped[str] = mapped_column(String(18), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    energy_tce: Mapped[float] = mapped_column(Float)
    co2_combustion_t: Mapped[float] = mapped_column(Float)
    co2_process_t: Mapped[float] = mapped_column(Float)
    co2_electricity_t: Mapped[float] = mapped_column(Float)
    co2_heat_t: Mapped[float] = mapped_column(Float)
    co2_t: Mapped[float] = mapped_column(Float)
    co2e_t: Mapped[float] = mapped_column(Float)
    uncertainty_pct: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # lines and warnings
    code_version: Mapped[str] = mapped_column(String(32))
    reference_digest: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class AuditEntry(Base):
    """Append-only log of changes, each entry chained to the one before by its hash."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, part of the hashed content
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(80))
    before_hash: Mapped[str | None] = mapped_column(String(64))
    after_hash: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The last entry of the audit chain: one row, locked by each writer so that entries
    are chained one after another even under concurrent writers."""

    __tablename__ = "audit_head"

    head_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class Token(Base):
    """A bearer credential, stored as its SHA-256: login tokens and API keys both expire (and
    may be revoked); `last_used_at` is updated at most once a minute."""

    __tablename__ = "tokens"

    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.user_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # login | api_key
    name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # an API key narrowed to one enterprise acts only for it (`services.tokens`)
    enterprise_id: Mapped[str | None] = mapped_column(String(18))


class ReadingBatch(Base):
    """A batch of meter readings posted by an enterprise's collector: its id (the collector's,
    unique per enterprise), the digest of its checked content and its rows; the landing file
    `<lake>/landing/<enterprise_id>/<digest>.parquet` holds the readings until a flush moves
    them into the lake (`flushed_at`)."""

    __tablename__ = "reading_batches"
    __table_args__ = (UniqueConstraint("enterprise_id", "batch_id"),)

    reading_batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(String(18))
    batch_id: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    flushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """A failed login, kept while it counts towards throttling its account and its address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username", "username", "at"),
        Index("ix_login_failures_address", "address", "at"),
    )

    failure_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(256))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """A long computation run in the background; its state and outcome."""

    __tablename__ = "jobs"

    job_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class GradeResult(Base):
    """The efficiency grade of one product of a submission, with what made it."""

    __tablename__ = "grade_results"

    grade_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.submission_id"), index=True)
    area: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str | None] = mapped_column(String(16))
    indicator_value: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole graded row and warnings
    code_version: Mapped[str] = mapped_column(String(32))
    reference_digest: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class CreditEntry(Base):
    """One entry of the dual-credit ledger (`carbonpeak.policy.dual_credit.ledger`). Append-only:
    database triggers refuse UPDATE and DELETE."""

    __tablename__ = "credit_entries"

    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    credit: Mapped[str] = mapped_column(String(8))
    vintage: Mapped[int] = mapped_column(Integer)
    amount: Mapped[float] = mapped_column(Float)
    entity: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    counterparty: Mapped[str | None] = mapped_column(String(18))
    settles: Mapped[int | None] = mapped_column(Integer)
    settles_credit: Mapped[str | None] = mapped_column(String(8))
    price: Mapped[float | None] = mapped_column(Float)
    carryable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class PolicyApplication(Base):
    """An application to a policy engine (capacity replacement, two-high project, data
    centre, green factory), its verdict when submitted, and the regulator's review and decision
    (states of `policy.application_states`); `resubmits`: the returned application this one
    corrects."""

    __tablename__ = "policy_applications"

    application_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # swap | project | datacentre | factory
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdict: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="submitted")  # application_states
    resubmits: Mapped[int | None] = mapped_column(Integer, index=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.user_id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)


class Opportunity(Base):
    """A measure of the opportunity register: proposed by a diagnosis, then accepted,
    implemented (on a date) and verified against the enterprise's energy baseline."""

    __tablename__ = "opportunities"

    opportunity_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(200))
    measure: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    expected: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="proposed")
    implemented_on: Mapped[date | None] = mapped_column(Date)
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the directory's entry the measure used (`catalogue:entry_no`, directory_technologies)
    technology: Mapped[str | None] = mapped_column(String(200), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Budget(Base):
    """A carbon (or energy) budget of a region or an enterprise for a calendar year
    (`policy.budgets`), cascaded from its parent budget."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("scope", "code", "year", "quantity"),)

    budget_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(12))  # region | enterprise
    code: Mapped[str] = mapped_column(String(18), index=True)  # region_code | enterprise_id
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("budgets.budget_id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[str] = mapped_column(String(8))  # co2 | energy
    cap: Mapped[float | None] = mapped_column(Float)
    intensity: Mapped[float | None] = mapped_column(Float)
    basis: Mapped[str | None] = mapped_column(String(16))  # value_added | product
    item: Mapped[str | None] = mapped_column(String(64))
    planned: Mapped[float | None] = mapped_column(Float)
    profile: Mapped[str] = mapped_column(String(12), default="even")
    shares: Mapped[list[Any] | None] = mapped_column(JSON)
    reserve: Mapped[float] = mapped_column(Float, default=0.0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class BudgetCommitment(Base):
    """The part of a region's budget a project application holds: pending while it is
    reviewed, approved (debited) or released (refused)."""

    __tablename__ = "budget_commitments"
    __table_args__ = (UniqueConstraint("budget_id", "application_id"),)

    commitment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.budget_id"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("policy_applications.application_id"), index=True
    )
    amount: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class BudgetAlert(Base):
    """An early-warning level a budget rose into (once per crossing), and when it fell back."""

    __tablename__ = "budget_alerts"

    alert_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.budget_id"), index=True)
    level: Mapped[str] = mapped_column(String(8))  # yellow | red
    indicator: Mapped[str] = mapped_column(String(12))  # pace | projection
    value: Mapped[float] = mapped_column(Float)
    period: Mapped[str] = mapped_column(String(7))  # the month tracked when it was raised
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuthorityRow(Base):
    """A row of an authority-supplied reference table (e.g. the early-warning thresholds)
    entered by an installation's authority for its region, with the document it rests on."""

    __tablename__ = "authority_rows"

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    document: Mapped[str] = mapped_column(Text)  # the authority's document the values come from
    entered_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class FleetModel(Base):
    """A model of an automaker's fleet in a year, as its fleet workbook gave it (the columns of
    `carbonpeak.policy.dual_credit.fleet`); an upload replaces the years of the enterprises in
    it."""

    __tablename__ = "fleet_models"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "model_id"),)

    fleet_model_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    model_id: Mapped[str] = mapped_column(String(64))
    powertrain: Mapped[str] = mapped_column(String(8))
    curb_mass_kg: Mapped[float] = mapped_column(Float)
    seat_rows: Mapped[int] = mapped_column(Integer)
    fuel_consumption_l_per_100km: Mapped[float | None] = mapped_column(Float)
    electric_range_km: Mapped[float | None] = mapped_column(Float)
    electric_energy_kwh_per_100km: Mapped[float | None] = mapped_column(Float)
    fuel_cell_power_kw: Mapped[float | None] = mapped_column(Float)
    volume: Mapped[float] = mapped_column(Float)
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


# the reference library's editions: their own module, on this Base
# the national carbon market's plans, evidence and ledger: their own module, on this Base
# product carbon's maps and footprints: their own module, on this Base
# green products' motors of the diagnoses: their own module, on this Base
# the utilisation of industrial solid waste's reports: their own module, on this Base
from carbonpeak.store import models_green as models_green  # noqa: E402
from carbonpeak.store import models_market as models_market  # noqa: E402
from carbonpeak.store import models_product as models_product  # noqa: E402
from carbonpeak.store import models_reference as models_reference  # noqa: E402
from carbonpeak.store import models_utilisation as models_utilisation  # noqa: E402
