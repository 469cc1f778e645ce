"""The facilitator's and participant's pages as a person would sign them off (issue 15 item 12): a refused
merge says the real reason, closing with unrated outcomes asks first, a sent proposal shows where it went on
the participant's page, the indicators come before (or beside) the rating form, and no button cuts its label."""

from __future__ import annotations

import pytest
from ipywidgets import Button

from cpas_kit.demo import MISSION
from cpas_kit.workshop import participant as workshop_participant
from cpas_kit.workshop.facilitator import FacilitatorApp
from cpas_kit.workshop.pages import page_parameters
from cpas_kit.workshop.participant import ParticipantApp
from cpas_kit.workshop.store import WorkshopStore
from tests.voila_support import find_widgets, one_widget

CYCLE = "2023/24-Q4"
STORE_CONTENT = "framework"
STORE_BACKENDS = ("sqlite",)


@pytest.fixture(autouse=True)
def _quick_outcome_views(monkeypatch):
    monkeypatch.setattr(workshop_participant, "outcome_view", lambda store, code, outcome, lang: f"<p>{outcome}</p>")


@pytest.fixture
def started(store):
    return WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="facilitator")


def _join(store, code, name, section_index=0, language="en"):
    app = ParticipantApp(store, page_parameters(query=f"session={code}&language={language}"))
    app.name_box.value = name
    app.section_box.value = app.section_box.options[section_index][1]
    app.join_button.click()
    assert app.token, app.join_msg.value
    return app


def _facilitator(store, started, language="en"):
    app = FacilitatorApp(store, page_parameters(query=f"session={started.code}&language={language}"))
    app.by_box.value = "Facilitator"
    app._open(started.code, started.facilitator_key)
    return app


def _proposals(store, started):
    return [int(p["id"]) for p in WorkshopStore(store).workshop_proposals(started.code).to_dict("records")]


def test_merge_without_a_target_names_the_missing_target(store, started):
    fac = _facilitator(store, started)
    a = _join(store, started.code, "Awa")
    for text in ("More night patrols", "Night patrols in hotspots"):
        a.proposal.value = text
        a.propose.click()
    fac.refresh()
    first, second = _proposals(store, started)
    fac._tick(first, True)
    fac._tick(second, True)
    fac.merge_into.value = None
    fac._merge()
    assert "choose the proposal to merge into first" in fac.proposal_msg.value
    assert "tick at least one" not in fac.proposal_msg.value
    fac.merge_into.value = first
    fac._ticked.clear()
    fac._merge()
    assert f"tick the duplicates to merge into #{first}" in fac.proposal_msg.value
    assert all(p["merged_into_id"] is None for p in WorkshopStore(store).workshop_status(started.code)["proposals"])


def test_closing_with_unrated_outcomes_asks_first_and_closes_on_the_second_click(store, started):
    fac = _facilitator(store, started)
    n = len(started.outcome_order)
    fac._close()
    assert f"{n} outcome(s) have no agreed result yet" in fac.agreed_msg.value
    assert started.outcome_order[0] in fac.agreed_msg.value
    assert WorkshopStore(store).workshop_session(started.code)["status"] == "open"
    fac._close()
    assert WorkshopStore(store).workshop_session(started.code)["status"] == "closed"


def test_closing_when_every_outcome_is_agreed_needs_one_click(store, started):
    fac = _facilitator(store, started)
    for outcome in started.outcome_order:
        WorkshopStore(store).record_agreed(started.code, started.facilitator_key, outcome, progress="no change",
                                           contribution="some", analysis=None, actor="Facilitator")
    fac.refresh(force=True)
    fac._close()
    assert WorkshopStore(store).workshop_session(started.code)["status"] == "closed"


@pytest.mark.parametrize("language, sent, merged", [
    ("en", "sent to the tracker as #", "merged into #"),
    ("fr", "envoyée au suivi sous le n° ", "fusionnée dans la proposition n° "),
])
def test_a_participant_sees_where_each_proposal_went(store, started, language, sent, merged):
    fac = _facilitator(store, started, language)
    a = _join(store, started.code, "Awa", language=language)
    for text in ("More night patrols", "Night patrols in hotspots"):
        a.proposal.value = text
        a.propose.click()
    pending = "pending" if language == "en" else "en attente"
    assert a.mine.value.count(pending) == 2
    fac.refresh()
    first, second = _proposals(store, started)
    fac._tick(second, True)
    fac.merge_into.value = first
    fac._merge()
    fac._tick(first, True)
    fac._send()
    rec_id = WorkshopStore(store).workshop_status(started.code)["proposals"][0]["recommendation_id"]
    assert rec_id is not None
    for _ in range(workshop_participant.PROPOSALS_EVERY):  # the live poll reads the proposals again
        a.poll()
    assert f"{sent}{rec_id}" in a.mine.value and f"{merged}{first}" in a.mine.value
    assert pending not in a.mine.value
    assert f"{sent}{rec_id}" in fac.proposal_list.children[0].children[1].value


def test_indicators_come_before_the_rating_form_or_beside_it(store, started):
    a = _join(store, started.code, "Awa")
    (page,) = find_widgets(a.widget, "cpas-ws-outcome-page")
    view, forms = page.children
    assert view is a.view and page.layout.flex_flow == "row wrap"
    assert find_widgets(forms, "cpas-ws-save") and find_widgets(forms, "cpas-ws-propose")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_participant_buttons_are_as_wide_as_their_labels(store, started, language):
    a = _join(store, started.code, "Awa", language=language)
    for css in ("cpas-ws-save", "cpas-ws-propose"):
        assert one_widget(a.widget, css).layout.width == "auto", css


@pytest.mark.parametrize("language", ["en", "fr"])
def test_facilitator_buttons_are_as_wide_as_their_labels(store, started, language):
    fac = _facilitator(store, started, language)
    for css in ("cpas-ws-fac-go", "cpas-ws-fac-record", "cpas-ws-fac-merge", "cpas-ws-fac-send",
                "cpas-ws-fac-close", "cpas-ws-fac-prev", "cpas-ws-fac-next"):
        button = one_widget(fac.widget, css)
        assert isinstance(button, Button) and button.layout.width == "auto", css
