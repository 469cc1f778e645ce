"""The workshop's participant and facilitator apps, driven through their widgets without a browser (the
browser tests are in test_workshop_browser.py): joining, rating, proposing, resuming, the facilitator's
key, live panels, agreed results, merging and sending, French, hostile text, and the outcome views."""

from __future__ import annotations

import html

import pytest

from cpas_kit.core.errors import ParametersError
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.demo import MISSION
from cpas_kit.store import Store
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop import participant as workshop_participant
from cpas_kit.workshop.facilitator import FacilitatorApp
from cpas_kit.workshop.pages import error_text, page_parameters
from cpas_kit.workshop.participant import ParticipantApp
from cpas_kit.workshop.sessions import SessionNotFound, WorkshopRefused
from cpas_kit.workshop.store import WorkshopStore
from cpas_kit.workshop.views import build_views, outcome_view

CYCLE = "2023/24-Q4"
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


STORE_CONTENT = "framework"  # the shared ``store`` fixture (tests/conftest.py)
STORE_BACKENDS = ("sqlite",)


@pytest.fixture(autouse=True)
def _quick_outcome_views(monkeypatch):
    # the outcome views have their own test below; here a stand-in keeps these tests fast
    monkeypatch.setattr(workshop_participant, "outcome_view", lambda store, code, outcome, lang: f"<p>{outcome}</p>")


@pytest.fixture
def started(store):
    return WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="facilitator")


def _join(store, code, name, section_index=0, query=""):
    app = ParticipantApp(store, page_parameters(query=f"session={code}{query}"))
    app.name_box.value = name
    app.section_box.value = app.section_box.options[section_index][1]
    app.join_button.click()
    assert app.token, app.join_msg.value
    return app


def _facilitator(store, started):
    app = FacilitatorApp(store, page_parameters(query=f"session={started.code}"))
    app.by_box.value = "Facilitator"
    app._open(started.code, started.facilitator_key)
    return app


def test_page_parameters_come_from_the_address_but_never_the_store():
    p = page_parameters(query="session=k7qm2p&mission=UN-DEMO&cycle=2023/24-Q4&language=fr&db_url=sqlite:///x",
                        db_url="")
    assert (p.session, p.mission, p.cycle, p.language, p.db_url) == ("K7QM2P", "UN-DEMO", "2023/24-Q4", "fr", "")
    with pytest.raises(ParametersError, match="the page address"):
        page_parameters(query="language=de")
    with pytest.raises(ParametersError, match="not a join code"):
        page_parameters(query="session=!!")


def test_a_participant_joins_rates_proposes_and_a_reload_restores_everything(store, started):
    app = _join(store, started.code, "Awa Diallo")
    assert started.code in app.head.value and "participant=" in app.head.value
    outcome = app.outcome
    assert outcome == started.outcome_order[0] and f"<p>{outcome}</p>" == app.view.value
    app.progress.value, app.contribution.value, app.reason.value = "some progress", "significant", "patrols up"
    app.save.click()
    assert "Saved at" in app.save_msg.value
    app.proposal.value = "Extend night patrols"
    app.lead.value = app.lead.options[1][1]
    app.supporting.value = (app.supporting.options[2][1],)
    app.propose.click()
    assert "Proposal" in app.propose_msg.value and "Extend night patrols" in app.mine.value
    assert app.proposal.value == ""

    again = ParticipantApp(store, page_parameters(query=f"session={started.code}&participant={app.token}"))
    assert "Welcome back" in again.head.value
    assert (again.progress.value, again.contribution.value, again.reason.value) == \
        ("some progress", "significant", "patrols up")
    assert "Extend night patrols" in again.mine.value

    namesake = _join(store, started.code, "awa diallo")  # same name and section, no personal link: someone else
    assert namesake.token != app.token and namesake.progress.value is None


def test_pressing_save_twice_stores_one_rating_and_a_changed_form_another(store, started):
    app = _join(store, started.code, "Awa")
    app.progress.value = "no change"
    app.save.click()
    app._pending_submission = WorkshopStore(store).workshop_rating_history(started.code)["submission_id"].iloc[-1]
    app.save.click()  # the same submit again (e.g. after a timeout): not stored twice
    assert len(WorkshopStore(store).workshop_rating_history(started.code)) == 1
    app.progress.value = "deterioration"
    app.save.click()
    history = WorkshopStore(store).workshop_rating_history(started.code)
    assert list(history["progress"]) == ["no change", "deterioration"]


