"""Long tables of the dashboard, paged, sorted, filtered and searched on the server, by one
mechanism every page shares (issue 19, part 5).

A page declares its table's `Column`s; `asked` reads the request's `page`, `per`, `sort`
(`column` or `-column` for descending), `q` (text searched, case-insensitive and width-folded
(NFKC), in every text and choice column as shown) and one filter per choice column (its key
as the parameter), refusing an unknown column, a bad number or a page past the last with
`BadListing` (a 400 page in the reader's language, never a 500). Rows computed in memory are
then `listed` (filtered, searched, sorted, cut to the page); a service that pages in SQL takes
the `Asked` apart (sort, descending, search, filters, limit, offset) and its page and total
become a `Listing` with `paged`. A `Listing` carries the links of its pages and sortable
headers, each keeping the request's other parameters (so two tables of a page, told apart by
`prefix`, page independently). The templates' macros are in `_listing.html`.

The CSV download of a table stays the whole table: the pages say so beside the link.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from carbonpeak.errors import N_

PER = 50
MAX_PER = 500

Kind = Literal["text", "number", "choice"]


@dataclass(frozen=True)
class Column:
    """A column of a long table: `key` in its rows; `kind` text (searched), number (sorted
    as a number) or choice (a filter select, and searched); `label`: the key of the text
    shown for a choice or text column if not the key's own (e.g. an area's name for its
    code); `sortable` False for a column without an order."""

    key: str
    kind: Kind = "text"
    label: str | None = None
    sortable: bool = True

    @property
    def shown(self) -> str:
        return self.label or self.key


class BadListing(Exception):
    """Parameters of a table that cannot be met: `message` a msgid with `values`."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Asked:
    """What the request asks of one table, checked against its columns."""

    page: int = 1
    per: int = PER
    sort: str | None = None
    descending: bool = False
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    prefix: str = ""
    params: tuple[tuple[str, str], ...] = ()  # the request's query, to keep in links

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per

    def link(self, **changes: str | int | None) -> str:
        """The query string of this page with this table's parameters changed (None or ""
        drops one); every other parameter of the request kept; `page` dropped unless
        changed, since a new order or filter starts from the first page."""
        own = {self.prefix + k: v for k, v in changes.items()}
        if "page" not in changes:
            own[self.prefix + "page"] = None
        kept = [(k, v) for k, v in self.params if k not in own]
        kept += [(k, str(v)) for k, v in own.items() if v not in (None, "")]
        return "?" + urlencode(kept)

    def sort_link(self, key: str) -> str:
        """Sort by `key`, ascending first, descending if it is already ascending."""
        ascending_now = self.sort == key and not self.descending
        return self.link(sort=("-" if ascending_now else "") + key)

    def aria_sort(self, key: str) -> str:
        if self.sort != key:
            return "none"
        return "descending" if self.descending else "ascending"


def _whole(text: str | None, name: str, low: int, high: int, default: int) -> int:
    if text in (None, ""):
        return default
    try:
        value = int(str(text).strip())
    except ValueError:
        raise BadListing(
            N_("%(name)s must be a whole number from %(low)s to %(high)s, not %(value)s."),
            name=name,
            low=low,
            high=high,
            value=text,
        ) from None
    if not low <= value <= high:
        raise BadListing(
            N_("%(name)s must be a whole number from %(low)s to %(high)s, not %(value)s."),
            name=name,
            low=low,
            high=high,
            value=text,
        )
    return value


def asked(
    params: Mapping[str, str] | Sequence[tuple[str, str]],
    columns: Sequence[Column],
    *,
    sort: str | None = None,
    descending: bool = False,
    per: int = PER,
    prefix: str = "",
    choices: Mapping[str, Sequence[str]] | None = None,
) -> Asked:
    """The request's parameters of one table (those named `prefix` + name), checked; `sort`
    and `descending` the table's order when none is asked; `choices` the allowed values of
    the choice columns if known (a value outside them is refused)."""
    pairs = tuple(params.items()) if isinstance(params, Mapping) else tuple(params)
    given = dict(pairs)
    named = {c.key: c for c in columns}

    def get(name: str) -> str | None:
        return given.get(prefix + name)

    page = _whole(get("page"), prefix + "page", 1, 1_000_000, 1)
    per = _whole(get("per"), prefix + "per", 1, MAX_PER, per)
    wanted = (get("sort") or "").strip()
    if wanted:
        descending = wanted.startswith("-")
        sort = wanted.lstrip("-")
        column = named.get(sort)
        if column is None or not column.sortable:
            raise BadListing(
                N_("There is no column %(column)s to sort this table by."), column=sort
            )
    filters: dict[str, str] = {}
    for column in columns:
        value = (get(column.key) or "").strip()
        if column.kind != "choice" or not value:
            continue
        if choices is not None and column.key in choices and value not in choices[column.key]:
            raise BadListing(
                N_("%(value)s is not a value of the column %(column)s."),
                value=value,
                column=column.key,
            )
        filters[column.key] = value
    return Asked(
        page=page,
        per=per,
        sort=sort,
        descending=descending,
        q=(get("q") or "").strip(),
        filters=filters,
        prefix=prefix,
        params=pairs,
    )


