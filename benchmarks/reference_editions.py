"""Reference editions (issue 20, "Speed"): importing an edition of 10,000 rows with its checks
(goal: under 2 s), and the impact estimate of an edition on a province's stored accounts,
10,000 enterprises x 2 years (goal: under 10 s).

Synthetic inputs, drawn once (seeded), labelled as such (no value here is a real rule):
- an edition workbook (the layout `io.reference_edition` reads) of N rows of
  `grid_emission_factors`: areas `bench_area_<n>` of kind `average`, a value each, from
  2024-01-01; read with `read_edition_book` and applied with `apply_edition` (every check of
  the shipped tables plus the edition's). Peer: openpyxl reading the same workbook's cells and
  nothing else (the floor of any reader of the file), in the same run;
- activity of E enterprises of Hebei (130000, its prefectures) x 2 years (2022, 2023): each a
  fuel line (raw coal), an electricity line and a process line (limestone); the edition
  corrects Hebei's 2022 provincial grid factor. `services.reference_impact.impact` accounts
  everything twice (before and after) and compares. Peer: one `accounting.engine.account` of
  the same activity (impact is at least two of them), in the same run.

Best of --repeat runs each; peak resident memory of the process.

Run: PYTHONPATH=src .venv/bin/python benchmarks/reference_editions.py [--rows N]
[--enterprises E] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert

from carbonpeak.accounting.engine import account
from carbonpeak.domain.uscc import make_uscc
from carbonpeak.errors import Place
from carbonpeak.io.reference_edition import read_edition_book
from carbonpeak.reference.editions import Edition, EditionRow, apply_edition
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.reference_impact import impact, impact_on_store
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import ActivityLine, Enterprise, Submission

PREFECTURES = (
    "130100",
    "130200",
    "130300",
    "130400",
    "130500",
    "130600",
    "130700",
    "130800",
    "130900",
    "131000",
    "131100",
)


def _best(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - started)
    return best, out


def _workbook(path: Path, rows: int, rng: np.random.Generator) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("版本 (edition)")
    for field, value in (
        ("来源代码 (source_id)", "bench_edition"),
        ("标题 (title)", "benchmark edition (synthetic, not a real rule)"),
        ("文号 (document_number)", "bench-1"),
        ("生效日期 (valid_from)", datetime(2024, 1, 1)),
    ):
        sheet.append([field, value])
    table = book.create_sheet("grid_emission_factors")
    table.append(["area", "kind", "value", "unit", "操作 (action)"])
    values = rng.uniform(0.3, 0.9, rows).round(4)
    for n in range(rows):
        table.append([f"bench_area_{n}", "average", float(values[n]), "kgCO2/kWh", "新增"])
    book.save(path)


def _cells(path: Path) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(len(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    book.close()
    return count


def _activity(enterprises: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = [make_uscc(f"9113{n % 11:02d}00MA{n:07d}") for n in range(enterprises)]
    regions = [PREFECTURES[n % 11] for n in range(enterprises)]
    lines = []
    for code in codes:
        for year in ("2022", "2023"):
            lines += [
                {
                    "enterprise_id": code,
                    "period": year,
                    "stream": "fuel",
                    "item": "raw_coal",
                    "amount": f"{rng.uniform(1e3, 1e5):.1f}",
                    "unit": "t",
                    "direction": "in",
                },
                {
                    "enterprise_id": code,
                    "period": year,
                    "stream": "electricity",
                    "item": "electricity",
                    "amount": f"{rng.uniform(1e3, 1e5):.1f}",
                    "unit": "MWh",
                    "direction": "in",
                },
                {
                    "enterprise_id": code,
                    "period": year,
                    "stream": "process",
                    "item": "limestone",
                    "amount": f"{rng.uniform(1e2, 1e4):.1f}",
                    "unit": "t",
                    "direction": "in",
                },
            ]
    frame = pd.DataFrame(lines)
    frame["row"] = np.arange(2, len(frame) + 2)
    companies = pd.DataFrame(
        {"enterprise_id": codes, "region_code": regions, "industry_code": "3011"}
    )
    return frame, companies


def _store(path: Path, activity: pd.DataFrame, enterprises: pd.DataFrame) -> Engine:
    """A SQLite store holding the activity as submitted official reports (bulk inserts)."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as session:
        session.execute(
            insert(Enterprise),
            [
                {"enterprise_id": e, "name": f"bench {n}", "region_code": r, "industry_code": i}
                for n, (e, r, i) in enumerate(enterprises.itertuples(index=False))
            ],
        )
        groups = list(activity.groupby(["enterprise_id", "period"], sort=False))
        session.execute(
            insert(Submission),
            [
                {
                    "submission_id": n + 1,
                    "enterprise_id": code,
                    "period": period,
                    "version": 1,
                    "state": "submitted",
                    "content_hash": "bench",
                }
                for n, ((code, period), _) in enumerate(groups)
            ],
        )
        columns = [c for c in activity.columns if c != "row"]
        session.execute(
            insert(ActivityLine),
            [
                {
                    "submission_id": n + 1,
                    "row": int(line["row"]),
                    "values": {c: line[c] for c in columns},
                }
                for n, (_, group) in enumerate(groups)
                for line in group.to_dict("records")
            ],
        )
    return engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(20)
    reference = default_reference()
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edition.xlsx"
        _workbook(path, args.rows, rng)
        peer, cells = _best(lambda: _cells(path), args.repeat)

        def imported() -> object:
            return apply_edition(reference, read_edition_book(path, reference))

        ours, applied = _best(imported, args.repeat)
        changes = len(applied.changes)  # type: ignore[attr-defined]
    print(
        f"import an edition of {args.rows:,} rows ({changes:,} added), read and checked: "
        f"{ours:.2f} s (goal < 2 s); openpyxl reading its {cells:,} cells alone: {peer:.2f} s; "
        f"ratio {ours / peer:.2f}"
    )

    activity, enterprises = _activity(args.enterprises, rng)
    edition = Edition(
        {"source_id": "bench_hebei", "title": "benchmark (synthetic)", "document_number": "b-2"},
        date(2022, 1, 1),
        (
            EditionRow(
                "grid_emission_factors",
                {
                    "area": "130000",
                    "kind": "average",
                    "value": "0.7",
                    "unit": "kgCO2/kWh",
                    "valid_from": "2022-01-01",
                    "valid_to": "2023-01-01",
                },
                "change",
                Place(row=2),
            ),
        ),
    )
    after = apply_edition(reference, edition).reference
    single, _ = _best(lambda: account(activity, enterprises, reference=reference), args.repeat)
    took, years = _best(lambda: impact(activity, enterprises, reference, after), args.repeat)
    shown = "; ".join(
        f"{y['year']}: {y['changed']:,} of {y['accounts']:,} change, CO2e "
        f"{y['co2e_t_change_pct']:+.3f} %"
        for y in years  # type: ignore[attr-defined]
    )
    print(
        f"impact on {args.enterprises:,} enterprises x 2 years ({len(activity):,} lines): "
        f"{took:.2f} s (goal < 10 s); one accounting of them: {single:.2f} s; ratio "
        f"{took / single:.2f} (it accounts twice); {shown}"
    )
    with tempfile.TemporaryDirectory() as folder:
        engine = _store(Path(folder) / "store.db", activity, enterprises)
        with transaction(engine) as session:
            from_store, _ = _best(lambda: impact_on_store(session, reference, after), args.repeat)
        engine.dispose()
    print(
        f"the same from a SQLite store ({len(activity) // 3:,} official reports, their "
        f"activity lines read back): {from_store:.2f} s (goal < 10 s)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
