"""Tables of the store for the utilisation of industrial solid waste (issue 23): an
enterprise's report of a year (the rows of `utilisation.report`, kept as checked: kind, flow,
route, tonnes), replaced whole by a new upload of the same enterprise and year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carbonpeak.store.models import Base, now


class SolidWasteReport(Base):
    """An enterprise's solid-waste report of a year; a new upload replaces it."""

    __tablename__ = "solid_waste_reports"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year", name="uq_solid_waste_reports_enterprise_year"),
    )

    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    file_name: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
