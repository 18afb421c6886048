"""Languages of the dashboard and the reports: message catalogs, locale-aware numbers.

Catalogs are the `.po` files under `locale/` (source strings in English), compiled in memory
when first used. `zh_CN` is the default; a dashboard request picks its language by the `lang`
cookie.
"""

from __future__ import annotations

import decimal
import io
import math
import string
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from carbonpeak.errors import Problem, Term

LOCALES = ("zh_CN", "en")
DEFAULT = "zh_CN"
CATALOGS = Path(__file__).parent / "locale"
NOT_A_NUMBER = "—"  # what a page shows for NaN or an infinity


def chosen(value: str | None) -> str:
    """The locale a cookie or query value asks for, or the default."""
    return value if value in LOCALES else DEFAULT


@cache
def translations(locale: str) -> Translations:
    """The catalog of `locale`, compiled from its `.po` file."""
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def number(value: float | None, locale: str, digits: int = 0) -> str:
    """A number with the locale's grouping and decimal signs; a dash when there is none."""
    if value is None:
        return "–"
    figure = float(value)
    if not math.isfinite(figure):
        return NOT_A_NUMBER
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    # Decimal from the shortest repr (1e30 is 1E+30, not its binary expansion), rounded with
    # room for every digit of the largest float, so that no figure makes a page fail.
    with decimal.localcontext() as context:
        context.prec = 400
        exact = decimal.Decimal(repr(figure)).quantize(decimal.Decimal(1).scaleb(-digits))
        return format_decimal(exact, format=pattern, locale=locale, decimal_quantization=False)


def day(value: date | str | None, locale: str) -> str:
    """A date the way the locale writes it (2025年12月31日, Dec 31, 2025); a dash for none."""
    if value is None or value == "":
        return "–"
    when = value if isinstance(value, date) else date.fromisoformat(str(value))
    return str(format_date(when, format="medium", locale=locale))


def gettext_of(locale: str) -> Callable[..., str]:
    """`_` of the templates: the translation, with `%(name)s` filled from keywords."""
    catalog = translations(locale)

    def text(message: str, **values: Any) -> str:
        translated = catalog.gettext(message)
        return translated % values if values else translated

    return text


def ngettext_of(locale: str) -> Callable[..., str]:
    """`ngettext` of the templates: singular or plural for `count`, `%(name)s` filled."""
    catalog = translations(locale)

    def text(singular: str, plural: str, count: int, **values: Any) -> str:
        return catalog.ngettext(singular, plural, count) % values

    return text


def problem_text(problem: Problem, locale: str) -> str:
    """A problem said in `locale`: its template translated and filled with its values (the
    English message where there is no template or no translation); its `Term` values (state
    names) translated too, and a value that is itself a `Problem` (a refusal's cause) said in
    `locale` the same way."""
    terms = any(isinstance(v, Term | Problem) for v in problem.values)
    if not problem.template or (locale == "en" and not terms):
        return problem.message
    catalog = translations(locale)
    values = [
        catalog.gettext(v)
        if isinstance(v, Term)
        else problem_text(v, locale)
        if isinstance(v, Problem)
        else v
        for v in problem.values
    ]
    template = catalog.gettext(problem.template)
    if locale.startswith("zh"):
        return _CHINESE_QUOTES.format(template, *values)
    return template.format(*values)


class _ChineseQuotes(string.Formatter):
    """`str.format` with a quoted value (`{!r}`) between Chinese quotation marks, “原煤”, as
    Chinese is written, not Python's '原煤'; a value with characters that do not print (a tab,
    a line break) keeps repr's escapes inside them."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion != "r":
            return super().convert_field(value, conversion)
        text = str(value)
        return f"“{text if text.isprintable() else repr(value)[1:-1]}”"


_CHINESE_QUOTES = _ChineseQuotes()


def language_name(locale: str) -> str:
    """The language's own name for itself (中文, English)."""
    name = Locale.parse(locale).language_name
    return "中文" if locale.startswith("zh") else str(name).capitalize()
