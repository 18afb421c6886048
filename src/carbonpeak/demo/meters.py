"""Meters for the demo province's largest plants: a year of 15-minute readings that add up to
the electricity and natural gas of their activity rows, and the plants' daily production and
temperature (the drivers of their energy performance models).

Each plant's daily energy is a fixed part (a third of the average day) plus a part in
proportion to its production; production follows the weekdays and the seasons with a week's
maintenance stop (an idle plant: production 0) and a measure that lowers the variable energy by
8 % from 1 October (a saving for the EnPI chart to find); within the day the load is nearly flat,
as in continuous process industry. Natural gas comes from a cumulative counter that rolls over
at 10^8 Nm3. A few faults are put in on purpose, for the quality checks to find: six hours
missing, a duplicated reading, a spike.

Deterministic in the seed. Synthetic: no plant's readings are real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from carbonpeak.domain.units import conversion_factor

PER_DAY = 96
SAVING_FROM = "10-01"  # month-day of the demo year from which the measure saves energy
SAVING = 0.08


@dataclass
class DemoMeters:
    meters: pd.DataFrame  # meter_id, enterprise_id, carrier, unit, kind, interval_minutes
    readings: pd.DataFrame  # meter_id, ts (China Standard Time, with its offset), value
    drivers: pd.DataFrame  # enterprise_id, day, production_t, temperature_c


def _amount(activity: pd.DataFrame, item: str, unit: str) -> pd.Series:
    """The yearly amount of `item` per enterprise, in `unit`."""
    lines = activity[(activity["item"] == item) & (activity["direction"] == "in")]
    amounts = pd.to_numeric(lines["amount"], errors="coerce") * [
        conversion_factor(u, unit) for u in lines["unit"]
    ]
    return amounts.groupby(lines["enterprise_id"]).sum()


def metered_enterprises(activity: pd.DataFrame, plants: int = 12) -> list[str]:
    """The `plants` enterprises using the most electricity: the demo's metered plants."""
    electricity = _amount(activity, "electricity", "kWh").sort_values(ascending=False)
    return [str(e) for e in electricity.index[:plants]]


def demo_meters(activity: pd.DataFrame, plants: int = 12, seed: int = 2030) -> DemoMeters:
    """Meters, readings and drivers for the `plants` enterprises using the most electricity."""
    rng = np.random.default_rng([seed, 6])
    year = int(str(activity["period"].iloc[0])[:4])
    days = pd.date_range(date(year, 1, 1), date(year, 12, 31), freq="D")
    n = len(days)
    electricity = _amount(activity, "electricity", "kWh")
    gas = _amount(activity, "natural_gas", "Nm3")
    chosen = metered_enterprises(activity, plants)
    doy = days.day_of_year.to_numpy()
    temperature = 13.0 - 15.0 * np.cos(2 * np.pi * (doy - 15) / 365) + rng.normal(0, 2.5, n)
    meters, readings, drivers = [], [], []
    start = pd.Timestamp(date(year, 1, 1), tz="Asia/Shanghai")
    stamps = start + pd.to_timedelta(np.arange(n * PER_DAY) * 15, unit="min")
    after = np.asarray(days >= pd.Timestamp(f"{year}-{SAVING_FROM}"))
    for number, enterprise_id in enumerate(chosen):
        weekday = np.where(days.day_of_week.to_numpy() < 5, 1.0, 0.85)
        season = 1.0 + 0.1 * np.sin(2 * np.pi * (doy - 80) / 365 + number)
        production = weekday * season * rng.lognormal(0.0, 0.06, n)
        stop = int(rng.integers(30, 300))
        production[stop : stop + 7] = 0.0  # maintenance: an idle plant
        production = production / production.sum() * 1_000_000.0 * (1 + number % 5)
        variable = production * np.where(after, 1.0 - SAVING, 1.0)
        drivers.append(
            pd.DataFrame(
                {
                    "enterprise_id": enterprise_id,
                    "day": days.date,
                    "production_t": production.round(1),
                    "temperature_c": temperature.round(1),
                }
            )
        )
        short = f"P{number + 1:02d}"
        for carrier, unit, kind, yearly in (
            ("electricity", "kWh", "interval", float(electricity[enterprise_id])),
            ("natural_gas", "Nm3", "cumulative", float(gas.get(enterprise_id, 0.0))),
        ):
            if yearly <= 0:
                continue
            daily = 1.0 / 3.0 + (2.0 / 3.0) * variable / variable.mean()
            if carrier == "natural_gas":  # gas heats too: more on cold days
                daily = daily * (1.0 + 0.02 * np.clip(12.0 - temperature, 0.0, None))
            daily = daily / daily.sum() * yearly
            values = np.repeat(daily / PER_DAY, PER_DAY) * rng.normal(1.0, 0.03, n * PER_DAY)
            meter_id = f"{short}-{'E' if carrier == 'electricity' else 'G'}1"
            meters.append((meter_id, enterprise_id, carrier, unit, kind, 15))
            if kind == "cumulative":
                counter = 99_000_000.0 + np.cumsum(values)  # passes 10^8 during the year
                values = np.where(counter >= 1e8, counter - 1e8, counter)
            elif number == 0:
                values[40 * PER_DAY + 50] *= 12  # a spike
            frame = pd.DataFrame({"meter_id": meter_id, "ts": stamps, "value": values.round(3)})
            if kind == "interval":
                if number == 1:
                    frame = frame.drop(frame.index[100 * PER_DAY + 40 : 100 * PER_DAY + 64])
                if number == 2:
                    frame = pd.concat([frame, frame.iloc[[200 * PER_DAY]]])  # a duplicate
            readings.append(frame)
    return DemoMeters(
        pd.DataFrame(
            meters,
            columns=["meter_id", "enterprise_id", "carrier", "unit", "kind", "interval_minutes"],
        ),
        pd.concat(readings, ignore_index=True),
        pd.concat(drivers, ignore_index=True),
    )
