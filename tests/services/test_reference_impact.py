"""What an edition would change on stored reports (services/reference_impact.py): Hebei's
2022 grid factor corrected (a test fixture, not a real rule) moves the electricity emissions
of a Hebei plant's 2022 report and nothing of its 2023 one; worked by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from carbonpeak.errors import Place
from carbonpeak.reference.editions import Edition, EditionRow, apply_edition
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.reference_impact import impact

PLANT = "911302007A3K9C2D24"  # in Tangshan (130200), Hebei


def test_a_corrected_grid_factor_moves_that_years_accounts_only() -> None:
    before = default_reference()
    edition = Edition(
        {"source_id": "test_fixture_hebei", "title": "test fixture", "document_number": "测试"},
        date(2022, 1, 1),
        (
            EditionRow(
                "grid_emission_factors",
                {
                    "area": "130000",
                    "kind": "average",
                    "value": "0.7",
                    "unit": "kgCO2/kWh",
                    "valid_from": "2022-01-01",
                    "valid_to": "2023-01-01",
                },
                "change",
                Place(row=2),
            ),
        ),
    )
    after = apply_edition(before, edition).reference
    activity = pd.DataFrame(
        [
            {
                "enterprise_id": PLANT,
                "period": p,
                "stream": "electricity",
                "item": "electricity",
                "amount": "1000",
                "unit": "MWh",
                "direction": "in",
            }
            for p in ("2022", "2023")
        ]
    )
    enterprises = pd.DataFrame(
        [{"enterprise_id": PLANT, "region_code": "130200", "industry_code": "3011"}]
    )
    y2022, y2023 = impact(activity, enterprises, before, after)
    # 2022: 1,000 MWh x 0.7252 t/MWh = 725.2 t before; x 0.7000 = 700.0 t after; -3.4749 %
    assert (y2022["year"], y2022["accounts"], y2022["changed"]) == ("2022", 1, 1)
    assert y2022["co2_t_before"] == pytest.approx(725.2)
    assert y2022["co2_t_after"] == pytest.approx(700.0)
    assert y2022["co2_t_change_pct"] == pytest.approx((700.0 - 725.2) / 725.2 * 100)
    assert y2022["energy_tce_before"] == y2022["energy_tce_after"]  # energy does not move
    # 2023 uses a factor the edition does not touch
    assert (y2023["changed"], y2023["co2_t_change_pct"]) == (0, 0.0)
