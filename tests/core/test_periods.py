"""Reporting periods of the UN fiscal year (July–June): parsing, formatting, order, dates, conversion."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from cpas_kit.core.errors import PeriodError
from cpas_kit.core.periods import Period, is_period, parse, period_range, sort_periods

# -- parsing ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, kind, fy, index",
    [
        ("2021/22", "year", 2021, 0),
        ("1999/00", "year", 1999, 0),
        ("2021/22-Q1", "quarter", 2021, 1),
        ("2021/22-Q4", "quarter", 2021, 4),
        ("2021/22-q3", "quarter", 2021, 3),
        ("2021-07", "month", 2021, 1),   # July opens the fiscal year
        ("2021-12", "month", 2021, 6),
        ("2022-01", "month", 2021, 7),   # January belongs to the fiscal year that began the July before
        ("2022-03", "month", 2021, 9),
        ("2022-06", "month", 2021, 12),  # June closes it
        (" 2022-03 ", "month", 2021, 9),
    ],
)
def test_parse_all_three_kinds(text, kind, fy, index):
    p = Period.parse(text)
    assert (p.kind, p.fy, p.index) == (kind, fy, index)
    assert parse(text) == p
    assert is_period(text)


def test_parse_accepts_a_period_and_helpers_agree():
    p = Period.parse("2021/22-Q3")
    assert Period.parse(p) is p
    assert Period.quarter(2021, 3) == p
    assert Period.fiscal_year(2021) == Period.parse("2021/22")
    assert Period.month(2022, 3) == Period.parse("2022-03")
    assert Period.month(2021, 7) == Period("month", 2021, 1)


@pytest.mark.parametrize(
    "text",
    ["2021/22", "2022/23", "1999/00", "2099/00", "2021/22-Q1", "2021/22-Q2", "2021/22-Q3", "2021/22-Q4",
     "2021-07", "2021-12", "2022-01", "2022-06", "2000-01", "1999-12"],
)
def test_format_round_trip(text):
    p = Period.parse(text)
    assert str(p) == text
    assert Period.parse(str(p)) == p


def test_format_normalises_loose_input():
    assert str(Period.parse("2022-3")) == "2022-03"
    assert str(Period.parse("2021/22-q2")) == "2021/22-Q2"
    assert str(Period.parse("  2021/22 ")) == "2021/22"


def test_every_period_round_trips_through_its_text():
    for fy in range(1998, 2032):
        year = Period.fiscal_year(fy)
        for p in [year, *year.quarters(), *year.months()]:
            assert Period.parse(str(p)) == p, p


def test_slug_is_file_safe():
    assert Period.parse("2023/24-Q4").slug == "2023-24-Q4"
    assert "/" not in Period.parse("2021/22").slug


# -- clear errors -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, hint",
    [
        ("2021/23-Q2", "2021/22"),        # the second part must be the following year: say how to write it
        ("2021/23", "2021/22"),
        ("2021/22-Q5", "Q1 to Q4"),
        ("2021/22-Q0", "Q1 to Q4"),
        ("2022-13", "01 to 12"),
        ("2022-00", "01 to 12"),
        ("Q1 2021", "2021/22-Q1"),        # unknown form: show the accepted forms
        ("", "2021/22-Q1"),
        ("   ", "2021/22-Q1"),
        ("2021", "2021/22"),
        ("21/22", "2021/22"),
    ],
)
def test_invalid_periods_give_one_clear_error(text, hint):
    with pytest.raises(PeriodError) as info:
        Period.parse(text)
    message = str(info.value)
    assert f"'{text.strip()}'" in message, "the message must quote what was written"
    assert "not a" in message
    assert hint in message, f"the message should say how to fix it ({hint!r}): {message}"
    assert not is_period(text)


def test_period_error_is_a_value_error_and_non_strings_are_rejected():
    assert issubclass(PeriodError, ValueError)
    for bad in (None, 2021, 2021.5):
        with pytest.raises(PeriodError, match="2021/22-Q1"):
            Period.parse(bad)


def test_helpers_reject_impossible_quarters_and_months():
    with pytest.raises(PeriodError, match="Q1 to Q4"):
        Period.quarter(2021, 5)
    with pytest.raises(PeriodError, match="1 to 12"):
        Period.month(2022, 13)


# -- order --------------------------------------------------------------------------------------

def test_ordering_within_a_kind():
    assert Period.parse("2021/22-Q4") < Period.parse("2022/23-Q1")
    assert Period.parse("2021-12") < Period.parse("2022-01")
    assert Period.parse("2022-06") < Period.parse("2022-07")
    assert Period.parse("2021/22") < Period.parse("2022/23")
    assert Period.parse("2022/23-Q1") > "2021/22-Q4"  # strings are parsed for comparison
    assert Period.parse("2021/22-Q1") <= "2021/22-Q1"
    assert Period.parse("2021/22-Q1") >= "2021/22-Q1"


def test_ordering_across_kinds_is_by_start_then_shortest_first():
    assert Period.parse("2021-07") < Period.parse("2021/22-Q1") < Period.parse("2021/22")
    assert Period.parse("2021/22") < Period.parse("2021-08")  # the year starts earlier than August
    assert Period.parse("2021/22-Q4") < Period.parse("2022/23")
    assert Period.parse("2022-06") < Period.parse("2022/23")


def test_sort_periods_across_kinds():
    mixed = ["2022/23", "2022-01", "2021/22-Q3", "2021/22", "2021-07", "2021/22-Q1", "2021-12", "2022/23-Q1",
             "2022-07", "2021/22-Q2"]
    assert sort_periods(mixed) == [
        "2021-07", "2021/22-Q1", "2021/22", "2021/22-Q2", "2021-12", "2022-01", "2021/22-Q3",
        "2022-07", "2022/23-Q1", "2022/23",
    ]


def test_sorting_a_shuffled_range_restores_time_order():
    quarters = [str(p) for p in period_range("2019/20-Q1", "2024/25-Q4")]
    shuffled = quarters[:]
    random.Random(7).shuffle(shuffled)
    assert sort_periods(shuffled) == quarters
    # plain string sorting would be wrong for months vs quarters; Period order is by time
    assert [str(p) for p in sorted(Period.parse(s) for s in shuffled)] == quarters


def test_periods_are_hashable_values():
    assert len({Period.parse("2021/22-Q1"), Period.quarter(2021, 1), Period("quarter", 2021, 1)}) == 1
    assert Period.parse("2021/22") != Period.parse("2021/22-Q1")


# -- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2021/22-Q1", date(2021, 7, 1), date(2021, 9, 30)),
        ("2021/22-Q2", date(2021, 10, 1), date(2021, 12, 31)),
        ("2021/22-Q3", date(2022, 1, 1), date(2022, 3, 31)),
        ("2021/22-Q4", date(2022, 4, 1), date(2022, 6, 30)),
        ("2021/22", date(2021, 7, 1), date(2022, 6, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2100-02", date(2100, 2, 1), date(2100, 2, 28)),  # century, not a leap year
        ("2021-12", date(2021, 12, 1), date(2021, 12, 31)),
        ("2022-06", date(2022, 6, 1), date(2022, 6, 30)),
    ],
)
def test_date_ranges(text, start, end):
    p = Period.parse(text)
    assert p.start == start
    assert p.end == end
    assert p.date_range() == (start, end)


def test_quarters_and_months_tile_the_fiscal_year_without_gaps():
    year = Period.parse("2023/24")
    for parts in (year.quarters(), year.months()):
        assert parts[0].start == year.start
        assert parts[-1].end == year.end
        for a, b in zip(parts, parts[1:]):
            assert b.start == a.end + timedelta(days=1)


def test_contains():
    q3 = Period.parse("2023/24-Q3")
    assert q3.contains(date(2024, 2, 29))
    assert not q3.contains(date(2024, 4, 1))
    assert q3.contains("2024-03")
    assert not q3.contains("2024-04")
    assert Period.parse("2023/24").contains("2023/24-Q4")
    assert not Period.parse("2023/24-Q4").contains("2023/24")


# -- conversion ---------------------------------------------------------------------------------

def test_month_to_quarter_to_year():
    m = Period.parse("2022-03")
    q = m.to_quarter()
    assert str(q) == "2021/22-Q3"
    assert str(q.to_year()) == "2021/22"
    assert str(m.to_year()) == "2021/22"
    assert q.to_quarter() == q


@pytest.mark.parametrize(
    "month, quarter",
    [("2021-07", "2021/22-Q1"), ("2021-09", "2021/22-Q1"), ("2021-10", "2021/22-Q2"),
     ("2021-12", "2021/22-Q2"), ("2022-01", "2021/22-Q3"), ("2022-04", "2021/22-Q4"),
     ("2022-06", "2021/22-Q4"), ("2022-07", "2022/23-Q1")],
)
def test_month_to_quarter_at_the_edges(month, quarter):
    assert str(Period.parse(month).to_quarter()) == quarter


def test_months_and_quarters_of_longer_periods():
    assert [str(m) for m in Period.parse("2021/22-Q3").months()] == ["2022-01", "2022-02", "2022-03"]
    assert [str(q) for q in Period.parse("2021/22").quarters()] == [f"2021/22-Q{i}" for i in (1, 2, 3, 4)]
    months = [str(m) for m in Period.parse("2021/22").months()]
    assert months[0] == "2021-07" and months[-1] == "2022-06" and len(months) == 12


def test_impossible_conversions_raise():
    with pytest.raises(PeriodError, match="whole fiscal year"):
        Period.parse("2021/22").to_quarter()
    with pytest.raises(PeriodError, match="month"):
        Period.parse("2022-03").quarters()


# -- neighbours ---------------------------------------------------------------------------------

def test_before_crosses_fiscal_year_boundaries():
    assert [str(p) for p in Period.parse("2022/23-Q2").before(4)] == [
        "2021/22-Q2", "2021/22-Q3", "2021/22-Q4", "2022/23-Q1"]
    assert [str(p) for p in Period.parse("2022/23-Q1").before(4)] == [
        "2021/22-Q1", "2021/22-Q2", "2021/22-Q3", "2021/22-Q4"]
    assert [str(p) for p in Period.parse("2022-08").before(4)] == ["2022-04", "2022-05", "2022-06", "2022-07"]
    assert [str(p) for p in Period.parse("2022-02").before(4)] == ["2021-10", "2021-11", "2021-12", "2022-01"]
    assert [str(p) for p in Period.parse("2023/24").before(2)] == ["2021/22", "2022/23"]
    assert Period.parse("2022/23-Q1").before(0) == []


def test_period_range_of_twelve_quarters():
    quarters = period_range("2021/22-Q1", "2023/24-Q4")
    assert len(quarters) == 12
    expected = [f"{y}/{(y + 1) % 100:02d}-Q{i}" for y in (2021, 2022, 2023) for i in (1, 2, 3, 4)]
    assert [str(q) for q in quarters] == expected
    assert quarters[0].start == date(2021, 7, 1) and quarters[-1].end == date(2024, 6, 30)
    assert quarters == sorted(quarters)
    assert period_range("2021/22-Q1", "2021/22-Q1") == [Period.parse("2021/22-Q1")]


def test_period_range_refuses_mixed_kinds_and_reversed_bounds():
    with pytest.raises(PeriodError, match="quarter"):
        period_range("2021/22-Q1", "2022-03")
    with pytest.raises(PeriodError, match="comes before"):
        period_range("2023/24-Q4", "2021/22-Q1")


@pytest.mark.parametrize(
    "start, n, expected",
    [
        ("2021-12", 1, "2022-01"),
        ("2022-01", -1, "2021-12"),
        ("2022-06", 1, "2022-07"),   # into the next fiscal year
        ("2022-07", -1, "2022-06"),
        ("2021-11", 14, "2023-01"),
        ("2023-01", -14, "2021-11"),
        ("2021-07", 12, "2022-07"),
        ("2021-07", -25, "2019-06"),
        ("2021/22-Q4", 1, "2022/23-Q1"),
        ("2021/22-Q1", -1, "2020/21-Q4"),
        ("2021/22-Q2", 9, "2023/24-Q3"),
        ("2021/22", 3, "2024/25"),
    ],
)
def test_shift_across_year_ends(start, n, expected):
    assert str(Period.parse(start).shift(n)) == expected


def test_next_and_previous():
    assert str(Period.parse("2021-12").next()) == "2022-01"
    assert str(Period.parse("2022-01").previous()) == "2021-12"
    p = Period.parse("2021/22-Q4")
    assert p.next().previous() == p


@pytest.mark.parametrize(
    "day, kind, expected",
    [
        (date(2022, 3, 15), "quarter", "2021/22-Q3"),
        (date(2022, 3, 15), "month", "2022-03"),
        (date(2022, 3, 15), "year", "2021/22"),
        (date(2021, 7, 1), "quarter", "2021/22-Q1"),
        (date(2021, 6, 30), "quarter", "2020/21-Q4"),
        (date(2021, 6, 30), "year", "2020/21"),
        (date(2021, 12, 31), "quarter", "2021/22-Q2"),
        (date(2024, 2, 29), "month", "2024-02"),
    ],
)
def test_containing(day, kind, expected):
    p = Period.containing(day, kind)
    assert str(p) == expected
    assert p.start <= day <= p.end


def test_containing_defaults_to_quarter():
    assert str(Period.containing(date(2022, 1, 1))) == "2021/22-Q3"
