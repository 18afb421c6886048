"""The policy instruments, one list: each with its kind (the word applications and surfaces
use), titles, how to read its input (`parse(data, reference)`), how to judge it
(`judge(parsed, reference) -> Verdict`) and the reference tables it reads.

Services, and later the CLI, the API and the web forms, dispatch through `INSTRUMENTS` instead
of an if-chain (as brightway2-data's `DATABASE_BACKEND_MAPPING` does). Adding an instrument is
one module, one line here and its reference tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from carbonpeak.policy import (
    capacity_swap,
    data_centre,
    energy_caps,
    green_factory,
    project_assessment,
)
from carbonpeak.policy.verdict import Verdict
from carbonpeak.reference.loader import Reference


@dataclass(frozen=True)
class Instrument:
    """A policy instrument: what it is called, how its input is read and how it is judged."""

    kind: str
    title_en: str
    title_zh: str
    parse: Callable[[Any, Reference], Any]
    judge: Callable[[Any, Reference], Verdict]
    tables: tuple[str, ...]

    def run(self, data: Any, reference: Reference) -> Verdict:
        """Parse `data` and judge it (`InputError` naming every wrong field)."""
        return self.judge(self.parse(data, reference), reference)


INSTRUMENTS: dict[str, Instrument] = {
    i.kind: i
    for i in (
        Instrument(
            "swap",
            "Production-capacity replacement",
            "产能置换",
            capacity_swap.parse,
            capacity_swap.judge,
            ("swap_rule_sets", "swap_ratios", "policy_regions", "policy_parameters", "regions"),
        ),
        Instrument(
            "project",
            "Project carbon assessment (with the two-high screen)",
            "固定资产投资项目碳排放评价（含“两高”项目筛查）",
            project_assessment.parse,
            project_assessment.judge,
            (
                "two_high_industries",
                "efficiency_levels",
                "upgrade_deadlines",
                "policy_parameters",
                "regions",
                "industries",
                "benchmark_areas",
                "limit_standards",
                "items",
            ),
        ),
        Instrument(
            "datacentre",
            "Green data centre",
            "绿色数据中心",
            data_centre.parse,
            data_centre.judge,
            ("dc_pue_levels", "policy_regions", "regions"),
        ),
        Instrument(
            "factory",
            "Green factory",
            "绿色工厂",
            green_factory.parse,
            green_factory.judge,
            ("green_factory_sections",),
        ),
        Instrument(
            "caps",
            "Energy-use control",
            "能耗双控",
            energy_caps.parse,
            energy_caps.judge,
            ("intensity_targets",),
        ),
    )
}
# the kinds an enterprise applies under (services.policy); caps track regions instead
APPLICATION_KINDS = ("swap", "project", "datacentre", "factory")
