"""Table schemas (pandera) for the tidy frames cpas_kit passes around.

One row per indicator × period × disaggregation cell. The disaggregation cell is written as a
canonical string: ``""`` for the total, ``"sex=female"``, ``"admin1=CF-BGF"``, or several
``dimension=category`` pairs joined by ``;`` in alphabetical order of dimension.
"""

from __future__ import annotations

from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from cpas_kit.periods import is_period

VERIFICATION_STATUSES = ("entered", "verified", "rejected")


class ObservationsIn(pa.DataFrameModel):
    """Observations handed to the store for writing."""

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
    verified_by: Optional[Series[str]] = pa.Field(nullable=True)

    @pa.check("period", name="is a reporting period")
    def _periods(cls, s: Series[str]) -> Series[bool]:
        return s.map(is_period).astype(bool)

    class Config:
        coerce = True
        strict = "filter"


class Observations(ObservationsIn):
    """Observations as read back from the store."""

    id: Series[int]
    period_start: Series[pd.Timestamp]
    entered_by: Series[str]
    entered_at: Series[pd.Timestamp]
    verified_at: Series[pd.Timestamp] = pa.Field(nullable=True)


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
