"""The command groups named after the wings, and today's names kept working as hidden aliases:
the same command under both names gives the same output."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

from carbonpeak.cli import GROUPS, app
from carbonpeak.cli.policy import COMMANDS
from carbonpeak.policy import INSTRUMENTS
from tests.policy.test_capacity_swap import TANGSHAN, _steel
from tests.policy.test_data_centre import _centre
from tests.policy.test_energy_caps import TABLE
from tests.policy.test_green_factory import _sheet
from tests.policy.test_two_high import _clinker

Cli = Callable[..., tuple[int, str, str]]
EXAMPLES = Path(__file__).parents[2] / "examples"
ACTIVITY = (str(EXAMPLES / "activity.csv"), "--enterprises", str(EXAMPLES / "enterprises.csv"))

DOCUMENTS: dict[str, Callable[[], Any]] = {
    "swap": lambda: _steel(TANGSHAN, 15_000_000),
    "projects": lambda: _clinker(98),
    "datacentre": lambda: _centre(1.2),
    "factory": _sheet,
}


def _input(name: str, tmp_path: Path) -> Path:
    if name == "caps":
        path = tmp_path / "regions.csv"
        path.write_text(TABLE, encoding="utf-8")
    else:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(DOCUMENTS[name]()), encoding="utf-8")
    return path


def test_every_instrument_is_tested() -> None:
    assert {c.name for c in COMMANDS} == {*DOCUMENTS, "caps"}


def test_every_instrument_of_the_registry_has_its_command() -> None:
    assert sorted(c.kind for c in COMMANDS) == sorted(INSTRUMENTS)


@pytest.mark.parametrize("instrument", COMMANDS, ids=lambda c: c.name)
def test_a_policy_command_and_its_old_name(cli: Cli, tmp_path: Path, instrument: Any) -> None:
    path = str(_input(instrument.name, tmp_path))
    for form in ([], ["--json"]):
        new = cli("policy", instrument.name, path, *form)
        old = cli(instrument.old_group, instrument.old_verb, path, *form)
        assert new[0] == 0, new[2]
        assert new == old


def test_a_bad_policy_document_fails_the_same_under_both_names(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text(json.dumps({**_steel(TANGSHAN, 1), "sector": "paper"}), encoding="utf-8")
    new = cli("policy", "swap", str(path))
    assert new == cli("swap", "check", str(path))
    assert new[0] == 2 and f"error: {path}, field sector: " in new[2]


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (("accounting", "account", *ACTIVITY, "--json"), ("account", *ACTIVITY, "--json")),
        (
            ("accounting", "rollup", *ACTIVITY, "--by", "province_code"),
            ("rollup", *ACTIVITY, "--by", "province_code"),
        ),
        (("benchmarking", "grade", *ACTIVITY, "--json"), ("benchmark", *ACTIVITY, "--json")),
        (("diagnosis", "run", "--example"), ("diagnose", "--example")),
        (
            ("monitoring", "anomalies", "--lake", "x", "--level", "week"),
            ("monitor", "anomalies", "--lake", "x", "--level", "week"),
        ),
    ],
    ids=["account", "rollup", "benchmark", "diagnose", "monitor"],
)
def test_a_command_and_its_old_name(cli: Cli, new: tuple[str, ...], old: tuple[str, ...]) -> None:
    assert cli(*new) == cli(*old)


def test_monitoring_and_monitor_are_one_group(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("enterprise_id,day,production_t\n911302007A3K9C2D24,2024-01-01,5\n")
    lake = str(tmp_path / "lake")
    code, out, err = cli("monitoring", "drivers", str(path), "--lake", lake, "--json")
    assert code == 0 and json.loads(out) == {"rows": 1, "new_parts": 1}, err
    code, out, _ = cli("monitor", "drivers", str(path), "--lake", lake)
    assert code == 0 and "already in the lake" in out


def test_the_template_under_both_names(cli: Cli, tmp_path: Path) -> None:
    for args in (("accounting", "template"), ("template", "activity")):
        path = tmp_path / f"{args[0]}.xlsx"
        code, out, _ = cli(*args, str(path))
        assert code == 0 and path.exists()
        assert "sheets 活动数据 (activity), 企业 (enterprises)" in out


def test_the_store_under_both_names(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    code, _, err = cli("store", "audit-verify")
    assert code == 2 and "has no schema" in err
    code, out, _ = cli("store", "upgrade", "--json")
    assert code == 0 and json.loads(out)["from"] is None
    code, out, _ = cli("db", "upgrade", "--json")
    assert code == 0 and json.loads(out)["from"] == json.loads(out)["to"]
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli("users", "add", "root", "--role", "admin", "--password-stdin")[0] == 0
    # an empty store knows none of the file's enterprises: placed problems, exit 2
    source = str(EXAMPLES / "activity.csv")
    new = cli("accounting", "submit", source, "--as", "root")
    assert new == cli("submit", source, "--as", "root")
    assert new[0] == 2
    assert f"error: {source}, row 2, column enterprise_id: 911302007A3K9C2D24: no such" in new[2]
    code, _, err = cli("submit", source, "--as", "nobody")
    assert code == 2 and "error: no user 'nobody'" in err
    assert cli("store", "audit-verify") == cli("audit", "verify")
    assert cli("audit", "verify")[:2] == (0, "audit log: 1 entries, chain intact\n")


def test_help_shows_the_wings_and_hides_the_old_names() -> None:
    root = typer.main.get_command(app)
    commands: dict[str, Any] = dict(getattr(root, "commands", {}))
    visible = {name for name, command in commands.items() if not command.hidden}
    hidden = {name for name, command in commands.items() if command.hidden}
    assert visible == {
        "reference",
        "validate",
        "units",
        "accounting",
        "benchmarking",
        "monitoring",
        "budgets",
        "credits",
        "market",
        "product",
        "utilisation",
        "policy",
        "pathways",
        "diagnosis",
        "green",
        "directory",
        "store",
        "users",
        "demo",
        "serve",
    }
    assert hidden == {
        "account",
        "rollup",
        "submit",
        "template",
        "benchmark",
        "monitor",
        "swap",
        "projects",
        "datacentre",
        "factory",
        "caps",
        "diagnose",
        "db",
        "audit",
    }
    assert len(GROUPS) == len(visible) - 1  # demo brings two commands, demo and serve
    for name in hidden:  # each group's help names its old names
        assert any(name in (commands[v].help or "") for v in visible), name
