"""The lake's commits: the parts of an ingested file become visible all at once or not at all.

The protocol, a small version of the logs of Delta Lake and Iceberg (a reader sees a table
version only once its log entry exists, and the entry is written last, atomically):

1. **lock**: an ingest holds an exclusive `flock` on `<lake>/_lock` from before it reads the
   lake until it ends, so two ingests never interleave. The kernel drops the lock when the
   process dies, so a crash leaves no stale lock.
2. **recover**: with the lock held no other ingest runs, so every `.ingest-*` staging folder is
   a dead ingest's (it began before this one) and is removed, and so is every part file under
   `readings/` and `meters/` that no manifest lists (moved into place by an ingest that died
   before its commit). `_commits/` is created here, before any part is placed.
3. **stage**: the file's parts are written into a fresh `.ingest-*` folder in the lake and
   flushed to disk.
4. **move**: each part is renamed into its place (same file system), and the folders flushed.
   No reader sees a part yet.
5. **commit**: the manifest `_commits/<digest>.json` (the file's parts, relative to the lake)
   is written under a temporary name, flushed to disk and renamed into place with
   `os.replace`: the commit point.
6. **clean**: the staging folder is removed.

Readers (DuckDB, Spark, pandas) read only the parts the live manifests list (`committed`). A
compaction (`io.compaction`) merges many small parts into few: its manifest lists the merged
parts, `replaces` the manifests it absorbed, which stop being live the moment it is committed
(one atomic rename, as above), and records when (`at`, epoch seconds). They and their parts stay
for `CARBONPEAK_LAKE_RETENTION` seconds, so a reader that listed the lake before (readers take
no lock) still finds its files; a later compaction or recovery removes them once older
(`expire`). It also keeps the names (digests) of the files it absorbed, so
the same file sent again still writes nothing. A retry of a file whose manifest exists writes
nothing; any other retry redoes the file from step 1, so a crash at any step is repaired by
ingesting the same file again. A lake written before
manifests (parts but no `_commits/`) is read as it is, every part counted, and its parts are
listed in a manifest `legacy.json` by the next ingest.

`CARBONPEAK_FAULT_POINT` (tests only) names a step (`PHASES`, `COMPACTION_PHASES`) at which an
ingest or a compaction kills itself with SIGKILL, so the tests can crash a real process there.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.settings import settings

COMMITS = "_commits"
LOCK = "_lock"
STAGING_PREFIX = ".ingest-"
PART_FOLDERS = ("readings", "meters")
GLOB_CHARACTERS = ("*", "?", "[", "{")
PHASES = ("staged", "moved-one", "moved", "manifest-written", "committed")
COMPACTION_PHASES = ("compaction-staged", "manifest-written", "compaction-committed")


@dataclass(frozen=True)
class Committed:
    """The parts the lake's live manifests list: the readings' and the meter registry's."""

    readings: list[Path]
    meters: list[Path]


@dataclass(frozen=True)
class Manifest:
    """One manifest: its file, the parts it lists, the manifests it replaces and the digests
    of the files whose rows its parts hold (a file's own manifest: its digest)."""

    path: Path
    parts: list[Path]
    replaces: list[str]
    digests: list[str]
    at: float = 0.0
    """When it was committed (a compaction's; else its file's modification time)."""


def fault_point(phase: str) -> None:
    """Kill this process with SIGKILL when `CARBONPEAK_FAULT_POINT` names `phase` (the crash
    tests; never set in use)."""
    if settings().fault_point == phase:
        os.kill(os.getpid(), signal.SIGKILL)


def _parts(lake: Path) -> list[Path]:
    return sorted(
        p
        for folder in PART_FOLDERS
        for p in (lake / folder).rglob("part-*.parquet")
        if not any(n.startswith(".") for n in p.relative_to(lake).parts)
    )


def is_lake(lake: Path) -> bool:
    """Whether `lake` holds a lake: its `_commits/`, or parts from before manifests."""
    return (lake / COMMITS).is_dir() or (lake.is_dir() and bool(_parts(lake)))


def manifest_path(lake: Path, digest: str) -> Path:
    return lake / COMMITS / f"{digest}.json"


def manifests(lake: Path) -> list[Manifest]:
    """Every manifest of the lake, live or replaced."""
    found = []
    for manifest in sorted((lake / COMMITS).glob("*.json")):
        try:
            text = manifest.read_text(encoding="utf-8")
            at = entry_time = manifest.stat().st_mtime
        except FileNotFoundError:  # removed since the listing (an expired replaced one)
            continue
        except OSError as exc:
            raise InputError(
                Problem.of(Place(file=str(manifest)), N_("not a manifest of the lake: {}"), exc)
            ) from None
        try:
            entry = json.loads(text)
            parts = [lake / str(p) for p in entry["parts"]]
            replaces = [str(name) for name in entry.get("replaces", [])]
            digests = [str(d) for d in entry.get("digests", [manifest.stem])]
            at = float(entry.get("at", entry_time))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                Problem.of(Place(file=str(manifest)), N_("not a manifest of the lake: {}"), exc)
            ) from None
        found.append(Manifest(manifest, parts, replaces, digests, at))
    return found


def live(lake: Path) -> list[Manifest]:
    """The manifests no compaction replaced."""
    every = manifests(lake)
    replaced = {name for m in every for name in m.replaces}
    return [m for m in every if m.path.stem not in replaced]


def _listed(lake: Path) -> list[tuple[Path, list[Path]]]:
    """Every live manifest and the parts it lists."""
    return [(m.path, m.parts) for m in live(lake)]


def holds(lake: Path, digest: str) -> bool:
    """Whether the file (or files) of `digest` is in the lake, in its own manifest or merged
    by a compaction."""
    if manifest_path(lake, digest).exists():
        return True
    return (lake / COMMITS).is_dir() and any(digest in m.digests for m in live(lake))


