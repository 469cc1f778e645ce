"""The tracker in words (issue 15 item 7): store readers hand out None, history and list tables are readable in
both languages, a recommendation's creation is spelled out field by field (never JSON)."""

from __future__ import annotations

import csv
from datetime import date

from cpas_kit.core.paths import DEMO_DIR
from cpas_kit.tracker.files import tracker_frame
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.tracker.views import history_rows, history_table, list_rows, list_table, text_table
from tests.surface_text import raw_values

STORE_CONTENT = "demo"  # the shared ``store`` fixture (tests/conftest.py)
STORE_BACKENDS = ("sqlite",)
MISSION = "UN-DEMO"


def test_store_readers_hand_out_none_not_nan(store):
    recs = TrackerStore(store).recommendations(MISSION)
    assert len(recs) == 7
    empty_support = [r for r in recs.to_dict("records") if r["supporting_sections"] is None]
    # the seeds' tracker leaves Supporting Section empty on some rows: counted from the file itself
    with open(DEMO_DIR / "UN-DEMO_tracker.csv", encoding="utf-8") as fh:
        blanks = sum(1 for row in csv.DictReader(fh) if not row["Supporting Section"].strip())
    assert len(empty_support) == blanks > 0
    assert all(r["actions"] is None for r in recs.to_dict("records"))  # the seeds give no actions
    events = TrackerStore(store).recommendation_events(MISSION)
    assert events["field"].map(lambda v: v is None or isinstance(v, str)).all()


def test_history_is_said_field_by_field_in_both_languages(store):
    rec = TrackerStore(store).recommendations(MISSION).iloc[3]  # #4: approved, ongoing, a target date
    TrackerStore(store).change_recommendation(int(rec["id"]), "progress", "Implemented", actor="Force",
                                              comment="Working group met monthly since May")
    events = TrackerStore(store).recommendation_history(int(rec["id"]))
    en = history_rows(events, "en")
    created = [r for r in en if r["action"] == "Recorded in the tracker"]
    snapshot_fields = {"Lead responsible section", "Recommendation endorsed by", "Decision",
                       "Target implementation date", "Implementation progress"}
    assert {r["field"] for r in created} >= snapshot_fields and all(r["old"] == "—" for r in created)
    last = en[-1]
    assert (last["action"], last["field"], last["old"], last["new"]) == (
        "Progress updated", "Implementation progress", "Ongoing", "Implemented")
    assert last["when"].endswith("UTC") and len(last["when"]) == len("2024-06-30 14:05 UTC")
    fr = history_rows(events, "fr")[-1]
    assert (fr["action"], fr["old"], fr["new"]) == ("État mis à jour", "En cours", "Mise en œuvre")
    table = history_table(events, int(rec["id"]))
    assert raw_values(table) == [] and "{" not in table


def test_list_table_names_areas_and_marks_overdue(store):
    recs = tracker_frame(store, MISSION, on=date(2024, 6, 30))
    rows = list_rows(recs, "en", {"P1": "1. Security"})
    assert [r["overdue"] for r in rows].count("yes") == int(recs["overdue"].sum()) == 1
    assert {r["priority_code"] for r in rows} == {"1. Security"}
    text = list_table(recs, store.framework(MISSION), on=date(2024, 6, 30))
    assert text.startswith("7 recommendation(s) of UN-DEMO; overdue judged on 2024-06-30.")
    assert raw_values(text) == [] and "NaN" not in text and "None" not in text


def test_text_table_wraps_cells_within_their_width():
    out = text_table([{"a": "x" * 25, "b": "short"}], {"a": "A", "b": "B"}, {"a": 10})
    lines = out.splitlines()
    assert len(lines) == 2 + 3 and all(len(line.split("  ")[0]) <= 10 for line in lines)
