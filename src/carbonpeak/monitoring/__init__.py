"""Floor 2: metered energy. Readings and meters checked, timestamps in UTC, cumulative
counters as intervals (`readings.py`); the analytics that run on either engine come next."""
