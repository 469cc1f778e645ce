"""The recommendations tracker: append-only events, replayed state, transition rules, schema upgrade."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text

from cpas_kit.demo import MISSION, TRACKER_FILE, demo_framework, load_demo
from cpas_kit.store import Store
from cpas_kit.store.engine import upgrade
from cpas_kit.tracker.files import read_tracker_file
from cpas_kit.tracker.rules import check_change, is_overdue
from cpas_kit.tracker.store import ChangeRefused, TrackerStore

APPROVED_NOT_STARTED = {"decision": "Approved", "progress": "Not Assigned"}


@pytest.fixture
def demo_store(demo_sqlite_url):
    s = Store(demo_sqlite_url)
    yield s
    s.close()


@pytest.mark.parametrize("state, field, new, comment, refusal", [
    ({"decision": "Awaiting Review", "progress": "Not Assigned"}, "decision", "Approved", None, None),
    ({"decision": "Awaiting Review", "progress": "Not Assigned"}, "decision", "Rejected", None, "needs a reason"),
    ({"decision": "Awaiting Review", "progress": "Not Assigned"}, "decision", "Rejected", "out of mandate", None),
    ({"decision": "Awaiting Review", "progress": "Not Assigned"}, "decision", "Deferred", "", "needs a reason"),
    ({"decision": "Awaiting Review", "progress": "Not Assigned"}, "decision", "Awaiting Review", None, "already"),
    ({"decision": "Awaiting Review", "progress": "Not Assigned"}, "decision", "Maybe", None, "is not a decision"),
    ({"decision": "Rejected", "progress": "Not Assigned"}, "decision", "Approved", "x", "cannot become Approved"),
    ({"decision": "Rejected", "progress": "Not Assigned"}, "decision", "Awaiting Review", None, "needs a reason"),
    ({"decision": "Approved", "progress": "Ongoing"}, "decision", "Rejected", "funds cut", "only be withdrawn"),
    (APPROVED_NOT_STARTED, "decision", "Deferred", "elections first", None),
    ({"decision": "Awaiting Review", "progress": "Not Assigned"}, "progress", "Ongoing", None, "approved"),
    ({"decision": "Rejected", "progress": "Not Assigned"}, "progress", "Ongoing", None, "this one is Rejected"),
    (APPROVED_NOT_STARTED, "progress", "Ongoing", None, None),
    (APPROVED_NOT_STARTED, "progress", "Implemented", None, "needs a comment"),
    (APPROVED_NOT_STARTED, "progress", "Implemented", "done in March", None),
    ({"decision": "Approved", "progress": "Implemented"}, "progress", "Not Started", "x", "cannot go from"),
    ({"decision": "Approved", "progress": "Implemented"}, "progress", "Ongoing", None, "needs a comment"),
    (APPROVED_NOT_STARTED, "progress", "Finished", None, "is not an implementation status"),
])
def test_transition_rules(state, field, new, comment, refusal):
    why = check_change(state, field, new, comment)
    if refusal is None:
        assert why is None
    else:
        assert why is not None and refusal in why and why.endswith(".")


def test_overdue_is_approved_not_implemented_and_past_target():
    base = {"decision": "Approved", "progress": "Ongoing", "target_date": date(2024, 3, 31)}
    assert is_overdue(base, date(2024, 4, 1))
    assert not is_overdue(base, date(2024, 3, 31))
    assert not is_overdue({**base, "progress": "Implemented"}, date(2025, 1, 1))
    assert not is_overdue({**base, "decision": "Deferred"}, date(2025, 1, 1))
    assert not is_overdue({**base, "target_date": None}, date(2025, 1, 1))


def test_demo_tracker_state_is_replayed_from_events_and_reloading_changes_nothing(demo_store):
    recs = TrackerStore(demo_store).recommendations(MISSION)
    expected = read_tracker_file(TRACKER_FILE, demo_framework())
    assert len(recs) == len(expected) == 7
    assert list(recs["decision"]) == [r["decision"] for r in expected]
    assert list(recs["progress"]) == [r["progress"] for r in expected]
    again = load_demo(demo_store)["recommendations"]
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 7)
    assert demo_store.table_counts()["recommendation_events"] == 7


def test_changes_are_events_and_refusals_write_nothing(store_url):
    store = Store(store_url)
    load_demo(store)
    rec = TrackerStore(store).recommendations(MISSION).iloc[0]
    assert rec["decision"] == "Awaiting Review"
    TrackerStore(store).change_recommendation(int(rec["id"]), "decision", "Approved", actor="SRSG",
                                              comment="agreed at SMT")
    TrackerStore(store).change_recommendation(int(rec["id"]), "target_date", date(2024, 6, 30), actor="planning unit")
    state = TrackerStore(store).change_recommendation(int(rec["id"]), "progress", "Ongoing", actor="Force",
                                                      comment="started")
    assert (state["decision"], state["progress"], state["target_date"]) == ("Approved", "Ongoing", date(2024, 6, 30))
    counts = store.table_counts()
    with pytest.raises(ChangeRefused, match="cannot go from Ongoing to Not Assigned"):
        TrackerStore(store).change_recommendation(int(rec["id"]), "progress", "Not Assigned", actor="Force")
    assert store.table_counts() == counts, "a refused change writes nothing"
    history = TrackerStore(store).recommendation_history(int(rec["id"]))
    assert list(history["action"]) == ["create", "decide", "edit", "progress"]
    assert list(history["from_value"][1:].fillna("")) == ["Awaiting Review", "", "Not Assigned"]
    assert list(history["to_value"][1:]) == ["Approved", "2024-06-30", "Ongoing"]
    assert list(history["actor"][1:]) == ["SRSG", "planning unit", "Force"]
    now = TrackerStore(store).recommendations(MISSION).set_index("id").loc[int(rec["id"])]
    assert now["progress"] == "Ongoing" and now["updated_by"] == "Force"
    with store.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
        with conn.begin():
            conn.execute(text("UPDATE recommendation_events SET actor = 'someone else'"))
    store.close()


def test_upgrade_from_schema_0002_keeps_every_recommendation(store_url):
    """A store made before change history existed: its tracker rows become one 'create' event each."""
    store = Store(store_url, upgrade=False)
    upgrade(store.engine, "0002")
    stamp = datetime(2023, 1, 5, tzinfo=timezone.utc)
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO missions (code, name, country_iso3, hq, mandate_resolution, cycle_kind, is_fictional, "
            "created_at, updated_at) VALUES ('UN-OLD', 'Old mission', 'CAF', 'Bangui', 'none', 'quarter', "
            ":f, :t, :t)"), {"t": stamp, "f": False})
        conn.execute(text(
            "INSERT INTO recommendations (mission_code, rec_key, text, cycle_recommended, decision, progress, "
            "target_date, lead_section, created_at, updated_at) VALUES ('UN-OLD', 'k1', 'Train more police', "
            "'2022/23-Q2', 'Approved', 'Ongoing', :d, 'UNPOL', :t, :t)"), {"t": stamp, "d": date(2023, 6, 30)})
    upgrade(store.engine)
    recs = TrackerStore(store).recommendations("UN-OLD")
    assert len(recs) == 1
    r = recs.iloc[0]
    assert (r["text"], r["decision"], r["progress"], r["lead_section"]) == (
        "Train more police", "Approved", "Ongoing", "UNPOL")
    assert r["target_date"] == date(2023, 6, 30)
    history = TrackerStore(store).recommendation_history(int(r["id"]))
    assert list(history["action"]) == ["create"]
    assert json.loads(history["to_value"].iloc[0])["decision"] == "Approved"
    store.close()


# -- import, export, command line -----------------------------------------------------------------

def test_tracker_export_round_trips_and_neutralises_formulas(demo_store, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from cpas_kit.tracker.export import export_docx, export_xlsx
    from cpas_kit.tracker.files import import_tracker

    TrackerStore(demo_store).write_recommendations(MISSION, [{"text": "=HYPERLINK(\"http://evil\",\"click\")",
                                                "cycle_recommended": "2023/24-Q4", "priority_code": "P2",
                                                "comments": "+1 from Force"}], actor="t", source="test")
    path = export_xlsx(demo_store, MISSION, tmp_path / "tracker.xlsx", cycle="2023/24-Q4", on=date(2024, 6, 30))
    ws = load_workbook(path)["Tracker"]
    assert ws["A2"].value.startswith("Reporting date (end of the period): 2024-06-30 · Generated on: 20")
    assert ws["A3"].value == "Reporting period: 2023/24-Q4"
    assert [c.value for c in ws[5]][:3] == ["Impact Area", "Recommendation", "Date Recommended"]
    texts = [c for row in ws.iter_rows(min_row=6) for c in row if isinstance(c.value, str)]
    risky = [c for c in texts if c.value.lstrip("'").startswith(("=", "+", "-", "@"))]
    assert risky and all(c.value.startswith("'") and c.data_type == "s" for c in risky)
    overdue = {r[11]: r[12] for r in ws.iter_rows(min_row=6, values_only=True)}  # id → overdue
    assert overdue[4] == "yes", "approved, ongoing, target 2022-03-04: overdue on 2024-06-30"
    history = list(load_workbook(path)["History"].iter_rows(min_row=2, values_only=True))
    assert {h[0] for h in history} == set(range(1, 9)) and {h[3] for h in history} == {"Recorded in the tracker"}
    assert not any(str(v).startswith("{") for h in history for v in h), "History is in words, never JSON"
    again = import_tracker(demo_store, path, MISSION, actor="t")
    assert (again.rows_read, again.rows_imported, again.rows_unchanged) == (8, 0, 8)
    doc = Document(export_docx(demo_store, MISSION, tmp_path / "tracker.docx", language="fr", on=date(2024, 6, 30)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Suivi des recommandations" in body and len(doc.tables) == 2
    assert any("en retard" in c.text for t in doc.tables for row in t.rows for c in row.cells)


def test_a_bad_tracker_file_lists_every_problem_and_writes_nothing(demo_store, tmp_path):
    from cpas_kit.core.import_report import ImportRejected
    from cpas_kit.tracker.files import import_tracker

    path = tmp_path / "tracker.csv"
    path.write_text(
        "Impact Area,Recommendation,Date Recommended,Actions for Implementation,Lead Responsible Section,"
        "Supporting Section,Recommendation Endorsed by,Decision,Target Implementation Date,"
        "Implementation Progress,Implementation Comments\n"
        "1. Security,Fine one,2023/24-Q1,,Force,,SMT,Approved,2024-03-31,Ongoing,\n"
        "9. Nowhere,Bad area,2023/24-Q1,,Force,,SMT,Approved,,Ongoing,\n"
        ",Bad decision,2023/24-Q1,,Force,,SMT,Maybe,,Not Assigned,\n"
        ",Progress without approval,2023/24-Q1,,Force,,SMT,Awaiting Review,,Ongoing,\n"
        ",Bad date,2023/24-Q1,,Force,,SMT,Approved,31/31/2024,Ongoing,\n"
        ",,2023/24-Q9,,Force,,SMT,Approved,,Ongoing,\n")
    before = demo_store.table_counts()
    with pytest.raises(ImportRejected) as err:
        import_tracker(demo_store, path, MISSION, actor="t")
    found = {(p.row, p.column) for p in err.value.result.errors}
    assert found == {(3, "Impact Area"), (4, "Decision"), (5, "Implementation Progress"),
                     (6, "Target Implementation Date"), (7, "Recommendation"), (7, "Date Recommended")}
    assert demo_store.table_counts() == before


def test_cli_refusal_is_one_sentence_and_history_is_json(demo_sqlite_url, monkeypatch, capsys):
    from cpas_kit.cli.main import main

    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    assert main(["tracker", "progress", "1", "--status", "Ongoing", "--by", "Force"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "only be recorded for an approved recommendation" in err
    assert main(["tracker", "decide", "1", "--decision", "Approved", "--by", "SRSG", "--comment", "agreed"]) == 0
    capsys.readouterr()
    assert main(["tracker", "history", "1", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [h["action"] for h in history] == ["create", "decide"] and history[1]["comment"] == "agreed"
    assert main(["tracker", "list", "--mission", MISSION, "--json", "--on", "2024-06-30"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["id"]: r["overdue"] for r in listed}[4] is True


# -- follow-up analysis ---------------------------------------------------------------------------

def test_summary_rates_and_median_time_to_implementation(store_url):
    from cpas_kit.tracker.followup import tracker_summary

    store = Store(store_url)
    load_demo(store)
    TrackerStore(store).change_recommendation(1, "decision", "Approved", actor="SRSG")
    TrackerStore(store).change_recommendation(1, "progress", "Implemented", actor="Force",
                                              comment="working group set up")
    recs, events = TrackerStore(store).recommendations(MISSION), TrackerStore(store).recommendation_events(MISSION)
    summary = tracker_summary(recs, events, on=date(2024, 6, 30)).set_index("cycle")
    total = summary.loc["all"]
    # demo: 7 recommendations, 2 approved + 1 rejected in the seeds' file; here one more approved and implemented
    assert (total["recommended"], total["decided"], total["approved"], total["rejected"]) == (7, 4, 3, 1)
    assert total["implemented"] == 2 and total["approval_rate"] == pytest.approx(3 / 4)
    assert total["implementation_rate"] == pytest.approx(2 / 3)
    assert total["median_days_to_implementation"] == 0, "approved and implemented within the test run"
    assert total["overdue"] == 1, "the seeds' recommendation 4 (target 2022-03-04, ongoing) is overdue"
    store.close()


def test_followup_compares_linked_indicators_before_and_after():
    import pandas as pd

    from cpas_kit.tracker.followup import indicator_followup

    fw = demo_framework()
    recs = pd.DataFrame([{"id": 1, "text": "Do more patrols", "priority_code": "P1", "outcome_code": None,
                          "decision": "Approved", "progress": "Implemented", "target_date": date(2022, 12, 31)}])
    events = pd.DataFrame(columns=["id", "recommendation_id", "field", "to_value", "at"])
    periods = ["2021/22-Q3", "2021/22-Q4", "2022/23-Q1", "2022/23-Q2", "2022/23-Q3", "2022/23-Q4", "2023/24-Q1"]
    values = [10, 10, 10, 10, 20, 20, 20]  # SEC-01 (civilian deaths, lower is better) rose after Q2
    obs = pd.DataFrame({"indicator_code": "SEC-01", "period": periods, "disaggregation": "", "value": values})
    out = indicator_followup(fw, recs, events, obs, cycle="2023/24-Q1")
    sec01 = out.set_index("indicator_code").loc["SEC-01"]
    assert sec01["implementation_period"] == "2022/23-Q2" and sec01["period_known_from"] == "target date"
    assert (sec01["periods_before"], sec01["periods_after"]) == (3, 3)
    assert (sec01["mean_before"], sec01["mean_after"], sec01["movement"]) == (10, 20, "undesired")
    assert set(out["outcome_code"]) == {o.code for p, o in fw.outcomes() if p.code == "P1"}
    others = out[out["indicator_code"] != "SEC-01"]
    assert set(others["movement"]) == {"not enough data"}


def test_pack_shows_the_followup_with_its_caveat(demo_sqlite_url):
    from cpas_kit.core.settings import make_parameters
    from cpas_kit.packs.data import load_pack_data
    from cpas_kit.packs.sections import followup

    html = str(followup(load_pack_data(make_parameters(mission=MISSION, cycle="2023/24-Q4",
                                                     db_url=demo_sqlite_url, language="fr"))).data)
    assert "Suivi de la mise en œuvre des recommandations" in html and "Association, et non attribution" in html
    assert "Tous les cycles" in html and "67 %" in html  # 2 approved of 3 decided in the seeds' tracker
    assert "date inconnue" in html or "Mises en œuvre, mais à une date inconnue" in html


def test_refusals_are_in_french_for_french_users():
    why = check_change({"decision": "Awaiting Review", "progress": "Not Assigned"}, "progress", "Ongoing", None, "fr")
    assert why == ("l'état de mise en œuvre ne peut être enregistré que pour une recommandation approuvée ; "
                   "celle-ci est « En attente d'examen ».")
