"""The cross-mission study's data-quality part: completeness, timeliness and outlier rate per mission and cycle.

For each mission of the study and each of its last :data:`LAST_CYCLES` cycles in the study's range, the
checks of :mod:`cpas_kit.quality` run as they do for ``cpas quality``: completeness is values entered ÷ values
the framework expects; timeliness the median of the sections' median days from period end to entry; the outlier
rate the share of numeric values flagged by an outlier, range or break rule (explained findings excluded).
"""

from __future__ import annotations

import pandas as pd

from cpas_kit.core.periods import Period
from cpas_kit.quality import quality_report
from cpas_kit.store import Store
from cpas_kit.study.aggregates import StudyScope

LAST_CYCLES = 4
QUALITY_COLUMNS = ["mission_code", "cycle", "expected", "entered", "completeness", "median_days_late",
                   "numeric_values", "outlier_rate", "open_findings"]


def quality_by_mission(store: Store, scope: StudyScope, missions: list[str]) -> pd.DataFrame:
    """One row per mission × cycle (its last cycles in the range); missing figures are None."""
    rows = []
    for mission in missions:
        fw = store.framework(mission, str(scope.last))
        kind = fw.mission.cycle_kind
        cycles = [p for p in scope.cycle_labels() if Period.parse(p).kind == kind][-LAST_CYCLES:]
        for cycle in cycles:
            rep = quality_report(store, mission, cycle, fw=store.framework(mission, cycle))
            comp = rep.completeness
            expected, entered = int(comp["expected"].sum()), int(comp["entered"].sum())
            days = [d for d in comp["median_days_late"] if d is not None]
            rows.append({"mission_code": mission, "cycle": cycle, "expected": expected, "entered": entered,
                         "completeness": entered / expected if expected else None,
                         "median_days_late": float(pd.Series(days).median()) if days else None,
                         "numeric_values": rep.numeric_values, "outlier_rate": rep.outlier_rate(),
                         "open_findings": int((rep.findings["state"] != "explained").sum())})
    frame = pd.DataFrame(rows, columns=QUALITY_COLUMNS)
    for col in ("completeness", "median_days_late", "outlier_rate"):
        frame[col] = pd.Series([r[col] for r in rows], index=frame.index, dtype=object)
    return frame