def committed(lake: Path) -> Committed:
    """The parts readers may read: those the manifests list (each must exist), or every part
    of a lake from before manifests."""
    if not (lake / COMMITS).is_dir():
        parts = _parts(lake)
    else:
        parts = []
        for manifest, listed in _listed(lake):
            for part in listed:
                if not part.is_file():
                    raise InputError(
                        Problem.of(
                            Place(file=str(part)),
                            N_("the lake's manifest {} lists this part, which is missing"),
                            manifest.name,
                        )
                    )
            parts.extend(listed)
    readings = sorted(p for p in parts if p.relative_to(lake).parts[0] == "readings")
    meters = sorted(p for p in parts if p.relative_to(lake).parts[0] == "meters")
    return Committed(readings, meters)


@contextmanager
def locked(lake: Path) -> Iterator[None]:
    """Hold the lake's ingest lock (waiting for another ingest to end) and recover the lake
    from any dead ingest (the module's step 2). A lake path holding `*?[{` is refused: the
    readers of its parts (DuckDB, Spark) take a path as a pattern."""
    if any(c in str(lake) for c in GLOB_CHARACTERS):
        raise InputError(
            Problem.of(
                Place(file=str(lake)),
                N_("a lake's path cannot hold any of {}: readers take it as a pattern"),
                " ".join(GLOB_CHARACTERS),
            )
        )
    try:
        lake.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            Problem.of(Place(file=str(lake)), N_("not a folder the lake can be in: {}"), exc)
        ) from None
    with (lake / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            _recover(lake)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _recover(lake: Path) -> None:
    for staging in lake.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(staging, ignore_errors=True)
    for temporary in (lake / COMMITS).glob(".*"):
        temporary.unlink(missing_ok=True)
    parts = _parts(lake)
    if not (lake / COMMITS).is_dir():
        (lake / COMMITS).mkdir()
        if parts:  # a lake from before manifests: its parts stay as they are
            commit(lake, "legacy", parts)
        return
    kept = expire(lake)
    listed = {p for m in kept for p in m.parts}
    for part in parts:  # moved into place by an ingest or compaction that died before its commit
        if part not in listed:
            part.unlink(missing_ok=True)  # (or removed by `expire` just now)


def expire(lake: Path) -> list[Manifest]:
    """Remove the manifests a compaction replaced more than `CARBONPEAK_LAKE_RETENTION` seconds
    ago and the parts only they list (the oldest replacement first: a replaced manifest never
    outlives the one that replaced it, so none becomes live again after a crash); return the
    manifests kept. Called with the lock held."""
    every = manifests(lake)
    replaced_at = {name: m.at for m in every for name in m.replaces}
    limit = time.time() - settings().lake_retention
    expired = [m for m in every if replaced_at.get(m.path.stem, limit + 1) <= limit]
    gone = {m.path for m in expired}
    kept = [m for m in every if m.path not in gone]
    listed = {p for m in kept for p in m.parts}
    for manifest in sorted(expired, key=lambda m: (replaced_at[m.path.stem], m.at)):
        for part in manifest.parts:
            if part not in listed:
                part.unlink(missing_ok=True)
        manifest.path.unlink(missing_ok=True)
    return kept


def new_folders(folder: Path, lake: Path) -> set[Path]:
    """The folders from `lake` down to `folder` that do not exist yet: once made, each one's
    entry in its parent must reach the disk as well (`sync` the parents), or a power cut may
    lose a whole `year=`/`month=` folder whose parts a manifest lists."""
    missing = set()
    while folder != lake and lake in folder.parents and not folder.exists():
        missing.add(folder)
        folder = folder.parent
    return missing


def sync(path: Path) -> None:
    """Flush a file, or a folder's entries (a rename into it), to the disk, so that after a
    power cut a committed manifest never lists a part the disk does not hold."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def commit(
    lake: Path,
    digest: str,
    parts: list[Path],
    replaces: list[str] | None = None,
    digests: list[str] | None = None,
) -> None:
    """Write the manifest of `digest` listing `parts` (the module's step 5): a temporary file,
    flushed, then renamed into place. A compaction's manifest also names the manifests it
    `replaces` and the `digests` of the files it holds."""
    target = manifest_path(lake, digest)
    temporary = target.with_name(f".{target.name}.tmp")
    entry: dict[str, object] = {"parts": [p.relative_to(lake).as_posix() for p in parts]}
    if replaces is not None:
        entry["replaces"] = replaces
        entry["digests"] = digests or []
        entry["at"] = time.time()
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, indent=1))
        handle.flush()
        os.fsync(handle.fileno())
    fault_point("manifest-written")
    os.replace(temporary, target)
    sync(target.parent)  # the rename itself reaches the disk


def commit_state(lake: Path) -> tuple[tuple[str, int, int], ...]:
    """What the lake's readers would see, as a value that changes when it does: every
    manifest's name, modification time (ns) and size; for a lake from before manifests, its
    parts' (one stat each: its parts never change once written). A cache of anything computed
    from the lake keys on it: a commit renames a new manifest into `_commits/`, so the
    state moves the moment the new parts become visible, and not before."""
    folder = lake / COMMITS
    if not folder.is_dir():
        paths = _parts(lake)
    else:
        with os.scandir(folder) as entries:
            paths = sorted(
                Path(e.path)
                for e in entries
                if e.name.endswith(".json") and not e.name.startswith(".")
            )
    state = []
    for path in paths:
        try:
            found = path.stat()
        except FileNotFoundError:  # removed while listed: the next call sees the change
            continue
        state.append(
            (path.name if folder.is_dir() else str(path), found.st_mtime_ns, found.st_size)
        )
    return tuple(state)
