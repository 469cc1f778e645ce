"""Indicator analysis: the Trendfinder-style change level, with direction and low baselines."""

from __future__ import annotations

import pandas as pd
import pytest

from cpas_kit.analysis.indicators import change_level, indicator_status
from cpas_kit.demo import demo_framework, generate_observations


@pytest.mark.parametrize("value, previous, direction, expected", [
    (130, [100, 100, 100, 100], "increase", ("large increase", "good")),
    (120, [100, 100, 100, 100], "increase", ("moderate increase", "good")),
    (110, [100, 100, 100, 100], "decrease", ("limited change", "neutral")),
    (80, [100, 100, 100, 100], "increase", ("moderate decrease", "bad")),  # symmetric scale (issue 15)
    (70, [100, 100, 100, 100], "increase", ("large decrease", "bad")),
    (70, [100, 100, 100, 100], "decrease", ("large decrease", "good")),
    (130, [100, 100, 100, 100], "decrease", ("large increase", "bad")),
    (130, [100, 100, 100, 100], "maintain", ("large increase", "bad")),
    (130, [999, 100, 100, 100, 100], "increase", ("large increase", "good")),  # only the last four count
    (2, [0, 0, 0, 0], "decrease", ("large increase", "bad")),  # from zero: no division by zero
    (0.1, [0, 0, 0, 0], "decrease", ("limited change", "neutral")),  # a low base counts as 1
])
def test_change_levels(value, previous, direction, expected):
    level, judgement, _ = change_level(value, previous, direction)
    assert (level, judgement) == expected


def test_no_history_no_level():
    assert change_level(5, [], "increase") == (None, None, None)
    assert change_level(None, [1, 2], "increase") == (None, None, None)


def test_status_frame_carries_change_and_distance_to_target():
    fw = demo_framework()
    obs = generate_observations(fw).assign(id=0, period_start=None)
    from cpas_kit.core.periods import Period

    obs["period_start"] = obs["period"].map(lambda p: Period.parse(p).start)
    status = indicator_status(fw, obs, "2023/24-Q4").set_index("indicator_code")
    row = status.loc["SEC-04"]
    assert row["change_level"] in ("large increase", "moderate increase", "limited change", "moderate decrease",
                                   "large decrease")
    assert row["distance_to_target"] == pytest.approx(row["target_value"] - row["latest_value"])
    assert pd.isna(status.loc["PP-01", "change_level"])
