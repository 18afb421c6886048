"""The CBAM communication written into the Commission's template (v2.1.1) and read back.

Loading the 1.3 MB template costs about 2.5 s and saving it 2–4 s on this machine, so the
property test runs a few examples only. The LibreOffice tests let the template's own formulas
check the written cells: headless LibreOffice recalculates the file (xlsx to xlsx) and the
template's results are compared with hand-worked values and with its printed examples.
"""

from __future__ import annotations

import hashlib
import math
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.io import cbam_cells as c
from carbonpeak.io.cbam_workbook import read_communication, write_communication
from carbonpeak.product.cbam_codes import (
    MAX_INCLUDED,
    MAX_PRECURSOR_ROUTES,
    ROUTES,
    CarbonPriceType,
    DataQuality,
    DefaultJustification,
    DirectOnly,
    ElecSource,
    GoodsCategory,
    RebateType,
    ReducingAgent,
    Route,
    ValueSource,
    Verification,
)
from carbonpeak.product.cbam_template import (
    Communication,
    GoodsLine,
    Installation,
    Precursor,
    Process,
    Product,
    Quality,
    ReportingPeriod,
    Verifier,
)
from tests.conftest import require_binary

SHA256 = "5a4e28fdbccfdca45a2c0520184b551a20c0c7bba3db79f87d78c9e58a6c0917"  # research22 §0.1


def _small() -> Communication:
    """One clinker kiln: 1 000 t of clinker, 416.44 tCO2 attributed, 50 MWh of electricity at a
    test factor of 0.5 tCO2/MWh (an input of this test, not a published factor)."""
    return Communication(
        period=ReportingPeriod(start=date(2025, 1, 1), end=date(2025, 12, 31)),
        installation=Installation(
            name="Example clinker plant",
            local_name="示例熟料厂",
            city="Tangshan",
            country="China",
            latitude=39.63,
            longitude=118.18,
            phone="0315 1234567",
        ),
        goods=(GoodsLine(category=GoodsCategory.CEMENT_CLINKER),),
        processes=(
            Process(
                category=GoodsCategory.CEMENT_CLINKER,
                included=(DirectOnly.ONLY_DIRECT,),
                name="Kiln 1",
                production={Route.ALL: 1000.0},
                market=1000.0,
                non_cbam=0.0,
                heat_applicable=False,
                waste_gas_applicable=False,
                direct_emissions=416.44,
                electricity=50.0,
                electricity_ef=0.5,
                electricity_ef_source=ElecSource.OTHER_PUBLIC,
                electricity_exported=0.0,
            ),
        ),
        products=(
            Product(
                process=1,
                cn_code="25231000",
                name="Clinker",
                carbon_price_type=CarbonPriceType.NATIONAL_ETS,
                carbon_price_share=0.5,
                currency="CNY",
                carbon_price_due=10.0,
                rebate_type=RebateType.FREE_ALLOCATION,
                rebate_share=0.2,
                rebate=4.0,
            ),
        ),
        quality=Quality(indirect_emissions=25.0, data_quality=DataQuality.MEASUREMENTS),
    )


