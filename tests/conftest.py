"""Shared test helpers.

`require_binary` skips a test whose system dependency is missing, unless CARBONPEAK_STRICT=1
(set by CI), where the same absence is a failure: CI installs every system dependency, so a
skip there would hide a test that never ran.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

# Password hashes at a test's cost: Argon2id still, at one pass over 1 MiB instead of three over
# 64 MiB (each hash a millisecond, not a fifth of a second; the API's fixture makes a dozen).
# Set before the platform reads its settings; subprocesses inherit it.
os.environ.setdefault("CARBONPEAK_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("CARBONPEAK_PASSWORD_HASH_MEMORY_KIB", "1024")

from carbonpeak.cli import main
from carbonpeak.engine.session import Engine, open_engine
from carbonpeak.reference.catalog import packaged_data_dir

# the store fixtures (database, engine, postgres_url) for every test package
pytest_plugins = ["tests.store.fixtures"]


def strict() -> bool:
    return os.environ.get("CARBONPEAK_STRICT", "") not in ("", "0")


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# What tests of this run found missing, said again at the end of the run (never a silent skip).
MISSING: list[str] = []
# What the test running now in this process found missing: carried on its report, so that the
# process printing the summary hears of it (under pytest-xdist the tests run in workers and the
# controller prints).
_FOUND: list[str] = []
_PROPERTY = "carbonpeak-missing-dependency"


def _missing(message: str) -> None:
    _FOUND.append(message)
    if strict():
        pytest.fail(message + " (CARBONPEAK_STRICT=1: make test should have installed it)")
    pytest.skip(message)


def require_binary(name: str) -> str:
    """The path of a system binary (or of a program given by its path); skip (or fail under
    CARBONPEAK_STRICT=1) if missing."""
    path = shutil.which(name)
    if path is None:
        _missing(f"dependency {name!r} is not installed")
    assert path is not None
    return path


def require_pdf_rendering() -> None:
    """WeasyPrint renders PDFs with Pango and HarfBuzz, system libraries that pip cannot
    install: skip (or fail under CARBONPEAK_STRICT=1) when they are missing."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        _missing(f"WeasyPrint's system libraries are missing ({error})")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    report.user_properties.extend((_PROPERTY, message) for message in _FOUND)
    _FOUND.clear()
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    MISSING.extend(value for name, value in report.user_properties if name == _PROPERTY)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say at the end, in one place, which system dependencies made tests skip, and how to
    install them."""
    if not MISSING:
        return
    terminalreporter.section("skipped for missing system dependencies", red=True, bold=True)
    for message in sorted(set(MISSING)):
        terminalreporter.write_line(f"{MISSING.count(message)} test(s): {message}")
    terminalreporter.write_line(
        "install them with `sudo scripts/system-packages` (make test does it when run as root)"
    )


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged reference tables."""
    target = tmp_path / "reference"
    shutil.copytree(packaged_data_dir(), target)
    return target


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[Engine]:
    """One Spark `local[2]` session for the whole run (it takes seconds to start)."""
    require_binary("java")
    engine = open_engine("spark", "local[2]")
    yield engine
    engine.stop()


@pytest.fixture(params=["duckdb", "spark"])
def frames(request: pytest.FixtureRequest) -> Engine:
    """Each DataFrame engine in turn: the same code must give the same rows on both."""
    if request.param == "spark":
        return request.getfixturevalue("spark_engine")  # type: ignore[no-any-return]
    return open_engine("duckdb")
