"""The lake's ingest, in SQL on DuckDB: files of readings checked and added to the lake in one
commit, at the speed of DuckDB's own reader and writer and in bounded memory.

The steps (the lake's rules are in `carbonpeak.io.lake`):

1. the meters are checked (`monitoring.readings.check_meters`); the digest of the files' bytes
   and the meters names the commit, so the same files twice write nothing (`lake_sources`);
2. with the lake locked, every row is staged as text (`lake_sources.stage`) and parsed
   (`lake_checks`): the time (ISO 8601; without an offset, and a date alone, it is China
   Standard Time), the value; a file changed while it was read is refused;
3. one pass counts the rows with a problem; only when there is one are the problems listed,
   each by file, row and column (the first `PROBLEM_LIMIT`), and nothing is written;
4. (`lake_intervals`) what the lake already holds for these meters: each meter's latest
   reading (a counter continues from it) and first (a backfill before it chains into it), from
   the registry, and, when the files reach back into the lake's span, the readings there
   (repeats, late counter readings) from the monthly parts that can hold them;
5. one window over the counters' rows, by meter and time, gives each one's interval value
   (resets and rollovers as `monitoring.readings` says) and marks late readings; an interval
   meter's rows need no window (a join marks repeats of the lake); both are written by one
   partitioned COPY into the staging folder. A time repeated within the files (rare) is
   found beforehand for interval meters (one count) and sent to a side folder by the write
   for counters; then the write is made on the rows made unique first (the first reading of
   a timestamp kept, `copies` counting them);
6. the parts are moved into the lake and committed (`carbonpeak.io.commits`).

Steps 2 to 5 are for the files that need them. On DuckDB, CSV files are first tried in a
single pass (`io.lake_fast`): read once, every cell checked as in step 3, written straight into
the staging folder; it stops at the first row with a problem, a time repeated within the
files or a row within the lake's span of its meter, and those files take the steps above,
which place every problem.

DuckDB runs in a database of its own with `CARBONPEAK_INGEST_MEMORY`, spilling into the staging
folder beyond it, so memory does not grow with the files. The same SQL runs on Spark when an
open Spark engine is given (`io.lake_runners` says where the two differ). The result equals
the pandas reference implementation (`monitoring.readings.to_intervals`): a property test holds
them together.

Upgrade note: lakes written before commits were named by the files' bytes (their manifests by
the parsed content) are not migrated, so a file sent again re-writes its rows once, as repeats
(not counted twice), except readings timed by a date alone, which were taken as UTC midnight
before and are China Standard Time midnight now.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pandas as pd

from carbonpeak.engine.session import Engine
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.commits import (
    STAGING_PREFIX,
    commit,
    committed,
    fault_point,
    holds,
    locked,
    manifest_path,
    new_folders,
    sync,
)
from carbonpeak.io.headers import place_as_written
from carbonpeak.io.lake_checks import PROBLEM_LIMIT as PROBLEM_LIMIT
from carbonpeak.io.lake_checks import check, parse_columns
from carbonpeak.io.lake_fast import single_pass
from carbonpeak.io.lake_files import named_damage, read_any, require_rows
from carbonpeak.io.lake_intervals import registry_sql, spans_sql, stored, write_intervals
from carbonpeak.io.lake_runners import DuckDBRunner, Runner
from carbonpeak.io.lake_sources import kind_of, scan
from carbonpeak.io.lake_spark import SparkRunner
from carbonpeak.io.meter_sheet import bilingual_meters
from carbonpeak.io.tables import place_problems
from carbonpeak.monitoring.readings import METER_COLUMNS, check_meters
from carbonpeak.reference.loader import Reference

Progress = Callable[[str, int, int], None]
"""Told each step as it starts: its name, its number and the number of steps."""
STEPS = ("read", "check", "write", "commit")


def ingest(
    readings: Path | Sequence[Path],
    meters: Path | pd.DataFrame,
    lake: Path,
    reference: Reference,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> dict[str, int]:
    """Check readings files (CSV, gzip'd CSV, Parquet, Excel) against their meters (a file,
        or a table with the columns of one) and add them to the lake in one commit; return what
        was written (`readings`, `repeats`, `parts`, `new_parts`, and `committed`: 0 when the files
    were in the lake already, else 1). On DuckDB unless an open Spark
        `engine` is given."""
    paths = [readings] if isinstance(readings, Path) else list(readings)
    if not paths:
        raise InputError(Problem.of(Place(), N_("no readings files given")))
    source = meters if isinstance(meters, Path) else Path("meters")
    table = read_any(meters, "meters") if isinstance(meters, Path) else meters.copy()
    require_rows(table, source, N_("no meters in {}"))
    table, columns, problems = bilingual_meters(table, reference)  # 计量器具编号, 电力, ...
    if not problems:
        checked, problems = check_meters(table, reference)
        problems = place_as_written(problems, columns)
    if problems:
        raise InputError(place_problems(problems, source, "meters"))
    rows = checked["row"].tolist()
    checked = checked[list(METER_COLUMNS)].reset_index(drop=True)
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise InputError([Problem.of(Place(file=str(p)), N_("file not found")) for p in missing])
    files = [(p.stat().st_dev, p.stat().st_ino) for p in paths]  # a link is the same file
    again = [p for n, p in enumerate(paths) if files[n] in files[:n]]
    if again:  # a mistake: its rows would be repeats of themselves
        raise InputError(
            [Problem.of(Place(file=str(p)), N_("the same file is given twice")) for p in again]
        )
    with locked(lake), named_damage(lake), ThreadPoolExecutor(1) as reader:
        unchanged = _stamped(paths)  # before any byte is read
        scanned = reader.submit(_scan, paths, checked)  # the digest and empty lines, meanwhile
        try:
            return _ingest(
                paths, scanned, checked.assign(row=rows), source, lake, progress, engine, unchanged
            )
        finally:
            scanned.cancel()


def _stamped(paths: list[Path]) -> Callable[[], None]:
    """A check that refuses the files when one changed since now (its size, modification time
    or file): the digest and the rows are read apart, so a file written meanwhile (a growing
    log) would be committed under the name of bytes that were not ingested."""

    def stamp(path: Path) -> tuple[int, int, int, int]:
        found = path.stat()
        return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)

    before = [stamp(path) for path in paths]

    def unchanged() -> None:
        problems = []
        for path, was in zip(paths, before, strict=True):
            try:
                same = stamp(path) == was
            except OSError:
                same = False
            if not same:
                problems.append(
                    Problem.of(
                        Place(file=str(path)),
                        N_("the file changed while it was read; send it again once complete"),
                    )
                )
        if problems:
            raise InputError(problems)

    return unchanged


def _scan(paths: list[Path], meters: pd.DataFrame) -> tuple[str, list[list[int]]]:
    """The name of the files' commit (the digest of their bytes and their meters) and each
    CSV file's empty lines."""
    digest = hashlib.sha256()
    empty_lines = []
    for path in paths:
        empty_lines.append(scan(path, digest))
        if len(paths) > 1:
            # a boundary: files a+b and a'+b' of the same bytes, cut elsewhere, hold other rows
            # (a single file's name stays its bytes': a lake knows it by that name)
            digest.update(path.stat().st_size.to_bytes(8, "big"))
    # the meters in the order of their ids: the same table, reordered, names the same commit
    digest.update(meters.sort_values("meter_id").to_csv(index=False).encode())
    return digest.hexdigest()[:16], empty_lines


