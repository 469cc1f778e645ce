"""Each data-quality rule on small frames built here, with the expected flags computed independently."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from cpas_kit.core.periods import Period
from cpas_kit.demo import demo_framework
from cpas_kit.quality import checks
from cpas_kit.quality.completeness import completeness

CYCLE = "2023/24-Q4"
HISTORY = [str(Period.parse(CYCLE).shift(-n)) for n in range(12, 0, -1)]  # the 12 quarters before the cycle


@pytest.fixture(scope="module")
def fw():
    return demo_framework()


def _row(code: str, period: str, value, cell: str = "", source: str | None = "JOC", late_days: int = 5,
         value_text: str | None = None, status: str = "entered") -> dict:
    p = Period.parse(period)
    return {"indicator_code": code, "period": period, "period_start": pd.Timestamp(p.start),
            "disaggregation": cell, "value": value, "value_text": value_text, "source": source,
            "entered_at": datetime.combine(p.end, datetime.min.time()) + timedelta(days=late_days, hours=9),
            "verification_status": status}


def _frame(rows: list[dict]) -> pd.DataFrame:
    f = pd.DataFrame(rows)
    f["value"] = f["value"].astype("float64")
    return f


def _flags(found: pd.DataFrame, rule: str) -> set[tuple[str, str]]:
    return {(r.indicator_code, r.cell) for r in found[found["rule"] == rule].itertuples()}


def _mod_z(x: float, hist: list[float]) -> float:
    """Iglewicz–Hoaglin modified z-score, written out independently of the package."""
    med = statistics.median(hist)
    mad = statistics.median([abs(h - med) for h in hist])
    if mad > 0:
        return 0.6745 * (x - med) / mad
    mean_ad = sum(abs(h - med) for h in hist) / len(hist)
    return (x - med) / (1.253314 * mean_ad) if mean_ad > 0 else 0.0


def test_modified_z_outliers_match_an_independent_computation(fw):
    rng = np.random.default_rng(16)
    rows, expected = [], set()
    cats = fw.categories("admin1")[:20]
    for k, cat in enumerate(cats):
        cell = f"admin1={cat}"
        hist = [float(v) for v in rng.poisson(20 + k, size=len(HISTORY))]
        current = float(rng.choice([hist[-1], 20 + k + 40, 20 + k - 15, 3 * (20 + k)]))
        rows += [_row("SEC-02", p, v, cell) for p, v in zip(HISTORY, hist)] + [_row("SEC-02", CYCLE, current, cell)]
        if abs(_mod_z(current, hist)) > 3.5:
            expected.add(("SEC-02", cell))
    current, history = checks.split(_frame(rows), CYCLE)
    found = checks.outliers(current, history)
    assert expected and len(expected) < len(cats)  # the draw has both outliers and normal values
    assert _flags(found, "outlier_modified_z") == expected
    assert found["detail"].str.contains("beyond ±3.5").all()


def test_outliers_need_enough_history_and_respect_the_threshold(fw):
    rows = [_row("SEC-02", p, v) for p, v in zip(HISTORY[-3:], [10.0, 11.0, 12.0])] + [_row("SEC-02", CYCLE, 90.0)]
    current, history = checks.split(_frame(rows), CYCLE)
    assert checks.outliers(current, history).empty  # 3 earlier values are fewer than MIN_HISTORY
    rows = [_row("SEC-02", p, v) for p, v in zip(HISTORY, [10, 12, 11, 13, 12, 10, 11, 12, 9, 14, 11, 12])]
    rows.append(_row("SEC-02", CYCLE, 14.5))
    current, history = checks.split(_frame(rows), CYCLE)
    z = _mod_z(14.5, [10, 12, 11, 13, 12, 10, 11, 12, 9, 14, 11, 12])
    assert 3.5 < z < 5  # an outlier at the default threshold
    assert len(checks.outliers(current, history)) == len(checks.outliers(current, history, threshold=z - 0.01)) == 1
    assert checks.outliers(current, history, threshold=z + 0.01).empty


def test_ranges_from_the_framework_and_from_history(fw):
    hist = [40.0, 50.0, 45.0, 60.0, 55.0]
    lo, hi = min(hist) - 0.5 * (max(hist) - min(hist)), max(hist) + 0.5 * (max(hist) - min(hist))  # 30 .. 70
    rows = [_row("SEC-05", CYCLE, 120.0),  # percent: framework max 100
            _row("SEC-06", CYCLE, -3.0)]  # units: framework min 0
    for cell, value in (("admin1=CF-AC", 71.0), ("admin1=CF-BB", 69.0), ("admin1=CF-BGF", 5.0)):
        rows += [_row("SEC-04", p, v, cell) for p, v in zip(HISTORY[-5:], hist)] + [_row("SEC-04", CYCLE, value, cell)]
    current, history = checks.split(_frame(rows), CYCLE)
    found = checks.ranges(current, history, fw)
    assert _flags(found, "outside_range") == {("SEC-05", ""), ("SEC-06", "")}
    # SEC-04 has a framework minimum (0) but no maximum: only the upper side comes from history
    expected = {("SEC-04", c) for c, v in (("admin1=CF-AC", 71.0), ("admin1=CF-BB", 69.0), ("admin1=CF-BGF", 5.0))
                if v > hi}
    assert lo == 30 and hi == 70
    assert _flags(found, "outside_history_range") == expected == {("SEC-04", "admin1=CF-AC")}


def test_parts_that_exceed_or_fall_short_of_their_total(fw):
    cases = {  # SEC-08 persons by sex (female, male): total, parts
        "2023/24-Q4": (100.0, {"female": 60.0, "male": 50.0}),  # 110 > 100.5: exceed
        "2024-04": (100.0, {"female": 40.0, "male": 50.0}),  # complete, 90 < 99.5: short
        "2024-05": (100.0, {"female": 120.0}),  # one part alone exceeds the total
        "2024-06": (100.0, {"female": 40.0}),  # incomplete and below: nothing to say
    }
    rows = []
    for period, (total, parts) in cases.items():
        rows.append(_row("SEC-08", period, total))
        rows += [_row("SEC-08", period, v, f"sex={k}") for k, v in parts.items()]
    rows += [_row("SEC-05", CYCLE, 50.0), _row("SEC-03", CYCLE, 80.0, "sex=female"), _row("SEC-03", CYCLE, 20.0)]
    current, _ = checks.split(_frame(rows), CYCLE)
    found = checks.parts_and_totals(current, fw)
    tol = lambda t: max(0.5, 0.005 * t)  # noqa: E731
    exceed = {p for p, (t, parts) in cases.items() if sum(parts.values()) > t + tol(t)}
    short = {p for p, (t, parts) in cases.items() if len(parts) == 2 and sum(parts.values()) < t - tol(t)}
    assert set(found[found["rule"] == "parts_exceed_total"]["period"]) == exceed == {"2023/24-Q4", "2024-05"}
    assert set(found[found["rule"] == "parts_short_of_total"]["period"]) == short == {"2024-04"}
    assert set(found["indicator_code"]) == {"SEC-08"}  # SEC-03 is a percentage: its parts do not add up


def test_sudden_breaks_by_cell(fw):
    hist = [10.0, 12.0, 11.0, 13.0, 12.0]
    largest = max(abs(b - a) for a, b in zip(hist, hist[1:]))
    rows = []
    currents = {"sex=female": 20.0, "sex=male": 14.0, "": 12.0 + largest + 0.5}
    for cell, current in currents.items():
        rows += [_row("SEC-08", p, v, cell) for p, v in zip(HISTORY[-5:], hist)]
        rows.append(_row("SEC-08", CYCLE, current, cell))
    current, history = checks.split(_frame(rows), CYCLE)
    found = checks.breaks(current, history)
    expected = {("SEC-08", c) for c, v in currents.items() if abs(v - hist[-1]) > largest}
    assert _flags(found, "sudden_break") == expected == {("SEC-08", "sex=female"), ("SEC-08", "")}


def test_late_entries_and_values_without_a_source(fw):
    rows = [_row("SEC-06", CYCLE, 1.0, late_days=31), _row("SEC-06", CYCLE, 2.0, "x=1", late_days=30),
            _row("SEC-05", CYCLE, 3.0, source=None), _row("SEC-05", CYCLE, 4.0, "x=1", source="  "),
            _row("PP-01", CYCLE, None, value_text="Elections held", source=None),
            _row("PP-05", CYCLE, None, source=None)]  # no value at all: nothing to source
    current, _ = checks.split(_frame(rows), CYCLE)
    late = checks.late(current)
    assert _flags(late, "late_entry") == {("SEC-06", "")}
    assert late.iloc[0]["measure"] == (datetime.combine(Period.parse(CYCLE).end, datetime.min.time())
                                       + timedelta(days=31) - datetime.combine(Period.parse(CYCLE).end,
                                                                               datetime.min.time())).days
    assert _flags(checks.no_source(current), "no_source") == {("SEC-05", ""), ("SEC-05", "x=1"), ("PP-01", "")}


def test_completeness_counts_expected_entered_verified_rejected_and_days_late(fw):
    rows = [_row("SEC-08", CYCLE, 10.0, status="verified", late_days=10),
            _row("SEC-08", CYCLE, 4.0, "sex=female", status="rejected", late_days=20),
            _row("SEC-06", CYCLE, 3.0, late_days=-5),  # entered before the quarter ended: 0 days late
            _row("SEC-08", "2023/24-Q3", 9.0)]  # another cycle: not counted
    current, _ = checks.split(_frame(rows), CYCLE)
    comp = completeness(fw, current, CYCLE).set_index("section")
    sections = {}
    for _, _, ind in fw.indicators():
        n_cells = 1 if ind.kind == "qualitative" else 1 + sum(len(fw.categories(d)) for d in ind.disaggregations)
        sections[ind.responsible_section] = sections.get(ind.responsible_section, 0) + n_cells
    assert comp["expected"].to_dict() == {s.code: sections.get(s.code, 0) for s in fw.sections}
    assert comp.loc["UNPOL", ["entered", "verified", "rejected"]].tolist() == [2, 1, 1]
    assert comp.loc["UNPOL", "median_days_late"] == 15.0
    assert comp.loc["FORCE", ["entered", "median_days_late"]].tolist() == [1, 0.0]
    assert comp.loc["CAS", "median_days_late"] is None
