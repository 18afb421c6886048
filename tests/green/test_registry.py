"""The registries' logic by hand: a certificate's status at the boundaries of its validity and
of the expiring window, its dates checked, and the counts and shares of a small province
worked out on paper."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.errors import Place
from carbonpeak.green.registry import (
    Entry,
    check_certificate,
    counts,
    expiring,
    group_code,
    status_on,
)

ISSUED, EXPIRES = date(2024, 3, 1), date(2027, 2, 28)


@pytest.mark.parametrize(
    ("on", "within", "status"),
    [
        (date(2024, 2, 29), 90, "not_yet_valid"),  # the day before issue
        (ISSUED, 90, "valid"),  # the issue day counts
        (EXPIRES - timedelta(days=91), 90, "valid"),  # 91 days left: outside a 90-day window
        (EXPIRES - timedelta(days=90), 90, "expiring"),  # 90 days left: inside
        (EXPIRES, 90, "expiring"),  # the last day: still valid, expiring
        (EXPIRES, 0, "expiring"),  # a window of 0 days holds the last day only
        (EXPIRES - timedelta(days=1), 0, "valid"),
        (EXPIRES + timedelta(days=1), 90, "expired"),  # the day after expiry
    ],
)
def test_status_at_the_boundaries(on: date, within: int, status: str) -> None:
    assert status_on(ISSUED, EXPIRES, on, within) == status


@given(
    st.dates(date(2000, 1, 1), date(2040, 1, 1)),
    st.integers(0, 3000),
    st.integers(0, 3000),
    st.integers(0, 400),
)
def test_a_wider_window_never_unflags_a_certificate(
    issued: date, length: int, offset: int, within: int
) -> None:
    expires = issued + timedelta(days=length)
    on = issued + timedelta(days=offset)
    if status_on(issued, expires, on, within) == "expiring":
        assert status_on(issued, expires, on, within + 1) == "expiring"
    valid = issued <= on <= expires
    assert (status_on(issued, expires, on, within) in ("valid", "expiring")) == valid


def test_dates_checked_with_their_place() -> None:
    place = Place(file="list.csv", row=4, column="有效期至")
    (problem,) = check_certificate(date(2025, 1, 2), date(2025, 1, 1), place)
    assert problem.place.row == 4 and problem.place.field == "expires_on"
    assert "2025-01-01" in problem.message and "2025-01-02" in problem.message
    assert check_certificate(date(2025, 1, 1), date(2025, 1, 1), place) == []  # a one-day one
    assert {p.place.field for p in check_certificate(None, None, place)} == {
        "issued_on",
        "expires_on",
    }


def _entry(kind: str, enterprise: str | None, status: str = "listed", days: int = 0) -> Entry:
    return Entry(
        kind=kind,
        key=f"{kind}-{enterprise}-{status}-{days}",
        uscc=enterprise,
        enterprise_name=str(enterprise),
        enterprise_id=enterprise,
        title="",
        status=status,  # type: ignore[arg-type]
        source_id="s",
        row_status="verified",
        days_left=days,
    )


def test_counts_and_shares_by_region_and_industry() -> None:
    # four enterprises: A, B in region 130100 (industries 3011, 3021), C in 130200 (3011),
    # D in 130200 (2611)
    enterprises = {
        "A": ("130100", "3011"),
        "B": ("130100", "3021"),
        "C": ("130200", "3011"),
        "D": ("130200", "2611"),
    }
    found = [
        _entry("building_material", "A", "valid", 400),
        _entry("building_material", "A", "expiring", 10),  # A holds two: counts once
        _entry("building_material", "C", "expired", -5),  # expired: not held
        _entry("factory", "C"),
        _entry("factory", "D"),
        _entry("factory", None),  # unmatched: in no group
    ]
    by_region = {g.code: g for g in counts(found, enterprises, "region")}
    # 130100: 2 enterprises, A holds building materials -> 1/2; no factory
    assert by_region["130100"].enterprises == 2
    assert by_region["130100"].certified == {"building_material": 1}
    assert by_region["130100"].shares["building_material"] == pytest.approx(0.5)
    assert by_region["130100"].entries["building_material"] == 2
    assert by_region["130100"].expiring == 1
    # 130200: C's certificate expired; C and D green factories -> 2/2
    assert by_region["130200"].shares["building_material"] == 0
    assert by_region["130200"].shares["factory"] == pytest.approx(1.0)
    by_industry = {g.code: g for g in counts(found, enterprises, "industry")}
    # division 30: A, B, C -> building materials 1/3, factories 1/3; division 26: D -> 1/1
    assert by_industry["30"].enterprises == 3
    assert by_industry["30"].shares["building_material"] == pytest.approx(1 / 3)
    assert by_industry["30"].shares["factory"] == pytest.approx(1 / 3)
    assert by_industry["26"].shares["factory"] == pytest.approx(1.0)
    assert [e.days_left for e in expiring(found)] == [10]


def test_regions_roll_up_to_the_prefecture_or_the_province() -> None:
    # A in prefecture 130100, B in a county of it (130102), C in 130200, D registered at the
    # province's level (130000): by region the county counts in its prefecture, by province
    # all four count in Hebei
    enterprises = {
        "A": ("130100", "3011"),
        "B": ("130102", "3011"),
        "C": ("130200", "3011"),
        "D": ("130000", "3011"),
    }
    by_region = {g.code: g.enterprises for g in counts([], enterprises, "region")}
    assert by_region == {"130000": 1, "130100": 2, "130200": 1}
    by_province = {g.code: g.enterprises for g in counts([], enterprises, "province")}
    assert by_province == {"130000": 4}
    assert group_code("province", "150203", "3120") == "150000"
