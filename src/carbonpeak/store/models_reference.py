"""Tables of the store for the reference library an installation curates (issue 20): the
editions its authority imports, reviews and approves (`reference/editions.py`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carbonpeak.store.models import Base, now

EDITION_STATES = ("draft", "approved", "rejected", "withdrawn")


class ReferenceEdition(Base):
    """An edition of the reference library: its document, its date, its rows (`content`:
    document, sources and rows with their places, as `reference.editions.Edition` holds them),
    who imported it and who approved or rejected it, with their comment, and who withdrew an
    approved one, when and why."""

    __tablename__ = "reference_editions"

    edition_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), index=True)  # EDITION_STATES
    digest: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[dict[str, Any]] = mapped_column()
    author: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    reviewer: Mapped[int | None] = mapped_column(ForeignKey("users.user_id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.user_id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawal_comment: Mapped[str | None] = mapped_column(Text)


class ReferenceDocument(Base):
    """A source document attached as evidence of a verification (a PDF of a notice, a scan of
    a standard's page), kept by its SHA-256 so that a citation names exactly what was read."""

    __tablename__ = "reference_documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
