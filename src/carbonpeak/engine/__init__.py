"""Floor 1: the dataframe engines that heavy computations run on.

`local.connect()` opens an in-process DuckDB database, the default engine. (The Spark engine
and the SQLFrame session that lets the same DataFrame code run on both come with monitoring.)
"""
