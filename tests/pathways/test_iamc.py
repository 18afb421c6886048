"""The IAMC table of a run as pyam itself reads it (pyam in its own environment, made by
`make pyam`): the same models, scenarios, regions, variables, units and values."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.pathways.projection import example_text, parse
from carbonpeak.pathways.run import run

from ..conftest import require_binary

PYAM = Path(__file__).parents[2] / "build" / "pyam-venv" / "bin" / "python"
READ = """
import json, sys
import pyam
frame = pyam.IamDataFrame(sys.argv[1])
data = frame.data
print(json.dumps({
    "models": list(frame.model), "scenarios": list(frame.scenario),
    "regions": list(frame.region), "variables": list(frame.variable), "units": list(frame.unit),
    "rows": [[r.scenario, r.region, r.variable, int(r.year), float(r.value)]
             for r in data.itertuples()],
}))
"""


def test_pyam_reads_the_table(tmp_path: Path) -> None:
    python = require_binary(str(PYAM))
    import yaml

    spec, scenarios = parse(yaml.safe_load(example_text()))
    _, table, _ = run(spec, scenarios, draws=20)
    path = tmp_path / "run.csv"
    table.to_csv(path, index=False)
    # a cache of pyam's unit registry of its own: the user's cache keeps the paths of the
    # environment that wrote it, and a removed one breaks every later import
    cache = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [python, "-c", READ, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=cache,
    )
    read = json.loads(done.stdout)
    assert read["models"] == ["carbonpeak example"]
    assert read["scenarios"] == ["BAU", "POLICY"]
    assert set(read["regions"]) == {"China", "north", "south"}
    assert "Emissions|CO2|Industry|steel" in read["variables"]
    assert set(read["units"]) == {"Mt/yr", "MtCO2/yr", "Mtce/yr"}
    long = table.melt(id_vars=["model", "scenario", "region", "variable", "unit"], var_name="year")
    ours = {
        (r.scenario, r.region, r.variable, int(r.year)): float(r.value) for r in long.itertuples()
    }
    theirs = {(s, g, v, y): x for s, g, v, y, x in read["rows"]}
    assert set(theirs) == set(ours)
    assert all(theirs[k] == pytest.approx(ours[k]) for k in ours)
    assert len(pd.read_csv(path)) == len(table)
