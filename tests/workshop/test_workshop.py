"""The live impact-assessment workshop back end: rules, store, concurrency, crash safety, CLI logic.

Store tests run on SQLite and on PostgreSQL (``store_url``). "Stored" for ratings means: every submit
is one row of the append-only ``workshop_rating_events`` table; a participant's current rating of an
outcome is their latest row for it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cpas_kit.cli import workshop as workshop_cli
from cpas_kit.core.errors import CpasError, NotFoundError, ParametersError, PeriodError
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.store import Store
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.sessions import (
    CODE_ALPHABET,
    DEFAULT_CONTRIBUTION,
    DEFAULT_PROGRESS,
    FacilitatorKeyRefused,
    RatingScales,
    SessionNotFound,
    WorkshopRefused,
    check_order,
    check_rating,
    hash_secret,
    make_scales,
    new_join_code,
    normalise_join_code,
    on_scale,
    secret_matches,
    spread,
)
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import REPO_ROOT

CYCLE = "2023/24-Q4"
FAC = "facilitator"
OUTCOMES = [o.code for _, o in demo_framework().outcomes()]


STORE_CONTENT = "framework"  # the shared ``store`` fixture (tests/conftest.py)


@pytest.fixture
def started(store):
    return WorkshopStore(store).start_workshop(MISSION, CYCLE, actor=FAC)


# -- rules without a store ---------------------------------------------------------------------------

def test_default_scales_are_the_issue_s():
    scales = RatingScales()
    assert scales.progress == ("significant progress", "some progress", "no change", "deterioration",
                               "insufficient data") == DEFAULT_PROGRESS
    assert scales.contribution == ("significant", "some", "none", "unclear") == DEFAULT_CONTRIBUTION


def test_a_value_off_the_scale_is_refused_with_a_sentence_naming_the_choices():
    scales = RatingScales()
    assert on_scale(scales, "progress", "  Some   Progress ") == "some progress"
    assert on_scale(scales, "progress", "") is None
    with pytest.raises(WorkshopRefused) as exc:
        check_rating(scales, "great progress", "some", None)
    msg = str(exc.value)
    assert msg == ("'great progress' is not on this session's progress scale; choose one of: significant "
                   "progress, some progress, no change, deterioration, insufficient data")
    assert exc.value.key == "ws_scale" and exc.value.values["value"] == "great progress"
    with pytest.raises(WorkshopRefused, match="contribution scale"):
        check_rating(scales, None, "a lot", None)
    with pytest.raises(WorkshopRefused, match="choose a progress or a contribution rating"):
        check_rating(scales, None, None, "   ")
    with pytest.raises(WorkshopRefused, match="keep it to 1000 characters"):
        check_rating(scales, "no change", None, "x" * 1001)
    assert check_rating(scales, None, None, "only a reason") == {"progress": None, "contribution": None,
                                                                  "reason": "only a reason"}


def test_custom_scales_are_checked():
    scales = make_scales(progress=["better", "same", "worse"])
    assert scales.progress == ("better", "same", "worse") and scales.contribution == DEFAULT_CONTRIBUTION
    for bad in (["only one"], ["a", "A"], ["a", ""]):
        with pytest.raises(ParametersError, match="rating scales: progress"):
            make_scales(progress=bad)


def test_spread_definitions():
    order = ["a", "b", "c"]
    assert spread({}, order) == {"n_ratings": 0, "modal_value": None, "modal_share": None, "distinct_values": 0,
                                 "contested": False}
    assert spread({"a": 3, "b": 1}, order) == {"n_ratings": 4, "modal_value": "a", "modal_share": 0.75,
                                               "distinct_values": 2, "contested": False}
    tie = spread({"c": 2, "b": 2}, order)  # a tie: first in scale order, and no majority
    assert tie["modal_value"] == "b" and tie["modal_share"] == 0.5 and tie["contested"] is True
    assert spread({"a": 1}, order)["contested"] is False  # one rating is not a disagreement
    assert spread({"a": 1, "b": 1, "c": 1}, order)["distinct_values"] == 3


def test_join_codes_and_keys():
    codes = {new_join_code() for _ in range(500)}
    assert len(codes) > 490
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalise_join_code(" k7qm-2p ") == "K7QM2P"
    for bad in ("K7QM2", "K7QM20", "", "K7QM2PX"):
        with pytest.raises(SessionNotFound, match="is not a join code"):
            normalise_join_code(bad)
    stored = hash_secret("the-key")
    assert stored != "the-key" and len(stored) == 64
    assert secret_matches("the-key", stored)
    assert not secret_matches("the-key ", stored) and not secret_matches(None, stored)


def test_outcome_order_rules():
    prios = {"O1.1": "P1", "O1.2": "P1", "O2.1": "P2"}
    assert check_order(["O2.1", " O1.1"], prios, MISSION) == ["O2.1", "O1.1"]
    with pytest.raises(WorkshopRefused, match="'O9.9' is not an outcome of the UN-DEMO results framework"):
        check_order(["O9.9"], prios, MISSION)
    with pytest.raises(WorkshopRefused, match="appears twice"):
        check_order(["O1.1", "O1.1"], prios, MISSION)
    with pytest.raises(WorkshopRefused, match="at least one outcome"):
        check_order([], prios, MISSION)


# -- sessions and participants ---------------------------------------------------------------------

def test_start_stores_only_the_key_hash(store, started):
    assert len(started.code) == 6 and set(started.code) <= set(CODE_ALPHABET)
    assert list(started.outcome_order) == OUTCOMES
    info = WorkshopStore(store).workshop_session(started.code.lower())
    assert info["status"] == "open" and info["current_outcome"] == OUTCOMES[0] and info["cycle"] == CYCLE
    assert info["scales"] == {"progress": list(DEFAULT_PROGRESS), "contribution": list(DEFAULT_CONTRIBUTION)}
    assert "facilitator_key_hash" not in info
    with store.engine.connect() as conn:
        dump = " ".join(str(v) for t in ("workshop_sessions", "audit_log")
                        for row in conn.execute(text(f"SELECT * FROM {t}")) for v in row)
    assert started.facilitator_key not in dump
    assert hash_secret(started.facilitator_key) in dump
    other = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor=FAC, outcome_order=["O2.1", "O1.1"],
                                 scales=make_scales(contribution=["decisive", "partial", "none"]))
    assert other.code != started.code and other.facilitator_key != started.facilitator_key
    assert WorkshopStore(store).workshop_session(other.code)["outcome_order"] == ["O2.1", "O1.1"]


def test_start_refuses_unknown_mission_and_bad_cycle(store):
    with pytest.raises(NotFoundError, match="mission 'NOPE' has no results framework"):
        WorkshopStore(store).start_workshop("NOPE", CYCLE, actor=FAC)
    with pytest.raises(PeriodError):
        WorkshopStore(store).start_workshop(MISSION, "2023-Q9", actor=FAC)
    with pytest.raises(SessionNotFound, match="no workshop session with the join code 'ABCDEF'"):
        WorkshopStore(store).workshop_status("ABCDEF")


def test_rejoin_with_same_name_and_section_restores_the_participant(store, started):
    alice = WorkshopStore(store).join_workshop(started.code, "Alice Mbeki", "CAS")
    assert alice.is_new and alice.section == "CAS"
    WorkshopStore(store).submit_rating(alice.token, "O1.1", progress="some progress", contribution="some",
                                       reason="more patrols")
    prop = WorkshopStore(store).propose_recommendation(alice.token, "O1.1", "Train local police", lead_section="UNPOL")

    again = WorkshopStore(store).join_workshop(started.code.lower(), "  alice   MBEKI ", "civil affairs")
    assert (again.id, again.token, again.is_new) == (alice.id, alice.token, False)
    assert WorkshopStore(store).resume_participant(alice.token).id == alice.id
    other_section = WorkshopStore(store).join_workshop(started.code, "Alice Mbeki", "HRD")
    assert other_section.id != alice.id and other_section.token != alice.token

    state = WorkshopStore(store).participant_state(again.token)
    assert state["participant"]["name"] == "Alice Mbeki"
    assert state["session"]["current_outcome"] == "O1.1"
    assert state["ratings"]["O1.1"]["progress"] == "some progress"
    assert state["ratings"]["O1.1"]["reason"] == "more patrols"
    assert [p["id"] for p in state["proposals"]] == [prop["id"]]

    with pytest.raises(WorkshopRefused, match="'Logistics' is not a section of this mission"):
        WorkshopStore(store).join_workshop(started.code, "Bob", "Logistics")
    with pytest.raises(WorkshopRefused, match="enter your name"):
        WorkshopStore(store).join_workshop(started.code, "   ", "CAS")
    with pytest.raises(SessionNotFound, match="join again"):
        WorkshopStore(store).participant_state("not-a-token")


def test_rerating_replaces_the_current_rating_and_keeps_every_earlier_one(store, started):
    p = WorkshopStore(store).join_workshop(started.code, "Alice", "CAS")
    first = WorkshopStore(store).submit_rating(p.token, "O1.1", progress="no change", contribution="some",
                                               reason="<b>first</b>")
    assert first["replaced"] is False
    second = WorkshopStore(store).submit_rating(p.token, "O1.1", progress="Some progress", contribution="some")
    assert second["replaced"] is True and second["progress"] == "some progress"

    current = WorkshopStore(store).workshop_ratings(started.code)
    assert len(current) == 1
    row = current.iloc[0]
    assert (row.progress, row.contribution, row.n_submits) == ("some progress", "some", 2)
    assert current["reason"].isna().all()

    history = WorkshopStore(store).workshop_rating_history(started.code)
    assert list(history["progress"]) == ["no change", "some progress"]
    assert history["reason"].iloc[0] == "<b>first</b>", "text is stored as entered, not escaped"
    audit = store.audit_log(mission=MISSION, entity="workshop_rating")
    assert len(audit) == 2
    assert json.loads(audit["old_value"].iloc[1])["progress"] == "no change"

    # the same submission id again (a resend after a lost answer) adds nothing
    again = WorkshopStore(store).submit_rating(p.token, "O1.1", progress="deterioration",
                                               submission_id=second["submission_id"])
    assert again["duplicate"] is True and again["event_id"] == second["event_id"]
    assert len(WorkshopStore(store).workshop_rating_history(started.code)) == 2


def test_refused_ratings_write_nothing(store, started):
    p = WorkshopStore(store).join_workshop(started.code, "Alice", "CAS")
    before = store.table_counts()
    with pytest.raises(WorkshopRefused, match="'excellent' is not on this session's progress scale"):
        WorkshopStore(store).submit_rating(p.token, "O1.1", progress="excellent", contribution="some")
    with pytest.raises(WorkshopRefused, match="outcome 'O9.9' is not discussed"):
        WorkshopStore(store).submit_rating(p.token, "O9.9", progress="no change")
    with pytest.raises(SessionNotFound):
        WorkshopStore(store).submit_rating("stolen", "O1.1", progress="no change")
    custom = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor=FAC, scales=make_scales(progress=["better",
                                                                                                         "worse"]))
    q = WorkshopStore(store).join_workshop(custom.code, "Alice", "CAS")
    WorkshopStore(store).submit_rating(q.token, "O1.1", progress="better")
    with pytest.raises(WorkshopRefused, match="choose one of: better, worse"):
        WorkshopStore(store).submit_rating(q.token, "O1.1", progress="no change")
    after = store.table_counts()
    assert after["workshop_rating_events"] == before["workshop_rating_events"] + 1


def test_participants_are_isolated_from_each_other_and_from_agreed_results(store, started):
    alice = WorkshopStore(store).join_workshop(started.code, "Alice", "CAS")
    bob = WorkshopStore(store).join_workshop(started.code, "Bob", "FORCE")
    WorkshopStore(store).submit_rating(alice.token, "O1.1", progress="some progress", contribution="some")
    WorkshopStore(store).submit_rating(bob.token, "O1.1", progress="deterioration", contribution="none")
    mine = WorkshopStore(store).propose_recommendation(alice.token, "O1.1", "Alice's idea", lead_section="CAS")

    with pytest.raises(WorkshopRefused, match=f"proposal {mine['id']} was made by another participant"):
        WorkshopStore(store).edit_proposal(bob.token, mine["id"], text="Bob rewrites it")
    edited = WorkshopStore(store).edit_proposal(alice.token, mine["id"], text="Alice's better idea", lead_section="CAS",
                                 supporting_sections=["FORCE", "unpol"])
    assert edited["supporting_sections"] == "FORCE, UNPOL"
    # a participant's token is not a facilitator key
    for key in (alice.token, None, ""):
        with pytest.raises(FacilitatorKeyRefused, match="facilitator key .* is not right"):
            WorkshopStore(store).record_agreed(started.code, key, "O1.1", progress="no change", actor="Alice")
    ratings = WorkshopStore(store).workshop_ratings(started.code).set_index("name")
    assert ratings.loc["Alice", "progress"] == "some progress" and ratings.loc["Bob", "progress"] == "deterioration"
    assert WorkshopStore(store).workshop_agreed(started.code).empty
    assert WorkshopStore(store).workshop_proposals(started.code)["text"].tolist() == ["Alice's better idea"]


def test_facilitator_actions_need_the_key(store, started):
    code, key = started.code, started.facilitator_key
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    before = store.table_counts()
    for action in (lambda k: WorkshopStore(store).set_workshop_outcome(code, k, "O1.2", actor=FAC),
                   lambda k: WorkshopStore(store).set_workshop_order(code, k, ["O1.2"], actor=FAC),
                   lambda k: WorkshopStore(store).record_agreed(code, k, "O1.1", progress="no change", actor=FAC),
                   lambda k: WorkshopStore(store).merge_proposals(code, k, [1], 2, actor=FAC),
                   lambda k: WorkshopStore(store).send_proposals(code, k, [1], actor=FAC),
                   lambda k: WorkshopStore(store).close_workshop(code, k, actor=FAC)):
        with pytest.raises(FacilitatorKeyRefused, match=f"the facilitator key for session {code} is not right"):
            action(wrong)
    assert store.table_counts() == before
    assert WorkshopStore(store).workshop_session(code)["status"] == "open"

    info = WorkshopStore(store).set_workshop_outcome(code, key, "O2.1", actor=FAC)
    assert info["current_outcome"] == "O2.1" and info["current_index"] == 3
    assert WorkshopStore(store).set_workshop_outcome(code, key, 0, actor=FAC)["current_outcome"] == "O1.1"
    WorkshopStore(store).set_workshop_outcome(code, key, "O2.1", actor=FAC)
    info = WorkshopStore(store).set_workshop_order(code, key, ["O3.1", "O2.1", "O1.1"], actor=FAC)
    assert info["outcome_order"] == ["O3.1", "O2.1", "O1.1"] and info["current_outcome"] == "O2.1"
    with pytest.raises(WorkshopRefused, match="outcome 'O1.2' is not discussed"):
        WorkshopStore(store).set_workshop_outcome(code, key, "O1.2", actor=FAC)


def test_agreed_results_replace_with_history_and_feed_the_pack(store, started):
    code, key = started.code, started.facilitator_key
    WorkshopStore(store).record_agreed(code, key, "O1.2", progress="some progress", contribution="some",
                        analysis="Patrols <up>; trust & perceptions low.", actor="Facilitator A")
    WorkshopStore(store).record_agreed(code, key, "O1.1", progress="no change", contribution="unclear",
                                       analysis="draft",
                        actor="Facilitator A")
    WorkshopStore(store).record_agreed(code, key, "O1.1", progress="deterioration", contribution="some",
                                       analysis="final why",
                        actor="Facilitator B")
    with pytest.raises(WorkshopRefused, match="'huge' is not on this session's contribution scale"):
        WorkshopStore(store).record_agreed(code, key, "O1.1", progress="no change", contribution="huge", actor=FAC)
    with pytest.raises(WorkshopRefused, match="record at least"):
        WorkshopStore(store).record_agreed(code, key, "O1.1", actor=FAC)

    results = WorkshopStore(store).agreed_results(MISSION, CYCLE)
    assert list(results.columns) == ["outcome_code", "progress", "contribution", "analysis", "session_code",
                                      "agreed_by", "agreed_at"]
    assert results["outcome_code"].tolist() == ["O1.1", "O1.2"], "framework order"
    first = results.iloc[0]
    assert (first.progress, first.contribution, first.analysis, first.agreed_by, first.session_code) == (
        "deterioration", "some", "final why", "Facilitator B", code)
    assert results.iloc[1].analysis == "Patrols <up>; trust & perceptions low."
    audit = store.audit_log(mission=MISSION, entity="workshop_agreed")
    assert len(audit) == 3 and json.loads(audit["old_value"].iloc[2])["analysis"] == "draft"

    # a later session of the same cycle overrides per outcome; other cycles are separate
    later = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor=FAC)
    WorkshopStore(store).record_agreed(later.code, later.facilitator_key, "O1.2", progress="no change", actor=FAC)
    results = WorkshopStore(store).agreed_results(MISSION, CYCLE).set_index("outcome_code")
    assert results.loc["O1.2", "session_code"] == later.code and results.loc["O1.1", "session_code"] == code
    assert WorkshopStore(store).agreed_results(MISSION, "2022/23-Q4").empty


def test_merge_keeps_originals_and_send_to_tracker_is_idempotent(store, started):
    code, key = started.code, started.facilitator_key
    alice = WorkshopStore(store).join_workshop(code, "Alice", "CAS")
    bob = WorkshopStore(store).join_workshop(code, "Bob", "FORCE")
    a = WorkshopStore(store).propose_recommendation(alice.token, "O1.1", "Train and equip local police",
                                                    lead_section="UNPOL",
                                     supporting_sections="CAS")
    b = WorkshopStore(store).propose_recommendation(bob.token, "O1.1", "Train local police", lead_section="UNPOL")
    c = WorkshopStore(store).propose_recommendation(bob.token, "O1.1", "Equip local police")
    assert WorkshopStore(store).propose_recommendation(bob.token, "O1.1", "Equip local police")["id"] == c["id"]

    assert WorkshopStore(store).merge_proposals(code, key, [c["id"]], b["id"], actor=FAC) == [c["id"]]
    assert WorkshopStore(store).merge_proposals(code, key, [b["id"]], a["id"], actor=FAC) == [b["id"]]
    assert WorkshopStore(store).merge_proposals(code, key, [b["id"]], a["id"],
                                                actor=FAC) == [], "merging again changes nothing"
    props = WorkshopStore(store).workshop_proposals(code).set_index("id")
    assert len(props) == 3, "originals are kept"
    assert props.loc[b["id"], "merged_into_id"] == a["id"] and props.loc[c["id"], "merged_into_id"] == a["id"]
    with pytest.raises(WorkshopRefused, match=f"merged into proposal {a['id']}; merge into {a['id']} instead"):
        WorkshopStore(store).merge_proposals(code, key, [a["id"]], b["id"], actor=FAC)
    with pytest.raises(WorkshopRefused, match="cannot be merged into itself"):
        WorkshopStore(store).merge_proposals(code, key, [a["id"]], a["id"], actor=FAC)
    with pytest.raises(WorkshopRefused, match="already merged into proposal"):
        WorkshopStore(store).edit_proposal(bob.token, b["id"], text="changed after merging")
    with pytest.raises(WorkshopRefused, match=f"send proposal {a['id']} instead"):
        WorkshopStore(store).send_proposals(code, key, [b["id"]], actor=FAC)

    recs_before = len(TrackerStore(store).recommendations(MISSION))
    sent = WorkshopStore(store).send_proposals(code, key, [a["id"]], actor=FAC)
    assert sent["sent"] == [a["id"]] and sent["already_sent"] == []
    again = WorkshopStore(store).send_proposals(code, key, [a["id"]], actor=FAC)
    assert again["sent"] == [] and again["already_sent"] == [a["id"]]
    recs = TrackerStore(store).recommendations(MISSION)
    assert len(recs) == recs_before + 1, "sending twice does not duplicate"
    rec = recs[recs["source_session"] == code].iloc[0]
    assert (rec.text, rec.decision, rec.progress, rec.outcome_code, rec.priority_code, rec.cycle_recommended) == (
        "Train and equip local police", "Awaiting Review", "Not Assigned", "O1.1", "P1", CYCLE)
    assert (rec.lead_section, rec.supporting_sections) == ("UNPOL", "Civil Affairs")
    assert sent["recommendation_ids"][a["id"]] == rec.id

    # the tracker moves on; a proposal with the same text from another session links, it does not reset
    TrackerStore(store).change_recommendation(int(rec.id), "decision", "Approved", actor="Head of Mission")
    later = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor=FAC)
    carol = WorkshopStore(store).join_workshop(later.code, "Carol", "HRD")
    d = WorkshopStore(store).propose_recommendation(carol.token, "O1.1", "Train and equip   local police")
    linked = WorkshopStore(store).send_proposals(later.code, later.facilitator_key, [d["id"]], actor=FAC)
    assert linked["recommendation_ids"][d["id"]] == rec.id
    assert len(TrackerStore(store).recommendations(MISSION)) == recs_before + 1
    assert TrackerStore(store).recommendations(MISSION).set_index("id").loc[rec.id, "decision"] == "Approved"
    with pytest.raises(WorkshopRefused, match="already sent to the tracker"):
        WorkshopStore(store).edit_proposal(alice.token, a["id"], text="too late")


def test_a_closed_session_changes_no_more(store, started):
    code, key = started.code, started.facilitator_key
    alice = WorkshopStore(store).join_workshop(code, "Alice", "CAS")
    WorkshopStore(store).submit_rating(alice.token, "O1.1", progress="no change")
    closed = WorkshopStore(store).close_workshop(code, key, actor=FAC)
    assert closed["status"] == "closed" and closed["closed_by"] == FAC
    with pytest.raises(WorkshopRefused, match=f"session {code} is closed"):
        WorkshopStore(store).submit_rating(alice.token, "O1.1", progress="deterioration")
    with pytest.raises(WorkshopRefused, match="is closed"):
        WorkshopStore(store).join_workshop(code, "Latecomer", "CAS")
    with pytest.raises(WorkshopRefused, match="is closed"):
        WorkshopStore(store).record_agreed(code, key, "O1.1", progress="no change", actor=FAC)
    assert WorkshopStore(store).join_workshop(code, "Alice",
                                              "CAS").id == alice.id, "re-joining to look back still works"
    assert WorkshopStore(store).participant_state(alice.token)["ratings"]["O1.1"]["progress"] == "no change"


def test_status_counts_spread_and_who_rated_the_current_outcome(store, started):
    code = started.code
    people = [WorkshopStore(store).join_workshop(code, f"P{i}", sec) for i, sec in enumerate(["CAS", "FORCE", "HRD",
                                                                                              "UNPOL"])]
    for p, value in zip(people[:3], ["some progress", "some progress", "deterioration"]):
        WorkshopStore(store).submit_rating(p.token, "O1.1", progress=value, contribution="some")
    WorkshopStore(store).submit_rating(people[3].token, "O1.2", progress="no change")
    WorkshopStore(store).submit_rating(people[3].token, "O1.1",
                                       reason="I need more data first")  # a reason only: not rated
    status = WorkshopStore(store).workshop_status(code)

    assert {p["name"]: p["rated_current"] for p in status["participants"]} == {
        "P0": True, "P1": True, "P2": True, "P3": False}
    assert {p["name"]: p["outcomes_rated"] for p in status["participants"]}["P3"] == 1
    o11 = status["outcomes"][0]
    assert o11["outcome_code"] == "O1.1"
    assert o11["progress"]["counts"] == {"significant progress": 0, "some progress": 2, "no change": 0,
                                         "deterioration": 1, "insufficient data": 0}
    assert (o11["progress"]["modal_value"], o11["progress"]["modal_share"], o11["progress"]["distinct_values"],
            o11["progress"]["contested"]) == ("some progress", 0.6667, 2, False)
    assert o11["contribution"]["modal_share"] == 1.0
    assert len(o11["ratings"]) == 4 and o11["agreed"] is None
    assert status["outcomes"][1]["progress"]["n_ratings"] == 1
    assert WorkshopStore(store).workshop_participants(code)["rated_current"].tolist() == [True, True, True, False]
    dist = WorkshopStore(store).workshop_distribution(code)
    assert len(dist) == len(OUTCOMES) * (len(DEFAULT_PROGRESS) + len(DEFAULT_CONTRIBUTION))
    assert dist.query("outcome_code == 'O1.1' and scale == 'progress'")["count"].tolist() == [0, 2, 0, 1, 0]
    spreads = WorkshopStore(store).workshop_spread(code).set_index(["outcome_code", "scale"])
    assert spreads.loc[("O1.1", "progress"), "modal_share"] == 0.6667
    assert spreads.loc[("O1.2", "contribution"), "n_ratings"] == 0
    text_dump = json.dumps(status)
    assert started.facilitator_key not in text_dump and hash_secret(started.facilitator_key) not in text_dump
    assert all(p.token not in text_dump for p in people), "tokens would let anyone write as a participant"


def test_status_is_fast_enough_to_poll_every_second(store, started):
    people = [WorkshopStore(store).join_workshop(started.code, f"P{i}", "CAS") for i in range(30)]
    for p in people:
        for o in OUTCOMES:
            WorkshopStore(store).submit_rating(p.token, o, progress="some progress", contribution="some",
                                               reason="because")
    WorkshopStore(store).workshop_status(started.code)
    t0 = time.perf_counter()
    for _ in range(5):
        status = WorkshopStore(store).workshop_status(started.code)
    per_call = (time.perf_counter() - t0) / 5
    assert sum(o["progress"]["n_ratings"] for o in status["outcomes"]) == 240
    assert per_call < 0.25, f"workshop_status took {per_call:.3f} s for 30 participants × 8 outcomes"


def test_rating_events_are_append_only(store, started):
    p = WorkshopStore(store).join_workshop(started.code, "Alice", "CAS")
    WorkshopStore(store).submit_rating(p.token, "O1.1", progress="no change")
    for sql in ("UPDATE workshop_rating_events SET progress = 'deterioration'", "DELETE FROM workshop_rating_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text(sql))
    assert WorkshopStore(store).workshop_ratings(started.code)["progress"].tolist() == ["no change"]


# -- 30 participants at once --------------------------------------------------------------------------

N_PARTICIPANTS = 30
SUBMITS_EACH = 50


def _participant_worker(url, code, k, sections, ready, go, results):  # runs in a forked child process
    try:
        store = Store(url)  # its own engine and connections, like one Voila kernel
        me = WorkshopStore(store).join_workshop(code, f"Participant {k:02d}", sections[k % len(sections)])
        ready.wait(timeout=120)
        go.wait(timeout=120)
        started = time.time()
        acks = []
        for i in range(SUBMITS_EACH):
            ack = WorkshopStore(store).submit_rating(me.token, OUTCOMES[i % len(OUTCOMES)],
                                      progress=DEFAULT_PROGRESS[(k + i) % len(DEFAULT_PROGRESS)],
                                      contribution=DEFAULT_CONTRIBUTION[(k * i) % len(DEFAULT_CONTRIBUTION)],
                                      reason=f"p{k} #{i}", submission_id=f"p{k}-{i}")
            acks.append((ack["event_id"], ack["submission_id"], ack["duplicate"]))
        results.put({"k": k, "participant_id": me.id, "acks": acks, "started": started, "finished": time.time()})
        store.close()
    except BaseException as exc:  # noqa: BLE001 - report to the parent, which fails the test
        results.put({"k": k, "error": f"{type(exc).__name__}: {exc}"})


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.slow
def test_thirty_participants_submitting_fifty_ratings_each_store_exactly_1500(request, backend):
    """30 processes × 50 submits → exactly 1,500 rating events, each once; 240 current ratings (30 × 8)."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    setup = Store(url)
    setup.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="pytest")
    session = WorkshopStore(setup).start_workshop(MISSION, CYCLE, actor=FAC)
    sections = [s.code for s in demo_framework().sections]
    setup.close()  # no pooled connection crosses the fork

    ctx = multiprocessing.get_context("fork")
    ready, go, results = ctx.Barrier(N_PARTICIPANTS + 1), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_participant_worker, args=(url, session.code, k, sections, ready, go, results))
             for k in range(N_PARTICIPANTS)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    try:
        ready.wait(timeout=120)  # every participant has joined
        go.set()
        reports = [results.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    elapsed = time.perf_counter() - t0
    errors = [r["error"] for r in reports if "error" in r]
    assert not errors, errors
    assert max(r["started"] for r in reports) < min(r["finished"] for r in reports), "writers overlapped"

    check = Store(url)
    try:
        history = WorkshopStore(check).workshop_rating_history(session.code)
        acked = {sid: eid for r in reports for eid, sid, dup in r["acks"]}
        assert all(not dup for r in reports for _, _, dup in r["acks"])
        assert len(history) == N_PARTICIPANTS * SUBMITS_EACH == 1500
        assert history["submission_id"].is_unique and history["id"].is_unique
        assert set(history["submission_id"]) == {f"p{k}-{i}" for k in range(30) for i in range(50)} == set(acked)
        assert dict(zip(history["submission_id"], history["id"])) == acked, "every acknowledged event is there"
        assert history.groupby("participant_id").size().eq(SUBMITS_EACH).all()
        assert len(check.audit_log(mission=MISSION, entity="workshop_rating")) == 1500

        current = WorkshopStore(check).workshop_ratings(session.code)
        assert len(current) == N_PARTICIPANTS * len(OUTCOMES) == 240
        assert current["n_submits"].sum() == 1500
        pid_of = {r["participant_id"]: r["k"] for r in reports}
        for row in current.itertuples():
            k, j = pid_of[row.participant_id], OUTCOMES.index(row.outcome_code)
            last = max(i for i in range(SUBMITS_EACH) if i % len(OUTCOMES) == j)
            assert row.reason == f"p{k} #{last}", "the current rating is the participant's latest submit"
            assert row.progress == DEFAULT_PROGRESS[(k + last) % len(DEFAULT_PROGRESS)]
        assert len(WorkshopStore(check).workshop_participants(session.code)) == N_PARTICIPANTS
    finally:
        check.close()
    print(f"\n{backend}: 30 participants × 50 submits in {elapsed:.1f} s")


# -- kill -9 after an acknowledged submit ----------------------------------------------------------------

CRASH_WORKER = r"""
import sys, time
from cpas_kit.store import Store
from cpas_kit.workshop.store import WorkshopStore

url, token = sys.argv[1], sys.argv[2]
store = Store(url)
i = 0
while True:
    ack = WorkshopStore(store).submit_rating(token, "O1.1", progress="some progress", contribution="some", reason=f"submit {i}",
                              submission_id=f"crash-{i}")
    print(f"acknowledged {ack['submission_id']} {ack['event_id']}", flush=True)
    i += 1
    if i >= 3:
        time.sleep(0.001 * (i % 3))  # keep writing: the kill lands before, in or after a transaction
"""  # noqa: E501


@pytest.mark.slow
def test_killing_a_participant_process_loses_no_acknowledged_submit(store_url, tmp_path):
    store = Store(store_url)
    store.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="pytest")
    session = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor=FAC)
    me = WorkshopStore(store).join_workshop(session.code, "Alice", "CAS")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH"))
                                                       if p)}
    err = open(tmp_path / "crash.stderr", "w+")
    proc = subprocess.Popen([sys.executable, "-c", CRASH_WORKER, store_url, me.token], stdout=subprocess.PIPE,
                            stderr=err, text=True, env=env, cwd=tmp_path)
    acknowledged = []
    watchdog = threading.Timer(60, proc.kill)  # a participant that hangs fails the test instead of blocking it
    watchdog.start()
    try:
        while len(acknowledged) < 25:
            line = proc.stdout.readline()
            if not line:
                proc.wait(timeout=30)
                err.seek(0)
                pytest.fail(f"the participant process stopped or hung (exit {proc.returncode}) after "
                            f"{len(acknowledged)} acknowledged submits:\n{err.read()[-3000:]}")
            if line.startswith("acknowledged "):
                acknowledged.append(line.split()[1])
        os.kill(proc.pid, signal.SIGKILL)  # as a killed Voila kernel: no clean-up of any kind
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        rest = proc.stdout.read()
        acknowledged += [ln.split()[1] for ln in rest.splitlines() if ln.startswith("acknowledged ")]
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err.close()
        store.close()

    after = Store(store_url)  # a fresh process view of the store
    try:
        history = WorkshopStore(after).workshop_rating_history(session.code)
        stored = set(history["submission_id"])
        assert set(acknowledged) <= stored, f"lost: {sorted(set(acknowledged) - stored)}"
        assert history["submission_id"].is_unique
        assert len(stored) - len(acknowledged) <= 1, "at most the one submit in flight was not yet acknowledged"
        assert WorkshopStore(after).workshop_ratings(session.code)["reason"].iloc[0] == history["reason"].iloc[-1]
        resumed = WorkshopStore(after).resume_participant(me.token)  # the participant re-joins and carries on
        assert WorkshopStore(after).submit_rating(resumed.token, "O1.1", progress="no change")["replaced"] is True
    finally:
        after.close()


