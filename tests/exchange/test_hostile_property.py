"""Property (issue 14): generated hostile rows fed to every writer route — file import, exchange merge and the app
functions — leave the store holding only valid rows (refusals are fine, crashes and bad rows are not)."""

from __future__ import annotations

import csv
import math
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Float, String, Text, select

from cpas_kit.core.errors import CpasError
from cpas_kit.core.paths import code_problem
from cpas_kit.core.periods import Period
from cpas_kit.core.text import control_problem
from cpas_kit.data_in.observations import import_observations
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.exchange.bundle import export_mission, merge_file
from cpas_kit.store import Store
from cpas_kit.store.schema import metadata
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore
from tests.exchange.test_hostile_merge import forge

STORE_CONTENT = "framework"
STORE_BACKENDS = ("sqlite",)
CYCLE = "2023/24-Q4"
COLUMNS = ["mission_code", "indicator_code", "period", "disaggregation", "value", "value_text", "source", "note"]
PERIOD_COLUMNS = {"observations": "period", "recommendations": "cycle_recommended", "workshop_sessions": "cycle"}

hostile_text = st.one_of(
    st.text(min_size=0, max_size=30),
    st.sampled_from(["=1+1", "\uff1d1+1", "+cmd", "@x", "-5", "\x00", "a\x1b[2Jb", "\u202e", "../../x", "/etc/x",
                     "2021-02-30", "2031/32-Q1", "sex=robot", "admin1=XX", "", " ", "nan", "inf", "1e308"]),
    st.builds(lambda a, b: a + b, st.sampled_from(["=", "\x00", "\x07", "\x9b"]), st.text(max_size=10)))
hostile_number = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                           st.sampled_from([-5, 0, 1e308, -1e308, 1e20]))


def assert_store_valid(store: Store) -> None:
    """Only valid rows: no control characters, finite numbers, usable codes, real periods that have begun."""
    today = date.today()
    with store.engine.connect() as conn:
        for t in metadata.sorted_tables:
            for row in conn.execute(select(t)).mappings():
                for c in t.columns:
                    v = row[c.name]
                    if isinstance(c.type, (String, Text)) and isinstance(v, str):
                        assert control_problem(v) is None, (t.name, c.name, v)
                    if isinstance(c.type, Float) and v is not None:
                        assert math.isfinite(v) and abs(v) <= 1e15, (t.name, c.name, v)
                    if c.name in ("mission_code",) or (t.name == "missions" and c.name == "code"):
                        assert code_problem(v) is None, (t.name, v)
                    if c.name.startswith("fatalities") and v is not None:
                        assert v >= 0, (t.name, c.name, v)
                if t.name in PERIOD_COLUMNS:
                    p = Period.parse(row[PERIOD_COLUMNS[t.name]])
                    assert str(p) == row[PERIOD_COLUMNS[t.name]] and p.start <= today, (t.name, row)


def _indicator_codes() -> list[str]:
    return [i.code for _, _, i in demo_framework().indicators()]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(indicator=st.one_of(st.sampled_from(_indicator_codes()), hostile_text),
       period=st.one_of(st.sampled_from([CYCLE, "2023/24-Q3", "2019/20-Q1", "2031/32-Q1"]), hostile_text),
       cell=st.one_of(st.sampled_from(["", "sex=female", "sex=robot", "admin1=CF-BGF"]), hostile_text),
       value=st.one_of(hostile_number.map(str), hostile_text), text=hostile_text, note=hostile_text)
def test_file_import_route(store, tmp_path_factory, indicator, period, cell, value, text, note):
    path = tmp_path_factory.mktemp("imp") / "rows.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerow([MISSION, indicator, period, cell, value, text, "source", note])
    try:
        import_observations(store, path, actor="property", write_error_file=False)
    except CpasError:
        pass
    assert_store_valid(store)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile_text, section=st.sampled_from(["FORCE", "CAS", "nope"]), reason=hostile_text,
       proposal=hostile_text, comment=hostile_text, decision=st.sampled_from(["Approved", "Rejected", "x\x00"]))
def test_app_function_routes(store, name, section, reason, proposal, comment, decision):
    ws = WorkshopStore(store)
    started = ws.start_workshop(MISSION, CYCLE, actor="facilitator")
    outcome = started.outcome_order[0]
    try:
        p = ws.join_workshop(started.code, name, section)
        ws.submit_rating(p.token, outcome, progress="some progress", contribution="some", reason=reason)
        ws.propose_recommendation(p.token, outcome, proposal)
    except CpasError:
        pass
    tracker = TrackerStore(store)
    recs = tracker.recommendations(MISSION)
    if not len(recs):
        tracker.write_recommendations(MISSION, [{"text": "Hold meetings", "cycle_recommended": CYCLE}], actor="t",
                                      source="t")
        recs = tracker.recommendations(MISSION)
    try:
        tracker.change_recommendation(int(recs["id"].iloc[0]), "decision", decision, actor=name or "x",
                                      comment=comment)
    except CpasError:
        pass
    assert_store_valid(store)


@pytest.fixture(scope="module")
def clean_export(demo_store_file, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("prop")
    db = tmp / "m.sqlite"
    with sqlite3.connect(demo_store_file) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    out = tmp / "UN-DEMO.jsonl.gz"
    export_mission(Store(f"sqlite:///{db}"), MISSION, out, actor="t")
    return out


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(["observations", "recommendations", "context_values", "missions"]),
       column=st.sampled_from(["period", "value", "disaggregation", "text", "mission_code", "code", "admin1_code",
                               "cycle_recommended", "note", "value_text"]),
       value=st.one_of(hostile_text, hostile_number))
def test_merge_route(clean_export, tmp_path_factory, table, column, value):
    tmp = tmp_path_factory.mktemp("merge")
    done = []

    def edit(t, row, manifest):
        if t == table and column in row and not done:
            row[column] = value if not (isinstance(value, float) and not math.isfinite(value)) else str(value)
            done.append(True)

    bad = forge(clean_export, tmp / "f.jsonl.gz", edit)
    hq = Store(f"sqlite:///{tmp / 'hq.sqlite'}")
    try:
        merge_file(hq, bad, actor="hq")
    except CpasError:
        pass
    assert_store_valid(hq)
    hq.close()
