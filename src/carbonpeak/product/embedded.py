"""Specific embedded emissions (SEE) of an installation's goods along its supply chain, as the
EU CBAM communication template for installations computes them (v2.1.1, sheets `D_Processes`,
`E_PurchPrec` and the hidden `InputOutput`; formulas read in the workbook, research22 §2):

- a production process's attributed direct emissions are its directly attributable emissions
  (DirEm*), plus the heat it imports times that heat's factor, minus the heat it exports times
  its factor, plus the waste gases it imports times the template's natural-gas factor, minus
  those it exports times that factor and the template's exported share, minus the
  electricity it exports times that electricity's factor (`D_Processes` T58, T62, T72; the
  two waste-gas constants are the reference's, `product.cbam.waste_gas`); its indirect
  emissions are the electricity it consumes times the electricity's factor (T66);
- each node's specific emissions SE are those divided by the process's total production (a
  purchased precursor's are its own SEE, as entered);
- A[i][j] is the tonnes of node j (a process's good or a purchased precursor) the process i
  consumes per tonne it produces, and SEE = (I - A)^-1 SE (`InputOutput` E71 `=MINVERSE`,
  AK71 `=MMULT`): every precursor, made in the installation or bought, with its own
  precursors.

The template reports direct and indirect SEE along the whole chain. The definitive period
counts indirect emissions only for goods outside Annex II of Reg. (EU) 2023/956, and a
precursor's indirect emissions only if the precursor is outside Annex II (Impl. Reg. (EU)
2025/2547 Annex I point 3.1, research22 §3.1 [F2, verbatim]): `indirect_counted` is that
chain, with the own indirect emissions of every Annex II node set to zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from carbonpeak.errors import N_
from carbonpeak.product.chain import ChainError, solve


@dataclass(frozen=True)
class WasteGas:
    """The template's constants for waste gases (D_Processes T62): the natural-gas emission
    factor it values them at (tCO2/TJ) and the share of an exported gas's emissions it
    deducts (`cbam_parameters`)."""

    factor: float
    exported_share: float


@dataclass(frozen=True)
class Process:
    """A production process of `D_Processes`: its aggregated goods category, total production
    (t), DirEm* (tCO2e), measurable heat and waste gases in and out (TJ, factors tCO2/TJ),
    electricity consumed and exported (MWh, factors tCO2/MWh), the tonnes of each precursor
    (another process's name, or a purchased precursor's) it consumes, and whether its goods
    are of Annex II (direct emissions only)."""

    name: str
    category: str
    produced_t: float
    direct_t: float
    direct_only: bool
    consumed: Mapping[str, float] = field(default_factory=dict)
    heat_imported_tj: float = 0.0
    heat_imported_factor: float = 0.0
    heat_exported_tj: float = 0.0
    heat_exported_factor: float = 0.0
    waste_gas_imported_tj: float = 0.0
    waste_gas_exported_tj: float = 0.0
    electricity_mwh: float = 0.0
    electricity_factor: float = 0.0
    electricity_exported_mwh: float = 0.0
    electricity_exported_factor: float = 0.0

    def attributed_direct(self, waste_gas: WasteGas | None = None) -> float:
        """EmbedEmDir: DirEm* + net heat + net waste gases - exported electricity; waste gases
        need the template's constants (`waste_gas`)."""
        gases = 0.0
        if self.waste_gas_imported_tj or self.waste_gas_exported_tj:
            if waste_gas is None:
                raise ValueError(f"process {self.name!r}: waste gases need the template's factors")
            gases = (
                self.waste_gas_imported_tj * waste_gas.factor
                - self.waste_gas_exported_tj * waste_gas.factor * waste_gas.exported_share
            )
        return (
            self.direct_t
            + self.heat_imported_tj * self.heat_imported_factor
            - self.heat_exported_tj * self.heat_exported_factor
            + gases
            - self.electricity_exported_mwh * self.electricity_exported_factor
        )

    def attributed_indirect(self) -> float:
        """EmbedEmInDir: the electricity consumed times its factor."""
        return self.electricity_mwh * self.electricity_factor