# -- the cpas workshop commands --------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cpas")
    workshop_cli.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_start_and_status(store, capsys):
    parse = _parser().parse_args
    assert workshop_cli.run(parse(["workshop", "start", "--mission", MISSION, "--cycle", CYCLE, "--json",
                                   "--by", "Facilitator A"]), store) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"code", "facilitator_key", "mission", "cycle", "outcome_order", "scales"}
    assert out["outcome_order"] == OUTCOMES and out["scales"]["progress"] == list(DEFAULT_PROGRESS)
    code, key = out["code"], out["facilitator_key"]

    alice = WorkshopStore(store).join_workshop(code, "Alice", "CAS")
    WorkshopStore(store).submit_rating(alice.token, "O1.1", progress="no change", contribution="some", reason="stable")
    WorkshopStore(store).record_agreed(code, key, "O1.1", progress="no change", contribution="some",
                                       analysis="Why: stable.",
                        actor="Facilitator A")
    assert workshop_cli.run(parse(["workshop", "status", code.lower(), "--json"]), store) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["session"]["code"] == code and status["session"]["created_by"] == "Facilitator A"
    assert [p["name"] for p in status["participants"]] == ["Alice"]
    o11 = status["outcomes"][0]
    assert o11["ratings"][0]["reason"] == "stable" and o11["agreed"]["analysis"] == "Why: stable."
    assert key not in json.dumps(status) and alice.token not in json.dumps(status)

    assert workshop_cli.run(parse(["workshop", "status", code]), store) == 0
    text_out = capsys.readouterr().out
    assert f"Session {code}: {MISSION} {CYCLE}, open; current outcome O1.1 (1 of 8)." in text_out
    assert "Alice (CAS): rated the current outcome; 1 of 8 outcomes rated" in text_out
    assert "agreed: progress no change, contribution some (Facilitator A); analysis: Why: stable." in text_out

    assert workshop_cli.run(parse(["workshop", "start", "--mission", MISSION, "--cycle", CYCLE,
                                   "--outcomes", "O2.1,O1.1", "--progress-scale", "better, same, worse"]), store) == 0
    text_out = capsys.readouterr().out
    assert "Join code:" in text_out and "Facilitator key:" in text_out and "shown only now" in text_out
    assert "Outcomes, in order: O2.1, O1.1" in text_out and "better / same / worse" in text_out


