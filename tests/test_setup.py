"""The two README commands on a bare machine: `scripts/system-packages` is the one list of
system packages that `make test`, `make demo` and CI install from."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "scripts" / "system-packages"


def _fake_machine(tmp_path: Path, uid: int, installed: set[str]) -> dict[str, str]:
    """A PATH whose `dpkg` knows only `installed` and whose `id -u` prints `uid`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dpkg").write_text(
        '#!/bin/sh\ncase " '
        + " ".join(sorted(installed))
        + ' " in *" $2 "*) exit 0;; esac\nexit 1\n'
    )
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "apt-get").write_text('#!/bin/sh\necho apt-get "$@" >> "$APT_LOG"\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "APT_LOG": str(tmp_path / "apt.log"),
        "HOME": str(tmp_path),
    }


def _packages() -> list[str]:
    text = SCRIPT.read_text()
    listed = re.search(r"packages=\(([^)]*)\)", text)
    assert listed is not None
    return listed.group(1).split()


def test_without_root_it_stops_with_the_exact_install_command(tmp_path: Path) -> None:
    env = _fake_machine(tmp_path, 1000, {"make", "python3-venv"})
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    missing = [p for p in _packages() if p not in {"make", "python3-venv"}]
    assert f"sudo apt-get update && sudo apt-get install -y {' '.join(missing)}" in result.stderr
    assert not (tmp_path / "apt.log").exists()


def test_as_root_it_installs_only_what_is_missing(tmp_path: Path) -> None:
    env = _fake_machine(tmp_path, 0, set(_packages()) - {"chromium", "poppler-utils"})
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "apt.log").read_text().splitlines()
    assert log == ["apt-get update -qq", "apt-get install -y -qq chromium poppler-utils"]


def test_nothing_missing_is_nothing_to_do(tmp_path: Path) -> None:
    env = _fake_machine(tmp_path, 1000, set(_packages()))
    for args in ([], ["--check"]):
        result = subprocess.run(
            [str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False
        )
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_make_test_make_demo_and_ci_use_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^system:\n\t@scripts/system-packages$", makefile, re.M)
    for target in ("test", "demo", "pytest"):
        line = re.search(rf"^{target}:(.*)$", makefile, re.M)
        assert line is not None and "system" in line.group(1).split(), target
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/system-packages" in ci and "make test" in ci
    assert os.access(SCRIPT, os.X_OK)
