"""Tables of the store for green products (issue 23, part 3): the motors of a diagnosis's
equipment inventory, kept when the diagnosis is registered (`services.diagnosis`), so that the
regulator sees the motors by GB 18613-2020 grade by region and industry (`green.motors`). A
new registration of an enterprise's diagnosis of the same year replaces that year's motors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carbonpeak.store.models import Base, now


class DiagnosisMotor(Base):
    """A motor of a registered diagnosis: as the plant file gives it, with the efficiency the
    calculator used (the limit value when none was given: `efficiency_given` false) and the
    grade it found (None: below the limit value; the limit value's grade 3 when the
    efficiency was assumed, which the green wing reads as unknown, `green.motors`)."""

    __tablename__ = "diagnosis_motors"

    motor_row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    equipment: Mapped[str] = mapped_column(String(64))
    rated_kw: Mapped[float] = mapped_column(Float)
    poles: Mapped[int] = mapped_column(Integer)
    efficiency: Mapped[float] = mapped_column(Float)
    efficiency_given: Mapped[bool] = mapped_column(Boolean)
    grade: Mapped[int | None] = mapped_column(Integer)
    load: Mapped[float] = mapped_column(Float)
    hours: Mapped[float] = mapped_column(Float)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
