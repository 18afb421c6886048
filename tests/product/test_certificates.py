"""Certificates for imported goods, against the hand-worked cases of docs/notes/research22.md
§3.9 (China default values, the adopted CBAM factor, CSCF 1) and the third-party example
quoted there (opencbam's README: Türkiye 7207 11 11, 100 t, 2026)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.product.certificates import marked_up, obligation, price_deduction


@pytest.mark.parametrize(
    ("total", "markup", "printed"),
    [
        (3.169, 0.10, 3.486),  # China 7207 11 11, 2026
        (3.169, 0.20, 3.803),  # 2027
        (3.0, 0.10, 3.300),  # China 7601, 2026
        (1.39, 0.10, 1.529),  # China grey clinker, 2026
        (1.39, 0.30, 1.807),  # 2028
        (1.42, 0.20, 1.704),  # China grey Portland cement, 2027
    ],
)
def test_marked_up_defaults_reproduce_the_printed_columns(
    total: float, markup: float, printed: float
) -> None:
    assert marked_up(total, markup, round_to=3) == printed


def test_rounding_is_the_authoritys_choice() -> None:
    # 3.169 x 1.3 = 4.1197: the pre-correction workbook printed 4.119, half-up gives 4.120
    assert marked_up(3.169, 0.30) == pytest.approx(4.1197)
    assert marked_up(3.169, 0.30, round_to=3) == 4.120


@pytest.mark.parametrize(
    ("see", "benchmark", "certificates"),
    [
        (3.486, 1.364, 215.61),  # 7207 11 11, 2026: 100 x (3.486 - 0.975 x 1.364)
        (3.3, 1.423, 191.2575),  # 7601, 2026: 100 x (3.3 - 0.975 x 1.423)
        (1.529, 0.666, 87.965),  # grey clinker, 2026: 100 x (1.529 - 0.975 x 0.666)
    ],
)
def test_hand_worked_china_defaults_2026(see: float, benchmark: float, certificates: float) -> None:
    due = obligation(100, see, "default", 0.975, 1.0, benchmark)
    assert due.certificates == pytest.approx(certificates)
    assert due.free_allocation == pytest.approx(0.975 * benchmark)


def test_the_third_party_example() -> None:
    # Türkiye 7207 11 11, 100 t, 2026 defaults: embedded 254.100, SEFA 1.3299, 132.99
    # adjustment, 121.110 certificates, 9 688.80 EUR at 80 EUR
    due = obligation(100, 2.541, "default", 0.975, 1.0, 1.364)
    assert due.embedded_t == pytest.approx(254.1)
    assert due.adjustment_t == pytest.approx(132.99)
    assert due.certificates == pytest.approx(121.11)
    assert due.cost(80) == pytest.approx(9688.80)


def test_a_good_below_its_free_allocation_owes_nothing() -> None:
    assert obligation(100, 0.5, "actual", 0.975, 1.0, 1.364).certificates == 0


def test_the_carbon_price_deduction_of_the_draft_act() -> None:
    # 5 EUR paid per tonne of good net of free allocation, reference price 80: 100 t -> 6.25
    assert price_deduction(5, 80, 100) == pytest.approx(6.25)
    due = obligation(100, 3.486, "default", 0.975, 1.0, 1.364, price_deduction(5, 80, 100))
    assert due.certificates == pytest.approx(215.61 - 6.25)
    assert price_deduction(-3, 80, 100) == 0  # a rebate larger than the price pays nothing back
    with pytest.raises(ValueError):
        price_deduction(5, 0, 100)


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match="actual or default"):
        obligation(1, 1, "measured", 0.975, 1, 1)
    with pytest.raises(ValueError):
        obligation(-1, 1, "actual", 0.975, 1, 1)


@given(
    tonnes=st.floats(0, 1e6),
    see=st.floats(0, 30),
    factor=st.floats(0, 1),
    benchmark=st.floats(0, 10),
)
def test_certificates_never_negative_and_never_above_the_embedded_emissions(
    tonnes: float, see: float, factor: float, benchmark: float
) -> None:
    due = obligation(tonnes, see, "actual", factor, 1.0, benchmark)
    assert 0 <= due.certificates <= due.embedded_t + 1e-9
