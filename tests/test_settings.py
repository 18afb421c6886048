"""One settings object reads every CARBONPEAK_* variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carbonpeak.errors import CarbonpeakError
from carbonpeak.settings import Settings, settings

SRC = Path(__file__).parents[1] / "src" / "carbonpeak"


def test_defaults_without_any_variable() -> None:
    given = Settings.from_environ({"HOME": "/somewhere", "PATH": "/bin"})
    assert (given.engine, given.spark_master, given.spark_partitions) == ("duckdb", "local[2]", 4)
    assert (given.threads, given.memory_limit, given.database_url) == (0, None, None)
    assert given.lake_path == given.home / "lake"


def test_every_variable_is_read() -> None:
    given = Settings.from_environ(
        {
            "CARBONPEAK_HOME": "/data/cp",
            "CARBONPEAK_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "CARBONPEAK_ENGINE": " Spark ",
            "CARBONPEAK_SPARK_MASTER": "spark://m:7077",
            "CARBONPEAK_SPARK_PARTITIONS": "16",
            "CARBONPEAK_THREADS": "2",
            "CARBONPEAK_MEMORY_LIMIT": "2GB",
            "CARBONPEAK_STRICT": "1",  # the test suite's, not the platform's
        }
    )
    assert given.home == Path("/data/cp") and given.lake_path == Path("/data/cp/lake")
    assert given.database_url == "postgresql+psycopg://u@h/db"
    assert (given.engine, given.spark_master, given.spark_partitions) == (
        "spark",
        "spark://m:7077",
        16,
    )
    assert (given.threads, given.memory_limit) == (2, "2GB")
    assert Settings.from_environ({"CARBONPEAK_LAKE": "/l", "CARBONPEAK_THREADS": ""}).lake_path == (
        Path("/l")
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CARBONPEAK_THREADS", "many"),
        ("CARBONPEAK_THREADS", "-1"),
        ("CARBONPEAK_ENGINE", "pandas"),
        ("CARBONPEAK_SPARK_PARTITIONS", "0"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(CarbonpeakError, match=f"{variable}={value!r}"):
        Settings.from_environ({variable: value})


def test_an_unknown_variable_is_named_not_ignored() -> None:
    with pytest.raises(CarbonpeakError, match="unknown setting CARBONPEAK_DATABSE_URL"):
        Settings.from_environ({"CARBONPEAK_DATABSE_URL": "sqlite://"})


def test_read_again_when_the_environment_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONPEAK_MEMORY_LIMIT", "1GB")
    first = settings()
    assert first.memory_limit == "1GB" and settings() is first
    monkeypatch.setenv("CARBONPEAK_MEMORY_LIMIT", "3GB")
    assert settings().memory_limit == "3GB"


def test_no_other_module_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text())
    ]
    assert readers == ["settings.py"]
