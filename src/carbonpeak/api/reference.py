"""Reference: the reference tables the engines judge by, their rows on a date, and the
editions of the library an installation's authority imports and approves (issue 20)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.services import reference as reference_service
from carbonpeak.services import reference_editions as edition_service

router = APIRouter(tags=["reference"])


class TableCountOut(BaseModel):
    table: str
    name_zh: str | None = Field(default=None, description="The table's name in Chinese")
    name_en: str | None = Field(default=None, description="The table's name in English")
    description: str | None = None
    rows: int
    verified: int | None = None
    unverified: int | None = None
    verified_pct: float | None = Field(
        default=None, description="The share of its rows read in their source"
    )


class TablesOut(BaseModel):
    tables: list[TableCountOut]


class TableOut(BaseModel):
    table: str
    as_of: date | None
    rows: list[dict[str, Any]] = Field(
        description="The table's rows on `as_of`, each with its `line` and the table's columns "
        "(see `docs/reference.md`)"
    )


@router.get("/reference/tables", response_model=TablesOut, response_model_exclude_unset=True)
def reference_tables(db: Db, caller: Caller) -> TablesOut:
    """Every table of the library in force (shipped, authority rows and approved editions)
    with its number of rows, in all and by status."""
    return TablesOut.model_validate({"tables": reference_service.tables_in_force(db)})


@router.get("/reference/tables/{table}", response_model=TableOut)
def reference_table(table: str, db: Db, caller: Caller, as_of: date | None = None) -> TableOut:
    """The rows of a table of the library in force (those valid on `as_of` when it is given),
    each with its status, source and note."""
    shown = reference_service.table_in_force(db, table, as_of)
    return TableOut(table=table, as_of=as_of, rows=shown["rows"])


# -- editions ---------------------------------------------------------------------------------


class EditionOut(BaseModel):
    edition_id: int
    source_id: str = Field(description="The `sources` row of the edition's document")
    title: str
    valid_from: date = Field(description="The date the edition takes effect")
    state: Literal["draft", "approved", "rejected", "withdrawn"]
    digest: str = Field(description="SHA-256 of what the edition says")
    file_name: str
    rows: int
    author: str | None
    created_at: str
    reviewer: str | None = None
    decided_at: str | None = None
    comment: str | None = None
    withdrawn_by: str | None = None
    withdrawn_at: str | None = None
    withdrawal_comment: str | None = None


class EditionsOut(BaseModel):
    editions: list[EditionOut]


class RowChangeOut(BaseModel):
    table: str
    key: dict[str, Any]
    action: Literal["add", "change", "retire"]
    columns: list[str] = Field(description="The columns whose value the edition changes")
    before: dict[str, Any] | None = Field(description="Those columns before (none: added)")
    after: dict[str, Any] | None = Field(description="Those columns after (none: retired)")


class ChangesOut(BaseModel):
    tables: dict[str, dict[str, int]] = Field(
        description="Per table the rows added, changed and retired"
    )
    rows: list[RowChangeOut]
    every_date: list[str] = Field(
        default=[],
        description="Changed tables without dates: their rows hold for every date once approved",
    )
    before_its_date: list[str] = Field(
        default=[],
        description="Tables with rows that start before the edition's date (or have no start): "
        "approved, they restate results from their own date",
    )
    problems: list[str] = Field(
        default=[], description="Why a draft no longer applies over the library in force"
    )


class ImpactOut(BaseModel):
    year: str
    accounts: int = Field(description="Official reports of the year in the store")
    changed: int = Field(description="Of them, those whose totals the edition changes")
    energy_tce_before: float
    energy_tce_after: float
    energy_tce_change_pct: float | None
    co2_t_before: float
    co2_t_after: float
    co2_t_change_pct: float | None
    co2e_t_before: float
    co2e_t_after: float
    co2e_t_change_pct: float | None


class EditionViewOut(EditionOut):
    changes: ChangesOut
    impact: list[ImpactOut] = Field(
        description="Per year, the stored official reports accounted with the library before "
        "and after the edition (the stored results keep theirs)"
    )


EditionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The edition's number")]


class DecisionIn(BaseModel):
    verdict: Literal["approve", "reject", "withdraw"] = Field(
        description="approve or reject a draft; withdraw an approved edition"
    )
    comment: str = Field(min_length=1, description="Why")


@router.get("/reference/editions", response_model=EditionsOut)
def reference_editions(db: Db, caller: Caller) -> EditionsOut:
    """The editions of the library, newest first (every user may read the rules that apply)."""
    return EditionsOut.model_validate({"editions": edition_service.list_editions(db)})


@router.get("/reference/editions/{edition_id}", response_model=EditionViewOut)
def reference_edition(edition_id: EditionId, db: Db, caller: Caller) -> EditionViewOut:
    """An edition with what it changes (a draft: over the library in force now)."""
    return EditionViewOut.model_validate(edition_service.edition_view(db, edition_id, caller))


@router.post("/reference/editions", response_model=EditionViewOut, status_code=201)
async def import_reference_edition(
    db: Db,
    caller: Caller,
    file: Annotated[
        UploadFile,
        File(
            description="The edition workbook (.xlsx), or a package of another installation (.zip)"
        ),
    ],
) -> EditionViewOut:
    """Import an edition workbook as a draft (the duty `reference_editor`): every problem in
    one 422 response, nothing stored."""
    name, content = await read_upload(file)
    made = await run_in_threadpool(edition_service.import_edition, db, caller, name, content)
    return EditionViewOut.model_validate(made)


@router.get(
    "/reference/editions/{edition_id}/package",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The package",
        }
    },
)
def reference_edition_package(edition_id: EditionId, db: Db, caller: Caller) -> Response:
    """An approved edition as a package (zip: the edition as text and a manifest of hashes)
    another installation imports with `POST /reference/editions`."""
    name, content = edition_service.export_edition(db, edition_id)
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/reference/editions/{edition_id}/decision", response_model=EditionOut)
def decide_reference_edition(
    edition_id: EditionId, body: DecisionIn, db: Db, caller: Caller
) -> EditionOut:
    """Approve or reject a draft (the duty `reference_reviewer`, not its own editor), or
    withdraw an approved edition (the duty `reference_reviewer`; refused while a later approved
    edition builds on it)."""
    done = edition_service.decide(db, caller, edition_id, body.verdict, body.comment)
    return EditionOut.model_validate(done)
