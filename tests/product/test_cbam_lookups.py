"""The CBAM tables looked up for a good: longest printed prefix, the country's row or the
fallback to other countries, routes asked for when the annex splits a code (values as
research22 §3.5 lists them for China)."""

from __future__ import annotations

from datetime import date

import pytest

from carbonpeak.errors import InputError
from carbonpeak.product.cbam import (
    benchmark,
    cbam_factor,
    cn_digits,
    cscf,
    default_value,
    good,
    markup,
)
from carbonpeak.reference.loader import default_reference

REF = default_reference()
MID_2026 = date(2026, 6, 1)


def test_a_good_by_its_cn_code_written_with_spaces() -> None:
    found = good(REF, "7207 11 11")
    assert (found.category, found.sector, found.direct_only) == ("crude_steel", "iron_steel", True)
    assert good(REF, "2601 12 00").direct_only is False  # sintered ore keeps its indirect
    assert good(REF, "2523 10 00 90").category == "cement_clinker"


def test_a_code_outside_the_cbam_is_refused() -> None:
    with pytest.raises(InputError, match="not a good of the CBAM"):
        good(REF, "8703 80 10")
    with pytest.raises(InputError, match="not a CN code"):
        cn_digits("72A7")


@pytest.mark.parametrize(
    ("cn", "route", "total", "country"),
    [
        ("72071111", None, 3.169, "CN"),
        ("7208 10 00", None, 3.187, "CN"),
        ("7601", None, 3.0, "CN"),
        ("2523 10 00", "A", 1.39, "CN"),  # grey clinker
        ("2523 10 00", "B", 1.30, "CN"),  # white clinker
        ("7203 10 00", None, 1.325, "XX"),  # China prints no value for DRI: other countries
    ],
)
def test_china_default_values(cn: str, route: str | None, total: float, country: str) -> None:
    found = default_value(REF, "CN", cn, MID_2026, route)
    assert found.total.value == pytest.approx(total)
    assert (found.country, found.fallback) == (country, country != "CN")
    assert found.total.provenance.status == "unverified"


def test_a_split_code_needs_its_route() -> None:
    with pytest.raises(InputError, match="routes A, B"):
        default_value(REF, "CN", "25231000", MID_2026)


def test_a_code_of_one_route_serves_its_other_routes() -> None:
    """72061000 has one default value, of route C (BF-BOF): an EAF steel (route E of the
    benchmarks) takes it; the row's route says which it is (the results warn). A code whose
    table sets routes apart does not: a route it lacks finds no value."""
    found = default_value(REF, "CN", "7206 10 00", MID_2026, "E")
    assert found.total.value == pytest.approx(1.74) and not found.fallback
    assert dict(found.total.provenance.key)["route"] == "C"
    with pytest.raises(InputError, match="no default value"):
        default_value(REF, "CN", "25231000", MID_2026, "E")


def test_a_code_printed_only_split_takes_its_subdivisions_when_they_agree() -> None:
    """The benchmarks print 7601 10 00 only as 7601 10 10 and 7601 10 90 (route K 1.423,
    L 0.091 each): the code takes them by route; without the route, it is asked for."""
    found = benchmark(REF, "7601 10 00", MID_2026, "column_a", "K")
    assert found is not None and found.value == pytest.approx(1.423)
    assert dict(found.provenance.key)["cn_code"] in ("76011010", "76011090")
    with pytest.raises(InputError, match="routes K, L: give the route"):
        benchmark(REF, "7601 10 00", MID_2026, "column_a")


def test_a_country_without_rows_takes_other_countries() -> None:
    found = default_value(REF, "ZZ", "72071111", MID_2026)
    assert found.country == "XX" and found.fallback


def test_the_years_markup_factor_and_cscf() -> None:
    assert markup(REF, "iron_steel", MID_2026).value == pytest.approx(0.10)  # type: ignore[union-attr]
    assert markup(REF, "cement", date(2027, 3, 1)).value == pytest.approx(0.20)  # type: ignore[union-attr]
    assert markup(REF, "aluminium", date(2031, 1, 1)).value == pytest.approx(0.30)  # type: ignore[union-attr]
    assert markup(REF, "electricity", MID_2026) is None
    assert [cbam_factor(REF, date(y, 6, 1)).value for y in (2026, 2030, 2034)] == pytest.approx(
        [0.975, 0.515, 0.0]
    )
    assert cbam_factor(REF, date(2034, 6, 1), "proposal_com_2026_616").value == pytest.approx(0.15)
    assert cscf(REF).value == 1.0


def test_benchmarks_by_column() -> None:
    assert benchmark(REF, "7203 10 00", MID_2026, "column_a").value == pytest.approx(0.295)  # type: ignore[union-attr]
    assert benchmark(REF, "7203 10 00", MID_2026, "column_b").value == pytest.approx(0.397)  # type: ignore[union-attr]
    assert benchmark(REF, "2601 12 00", MID_2026, "column_a").value == pytest.approx(0.086)  # type: ignore[union-attr]
    with pytest.raises(InputError, match="give the route"):
        benchmark(REF, "7207 11 11", MID_2026, "column_b")
    assert benchmark(REF, "7207 11 11", MID_2026, "column_b", "C").value == pytest.approx(1.364)  # type: ignore[union-attr]
