"""One formatting module for every output (issue 15 item 16): numbers, dates and country names in English
and French, missing values as a dash."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from cpas_kit.core.formatting import country_name, long_date, month_year, number, percent, signed

NBSP = "\u00a0"


@pytest.mark.parametrize("value, language, expected", [
    (1234.5, "en", "1,234.5"), (1234.5, "fr", f"1{NBSP}234,5"), (1234567, "fr", f"1{NBSP}234{NBSP}567"),
    (58.0, "fr", "58"), (0.25, "en", "0.2"), (None, "fr", "—"), (float("nan"), "en", "—"), (pd.NA, "en", "—"),
])
def test_numbers_follow_each_languages_conventions(value, language, expected):
    assert number(value, language) == expected


def test_signs_percentages_and_decimals():
    assert signed(-6, "en") == "−6" and signed(5.5, "fr") == "+5,5" and signed(0, "en") == "±0"
    assert percent(50.8, "fr") == f"50,8{NBSP}%" and percent(50.8, "en") == "50.8%"
    assert number(2.0, "fr", 2) == "2,00"


@pytest.mark.parametrize("value, language, expected", [
    (date(2024, 6, 30), "en", "30 June 2024"), (date(2024, 6, 30), "fr", "30 juin 2024"),
    (date(2024, 7, 1), "fr", "1er juillet 2024"), (datetime(2014, 4, 10, 9, 30), "en", "10 April 2014"),
    (None, "fr", "—"), (pd.NaT, "en", "—"),
])
def test_dates_read_as_people_write_them(value, language, expected):
    assert long_date(value, language) == expected


def test_month_year():
    assert month_year(date(2024, 6, 30), "fr") == "juin 2024"


@pytest.mark.parametrize("iso3, en, fr", [
    ("CAF", "Central African Republic", "République centrafricaine"),
    ("COD", "Democratic Republic of the Congo", "République démocratique du Congo"),
    ("SSD", "South Sudan", "Soudan du Sud"), ("CYP", "Cyprus", "Chypre"), ("XKX", "Kosovo", "Kosovo"),
])
def test_country_names_come_from_iso_translations(iso3, en, fr):
    assert country_name(iso3, "en") == en and country_name(iso3, "fr") == fr


def test_an_unknown_country_code_is_shown_as_given():
    assert country_name("ZZZ", "fr") == "ZZZ" and country_name(None, "fr") == "—"