@dataclass(frozen=True)
class Purchased:
    """A purchased precursor of `E_PurchPrec`: its SEE, direct and indirect (tCO2e/t, the
    supplier's actual values or default values), its specific electricity (MWh/t), whether
    it is of Annex II, and where its values come from (`actual` or `default`)."""

    name: str
    category: str
    see_direct: float
    see_indirect: float
    direct_only: bool
    electricity_mwh_per_t: float = 0.0
    values: str = "actual"


@dataclass(frozen=True)
class Contribution:
    """What one input adds to a node's SEE: tonnes per tonne x the input's SEE."""

    source: str
    tonnes_per_t: float
    direct: float
    indirect: float


@dataclass(frozen=True)
class Embedded:
    """A node's SEE (tCO2e per tonne of its good): its own specific emissions, the chain's
    direct and indirect SEE as the template reports them, the indirect part the definitive
    period counts, the embedded electricity (MWh/t), and each input's contribution."""

    name: str
    category: str
    direct_only: bool
    purchased: bool
    own_direct: float
    own_indirect: float
    direct: float
    indirect: float
    indirect_counted: float
    electricity_mwh_per_t: float
    contributions: tuple[Contribution, ...]

    @property
    def counted(self) -> float:
        """The SEE the definitive period counts: direct plus the counted indirect."""
        return self.direct + self.indirect_counted


def embedded(
    processes: list[Process], purchased: list[Purchased], waste_gas: WasteGas | None = None
) -> dict[str, Embedded]:
    """Every process's and purchased precursor's SEE by the template's input-output method
    (`waste_gas`: the template's constants, needed when a process imports or exports waste
    gases)."""
    names = [p.name for p in processes] + [q.name for q in purchased]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ChainError("units", N_("names used twice: {}"), ", ".join(twice))
    index = {name: i for i, name in enumerate(names)}
    size = len(names)
    share = np.zeros((size, size))
    own = np.zeros((4, size))  # direct, indirect, indirect counted, electricity
    for i, process in enumerate(processes):
        if not process.produced_t > 0:
            raise ChainError(
                "units", N_("process {!r} produces nothing (total production 0)"), process.name
            )
        for source, tonnes in process.consumed.items():
            if source not in index:
                raise ChainError(
                    "links",
                    N_(
                        "process {!r} consumes {!r}, which no process makes and no purchase "
                        "supplies"
                    ),
                    process.name,
                    source,
                )
            share[i, index[source]] += tonnes / process.produced_t
        own[0, i] = process.attributed_direct(waste_gas) / process.produced_t
        own[1, i] = process.attributed_indirect() / process.produced_t
        own[2, i] = 0.0 if process.direct_only else own[1, i]
        own[3, i] = process.electricity_mwh / process.produced_t
    for k, bought in enumerate(purchased, start=len(processes)):
        own[:, k] = (
            bought.see_direct,
            bought.see_indirect,
            0.0 if bought.direct_only else bought.see_indirect,
            bought.electricity_mwh_per_t,
        )
    chain = solve(share, own)
    kinds: dict[str, tuple[str, bool, bool]] = {
        p.name: (p.category, p.direct_only, False) for p in processes
    }
    kinds |= {q.name: (q.category, q.direct_only, True) for q in purchased}
    result: dict[str, Embedded] = {}
    for name, i in index.items():
        category, direct_only, is_bought = kinds[name]
        parts = tuple(
            Contribution(
                names[j], share[i, j], share[i, j] * chain[0, j], share[i, j] * chain[1, j]
            )
            for j in np.flatnonzero(share[i])
        )
        result[name] = Embedded(
            name,
            category,
            direct_only,
            is_bought,
            float(own[0, i]),
            float(own[1, i]),
            float(chain[0, i]),
            float(chain[1, i]),
            float(chain[2, i]),
            float(chain[3, i]),
            parts,
        )
    return result
