"""The shared mechanism of long tables (web/listing.py): hand-worked cases and properties."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.web.listing import BadListing, Column, asked, listed, matching, paged

COLUMNS = (
    Column("name"),
    Column("area", "choice", label="area_name"),
    Column("value", "number"),
)
ROWS = [
    {"name": "河北钢铁", "area": "steel", "area_name": "钢铁", "value": 3.0},
    {"name": "Tangshan Cement", "area": "cement", "area_name": "水泥", "value": 1.0},
    {"name": "唐山水泥二厂", "area": "cement", "area_name": "水泥", "value": None},
    {"name": "ＡＢＣ Glass", "area": "glass", "area_name": "玻璃", "value": 2.0},
    {"name": "abc steel", "area": "steel", "area_name": "钢铁", "value": 10.0},
]


def names(listing_rows: list) -> list[str]:
    return [r["name"] for r in listing_rows]


def test_a_page_of_the_rows_sorted_by_a_number_descending() -> None:
    # values 3, 1, None, 2, 10 descending: 10, 3, 2, 1 then the empty one last;
    # 2 a page: page 2 is (2, 1), 3 pages for 5 rows
    listing = listed(ROWS, COLUMNS, asked({"sort": "-value", "per": "2", "page": "2"}, COLUMNS))
    assert names(listing.rows) == ["ＡＢＣ Glass", "Tangshan Cement"]
    assert (listing.total, listing.page, listing.pages) == (5, 2, 3)
    assert listing.asked.aria_sort("value") == "descending"
    assert listing.asked.aria_sort("name") == "none"
    # the empty value is last in both directions
    up = listed(ROWS, COLUMNS, asked({"sort": "value"}, COLUMNS))
    assert [r["value"] for r in up.rows] == [1.0, 2.0, 3.0, 10.0, None]


def test_search_is_case_and_width_insensitive_and_reads_chinese() -> None:
    # "abc" finds "abc steel" and the full-width "ＡＢＣ Glass" (NFKC folds it to ABC)
    found = listed(ROWS, COLUMNS, asked({"q": "ABC"}, COLUMNS))
    assert names(found.rows) == ["ＡＢＣ Glass", "abc steel"]
    # "水泥" is in two rows' area name (the shown text of the choice column)
    cement = listed(ROWS, COLUMNS, asked({"q": "水泥"}, COLUMNS))
    assert names(cement.rows) == ["Tangshan Cement", "唐山水泥二厂"] and cement.total == 2
    # a search and a filter together: steel rows holding "钢"
    both = listed(ROWS, COLUMNS, asked({"q": "钢", "area": "steel"}, COLUMNS))
    assert names(both.rows) == ["河北钢铁", "abc steel"]
    assert listed(ROWS, COLUMNS, asked({"q": "无此企业"}, COLUMNS)).total == 0


def test_choices_are_the_values_with_their_labels() -> None:
    listing = listed(ROWS, COLUMNS, asked({}, COLUMNS))
    assert dict(listing.choices["area"]) == {"steel": "钢铁", "cement": "水泥", "glass": "玻璃"}


def test_links_keep_the_other_parameters_and_start_again_from_page_one() -> None:
    wanted = asked(
        [("year", "2023"), ("rank_q", "钢"), ("rank_page", "2"), ("rank_sort", "value")],
        COLUMNS,
        prefix="rank_",
    )
    assert wanted.q == "钢" and wanted.page == 2 and wanted.sort == "value"
    # the same column again: descending, back to page 1, the year and the search kept
    assert dict(parse_qsl(wanted.sort_link("value")[1:])) == {
        "year": "2023",
        "rank_q": "钢",
        "rank_sort": "-value",
    }
    assert dict(parse_qsl(wanted.link(page=3)[1:]))["rank_page"] == "3"
    # another table's parameters are not this one's
    assert asked([("page", "7")], COLUMNS, prefix="rank_").page == 1


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"sort": "colour"}, "colour"),
        ({"sort": "-nope"}, "nope"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "two"),
        ({"per": "100000"}, "per"),
    ],
)
def test_bad_parameters_are_refused_naming_what(params: dict[str, str], words: str) -> None:
    with pytest.raises(BadListing) as refused:
        asked(params, COLUMNS)
    assert words in str(refused.value)


def test_a_page_past_the_last_and_an_unknown_choice_are_refused() -> None:
    with pytest.raises(BadListing, match="no page 4: this table has 3"):
        listed(ROWS, COLUMNS, asked({"page": "4", "per": "2"}, COLUMNS))
    with pytest.raises(BadListing, match="no page 2"):
        paged(0, [], COLUMNS, asked({"page": "2"}, COLUMNS))
    assert paged(0, [], COLUMNS, asked({}, COLUMNS)).pages == 1  # an empty table has page 1
    with pytest.raises(BadListing, match="tin is not a value of the column area"):
        asked({"area": "tin"}, COLUMNS, choices={"area": ["steel", "cement"]})


ROW = st.fixed_dictionaries(
    {
        "name": st.text(alphabet="abAB钢铁水泥 ", max_size=4),
        "area": st.sampled_from(["steel", "cement"]),
        "area_name": st.just(""),
        "value": st.none() | st.integers(-5, 5),
    }
)


@given(
    rows=st.lists(ROW, max_size=30),
    per=st.integers(1, 7),
    sort=st.sampled_from(["", "name", "-name", "value", "-value", "area"]),
    q=st.sampled_from(["", "a", "钢", "B"]),
    area=st.sampled_from(["", "steel"]),
)
def test_the_pages_in_order_are_the_sorted_filtered_rows(
    rows: list[dict], per: int, sort: str, q: str, area: str
) -> None:
    params = {"per": str(per), "sort": sort, "q": q, "area": area}
    whole = matching(rows, COLUMNS, asked(params, COLUMNS))
    first = listed(rows, COLUMNS, asked(params, COLUMNS))
    pages = [
        listed(rows, COLUMNS, asked(params | {"page": str(n)}, COLUMNS))
        for n in range(1, first.pages + 1)
    ]
    assert [r for p in pages for r in p.rows] == whole
    # the filtered count, worked out apart from the module
    expected = [
        r
        for r in rows
        if (not area or r["area"] == area) and (not q or q.casefold() in r["name"].casefold())
    ]
    assert first.total == len(expected) == len(whole)
    assert sorted(map(id, whole)) == sorted(map(id, expected))
    assert all(len(p.rows) == per for p in pages[:-1])
    if sort.lstrip("-") == "value":
        values = [r["value"] for r in whole if r["value"] is not None]
        assert values == sorted(values, reverse=sort.startswith("-"))
        assert all(r["value"] is None for r in whole[len(values) :])