def _full() -> Communication:
    """Every section used: two processes feeding each other, a purchased precursor, a verifier,
    and texts a cell could misread (a leading "=", digits)."""
    small = _small()
    steel = Process(
        category=GoodsCategory.CRUDE_STEEL,
        included=(DirectOnly.ONLY_DIRECT, GoodsCategory.PIG_IRON),
        name="=BOF shop",
        production={Route.BOF: 800.0, Route.UNKNOWN: 12.5},
        market=700.0,
        consumed_in={1: 100.0},
        direct_emissions=1500.0,
        heat_imported=1.5,
        heat_exported=0.25,
        heat_ef_imported=56.1,
        heat_ef_exported=56.1,
        waste_gas_imported=0.0,
        waste_gas_exported=2.0,
        waste_gas_ef_imported=0.0,
        waste_gas_ef_exported=100.0,
        electricity=80.0,
        electricity_ef=0.6,
        electricity_ef_source=ElecSource.MIX,
        electricity_exported=5.0,
        electricity_exported_ef=0.3,
    )
    pig = Precursor(
        category=GoodsCategory.PIG_IRON,
        country="CN",
        routes=(Route.BLAST_FURNACE, Route.OTHER),
        name="Purchased pig iron",
        purchased={Route.BLAST_FURNACE: 300.0, Route.OTHER: 20.0},
        consumed_in={2: 310.0},
        other_use=10.0,
        see_direct=1.9,
        see_direct_source=ValueSource.DEFAULT,
        electricity=0.1,
        electricity_source=ValueSource.UNKNOWN,
        electricity_ef=0.55,
        electricity_ef_source=ElecSource.IEA_COMMISSION,
        default_justification=DefaultJustification.DATA_GAPS,
    )
    bars = Product(
        process=2,
        cn_code="72071111",
        name="Billets",
        reducing_agent=ReducingAgent.COAL_COKE,
        steel_mill_id="000123",
        mn=0.5,
        carbon=0.2,
        scrap_per_t_steel=0.15,
        calcined=False,
        carbon_price_type=CarbonPriceType.NONE,
    )
    return small.model_copy(
        update={
            "verifier": Verifier(company="Verifier Co.", country="Germany", fax="123"),
            "goods": (
                GoodsLine(category=GoodsCategory.CEMENT_CLINKER),
                GoodsLine(category=GoodsCategory.CRUDE_STEEL, routes=(Route.BOF, Route.EAF)),
                GoodsLine(category=GoodsCategory.PIG_IRON, routes=(Route.BLAST_FURNACE,)),
            ),
            "processes": (*small.processes, steel),
            "precursors": (pig,),
            "products": (*small.products, bars),
            "quality": Quality(
                indirect_emissions=73.0,
                data_quality=DataQuality.SECTOR_FACTORS,
                default_justification=DefaultJustification.OTHER,
                verification=Verification.FOUR_EYES,
            ),
        }
    )


def _load(path: Path, *, values: bool = False) -> Any:
    return c.load(path, data_only=values)


def _edit(source: Path, target: Path, edits: dict[tuple[str, str], Any]) -> Path:
    book = _load(source)
    for (sheet, cell), value in edits.items():
        book[sheet][cell].value = value
    book.save(target)
    return target


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cbam") / "communication.xlsx"
    write_communication(_full(), path)
    return path


def test_the_vendored_template_is_the_commissions_file() -> None:
    content = c.template_path().read_bytes()
    assert len(content) == 1_333_557
    assert hashlib.sha256(content).hexdigest() == SHA256


def test_every_address_sits_under_the_template_label_it_was_read_from() -> None:
    assert c.label_problems(c.load(c.template_path()), "template") == []


def test_a_full_communication_reads_back_equal(written: Path) -> None:
    assert read_communication(written) == _full()


def test_the_written_file_is_still_the_template(written: Path) -> None:
    book, template = _load(written), _load(c.template_path())
    assert book.sheetnames == list(c.SHEETS)
    assert book["0_Versions"]["E38"].value == "2.1.1"
    assert [s.sheet_state for s in book.worksheets] == [s.sheet_state for s in template.worksheets]
    assert all(s.protection.sheet for s in book.worksheets)
    assert set(book.defined_names) == set(template.defined_names)
    for sheet in ("A_InstData", "D_Processes", "E_PurchPrec", "Summary_Products"):
        assert len(book[sheet].data_validations.dataValidation) == len(
            template[sheet].data_validations.dataValidation
        )
    # formulas stay formulas; a text that starts with "=" stays a text
    assert str(book["Summary_Products"]["I10"].value).startswith("=IF(")
    assert book["A_InstData"]["L84"].value == "=BOF shop"
    assert book["A_InstData"]["L84"].data_type == "s"


def test_the_writer_fills_only_the_templates_input_cells(written: Path) -> None:
    """Every cell the writer changed is an unlocked cell of the template (its input cells)."""
    book, template = _load(written), _load(c.template_path())
    changed = []
    for name in (c.INST, c.EMISSIONS, c.PROC, c.PREC, c.PRODUCTS):
        for row in template[name].iter_rows():
            for cell in row:
                if book[name][cell.coordinate].value != cell.value:
                    changed.append((name, cell.coordinate, cell.protection.locked))
    assert len(changed) > 80
    assert [(sheet, cell) for sheet, cell, locked in changed if locked] == []