def test_cli_errors_are_one_sentence(store, monkeypatch):
    parse = _parser().parse_args
    cases = [
        (["workshop", "status", "ZZZZZZ"], "there is no workshop session with the join code 'ZZZZZZ'"),
        (["workshop", "status", "nope"], "'nope' is not a join code"),
        (["workshop", "start", "--mission", "NOPE", "--cycle", CYCLE], "mission 'NOPE' has no results framework"),
        (["workshop", "start", "--mission", MISSION, "--cycle", CYCLE, "--outcomes", "O1.1,O1.1"],
         "outcome 'O1.1' appears twice"),
        (["workshop", "start", "--mission", MISSION, "--cycle", CYCLE, "--contribution-scale", "yes"],
         "a scale needs at least two values"),
    ]
    for argv, message in cases:
        with pytest.raises(CpasError) as exc:
            workshop_cli.run(parse(argv), store)
        assert message in str(exc.value)
        assert "\n" not in str(exc.value)
    monkeypatch.setenv("CPAS_DB_URL", store.url)  # without a store given, the command opens CPAS_DB_URL
    with pytest.raises(SessionNotFound):
        workshop_cli.run(parse(["workshop", "status", "ZZZZZZ"]))


def test_the_pack_shows_the_agreed_rating_and_analysis(demo_sqlite_url):
    from cpas_kit.core.settings import make_parameters
    from cpas_kit.packs.data import load_pack_data
    from cpas_kit.packs.sections import outcome_sections
    from cpas_kit.store import Store

    store = Store(demo_sqlite_url)
    started = WorkshopStore(store).start_workshop("UN-DEMO", "2023/24-Q4", actor="facilitator")
    WorkshopStore(store).record_agreed(started.code, started.facilitator_key, "O1.1", progress="some progress",
                                       contribution="significant",
                        analysis="Patrols in the west <b>deterred</b> attacks.", actor="facilitator")
    store.close()
    ctx = load_pack_data(make_parameters(mission="UN-DEMO", cycle="2023/24-Q4", db_url=demo_sqlite_url))
    html = "".join(str(getattr(p, "data", "")) for p in outcome_sections(ctx))
    assert "Agreed in the impact assessment" in html and "some progress" in html
    assert "Patrols in the west &lt;b&gt;deterred&lt;/b&gt; attacks." in html, "analysis text is escaped"
    assert html.count("No impact-assessment analysis has been recorded") == 7, "the other 7 outcomes"
