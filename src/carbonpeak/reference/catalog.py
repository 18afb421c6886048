"""The catalogue: each reference table declared once.

`data/tables.yaml` declares every table (its names in Chinese and English, file, description,
key columns, value columns with their units, references to other tables) and the sources
table. The loader, `reference check`,
`reference list` and the docs all read these declarations; nothing else describes a table.

Every data table ends with the same provenance columns, added here rather than repeated in each
declaration: `valid_from` and `valid_to` for tables whose rules change over time (`temporal`),
then `source_id`, `status` and `note`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

ColumnType = Literal["str", "float", "int", "date", "unit"]
STATUSES = ("verified", "unverified")
TEMPORAL_COLUMNS = ("valid_from", "valid_to")
PROVENANCE_COLUMNS = ("source_id", "status", "note")


class ColumnSpec(BaseModel):
    """One column: its type, unit and meaning."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    type: ColumnType = "str"
    description: str = ""
    required: bool = True
    unit: str | None = Field(default=None, description="fixed pint unit of a value column")
    unit_column: str | None = Field(default=None, description="column holding the row's unit")
    compatible_with: str | None = Field(
        default=None, description="a unit column's units must convert to this unit"
    )
    choices: tuple[str, ...] | None = None
    references: str | None = Field(default=None, description="table whose key this value is")
    not_before: str | None = Field(
        default=None, description="a date column of the same row this date may not be before"
    )

    @property
    def is_value(self) -> bool:
        return self.unit is not None or self.unit_column is not None


class TableSpec(BaseModel):
    """One table: file, key, columns and whether rows carry validity dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    file: str = ""
    name_zh: str = Field(min_length=1, description="the table's name in Chinese, shown first")
    name_en: str = Field(min_length=1, description="the table's short name in English")
    description: str
    key: tuple[str, ...]
    temporal: bool = False
    provenance: bool = True
    authority_supplied: bool = Field(
        default=False,
        description="shipped without rows: the authority supplies them, checked the same way",
    )
    by_edition: bool = Field(
        default=False,
        description="shipped without rows: an authority's edition writes them (new rule shapes)",
    )
    columns: tuple[ColumnSpec, ...]

    @model_validator(mode="before")
    @classmethod
    def _columns_from_mapping(cls, data: dict[str, object]) -> dict[str, object]:
        columns = data.get("columns")
        if isinstance(columns, dict):
            data = dict(data)
            data["columns"] = tuple(
                {**(spec or {}), "name": name} for name, spec in columns.items()
            )
        return data

    @model_validator(mode="after")
    def _consistent(self) -> TableSpec:
        names = [c.name for c in self.columns]
        missing = [k for k in self.key if k not in names]
        if missing:
            raise ValueError(f"key columns {missing} are not declared")
        for column in self.columns:
            if column.unit_column and column.unit_column not in names:
                raise ValueError(f"{column.name}: unit column {column.unit_column} not declared")
            dates = {c.name for c in self.columns if c.type == "date"}
            if column.not_before and not {column.name, column.not_before} <= dates:
                raise ValueError(f"{column.name}: not_before {column.not_before} is no date column")
        return self

    @property
    def header(self) -> tuple[str, ...]:
        """The CSV header, declared columns then the provenance columns."""
        extra: tuple[str, ...] = ()
        if self.temporal:
            extra += TEMPORAL_COLUMNS
        if self.provenance:
            extra += PROVENANCE_COLUMNS
        return tuple(c.name for c in self.columns) + extra

    @property
    def value_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.is_value)

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


class Catalog(BaseModel):
    """All declarations: the sources table and the data tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: TableSpec
    tables: dict[str, TableSpec]

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: dict[str, object]) -> dict[str, object]:
        data = dict(data)
        sources = dict(data["sources"])  # type: ignore[call-overload]
        sources.setdefault("name", "sources")
        sources.setdefault("file", "sources.csv")
        sources.setdefault("provenance", False)
        data["sources"] = sources
        tables = {}
        for name, spec in dict(data.get("tables") or {}).items():  # type: ignore[call-overload]
            spec = dict(spec)
            spec.setdefault("name", name)
            spec.setdefault("file", f"{name}.csv")
            tables[name] = spec
        data["tables"] = tables
        return data

    def all(self) -> tuple[TableSpec, ...]:
        return (self.sources, *self.tables.values())


def packaged_data_dir() -> Path:
    """The directory of the reference tables shipped with carbonpeak."""
    return Path(str(resources.files("carbonpeak.reference") / "data"))


def load_catalog(directory: Path) -> Catalog:
    """Read `tables.yaml` from a reference data directory."""
    with (directory / "tables.yaml").open(encoding="utf-8") as handle:
        return Catalog.model_validate(yaml.safe_load(handle))