def test_the_writer_replaces_the_target_whole(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    path.write_text("an older file")
    write_communication(_small(), path)
    assert read_communication(path) == _small()
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left


# --- bad input, each problem placed -------------------------------------------------------


def test_a_file_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(InputError) as caught:
        read_communication(path)
    assert caught.value.problems[0].place.file == "notes.xlsx"


def test_another_workbook_is_not_the_template(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InputError) as caught:
        read_communication(path)
    place = caught.value.problems[0].place
    assert (place.file, place.sheet) == ("other.xlsx", "0_Versions")


def test_another_version_is_refused_at_its_cell(written: Path, tmp_path: Path) -> None:
    path = _edit(written, tmp_path / "old.xlsx", {("0_Versions", "E38"): "2.1"})
    with pytest.raises(InputError) as caught:
        read_communication(path)
    [problem] = caught.value.problems
    assert (problem.place.sheet, problem.place.row, problem.place.column) == ("0_Versions", 38, "E")
    assert problem.values == ("2.1", "2.1.1")


def test_a_moved_label_is_refused(written: Path, tmp_path: Path) -> None:
    path = _edit(written, tmp_path / "moved.xlsx", {("D_Processes", "E54"): "=Translations!$B$262"})
    with pytest.raises(InputError) as caught:
        read_communication(path)
    [problem] = caught.value.problems
    assert (problem.place.sheet, problem.place.row, problem.place.column) == (
        "D_Processes",
        54,
        "E",
    )


def test_wrong_values_are_each_placed_at_their_cell(written: Path, tmp_path: Path) -> None:
    edits = {
        ("D_Processes", "L54"): "a lot",  # DirEm of process 1, a text
        ("A_InstData", "E84"): "Steel bars",  # not a goods category of the list
        ("A_InstData", "I9"): "soon",  # not a date
        ("D_Processes", "K50"): "maybe",  # heat applicable: not TRUE or FALSE
        ("Summary_Products", "D11"): "Kiln 9",  # no such process
        ("E_PurchPrec", "L21"): 5.0,  # pig iron has 4 routes: no 5th purchase row
    }
    path = _edit(written, tmp_path / "wrong.xlsx", edits)
    with pytest.raises(InputError) as caught:
        read_communication(path)
    placed = {(p.place.sheet, p.place.row, p.place.column) for p in caught.value.problems}
    assert placed == {
        ("D_Processes", 54, "L"),
        ("A_InstData", 84, "E"),
        ("A_InstData", 9, "I"),
        ("D_Processes", 50, "K"),
        ("Summary_Products", 11, "D"),
        ("E_PurchPrec", 21, "L"),
    }
    assert all(p.place.file == "wrong.xlsx" for p in caught.value.problems)


def test_a_gap_among_the_processes_is_placed(written: Path, tmp_path: Path) -> None:
    edits: dict[tuple[str, str], Any] = {("A_InstData", f"{col}83"): None for col in "EFL"}
    path = _edit(written, tmp_path / "gap.xlsx", edits)
    with pytest.raises(InputError) as caught:
        read_communication(path)
    rows = {(p.place.sheet, p.place.row) for p in caught.value.problems}
    assert ("A_InstData", 83) in rows


def test_a_17_digit_number_comes_back_within_one_ulp(tmp_path: Path) -> None:
    value = 0.35712487592125236  # needs 17 significant digits
    model = _small().model_copy(update={"installation": Installation(name="x", latitude=value)})
    path = tmp_path / "ulp.xlsx"
    write_communication(model, path)
    latitude = read_communication(path).installation.latitude
    assert latitude == float(f"{value:.16g}")
    assert latitude == pytest.approx(value, rel=2**-52)


# --- property: any valid communication reads back equal ------------------------------------

_TEXT = st.text(
    st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=12
).filter(str.strip)
# The xlsx carries 16 significant digits (openpyxl writes "%.16g"): the property is stated for
# numbers that fit in them; `test_a_17_digit_number_comes_back_within_one_ulp` covers the rest.
_NUMBER = (
    st.floats(allow_nan=False, allow_infinity=False)
    .map(lambda x: float(f"{x:.16g}"))
    .filter(math.isfinite)
)
_MAYBE = st.none() | _NUMBER


@st.composite
def _communications(draw: st.DrawFn) -> Communication:
    categories = draw(st.lists(st.sampled_from(GoodsCategory), unique=True, max_size=4))
    goods = tuple(
        GoodsLine(category=g, routes=tuple(draw(st.lists(st.sampled_from(ROUTES[g]), max_size=3))))
        for g in categories
    )
    count = draw(st.integers(0, 3 if categories else 0))
    names = draw(st.lists(_TEXT, min_size=count, max_size=count, unique=True))
    processes = []
    for number, name in enumerate(names, start=1):
        category = draw(st.sampled_from(categories))
        routes = draw(st.lists(st.sampled_from(ROUTES[category]), unique=True))
        others = [n for n in range(1, count + 1) if n != number]
        included = st.sampled_from([DirectOnly.ONLY_DIRECT, *categories])
        processes.append(
            Process(
                category=category,
                name=name,
                included=tuple(draw(st.lists(included, max_size=MAX_INCLUDED))),
                production={r: draw(_NUMBER) for r in routes},
                consumed_in={
                    n: draw(_NUMBER) for n in draw(st.lists(st.sampled_from(others), unique=True))
                }
                if others
                else {},
                direct_emissions=draw(_MAYBE),
                heat_applicable=draw(st.none() | st.booleans()),
                electricity=draw(_MAYBE),
                electricity_ef_source=draw(st.none() | st.sampled_from(ElecSource)),
                waste_gas_ef_exported=draw(_MAYBE),
            )
        )
    precursors = []
    for _ in range(draw(st.integers(0, 2))):
        category = draw(st.sampled_from(GoodsCategory))
        routes = draw(st.lists(st.sampled_from(ROUTES[category]), unique=True))
        used = draw(st.lists(st.integers(1, count), unique=True)) if count else []
        precursors.append(
            Precursor(
                category=category,
                country=draw(st.none() | st.from_regex(r"[A-Z]{2}", fullmatch=True)),
                routes=tuple(routes[:MAX_PRECURSOR_ROUTES]),
                name=draw(st.none() | _TEXT),
                purchased={r: draw(_NUMBER) for r in routes},
                consumed_in={n: draw(_NUMBER) for n in used},
                see_direct=draw(_MAYBE),
                see_direct_source=draw(st.none() | st.sampled_from(ValueSource)),
                default_justification=draw(st.none() | st.sampled_from(DefaultJustification)),
            )
        )
    products = [
        Product(
            process=draw(st.integers(1, count)),
            cn_code=draw(st.none() | st.from_regex(r"\d{8}", fullmatch=True)),
            name=draw(st.none() | _TEXT),
            steel_mill_id=draw(st.none() | _TEXT),
            mn=draw(_MAYBE),
            calcined=draw(st.none() | st.booleans()),
            carbon_price_type=draw(st.none() | st.sampled_from(CarbonPriceType)),
            currency=draw(st.none() | st.from_regex(r"[A-Z]{3}", fullmatch=True)),
            rebate=draw(_MAYBE),
        )
        for _ in range(draw(st.integers(0, 3 if count else 0)))
    ]
    start = draw(st.dates(min_value=date(1901, 1, 1), max_value=date(2100, 1, 1)))
    return Communication(
        period=ReportingPeriod(
            start=start, end=draw(st.dates(min_value=start, max_value=date(2100, 12, 31)))
        ),
        installation=Installation(
            name=draw(_TEXT),
            street=draw(st.none() | _TEXT),
            post_code=draw(st.none() | _TEXT),
            latitude=draw(st.none() | st.floats(-90, 90).map(lambda x: float(f"{x:.16g}"))),
        ),
        verifier=draw(st.none() | st.builds(Verifier, company=_TEXT, email=st.none() | _TEXT)),
        goods=goods,
        processes=tuple(processes),
        precursors=tuple(precursors),
        products=tuple(products),
        quality=draw(st.none() | st.builds(Quality, indirect_emissions=_NUMBER)),
    )


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_communications())
def test_any_communication_reads_back_equal(model: Communication) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.xlsx"
        write_communication(model, path)
        assert read_communication(path) == model


