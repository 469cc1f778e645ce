"""Splitting reports into paragraphs and finding their figures and times (no store needed)."""

from __future__ import annotations

from datetime import date

import pytest

from cpas_kit.core.periods import Period
from cpas_kit.council.figures import find_figures, time_references
from cpas_kit.council.matching import rounding_tolerance, value_matches
from cpas_kit.council.paragraphs import blocks_from_text, read_report
from tests.paths import SHARED

SG_REPORT = next(iter(sorted((SHARED / "seeds").glob("003_*.txt"))), None)


@pytest.mark.skipif(SG_REPORT is None, reason="../shared/seeds is not beside the checkout")
def test_real_secretary_general_report_paragraphs():
    blocks = read_report(SG_REPORT)
    text = SG_REPORT.read_text(encoding="utf-8")
    numbered = [b.number for b in blocks if b.is_operative]
    # the report numbers its paragraphs 1 to 173, each once, in order, across page breaks and footnotes
    last = max(int(line.split(".")[0]) for line in text.splitlines()
               if line[:1].isdigit() and ". " in line[:5] and len(line) > 120)
    assert numbered == list(range(1, last + 1)) and last == 173
    footnotes = [b for b in blocks if b.kind == "footnote"]
    assert len(footnotes) == 1 + sum(line[:1] != "" and line[:1] in "¹²³⁴⁵⁶⁷⁸⁹" for line in text.splitlines())
    headings = {b.text for b in blocks if b.kind == "heading"}
    assert {"I. Strategic context", "A. Overview", "2. Comprehensive Planning and Performance Assessment System"} \
        <= headings
    p16 = next(b for b in blocks if b.number == 16)  # broken by a page and a footnote in the file
    assert "vaccination programme is being rolled out" in p16.text and p16.text.endswith("requirements.")


def test_text_blocks_headings_footnotes_and_sub_paragraphs():
    text = ("II. Political situation\n\n12. The Council met twice:\n\n(a) first on security;\n\n(b) then on"
            " elections.\n\n¹ A footnote with 12 figures.\n\nB. Protection of civilians\n\n13. More text here.\n")
    blocks = blocks_from_text(text)
    assert [(b.kind, b.number) for b in blocks] == [("heading", None), ("paragraph", 12), ("footnote", None),
                                                    ("heading", None), ("paragraph", 13)]
    assert "(b) then on elections." in blocks[1].text


@pytest.mark.parametrize("text, language, expected", [
    ("more than 74,200 women from 122 Member States", "en", [(74200, False, "gt"), (122, False, None)]),
    ("some 75 per cent of 300,000 doses", "en", [(75, True, "approx"), (300000, False, None)]),
    ("46.3 per cent of voters; nearly 40% of them", "en", [(46.3, True, None), (40, True, "nearly")]),
    ("twenty-five incidents and twelve attacks", "en", [(25, False, None), (12, False, None)]),
    ("1 234 personnes, soit 12,5 %, et quarante-deux enfants", "fr", [(1234, False, None), (12.5, True, None),
                                                                       (42, False, None)]),
    ("une vingtaine de femmes, 30 pour cent, plus de 50 cas", "fr", [(20, False, "approx"), (30, True, None),
                                                                      (50, False, "gt")]),
    ("On 12 March 2021, resolution 2709 (2023) and S/2024/123 (paragraph 14) in 2023/24-Q4, June 30, 2024",
     "en", []),
])
def test_figures(text, language, expected):
    got = [(f.value, f.is_percent, f.qualifier) for f in find_figures(text, language)]
    assert got == expected


def test_time_references():
    cycle = Period.parse("2023/24-Q4")
    refs = time_references("Between 1 April and 30 June 2024, during the reporting period, deaths fell from 67 in the"
                           " previous quarter; as of June 2021 and in the first quarter of 2022.", cycle)
    spans = [(r.start, r.end) for r in refs]
    assert spans == [(date(2024, 4, 1), date(2024, 6, 30)), (date(2024, 4, 1), date(2024, 6, 30)),
                     (date(2024, 1, 1), date(2024, 3, 31)), (date(2021, 6, 1), date(2021, 6, 30)),
                     (date(2022, 1, 1), date(2022, 3, 31))]
    fr = time_references("entre le 1er avril et le 30 juin 2024, au trimestre précédent", cycle)
    assert [(r.start, r.end) for r in fr] == [(date(2024, 4, 1), date(2024, 6, 30)),
                                            (date(2024, 1, 1), date(2024, 3, 31))]


def test_value_tolerance():
    [fig] = find_figures("1,200 patrols")
    assert rounding_tolerance(fig) == 50 and value_matches(fig, 1187) and not value_matches(fig, 1260)
    [fig] = find_figures("45 per cent")
    assert value_matches(fig, 45.2) and not value_matches(fig, 45.6) and value_matches(fig, 46, tolerance=0.05)
    [fig] = find_figures("some 60 cases")
    assert value_matches(fig, 55) and not value_matches(fig, 52)
    [fig] = find_figures("more than 50 cases")
    assert value_matches(fig, 51) and not value_matches(fig, 50)
