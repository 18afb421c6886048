"""The CBAM communication model refuses what the template could not carry or would flag."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from carbonpeak.product.cbam_codes import ROUTES, DirectOnly, GoodsCategory, Route
from carbonpeak.product.cbam_template import (
    Communication,
    GoodsLine,
    Installation,
    Process,
    Product,
    Quality,
    ReportingPeriod,
    Verifier,
)

_PERIOD = ReportingPeriod(start=date(2025, 1, 1), end=date(2025, 12, 31))
_PLANT = Installation(name="Plant")
_STEEL = GoodsLine(category=GoodsCategory.CRUDE_STEEL)


def _process(name: str = "BOF", **fields: object) -> Process:
    return Process(category=GoodsCategory.CRUDE_STEEL, name=name, **fields)  # type: ignore[arg-type]


def test_the_routes_are_the_templates_in_its_column_order() -> None:
    assert ROUTES[GoodsCategory.CRUDE_STEEL] == (
        Route.BOF,
        Route.EAF,
        Route.OTHER,
        Route.UNKNOWN,
    )
    assert ROUTES[GoodsCategory.CEMENT] == (Route.ALL,)
    assert max(len(r) for r in ROUTES.values()) == 5  # D_Processes has 8 rows, A_InstData 6
    assert GoodsCategory.CALCINED_CLAYS.value == "Calcined clays "  # as the template MATCHes it


def test_a_route_of_another_category_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a route of"):
        _process(production={Route.PRIMARY_SMELTING: 1.0})
    with pytest.raises(ValidationError, match="not a route of"):
        GoodsLine(category=GoodsCategory.CEMENT, routes=(Route.EAF,))


def test_the_processes_must_fit_the_listed_goods_and_each_other() -> None:
    with pytest.raises(ValidationError, match="is not listed"):
        Communication(period=_PERIOD, installation=_PLANT, processes=(_process(),))
    with pytest.raises(ValidationError, match="is not listed"):
        Communication(
            period=_PERIOD,
            installation=_PLANT,
            goods=(_STEEL,),
            processes=(_process(included=(GoodsCategory.PIG_IRON,)),),
        )
    with pytest.raises(ValidationError, match="no other process"):
        Communication(
            period=_PERIOD,
            installation=_PLANT,
            goods=(_STEEL,),
            processes=(_process(consumed_in={1: 5.0}),),
        )
    with pytest.raises(ValidationError, match="one name"):
        Communication(
            period=_PERIOD, installation=_PLANT, goods=(_STEEL,), processes=(_process(), _process())
        )
    with pytest.raises(ValidationError, match="no process 2"):
        Communication(
            period=_PERIOD,
            installation=_PLANT,
            goods=(_STEEL,),
            processes=(_process(included=(DirectOnly.ONLY_DIRECT,)),),
            products=(Product(process=2),),
        )


def test_limits_and_texts_are_the_templates() -> None:
    with pytest.raises(ValidationError):
        Communication(
            period=_PERIOD,
            installation=_PLANT,
            goods=tuple(GoodsLine(category=g) for g in GoodsCategory)[:11],
        )
    with pytest.raises(ValidationError):
        Installation(name="   ")
    with pytest.raises(ValidationError):
        Installation(name="bell\x07")
    with pytest.raises(ValidationError, match="ends before it starts"):
        ReportingPeriod(start=date(2025, 2, 1), end=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="empty section"):
        Verifier()
    with pytest.raises(ValidationError, match="empty section"):
        Quality()
