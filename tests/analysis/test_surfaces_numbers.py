"""Numbers that must not mislead (issue 15 item 9): one sign for the distance to target, no 'share of the planned
change' for maintain indicators, a symmetric change scale that the packs state."""

from __future__ import annotations

import pandas as pd
import pytest

from cpas_kit.analysis.indicators import CHANGE_RULE, DISTANCE_RULE, change_level, distance_text, distance_to_target
from cpas_kit.packs.impact_report import _derived


@pytest.mark.parametrize("direction, value, target, expected", [
    ("increase", 46, 100, 54),      # short of a higher-is-better target: positive
    ("increase", 103.5, 100, -3.5),  # exceeded: negative
    ("decrease", 154, 100, 54),     # a lower-is-better indicator 54 above its target: still 54 to go, positive
    ("decrease", 96.5, 100, -3.5),  # below a lower-is-better target: exceeded, negative
    ("maintain", 90, 100, 10),      # maintain: distance either way
    ("maintain", 110, 100, 10),
    ("increase", None, 100, None),
    ("increase", 5, None, None),
])
def test_distance_to_target_has_one_sign_for_every_direction(direction, value, target, expected):
    got = distance_to_target(direction, value, target)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_distance_is_said_in_words_in_both_languages():
    assert distance_text("decrease", 54.0, "en") == "54.0 still to go"
    assert distance_text("increase", -3.5, "en", lambda v: f"{v:g}") == "target exceeded by 3.5"
    assert distance_text("increase", 0.0, "en") == "target reached"
    assert distance_text("maintain", 10.0, "fr", lambda v: f"{v:g}") == "à 10 de la cible (dans un sens ou l'autre)"
    assert distance_text("increase", None, "en") is None
    assert "positive" in DISTANCE_RULE["en"] and "négatif" in DISTANCE_RULE["fr"]


@pytest.mark.parametrize("pct, level", [(30, "large increase"), (20, "moderate increase"), (5, "limited change"),
                                        (-5, "limited change"), (-20, "moderate decrease"),
                                        (-30, "large decrease")])
def test_change_scale_is_symmetric(pct, level):
    assert change_level(100 + pct, [100] * 4, "increase")[0] == level
    mirrored = {"large increase": "large decrease", "moderate increase": "moderate decrease"}
    assert change_level(100 - pct, [100] * 4, "increase")[0] == mirrored.get(level, {v: k for k, v in
                                                                                    mirrored.items()}.get(level, level))
    assert "moderate decrease" in CHANGE_RULE["en"] and "baisse modérée" in CHANGE_RULE["fr"]


def test_a_maintain_indicator_has_no_share_of_planned_change():
    status = pd.DataFrame([
        {"indicator_code": "M-1", "direction": "maintain", "kind": "quantitative", "level": "output",
         "latest_value": 200.0, "change_vs_previous": 10.0, "baseline_value": 100.0, "target_value": 150.0,
         "expected_value": 150.0, "status": "off track"},
        {"indicator_code": "I-1", "direction": "increase", "kind": "quantitative", "level": "output",
         "latest_value": 125.0, "change_vs_previous": 5.0, "baseline_value": 100.0, "target_value": 150.0,
         "expected_value": 150.0, "status": "off track"},
    ])
    d = _derived(status).set_index("indicator_code")
    assert d.loc["M-1", "progress_share"] is None or pd.isna(d.loc["M-1", "progress_share"])
    assert d.loc["I-1", "progress_share"] == pytest.approx(0.5)
