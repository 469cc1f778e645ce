"""Schemas of observations: pydantic for records written to the store, pandera for the tidy frames read back.

One row per indicator × period × disaggregation cell. The disaggregation cell is written as a
canonical string: ``""`` for the total, ``"sex=female"``, ``"admin1=CF-BGF"``, or several
``dimension=category`` pairs joined by ``;`` in alphabetical order of dimension.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cpas_kit.core.periods import Period, is_period

VERIFICATION_STATUSES = ("entered", "verified", "rejected")


class ObservationRecord(BaseModel):
    """One observation handed to the store for writing (validated per row: cheap enough for single writes)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    mission_code: str = Field(min_length=1)
    indicator_code: str = Field(min_length=1)
    period: str
    disaggregation: str = ""
    value: float | None = None
    value_text: str | None = None
    source: str | None = None
    # None: a new cell is "entered"; an existing cell keeps its status unless its value changes (then "entered")
    verification_status: Literal["entered", "verified", "rejected"] | None = None
    # None: a new cell is not synthetic; an existing one keeps its flag unless its content changes
    is_synthetic: bool | None = None
    note: str | None = None
    verified_by: str | None = None

    @field_validator("period")
    @classmethod
    def _period(cls, v: str) -> str:
        return str(Period.parse(v))

    @field_validator("value", "value_text", "source", "note", "verified_by", mode="before")
    @classmethod
    def _missing_is_none(cls, v: Any) -> Any:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v

    @model_validator(mode="after")
    def _finite_value(self) -> "ObservationRecord":
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        return self


class Observations(pa.DataFrameModel):
    """Observations as read back from the store (one row per indicator × period × disaggregation cell)."""

    id: Series[int]
    mission_code: Series[str]
    indicator_code: Series[str]
    period: Series[str] = pa.Field(description="reporting period, e.g. 2023/24-Q4")
    disaggregation: Series[str] = pa.Field(description="'' for the total, else dimension=category pairs")
    value: Series[float] = pa.Field(nullable=True)
    value_text: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(nullable=True)
    verification_status: Series[str] = pa.Field(isin=list(VERIFICATION_STATUSES))
    is_synthetic: Series[bool]
    note: Series[str] = pa.Field(nullable=True)
    period_start: Series[pd.Timestamp]
    entered_by: Series[str]
    entered_at: Series[pd.Timestamp]
    verified_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    verified_by: Series[str] = pa.Field(nullable=True)

    @pa.check("period", name="is a reporting period")
    def _periods(cls, s: Series[str]) -> Series[bool]:
        return s.map(is_period).astype(bool)

    class Config:
        coerce = True
        strict = "filter"


def cell_key(parts: dict[str, str] | None) -> str:
    """Canonical disaggregation string for ``{"sex": "female"}`` → ``"sex=female"`` (``{}`` → ``""``)."""
    if not parts:
        return ""
    return ";".join(f"{k}={parts[k]}" for k in sorted(parts))


def parse_cell(key: str) -> dict[str, str]:
    """Inverse of :func:`cell_key`."""
    if not key:
        return {}
    return dict(item.split("=", 1) for item in key.split(";"))
