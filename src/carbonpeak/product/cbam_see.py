"""The SEE of a `cbam_template.Communication` as the Commission's template computes them (its
InputOutput sheet over D_Processes and E_PurchPrec), by `product.embedded`: a communication
built from a plant's results (`product.cbam_export`) is checked against them this way."""

from __future__ import annotations

from dataclasses import replace

from carbonpeak.product import embedded as em
from carbonpeak.product.cbam_template import Communication, Precursor


def template_see(model: Communication, waste_gas: em.WasteGas) -> dict[str, em.Embedded]:
    """Each process's SEE as the template computes it from `model` (its InputOutput sheet:
    DirEm*, heat, waste gases and electricity of D_Processes; process j's "consumed in
    process i" is what i takes of j), by `product.embedded`."""
    nodes = []
    for i, p in enumerate(model.processes, start=1):
        taken = {
            other.name: amount for other in model.processes if (amount := other.consumed_in.get(i))
        }
        nodes.append(
            em.Process(
                p.name,
                p.category.value,
                sum(p.production.values()),
                p.direct_emissions or 0.0,
                False,
                taken,
                heat_imported_tj=p.heat_imported or 0.0,
                heat_imported_factor=p.heat_ef_imported or 0.0,
                heat_exported_tj=p.heat_exported or 0.0,
                heat_exported_factor=p.heat_ef_exported or 0.0,
                waste_gas_imported_tj=p.waste_gas_imported or 0.0,
                waste_gas_exported_tj=p.waste_gas_exported or 0.0,
                electricity_mwh=p.electricity or 0.0,
                electricity_factor=p.electricity_ef or 0.0,
                electricity_exported_mwh=p.electricity_exported or 0.0,
                electricity_exported_factor=p.electricity_exported_ef or 0.0,
            )
        )
    for k, q in enumerate(model.precursors, start=1):
        for i, amount in q.consumed_in.items():
            if amount:
                taken = dict(nodes[i - 1].consumed) | {_precursor_name(q, k): amount}
                nodes[i - 1] = replace(nodes[i - 1], consumed=taken)
    bought = [
        em.Purchased(
            _precursor_name(q, k),
            q.category.value,
            q.see_direct or 0.0,
            (q.electricity or 0.0) * (q.electricity_ef or 0.0),  # E_PurchPrec L+38
            False,
            q.electricity or 0.0,
        )
        for k, q in enumerate(model.precursors, start=1)
    ]
    return em.embedded(nodes, bought, waste_gas)


def _precursor_name(precursor: Precursor, number: int) -> str:
    return precursor.name or f"PP{number}"
