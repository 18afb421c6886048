"""A deterministic synthetic province for the demo, the dashboard and tests.

`generate_province(seed, enterprises)` draws enterprises with valid unified social credit codes
in the real prefectures of one province, across steel, cement, flat glass, aluminium,
chemicals, petrochemicals, paper, textiles and others, each with sites and production units
whose capacities follow `profile.yaml`. The same seed and size give the same province, byte for
byte. The province is synthetic: no enterprise, name or capacity is real.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from carbonpeak.domain.codes import Region, region_by_code, regions
from carbonpeak.domain.entities import Enterprise, ProductionUnit, Site
from carbonpeak.domain.units import conversion_factor
from carbonpeak.domain.uscc import ALPHABET, make_uscc, organisation_check_character

_SUFFIXES = ("自治州", "地区", "盟", "市")


def load_profile() -> dict[str, Any]:
    """The packaged demo profile."""
    text = (resources.files("carbonpeak.demo") / "profile.yaml").read_text(encoding="utf-8")
    profile: dict[str, Any] = yaml.safe_load(text)
    return profile


@dataclass(frozen=True)
class DemoEnterprise:
    enterprise: Enterprise
    sector: str


@dataclass
class Province:
    """The generated province: its enterprises, sites and production units."""

    region: Region
    prefectures: list[Region]
    seed: int
    enterprises: list[DemoEnterprise] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    units: list[ProductionUnit] = field(default_factory=list)

    def summary(self) -> list[dict[str, Any]]:
        """Enterprises, units and capacity by sector and product."""
        sector_of = {e.enterprise.enterprise_id: e.sector for e in self.enterprises}
        sector_of_site = {s.site_id: sector_of[s.enterprise_id] for s in self.sites}
        enterprises = Counter(e.sector for e in self.enterprises)
        industries: dict[str, set[str]] = defaultdict(set)
        for item in self.enterprises:
            industries[item.sector].add(item.enterprise.industry_code)
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        for unit in self.units:
            sector = sector_of_site[unit.site_id]
            row = rows.setdefault(
                (sector, unit.product, unit.capacity_unit),
                {
                    "sector": sector,
                    "industry_code": ", ".join(sorted(industries[sector])),
                    "enterprises": enterprises[sector],
                    "units": 0,
                    "product": unit.product,
                    "capacity": 0.0,
                    "capacity_unit": unit.capacity_unit,
                },
            )
            row["units"] += 1
            row["capacity"] += unit.capacity
        return sorted(rows.values(), key=lambda r: (-r["enterprises"], r["sector"], r["product"]))


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _uscc(rng: np.random.Generator, region_code: str, taken: set[str]) -> str:
    while True:
        body = "".join(ALPHABET[i] for i in rng.integers(0, len(ALPHABET), size=8))
        organisation = body + organisation_check_character(body)
        code = make_uscc("91" + region_code + organisation)
        if code not in taken:
            taken.add(code)
            return code


def _capacity(rng: np.random.Generator, spec: dict[str, Any]) -> float:
    value = float(spec["median"]) * float(np.exp(rng.normal(0.0, float(spec["sigma"]))))
    value = min(max(value, float(spec["min"])), float(spec["max"]))
    step = float(spec["round"])
    return max(step, round(value / step) * step)


def generate_province(seed: int = 2030, enterprises: int = 1500) -> Province:
    """Draw the synthetic province; deterministic in `seed` and `enterprises`."""
    profile = load_profile()
    rng = np.random.default_rng(seed)
    region = region_by_code(profile["province"])
    prefectures = regions(level="prefecture", parent_code=region.region_code)
    weights = rng.dirichlet(np.full(len(prefectures), 2.0))
    sectors: dict[str, dict[str, Any]] = profile["sectors"]
    names = list(sectors)
    shares = np.array([float(sectors[n]["share"]) for n in names])
    exact = shares / shares.sum() * enterprises
    counts = np.floor(exact).astype(int)
    # largest remainders get the enterprises that flooring left over
    for index in np.argsort(-(exact - counts), kind="stable")[: enterprises - int(counts.sum())]:
        counts[index] += 1
    words: list[str] = profile["name_words"]
    province = Province(region=region, prefectures=prefectures, seed=seed)
    taken: set[str] = set()
    used_names: set[str] = set()
    for sector, count in zip(names, counts, strict=True):
        spec = sectors[sector]
        for _ in range(int(count)):
            prefecture = prefectures[int(rng.choice(len(prefectures), p=weights))]
            codes = spec.get("industry_codes") or [spec["industry_code"]]
            industry_code = str(codes[int(rng.integers(0, len(codes)))])
            enterprise_id = _uscc(rng, prefecture.region_code, taken)
            while True:
                pair = "".join(words[int(i)] for i in rng.integers(0, len(words), size=2))
                name = f"{_short(prefecture.name_zh)}{pair}{spec['word_zh']}有限公司"
                if name not in used_names:
                    used_names.add(name)
                    break
            enterprise = Enterprise(
                enterprise_id=enterprise_id,
                name=name,
                region_code=prefecture.region_code,
                industry_code=industry_code,
            )
            province.enterprises.append(DemoEnterprise(enterprise, sector))
            site_count = 2 if rng.random() < float(profile["second_site"]) else 1
            for s in range(1, site_count + 1):
                site_region = (
                    prefecture if s == 1 else prefectures[int(rng.integers(0, len(prefectures)))]
                )
                site = Site(
                    site_id=f"{enterprise_id}-S{s}",
                    enterprise_id=enterprise_id,
                    name=f"{name} {_short(site_region.name_zh)}厂区",
                    region_code=site_region.region_code,
                )
                province.sites.append(site)
                number = 0
                for unit_spec in spec["units"]:
                    low, high = unit_spec["count"]
                    for _ in range(int(rng.integers(low, high + 1))):
                        number += 1
                        province.units.append(
                            ProductionUnit(
                                unit_id=f"{site.site_id}-U{number}",
                                site_id=site.site_id,
                                process=unit_spec["process"],
                                product=unit_spec["product"],
                                capacity=_capacity(rng, unit_spec),
                                capacity_unit=unit_spec["unit"],
                            )
                        )
    return province


def province_activity(province: Province) -> pd.DataFrame:
    """The activity table of the demo year: per enterprise, the inputs of its units and their
    products, as the profile describes (deterministic in the province's seed)."""
    profile = load_profile()
    settings = profile["activity"]
    rng = np.random.default_rng([province.seed, 1])
    sector_of = {e.enterprise.enterprise_id: e.sector for e in province.enterprises}
    owner = {s.site_id: s.enterprise_id for s in province.sites}
    specs = {
        (sector, unit["process"]): unit
        for sector, spec in profile["sectors"].items()
        for unit in spec["units"]
    }
    low, high = settings["utilisation"]
    records: list[dict[str, Any]] = []
    for unit in province.units:
        enterprise_id = owner[unit.site_id]
        spec = specs[(sector_of[enterprise_id], unit.process)]
        output_t = (
            unit.capacity
            * float(settings["operating"][unit.capacity_unit])
            * float(rng.uniform(low, high))
        )
        efficiency = float(
            np.exp(
                rng.normal(0.0, float(spec.get("efficiency_sigma", settings["efficiency_sigma"])))
            )
        )
        report = spec.get("report", {})
        area = report.get("area", "")
        for threshold, name in report.get("area_by_capacity", []):
            if unit.capacity <= float(threshold):
                area = name
                break
        base = {"enterprise_id": enterprise_id, "period": str(settings["period"])}
        for line in spec["inputs"]:
            per_output = output_t * conversion_factor("t", line.get("per_unit", "t"))
            records.append(
                {
                    **base,
                    "stream": line["stream"],
                    "item": line["item"],
                    "direction": line.get("direction", "in"),
                    "amount": per_output * float(line["per"]) * efficiency,
                    "unit": line["unit"],
                    "area": area if line.get("tag", True) else "",
                    "carbon_fraction": line.get("carbon_fraction"),
                }
            )
        if report.get("product_line", True):
            records.append(
                {
                    **base,
                    "stream": "product",
                    "item": unit.product,
                    "direction": "in",
                    "amount": output_t,
                    "unit": "t",
                    "area": area,
                    "cao_fraction": report.get("cao_fraction"),
                    "mgo_fraction": report.get("mgo_fraction"),
                    "carbon_fraction": report.get("carbon_fraction"),
                }
            )
    frame = pd.DataFrame.from_records(records)
    keys = [
        "enterprise_id",
        "period",
        "stream",
        "item",
        "direction",
        "unit",
        "area",
        "cao_fraction",
        "mgo_fraction",
        "carbon_fraction",
    ]
    for column in keys:
        if column not in frame.columns:
            frame[column] = None
    for column in ("cao_fraction", "mgo_fraction", "carbon_fraction"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    frame = frame.groupby(keys, sort=False, dropna=False)["amount"].sum().reset_index()
    frame["amount"] = frame["amount"].round(3)
    return frame[
        [
            "enterprise_id",
            "period",
            "stream",
            "item",
            "direction",
            "amount",
            "unit",
            "cao_fraction",
            "mgo_fraction",
            "carbon_fraction",
            "area",
        ]
    ]


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def write_province(province: Province, directory: Path) -> list[Path]:
    """Write activity.csv, enterprises.csv, sites.csv and production_units.csv; return their
    paths."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[dict[str, Any]]] = {
        "activity.csv": [
            {str(k): v for k, v in r.items()}
            for r in province_activity(province).astype(str).to_dict("records")
        ],
        "enterprises.csv": [
            {**e.enterprise.model_dump(), "sector": e.sector} for e in province.enterprises
        ],
        "sites.csv": [s.model_dump() for s in province.sites],
        "production_units.csv": [
            {**u.model_dump(), "capacity": f"{u.capacity:.0f}"} for u in province.units
        ],
    }
    paths = []
    for name, rows in files.items():
        path = directory / name
        _write(path, rows)
        paths.append(path)
    return paths


def province_results(province: Province, activity: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Accounts by sector and grades by area of the demo year (floor 2 engines on the demo)."""
    from carbonpeak.accounting.engine import account
    from carbonpeak.benchmarking.grades import grade

    enterprises = pd.DataFrame(
        [{**e.enterprise.model_dump(), "sector": e.sector} for e in province.enterprises]
    )
    accounts = account(activity, enterprises)
    grades = grade(activity, enterprises, accounts=accounts)
    totals = accounts.totals.merge(enterprises[["enterprise_id", "sector"]], on="enterprise_id")
    by_sector = (
        totals.groupby("sector")
        .agg(
            enterprises=("enterprise_id", "nunique"),
            energy_tce=("energy_tce", "sum"),
            co2_t=("co2_t", "sum"),
            co2e_t=("co2e_t", "sum"),
        )
        .sort_values("co2e_t", ascending=False)
        .reset_index()
    )
    table = grades.table
    by_area = (
        table.assign(
            benchmark=table["grade"] == "benchmark",
            baseline=table["grade"] == "baseline",
            below_baseline=table["grade"] == "below_baseline",
        )
        .groupby("area")
        .agg(
            products=("grade", "size"),
            benchmark=("benchmark", "sum"),
            baseline=("baseline", "sum"),
            below_baseline=("below_baseline", "sum"),
            saving_potential_tce=("saving_potential_tce", "sum"),
            saving_potential_co2_t=("saving_potential_co2_t", "sum"),
        )
        .reset_index()
    )
    return {
        "sectors": [{str(k): v for k, v in r.items()} for r in by_sector.to_dict("records")],
        "grades": [{str(k): v for k, v in r.items()} for r in by_area.to_dict("records")],
    }
