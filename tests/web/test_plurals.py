"""Plural forms of the dashboard's texts: English has two (1 report, 3 reports), Chinese one."""

from __future__ import annotations

import pytest

from carbonpeak.i18n import ngettext_of


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [("en", 1, "1 report"), ("en", 3, "3 reports"), ("en", 0, "0 reports"),
     ("zh_CN", 1, "1 份报告"), ("zh_CN", 3, "3 份报告")],
)  # fmt: skip
def test_a_count_takes_its_plural_form(locale: str, count: int, expected: str) -> None:
    text = ngettext_of(locale)("%(num)s report", "%(num)s reports", count, num=count)
    assert text == expected
