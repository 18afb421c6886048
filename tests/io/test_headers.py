"""The bilingual column specs and the header and choice mapping (io/headers.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.io.headers import (
    ColumnSpec,
    choice_codes,
    map_headers,
    translate_choices,
)

SPECS = (
    ColumnSpec("enterprise_id", "统一社会信用代码"),
    ColumnSpec("amount", "数量"),
    ColumnSpec("ncv", "低位发热量", unit="GJ/t"),
    ColumnSpec("stream", "类别", choices=(("fuel", "燃料"), ("heat", "热力")), aliases=("流",)),
)


def test_header_written_by_a_template() -> None:
    assert SPECS[0].header == "统一社会信用代码 (enterprise_id)"
    assert SPECS[2].header == "低位发热量 (ncv) [GJ/t]"


def test_chinese_english_and_combined_headers_map_to_codes() -> None:
    headers = ["统一社会信用代码", "amount", "低位发热量（ncv）（GJ/t）", "流"]
    columns, problems = map_headers(headers, SPECS)
    assert problems == []
    assert columns == dict(zip(["enterprise_id", "amount", "ncv", "stream"], headers, strict=True))


def test_unknown_header_is_placed_as_written() -> None:
    columns, problems = map_headers(["统一社会信用代码", "企业名称 "], SPECS, "a.xlsx", "activity")
    assert columns == {"enterprise_id": "统一社会信用代码"}
    [problem] = problems
    assert (problem.place.file, problem.place.sheet) == ("a.xlsx", "activity")
    assert (problem.place.row, problem.place.column) == (1, "企业名称 ")
    assert "企业名称" in problem.message


def test_wrong_or_needless_unit_note_and_repeats_are_problems() -> None:
    _, problems = map_headers(
        ["低位发热量 (MJ/kg)", "数量（吨）", "amount", "数量 (amount)"], SPECS
    )
    assert [p.place.column for p in problems] == [
        "低位发热量 (MJ/kg)",
        "数量（吨）",
        "数量 (amount)",
    ]
    assert "GJ/t" in problems[0].message


def test_label_and_code_of_different_columns_is_a_problem() -> None:
    _, problems = map_headers(["数量 (ncv)"], SPECS)
    assert len(problems) == 1 and "two columns" in problems[0].message


def test_choices_as_code_label_or_both_full_width_too() -> None:
    codes = choice_codes(SPECS[3].choices)
    values, unknown = translate_choices(["燃料", "ＦＵＥＬ", "热力 （heat）", "", "煤气"], codes)
    assert values == ["fuel", "fuel", "heat", "", "煤气"]
    assert unknown == [4]


@given(
    st.lists(st.sampled_from(SPECS), unique=True, min_size=1),
    st.lists(st.sampled_from(["plain", "wide", "label", "code"]), min_size=4, max_size=4),
)
def test_any_header_set_written_maps_back_to_its_codes(
    specs: list[ColumnSpec], forms: list[str]
) -> None:
    def written(spec: ColumnSpec, form: str) -> str:
        if form == "wide":
            return spec.header.replace("(", "（").replace(")", "）")
        return {"plain": spec.header, "label": spec.label, "code": spec.code}[form]

    headers = [written(s, forms[i % 4]) for i, s in enumerate(specs)]
    columns, problems = map_headers(headers, SPECS)
    assert problems == []
    assert list(columns) == [s.code for s in specs]


@given(st.data())
def test_template_headers_map_back_to_their_codes_in_any_order(data: st.DataObject) -> None:
    """Any subset, in any order, of the headers a template writes (as written, with
    full-width brackets, or the label alone) maps back to its codes without a problem."""
    from carbonpeak.io.activity_columns import ACTIVITY_SPECS, ENTERPRISE_SPECS
    from carbonpeak.io.meter_sheet import METER_SPECS

    specs = data.draw(st.sampled_from([ACTIVITY_SPECS, ENTERPRISE_SPECS, METER_SPECS]))
    chosen = data.draw(st.permutations(specs).flatmap(lambda p: st.just(p[: max(1, len(p) // 2)])))
    headers = [
        data.draw(
            st.sampled_from(
                [s.header, s.header.replace("(", "（").replace(")", "）"), s.label, s.code]
            )
        )
        for s in chosen
    ]
    columns, problems = map_headers(headers, specs)
    assert problems == []
    assert columns == dict(zip([s.code for s in chosen], headers, strict=True))
