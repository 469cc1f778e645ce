"""The recommendations tracker app: its callbacks driven directly, then the notebook served by Voila and
clicked in a real headless Chromium (filter, decide, refused and accepted progress, reload, French,
stored HTML shown as text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cpas_kit.core.errors import ParametersError
from cpas_kit.store import Store
from cpas_kit.tracker.app import tracker_app, tracker_parameters, url_parameters
from cpas_kit.tracker.store import TrackerStore
from tests.paths import REPO_ROOT
from tests.voila_support import chromium, copy_store, require_chromium, voila_server
from tests.voila_support import find_widgets as _find
from tests.voila_support import one_widget as _one

NOTEBOOK = REPO_ROOT / "notebooks" / "recommendations_tracker.ipynb"
MISSION = "UN-DEMO"
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)> Hostile text stays text."
REFUSAL = "implementation progress can only be recorded for an approved recommendation"
WIDGETS_TIMEOUT = 60_000  # a page's kernel starts and imports pandas, sqlalchemy and ipywidgets first
ACTION_TIMEOUT = 15_000


def _state(store: Store, rec_id: int) -> dict[str, Any]:
    recs = TrackerStore(store).recommendations(MISSION)
    return recs[recs["id"] == rec_id].iloc[0].to_dict()


# -- without a browser -----------------------------------------------------------------------------
def test_tracker_app_filters_decides_and_shows_refusals(demo_sqlite_url):
    store = Store(demo_sqlite_url)
    recs = TrackerStore(store).recommendations(MISSION)
    waiting = recs[recs["decision"] == "Awaiting Review"]
    rec_id = int(waiting["id"].iloc[0])
    app = tracker_app(store, MISSION)

    _one(app, "cpas-trk-filter-decision").value = "Awaiting Review"
    listed = [b.description for b in _find(_one(app, "cpas-trk-list"), "cpas-trk-open")]
    assert listed == [f"#{i}" for i in waiting["id"]]
    assert f"{len(waiting)} of {len(recs)}" in _one(app, "cpas-trk-count").value

    _find(_one(app, "cpas-trk-list"), "cpas-trk-open")[0].click()
    assert f"#{rec_id}" in _one(app, "cpas-trk-details").value
    message = _one(app, "cpas-trk-message")

    _one(app, "cpas-trk-progress-by").value = "Force focal point"
    _one(app, "cpas-trk-progress-choice").value = "Ongoing"
    _one(app, "cpas-trk-record-progress").click()
    assert REFUSAL in message.value and "cpas-trk-msg-refused" in message.value
    assert _state(store, rec_id)["progress"] == "Not Assigned"

    _one(app, "cpas-trk-decision-choice").value = "Approved"
    _one(app, "cpas-trk-record-decision").click()  # nobody named: refused by the app, nothing written
    assert "Decided by" in message.value and _state(store, rec_id)["decision"] == "Awaiting Review"
    _one(app, "cpas-trk-decided-by").value = "Head of Mission"
    _one(app, "cpas-trk-decision-reason").value = "agreed at the senior management team"
    _one(app, "cpas-trk-record-decision").click()
    assert "cpas-trk-msg-ok" in message.value
    assert _state(store, rec_id)["decision"] == "Approved"
    assert f"#{rec_id}" not in [b.description for b in _find(_one(app, "cpas-trk-list"), "cpas-trk-open")]
    history = _one(app, "cpas-trk-history").value
    assert "Head of Mission" in history and "agreed at the senior management team" in history
    assert "Awaiting Review → <b>Approved</b>" in history

    _one(app, "cpas-trk-record-progress").click()
    assert "cpas-trk-msg-ok" in message.value
    assert _state(store, rec_id)["progress"] == "Ongoing"
    assert _one(app, "cpas-trk-errors").outputs == ()


def test_tracker_app_escapes_stored_text_and_speaks_french(demo_sqlite_url):
    store = Store(demo_sqlite_url)
    hostile = {"text": XSS, "cycle_recommended": "2023/24-Q4", "priority_code": "P1",
               "lead_section": "<b>Force</b>"}
    TrackerStore(store).write_recommendations(MISSION, [hostile], actor="test", source="test")
    app = tracker_app(store, MISSION, language="fr")
    page = "".join(w.value for w in _find(app, "cpas-trk-list")[0].children[1:] for w in w.children[1:])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page and "<img" not in page
    assert "&lt;b&gt;Force&lt;/b&gt;" in page
    assert "Suivi des recommandations" in _find(app, "cpas-trk-app")[0].children[0].value
    assert "Approuvée" in page and "Approved" not in page


def test_page_address_sets_mission_and_language_never_the_store():
    assert url_parameters("mission=UN-DEMO&language=fr&db_url=sqlite:////etc/x&theme=dark") == {
        "mission": "UN-DEMO", "language": "fr"}
    params = tracker_parameters(mission="UN-DEMO", language="en", db_url="", query="language=fr&db_url=x")
    assert (params.language, params.db_url) == ("fr", "")
    assert tracker_parameters(mission="UN-DEMO", language="en", db_url="", query="").language == "en"
    with pytest.raises(ParametersError, match="the page address: language"):
        tracker_parameters(mission="UN-DEMO", language="en", db_url="", query="language=de")
    with pytest.raises(ParametersError, match="unknown key"):
        tracker_parameters(mission="UN-DEMO", language="en", db_url="", cycle="2023/24-Q4", query="")


@pytest.mark.notebook
def test_notebook_runs_under_papermill_with_its_parameters(demo_sqlite_url, tmp_path):
    import papermill

    out = tmp_path / "tracker.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                               parameters={"mission": MISSION, "language": "fr", "db_url": demo_sqlite_url})
    last = json.loads(out.read_text(encoding="utf-8"))["cells"][-1]
    assert [o["output_type"] for o in last["outputs"]] == ["execute_result"]
    assert "application/vnd.jupyter.widget-view+json" in last["outputs"][0]["data"]


# -- in Chromium, served by Voila ------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(demo_store_file, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """(page URL, store URL): the tracker served by Voila over a private demo store with a hostile text."""
    require_chromium()
    folder = tmp_path_factory.mktemp("tracker-app")
    url = copy_store(demo_store_file, folder / "demo.sqlite")
    store = Store(url)
    hostile = {"text": XSS, "cycle_recommended": "2023/24-Q4", "priority_code": "P2",
               "lead_section": "Human Rights"}
    TrackerStore(store).write_recommendations(MISSION, [hostile], actor="test", source="test")
    store.close()
    with voila_server(NOTEBOOK, env={"CPAS_DB_URL": url}, log_file=folder / "voila.log") as base:
        yield base, url


@pytest.fixture(scope="module")
def browser(served):
    with chromium() as b:
        yield b


def _open(browser, url: str, dialogs: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector(".cpas-trk-row", timeout=WIDGETS_TIMEOUT)
    return page


@pytest.mark.browser
def test_decide_and_record_progress_in_the_browser(served, browser):
    from playwright.sync_api import expect

    base, url = served
    store = Store(url)
    recs = TrackerStore(store).recommendations(MISSION)
    waiting = recs[recs["decision"] == "Awaiting Review"]
    rec_id = int(waiting["id"].iloc[0])
    dialogs: list[str] = []
    page = _open(browser, base, dialogs)
    expect(page.locator(".cpas-trk-row")).to_have_count(len(recs))

    page.select_option(".cpas-trk-filter-decision select", value="Awaiting Review")
    rows = page.locator(".cpas-trk-row")
    expect(rows).to_have_count(len(waiting), timeout=ACTION_TIMEOUT)
    expect(page.locator(".cpas-trk-row .cpas-trk-decision")).to_have_text(["Awaiting Review"] * len(waiting))

    page.click(f".cpas-trk-row-{rec_id} button")
    expect(page.locator(".cpas-trk-details")).to_contain_text(f"#{rec_id}", timeout=ACTION_TIMEOUT)
    message = page.locator(".cpas-trk-message")

    # progress on a recommendation that is not approved: the rule's sentence, nothing written
    events_before = len(TrackerStore(store).recommendation_history(rec_id))
    page.select_option(".cpas-trk-progress-choice select", value="Ongoing")
    page.fill(".cpas-trk-progress-by input", "Force focal point")
    page.click("button.cpas-trk-record-progress")
    expect(message.locator(".cpas-trk-msg-refused")).to_contain_text(REFUSAL, timeout=ACTION_TIMEOUT)
    expect(message).to_be_visible()
    assert len(TrackerStore(store).recommendation_history(rec_id)) == events_before
    assert _state(store, rec_id)["progress"] == "Not Assigned"

    # leadership approves it: the list (all decisions) and the history show it at once
    page.select_option(".cpas-trk-decision-choice select", value="Approved")
    page.fill(".cpas-trk-decided-by input", "Head of Mission")
    page.fill(".cpas-trk-decision-reason textarea", "agreed at the senior management team")
    page.click("button.cpas-trk-record-decision")
    expect(message.locator(".cpas-trk-msg-ok")).to_be_visible(timeout=ACTION_TIMEOUT)
    expect(page.locator(f".cpas-trk-row-{rec_id}")).to_have_count(0)  # no longer awaiting review
    page.select_option(".cpas-trk-filter-decision select", value="Approved")
    expect(page.locator(f".cpas-trk-row-{rec_id} .cpas-trk-decision")).to_have_text("Approved",
                                                                                   timeout=ACTION_TIMEOUT)
    history = page.locator(".cpas-trk-history")
    expect(history).to_contain_text("Head of Mission")
    expect(history).to_contain_text("Awaiting Review → Approved")
    expect(history).to_contain_text("agreed at the senior management team")
    assert _state(store, rec_id)["decision"] == "Approved"

    # the lead section records progress: persisted in the store
    page.click("button.cpas-trk-record-progress")
    expect(message.locator(".cpas-trk-msg-ok")).to_contain_text("Ongoing", timeout=ACTION_TIMEOUT)
    expect(page.locator(f".cpas-trk-row-{rec_id} .cpas-trk-progress")).to_have_text("Ongoing")
    expect(history).to_contain_text("Not Assigned → Ongoing")
    state = _state(store, rec_id)
    assert (state["decision"], state["progress"]) == ("Approved", "Ongoing")
    assert state["updated_by"] == "Force focal point"

    # a reload (a new kernel) reads the same state back
    page.reload()
    page.wait_for_selector(f".cpas-trk-row-{rec_id}", timeout=WIDGETS_TIMEOUT)
    expect(page.locator(f".cpas-trk-row-{rec_id} .cpas-trk-decision")).to_have_text("Approved")
    expect(page.locator(f".cpas-trk-row-{rec_id} .cpas-trk-progress")).to_have_text("Ongoing")
    page.close()
    assert dialogs == []
    store.close()


@pytest.mark.browser
def test_french_page_shows_stored_html_as_text(served, browser):
    from playwright.sync_api import expect

    base, _ = served
    dialogs: list[str] = []
    page = _open(browser, base + "?language=fr", dialogs)
    app = page.locator(".cpas-trk-app")
    expect(app).to_contain_text("Suivi des recommandations")
    expect(app).to_contain_text("Approuvée")
    expect(app).to_contain_text("Domaine d'impact")
    expect(page.locator(".cpas-trk-filter-decision select option").first).to_contain_text("toutes")

    hostile = page.locator(".cpas-trk-row", has_text="Hostile text stays text.")
    expect(hostile).to_contain_text("<script>alert(1)</script><img src=x onerror=alert(2)>")
    hostile.locator("button").click()
    expect(page.locator(".cpas-trk-details .cpas-trk-fulltext")).to_have_text(XSS, timeout=ACTION_TIMEOUT)
    expect(page.locator(".cpas-trk-history")).to_contain_text("Inscrite au suivi")
    assert page.locator(".cpas-trk-app script, .cpas-trk-app img").count() == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert dialogs == []
    page.close()