def _ingest(
    paths: list[Path],
    scanned: Future[tuple[str, list[list[int]]]],
    meters: pd.DataFrame,
    source: Path,
    lake: Path,
    progress: Progress | None,
    engine: Engine | None,
    unchanged: Callable[[], None],
) -> dict[str, int]:
    from carbonpeak.io.lake import read_meters  # the registry reader lives with the lake

    tell = progress or (lambda step, number, total: None)
    tell("read", 1, len(STEPS))
    registry = read_meters(lake) if committed(lake).meters else None
    if registry is not None:
        _refuse_other_owners(meters, registry, source)
    with tempfile.TemporaryDirectory(dir=lake, prefix=STAGING_PREFIX) as folder:
        staging = Path(folder)
        runner: Runner = (
            SparkRunner(engine, staging)
            if engine is not None and engine.name == "spark"
            else DuckDBRunner(staging)
        )
        try:
            links = _linked(paths, staging)
            fast = None
            try:
                if isinstance(runner, DuckDBRunner):  # most files: one pass, no table of rows
                    runner.register("meters", meters[list(METER_COLUMNS)])
                    fast = single_pass(runner, links, registry, lake, staging)
                if fast is None:
                    _parse(runner, meters, links, lambda: scanned.result()[1], paths)
            except InputError as error:  # named by the links: name the files given
                named = {str(link): str(path) for link, path in zip(links, paths, strict=True)}
                raise InputError(
                    [
                        replace(p, place=replace(p.place, file=named.get(p.place.file or "")))
                        if p.place.file in named
                        else p
                        for p in error.problems
                    ]
                ) from None
            name = scanned.result()[0]
            unchanged()  # the digest and DuckDB's rows are of the same bytes
            if holds(lake, name):  # these very files are in the lake (perhaps compacted)
                own = _listed(lake, name) if manifest_path(lake, name).exists() else []
                parts = [p for p in own if p.relative_to(lake).parts[0] == "readings"]
                return {
                    "readings": 0,
                    "repeats": 0,
                    "parts": len(parts),
                    "new_parts": 0,
                    "committed": 0,
                }
            tell("check", 2, len(STEPS))
            if fast is None:
                overlap = check(runner, paths, registry)
            tell("write", 3, len(STEPS))
            if fast is None:
                stored(runner, lake, registry, overlap)
                written = write_intervals(runner, staging, name)
                counts = (
                    runner.rows(
                        "SELECT count(CASE WHEN counted THEN 1 END), count(*) FROM "
                        + _read_back(runner, written)
                    )[0]
                    if written  # none when every counter has a single reading and no meter else
                    else (0, 0)
                )
                runner.keep("file_spans", spans_sql())
            else:
                written, counts = _named(fast[0], name), fast[1]
            registry_parts = runner.write(registry_sql(runner), staging / "meters", name, False)
        finally:
            runner.close()
        unchanged()  # and Spark's, which reads when it writes
        tell("commit", 4, len(STEPS))
        targets = [lake / p.relative_to(staging) for p in written]
        targets += [lake / "meters" / f"part-{name}.parquet"]
        _commit(lake, name, [*written, *registry_parts], targets)
    counted, total = int(counts[0]), int(counts[1])
    return {
        "readings": counted,
        "repeats": total - counted,
        "parts": len(written),
        "new_parts": len(written),
        "committed": 1,  # also with no readings part (a late counter reading: the registry's)
    }


