"""Every command that reads a file gets every file of the gallery: exit 2 with a problem that
names the file, never a traceback or exit 70 (issue 15, items 5 and 8)."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer

from carbonpeak.cli import app
from carbonpeak.services.users import add_user
from carbonpeak.store.db import make_engine, transaction, upgrade
from tests.gallery.files import CONTENTS, FOLDERS, gallery

Cli = Callable[..., tuple[int, str, str]]
EXAMPLES = Path(__file__).parents[2] / "examples"

PRODUCT_YEAR = ("--enterprise", "911302007A3K9C2D24", "--year", "2024")
# Each command that reads a file, with the other arguments it needs ({lake}: a lake folder).
COMMANDS: dict[str, tuple[str, ...]] = {
    "accounting account": (),
    "accounting rollup": (),
    "accounting submit": ("--as", "admin"),
    "benchmarking grade": (),
    "benchmarking carbon-efficiency": (),
    "budgets import": ("--as", "admin"),
    "budgets thresholds": ("--as", "admin", "--region", "130000", "--document", "a notice"),
    "monitoring enpi": ("--energy", "energy", "--drivers", "hdd"),
    "monitoring ingest": ("--meters", str(EXAMPLES / "meters.csv"), "--lake", "{lake}"),
    "monitoring drivers": ("--lake", "{lake}"),
    "credits compute": ("--year", "2024"),
    "credits industry": ("--year", "2024"),
    "credits plan": (),
    "credits ledger": (),
    "policy swap": (),
    "policy projects": (),
    "policy datacentre": (),
    "policy factory": (),
    "policy caps": (),
    "pathways run": (),
    "pathways stirpat": ("--target", "co2", "--drivers", "population"),
    "pathways lmdi": ("--factors", "a,b"),
    "diagnosis run": (),
    "directory import": (
        "--as",
        "admin",
        "--catalogue",
        "g",
        "--source-id",
        "g_src",
        "--title",
        "G",
        "--number",
        "1",
    ),
    "product footprint": (str(EXAMPLES / "product_map.xlsx"), *PRODUCT_YEAR),
    "product cbam": (str(EXAMPLES / "product_map.xlsx"), *PRODUCT_YEAR),
    "product exchange export": (
        str(EXAMPLES / "product_map.xlsx"),
        *PRODUCT_YEAR,
        "--out",
        "{lake}.json",
        "--company",
        "c",
        "--fossil-carbon",
        "clinker=0",
    ),
    "product exchange read": (),
    "product exchange import": ("--as", "admin", "--enterprise", "911302007A3K9C2D24"),
    "reference import": ("--as", "admin"),
    "green import-list": (
        "--kind",
        "building_material",
        "--as",
        "admin",
        "--source-id",
        "gallery_list",
        "--title",
        "a gallery file",
        "--note",
        "a test",
    ),
    "market account": ("--sector", "steel"),
    "market reconcile": ("--sector", "steel"),
    "market allocate": ("--sector", "steel", "--year", "2025"),
    "market balance": ("--sector", "steel", "--holder", "911302005B8M2P4Q99", "--year", "2024"),
    "market plan": (),
    "utilisation check": (),
    "utilisation upload": ("--as", "admin"),
}
# A file given to an option of a command whose main input is good.
OPTIONS: dict[str, tuple[str, ...]] = {
    "product footprint MAP": (str(EXAMPLES / "product_activity.csv"), *PRODUCT_YEAR),
    "accounting account --enterprises": (str(EXAMPLES / "activity.csv"), "--enterprises"),
    "monitoring ingest --meters": (
        str(EXAMPLES / "readings.csv"),
        "--lake",
        "{lake}",
        "--meters",
    ),
    "market account --processes": (
        str(EXAMPLES / "market_steel.csv"),
        "--sector",
        "steel",
        "--processes",
    ),
    "market allocate --balance-values": (
        str(EXAMPLES / "market_steel.csv"),
        "--sector",
        "steel",
        "--year",
        "2025",
        "--processes",
        str(EXAMPLES / "market_steel_processes.csv"),
        "--balance-values",
    ),
}
WRITES = {
    "accounting template",
    "accounting form-template",
    "budgets export",
    "diagnosis template",
    "directory export",
    "monitoring meters-template",
    "pathways template",
    "product template",
    "utilisation template",
    "utilisation export",
    "reference edition-template",
    "reference export",
}  # its file argument is where it writes


def _reading_commands() -> set[str]:
    """The commands with a file (a `Path`) as their required argument."""
    found = set()

    def walk(node: typer.main.TyperGroup | typing.Any, path: list[str]) -> None:
        if hasattr(node, "commands"):
            for name, child in node.commands.items():
                if not child.hidden:
                    walk(child, [*path, name])
            return
        hints = typing.get_type_hints(node.callback, include_extras=True)
        for param in node.params:
            if param.param_type_name == "argument" and "Path" in str(hints.get(param.name)):
                found.add(" ".join(path))

    walk(typer.main.get_command(app), [])
    return found


def test_the_gallery_covers_every_command_that_reads_a_file() -> None:
    assert _reading_commands() - WRITES == set(COMMANDS)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the gallery, and a store with an admin (for `accounting submit`); made
    once for the module (the commands only read it, or fail before they write)."""
    base = tmp_path_factory.mktemp("gallery")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARBONPEAK_HOME", str(base / "home"))
        engine = make_engine()
        upgrade(engine)
        with transaction(engine) as session:
            add_user(
                session, "admin", "admin", "a long enough password", duties=["reference_editor"]
            )
        engine.dispose()
        (base / "files").mkdir()
        gallery(base / "files")
        yield base


NAMES = [*CONTENTS, *FOLDERS]


def _refused(code: int, out: str, err: str, name: str) -> None:
    said = out + err
    assert code == 2, said
    assert "Traceback" not in said and "internal error" not in said
    assert name in said, said


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_refuses_every_bad_file(
    cli: Cli, place: Path, command: str, name: str
) -> None:
    extra = [a.replace("{lake}", str(place / "lake")) for a in COMMANDS[command]]
    _refused(*cli(*command.split(), str(place / "files" / name), *extra), name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_every_file_option_refuses_every_bad_file(
    cli: Cli, place: Path, option: str, name: str
) -> None:
    command = option.split()[:2]
    extra = [a.replace("{lake}", str(place / "lake")) for a in OPTIONS[option]]
    _refused(*cli(*command, *extra, str(place / "files" / name)), name)
