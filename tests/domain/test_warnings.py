"""The warning catalogue: `warn` builds warnings from it and refuses what it does not declare;
every code emitted in the source is declared, every declared code is emitted and documented;
warnings are made only through `warn` (no bare strings, no dict literals, no local types)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from carbonpeak.accounting.factors import WARNING_KINDS
from carbonpeak.domain.warnings import (
    DOC_END,
    DOC_START,
    ResultWarning,
    WarningRecord,
    catalogue,
    fields,
    markdown,
    text,
    text_zh,
    warn,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "carbonpeak"
# floor 1 and floor 2: where results and their warnings are made
CALCULATION = (
    "domain",
    "reference",
    "engine",
    "accounting",
    "benchmarking",
    "monitoring",
    "diagnosis",
    "market",
    "pathways",
    "policy",
    "product",
    "directory",
    "utilisation",
    "green",
)
MAKERS = {"warn", "refuse"}  # enpi's `refuse` is `warn` into the disqualification list


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SOURCE.rglob("*.py"))]


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def test_warn_fills_the_template_from_the_data() -> None:
    made = warn("accounting.fuel.default_ncv_used", items=["diesel", "fuel_oil"])
    assert made == ResultWarning(
        "accounting.fuel.default_ncv_used",
        "default ncv used for diesel, fuel_oil",
        {"items": ["diesel", "fuel_oil"]},
    )
    fallback = warn(
        "accounting.fuel.parameter_set_fallback", items=["lpg"], parameter_sets=["a", "b"]
    )
    assert fallback.message == "lpg: not in parameter set a; a later set was used"
    relief = warn("policy.dual_credit.cafc.small_volume_relief", relief=0.6)
    assert relief.message.startswith("small-volume relief: the compliance value relaxed by 60%")
    assert str(relief) == relief.message


def test_warn_refuses_an_undeclared_code_and_wrong_data() -> None:
    with pytest.raises(KeyError, match="not declared"):
        warn("accounting.something_new")
    with pytest.raises(TypeError, match="missing \\['items'\\]"):
        warn("accounting.fuel.default_ncv_used")
    with pytest.raises(TypeError, match="extra \\['unit'\\]"):
        warn("monitoring.rollup.no_factor", carrier="water", unit="m3")


def test_the_dict_form_reads_as_its_message() -> None:
    record = warn("policy.two_high.no_budget", budget="CO2").as_dict()
    assert isinstance(record, WarningRecord) and isinstance(record, dict)
    assert record == {
        "code": "policy.two_high.no_budget",
        "message": "no remaining CO2 budget of the region given: not checked",
        "data": {"budget": "CO2"},
    }
    assert str(record) == f"{record}" == record["message"]


def test_the_chinese_text_names_items_and_falls_back_to_none() -> None:
    record = warn("accounting.fuel.default_ncv_used", items=["diesel", "coke"]).as_dict()
    assert text_zh(record, {"diesel": "柴油"}) == "柴油、coke使用了低位发热量缺省值"
    assert text_zh({"code": "accounting.something_new", "data": {}}, {}) is None
    # data that cannot fill the text: no text, the caller keeps the message
    assert text_zh({"code": "accounting.factor.unverified", "data": {}}, {}) is None
    # stored before the data carried `count`: counted from its references, as before
    old = {"code": "accounting.factor.unverified", "data": {"references": [{}] * 2}}
    assert text_zh(old, {}) == "所用参考数据中有 2 项未核实"


def test_every_text_reads_only_declared_data_and_codes_follow_the_package_path() -> None:
    for code, declared in catalogue().items():
        assert fields(declared.en) | fields(declared.zh) <= set(declared.data), code
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", code), code
        wing, module = code.split(".")[:2]
        assert wing in CALCULATION, code
        if wing not in {"accounting", "benchmarking"}:  # their codes are stored: kept as they are
            assert (SOURCE / wing / module).is_dir() or (SOURCE / wing / f"{module}.py").exists()


def test_every_emitted_code_is_declared() -> None:
    declared = set(catalogue())
    emitted: set[str] = set()
    for path, module in _modules():
        for node in ast.walk(module):
            if isinstance(node, ast.Call) and _name(node.func) in MAKERS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    emitted.add(first.value)
                    assert first.value in declared, f"{path}:{node.lineno} {first.value}"
    # accounting stores a warning's kind as an integer: every kind but the grid cell is a code
    kinds = set(WARNING_KINDS) - {"accounting.electricity"}
    assert kinds <= declared
    assert emitted


def test_every_declared_code_is_used_and_documented() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py") if p.name != "warnings.py"
    )
    unused = [c for c in catalogue() if f'"{c}"' not in source]
    assert unused == []
    methods = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert [c for c in catalogue() if f"`{c}`" not in methods] == []


def test_the_doc_table_is_the_catalogue() -> None:
    methods = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    start, end = methods.index(DOC_START), methods.index(DOC_END) + len(DOC_END)
    assert methods[start:end] == markdown(), (
        "regenerate: python -m carbonpeak.domain.warnings docs/methods.md"
    )


def test_warnings_are_made_only_through_warn() -> None:
    for path, module in _modules():
        where = path.relative_to(SOURCE)
        for node in ast.walk(module):
            if isinstance(node, ast.Call) and _name(node.func) in {
                "ResultWarning",
                "WarningRecord",
            }:
                assert where == Path("domain/warnings.py"), f"{where}:{node.lineno}"
            if (
                isinstance(node, ast.Call)
                and _name(node.func) == "append"
                and isinstance(node.func, ast.Attribute)
                and _name(node.func.value).endswith("warnings")
                and node.args
            ):  # no bare-string warnings
                assert not isinstance(node.args[0], ast.Constant | ast.JoinedStr), (
                    f"{where}:{node.lineno}"
                )
            if isinstance(node, ast.Dict) and where.parts[0] in CALCULATION:
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                assert not {"code", "message"} <= keys, f"{where}:{node.lineno}: a dict warning"


def test_a_warning_stored_before_count_joined_its_data_keeps_its_chinese_text() -> None:
    from carbonpeak.reports.render import warning_text

    stored = {
        "code": "accounting.factor.unverified",
        "message": "14 reference value(s) used are unverified",
        "data": {"references": [{}] * 14},
    }
    text = warning_text(stored, "zh_CN")
    assert "14" in text and text != stored["message"]


def test_text_names_each_field_by_its_own_names() -> None:
    """`text` names a scalar field or each item of a list field through the names of its
    key only; a code without a name, or a field without names, reads as it is."""
    record = warn("accounting.electricity.regional_factor", province="130000", area="north")
    grids = {"north": "North China grid"}
    regions = {"130000": "Hebei"}
    assert text(record.as_dict(), "en", {"area": grids, "province": regions}) == (
        "no factor for province Hebei: North China grid used"
    )
    # the names of one key do not name another's codes
    assert (
        text(record.as_dict(), "en", {"area": regions})
        == "no factor for province 130000: north used"
    )
    assert text(record.as_dict(), "zh_CN", {"province": {"130000": "河北省"}}) == (
        "河北省没有电网排放因子：使用了north的因子"
    )
    listed = warn("accounting.fuel.default_ncv_used", items=["diesel", "coke"]).as_dict()
    assert text(listed, "en", {"items": {"diesel": "diesel oil"}}) == (
        "default ncv used for diesel oil, coke"
    )


@pytest.mark.parametrize("code", sorted(c for c, d in catalogue().items() if not d.data))
def test_without_names_the_english_text_is_the_message(code: str) -> None:
    record = warn(code).as_dict()
    assert text(record, "en", {}) == record["message"]
