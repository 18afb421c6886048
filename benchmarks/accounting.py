"""Speed of the accounting engine on 1,000,000 activity rows of 20,000 enterprise-periods.

Measured in the same run, on the same rows:
- carbonpeak `account()` with its input check, and without it (`validate=False`);
- (a) a straightforward per-row Python loop computing the same energy and CO2 totals;
- (b) a hand-written DuckDB SQL query over the same rows, with the per-item factors and unit
  conversions as join tables (the parameters come from the same reference library), giving
  energy and CO2 per enterprise and period;
- (c) the same query giving every total `account()` gives (energy, CO2 by category, CO2e) and
  counting the amounts that are not numbers, which is the least a checked run has to do in
  its pass over the rows;
- (d) the distinct kinds of line alone (SELECT DISTINCT stream, item, unit, direction, period),
  which a run must know before it can look up their factors and check them: (c) + (d) is the
  least a checked run costs however it is written.

All give the same totals (checked). Run:
    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/accounting.py [ROWS]
"""

from __future__ import annotations

import platform
import sys
import time
from datetime import date

import numpy as np
import pandas as pd

from carbonpeak.accounting.engine import account
from carbonpeak.domain.units import conversion_factor
from carbonpeak.domain.uscc import ALPHABET, make_uscc, organisation_check_character
from carbonpeak.reference.loader import default_reference

FUELS = [
    ("diesel", "t"),
    ("natural_gas", "10^4 Nm3"),
    ("coke", "t"),
    ("raw_coal", "t"),
    ("gasoline", "t"),
    ("fuel_oil", "t"),
]
PERIOD = "2023"


