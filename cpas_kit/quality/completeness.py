"""Completeness and timeliness per section and cycle: expected values against entered, verified and rejected.

Expected values are every indicator × disaggregation cell × period of the cycle that the framework asks for
(the cells of the data-entry workbook: the total and each category of each dimension; one period per cycle,
or each month of it for a mission that reports monthly). Timeliness is the median of the days from the end of
each value's period to its entry, with values entered before the period ended counted as 0 days late.
"""

from __future__ import annotations

import pandas as pd

from cpas_kit.core.periods import Period
from cpas_kit.data_in.entry_workbook import template_cells
from cpas_kit.data_in.schemas import cell_key
from cpas_kit.framework.model import Framework
from cpas_kit.quality.checks import days_late

COMPLETENESS_COLUMNS = ["section", "expected", "entered", "verified", "rejected", "median_days_late"]


def expected_periods(fw: Framework, cycle: "str | Period") -> list[str]:
    """The periods of ``cycle`` the mission reports (the cycle itself, or its months/quarters when finer)."""
    c = Period.parse(cycle)
    kind = fw.mission.cycle_kind
    if kind == "month" and c.kind != "month":
        return [str(m) for m in c.months()]
    if kind == "quarter" and c.kind == "year":
        return [str(q) for q in c.quarters()]
    return [str(c)]


def expected_cells(fw: Framework, cycle: "str | Period") -> pd.DataFrame:
    """One row per expected value: section, indicator_code, disaggregation, period."""
    periods = expected_periods(fw, cycle)
    rows = [(ind.responsible_section, ind.code, cell_key(cell), p)
            for _, _, ind in fw.indicators() for cell in template_cells(fw, ind) for p in periods]
    return pd.DataFrame(rows, columns=["section", "indicator_code", "disaggregation", "period"])


def completeness(fw: Framework, current: pd.DataFrame, cycle: "str | Period") -> pd.DataFrame:
    """One row per section of the framework: expected, entered, verified, rejected, median_days_late (None when
    nothing was entered). ``current`` holds the cycle's observations (value, value_text, verification_status,
    entered_at)."""
    exp = expected_cells(fw, cycle)
    cols = ["indicator_code", "disaggregation", "period", "value", "value_text", "verification_status", "entered_at"]
    got = current[cols] if len(current) else pd.DataFrame(columns=cols)
    has = got["value"].notna() | got["value_text"].fillna("").astype(str).str.strip().ne("")
    got = got[has]
    j = exp.merge(got, on=["indicator_code", "disaggregation", "period"], how="left", indicator=True)
    j["is_entered"] = j["_merge"].eq("both")
    j["days"] = days_late(j[j["is_entered"]]).clip(lower=0) if j["is_entered"].any() else pd.Series(dtype=float)
    out = []
    for s in fw.sections:
        part = j[j["section"] == s.code]
        entered = part[part["is_entered"]]
        med = entered["days"].median() if len(entered) else None
        out.append({"section": s.code, "expected": int(len(part)), "entered": int(len(entered)),
                    "verified": int((entered["verification_status"] == "verified").sum()),
                    "rejected": int((entered["verification_status"] == "rejected").sum()),
                    "median_days_late": None if med is None or pd.isna(med) else float(med)})
    frame = pd.DataFrame(out, columns=COMPLETENESS_COLUMNS)
    frame["median_days_late"] = pd.Series([r["median_days_late"] for r in out], index=frame.index, dtype=object)
    return frame  # median_days_late stays None (not NaN) where nothing was entered