def test_refusals_are_sentences_on_the_page_and_nothing_is_written(store, started):
    app = ParticipantApp(store, page_parameters(query="session=ZZZZZZ"))
    assert "no workshop session with the join code 'ZZZZZZ'" in html.unescape(app.join_msg.value)
    app = ParticipantApp(store, page_parameters(query=f"session={started.code}"))
    app.join_button.click()  # no name, no section
    assert ("enter your name" in app.join_msg.value
            and not WorkshopStore(store).workshop_status(started.code)["participants"])
    app = _join(store, started.code, "Awa")
    app.save.click()  # nothing chosen
    assert "choose a progress or a contribution rating" in app.save_msg.value
    app.propose.click()  # no text
    assert "a recommendation needs its text" in app.propose_msg.value
    assert (WorkshopStore(store).workshop_rating_history(started.code).empty
            and WorkshopStore(store).workshop_proposals(started.code).empty)
    bad = ParticipantApp(store, page_parameters(query=f"session={started.code}&participant=not-a-token"))
    assert "no longer valid" in bad.join_msg.value and bad.token is None


def test_participants_follow_the_facilitator_unless_they_choose_not_to(store, started):
    app = _join(store, started.code, "Awa")
    other = _join(store, started.code, "Jean", 1)
    other.follow.value = False
    WorkshopStore(store).set_workshop_outcome(started.code, started.facilitator_key, 2, actor="f")
    app.poll()
    other.poll()
    assert app.outcome == started.outcome_order[2] and app.outcome_box.value == started.outcome_order[2]
    assert "now discussed" in {v: k for k, v in app.outcome_box.options}[started.outcome_order[2]]
    assert other.outcome == started.outcome_order[0]


def test_the_facilitator_needs_the_key_and_sees_joins_ratings_and_disagreement(store, started):
    fac = FacilitatorApp(store, page_parameters(query=f"session={started.code}"))
    fac._open(started.code, "wrong key")
    assert "facilitator key for session" in fac.gate_msg.value and fac.code is None
    fac = _facilitator(store, started)
    assert "0 joined" in fac.people.value
    a, b = _join(store, started.code, "Awa"), _join(store, started.code, XSS, 1)
    a.progress.value, a.reason.value = "some progress", XSS
    a.save.click()
    b.progress.value = "deterioration"
    b.save.click()
    fac.refresh()
    assert "2 joined · 2 rated this outcome" in fac.people.value
    assert "no rating has a majority" in fac.dist.value
    for shown in (fac.people.value, fac.reasons.value):
        assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_agreed_results_merges_and_sending_to_the_tracker(store, started):
    fac = _facilitator(store, started)
    a, b = _join(store, started.code, "Awa"), _join(store, started.code, "Jean", 1)
    for app, text in ((a, "More night patrols"), (b, "Night patrols in hotspots")):
        app.proposal.value = text
        app.propose.click()
    fac.refresh()
    first, second = (int(p["id"]) for p in WorkshopStore(store).workshop_proposals(started.code).to_dict("records"))
    fac._send()
    assert "tick at least one proposal" in fac.proposal_msg.value
    fac._tick(second, True)
    fac.merge_into.value = first
    fac._merge()
    assert f"#{second}" in fac.proposal_msg.value
    fac._tick(first, True)
    fac._send()
    assert "Sent to the tracker" in fac.proposal_msg.value
    recs = TrackerStore(store).recommendations(MISSION)
    sent = recs[recs["text"] == "More night patrols"]
    assert len(sent) == 1 and sent["decision"].iloc[0] == "Awaiting Review"

    fac.agreed_progress.value = "some progress"
    fac.agreed_contribution.value = "some"
    fac.analysis.value = "Patrols rose; " + XSS
    fac._record()
    assert "recorded" in fac.agreed_msg.value
    agreed = WorkshopStore(store).workshop_agreed(started.code)
    assert agreed["analysis"].iloc[0].endswith(XSS) and agreed["agreed_by"].iloc[0] == "Facilitator"

    fac._move(started.outcome_order[1])
    assert WorkshopStore(store).workshop_session(started.code)["current_outcome"] == started.outcome_order[1]
    assert fac.agreed_progress.value is None  # the form shows the new outcome's (empty) agreed result
    fac.outcome_box.value = started.outcome_order[0]
    assert fac.agreed_progress.value == "some progress"


def test_a_closed_session_is_read_only_on_both_pages(store, started):
    fac = _facilitator(store, started)
    app = _join(store, started.code, "Awa")
    fac._close()
    fac._close()  # no outcome has an agreed result: the first click asks to confirm
    app.poll()
    assert app.save.disabled and "closed" in app.closed_note.value
    app.progress.value = "no change"
    app._save()
    assert "is closed" in app.save_msg.value


def test_french_labels_and_refusals(store, started):
    app = ParticipantApp(store, page_parameters(query=f"session={started.code}&language=fr"))
    assert app.join_button.description == "Rejoindre"
    app.name_box.value = "Awa"
    app.join_button.click()
    assert "choisissez votre section dans la liste" in app.join_msg.value
    app = _join(store, started.code, "Awa", query="&language=fr")
    assert app.progress.options[0][0] == "progrès important"
    app.save.click()
    assert "Non enregistré" in app.save_msg.value and "appréciation" in app.save_msg.value
    with pytest.raises(SessionNotFound) as caught:
        WorkshopStore(store).workshop_session("ZZZZZZ")
    assert error_text(caught.value, "fr").startswith("aucune séance d'atelier")
    with pytest.raises(WorkshopRefused) as caught:
        WorkshopStore(store).submit_rating(app.token, "O9.9", progress="no change")
    assert "n'est pas examiné" in error_text(caught.value, "fr")


