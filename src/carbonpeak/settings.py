"""Every `CARBONPEAK_*` environment variable, read in this one place into a frozen object.

| variable | meaning | default |
|---|---|---|
| `CARBONPEAK_HOME` | the platform's folder (SQLite store, lake) | `~/.local/share/carbonpeak` |
| `CARBONPEAK_DATABASE_URL` | the SQL store (a SQLAlchemy URL, e.g. PostgreSQL) | SQLite, home |
| `CARBONPEAK_LAKE` | the Parquet lake of meter readings | `lake` in the home |
| `CARBONPEAK_ENGINE` | the DataFrame engine: `duckdb` or `spark` | `duckdb` |
| `CARBONPEAK_SPARK_MASTER` | Spark's master URL | `local[2]` |
| `CARBONPEAK_SPARK_PARTITIONS` | Spark's shuffle partitions | `4` |
| `CARBONPEAK_THREADS` | DuckDB's threads (0: one per core) | `0` |
| `CARBONPEAK_MEMORY_LIMIT` | DuckDB's memory limit, e.g. `2GB` (empty: 80 % of RAM) | empty |
| `CARBONPEAK_INGEST_MEMORY` | DuckDB's memory for one lake ingest (it spills beyond it) | `500MB` |
| `CARBONPEAK_LAKE_RETENTION` | seconds a compaction keeps the parts it replaced | `3600` |
| `CARBONPEAK_MAX_BODY_MB` | largest request body, uploads aside (413 above it) | `10` |
| `CARBONPEAK_LOGIN_ATTEMPTS` | failed logins of an account within the window, then it waits | `5` |
| `CARBONPEAK_LOGIN_ADDRESS_ATTEMPTS` | failed logins from one address within the window | `50` |
| `CARBONPEAK_LOGIN_WINDOW_MINUTES` | the throttling window (and the longest wait) | `15` |
| `CARBONPEAK_API_KEY_DAYS` | how long a new API key lasts unless its owner says | `90` |
| `CARBONPEAK_PASSWORD_HASH_TIME_COST` | Argon2id passes per password hash | `3` |
| `CARBONPEAK_PASSWORD_HASH_MEMORY_KIB` | Argon2id memory per hash, KiB (RFC 9106) | `65536` |
| `CARBONPEAK_MAX_BATCH_READINGS` | most readings in one posted batch (413 above it) | `100000` |
| `CARBONPEAK_BACKGROUND_BATCH_READINGS` | a larger posted batch is landed by a job | `20000` |
| `CARBONPEAK_FLUSH_SECONDS` | how often a server flushes landed readings (0: never) | `10` |
| `CARBONPEAK_MONITORING_CLOCK` | monitoring's now: `lake` (latest reading), `wall` | `lake` |
| `CARBONPEAK_MONITORING_SILENT_HOURS` | hours without readings: a silent meter | `24` |
| `CARBONPEAK_INSTALLATION` | who the edition packages it exports come from | `carbonpeak` |
| `CARBONPEAK_DEMO_TODAY` | the demo's day (`YYYY-MM-DD`): its 2026 reports, alerts | China's date |
| `CARBONPEAK_FAULT_POINT` | tests only: an ingest or submission step to crash at | empty |

`settings()` gives the object for the environment as it is now; it is read again only when a
`CARBONPEAK_*` variable changes (tests and the CLI set them). A value that cannot be read is an
error naming the variable, never a silent default. (`CARBONPEAK_STRICT` belongs to the test
suite, not to the platform, and is read there.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carbonpeak.errors import CarbonpeakError

PREFIX = "CARBONPEAK_"


class Settings(BaseModel):
    """The platform's configuration (see the module's table)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "carbonpeak")
    database_url: str | None = None
    lake: Path | None = None
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str = "local[2]"
    spark_partitions: int = Field(default=4, ge=1, le=100_000)
    threads: int = Field(default=0, ge=0, le=4096)
    memory_limit: str | None = None
    # a lake ingest runs in a DuckDB database of its own, spilling to the lake's staging folder
    # beyond this: with the interpreter and libraries it keeps an ingest under 1 GB whatever
    # the size of the file (issue 17's goal; docs/performance.md)
    ingest_memory: str = Field(
        default="500MB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
    )
    # a compaction's replaced parts stay this long (as Delta Lake's VACUUM retention): a reader
    # that listed the lake before it (a lazy DataFrame, a report) still finds its files
    lake_retention: float = Field(default=3600.0, ge=0, le=366 * 24 * 3600)
    max_body_mb: float = Field(default=10.0, gt=0, le=10_000)
    # NIST SP 800-63B (5.2.2) asks verifiers to allow no more than 100 consecutive failed
    # attempts on one account; these defaults are the platform's configuration within that.
    login_attempts: int = Field(default=5, ge=1, le=100)
    login_address_attempts: int = Field(default=50, ge=1, le=100_000)
    login_window_minutes: float = Field(default=15.0, gt=0, le=24 * 60)
    api_key_days: int = Field(default=90, ge=1, le=3660)
    # Argon2id's cost: RFC 9106's second recommended option (3 passes, 64 MiB) by default;
    # the test suite lowers it (tests/conftest.py), as test suites of web frameworks do
    password_hash_time_cost: int = Field(default=3, ge=1, le=100)
    password_hash_memory_kib: int = Field(default=65536, ge=64, le=4 * 1024 * 1024)
    # Posted meter readings (`services.monitoring_feed`). A batch is parsed, checked and held in
    # memory whole. 100,000 readings let a collector send a day of 1,000 meters at 15 minutes
    # (96,000) in one batch; as JSON lines (about 60 bytes a reading) that is 6 MB, within the
    # 10 MB body limit (`CARBONPEAK_MAX_BODY_MB`), and some tens of MB of memory while checked.
    # A batch past 20,000 readings is answered 202 and landed by a job: a batch with problems
    # is checked row by row (about 6 ms per 1,000 readings, measured), so a large one would
    # hold a worker thread of the small ones for a tenth of a second and more.
    max_batch_readings: int = Field(default=100_000, ge=1, le=10_000_000)
    background_batch_readings: int = Field(default=20_000, ge=1, le=10_000_000)
    # Landed readings reach the lake (and its readers) this often: each flush is one commit of
    # the lake, so a short period makes many small parts; 10 s keeps the lake's view within
    # seconds of the collectors at a few thousand commits a day.
    flush_seconds: float = Field(default=10.0, ge=0, le=24 * 3600)
    # the monitoring view's reference time: the lake's latest reading (reproducible; a demo or
    # a replayed lake), or the wall clock (a live installation, where a lake that stopped
    # receiving must show its meters silent)
    monitoring_clock: Literal["lake", "wall"] = "lake"
    # the platform's choice, not a standard's: a whole day without a reading
    monitoring_silent_hours: float = Field(default=24.0, gt=0, le=24 * 366)
    # the day the demo's carbon dual control is built for (its 2026 monthly reports up to the
    # last full month before it, its budgets' alerts as of it); unset: the date in China today
    demo_today: date | None = None
    # who an exported edition package says it comes from (e.g. 河北省工业和信息化厅)
    installation: str = Field(default="carbonpeak", min_length=1, max_length=200)
    fault_point: str | None = None

    @property
    def lake_path(self) -> Path:
        """The lake: `CARBONPEAK_LAKE`, else the folder `lake` in the home."""
        return self.lake if self.lake is not None else self.home / "lake"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The settings from `CARBONPEAK_*` variables; empty values count as unset."""
        fields = set(cls.model_fields)
        given: dict[str, str] = {}
        unknown = []
        for key, value in environ.items():
            if not key.startswith(PREFIX) or key == "CARBONPEAK_STRICT":
                continue
            name = key[len(PREFIX) :].lower()
            if name not in fields:
                unknown.append(key)
            elif value.strip():
                given[name] = (
                    value.strip().lower()
                    if name in ("engine", "monitoring_clock")
                    else value.strip()
                )
        if unknown:
            known = ", ".join(PREFIX + f.upper() for f in sorted(fields))
            raise CarbonpeakError(f"unknown setting {', '.join(sorted(unknown))}; known: {known}")
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            problems = "; ".join(
                f"{PREFIX}{str(e['loc'][0]).upper()}={given.get(str(e['loc'][0]), '')!r}: "
                f"{e['msg']}"
                for e in error.errors()
            )
            raise CarbonpeakError(f"bad setting: {problems}") from None


@lru_cache(maxsize=8)
def _read(snapshot: tuple[tuple[str, str], ...]) -> Settings:
    return Settings.from_environ(dict(snapshot))


def settings() -> Settings:
    """The settings of the environment as it is now (read again only when it changed)."""
    return _read(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX))))