def build(rows: int, groups: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = []
    for _ in range(groups):
        body = "".join(ALPHABET[i] for i in rng.integers(0, 31, size=8))
        codes.append(make_uscc("91130200" + body + organisation_check_character(body)))
    kinds = [*((f, u, "fuel") for f, u in FUELS), ("electricity", "MWh", "electricity")]
    kind = rng.integers(0, len(kinds), size=rows)
    return pd.DataFrame(
        {
            "enterprise_id": np.array(codes)[rng.integers(0, groups, size=rows)],
            "period": PERIOD,
            "stream": np.array([k[2] for k in kinds])[kind],
            "item": np.array([k[0] for k in kinds])[kind],
            "direction": "in",
            "amount": rng.uniform(1, 1000, size=rows).round(3).astype(str),
            "unit": np.array([k[1] for k in kinds])[kind],
        }
    )


def factors() -> pd.DataFrame:
    """Per item and unit: tce and tCO2 per unit, from the same reference rows the engine uses."""
    ref = default_reference()
    on = date(2023, 12, 31)
    rows = []
    for item, unit in [*FUELS, ("electricity", "MWh")]:
        default_unit = str(ref.record("items", item=item)["default_unit"])
        to_default = conversion_factor(unit, default_unit)
        coefficient = ref.lookup(
            "standard_coal_coefficients", "coefficient", as_of=on, item=item, method="equivalent"
        ).to(f"tce/({default_unit})")
        if item == "electricity":
            co2 = ref.lookup("grid_emission_factors", as_of=on, area="national", kind="average").to(
                "tCO2/kWh"
            )
        else:

            def p(name: str, target: str, item: str = item) -> float:
                for parameter_set in ("guideline_2013", "reference_b118"):
                    if ref.rows(
                        "fuel_parameters", parameter_set=parameter_set, item=item, parameter=name
                    ):
                        return ref.lookup(
                            "fuel_parameters",
                            parameter_set=parameter_set,
                            item=item,
                            parameter=name,
                        ).to(target)
                raise LookupError(item)

            co2 = (
                p("ncv", f"GJ/({default_unit})")
                * p("carbon_content", "tC/GJ")
                * p("oxidation_rate", "dimensionless")
                * ref.lookup("constants", constant="c_to_co2").value
            )
        rows.append(
            {"item": item, "unit": unit, "tce": coefficient * to_default, "co2": co2 * to_default}
        )
    return pd.DataFrame(rows)


def loop(frame: pd.DataFrame, table: pd.DataFrame) -> dict[tuple[str, str], list[float]]:
    lookup = {(r.item, r.unit): (r.tce, r.co2) for r in table.itertuples()}
    totals: dict[tuple[str, str], list[float]] = {}
    for enterprise, period, item, unit, amount in zip(
        frame["enterprise_id"],
        frame["period"],
        frame["item"],
        frame["unit"],
        frame["amount"],
        strict=True,
    ):
        tce, co2 = lookup[(item, unit)]
        value = float(amount)
        total = totals.setdefault((enterprise, period), [0.0, 0.0])
        total[0] += value * tce
        total[1] += value * co2
    return totals


SQL = """
SELECT a.enterprise_id, a.period,
       SUM(CAST(a.amount AS DOUBLE) * f.tce) AS energy_tce,
       SUM(CAST(a.amount AS DOUBLE) * f.co2) AS co2_t
FROM activity a JOIN factors f ON a.item = f.item AND a.unit = f.unit
GROUP BY a.enterprise_id, a.period
"""


SQL_ALL = """
SELECT a.enterprise_id, a.period,
       SUM(v * f.tce) AS energy_tce,
       SUM(CASE WHEN a.stream = 'fuel' THEN v * f.co2 ELSE 0 END) AS co2_combustion_t,
       SUM(0.0) AS co2_process_t,
       SUM(CASE WHEN a.stream = 'electricity' THEN v * f.co2 ELSE 0 END) AS co2_electricity_t,
       SUM(0.0) AS co2_heat_t,
       SUM(v * f.co2) AS co2_t,
       SUM(v * f.co2) AS co2e_t,
       COUNT_IF(v IS NULL OR v < 0 OR NOT isfinite(v)) AS bad_amounts
FROM (SELECT *, TRY_CAST(amount AS DOUBLE) AS v FROM activity) a
JOIN factors f ON a.item = f.item AND a.unit = f.unit
GROUP BY a.enterprise_id, a.period
"""


SQL_KEYS = "SELECT DISTINCT stream, item, unit, direction, period FROM activity"


def best(repeat: int, func: object) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    groups = 20_000 * rows // 1_000_000 or 1
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    frame = build(rows, groups)
    table = factors()
    print(
        f"{rows:,} rows, {frame.groupby(['enterprise_id', 'period']).ngroups:,} enterprise-periods"
    )

    t_full, result = best(3, lambda: account(frame))
    t_fast, _ = best(3, lambda: account(frame, validate=False))
    t_loop, looped = best(1, lambda: loop(frame, table))

    import duckdb

    connection = duckdb.connect()
    connection.register("activity", frame)
    connection.register("factors", table)
    t_sql, sql = best(3, lambda: connection.execute(SQL).df())
    t_all, sql_all = best(3, lambda: connection.execute(SQL_ALL).df())
    t_keys, _ = best(3, lambda: connection.execute(SQL_KEYS).df())

    ours = result.totals.set_index(["enterprise_id", "period"])  # type: ignore[attr-defined]
    theirs = sql.set_index(["enterprise_id", "period"]).loc[ours.index]  # type: ignore[attr-defined]
    assert np.allclose(ours["energy_tce"], theirs["energy_tce"], rtol=1e-9)
    assert np.allclose(ours["co2_t"], theirs["co2_t"], rtol=1e-9)
    every = sql_all.set_index(["enterprise_id", "period"]).loc[ours.index]  # type: ignore[attr-defined]
    for column in ("energy_tce", "co2_combustion_t", "co2_electricity_t", "co2e_t"):
        assert np.allclose(ours[column], every[column], rtol=1e-9), column
    assert len(looped) == len(ours)  # type: ignore[arg-type]

    def line(name: str, seconds: float) -> None:
        print(f"{name:<44} {seconds:8.3f} s {rows / seconds:14,.0f} rows/s")

    line("carbonpeak account() with input check", t_full)
    line("carbonpeak account(validate=False)", t_fast)
    line("(a) per-row Python loop", t_loop)
    line("(b) hand-written DuckDB SQL", t_sql)
    line("(c) hand-written DuckDB SQL, every total", t_all)
    line("(d) distinct kinds of line", t_keys)
    print(f"account() vs loop: {t_loop / t_full:.1f}x faster (unchecked: {t_loop / t_fast:.1f}x)")
    print(
        f"account() vs DuckDB SQL: {t_full / t_sql:.1f}x slower (unchecked: {t_fast / t_sql:.1f}x)"
    )
    print(f"account() vs DuckDB SQL with every total: {t_full / t_all:.1f}x slower")
    print(f"least a checked run costs, (c) + (d): {(t_all + t_keys) / t_sql:.1f}x the SQL (b)")


if __name__ == "__main__":
    main()