def test_the_facilitator_can_start_a_session_and_sees_its_key_once(store):
    passphrase = WorkshopStore(store).authorise_facilitator("Fatou Sow", actor="server admin")
    fac = FacilitatorApp(store, page_parameters(query=f"mission={MISSION}&cycle={CYCLE}"))
    assert fac.by_box.value == "", "the page never shows the server's login name"
    fac.by_box.value, fac.pass_box.value = "fatou sow", passphrase
    fac._start_session()
    assert fac.code and fac.key and fac.key in fac.note.value and fac.code in fac.head.value
    assert WorkshopStore(store).check_facilitator_key(fac.code, fac.key)["mission"] == MISSION
    joined = ParticipantApp(store, page_parameters(query=f"mission={MISSION}&cycle={CYCLE}"))
    assert joined.code_box.value == fac.code  # the address's mission and cycle find the open session


@pytest.mark.slow
def test_outcome_views_are_drawn_once_with_the_pack_builders(demo_sqlite_url, tmp_path):
    store = Store(demo_sqlite_url)
    started = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="facilitator")
    folder = build_views(store, started.code, "fr", root=tmp_path)
    files = sorted(p.name for p in folder.glob("*.html"))
    assert files == sorted(f"{o}.html" for o in started.outcome_order)
    page = outcome_view(store, started.code, started.outcome_order[0], "fr", root=tmp_path)
    assert "<svg" in page and "DONNÉES SYNTHÉTIQUES" in page and "<script" not in page
    stamp = (folder / files[0]).stat().st_mtime_ns
    assert build_views(store, started.code, "fr", root=tmp_path) == folder
    assert (folder / files[0]).stat().st_mtime_ns == stamp  # drawn once, then read
    ObservationStore(store).verify(MISSION, CYCLE, by="pytest")  # the data changed: the next build draws afresh
    assert build_views(store, started.code, "fr", root=tmp_path) != folder
    store.close()


def test_a_mission_sets_its_own_rating_scales_in_its_parameters_file(store, tmp_path, monkeypatch):
    (tmp_path / "parameters").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "parameters" / f"{MISSION}.yaml").write_text(
        "mission: UN-DEMO\ncycle: 2023/24-Q4\nworkshop:\n  progress_scale: [major gain, minor gain, no gain]\n")
    monkeypatch.setenv("CPAS_HOME", str(tmp_path))
    started = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="facilitator")
    assert started.scales.progress == ("major gain", "minor gain", "no gain")
    assert started.scales.contribution == ("significant", "some", "none", "unclear")
    from cpas_kit.core.settings import resolve_parameters

    assert resolve_parameters(MISSION).cycle == CYCLE  # the pack ignores the workshop section
    (tmp_path / "parameters" / f"{MISSION}.yaml").write_text("workshop:\n  progress: [a, b]\n")
    with pytest.raises(ParametersError, match="unknown key.*progress_scale"):
        WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="facilitator")


@pytest.mark.parametrize("notebook", ["workshop_participant.ipynb", "workshop_facilitator.ipynb"])
@pytest.mark.notebook
def test_the_notebooks_run_with_papermill_parameters(notebook, store, started, tmp_path, monkeypatch):
    import papermill as pm

    from cpas_kit.core.paths import notebooks_dir

    monkeypatch.delenv("QUERY_STRING", raising=False)
    url = store.engine.url.render_as_string(hide_password=False)
    pm.execute_notebook(str(notebooks_dir() / notebook), str(tmp_path / notebook), kernel_name="python3",
                        parameters={"session": started.code.lower(), "language": "fr", "db_url": url},
                        progress_bar=False)
    import nbformat

    done = nbformat.read(tmp_path / notebook, as_version=4)
    shown = [o for c in done.cells for o in c.get("outputs", []) if o.get("output_type") == "execute_result"]
    assert shown and "application/vnd.jupyter.widget-view+json" in shown[-1]["data"]


def test_french_refusals_translate_the_words_they_name_but_not_what_was_typed(store, started):
    me = WorkshopStore(store).join_workshop(started.code, "Awa", "CAS")
    with pytest.raises(WorkshopRefused) as caught:
        WorkshopStore(store).submit_rating(me.token, started.outcome_order[0],
                                           progress="none")  # typed on the wrong scale
    text = error_text(caught.value, "fr")
    assert text.startswith("« none » ne figure pas sur l'échelle « progrès »"), text
    with pytest.raises(WorkshopRefused) as caught:
        WorkshopStore(store).submit_rating(me.token, started.outcome_order[0], progress="no change", reason="x" * 1001)
    assert "le texte « justification » compte 1001 caractères" in error_text(caught.value, "fr")
