"""Directory: the technology directory (绿色低碳技术目录 / 节能技术推荐目录): search, an entry with
its links, a catalogue's spreadsheet imported as a draft edition, exports, and the entry a
register's measure used."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.io.directory import workbook_bytes
from carbonpeak.io.sheets import csv_text
from carbonpeak.services import directory as directory_service

router = APIRouter(tags=["directory"])

Text = Annotated[str | None, Query(max_length=200)]
Key = Annotated[str, Query(min_length=3, max_length=200, description="catalogue:entry_no")]


class TechnologyOut(BaseModel):
    """An entry of a catalogue edition: figures in tce/a, t CO2/a, 10^4 yuan and years."""

    key: str
    catalogue: str
    entry_no: str
    name_zh: str
    name_en: str
    sector: str
    process: str
    problem_zh: str
    problem_en: str
    principle_zh: str
    saving_text: str
    maturity: str
    energy_saving: float | None
    co2_reduction: float | None
    investment_min: float | None
    investment_max: float | None
    payback_min: float | None
    payback_max: float | None
    links: list[str]
    source_id: str
    source: str
    source_url: str
    status: str
    note: str
    illustrative: bool = Field(
        description="An illustrative entry (a demo's, not a published catalogue's): label it "
        "示例 / illustrative wherever it is shown"
    )


class HitOut(TechnologyOut):
    score: float = Field(description="BM25 (lower is better; 0 without a question)")
    matched: list[str] = Field(description="The question's words the entry holds")


class SearchOut(BaseModel):
    question: str
    filters: dict[str, str | None]
    choices: dict[str, list[str]]
    entries: int
    found: int = Field(description="The entries found, of which `results` are the first (limit)")
    results: list[HitOut]


class GapOut(BaseModel):
    enterprise_id: str
    name: str | None
    measures: list[str]
    measure_names: list[str]
    units: list[dict[str, Any]]


class UseOut(BaseModel):
    opportunity_id: int
    enterprise_id: str
    enterprise_name: str | None
    measure: str
    measure_name: str
    measure_id: str
    state: str
    implemented_on: str | None
    expected_tce: float | None
    verified_tce: float | None
    realisation: float | None
    verification_method: str | None


class EntryOut(TechnologyOut):
    gaps: list[GapOut]
    uses: list[UseOut]
    open_measures: list[dict[str, Any]]
    usable_measures: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The register's measures of its links that may record its use "
        "(proposed, accepted, implemented or verified)",
    )


class DraftOut(BaseModel):
    edition_id: int
    source_id: str
    title: str
    valid_from: str
    state: str
    rows: int
    changes: dict[str, Any]
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="What was read but is worth a look: a figure kept as text, entries "
        "without links (code, message, data)",
    )


class UseIn(BaseModel):
    technology: str | None = Field(
        max_length=200, description="The entry (catalogue:entry_no), or null for none"
    )


class UsedOut(BaseModel):
    opportunity_id: int
    technology: str | None


@router.get("/directory/search", response_model=SearchOut)
def search(
    db: Db,
    caller: Caller,
    q: Annotated[str, Query(max_length=200, description="Words in Chinese or English")] = "",
    sector: Text = None,
    process: Text = None,
    catalogue: Text = None,
    link: Text = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> SearchOut:
    """The entries holding any word of `q` (all without one), best first, kept by the filters."""
    found = directory_service.search(
        db, q, sector=sector, process=process, catalogue=catalogue, link=link, limit=limit
    )
    return SearchOut.model_validate(found)


@router.get("/directory/entry", response_model=EntryOut)
def entry(key: Key, db: Db, caller: Caller) -> EntryOut:
    """An entry, the enterprises whose gaps it addresses and the register's measures that used
    it (with their verified savings)."""
    return EntryOut.model_validate(directory_service.technology(db, caller, key))


@router.get(
    "/directory/export",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
            "description": "The entries",
        }
    },
)
def export(
    db: Db,
    caller: Caller,
    form: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
    q: Annotated[str, Query(max_length=200)] = "",
    sector: Text = None,
    process: Text = None,
    catalogue: Text = None,
    link: Text = None,
) -> Response:
    """The entries a search finds (all without one) as CSV or a workbook."""
    header, rows = directory_service.export_table(
        db, question=q, sector=sector, process=process, catalogue=catalogue, link=link
    )
    if form == "csv":
        return Response(
            csv_text(header, rows).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="directory.csv"'},
        )
    return Response(
        workbook_bytes(header, rows, "directory"),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="directory.xlsx"'},
    )


@router.post("/directory/catalogues", response_model=DraftOut, status_code=201)
async def import_catalogue(
    db: Db,
    caller: Caller,
    file: Annotated[UploadFile, File(description="The catalogue's spreadsheet (.xlsx)")],
    catalogue: Annotated[str, Form(max_length=64, description="The edition's code")],
    source_id: Annotated[str, Form(max_length=64)],
    title: Annotated[str, Form(max_length=500)],
    issuer: Annotated[str, Form(max_length=200)] = "",
    document_number: Annotated[str, Form(max_length=200)] = "",
    date: Annotated[str, Form(max_length=10)] = "",
    url: Annotated[str, Form(max_length=500)] = "",
    valid_from: Annotated[str, Form(max_length=10)] = "",
    status: Annotated[Literal["verified", "unverified"], Form()] = "unverified",
) -> DraftOut:
    """A catalogue's spreadsheet as a draft edition of the directory (the duty
    `reference_editor`): every problem (an entry without its number or source, a figure that is
    not one) in one 422 response, placed by sheet, row and column; nothing stored."""
    name, content = await read_upload(file, (".xlsx",))
    info = {
        "catalogue": catalogue, "source_id": source_id, "title": title, "issuer": issuer,
        "document_number": document_number, "date": date, "url": url,
        "valid_from": valid_from, "status": status,
    }  # fmt: skip
    made = await run_in_threadpool(
        directory_service.import_catalogue, db, caller, name, content, info
    )
    return DraftOut.model_validate(made)


@router.put("/directory/opportunities/{opportunity_id}", response_model=UsedOut)
def use(
    opportunity_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: UseIn, db: Db, caller: Caller
) -> UsedOut:
    """Record the entry a measure of the opportunity register used (null: none)."""
    done = directory_service.use_technology(db, caller, opportunity_id, body.technology)
    return UsedOut.model_validate(done)
