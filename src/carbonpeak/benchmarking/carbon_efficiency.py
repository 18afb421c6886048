"""Carbon-efficiency grades of industrial enterprises (碳效码, the Zhejiang method).

The method, as read in a secondary copy of 《规上工业企业碳效等级评价方法》 (the method that
DB33/T 1347-2023 《工业企业碳效综合评估与分级赋码规范》 is said to codify; the standard's body
was not read, see docs/notes/research18_carbon_efficiency.md):

- L, the CO2 per unit of value added, t/10^4 yuan = the CO2 of the enterprise's (or industry's)
  total energy use in a period / its value added in the same period (收入法), the CO2 less what
  zero-carbon generation on site (water, wind, PV) and sinks or storage take off;
- the band of L: L <= 0.6 低碳, 0.6 < L <= 2.0 中碳, L > 2.0 高碳;
- K = L / the industry's mean L of the same period; grade 1 (K <= 0.6), 2 (<= 0.8), 3 (<= 1.2),
  4 (<= 2.0), 5 (above). The bounds are rows of the reference table `carbon_efficiency_grades`
  (unverified).

Which mean: clause 1 of the method defines L "of the enterprise (industry)" as the CO2 over the
value added of the enterprise (industry), so the industry's L is its total CO2 over its total
value added: the value-added-weighted mean, sum CO2 / sum VA (`mean="weighted"`, the default).
Clause 3 says "平均值" of the industry's L without saying how it is taken; `mean="simple"` is
the plain mean of the enterprises' L, for comparison. The industry is the given enterprises of
the same `industry_code` (cut to `industry_digits` digits if given: the press on DB33/T 1347
speaks of 38 industry divisions, two digits of GB/T 4754) and the same `year`; enterprises
without value added above 0 neither get a grade nor count in the mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.loader import Provenance, Reference, default_reference

REQUIRED = ("enterprise_id", "industry_code", "year", "co2_t", "value_added_10k_yuan")
DEDUCTIONS = ("zero_carbon_generation_co2_t", "sinks_co2_t")  # optional, t CO2 taken off
TABLE = "carbon_efficiency_grades"
COLUMNS = (
    "enterprise_id",
    "industry_code",
    "year",
    "co2_t",
    "deducted_co2_t",
    "value_added_10k_yuan",
    "l_t_per_10k_yuan",
    "band",
    "industry_l_t_per_10k_yuan",
    "industry_enterprises",
    "k",
    "grade",
)


@dataclass(frozen=True)
class Level:
    """One band of L or grade of K: its code, Chinese name and inclusive upper bound."""

    level: str
    name_zh: str
    upper: float | None  # None: no upper bound


@dataclass(frozen=True)
class Bounds:
    """The bands of L and the grades of K, lowest first, with the rows they came from."""

    bands: tuple[Level, ...]
    grades: tuple[Level, ...]
    provenances: tuple[Provenance, ...]

    @classmethod
    def of(cls, reference: Reference) -> Bounds:
        spec = reference.spec(TABLE)
        levels: dict[str, list[Level]] = {"L": [], "K": []}
        provenances = []
        for record in reference.rows(TABLE):
            upper = record.get("upper")
            levels[str(record["indicator"])].append(
                Level(
                    str(record["level"]),
                    str(record["name_zh"]),
                    None if upper is None else float(upper),  # type: ignore[arg-type]
                )
            )
            source_id = str(record["source_id"])
            provenances.append(
                Provenance(
                    table=TABLE,
                    key=tuple((k, str(record.get(k))) for k in spec.key),
                    column="upper",
                    line=record.line,
                    source_id=source_id,
                    source=reference.source(source_id).cite(),
                    status=str(record["status"]),
                    note=None if record.get("note") is None else str(record.get("note")),
                )
            )

        def ordered(rows: list[Level]) -> tuple[Level, ...]:
            return tuple(sorted(rows, key=lambda r: np.inf if r.upper is None else r.upper))

        return cls(ordered(levels["L"]), ordered(levels["K"]), tuple(provenances))

    @staticmethod
    def place(value: float, levels: tuple[Level, ...]) -> str | None:
        """The first level whose upper bound `value` does not exceed (bounds inclusive)."""
        if not np.isfinite(value):
            return None
        for level in levels:
            if level.upper is None or value <= level.upper:
                return level.level
        return None


@dataclass
class CarbonEfficiency:
    """Carbon-efficiency grades.

    `table`: one row per enterprise and year (`COLUMNS`): CO2 as given, the deductions, value
    added, L, its band, the industry's mean L and how many enterprises it rests on, K and the
    grade (1-5 as an integer; None where not graded). `industries`: one row per industry and
    year: enterprises, co2_t (net), value_added_10k_yuan, mean L (`l_t_per_10k_yuan`).
    `warnings`: per (enterprise_id, year); `provenances`: the reference rows of the bounds.
    """

    table: pd.DataFrame
    industries: pd.DataFrame
    mean: str
    warnings: dict[tuple[str, int], list[ResultWarning]]
    provenances: tuple[Provenance, ...]
    general: list[ResultWarning] = field(default_factory=list)

    def results(self) -> list[dict[str, Any]]:
        """JSON-ready rows, one per enterprise and year, with their warnings."""
        out = []
        for record in self.table.to_dict("records"):
            row = {str(k): _plain(v) for k, v in record.items()}
            key = (str(row["enterprise_id"]), int(row["year"]))
            row["warnings"] = [w.as_dict() for w in [*self.general, *self.warnings.get(key, [])]]
            out.append(row)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "results": self.results(),
            "industries": [
                {str(k): _plain(v) for k, v in r.items()}
                for r in self.industries.to_dict("records")
            ],
            "warnings": [w.as_dict() for w in self.general],
            "references": [p.as_dict() for p in self.provenances],
        }


def _plain(value: Any) -> Any:
    """Numbers as Python numbers, NaN as None."""
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def grade(
    accounts: pd.DataFrame,
    reference: Reference | None = None,
    *,
    mean: Literal["weighted", "simple"] = "weighted",
    min_enterprises: int | None = None,
    industry_digits: int | None = None,
) -> CarbonEfficiency:
    """Carbon-efficiency band and grade of each enterprise and year of `accounts`.

    `accounts`: enterprise_id, industry_code (GB/T 4754), year, co2_t, value_added_10k_yuan
    (10^4 yuan; blank or <= 0: not graded, with a warning), optionally
    zero_carbon_generation_co2_t and sinks_co2_t (t CO2 taken off, blank = 0). `mean`: the
    industry mean (module docstring). `min_enterprises`: an industry-year whose mean rests on
    fewer enterprises says so in a warning (None: no minimum; the count is in every row).
    Raises `InputError` with every problem of the table at once.
    """
    ref = reference or default_reference()
    data = _checked(accounts, industry_digits)
    bounds = Bounds.of(ref)
    warnings: dict[tuple[str, int], list[ResultWarning]] = {}

    def add(code: str, year: int, warning: ResultWarning) -> None:
        warnings.setdefault((code, year), []).append(warning)

    deducted = sum((data[c] for c in DEDUCTIONS), pd.Series(0.0, index=data.index))
    net = data["co2_t"] - deducted
    value_added = data["value_added_10k_yuan"]
    gradable = value_added > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.where(gradable, net / value_added.where(gradable), np.nan)
    table = pd.DataFrame(
        {
            "enterprise_id": data["enterprise_id"],
            "industry_code": data["industry_code"],
            "year": data["year"],
            "co2_t": data["co2_t"],
            "deducted_co2_t": deducted,
            "value_added_10k_yuan": value_added,
            "l_t_per_10k_yuan": intensity,
        }
    )
    table["band"] = [Bounds.place(v, bounds.bands) for v in table["l_t_per_10k_yuan"]]
    ungraded = table.loc[~gradable, ["enterprise_id", "year", "value_added_10k_yuan"]]
    for code, year, va in ungraded.itertuples(index=False):
        no_va = warn("benchmarking.carbon_efficiency.no_value_added", value_added=_plain(va))
        add(code, year, no_va)
    no_industry = gradable & (table["industry_code"] == "")
    for code, year in table.loc[no_industry, ["enterprise_id", "year"]].itertuples(index=False):
        add(code, year, warn("benchmarking.carbon_efficiency.no_industry"))

    members = table[gradable & ~no_industry].assign(net_co2_t=net[gradable & ~no_industry])
    industries = (
        members.groupby(["industry_code", "year"], sort=True)
        .agg(
            enterprises=("enterprise_id", "size"),
            co2_t=("net_co2_t", "sum"),
            value_added_10k_yuan=("value_added_10k_yuan", "sum"),
            simple=("l_t_per_10k_yuan", "mean"),
        )
        .reset_index()
    )
    industries["l_t_per_10k_yuan"] = (
        industries["co2_t"] / industries["value_added_10k_yuan"]
        if mean == "weighted"
        else industries["simple"]
    )
    industries = industries.drop(columns="simple")
    table = table.merge(
        industries[["industry_code", "year", "l_t_per_10k_yuan", "enterprises"]].rename(
            columns={
                "l_t_per_10k_yuan": "industry_l_t_per_10k_yuan",
                "enterprises": "industry_enterprises",
            }
        ),
        on=["industry_code", "year"],
        how="left",
    )
    table["industry_enterprises"] = table["industry_enterprises"].astype("Int64")
    outside = ~(gradable & ~no_industry).to_numpy()  # neither in a mean nor graded
    table.loc[outside, "industry_l_t_per_10k_yuan"] = np.nan
    table.loc[outside, "industry_enterprises"] = pd.NA
    positive = table["industry_l_t_per_10k_yuan"] > 0
    table["k"] = np.where(
        positive, table["l_t_per_10k_yuan"] / table["industry_l_t_per_10k_yuan"], np.nan
    )
    table["grade"] = pd.array(
        [
            None if (level := Bounds.place(k, bounds.grades)) is None else int(level)
            for k in table["k"]
        ],
        dtype="Int64",
    )
    rows = table["industry_l_t_per_10k_yuan"].notna()
    no_mean = table.loc[rows & ~positive, ["enterprise_id", "year", "industry_code"]]
    for code, year, industry in no_mean.itertuples(index=False):
        add(
            code,
            year,
            warn(
                "benchmarking.carbon_efficiency.no_industry_mean",
                industry_code=industry,
                year=int(year),
            ),
        )
    if min_enterprises is not None:
        few = rows & (table["industry_enterprises"] < min_enterprises)
        for code, year, industry, count in table.loc[
            few, ["enterprise_id", "year", "industry_code", "industry_enterprises"]
        ].itertuples(index=False):
            add(
                code,
                year,
                warn(
                    "benchmarking.carbon_efficiency.few_enterprises",
                    industry_code=industry,
                    year=int(year),
                    enterprises=int(count),
                    minimum=min_enterprises,
                ),
            )
    unverified = sorted({p.source_id for p in bounds.provenances if not p.verified})
    general = (
        [warn("benchmarking.carbon_efficiency.bounds_unverified", source=unverified)]
        if unverified
        else []
    )
    return CarbonEfficiency(
        table=table[list(COLUMNS)]
        .sort_values(["year", "industry_code", "enterprise_id"])
        .reset_index(drop=True),
        industries=industries,
        mean=mean,
        warnings=warnings,
        provenances=bounds.provenances,
        general=general,
    )


def _checked(accounts: pd.DataFrame, industry_digits: int | None) -> pd.DataFrame:
    """The accounts with numbers as numbers; every problem at once as `InputError`."""
    missing = [c for c in REQUIRED if c not in accounts.columns]
    if missing:
        raise InputError(
            [Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing]
        )
    rows = (
        accounts["row"].to_numpy() if "row" in accounts.columns else np.arange(2, len(accounts) + 2)
    )
    data = pd.DataFrame(index=accounts.index)
    for column in ("enterprise_id", "industry_code"):
        data[column] = accounts[column].fillna("").astype(str).str.strip()
    if industry_digits is not None:
        data["industry_code"] = data["industry_code"].str[:industry_digits]
    problems: list[Problem] = []
    for row in rows[(data["enterprise_id"] == "").to_numpy()]:
        problems.append(Problem.of(Place(row=int(row), column="enterprise_id"), N_("is empty")))

    def numbers(column: str, blank_ok: bool, non_negative: bool) -> pd.Series:
        raw = accounts[column] if column in accounts.columns else pd.Series(np.nan, accounts.index)
        text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
        values = pd.to_numeric(text.where(text != "", np.nan), errors="coerce").astype(float)
        bad = (values.isna() & (text != "")) | ~np.isfinite(values.fillna(0.0))
        if not blank_ok:
            bad |= text == ""
        for row, shown in zip(rows[bad.to_numpy()], text[bad], strict=True):
            problems.append(
                Problem.of(Place(row=int(row), column=column), N_("{!r} is not a number"), shown)
            )
        if non_negative:
            for row in rows[(values < 0).to_numpy()]:
                problems.append(
                    Problem.of(Place(row=int(row), column=column), N_("must not be negative"))
                )
        return values

    year = numbers("year", blank_ok=False, non_negative=True)
    data["co2_t"] = numbers("co2_t", blank_ok=False, non_negative=False)
    data["value_added_10k_yuan"] = numbers("value_added_10k_yuan", True, non_negative=False)
    for column in DEDUCTIONS:
        data[column] = numbers(column, blank_ok=True, non_negative=True).fillna(0.0)
    whole = year.notna() & (year == year.round())
    for row in rows[(year.notna() & ~whole).to_numpy()]:
        problems.append(Problem.of(Place(row=int(row), column="year"), N_("is not a year")))
    data["year"] = year.where(whole, 0).fillna(0).astype(int)
    twice = data[["enterprise_id", "year"]].duplicated(keep="first") & whole
    for row, code, when in zip(
        rows[twice.to_numpy()], data["enterprise_id"][twice], data["year"][twice], strict=True
    ):
        problems.append(
            Problem.of(
                Place(row=int(row), column="year"),
                N_("enterprise {} has the year {} twice"),
                code,
                int(when),
            )
        )
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.place.row or 0))
    return data
