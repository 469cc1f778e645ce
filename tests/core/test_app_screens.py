"""Every app, served by Voila and drawn by Chromium in a 1,366 px laptop window, in English and in French:
no horizontal overflow of the page (a wide table scrolls inside its own box), and no page that cannot open
(issue 15 items 5, 13, 18). Screenshots go to ``$CPAS_SCREENSHOTS`` when set (else a temporary folder)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpas_kit.demo import MISSION
from cpas_kit.store import Store
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import REPO_ROOT
from tests.voila_support import chromium, copy_store, require_chromium, voila_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CYCLE = "2023/24-Q4"
WIDTH = 1366
PAGE_TIMEOUT = 90_000
ACTION_TIMEOUT = 20_000
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def served(demo_store_file, tmp_path_factory) -> Iterator[dict]:
    """The notebooks folder served by one Voila over a private demo store with an open workshop session."""
    require_chromium()
    folder = tmp_path_factory.mktemp("screens")
    url = copy_store(demo_store_file, folder / "demo.sqlite")
    store = Store(url)
    started = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="pytest")
    store.close()
    with voila_server(REPO_ROOT / "notebooks", env={"CPAS_DB_URL": url}, log_file=folder / "voila.log") as base:
        yield {"base": base + "voila/render/", "started": started}


@pytest.fixture(scope="module")
def browser(served):
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("CPAS_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check(page, shots: Path, name: str) -> None:
    """Screenshot the page and fail when it is wider than the window or shows a cell error."""
    page.wait_for_timeout(500)  # late layout (fonts, tables)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert "There was an error when executing cell" not in page.content(), name
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{name}: the page is {overflow} px wider than a {WIDTH} px window"


def _page(browser, url: str, ready: str):
    page = browser.new_page(viewport={"width": WIDTH, "height": 800})
    page.goto(url, timeout=PAGE_TIMEOUT)
    page.wait_for_selector(ready, timeout=PAGE_TIMEOUT)
    return page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_tracker_and_context_apps_fit_a_laptop_screen(served, browser, shots, language):
    page = _page(browser, f"{served['base']}recommendations_tracker.ipynb?language={language}", ".cpas-trk-row")
    page.locator(".cpas-trk-row button").first.click()
    page.wait_for_selector(".cpas-trk-history table", timeout=ACTION_TIMEOUT)
    heads = page.locator(".cpas-trk-head span")
    for i in range(heads.count()):  # a heading breaks between words, never inside one
        words = heads.nth(i).inner_text().split()
        assert page.evaluate("el => el.scrollWidth <= el.clientWidth + 1", heads.nth(i).element_handle()), words
    area = page.locator(".cpas-trk-row .cpas-trk-area").first.inner_text()
    assert area.startswith("1. ") and len(area) > 10  # the impact area's name, not "P1"
    _check(page, shots, f"tracker-{language}")
    page.close()

    page = _page(browser, f"{served['base']}context_mapping.ipynb?language={language}", "button.cpas-ctx-save")
    _check(page, shots, f"context-register-{language}")
    for tab in range(1, 6):
        page.locator(".cpas-ctx-tabs .lm-TabBar-tab").nth(tab).click()
        page.wait_for_timeout(1500 if tab == 3 else 300)  # the map is drawn when its tab opens
        _check(page, shots, f"context-tab{tab}-{language}")
    page.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_workshop_apps_fit_a_laptop_screen(served, browser, shots, language):
    started = served["started"]
    page = _page(browser, f"{served['base']}workshop_participant.ipynb?session={started.code}&language={language}",
                 ".cpas-ws-name input")
    _check(page, shots, f"participant-join-{language}")
    page.fill(".cpas-ws-name input", f"Screens {language}")
    page.wait_for_function("document.querySelectorAll('.cpas-ws-section select option').length > 1",
                           timeout=ACTION_TIMEOUT)
    page.select_option(".cpas-ws-section select", index=1)
    page.click(".cpas-ws-join")
    page.wait_for_selector(".cpas-ws-save", timeout=ACTION_TIMEOUT)
    _check(page, shots, f"participant-rating-{language}")
    page.close()

    page = _page(browser, f"{served['base']}workshop_facilitator.ipynb?session={started.code}&language={language}",
                 ".cpas-ws-fac-key input")
    page.fill(".cpas-ws-fac-key input", started.facilitator_key)
    page.click(".cpas-ws-fac-open")
    page.wait_for_selector(".cpas-ws-fac-people", timeout=ACTION_TIMEOUT)
    _check(page, shots, f"facilitator-{language}")
    page.close()


def test_a_misspelt_mission_shows_one_sentence_in_the_browser(served, browser, shots):
    page = _page(browser, f"{served['base']}recommendations_tracker.ipynb?mission=UN-DEM&language=fr",
                 ".cpas-app-cannot-open")
    text = page.locator(".cpas-app-cannot-open").inner_text()
    assert "Cette page ne peut pas s'ouvrir" in text and "mission 'UN-DEM' has no results framework" in text
    _check(page, shots, "tracker-misspelt-mission")
    page.close()
