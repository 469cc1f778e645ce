"""Figures stated in a paragraph (counts, percentages, written numbers; English and French) and the time they refer to.

``find_figures(text, "en")`` gives each figure's value, whether it is a percentage, its qualifier ("some 60" is
approximate, "more than 50" a lower bound), the number of decimals stated, where it sits in the text and the sentence
around it. Years, days of dates, document symbols (``S/2024/123``), resolution numbers and paragraph references are
not figures. ``time_references(text, language, cycle)`` gives the date ranges a paragraph speaks of: explicit dates,
months, quarters, years, "between 1 April and 30 June 2024", "the reporting period" (the report's cycle), "the
previous quarter".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from cpas_kit.core.periods import Period

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}
_UNITS_EN = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
             "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
             "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
             "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12}
_UNITS_FR = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
             "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20,
             "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
             "douzaine": 12, "dizaine": 10, "vingtaine": 20, "trentaine": 30, "quarantaine": 40, "cinquantaine": 50,
             "soixantaine": 60, "centaine": 100}
_APPROX_NOUNS_FR = {"douzaine", "dizaine", "vingtaine", "trentaine", "quarantaine", "cinquantaine", "soixantaine",
                    "centaine"}
_QUALIFIERS = [  # (pattern just before the figure, qualifier)
    (r"(?:more than|over|above|in excess of|plus de|au-dessus de|supérieur à)", "gt"),
    (r"(?:at least|no fewer than|no less than|au moins|pas moins de)", "ge"),
    (r"(?:fewer than|less than|under|below|moins de|en dessous de|inférieur à)", "lt"),
    (r"(?:up to|at most|no more than|jusqu'à|au plus|pas plus de)", "le"),
    (r"(?:nearly|almost|close to|près de|presque|pratiquement)", "nearly"),
    (r"(?:some|about|around|approximately|roughly|an estimated|estimated|environ|quelque|quelques|"
     r"approximativement|à peu près|autour de|de l'ordre de|an? average of|en moyenne)", "approx"),
]
_PERCENT_AFTER = re.compile(r"^\s*(?:%|per\s?cent\b|percent\b|pour\s?cent\b|p\.\s?100\b)", re.I)
_EN_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_FR_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”»]?\s+(?=[A-ZÀ-Ý(\"“«])")


@dataclass
class Figure:
    """One figure stated in a paragraph."""

    value: float
    text: str  # as written: "58", "12,5 %", "twelve", "some 60"
    start: int  # position in the paragraph's text
    end: int
    is_percent: bool = False
    qualifier: str | None = None  # gt, ge, lt, le, nearly, approx
    decimals: int = 0
    sentence: str = ""
    sentence_start: int = 0
    written: bool = False  # a number written out in words


@dataclass
class TimeRef:
    """A span of time a paragraph speaks of."""

    start: date
    end: date
    text: str
    position: int = 0
    tags: set[str] = field(default_factory=set)  # "reporting", "previous"


def fold(text: str) -> str:
    """Lower case without accents, for matching words in English and French alike."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def sentences(text: str) -> list[tuple[int, str]]:
    """``(start, sentence)`` of each sentence of a paragraph."""
    out, pos = [], 0
    for part in _SENTENCE_SPLIT.split(text):
        start = text.find(part, pos)
        out.append((start, part))
        pos = start + len(part)
    return out


