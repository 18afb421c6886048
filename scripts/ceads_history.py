"""Build the reference table `ceads_history` (Scope 1 CO2 by province, year and key sector) from
the CEADs workbooks: `.venv/bin/python scripts/ceads_history.py [FOLDER]` (default: the copy in
../shared/data/ceads_provinces). Every row names the source `ceads_prov`; the sums are [D]."""

from __future__ import annotations

import sys
from pathlib import Path

from carbonpeak.pathways.history import key_sectors, read_ceads
from carbonpeak.reference.loader import default_reference

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "carbonpeak" / "reference" / "data" / "ceads_history.csv"


def main() -> None:
    folder = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT.parent / "shared" / "data" / "ceads_provinces"
    )
    reference = default_reference()
    table = key_sectors(read_ceads(folder, reference), reference)
    out = table[["region_code", "year", "key_sector", "co2"]].copy()
    out["co2"] = out["co2"].round(6)
    out["unit"] = "MtCO2"
    out["source_id"] = "ceads_prov"
    out["status"] = "verified"
    out["note"] = ""
    out.loc[out.index[0], "note"] = (
        "every row: sum of the CEADs sector rows (Scope_1_Total) of the key sector in the "
        "ceads_sectors table [D], read from the workbooks by scripts/ceads_history.py"
    )
    out.to_csv(TARGET, index=False)
    print(
        f"{TARGET}: {len(out)} rows, {out['region_code'].nunique()} provinces, "
        f"{out['year'].min()}-{out['year'].max()}"
    )


if __name__ == "__main__":
    main()
