"""Reporting periods of the UN fiscal year (July–June): years, quarters and months.

Written forms:

* fiscal year ``2021/22`` — 1 July 2021 to 30 June 2022;
* quarter ``2021/22-Q1`` (Jul–Sep) … ``2021/22-Q4`` (Apr–Jun);
* month ``2022-03``.

The spelling of the output folders (``2021-22-Q1``, ``2021-22``) is accepted too, so a cycle copied from
``outputs/<MISSION>/<CYCLE>/`` works as typed; periods are always written back in the forms above.

``Period.parse`` gives one clear error for anything else. Periods are ordered by start date
(then by length, shortest first), convert month → quarter → year, and know their date range
and their neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Iterable, Literal

from pydantic import AfterValidator

from cpas_kit.core.errors import PeriodError

PeriodKind = Literal["year", "quarter", "month"]
_KIND_RANK = {"month": 0, "quarter": 1, "year": 2}

_YEAR_RE = re.compile(r"^(\d{4})/(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})/(\d{2})-Q(\d+)$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
# the spelling of the output folders (``outputs/UN-DEMO/2023-24-Q4``), accepted wherever a period is typed
_FOLDER_QUARTER_RE = re.compile(r"^(\d{4})-(\d{2})-Q(\d+)$", re.IGNORECASE)

_HELP = "write a fiscal year as 2021/22, a quarter as 2021/22-Q1 … 2021/22-Q4, a month as 2022-03"


@dataclass(frozen=True)
class Period:
    """One reporting period. Create with :meth:`parse` or the ``fiscal_year``/``quarter``/``month`` helpers.

    ``fy`` is the calendar year in which the fiscal year starts (2021 for 2021/22); ``index`` is 0 for a
    year, 1–4 for a quarter, and 1–12 for a month counted from July (1 = July, 12 = June).
    """

    kind: PeriodKind
    fy: int
    index: int = 0

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: "str | Period") -> "Period":
        """Parse ``2021/22``, ``2021/22-Q2`` or ``2022-03``; raise :class:`PeriodError` otherwise."""
        if isinstance(text, Period):
            return text
        if not isinstance(text, str):
            raise PeriodError(f"{text!r} is not a reporting period: {_HELP}.")
        return _parse_text(text)

    @classmethod
    def _from_text(cls, text: str) -> "Period":
        s = text.strip()
        if m := _QUARTER_RE.match(s):
            fy = _check_fy(int(m.group(1)), m.group(2), s)
            q = int(m.group(3))
            if not 1 <= q <= 4:
                raise PeriodError(f"'{s}' is not a reporting period: a fiscal year has quarters Q1 to Q4 only.")
            return cls("quarter", fy, q)
        if m := _FOLDER_QUARTER_RE.match(s):
            return cls._from_text(f"{m.group(1)}/{m.group(2)}-Q{m.group(3)}")
        if m := _YEAR_RE.match(s):
            return cls("year", _check_fy(int(m.group(1)), m.group(2), s), 0)
        if m := _MONTH_RE.match(s):
            year, month = int(m.group(1)), int(m.group(2))
            if month > 12 and len(m.group(2)) == 2 and month == (year + 1) % 100:  # 2023-24: a folder's fiscal year
                return cls("year", year, 0)
            if not 1 <= month <= 12:
                raise PeriodError(f"'{s}' is not a reporting period: a month must be 01 to 12.")
            return cls.month(year, month)
        raise PeriodError(f"'{s}' is not a reporting period: {_HELP}.")

    @classmethod
    def fiscal_year(cls, start_year: int) -> "Period":
        """The fiscal year starting in July of ``start_year``."""
        return cls("year", start_year, 0)

    @classmethod
    def quarter(cls, start_year: int, q: int) -> "Period":
        """Quarter ``q`` (1–4) of the fiscal year starting in ``start_year``."""
        if not 1 <= q <= 4:
            raise PeriodError(f"Q{q} does not exist: a fiscal year has quarters Q1 to Q4 only.")
        return cls("quarter", start_year, q)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        """Calendar month ``year-month``."""
        if not 1 <= month <= 12:
            raise PeriodError(f"month {month} does not exist: a month must be 1 to 12.")
        fy = year if month >= 7 else year - 1
        return cls("month", fy, (month - 7) % 12 + 1)

    @classmethod
    def containing(cls, day: date, kind: PeriodKind = "quarter") -> "Period":
        """The period of ``kind`` that contains ``day``."""
        m = cls.month(day.year, day.month)
        return {"month": m, "quarter": m.to_quarter(), "year": m.to_year()}[kind]

    # -- formatting ---------------------------------------------------------------------------
    def __str__(self) -> str:
        if self.kind == "year":
            return f"{self.fy}/{(self.fy + 1) % 100:02d}"
        if self.kind == "quarter":
            return f"{self.fy}/{(self.fy + 1) % 100:02d}-Q{self.index}"
        start = self.start
        return f"{start.year}-{start.month:02d}"

    @property
    def slug(self) -> str:
        """File-safe form (``2023-24-Q4``)."""
        return str(self).replace("/", "-")

    # -- dates --------------------------------------------------------------------------------
    @property
    def start(self) -> date:
        """First day of the period."""
        if self.kind == "year":
            return date(self.fy, 7, 1)
        first_month = (self.index - 1) * 3 + 1 if self.kind == "quarter" else self.index
        cal_month = (first_month + 6 - 1) % 12 + 1
        year = self.fy if cal_month >= 7 else self.fy + 1
        return date(year, cal_month, 1)

    @property
    def end(self) -> date:
        """Last day of the period."""
        last = self.shift(1).start if self.kind != "year" else date(self.fy + 1, 7, 1)
        return date.fromordinal(last.toordinal() - 1)

    def date_range(self) -> tuple[date, date]:
        """``(start, end)``, both inclusive."""
        return self.start, self.end

    def contains(self, other: "Period | date | str") -> bool:
        """True if a date or a (shorter or equal) period lies wholly inside this period."""
        if isinstance(other, date):
            return self.start <= other <= self.end
        o = Period.parse(other)
        return self.start <= o.start and o.end <= self.end

    # -- conversion ---------------------------------------------------------------------------
    def to_quarter(self) -> "Period":
        """The quarter containing this month (a quarter returns itself; a year cannot)."""
        if self.kind == "quarter":
            return self
        if self.kind == "year":
            raise PeriodError(f"{self} is a whole fiscal year; it does not fit in one quarter.")
        return Period("quarter", self.fy, (self.index - 1) // 3 + 1)

    def to_year(self) -> "Period":
        """The fiscal year containing this period."""
        return Period("year", self.fy, 0)

    def months(self) -> list["Period"]:
        """The months of this period, in order."""
        if self.kind == "month":
            return [self]
        if self.kind == "quarter":
            return [Period("month", self.fy, (self.index - 1) * 3 + i) for i in (1, 2, 3)]
        return [Period("month", self.fy, i) for i in range(1, 13)]

    def quarters(self) -> list["Period"]:
        """The quarters of a fiscal year (a quarter returns itself)."""
        if self.kind == "month":
            raise PeriodError(f"{self} is a month; it holds no whole quarter.")
        if self.kind == "quarter":
            return [self]
        return [Period("quarter", self.fy, q) for q in (1, 2, 3, 4)]

    # -- neighbours ---------------------------------------------------------------------------
    def shift(self, n: int) -> "Period":
        """The period ``n`` steps later (negative: earlier), of the same kind."""
        if self.kind == "year":
            return Period("year", self.fy + n, 0)
        per_year = 4 if self.kind == "quarter" else 12
        k = self.fy * per_year + (self.index - 1) + n
        return Period(self.kind, k // per_year, k % per_year + 1)

    def next(self) -> "Period":
        """The following period of the same kind."""
        return self.shift(1)

    def previous(self) -> "Period":
        """The preceding period of the same kind."""
        return self.shift(-1)

    def before(self, n: int) -> list["Period"]:
        """The ``n`` periods before this one, oldest first (this one excluded)."""
        return [self.shift(-i) for i in range(n, 0, -1)]

    # -- ordering -----------------------------------------------------------------------------
    def _key(self) -> tuple[date, int]:
        return (self.start, _KIND_RANK[self.kind])

    def __lt__(self, other: "Period") -> bool:
        return self._key() < Period.parse(other)._key()

    def __le__(self, other: "Period") -> bool:
        return self._key() <= Period.parse(other)._key()

    def __gt__(self, other: "Period") -> bool:
        return self._key() > Period.parse(other)._key()

    def __ge__(self, other: "Period") -> bool:
        return self._key() >= Period.parse(other)._key()


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    """Parsed periods are cached: imports parse the same dozen period strings a hundred thousand times."""
    return Period._from_text(text)


def _check_fy(start: int, end2: str, text: str) -> int:
    expected = (start + 1) % 100
    if int(end2) != expected:
        raise PeriodError(
            f"'{text}' is not a UN fiscal year: the fiscal year starting July {start} is written "
            f"{start}/{expected:02d} (the second part is the following year)."
        )
    return start


def parse(text: "str | Period") -> Period:
    """Shorthand for :meth:`Period.parse`."""
    return Period.parse(text)


def period_range(first: "str | Period", last: "str | Period") -> list[Period]:
    """All periods from ``first`` to ``last`` inclusive (both of the same kind)."""
    a, b = Period.parse(first), Period.parse(last)
    if a.kind != b.kind:
        raise PeriodError(f"cannot list periods from {a} to {b}: one is a {a.kind}, the other a {b.kind}.")
    if b < a:
        raise PeriodError(f"cannot list periods from {a} to {b}: {b} comes before {a}.")
    out, p = [], a
    while p <= b:
        out.append(p)
        p = p.next()
    return out


def sort_periods(periods: Iterable["str | Period"]) -> list[str]:
    """Period strings sorted in time order."""
    return [str(p) for p in sorted(Period.parse(p) for p in periods)]


def is_period(text: str) -> bool:
    """True if ``text`` parses as a period."""
    try:
        Period.parse(text)
    except PeriodError:
        return False
    return True


def _check_period(value: str) -> str:
    try:
        return str(Period.parse(value))
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


PeriodStr = Annotated[str, AfterValidator(_check_period)]
"""A reporting period in a pydantic model: any accepted spelling, normalised (``2023/24-q4`` → ``2023/24-Q4``)."""
