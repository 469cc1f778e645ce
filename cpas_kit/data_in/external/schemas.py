"""Schemas of the external-data tables: events (ACLED, UCDP) and context values (World Bank, HXL).

``EventsRead`` is what a reader hands over (one row per event of the file, any country), ``EventsToStore``
what is written for a mission, ``Events`` what is read back; ``ContextValuesRead``, ``ContextValues`` and
``StoredContextValues`` likewise for context values. Text read back holds Python strings, missing as None/NaN.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Category, Series

EVENT_SOURCES = ("acled", "ucdp")
CONTEXT_SOURCES = ("worldbank", "hxl")
ADMIN1_MATCHES = ("name", "alt_name", "iso3166", "alias", "fuzzy", "point")


class EventsRead(pa.DataFrameModel):
    """Events as read from one ACLED or UCDP file, before the mission's areas and periods are attached.

    Repetitive text columns are categoricals (a million events share a few thousand places and actors), which
    keeps big files small in memory and lets every step work once per distinct value. The reader has already
    checked that event ids are present, unique and at most 60 characters long.
    """

    row: Series[int] = pa.Field(ge=1, description="row number in the file as a spreadsheet shows it")
    source_event_id: Series[str]
    event_date: Series[pd.Timestamp]
    disorder_type: Series[Category] = pa.Field(nullable=True)
    event_type: Series[Category] = pa.Field(nullable=True)
    sub_event_type: Series[Category] = pa.Field(nullable=True)
    actor1: Series[Category] = pa.Field(nullable=True)
    actor2: Series[Category] = pa.Field(nullable=True)
    inter1: Series[Category] = pa.Field(nullable=True)
    inter2: Series[Category] = pa.Field(nullable=True)
    civilian_targeting: Series[bool]
    country: Series[Category] = pa.Field(nullable=True, description="country name as the file writes it")
    country_code: Series[float] = pa.Field(nullable=True, description="ISO numeric (ACLED) or G-W number (UCDP)")
    admin1_name: Series[Category] = pa.Field(nullable=True)
    admin2_name: Series[Category] = pa.Field(nullable=True)
    location: Series[Category] = pa.Field(nullable=True)
    latitude: Series[float] = pa.Field(nullable=True, ge=-90, le=90)
    longitude: Series[float] = pa.Field(nullable=True, ge=-180, le=180)
    fatalities_best: Series[int] = pa.Field(ge=0)
    fatalities_low: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fatalities_high: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fatalities_civilians: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    data_source: Series[Category] = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = False


class EventsToStore(pa.DataFrameModel):
    """Events of one mission and source handed to the store: the host country's rows of a file, each with its
    admin-1 area, reporting period and row hash (text columns categorical, as in :class:`EventsRead`)."""

    mission_code: Series[str]
    source: Series[str] = pa.Field(isin=list(EVENT_SOURCES))
    source_event_id: Series[str]
    event_date: Series[pd.Timestamp]
    period: Series[Category] = pa.Field(description="mission reporting period containing event_date")
    period_start: Series[pd.Timestamp]
    disorder_type: Series[Category] = pa.Field(nullable=True)
    event_type: Series[Category] = pa.Field(nullable=True)
    sub_event_type: Series[Category] = pa.Field(nullable=True)
    actor1: Series[Category] = pa.Field(nullable=True)
    actor2: Series[Category] = pa.Field(nullable=True)
    inter1: Series[Category] = pa.Field(nullable=True)
    inter2: Series[Category] = pa.Field(nullable=True)
    civilian_targeting: Series[bool]
    admin1_name: Series[Category] = pa.Field(nullable=True)
    admin2_name: Series[Category] = pa.Field(nullable=True)
    location: Series[Category] = pa.Field(nullable=True)
    latitude: Series[float] = pa.Field(nullable=True, ge=-90, le=90)
    longitude: Series[float] = pa.Field(nullable=True, ge=-180, le=180)
    admin1_code: Series[Category] = pa.Field(nullable=True, description="missing: not matched to an area")
    admin1_match: Series[Category] = pa.Field(nullable=True, isin=list(ADMIN1_MATCHES))
    fatalities_best: Series[int] = pa.Field(ge=0)
    fatalities_low: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fatalities_high: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fatalities_civilians: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    data_source: Series[Category] = pa.Field(nullable=True)
    row_hash: Series[str]

    class Config:
        strict = "filter"
        ordered = False


class Events(pa.DataFrameModel):
    """Events of one mission as stored and read back: one row per source event, with its admin-1 area
    (``admin1_code`` None: not matched to an area; ``admin1_match`` how it was placed: "name" (exact
    code or name), "alt_name", "iso3166", "alias", "fuzzy" or "point") and reporting period."""

    id: Series[int]
    mission_code: Series[str]
    source: Series[str] = pa.Field(isin=list(EVENT_SOURCES))
    source_event_id: Series[str]
    event_date: Series[pd.Timestamp]
    period: Series[str] = pa.Field(description="mission reporting period containing event_date, e.g. 2023/24-Q4")
    period_start: Series[pd.Timestamp]
    disorder_type: Series[str] = pa.Field(nullable=True)
    event_type: Series[str] = pa.Field(nullable=True)
    sub_event_type: Series[str] = pa.Field(nullable=True)
    actor1: Series[str] = pa.Field(nullable=True)
    actor2: Series[str] = pa.Field(nullable=True)
    inter1: Series[str] = pa.Field(nullable=True)
    inter2: Series[str] = pa.Field(nullable=True)
    civilian_targeting: Series[bool]
    admin1_name: Series[str] = pa.Field(nullable=True)
    admin2_name: Series[str] = pa.Field(nullable=True)
    location: Series[str] = pa.Field(nullable=True)
    latitude: Series[float] = pa.Field(nullable=True, ge=-90, le=90)
    longitude: Series[float] = pa.Field(nullable=True, ge=-180, le=180)
    admin1_code: Series[str] = pa.Field(nullable=True)
    admin1_match: Series[str] = pa.Field(nullable=True, isin=list(ADMIN1_MATCHES))
    fatalities_best: Series[int] = pa.Field(ge=0)
    fatalities_low: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fatalities_high: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    fatalities_civilians: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    data_source: Series[str] = pa.Field(nullable=True)
    row_hash: Series[str] = pa.Field(str_length={"min_value": 32, "max_value": 32})
    import_id: Series[int]

    class Config:
        strict = True
        ordered = False


class ContextValuesRead(pa.DataFrameModel):
    """Context values read from one World Bank or HXL file: one row per indicator × area × period.

    ``admin1_code`` is "" for a national value and ``"?"`` + the file's name for an area that matched none of
    the mission's areas; ``period`` is a calendar year ("2023") for World Bank data, a date ("2024-06-28") for
    World Bank country metadata and a mission reporting period ("2023/24-Q4") for HXL data, with its first and
    last day.
    """

    indicator_code: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 120})
    indicator_name: Series[str]
    unit: Series[str] = pa.Field(nullable=True)
    admin1_code: Series[str] = pa.Field(str_length={"max_value": 20})
    admin1_name: Series[str] = pa.Field(nullable=True)
    period: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 20})
    period_start: Series[pd.Timestamp]
    period_end: Series[pd.Timestamp]
    value: Series[float] = pa.Field(nullable=True)
    value_text: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = "filter"
        ordered = False

    @pa.dataframe_check(name="a value or a text value")
    def _has_value(cls, df: pd.DataFrame) -> Series[bool]:
        return df["value"].notna() | df["value_text"].notna()

    @pa.dataframe_check(name="period_start <= period_end")
    def _ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["period_start"] <= df["period_end"]


class ContextValues(ContextValuesRead):
    """Context values of one mission, as stored."""

    mission_code: Series[str]
    source: Series[str] = pa.Field(isin=list(CONTEXT_SOURCES))


class StoredContextValues(ContextValues):
    """Context values read back from the store."""

    id: Series[int]
    import_id: Series[int]


class EventsSummary(pa.DataFrameModel):
    """Event counts and fatalities (best estimate) per source and admin-1 area or period."""

    source: Series[str] = pa.Field(isin=list(EVENT_SOURCES))
    label: Series[str] = pa.Field(description="area name, period, or 'not matched to an area'")
    events: Series[int] = pa.Field(ge=0)
    fatalities_best: Series[int] = pa.Field(ge=0)

    class Config:
        strict = False