def _named(parts: list[Path], name: str) -> list[Path]:
    """The single pass's parts (`part-pending-<n>`) renamed as the commit names them."""
    named = [p.with_name(p.name.replace("part-pending-", f"part-{name}-", 1)) for p in parts]
    for part, target in zip(parts, named, strict=True):
        part.rename(target)
    return named


def _read_back(runner: Runner, files: list[Path]) -> str:
    runner.view_of("written_back", files)
    return "written_back"


def _listed(lake: Path, name: str) -> list[Path]:
    import json

    entry = json.loads(manifest_path(lake, name).read_text(encoding="utf-8"))
    return [lake / str(p) for p in entry["parts"]]


def _refuse_other_owners(meters: pd.DataFrame, registry: pd.DataFrame, source: Path) -> None:
    owners = registry[["meter_id", "enterprise_id"]]
    known = meters.merge(owners, on="meter_id", suffixes=("", "_stored"))
    other = known[known["enterprise_id"] != known["enterprise_id_stored"]]
    problems = [
        Problem.of(
            Place(row=int(row), column="enterprise_id"),
            N_("meter {!r} is in the lake for enterprise {}"),
            meter,
            owner,
        )
        for row, meter, owner in zip(
            other["row"], other["meter_id"], other["enterprise_id_stored"], strict=True
        )
    ]
    if problems:
        raise InputError(place_problems(problems, source, "meters"))


def _linked(paths: list[Path], staging: Path) -> list[Path]:
    """Each input linked into the staging folder under a plain name: the readers take a path
    as a pattern (`r[1].csv` would read `r1.csv`, `*` every file), a link's name is none."""
    folder = staging / "inputs"
    folder.mkdir()
    links = []
    for number, path in enumerate(paths):
        kind = kind_of(path)
        suffix = {"parquet": ".parquet", "excel": path.suffix.lower()}.get(kind, ".csv")
        if kind == "csv" and path.suffix.lower() == ".gz":
            suffix = ".csv.gz"
        link = folder / f"input-{number}{suffix}"
        link.symlink_to(path.resolve())
        links.append(link)
    return links


def _parse(
    runner: Runner,
    meters: pd.DataFrame,
    paths: list[Path],
    empty_lines: Callable[[], list[list[int]]],
    named: list[Path],
) -> None:
    """`parsed`: each row of the files with its place, its parsed time and number and its
    meter's `kind` and enterprise (`owner`; both NULL for an unknown meter)."""
    runner.register("meters", meters[list(METER_COLUMNS)])
    runner.stage(paths, empty_lines, parse_columns(runner))
    runner.view(
        "parsed",
        "SELECT p.*, m.kind, m.enterprise_id AS owner FROM parsed_rows p "
        "LEFT JOIN meters m ON m.meter_id = p.meter",
    )
    count = runner.rows("SELECT count(*) FROM parsed_rows")[0][0]
    if not count:
        shown = named[0] if len(named) == 1 else ", ".join(str(p) for p in named)
        raise InputError(Problem.of(Place(file=str(named[0])), N_("no readings in {}"), shown))


def _commit(lake: Path, name: str, staged: list[Path], targets: list[Path]) -> None:
    """Move the staged parts into the lake and commit them (the protocol of `io.commits`)."""
    for part in staged:
        sync(part)
    fault_point("staged")
    made: set[Path] = set()  # folders this commit creates (year=, month=): their parents sync
    for number, (part, target) in enumerate(zip(staged, targets, strict=True)):
        made |= new_folders(target.parent, lake)
        target.parent.mkdir(parents=True, exist_ok=True)
        part.replace(target)
        if number == 0:
            fault_point("moved-one")
    for folder in {target.parent for target in targets} | {f.parent for f in made}:
        sync(folder)
    fault_point("moved")
    commit(lake, name, targets)
    fault_point("committed")