def folded(text: Any) -> str:
    """Text as searched: width-folded (NFKC: full-width letters and digits as ASCII) and
    case-folded; None as nothing."""
    return "" if text is None else unicodedata.normalize("NFKC", str(text)).casefold()


@dataclass(frozen=True)
class Listing:
    """One page of a long table: its `rows`, how many rows the filters and search leave
    (`total`), its page and pages, what was asked, and each choice column's values and
    their labels (for the filter selects)."""

    rows: list[Any]
    total: int
    page: int
    pages: int
    asked: Asked
    columns: tuple[Column, ...]
    choices: Mapping[str, list[tuple[str, str]]]

    def page_link(self, page: int) -> str:
        return self.asked.link(page=page)

    @property
    def form_keys(self) -> frozenset[str]:
        """The parameters the search form sets (the others it keeps as hidden fields)."""
        own = ("q", "page", *(c.key for c in self.columns if c.kind == "choice"))
        return frozenset(self.asked.prefix + k for k in own)

    def cleared_link(self) -> str:
        """This page without the search and the filters."""
        cleared: dict[str, str | int | None] = {"q": None}
        cleared |= dict.fromkeys(self.asked.filters)
        return self.asked.link(**cleared)


def _pages(total: int, asked_: Asked) -> int:
    pages = max(1, -(-total // asked_.per))
    if asked_.page > pages:
        raise BadListing(
            N_("There is no page %(page)s: this table has %(pages)s."),
            page=asked_.page,
            pages=pages,
        )
    return pages


def _sort_key(kind: Kind) -> Callable[[Any], Any]:
    if kind == "number":
        return lambda value: float(value)
    return lambda value: folded(value)


def matching(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], asked_: Asked
) -> list[Mapping[str, Any]]:
    """The rows the filters and the search leave, in the asked order (None last either way;
    the given order among equals)."""
    kept = [row for row in rows if all(str(row.get(k, "")) == v for k, v in asked_.filters.items())]
    if asked_.q:
        needle = folded(asked_.q)
        searched = [c.shown for c in columns if c.kind != "number"]
        kept = [row for row in kept if any(needle in folded(row.get(k)) for k in searched)]
    if asked_.sort:
        column = next(c for c in columns if c.key == asked_.sort)
        key = _sort_key(column.kind)
        shown = column.key if column.kind == "number" else column.shown
        present = [row for row in kept if row.get(shown) not in (None, "")]
        absent = [row for row in kept if row.get(shown) in (None, "")]
        present.sort(key=lambda row: key(row[shown]), reverse=asked_.descending)
        kept = present + absent
    return kept


def choices_of(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]
) -> dict[str, list[tuple[str, str]]]:
    """Each choice column's values with their labels, by label."""
    found: dict[str, dict[str, str]] = {c.key: {} for c in columns if c.kind == "choice"}
    for row in rows:
        for column in columns:
            if column.kind == "choice" and row.get(column.key) not in (None, ""):
                found[column.key][str(row[column.key])] = str(row.get(column.shown))
    return {k: sorted(v.items(), key=lambda item: folded(item[1])) for k, v in found.items()}


def listed(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], asked_: Asked) -> Listing:
    """A table computed in memory, filtered, searched, sorted and cut to the asked page."""
    kept = matching(rows, columns, asked_)
    pages = _pages(len(kept), asked_)
    return Listing(
        rows=kept[asked_.offset : asked_.offset + asked_.per],
        total=len(kept),
        page=asked_.page,
        pages=pages,
        asked=asked_,
        columns=tuple(columns),
        choices=choices_of(rows, columns),
    )


def paged(
    total: int,
    rows: list[Any],
    columns: Sequence[Column],
    asked_: Asked,
    choices: Mapping[str, list[tuple[str, str]]] | None = None,
) -> Listing:
    """A page a service cut in SQL (its `total` the rows the filters and search leave)."""
    return Listing(
        rows=rows,
        total=total,
        page=asked_.page,
        pages=_pages(total, asked_),
        asked=asked_,
        columns=tuple(columns),
        choices=dict(choices or {}),
    )
