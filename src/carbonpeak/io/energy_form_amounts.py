"""Which columns of a row of the NBS form 205-1 (能源购进、消费与库存) are the amount the
accounting counts, so that no carbon is counted twice.

- **A fuel** is column 4 消费量 合计 (everything consumed in the period: industrial production
  5 plus non-industrial 7, stock changes included); the part in column 6 用于原材料 (energy used
  as raw material, a part of column 5) becomes a `feedstock` line and the `fuel` line is the
  rest.
- **Electricity and heat** are column 2 购进量 实物量 (purchased): the accounting counts
  purchased electricity and heat; what a captive plant generated is already counted in the fuel
  it burned, which column 4 of electricity would count again.
- **A fuel the works may make itself** (reference table `own_made_fuels`: coke, coke-oven,
  blast-furnace and converter gas) counts only what was bought and drawn from stock: columns
  1 + 2 − 9 (期初库存量 + 购进量 − 期末库存量), at most its column 4 and never below zero. A
  steelworks makes coke from coking coal and its gases from that coal and coke, and column 4
  holds what it made and used as well as what it bought, but the carbon of what it made is in
  the coal and coke already counted. The provincial steel guides say so: Guangdong
  粤环函〔2021〕103号 steel chapter §6.2.2.1, inputs "不包括自产自用的焦炭、焦炉煤气、高炉煤气
  和转炉煤气" (source `gd_21_steel`); Shandong 鲁环发〔2022〕4号 附录2 formula (4),
  消耗量 = 购入量 + (期初库存量 − 期末库存量) − 其他消耗量 − 外销量 (`sd_22_steel`). The form
  does not say which part of the consumption was bought, so the feedstock and fuel lines keep
  column 6's share of column 4. What the works sells of them (外供煤气, 外售焦炭: carbon
  leaving the works) is not on this form; it is reported in the activity template as a
  product going out with its carbon content.

Amounts are in the unit of column 乙.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carbonpeak.accounting.activity import ELECTRICITY_ITEMS
from carbonpeak.errors import N_
from carbonpeak.reference.loader import Reference

PURCHASED = "2"  # the column electricity, heat and own-made fuels are read from
CONSUMED = "4"


@dataclass(frozen=True)
class RowAmounts:
    """The activity lines of one row, (stream, amount) with amount > 0, and the form column
    they are read from (a problem found later in their amount is placed there)."""

    lines: tuple[tuple[str, float], ...]
    column: str


@dataclass(frozen=True)
class RowProblem:
    """A problem of the row at the form column `column`."""

    column: str
    template: str
    values: tuple[Any, ...] = ()


def own_made_fuels(reference: Reference) -> frozenset[str]:
    """The items read from their purchases: reference table `own_made_fuels`."""
    return frozenset(str(row["item"]) for row in reference.rows("own_made_fuels"))


def row_amounts(
    item: str,
    category: str,
    numbers: Mapping[str, float | None],
    own_made: frozenset[str],
    heading: Mapping[str, str],
) -> RowAmounts | RowProblem:
    """The lines a row of the form gives (`numbers`: its columns 1-10 by code, None where
    blank; `heading`: the form's heading of each column code), by the rules of the module's
    docstring."""
    if category == "secondary":
        stream = "electricity" if item in ELECTRICITY_ITEMS else "heat"
        return RowAmounts(_positive([(stream, numbers[PURCHASED])]), PURCHASED)
    total, raw = numbers[CONSUMED], numbers["6"] or 0.0
    if total is None and any(numbers[c] for c in ("5", "6", "7", "8")):
        return RowProblem(CONSUMED, N_("blank while the columns of its parts are filled"))
    if total is not None and raw > total:
        return RowProblem("6", N_("larger than {} ({})"), (heading[CONSUMED], total))
    if total is None:
        return RowAmounts((), CONSUMED)
    if item not in own_made:
        return RowAmounts(_positive([("fuel", total - raw), ("feedstock", raw)]), CONSUMED)
    bought = (numbers["1"] or 0.0) + (numbers[PURCHASED] or 0.0) - (numbers["9"] or 0.0)
    counted = min(max(bought, 0.0), total)
    share = counted / total if total else 0.0
    lines = [("fuel", (total - raw) * share), ("feedstock", raw * share)]
    return RowAmounts(_positive(lines), PURCHASED)


def _positive(lines: Sequence[tuple[str, float | None]]) -> tuple[tuple[str, float], ...]:
    return tuple((stream, float(amount)) for stream, amount in lines if amount)
