"""The CARBONPEAK_STRICT switch turns a missing system dependency from a skip into a failure."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def _run_missing_binary_test(
    tmp_path: Path, strict: str, *options: str
) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_missing.py"
    test.write_text(
        textwrap.dedent(
            """
            from conftest import require_binary

            def test_needs_missing_binary():
                require_binary("carbonpeak-no-such-binary")
            """
        )
    )
    conftest = Path(__file__).with_name("conftest.py")
    text = conftest.read_text().replace('pytest_plugins = ["tests.store.fixtures"]', "")
    (tmp_path / "conftest.py").write_text(text)
    env = {"PATH": "/usr/bin:/bin", "CARBONPEAK_STRICT": strict}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )


def test_missing_binary_skips_when_not_strict(tmp_path: Path) -> None:
    result = _run_missing_binary_test(tmp_path, "0")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    # never silent: the end of the run names what was missing and how to install it
    assert "skipped for missing system dependencies" in result.stdout
    assert "carbonpeak-no-such-binary" in result.stdout
    assert "scripts/system-packages" in result.stdout


def test_missing_binary_is_named_at_the_end_of_a_parallel_run(tmp_path: Path) -> None:
    """`make test` runs the suite in pytest-xdist workers; the summary is printed by the
    controller, which hears of the missing dependency through the test's report."""
    result = _run_missing_binary_test(tmp_path, "0", "-n", "2")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "skipped for missing system dependencies" in result.stdout
    assert "1 test(s): dependency 'carbonpeak-no-such-binary' is not installed" in result.stdout


def test_missing_binary_fails_when_strict(tmp_path: Path) -> None:
    result = _run_missing_binary_test(tmp_path, "1")
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
    assert "CARBONPEAK_STRICT=1" in result.stdout