def _parse_number(raw: str, language: str) -> tuple[float, int] | None:
    s = raw.replace("\u00a0", " ").replace("\u202f", " ")
    if language == "fr":
        s = s.replace(" ", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    try:
        value = float(s)
    except ValueError:
        return None
    decimals = len(s.split(".")[1]) if "." in s else 0
    return value, decimals


def _is_not_a_figure(text: str, start: int, end: int, raw: str, value: float) -> bool:
    """Years, dates, document symbols, resolution and paragraph numbers, ordinals, periods."""
    before, after = text[max(0, start - 30):start], text[end:end + 25]
    fb, fa = fold(before), fold(after)
    if re.search(r"[/\-–]$", before) or re.match(r"^(?:/|-\d|–\d|\(\d{4}\)|[A-Za-z]\b|\.\d)", after):
        return True  # S/2024/123, 2023/24-Q4, 2021–2023, 1325 (2000), Q4
    if re.search(r"(?:^|\W)(?:[A-Z]{1,4}/)$", before):
        return True
    if re.search(r"(?:resolution|résolution|paragraph|paragraphe|para\.|article|annex|annexe|chapter|chapitre|"
                 r"section|figure|table|tableau|page|item|point|no\.|n°|numéro|number|report|rapport)\s*$", fb):
        return True
    if re.match(r"^(?:st|nd|rd|th|er|e|ème)\b", after):
        return True  # ordinals: 1st, 21e
    if re.match(r"^\s*(?:" + "|".join(MONTHS) + r")\b", fa):
        return True  # the day of a date: 30 June 2024
    if re.search(r"(?:" + "|".join(MONTHS) + r")\s*$", fb) and (value <= 31 or 1900 <= value <= 2100):
        return True  # June 30, June 2024
    plain = "," not in raw and " " not in raw and "." not in raw
    if plain and 1900 <= value <= 2100 and not _PERCENT_AFTER.match(after):
        return True  # a year
    return False


def _qualifier(text: str, start: int) -> str | None:
    before = text[max(0, start - 30):start].rstrip()
    for pattern, name in _QUALIFIERS:
        if re.search(r"(?:^|\W)" + pattern + r"$", before, re.I):
            return name
    return None


def _written_numbers(text: str, language: str) -> list[tuple[int, int, float, bool]]:
    """``(start, end, value, approximate)`` of numbers written in words ("twenty-five", "une vingtaine")."""
    units = _UNITS_FR if language == "fr" else _UNITS_EN
    words = "|".join(sorted(units, key=len, reverse=True))
    pattern = re.compile(rf"\b(?:{words})(?:(?:[- ]| et |-et-| and )(?:{words}))*\b", re.I)
    out = []
    for m in pattern.finditer(text):
        parts = [p for p in re.split(r"[- ]|et|and", m.group(0).lower()) if p]
        total, current = 0, 0
        for p in parts:
            v = units.get(p)
            if v is None:
                continue
            if v == 100:
                current = max(current, 1) * 100
            elif language == "fr" and v == 20 and current in (4,):  # quatre-vingt(s)
                current = 80
            else:
                current += v
        total += current
        if total <= 1:
            continue
        out.append((m.start(), m.end(), float(total), parts[-1] in _APPROX_NOUNS_FR))
    return out


def find_figures(text: str, language: str = "en") -> list[Figure]:
    """Every figure of a paragraph, in order."""
    number = _FR_NUMBER if language == "fr" else _EN_NUMBER
    found: list[Figure] = []
    for m in re.finditer(rf"(?<![\w.,/\-])(?:{number})(?![\w/]|[.,]\d)", text):
        parsed = _parse_number(m.group(0), language)
        if parsed is None:
            continue
        value, decimals = parsed
        if _is_not_a_figure(text, m.start(), m.end(), m.group(0), value):
            continue
        found.append(_figure(text, m.start(), m.end(), value, decimals))
    for start, end, value, approximate in _written_numbers(text, language):
        if any(f.start <= start < f.end for f in found) or re.match(r"^\s*(?:" + "|".join(MONTHS) + r")\b",
                                                                     fold(text[end:end + 15])):
            continue
        fig = _figure(text, start, end, value, 0, written=True)
        if approximate:
            fig.qualifier = "approx"
        found.append(fig)
    found.sort(key=lambda f: f.start)
    sents = sentences(text)
    for f in found:
        s_start, s_text = max((s for s in sents if s[0] <= f.start), default=(0, text))
        f.sentence, f.sentence_start = s_text, s_start
    return found


def _figure(text: str, start: int, end: int, value: float, decimals: int, written: bool = False) -> Figure:
    pct = _PERCENT_AFTER.match(text[end:])
    stop = end + (pct.end() if pct else 0)
    return Figure(value=value, text=text[start:stop], start=start, end=stop, is_percent=bool(pct),
                  qualifier=_qualifier(text, start), decimals=decimals, written=written)


# -- time ------------------------------------------------------------------------------------------

_MONTH_NAMES = "|".join(MONTHS)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\s+(\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_NAMES})\s+(\d{{1,2}}),?\s+(\d{{4}})\b")
_BETWEEN = re.compile(rf"\b(?:between|from|du|entre le|entre)\s+(?:le\s+)?(\d{{1,2}})(?:er)?\s+(?:({_MONTH_NAMES})\s+"
                      rf"(?:(\d{{4}})\s+)?)?(?:and|to|au|et le|et)\s+(?:le\s+)?(\d{{1,2}})(?:er)?\s+({_MONTH_NAMES})\s+"
                      rf"(\d{{4}})")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES})\s+(\d{{4}})\b")
