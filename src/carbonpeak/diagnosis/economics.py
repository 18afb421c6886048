"""The economics of a measure and the marginal abatement cost (MAC) curve.

For a capital cost C (yuan) spent now, an annual saving S (yuan) over a life of L years and a
discount rate r:
- simple payback `C / S` (years);
- net present value `NPV = -C + S (1 - (1 + r)^-L) / r` (S L when r = 0);
- internal rate of return: the r at which NPV = 0 (none when the saving never repays C);
- annualised cost `C x CRF`, `CRF = r (1 + r)^L / ((1 + r)^L - 1)` (1 / L when r = 0);
- marginal abatement cost `(C x CRF - S) / A` (yuan per tCO2) for A tCO2 abated a year: below
  zero the measure pays for itself.
The MAC curve orders the measures by MAC; each is a bar as wide as its annual abatement.
"""

from __future__ import annotations

import math
from typing import Any

from scipy.optimize import brentq


def annuity(rate: float, years: float) -> float:
    """The present value of 1 a year for `years` years at `rate`."""
    if rate == 0:
        return years
    return float((1 - (1 + rate) ** -years) / rate)


def npv(capital: float, saving: float, years: float, rate: float) -> float:
    return -capital + saving * annuity(rate, years)


def irr(capital: float, saving: float, years: float) -> float | None:
    """The rate at which the measure's NPV is zero; None if it never repays its cost."""
    if capital <= 0 or saving <= 0 or saving * years <= capital:
        return None
    # NPV > 0 as r -> 0 (S L > C) and < 0 at r = 2 S/C + 1 (S (1 - (1+r)^-L) / r < S / r < C/2)
    high = 2 * saving / capital + 1
    if not math.isfinite(high) or npv(capital, saving, years, high) >= 0:
        return None  # beyond what a float can tell
    return float(brentq(lambda r: npv(capital, saving, years, r), 1e-12, high))


def economics(
    capital: float, saving: float, years: float, rate: float, abatement_t: float
) -> dict[str, Any]:
    """Payback, NPV, IRR, annualised cost and MAC of one measure."""
    annualised = capital / annuity(rate, years)
    return {
        "simple_payback_years": capital / saving if saving > 0 else None,
        "npv_yuan": npv(capital, saving, years, rate),
        "irr": irr(capital, saving, years),
        "annualised_cost_yuan": annualised,
        "mac_yuan_per_t": (annualised - saving) / abatement_t if abatement_t > 0 else None,
    }


def mac_curve(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The measures with a MAC, cheapest first, each with the cumulative abatement at its
    left and right edges."""
    priced = sorted(
        (m for m in measures if m.get("mac_yuan_per_t") is not None),
        key=lambda m: (m["mac_yuan_per_t"], m["measure_id"]),
    )
    left = 0.0
    curve = []
    for m in priced:
        curve.append(
            {
                "measure_id": m["measure_id"],
                "measure": m["measure"],
                "mac_yuan_per_t": m["mac_yuan_per_t"],
                "abatement_t": m["co2_t"],
                "from_t": left,
                "to_t": left + m["co2_t"],
            }
        )
        left += m["co2_t"]
    return curve
