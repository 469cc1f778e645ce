"""Reading a mission's events and context values back from the store, and summarising events for the packs.

ACLED and UCDP count the same violence differently, so every summary keeps the source apart: never add the two.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from sqlalchemy import String, func, select

from cpas_kit.core.periods import Period
from cpas_kit.data_in.boundaries import mission_areas
from cpas_kit.data_in.external.admin1 import UNMATCHED_LABEL
from cpas_kit.data_in.external.schemas import Events, EventsSummary, StoredContextValues
from cpas_kit.store import Store
from cpas_kit.store.engine import read
from cpas_kit.store.schema import context_values, events

_INT_NULLABLE = ("fatalities_low", "fatalities_high", "fatalities_civilians")


def read_events(store: Store, mission: str, periods: list[str] | None = None, *,
                source: str | None = None) -> pd.DataFrame:
    """The mission's events (:class:`~cpas_kit.data_in.external.schemas.Events`), optionally for some reporting periods
    and one source."""
    q = select(events).where(events.c.mission_code == mission)
    if periods is not None:
        q = q.where(events.c.period.in_([str(Period.parse(p)) for p in periods]))
    if source is not None:
        q = q.where(events.c.source == source)
    q = q.order_by(events.c.event_date, events.c.source, events.c.source_event_id)
    with read(store.engine) as conn:
        frame = pd.read_sql_query(q, conn)
    frame = frame.astype({"event_date": "datetime64[ns]", "period_start": "datetime64[ns]",
                          "civilian_targeting": bool, "latitude": float, "longitude": float,
                          "fatalities_best": "int64", "id": "int64", "import_id": "int64",
                          **{c: "Int64" for c in _INT_NULLABLE}})
    text = [c.name for c in events.c if isinstance(c.type, String)]
    frame = frame.astype({c: "str" for c in text})
    return Events.validate(frame)[[c.name for c in events.c]]


def read_context_values(store: Store, mission: str, source: str | None = None) -> pd.DataFrame:
    """The mission's context values (:class:`StoredContextValues`), optionally of one source."""
    q = select(context_values).where(context_values.c.mission_code == mission)
    if source is not None:
        q = q.where(context_values.c.source == source)
    q = q.order_by(context_values.c.source, context_values.c.indicator_code, context_values.c.admin1_code,
                   context_values.c.period_start)
    with read(store.engine) as conn:
        frame = pd.read_sql_query(q, conn)
    frame = frame.astype({"period_start": "datetime64[ns]", "period_end": "datetime64[ns]", "value": float,
                          "id": "int64", "import_id": "int64"})
    text = ["mission_code", "source", "indicator_code", "indicator_name", "unit", "admin1_code", "admin1_name",
            "period", "value_text"]
    frame = frame.astype({c: "str" for c in text})
    return StoredContextValues.validate(frame)[[c.name for c in context_values.c]]


def events_summary(store: Store, mission: str, by: Literal["admin1", "period"] = "admin1", *,
                   source: str | None = None, periods: list[str] | None = None) -> pd.DataFrame:
    """Event counts and ``fatalities_best`` summed per source and admin-1 area (every area of the mission, zero
    when quiet, plus a row with ``area_code`` None labelled "not matched to an area" when some events are
    unmatched) or per source and period (``period`` as "2023/24-Q4", ``period_start`` as "YYYY-MM-DD" text), as
    :class:`EventsSummary`."""
    if by not in ("admin1", "period"):
        raise ValueError(f"events_summary: by must be 'admin1' or 'period', not {by!r}")
    keys = [events.c.admin1_code] if by == "admin1" else [events.c.period, events.c.period_start]
    q = (select(events.c.source, *keys, func.count().label("events"),
                func.sum(events.c.fatalities_best).label("fatalities_best"))
         .where(events.c.mission_code == mission).group_by(events.c.source, *keys))
    if source is not None:
        q = q.where(events.c.source == source)
    if periods is not None:
        q = q.where(events.c.period.in_([str(Period.parse(p)) for p in periods]))
    with read(store.engine) as conn:
        counts = pd.read_sql_query(q, conn)
    counts = counts.astype({"source": "str", "events": "int64", "fatalities_best": "int64"})
    if by == "period":
        counts["period_start"] = pd.to_datetime(counts["period_start"])
        counts["label"] = counts["period"].astype("str")
        out = counts.sort_values(["source", "period_start"])[["source", "period", "period_start", "label", "events",
                                                              "fatalities_best"]]
        # text, as readers and JSON see them: "2023/24-Q4" and "2023-04-01", never epoch milliseconds
        out = out.assign(period=out["period"].astype("str"), period_start=out["period_start"].dt.strftime("%Y-%m-%d"))
        return EventsSummary.validate(out.reset_index(drop=True))
    return EventsSummary.validate(_by_area(store, mission, counts))


def _by_area(store: Store, mission: str, counts: pd.DataFrame) -> pd.DataFrame:
    """Counts per area joined to every area of the mission in use (zeros for quiet areas), unmatched last."""
    gdf = mission_areas(store, mission)
    areas = (pd.DataFrame(gdf[["area_code", "area_name"]]) if gdf is not None
             else pd.DataFrame(columns=["area_code", "area_name"]))
    frames = []
    for src in sorted(counts["source"].unique()):
        mine = counts.loc[counts["source"] == src].rename(columns={"admin1_code": "area_code"})
        known = areas.merge(mine[["area_code", "events", "fatalities_best"]], on="area_code", how="left")
        known = known.fillna({"events": 0, "fatalities_best": 0})
        rest = mine.loc[mine["area_code"].isna() | ~mine["area_code"].isin(areas["area_code"])]
        if len(rest):
            known = pd.concat([known, pd.DataFrame({
                "area_code": [None], "area_name": [UNMATCHED_LABEL], "events": [int(rest["events"].sum())],
                "fatalities_best": [int(rest["fatalities_best"].sum())]})], ignore_index=True)
        frames.append(known.assign(source=src))
    columns = ["source", "area_code", "area_name", "label", "events", "fatalities_best"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("events", "fatalities_best") else "str")
                             for c in columns})
    out = pd.concat(frames, ignore_index=True)
    out["label"] = out["area_name"]
    out = out.astype({"source": "str", "label": "str", "events": "int64", "fatalities_best": "int64",
                      "area_code": object})
    return out[columns]
