"""Floor 1: the dataframe engines that heavy computations run on.

`local.connect()` opens a connection to the in-process DuckDB database (the accounting run uses
it with SQL). `session.open_engine()` opens a PySpark-API DataFrame engine: DuckDB through
SQLFrame by default, or Apache Spark (`--engine spark` / `CARBONPEAK_ENGINE=spark`), so that the
monitoring analytics are written once and run on both.
"""
