"""Product carbon over HTTP (tag `product`, issue 22): an enterprise's process map of a year
(`POST|GET /product/maps/{enterprise_id}`), its products' footprints, CBAM goods and the
reconciliation with its account (`GET /product/enterprises/{enterprise_id}`), its EU CBAM
communication in the Commission's template (`GET /product/enterprises/{enterprise_id}/cbam.xlsx`),
the blank process map workbook (`GET /product/template`), and the footprints an enterprise
collects from its suppliers in the PACT v3 data model
(`POST|GET /product/suppliers/{enterprise_id}`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.product.cbam_codes import ElecSource
from carbonpeak.services import product, product_suppliers

router = APIRouter(tags=["product"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Year = Annotated[int, Query(ge=2000, le=2100, description="The year of the data")]
ElectricityFactor = Annotated[
    float | None,
    Query(ge=0, le=10, description="CBAM: the electricity emission factor, tCO2/MWh"),
]


class ProductMapStoredOut(BaseModel):
    """A stored process map: its year, file and units, and the footprints it gives."""

    enterprise_id: str
    year: int
    file: str
    units: list[str]
    footprints: list[dict[str, Any]]


class ProductOut(BaseModel):
    """An enterprise's products of a year: its stored map (file, when, units; none when no
    map is stored), and from it and the year's account the footprints per tonne (by stage,
    parts, primary share, ratings, uncertainty, warnings), each unit's CBAM SEE, the CN-coded
    goods against the default values of `import_year`, the reconciliation (none without a
    map; `refused` when the year's account no longer fits the map), and `standing`: each
    graded unit against its area's national levels, the distance to the benchmark level also
    in tCO2 per tonne (derived: the distance times the graded boundary's own CO2 per unit of
    energy)."""

    enterprise_id: str
    name: str
    year: int
    import_year: int
    electricity_factor: float | None = None
    map: dict[str, Any] | None = None
    results: dict[str, Any] | None = None
    refused: list[dict[str, Any]] | None = None
    standing: list[dict[str, Any]] | None = None


@router.post("/product/maps/{enterprise_id}", response_model=ProductMapStoredOut, status_code=201)
async def map_import(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    year: Year,
    file: Annotated[UploadFile, File(description="The process map workbook (工序图, .xlsx)")],
) -> ProductMapStoredOut:
    """Check the enterprise's process map of a year against its stored reports and store it,
    replacing the year's map before it; every problem placed, nothing stored on any."""
    name, content = await read_upload(file)
    stored = await run_in_threadpool(
        product.upload_map, db, caller, enterprise_id, year, name, content
    )
    return ProductMapStoredOut.model_validate(stored)


@router.get("/product/enterprises/{enterprise_id}", response_model=ProductOut)
def product_year(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    year: Year,
    import_year: Annotated[
        int | None, Query(ge=2026, le=2100, description="CBAM: the year of import (default: year)")
    ] = None,
    electricity_factor: ElectricityFactor = None,
) -> ProductOut:
    """The enterprise's product footprints, CBAM goods and reconciliation of a year."""
    return ProductOut.model_validate(
        product.product_view(db, caller, enterprise_id, year, electricity_factor, import_year)
    )


@router.get(
    "/product/enterprises/{enterprise_id}/cbam.xlsx",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            "description": "The CBAM communication template for installations (v2.1.1), filled",
        }
    },
)
def cbam_workbook(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    year: Year,
    electricity_factor: ElectricityFactor = None,
    electricity_source: Annotated[
        ElecSource | None,
        Query(description="CBAM: where the electricity factor comes from (the template's list)"),
    ] = None,
) -> Response:
    """The enterprise's EU CBAM communication of a year, as the workbook its importers expect:
    the Commission's template for installations filled from its stored process map and the
    year's account (production processes, their emissions, electricity and heat, goods and
    CN codes); the installation's name, city and country from the enterprise's record."""
    content = product.cbam_workbook(
        db, caller, enterprise_id, year, electricity_factor, electricity_source
    )
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="cbam-{year}.xlsx"'},
    )


@router.get(
    "/product/template",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            "description": "The blank process map workbook",
        }
    },
)
def map_template(db: Db, caller: Caller) -> Response:
    """The process map workbook (工序图) to fill in: units, assignments, links, flows, with
    Chinese headers and their codes, drop-downs, help and an example."""
    return Response(
        product.template_workbook(db),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="product-map.xlsx"'},
    )


class SupplierImportOut(BaseModel):
    """What an import of a supplier's PACT v3 file did, by footprint id: stored new, held
    unchanged, held and now Deprecated, and the held footprints the file's name as their
    predecessors (superseded)."""

    enterprise_id: str
    file: str
    stored: list[str]
    unchanged: list[str]
    deprecated: list[str]
    superseded: list[str]


class SupplierFootprintOut(BaseModel):
    """A supplier's footprint the enterprise holds: the supplier and product, the PCF per
    declared unit as sent (kgCO2e, decimal text, excluding and including biogenic uptake), the
    reference period, the data-quality ratings and primary data share when given, and its
    life cycle (status, the footprints it follows, the held one that supersedes it)."""

    footprint_id: str
    enterprise_id: str
    supplier: str
    supplier_ids: list[str]
    product_name: str
    product_description: str
    product_ids: list[str]
    classifications: list[str]
    classification: str | None
    declared_unit: str
    declared_amount: str
    pcf_excluding_biogenic_kgco2e: str
    pcf_including_biogenic_kgco2e: str
    reference_period_start: str
    reference_period_end: str
    period: str
    dqr: dict[str, str] | None
    primary_data_share: str | None
    status: str
    preceding_ids: list[str]
    superseded_by: str | None
    current: bool
    spec_version: str
    created: str
    file: str
    imported_at: str


class SupplierFootprintsOut(BaseModel):
    """The suppliers' footprints an enterprise holds, by supplier and product."""

    enterprise_id: str
    footprints: list[SupplierFootprintOut]


@router.post(
    "/product/suppliers/{enterprise_id}", response_model=SupplierImportOut, status_code=201
)
async def suppliers_import(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    file: Annotated[
        UploadFile,
        File(description='A PACT v3 JSON file: one footprint, a list, or {"data": [...]}'),
    ],
) -> SupplierImportOut:
    """Keep a supplier's PACT v3 footprints for the enterprise (its buyer): every problem
    placed (file, item, field), nothing stored on any; a footprint sent again is taken as held
    or as now Deprecated, any other change under a held id is refused (409)."""
    name, content = await read_upload(file, (".json",))
    done = await run_in_threadpool(
        product_suppliers.import_supplier_footprints, db, caller, enterprise_id, content, name
    )
    return SupplierImportOut.model_validate(done.as_dict())


@router.get("/product/suppliers/{enterprise_id}", response_model=SupplierFootprintsOut)
def suppliers_held(enterprise_id: str, db: Db, caller: Caller) -> SupplierFootprintsOut:
    """The suppliers' footprints the enterprise holds."""
    return SupplierFootprintsOut.model_validate(
        {
            "enterprise_id": enterprise_id,
            "footprints": product_suppliers.supplier_footprints(db, caller, enterprise_id),
        }
    )
