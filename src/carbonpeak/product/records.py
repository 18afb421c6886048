"""The product results as JSON-ready records (the API's and the pages' shape; the CLI prints
them): figures rounded to 6 decimals, every reference value with its provenance."""

from __future__ import annotations

from typing import Any

from carbonpeak.product.embedded import Embedded
from carbonpeak.product.footprint import Footprint
from carbonpeak.product.results import CbamGood, ProductResults
from carbonpeak.reference.loader import Value


def _round(value: float | None, digits: int = 6) -> float | None:
    """Rounded, and a negative zero (a difference of equal sums) made plain 0."""
    return None if value is None else round(float(value), digits) + 0.0


def value_record(value: Value | None) -> dict[str, Any] | None:
    """A reference value with where it comes from."""
    if value is None:
        return None
    p = value.provenance
    return {
        "value": value.value,
        "unit": value.unit,
        "table": p.table,
        "key": dict(p.key),
        "source": p.source,
        "status": p.status,
    }


def footprint_record(found: Footprint) -> dict[str, Any]:
    return {
        "product": found.product,
        "unit": found.unit,
        "declared_unit": "t",
        "total_tco2e_per_t": _round(found.total),
        "by_stage": {str(k): _round(v) for k, v in found.by_stage().items()},
        "parts": [
            {
                "unit": p.unit,
                "item": p.item,
                "stage": str(p.stage),
                "tco2e_per_t": _round(p.tco2e_per_t),
                "primary": p.primary,
                "source": p.source,
            }
            for p in sorted(found.parts, key=lambda p: -abs(p.tco2e_per_t))
        ],
        "primary_share": _round(found.primary_share, 4),
        "dqr": None if found.dqr is None else [_round(d, 2) for d in found.dqr],
        "uncertainty": _round(found.uncertainty, 4),
        "allocation": found.allocation,
        "warnings": [w.as_dict() for w in found.warnings],
    }


def see_record(node: Embedded) -> dict[str, Any]:
    return {
        "name": node.name,
        "category": node.category,
        "direct_only": node.direct_only,
        "direct": _round(node.direct),
        "indirect": _round(node.indirect),
        "indirect_counted": _round(node.indirect_counted),
        "counted": _round(node.counted),
        "electricity_mwh_per_t": _round(node.electricity_mwh_per_t),
        "contributions": [
            {
                "source": c.source,
                "tonnes_per_t": _round(c.tonnes_per_t),
                "direct": _round(c.direct),
                "indirect": _round(c.indirect),
            }
            for c in node.contributions
        ],
    }


def good_record(row: CbamGood) -> dict[str, Any]:
    def due(o: Any) -> dict[str, Any] | None:
        if o is None:
            return None
        return {
            "see": _round(o.see),
            "free_allocation": _round(o.free_allocation),
            "certificates_per_t": _round(o.certificates),
        }

    saving = (
        row.by_default.certificates - row.actual.certificates
        if row.actual is not None and row.by_default is not None
        else None
    )
    return {
        "product": row.product,
        "unit": row.unit,
        "cn_code": row.good.cn_code,
        "description": row.good.description,
        "category": row.good.category,
        "direct_only": row.good.direct_only,
        "route": row.route,
        "see_counted": _round(row.see.counted),
        "see_direct": _round(row.see.direct),
        "see_indirect": _round(row.see.indirect),
        "default": value_record(row.default),
        "default_country": row.default_country,
        "markup": row.markup,
        "default_marked_up": _round(row.default_marked_up),
        "benchmark_actual": value_record(row.benchmark_actual),
        "benchmark_default": value_record(row.benchmark_default),
        "benchmark_actual_chain": _round(row.benchmark_actual_chain),
        "actual": due(row.actual),
        "by_default": due(row.by_default),
        "actual_saves_per_t": _round(saving),
    }


def results_record(results: ProductResults) -> dict[str, Any]:
    return {
        "year": results.year,
        "footprints": [footprint_record(f) for f in results.footprints.values()],
        "see": [see_record(s) for s in results.see.values()],
        "goods": [good_record(g) for g in results.goods],
        "reconciliation": [
            {
                "component": d.component,
                "account_t": _round(d.account_t),
                "model_t": _round(d.model_t),
                "difference_t": _round(d.difference_t),
                "reason": d.reason,
                "item": d.item,
            }
            for d in results.reconciliation
        ],
        "warnings": [w.as_dict() for w in results.warnings],
    }
