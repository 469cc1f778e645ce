"""Conflict events aggregated for the packs: hotspots by admin-1 area and period, incident points by place.

Raw event rows never reach a chart (STYLE 6): :func:`hotspots` gives one row per area, :func:`incident_points`
one row per place (coordinates rounded to :data:`POINT_GRID` degrees, about 10 km), with counts and fatalities.
An area is a **hotspot** in a cycle when it had events and its event count rose by more than 10 % against the
mean of the previous four periods (the change levels of :func:`cpas_kit.analysis.indicators.change_level`, read with
"fewer events is better").
"""

from __future__ import annotations

import pandas as pd

from cpas_kit.analysis.indicators import CHANGE_WINDOW, change_level
from cpas_kit.core.periods import Period

POINT_GRID = 0.1
HOTSPOT_LEVELS = ("large increase", "moderate increase")


def hotspots(events: pd.DataFrame, areas: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """One row per admin-1 area: events and fatalities in ``cycle``, the previous mean, change level, hotspot."""
    cyc = Period.parse(cycle)
    previous = [str(p) for p in cyc.before(CHANGE_WINDOW)]
    table = areas[["area_code", "area_name"]].copy()
    if len(events):
        counts = (events[events["admin1_code"].notna()]
                  .groupby(["admin1_code", "period"]).agg(events=("source_event_id", "size"),
                                                          fatalities_best=("fatalities_best", "sum"))
                  .reset_index())
    else:
        counts = pd.DataFrame(columns=["admin1_code", "period", "events", "fatalities_best"])
    rows = []
    for area in table.itertuples(index=False):
        mine = counts[counts["admin1_code"] == area.area_code].set_index("period")
        now = int(mine["events"].get(str(cyc), 0))
        before = [float(mine["events"].get(p, 0)) for p in previous]
        level, judgement, change = change_level(float(now), before, "decrease")
        rows.append({"area_code": area.area_code, "area_name": area.area_name, "events": now,
                     "fatalities_best": int(mine["fatalities_best"].get(str(cyc), 0)),
                     "events_previous_mean": sum(before) / len(before) if before else None,
                     "change_vs_mean": change, "change_level": level,
                     "is_hotspot": bool(now > 0 and level in HOTSPOT_LEVELS)})
    return pd.DataFrame(rows).sort_values(["is_hotspot", "events"], ascending=False).reset_index(drop=True)


def incident_points(events: pd.DataFrame, cycle: str) -> pd.DataFrame:
    """Events of ``cycle`` grouped by place (rounded coordinates): latitude, longitude, events, fatalities."""
    sel = events[(events["period"] == str(Period.parse(cycle))) & events["latitude"].notna()
                 & events["longitude"].notna()] if len(events) else events
    if not len(sel):
        return pd.DataFrame(columns=["latitude", "longitude", "events", "fatalities_best"])
    grid = sel.assign(latitude=(sel["latitude"] / POINT_GRID).round() * POINT_GRID,
                      longitude=(sel["longitude"] / POINT_GRID).round() * POINT_GRID)
    return (grid.groupby(["latitude", "longitude"])
            .agg(events=("source_event_id", "size"), fatalities_best=("fatalities_best", "sum"))
            .reset_index().round({"latitude": 2, "longitude": 2}))