_QUARTER = re.compile(r"\b(?:(first|second|third|fourth|premier|deuxieme|second|troisieme|quatrieme)\s+"
                      r"(?:quarter|trimestre)\s+(?:of\s+|de\s+)?(\d{4})|Q([1-4])\s+(\d{4}))\b")
_FISCAL = re.compile(r"\b(\d{4})/(\d{2})(?:-Q([1-4]))?\b")
_YEAR = re.compile(r"\b(?:in|during|for|since|of|en|au cours de|durant|pour|depuis)\s+(\d{4})\b")
_REPORTING = re.compile(r"\b(?:(?:the|this)\s+reporting\s+period|period\s+under\s+review|"
                        r"(?:the|this)\s+(?:past|last)\s+"
                        r"quarter|(?:la|cette)\s+periode\s+(?:consideree|a l'examen|couverte|sous revue|"
                        r"de reference|visee)|(?:ce|le)\s+trimestre)\b")
_PREVIOUS = re.compile(r"\b(?:(?:the\s+)?previous\s+(?:quarter|reporting\s+period|period)|(?:the\s+)?preceding\s+"
                       r"(?:quarter|period)|(?:le\s+|au\s+)?trimestre\s+precedent|(?:la\s+)?periode\s+precedente)\b")
_ORDINAL_Q = {"first": 1, "premier": 1, "second": 2, "deuxieme": 2, "third": 3, "troisieme": 3, "fourth": 4,
              "quatrieme": 4}


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def time_references(text: str, cycle: Period | None = None) -> list[TimeRef]:
    """The spans of time a paragraph (or sentence) names; the report's cycle stands for "the reporting period"."""
    f = fold(text)  # same length as text for the Latin scripts of EN/FR reports
    out: list[TimeRef] = []
    taken: list[tuple[int, int]] = []

    def add(start: date | None, end: date | None, m: re.Match, tags: set[str] | None = None) -> None:
        if start is None or end is None or any(a <= m.start() < b for a, b in taken):
            return
        taken.append((m.start(), m.end()))
        out.append(TimeRef(start, end, text[m.start():m.end()], m.start(), tags or set()))

    for m in _BETWEEN.finditer(f):
        d1, m1, y1, d2, m2, y2 = m.groups()
        end_year = int(y2)
        start_month = MONTHS[m1] if m1 else MONTHS[m2]
        add(_safe_date(int(y1) if y1 else end_year, start_month, int(d1)),
            _safe_date(end_year, MONTHS[m2], int(d2)), m, {"range"})
    for m in _DAY_MONTH_YEAR.finditer(f):
        d = _safe_date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        add(d, d, m)
    for m in _MONTH_DAY_YEAR.finditer(f):
        d = _safe_date(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)))
        add(d, d, m)
    for m in _MONTH_YEAR.finditer(f):
        y, mo = int(m.group(2)), MONTHS[m.group(1)]
        add(date(y, mo, 1), _month_end(y, mo), m)
    for m in _QUARTER.finditer(f):
        q = _ORDINAL_Q[m.group(1)] if m.group(1) else int(m.group(3))
        y = int(m.group(2) or m.group(4))
        add(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), m)  # calendar quarters
    for m in _FISCAL.finditer(f):
        try:
            p = Period.parse(m.group(0))
        except ValueError:
            continue
        add(p.start, p.end, m)
    for m in _YEAR.finditer(f):
        y = int(m.group(1))
        if 1900 <= y <= 2100:
            add(date(y, 1, 1), date(y, 12, 31), m)
    if cycle is not None:
        for m in _REPORTING.finditer(f):
            add(cycle.start, cycle.end, m, {"reporting"})
        for m in _PREVIOUS.finditer(f):
            prev = cycle.previous()
            add(prev.start, prev.end, m, {"previous"})
    out.sort(key=lambda r: r.position)
    return out
