"""Tables of the store for product carbon (issue 22): an enterprise's process map of a year
(`product.plant.ProductMap` as `product.plant.map_to_dict` writes it), the product footprints
it published (their PACT ids and content kept as published: a new version is a new id that
names the one before) and the footprints its suppliers sent it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carbonpeak.store.models import Base, now


class ProductMap(Base):
    """An enterprise's process map of a year; a new upload replaces it."""

    __tablename__ = "product_maps"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year", name="uq_product_maps_enterprise_year"),
    )

    map_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    year: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    file_name: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class ProductFootprint(Base):
    """A footprint the enterprise published, as its PACT ProductFootprint (`content`)."""

    __tablename__ = "product_footprints"

    footprint_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    preceding_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class SupplierFootprint(Base):
    """A footprint a supplier sent the enterprise (PACT), kept once per PACT id."""

    __tablename__ = "supplier_footprints"
    __table_args__ = (
        UniqueConstraint(
            "enterprise_id", "footprint_id", name="uq_supplier_footprints_enterprise_footprint"
        ),
    )

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"))
    footprint_id: Mapped[str] = mapped_column(String(36))
    company_name: Mapped[str] = mapped_column(String(255))
    product_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    file_name: Mapped[str] = mapped_column(String(255))
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.user_id"))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
