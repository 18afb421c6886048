"""Tables of the store for the national carbon market (issue 21): the data-quality control
plans of the emitters (each version kept, with its reason), their monthly evidence (values and
the documents' SHA-256, the documents themselves kept once in `market_documents`) and the
compliance ledger (append-only: database triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from carbonpeak.store.models import Base, now


class MarketPlan(Base):
    """One version of an emitter's data-quality control plan (数据质量控制方案) for a year:
    `content` is the plan as `market.plans.QualityPlan` holds it; `reason` why this version
    was made (required from the second on, and audited)."""

    __tablename__ = "market_plans"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "version"),)

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class MarketEvidence(Base):
    """A monthly value of a plan parameter, or a document of a guideline's evidence item
    (月度信息化存证), with the SHA-256 of its documents; the latest record of a key counts."""

    __tablename__ = "market_evidence"

    evidence_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    month: Mapped[date] = mapped_column(Date, index=True)  # the month's first day
    emission_type: Mapped[str] = mapped_column(String(64), default="")
    item: Mapped[str] = mapped_column(String(64), default="")
    parameter: Mapped[str] = mapped_column(String(64), default="")
    clause: Mapped[str] = mapped_column(String(32), default="")
    value: Mapped[float | None] = mapped_column(Float)
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class MarketDocument(Base):
    """A document of the monthly evidence (an invoice, a lab report, a meter's photo), kept
    once by its SHA-256."""

    __tablename__ = "market_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class MarketEntry(Base):
    """One entry of the compliance ledger (`market.ledger`): amounts in tonnes as decimals."""

    __tablename__ = "market_entries"

    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    vintage: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    counterparty: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class MarketProcessRow(Base):
    """A row of an enterprise's process sheet of a year (`market.processes`: the fuels into and
    out of each process and its product), as the sheet wrote it; `line` its row in the file.
    A new upload replaces the year's rows at once."""

    __tablename__ = "market_process_rows"

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    line: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))
    process: Mapped[str] = mapped_column(String(64))
    stream: Mapped[str] = mapped_column(String(16))
    item: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8), default="")
    amount: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    ncv: Mapped[str] = mapped_column(String(64), default="")
    ncv_unit: Mapped[str] = mapped_column(String(32), default="")
    file_name: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