# --- the template's own formulas, recalculated by LibreOffice --------------------------------

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _recalculate(path: Path, folder: Path) -> Path:
    """The file as headless LibreOffice saves it after recalculating every formula (its
    profile set to recalculate xlsx files always, whatever the file's cached values)."""
    soffice = require_binary("soffice")
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS)
    out = folder / "recalculated"
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc"]
    subprocess.run(
        [*command, "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / path.name


def test_the_template_recomputes_its_printed_worked_examples(tmp_path: Path) -> None:
    require_binary("soffice")
    plain = tmp_path / "template.xlsx"
    c.load(c.template_path()).save(plain)  # openpyxl writes no cached results
    assert _load(plain, values=True)["B_EmInst"]["AU14"].value is None
    sheet = _load(_recalculate(plain, tmp_path), values=True)["B_EmInst"]
    # research22 §2.6: the template's examples, each hand-worked
    assert sheet["AX14"].value == pytest.approx(252_000 * 45 / 1000)  # 11 340 TJ
    assert sheet["AU14"].value == pytest.approx(252_000 * 45 / 1000 * 73)  # 827 820 tCO2
    assert sheet["AU15"].value == pytest.approx(121_000 * 0.08794)  # 10 640.74
    assert sheet["AU16"].value == pytest.approx(-1_808_226 * 0.003878 * 3.664)  # its 3.664
    assert sheet["AU16"].value == pytest.approx(-25_693.068768192)
    cf4 = 500_000 * 2.17 * 1.23 * 0.146 / 1000
    assert sheet["AN97"].value == pytest.approx(cf4)  # 194.8443 t CF4
    assert sheet["AO97"].value == pytest.approx(cf4 * 0.122)  # 23.7710046 t C2F6
    assert sheet["AU97"].value == pytest.approx((cf4 * 6630 + cf4 * 0.122 * 11100) / 0.98)
    assert sheet["AU97"].value == pytest.approx(1_587_424.347)
    assert sheet["AD111"].value == pytest.approx(64.2925 * 4 * 265 / 1000)  # 68.15005 t N2O
    assert sheet["AU111"].value == pytest.approx(64.2925 * 4 * 265 / 1000 * 265)  # 18 059.76325
    assert sheet["AU112"].value == pytest.approx(1820 * 5000 * 50 / 1000 * 0.85)  # 386 750 fossil
    assert sheet["AV112"].value == pytest.approx(1820 * 5000 * 50 / 1000 * 0.15)  # 68 250 bio


def test_the_template_computes_the_see_of_a_small_installation(tmp_path: Path) -> None:
    require_binary("soffice")
    path = tmp_path / "kiln.xlsx"
    write_communication(_small(), path)
    # two source streams in B_EmInst, as its examples enter them (HFO, raw meal)
    streams = {
        ("B_EmInst", "D17"): "Combustion",
        ("B_EmInst", "E17"): "Heavy fuel oil",
        ("B_EmInst", "F17"): 100,
        ("B_EmInst", "G17"): "t",
        ("B_EmInst", "H17"): 45,
        ("B_EmInst", "J17"): 73,
        ("B_EmInst", "K17"): "tCO2/TJ",
        ("B_EmInst", "N17"): 100,
        ("B_EmInst", "R17"): 0,
        ("B_EmInst", "D18"): "Process emissions",
        ("B_EmInst", "E18"): "Raw meal",
        ("B_EmInst", "F18"): 1000,
        ("B_EmInst", "G18"): "t",
        ("B_EmInst", "J18"): 0.08794,
        ("B_EmInst", "K18"): "tCO2/t",
        ("B_EmInst", "P18"): 100,
        ("B_EmInst", "R18"): 0,
    }
    recalculated = _recalculate(_edit(path, path, streams), tmp_path)
    book = _load(recalculated, values=True)
    emissions = book["B_EmInst"]
    assert emissions["AU17"].value == pytest.approx(100 * 45 / 1000 * 73)  # 328.5 tCO2
    assert emissions["AU18"].value == pytest.approx(1000 * 0.08794)  # 87.94 tCO2
    assert book["C_Emissions&Energy"]["H25"].value == pytest.approx(328.5 + 87.94)
    row = book["Summary_Products"]
    assert row["E10"].value == "Cement clinker"  # the process's category, by its name
    assert row["G10"].value == "Cement clinkers"  # the CN code found in the template's list
    assert row["I10"].value == pytest.approx(416.44 / 1000)  # SEE direct, tCO2e/t
    assert row["J10"].value == pytest.approx(50 * 0.5 / 1000)  # SEE indirect
    assert row["K10"].value == pytest.approx(416.44 / 1000 + 50 * 0.5 / 1000)
    assert row["O10"].value == pytest.approx(50 / 1000)  # embedded electricity, MWh/t
    assert row["N10"].value == "D.4(b)"
    assert row["AN10"].value == pytest.approx((416.44 + 25) / 1000 * 0.5)  # SEE total x share
    assert row["AZ10"].value == pytest.approx(10.0 - 4.0)  # effective price due
    # the file LibreOffice saved still reads back as what was written
    assert read_communication(recalculated) == _small()


def test_the_template_adds_a_purchased_precursor_and_imported_heat(tmp_path: Path) -> None:
    """A BOF shop: 1 000 t of crude steel, 500 tCO2 attributed, 2 TJ of heat imported at
    56.1 tCO2/TJ, 800 t of purchased pig iron at a SEE of 1.9 tCO2e/t and 0.1 MWh/t, 100 MWh
    of its own electricity; electricity factors 0.5 tCO2/MWh (inputs of this test)."""
    require_binary("soffice")
    model = Communication(
        period=ReportingPeriod(start=date(2025, 1, 1), end=date(2025, 12, 31)),
        installation=Installation(name="Example steel mill"),
        goods=(GoodsLine(category=GoodsCategory.CRUDE_STEEL, routes=(Route.BOF,)),),
        processes=(
            Process(
                category=GoodsCategory.CRUDE_STEEL,
                included=(DirectOnly.ONLY_DIRECT,),
                name="BOF shop",
                production={Route.BOF: 1000.0},
                market=1000.0,
                non_cbam=0.0,
                heat_applicable=True,
                waste_gas_applicable=False,
                direct_emissions=500.0,
                heat_imported=2.0,
                heat_exported=0.0,
                heat_ef_imported=56.1,
                heat_ef_exported=0.0,
                electricity=100.0,
                electricity_ef=0.5,
                electricity_ef_source=ElecSource.OTHER_PUBLIC,
                electricity_exported=0.0,
            ),
        ),
        precursors=(
            Precursor(
                category=GoodsCategory.PIG_IRON,
                country="CN",
                routes=(Route.BLAST_FURNACE,),
                name="Pig iron bought",
                purchased={Route.BLAST_FURNACE: 800.0},
                consumed_in={1: 800.0},
                other_use=0.0,
                see_direct=1.9,
                see_direct_source=ValueSource.DEFAULT,
                electricity=0.1,
                electricity_source=ValueSource.DEFAULT,
                electricity_ef=0.5,
                electricity_ef_source=ElecSource.IEA_COMMISSION,
                default_justification=DefaultJustification.DATA_GAPS,
            ),
        ),
        products=(Product(process=1, cn_code="72071111", name="Billets"),),
    )
    path = tmp_path / "steel.xlsx"
    write_communication(model, path)
    recalculated = _recalculate(path, tmp_path)
    row = _load(recalculated, values=True)["Summary_Products"]
    direct = 500 + 2 * 56.1 + 800 * 1.9  # attributed + heat imported + precursor, tCO2e
    assert row["E10"].value == "Crude steel"
    assert row["I10"].value == pytest.approx(direct / 1000)  # 2.1322
    assert row["J10"].value == pytest.approx((100 * 0.5 + 800 * 0.1 * 0.5) / 1000)  # 0.09
    assert row["O10"].value == pytest.approx((100 + 800 * 0.1) / 1000)  # 0.18 MWh/t
    assert row["M10"].value == pytest.approx(800 * 1.9 / direct)  # share from default values
    assert read_communication(recalculated) == model
