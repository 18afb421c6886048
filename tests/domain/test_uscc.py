"""Unified social credit codes, GB 32100-2015."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.domain.uscc import (
    ALPHABET,
    WEIGHTS,
    check_character,
    check_uscc,
    make_uscc,
    organisation_check_character,
    parse_uscc,
)
from carbonpeak.errors import CodeError

# Codes published for real enterprises, copied as found (public filings and registry extracts
# quoted in public repositories; see docs/reference.md for where each was seen).
REAL_CODES = [
    ("91310000631696382C", "宝山钢铁股份有限公司"),
    ("91340000610400837Y", "马鞍山钢铁股份有限公司"),
    ("91140000110114391W", "太原钢铁（集团）有限公司"),
    ("911301317343451044", "敬业钢铁有限公司"),
    ("91110000100003495Y", "中国建材股份有限公司"),
    ("914200007068068827", "华新水泥股份有限公司"),
    ("913700007058303114", "山东南山铝业股份有限公司"),
    ("91310000132212291W", "中国石化上海石油化工股份有限公司"),
    ("91310000MA1K38CF47", "中国石化上海高桥石油化工有限公司"),
    ("9137172816928036XB", "山东东明石化集团有限公司"),
    ("91440300192317458F", "比亚迪股份有限公司"),
    ("91220101571145270J", "中国第一汽车股份有限公司"),
    ("91340000MA2RCF4L9Q", "大众汽车（安徽）有限公司"),
]


def test_weights_are_powers_of_three_mod_31() -> None:
    # GB 32100-2015 §4.3: W_i = 3^(i-1) mod 31.
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize(("code", "name"), REAL_CODES)
def test_real_published_codes_are_valid(code: str, name: str) -> None:
    verdict = check_uscc(code)
    assert verdict.valid, (name, verdict.reason)
    assert verdict.warnings == ()
    parsed = parse_uscc(code)
    assert parsed.region_code == code[2:8]
    assert parsed.entity_type_name == "enterprise"


def test_worked_example_of_the_standard() -> None:
    # The standard's example 91350100M000100Y4Z: weighted sum 1640, 1640 mod 31 = 28,
    # so the check character must be 31 - 28 = 3, and the printed Z is wrong.
    assert check_character("91350100M000100Y4") == "3"
    verdict = check_uscc("91350100M000100Y4Z")
    assert not verdict.valid
    assert verdict.expected_check == "3"
    assert "expected '3'" in (verdict.reason or "")


def test_wrong_check_character_names_the_expected_one() -> None:
    verdict = check_uscc("91310000631696382D")
    assert not verdict.valid
    assert verdict.expected_check == "C"
    assert verdict.reason == "check character is 'D', expected 'C'"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("9131000063169638", "has 16 characters, a code has 18"),
        ("91310000631696382c", "lower-case"),
        (
            "913100006316963O2C",
            "character 16 'O' is not allowed in a code (the standard leaves out O; perhaps 0?)",
        ),
        ("9131000063169638-C", "character 17 '-' is not allowed"),
        ("B1310000631696382C", "characters 1-2 'B1' are not a registration authority"),
        ("94310000631696382C", "characters 1-2 '94' are not a registration authority"),
        ("9131A000631696382C", "characters 3-8 '31A000' are not a 6-digit region code"),
    ],
)
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    verdict = check_uscc(code)
    assert not verdict.valid
    assert reason in (verdict.reason or "")
    assert verdict.expected_check is None


def test_parse_raises_code_error_with_reason() -> None:
    with pytest.raises(CodeError, match="expected 'C'"):
        parse_uscc("91310000631696382D")


def test_organisation_code_check_of_gb11714() -> None:
    # Baosteel's organisation code 63169638-2 and Dongming's 16928036-X.
    assert organisation_check_character("63169638") == "2"
    assert organisation_check_character("16928036") == "X"
    # A code valid under GB 32100 whose organisation code is not valid under GB 11714 is
    # accepted with a warning.
    code = make_uscc("91310000631696381")
    verdict = check_uscc(code)
    assert verdict.valid
    assert verdict.warnings and "expected '2'" in verdict.warnings[0].message


codes17 = st.builds(
    lambda region, body: "91" + region + body,
    st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


@given(first17=codes17, position=st.integers(0, 16), shift=st.integers(1, 30))
def test_any_single_substitution_is_detected(first17: str, position: int, shift: int) -> None:
    # The weights are units mod the prime 31, so changing one character always changes the
    # check character.
    code = make_uscc(first17)
    value = ALPHABET.index(code[position])
    changed = code[:position] + ALPHABET[(value + shift) % 31] + code[position + 1 :]
    assert check_character(changed[:17]) != code[17]


@given(first17=codes17)
def test_made_codes_are_valid(first17: str) -> None:
    assert check_uscc(make_uscc(first17)).valid


@given(
    first17=st.lists(codes17, min_size=1, max_size=20),
    noise=st.lists(st.text(min_size=0, max_size=20), max_size=10),
    position=st.integers(0, 17),
)
def test_many_codes_at_once_agree_with_one_at_a_time(
    first17: list[str], noise: list[str], position: int
) -> None:
    from carbonpeak.domain.uscc import invalid_usccs

    valid = [make_uscc(c) for c in first17]
    mutated = [
        c[:position] + ("Z" if c[position] != "Z" else "0") + c[position + 1 :] for c in valid
    ]
    codes = valid + mutated + noise + [c.lower() for c in valid]
    expected = {c: check_uscc(c).reason for c in codes if not check_uscc(c).valid}
    assert invalid_usccs(codes) == expected
