"""How numbers, dates and country names read, in English and French: the one place the outputs format them.

``number(1234.5, "fr")`` → ``1 234,5`` (thousands apart by a no-break space),
``long_date(date(2024, 6, 30), "fr")`` → ``30 juin 2024``, ``country_name("CAF", "fr")`` →
``République centrafricaine``. Numbers and dates come from Babel (the Unicode CLDR conventions of each
language); country names from pycountry's ISO 3166 translations, with Babel's territory names for codes ISO
has not assigned (Kosovo, ``XKX``). Missing values read as a dash, never ``nan`` or ``None``.
"""

from __future__ import annotations

import gettext
import math
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pycountry
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

MISSING = "—"
_LOCALES = {"en": "en_GB", "fr": "fr_FR"}  # UN English writes 30 June 2024 (day first), as British English does
_USER_ASSIGNED = {"XKX": "XK"}  # codes outside ISO 3166 that missions use: Kosovo


def _locale(language: str) -> str:
    return _LOCALES.get(language, _LOCALES["en"])


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):  # pandas' markers, without pandas
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN, pd.NA
    except (TypeError, ValueError):
        return False


def number(value: Any, language: str = "en", decimals: int | None = None) -> str:
    """``1,234.5`` / ``1 234,5``; whole numbers without decimals unless ``decimals`` is given; a dash if missing.

    Without ``decimals`` a fraction keeps one decimal (indicator values are read, not audited).
    """
    if is_missing(value):
        return MISSING
    v = float(value)
    if decimals is None:
        decimals = 0 if v.is_integer() else 1
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    # CLDR separates French thousands with a narrow no-break space; Word and PDF fonts do not all draw it, so the
    # common no-break space is used (it never breaks a number across lines either)
    return format_decimal(round(v, decimals), format=pattern, locale=_locale(language)).replace("\u202f", "\u00a0")


def signed(value: Any, language: str = "en", decimals: int | None = None) -> str:
    """A change with its sign: ``+5.5``, ``−6`` (a true minus sign), ``±0``."""
    if is_missing(value):
        return MISSING
    v = float(value)
    return ("+" if v > 0 else "−" if v < 0 else "±") + number(abs(v), language, decimals)


def percent(value: Any, language: str = "en", decimals: int | None = None) -> str:
    """A value already in percent: ``50.8%`` / ``50,8 %`` (French puts a no-break space before the sign)."""
    if is_missing(value):
        return MISSING
    return number(value, language, decimals) + ("\u00a0%" if language == "fr" else "%")


def long_date(value: date | datetime | None, language: str = "en") -> str:
    """``30 June 2024`` / ``30 juin 2024`` (``1er`` for the first of a month in French); a dash if missing."""
    if is_missing(value):
        return MISSING
    d = value.date() if isinstance(value, datetime) else value
    text = format_date(d, format="long", locale=_locale(language))
    if language == "fr" and d.day == 1:
        text = "1er" + text[1:]
    return text


def month_year(value: date | datetime | None, language: str = "en") -> str:
    """``June 2024`` / ``juin 2024``; a dash if missing."""
    if is_missing(value):
        return MISSING
    return format_date(value, format="LLLL yyyy", locale=_locale(language))


@lru_cache(maxsize=4)
def _iso3166(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(iso3: str | None, language: str = "en") -> str:
    """The country's name for a reader (``Central African Republic`` / ``République centrafricaine``).

    English names that ISO writes inverted (``Congo, The Democratic Republic of the``) are put in reading
    order; an unknown code is returned as given.
    """
    if not iso3:
        return MISSING
    code = iso3.upper()
    if code in _USER_ASSIGNED:
        return Locale.parse(_locale(language)).territories.get(_USER_ASSIGNED[code], code)
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    if language != "en":
        return _iso3166(language).gettext(country.name)
    name = getattr(country, "common_name", None) or country.name
    if ", " in name:
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}".removeprefix("The ")
    return name
