"""The products leaving the plant's gate against its account (the reconciliation's last rows,
`product.results`): what the footprints carry from inside the account and from outside it."""

from __future__ import annotations

from carbonpeak.product.footprint import Footprint, Stage
from carbonpeak.product.plant import ACCOUNT_ITEMS, Difference, ProductMap

GATE_ITEMS = ACCOUNT_ITEMS  # the parts of a footprint the account holds (no flow is named so)


def gate_rows(
    plan: ProductMap, found: dict[str, Footprint], rows: tuple[Difference, ...]
) -> tuple[Difference, ...]:
    """The products leaving the gate against the account: each product's net output (made,
    less what the other units consume) times its gate-to-gate part (its site emissions and
    purchased electricity and heat, along its chain) summed, against the account's direct,
    electricity and heat emissions (`gate_to_gate`: the difference is the rows' above when the
    allocation keeps every tonne); and what the footprints carry from outside the account
    (materials, transport, fuels' upstream: `outside_account`; `outside_gaps` when a flow
    has no factor, so that the row is not complete)."""
    net = {p: t for u in plan.units for p, t in u.products.items()}
    for link in plan.links:
        net[link.product] = net.get(link.product, 0.0) - link.tonnes
    inside = outside = 0.0
    for product, footprint in found.items():
        for part in footprint.parts:
            carried = net.get(product, 0.0) * part.tco2e_per_t
            if part.item in GATE_ITEMS and part.stage in (Stage.site, Stage.energy):
                inside += carried
            else:
                outside += carried
    account = sum(d.account_t for d in rows if d.component in ("direct", "electricity", "heat"))
    gaps = any(w.code == "product.footprint.no_factor" for f in found.values() for w in f.warnings)
    return (
        Difference("gate_to_gate", account, inside, "gate_to_gate"),
        # a flow without a factor is not in it: the row says so rather than look complete
        Difference("outside_account", 0.0, outside, "outside_gaps" if gaps else "outside_account"),
    )
