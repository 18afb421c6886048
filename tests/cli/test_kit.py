"""The CLI's shared kit and its house rules: the one way to fail (exit 2, each problem placed),
documents read with a placed problem, and small modules that import no store and no sibling."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import carbonpeak.cli
from carbonpeak.cli._kit import placed, print_json, read_document, report
from carbonpeak.errors import N_, InputError, Place, Problem

Cli = Callable[..., tuple[int, str, str]]
PACKAGE = Path(carbonpeak.cli.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("monitoring", "quality", "--lake", "x", "--from", "2024-13-01"), "--from '2024-13-01'"),
        (("monitoring", "rollup", "--lake", "x", "--out", "x.txt"), "--out x.txt: name it"),
        (("pathways", "lmdi", "x.csv", "--factors", " , "), "--factors: name at least one"),
        (("pathways", "run", "x.yaml", "--compare", "BAU"), "--compare 'BAU': give BASE,OTHER"),
        (("credits", "plan", "x.yaml", "--price", "2025"), "--price '2025' is not YEAR=PRICE"),
        (("policy", "caps", "x.csv", "--change", "-0.1"), "--change: give --base and a later"),
        (("diagnosis", "run"), "PLANT: give the plant file"),
        (("directory", "export", "x.pdf"), "PATH x.pdf: name it *.csv or *.xlsx"),
        (("users", "add", "y", "--role", "admin"), "--password-stdin"),
        (("utilisation", "rates", "--as", "x", "--by", "moon"), "--by is one of"),
    ],
)
def test_a_refused_option_is_one_line_and_exit_2(
    cli: Cli, args: tuple[str, ...], message: str
) -> None:
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


def test_a_document_problem_is_placed_in_its_file(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("policy", "factory", str(tmp_path / "none.yaml"))
    assert code == 2 and err == f"error: {tmp_path / 'none.yaml'}: file not found\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [", encoding="utf-8")
    code, _, err = cli("credits", "plan", str(bad))
    assert code == 2 and err.startswith(f"error: {bad}: not YAML or JSON (")


def test_placed_keeps_row_column_template_and_a_file_named_already() -> None:
    inner = Problem.of(Place(row=3, column="amount"), N_("{} is negative"), -1)
    elsewhere = Problem(Place(file="other.csv", row=2), "missing")
    with pytest.raises(InputError) as raised, placed(Path("book.xlsx"), "activity"):
        raise InputError([inner, elsewhere])
    first, second = raised.value.problems
    assert first.place == Place(file="book.xlsx", sheet="activity", row=3, column="amount")
    assert (first.template, first.values) == ("{} is negative", (-1,))
    assert second == elsewhere
    with pytest.raises(InputError) as raised, placed(Path("plant.yaml"), "ignored"):
        raise InputError(Problem(Place(field="equipment.0"), "bad"))
    assert str(raised.value) == "plant.yaml, field equipment.0: bad"  # a sheet only in a workbook


def test_read_document_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read_document(tmp_path / "none.yaml")
    [problem] = raised.value.problems
    assert problem.place.file == str(tmp_path / "none.yaml") and problem.template


def test_report_shows_the_first_problems_and_counts_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    problems = [Problem(Place(file="a.csv", row=r), "bad") for r in range(2, 302)]
    assert report(InputError(problems)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "error: a.csv, row 2: bad" and len(lines) == 202
    assert lines[-2:] == ["... and 100 more", "300 problem(s); nothing was computed or written"]


def test_no_module_is_over_400_lines() -> None:
    sizes = {m.name: len(m.read_text(encoding="utf-8").splitlines()) for m in MODULES}
    assert max(sizes.values()) <= 400, sizes


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_the_floors(module: Path) -> None:
    """No command opens the store or imports its models (services do); no surface imports
    another surface; only the package's __init__ imports the group modules."""
    imports = _imports(module)
    assert not {i for i in imports if i.startswith("carbonpeak.store")}
    assert not {i for i in imports if i.startswith(("carbonpeak.api", "carbonpeak.web"))}
    if module.name != "__init__.py":
        groups = {f"carbonpeak.cli.{m.stem}" for m in MODULES if not m.stem.startswith("_")}
        assert not imports & groups


def test_json_output_is_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"rows": [{"energy_tce": 1.5, "day": date(2024, 1, 1)}]})
    assert json.loads(capsys.readouterr().out)["rows"][0]["day"] == "2024-01-01"
    with pytest.raises(InputError) as raised:
        print_json({"rows": [{"energy_tce": 1.5}, {"energy_tce": float("inf")}]})
    assert "rows[1].energy_tce" in str(raised.value)
    assert capsys.readouterr().out == ""  # nothing half-written
