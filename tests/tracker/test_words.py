"""Tracker values from the seeds in the reader's language (issue 15 item 16): sections by the framework's French
names, the endorsing bodies in French, anyone's own text as written, missing values missing."""

from __future__ import annotations

import pytest

from cpas_kit.demo import demo_framework
from cpas_kit.tracker.words import in_language


@pytest.mark.parametrize("value, french", [
    ("Force, Civil Affairs", "Force, Affaires civiles"),
    ("Senior Leadership", "Direction de la mission"),
    ("civil affairs; HRD", "Affaires civiles; Droits de l'homme"),
    ("A working group of my own", "A working group of my own"),
    ("Justice / Corrections", "Justice / Affaires pénitentiaires"), ("Not Assigned", "Non attribuée"),
    ("Force; Justice / Corrections", "Force; Justice / Affaires pénitentiaires"),
])
def test_seed_values_in_french(value, french):
    assert in_language(value, demo_framework(), "fr") == french


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_stays_missing(value):
    assert in_language(value, demo_framework(), "fr") is None


def test_english_is_left_as_written():
    assert in_language("Civil Affairs", demo_framework(), "en") == "Civil Affairs"


@pytest.mark.parametrize("action, en, fr", [("create", "created", "créée"), ("decide", "decision recorded",
                                                                              "décision enregistrée"),
                                            ("progress", "progress recorded", "avancement enregistré"),
                                            ("edit", "edited", "modifiée"), ("something-new", "something-new",
                                                                            "something-new")])
def test_history_actions_are_words(action, en, fr):
    from cpas_kit.tracker.export import action_label

    assert action_label(action, "en") == en and action_label(action, "fr") == fr
