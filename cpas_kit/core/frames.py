"""Missing is ``None`` once a value leaves pandas: the one conversion every store reader and renderer uses.

pandas (3.x) stores missing text as ``NaN`` in its ``str`` columns, and ``NaN`` is truthy, so
``value or "—"`` shows ``nan`` and python-docx fails on it. Store readers return frames through
:func:`missing_as_none` (text and object columns hold ``None``; numeric columns keep ``NaN`` for
arithmetic); renderers turn any value into reader text with :func:`display_text`, and rows into plain
dicts with :func:`records`.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """True for ``None``, float ``NaN``, ``pd.NA`` and ``NaT``; False for every real value (including 0 and "")."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, bytes, list, tuple, dict, set)) else False
    except (TypeError, ValueError):  # array-like values are not "missing" as a whole
        return False


def none_if_missing(value: Any) -> Any:
    """``value``, or ``None`` when it is missing."""
    return None if is_missing(value) else value


def missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text and object columns hold ``None`` for every missing value (numeric columns unchanged).

    Text columns become ``object`` columns so that ``None`` survives (a pandas ``str`` column turns it back
    into ``NaN``); ``to_dict("records")``, ``itertuples`` and ``.iloc`` then hand renderers ``None``.
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype):
            values = col.astype(object)
            out[name] = values.where(values.notna(), None)
    return out


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts, with ``None`` for every missing value (numeric ones too)."""
    return [{k: none_if_missing(v) for k, v in row.items()} for row in frame.to_dict("records")]


def display_text(value: Any, empty: str = "") -> str:
    """A value as a reader sees it: missing → ``empty``; dates as ISO days; whole floats without ``.0``."""
    if is_missing(value):
        return empty
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
