"""Floor 2: metered energy. Readings and meters checked, timestamps in UTC, cumulative
counters as intervals (`readings.py`); upload messages of the national online-monitoring layout
read into readings and reported totals (`national.py`); the analytics that run on either engine
(`quality.py`, `rollup.py`, `anomalies.py`, `enpi.py`)."""
