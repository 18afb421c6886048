"""A CSV in neither UTF-8 nor GBK is refused, not read as garbage (io/tables.py `csv_text`):
GB18030 decodes nearly any byte string, so a Big5 (Traditional Chinese) or Windows-1252 file
read as GBK would become mojibake. Real headers and cells, encoded for real; and any Chinese
text as Excel in China writes it (GB2312 hanzi, punctuation, a rare name among them) still
reads back as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.i18n import problem_text
from carbonpeak.io.activity_columns import ACTIVITY_SPECS, ENTERPRISE_SPECS
from carbonpeak.io.fleet import FLEET_SPECS
from carbonpeak.io.tables import csv_text, read_table, read_upload

# The activity headers as the template writes them, in Traditional Chinese (Big5 holds
# neither 统 nor 码): what a Taiwanese or Hong Kong Excel saves as "CSV".
BIG5_HEADERS = (
    "統一社會信用代碼 (enterprise_id),核算期 (period),品種 (item),消費量 (amount),單位 (unit)\n"
)
BIG5_ROW = "911302007A3K9C2D24,2025-03,原煤,9800,噸\n"


def _refused(tmp_path: Path, content: bytes) -> InputError:
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_table(path, "activity")
    return caught.value


def test_a_big5_file_is_refused_at_its_first_line_in_the_reader_s_language(
    tmp_path: Path,
) -> None:
    content = (BIG5_HEADERS + BIG5_ROW).encode("big5")
    content.decode("gb18030")  # the trap: the bytes decode as GB18030 without an error
    [problem] = _refused(tmp_path, content).problems
    assert problem.place.file == str(tmp_path / "a.csv") and problem.place.row == 1
    chinese, english = problem_text(problem, "zh_CN"), problem_text(problem, "en")
    assert "Big5" in chinese and "UTF-8" in chinese and "另存为 UTF-8" in chinese
    assert "Big5" in english and "save the CSV as UTF-8" in english


@pytest.mark.parametrize(
    ("text", "row"),
    [
        # a Chinese item name, in Big5, under English headers: 原煤 reads \ue165费
        ("enterprise_id,period,item,amount,unit\n911302007A3K9C2D24,2025-03,原煤,9800,t\n", 2),
        ("enterprise_id,name\n911302007A3K9C2D24,河北鋼鐵集團有限公司\n", 2),
    ],
)
def test_big5_cells_under_english_headers(tmp_path: Path, text: str, row: int) -> None:
    [problem] = _refused(tmp_path, text.encode("big5")).problems
    assert problem.place.row == row


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ("enterprise_id,name,city\n911302007A3K9C2D24,Müller Stahl,Köln\n", 2),  # M黮ler, K鰈n
        ("Straße,Größe\n1,2\n", 1),
        ("enterprise_id,name\n911302007A3K9C2D24,Aciéries Dupont\n", 2),  # Aci閞ies
    ],
)
def test_windows_1252_accents_are_refused(tmp_path: Path, text: str, row: int) -> None:
    content = text.encode("cp1252")
    content.decode("gb18030")  # each decodes as GB18030: the accent and the next letter a pair
    [problem] = _refused(tmp_path, content).problems
    assert problem.place.row == row and "Windows-1252" in problem.message


def test_an_upload_is_refused_by_the_name_it_was_given() -> None:
    with pytest.raises(InputError) as caught:
        read_upload("活动.csv", (BIG5_HEADERS + BIG5_ROW).encode("big5"), "activity")
    [problem] = caught.value.problems
    assert problem.place.file == "活动.csv" and problem.place.row == 1


def _gb2312_hanzi() -> list[str]:
    """The 6,763 hanzi of GB2312 (rows 16-87 of EUC-CN, lead bytes 0xB0-0xF7)."""
    out = []
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                out.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # the unassigned end of row 55
    return out


HANZI = _gb2312_hanzi()


def _gbk_only_hanzi() -> list[str]:
    """The ideographs of GBK outside GB2312 (its extension areas, GBK/3 and GBK/4)."""
    gb2312 = set(HANZI)
    out = []
    for lead in range(0x81, 0xFF):
        for trail in [*range(0x40, 0x7F), *range(0x80, 0xFF)]:
            try:
                char = bytes([lead, trail]).decode("gbk")
            except UnicodeDecodeError:
                continue
            if "\u4e00" <= char <= "\u9fff" and char not in gb2312:
                out.append(char)
    return out


RARE = _gbk_only_hanzi()
PUNCTUATION = list("，。、；：？！“”（）《》【】％℃—…·　ηΔ")
HEADERS = [s.header for s in (*ACTIVITY_SPECS, *ENTERPRISE_SPECS, *FLEET_SPECS)]

cells = st.text(
    st.one_of(
        st.sampled_from(HANZI),
        st.sampled_from(PUNCTUATION),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters=',"\n\r'),
    ),
    max_size=12,
)


def test_the_alphabets_are_what_they_claim() -> None:
    assert len(HANZI) == 6763 and len(RARE) > 14_000


@settings(max_examples=150, deadline=None)
@given(
    headers=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    rows=st.lists(st.lists(cells, min_size=1, max_size=6), min_size=1, max_size=5),
    rare=st.lists(st.sampled_from(RARE), max_size=4),
)
def test_chinese_text_saved_as_gbk_reads_back_as_written(
    tmp_path_factory: pytest.TempPathFactory,
    headers: list[str],
    rows: list[list[str]],
    rare: list[str],
) -> None:
    """Any table of GB2312 hanzi, punctuation and ASCII under real headers, with rare names
    (ideographs outside GB2312) among them as long as they are no more than a quarter of its
    non-ASCII characters, saved as GBK, reads back as written."""
    lines = [",".join(headers), *(",".join(r) for r in rows)]
    common = sum(not c.isascii() for c in "".join(lines))
    rare = rare[: common // 3]  # rare / (common + rare) <= 1/4
    if rare:
        lines[-1] += "," + "".join(rare)
    text = "\n".join(lines) + "\n"
    path = tmp_path_factory.mktemp("gbk") / "a.csv"
    path.write_bytes(text.encode("gbk"))
    assert csv_text(path) == text
