"""Schemas of the tracker's frames: recommendations (current state) and their append-only events.

Text columns hold Python ``str`` or ``None`` — never a float NaN — so that every renderer (Word, Excel, HTML, the
CLI) can test ``is None`` for a missing value.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from cpas_kit.core.periods import is_period
from cpas_kit.tracker.rules import DECISIONS, PROGRESS

_TEXT = ("text", "priority_code", "outcome_code", "actions", "lead_section", "supporting_sections", "endorsed_by",
         "comments", "source", "source_session", "created_by", "updated_by")


def _no_float_nan(frame: pd.DataFrame, columns: tuple[str, ...]) -> bool:
    """No cell of these columns is a float NaN (missing is ``None``)."""
    return not any(isinstance(v, float) and math.isnan(v)
                   for c in columns if c in frame for v in frame[c].tolist())


class Recommendations(pa.DataFrameModel):
    """A mission's recommendations with their current state, replayed from their events (one row each)."""

    id: Series[int] = pa.Field(unique=True, ge=1)
    mission_code: Series[Any] = pa.Field(nullable=False)
    rec_key: Series[Any] = pa.Field(nullable=False)
    text: Series[Any] = pa.Field(nullable=False)
    cycle_recommended: Series[Any] = pa.Field(nullable=False)
    decision: Series[Any] = pa.Field(isin=list(DECISIONS))
    progress: Series[Any] = pa.Field(isin=list(PROGRESS))
    lead_section: Series[Any] = pa.Field(nullable=True)
    supporting_sections: Series[Any] = pa.Field(nullable=True)
    target_date: Series[Any] = pa.Field(nullable=True)

    @pa.check("cycle_recommended", name="a UN July–June quarter, e.g. 2023/24-Q4")
    def _cycle(cls, s: pd.Series) -> pd.Series:  # noqa: N805 - pandera passes the model class
        return s.map(lambda v: isinstance(v, str) and is_period(v))

    @pa.dataframe_check(name="missing text is None, never NaN")
    def _missing_is_none(cls, df: pd.DataFrame) -> bool:  # noqa: N805
        return _no_float_nan(df, _TEXT)

    class Config:
        strict = False  # the tracker frame adds computed columns (e.g. ``overdue``)


class RecommendationEvents(pa.DataFrameModel):
    """Every change of recommendations, oldest first: who, when, which field, from and to, why."""

    id: Series[int] = pa.Field(unique=True, ge=1)
    recommendation_id: Series[int] = pa.Field(ge=1)
    mission_code: Series[Any] = pa.Field(nullable=False)
    actor: Series[Any] = pa.Field(nullable=False)
    action: Series[Any] = pa.Field(nullable=False)
    field: Series[Any] = pa.Field(nullable=True)
    from_value: Series[Any] = pa.Field(nullable=True)
    to_value: Series[Any] = pa.Field(nullable=True)
    comment: Series[Any] = pa.Field(nullable=True)

    @pa.dataframe_check(name="missing text is None, never NaN")
    def _missing_is_none(cls, df: pd.DataFrame) -> bool:  # noqa: N805
        return _no_float_nan(df, ("field", "from_value", "to_value", "comment"))
