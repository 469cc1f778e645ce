"""The context-mapping app: its callbacks driven directly (notes, matrix, changes, framework edits, French,
escaping), then the notebook served by Voila and clicked in a real headless Chromium: add a stakeholder,
change its stance, see the matrix update; change a target; the French page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from cpas_kit.core.errors import ParametersError
from cpas_kit.stakeholders.app import context_app, context_parameters, next_code
from cpas_kit.stakeholders.store import StakeholderStore
from cpas_kit.store import Store
from tests.paths import REPO_ROOT
from tests.voila_support import chromium, copy_store, require_chromium, voila_server
from tests.voila_support import one_widget as _one

NOTEBOOK = REPO_ROOT / "notebooks" / "context_mapping.ipynb"
MISSION = "UN-DEMO"
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)> Bandits"
WIDGETS_TIMEOUT = 60_000
ACTION_TIMEOUT = 15_000


def _cell(html: str, influence: str, stance: str) -> str:
    match = re.search(rf'data-influence="{influence}" data-stance="{stance}">(.*?)</td>', html, re.DOTALL)
    assert match, (influence, stance)
    return match.group(1)


# -- without a browser -----------------------------------------------------------------------------
def test_add_stakeholder_change_stance_and_the_matrix_follows(demo_sqlite_url):
    store = Store(demo_sqlite_url)
    app = context_app(store, MISSION, cycle="2024/25-Q1")
    message = _one(app, "cpas-ctx-message")
    assert "carried over from 2023/24-Q4" in _one(app, "cpas-ctx-status").value
    assert _one(app, "cpas-ctx-code").value == "ST-17"  # after the highest code ever used (ST-16)
    _one(app, "cpas-ctx-name").value = XSS
    _one(app, "cpas-ctx-type").value = "armed_group"
    _one(app, "cpas-ctx-stance").value = "opposed"
    _one(app, "cpas-ctx-influence").value = "high"
    _one(app, "cpas-ctx-areas").value = ("CF-VK",)
    _one(app, "cpas-ctx-save").click()
    assert "Write your name first" in message.value
    _one(app, "cpas-ctx-by").value = "Planning officer"
    _one(app, "cpas-ctx-save").click()
    assert "needs a note saying why" in message.value and "cpas-ctx-msg-error" in message.value
    assert StakeholderStore(store).context_cycles(MISSION)["cycle"].tolist() == ["2022/23-Q4",
                                                                                 "2023/24-Q4"]  # nothing written
    _one(app, "cpas-ctx-note").value = "Attacks on the northern road since April"
    _one(app, "cpas-ctx-save").click()
    assert "cpas-ctx-msg-ok" in message.value and "&lt;script&gt;" in message.value
    matrix = _one(app, "cpas-ctx-matrix-view").value
    assert "Bandits" in _cell(matrix, "high", "opposed") and "<script>" not in matrix and "<img" not in matrix
    assert "Bandits" in _one(app, "cpas-ctx-changes-view").value  # compared with 2023/24-Q4 by default

    _one(app, "cpas-ctx-stance").value = "neutral"  # the form still holds the saved stakeholder
    _one(app, "cpas-ctx-note").value = "Agreed to a local ceasefire"
    _one(app, "cpas-ctx-save").click()
    matrix = _one(app, "cpas-ctx-matrix-view").value
    assert "Bandits" in _cell(matrix, "high", "neutral") and "Bandits" not in _cell(matrix, "high", "opposed")
    row = next(r for r in StakeholderStore(store).context_map(MISSION, "2024/25-Q1")["entries"] if r["code"] == "ST-17")
    assert (row["stance"], row["note"], row["updated_by"]) == ("neutral", "Agreed to a local ceasefire",
                                                                "Planning officer")

    _one(app, "cpas-ctx-pick").value = "ST-04"  # stance of a carried-over actor: needs a note too
    assert _one(app, "cpas-ctx-name").value == "Armed group coalition (fictional)"
    _one(app, "cpas-ctx-note").value = ""
    _one(app, "cpas-ctx-stance").value = "neutral"
    _one(app, "cpas-ctx-save").click()
    assert "its stance changed since the previous cycle" in message.value

    _one(app, "cpas-ctx-tabs").selected_index = 3
    assert "<svg" in _one(app, "cpas-ctx-map-view").value and "Vakaga" in _one(app, "cpas-ctx-map-view").value
    _one(app, "cpas-ctx-cycle").value = "2022/23-Q4"
    assert "Bandits" not in _one(app, "cpas-ctx-matrix-view").value
    assert _one(app, "cpas-ctx-errors").outputs == ()
    store.close()


def test_framework_tab_adds_an_indicator_and_changes_a_target_with_the_same_checks(demo_sqlite_url):
    store = Store(demo_sqlite_url)
    app = context_app(store, MISSION)
    message = _one(app, "cpas-ctx-message")
    _one(app, "cpas-ctx-by").value = "Planning officer"
    _one(app, "cpas-fw-effective").value = "2024/25-Q1"
    _one(app, "cpas-fw-code").value = "SEC-01"
    _one(app, "cpas-fw-name").value = "Duplicate"
    _one(app, "cpas-fw-baseline-value").value = "12,5"
    _one(app, "cpas-fw-add").click()
    assert "is not a number" in message.value
    _one(app, "cpas-fw-baseline-value").value = ""
    _one(app, "cpas-fw-add").click()
    for bit in ("unit: is required", "data_source: is required", "already used at indicator SEC-01",
                "needs a numeric baseline"):
        assert bit in message.value
    assert len(store.framework_versions(MISSION)) == 1
    for name, value in (("code", "SEC-99"), ("unit", "incidents"), ("baseline-value", "10"),
                        ("data-source", "JMAC reports"), ("target-period", "2024/25-Q4"), ("target-value", "6")):
        _one(app, f"cpas-fw-{name}").value = value
    _one(app, "cpas-fw-add").click()
    assert "version 2, in force from 2024/25-Q1" in message.value
    assert store.framework(MISSION).indicator("SEC-99").targets[0].value == 6

    _one(app, "cpas-fw-indicator").value = "SEC-01"
    _one(app, "cpas-fw-period").value = "2024/25-Q4"
    _one(app, "cpas-fw-value").value = "1"
    _one(app, "cpas-fw-save-target").click()
    assert "version 3" in message.value
    assert store.framework(MISSION, "2024/25-Q1").indicator("SEC-01").target_for("2024/25-Q4").value == 1
    assert store.framework(MISSION, "2023/24-Q4").indicator("SEC-01").target_for("2024/25-Q4").value != 1
    _one(app, "cpas-fw-effective").value = "2023/24-Q1"
    _one(app, "cpas-fw-value").value = "0"
    _one(app, "cpas-fw-save-target").click()
    assert "cannot start earlier" in message.value and len(store.framework_versions(MISSION)) == 3
    store.close()


def test_a_mission_without_a_map_starts_from_the_frameworks_key_stakeholders(sqlite_url):
    from cpas_kit.demo import demo_framework

    store = Store(sqlite_url)
    store.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="test")
    app = context_app(store, MISSION, cycle="2024/25-Q1")
    assert "No context mapping for 2024/25-Q1" in _one(app, "cpas-ctx-status").value
    seed = _one(app, "cpas-ctx-seed")
    assert seed.layout.display == "flex"
    _one(app, "cpas-ctx-by").value = "Planning officer"
    seed.click()
    assert len(StakeholderStore(store).stakeholders(MISSION, "2024/25-Q1")) == len(demo_framework().stakeholders)
    assert seed.layout.display == "none" and "Ministry of Defence" in _one(app, "cpas-ctx-matrix-view").value
    store.close()


def test_french_labels_and_parameters():
    assert next_code(["ST-01", "ST-16", "X-99"]) == "ST-17" and next_code([]) == "ST-01"
    params = context_parameters(mission="UN-DEMO", cycle="", language="", db_url="",
                                query="cycle=2023/24-Q4&language=fr&db_url=sqlite:////etc/x")
    assert (params.cycle, params.language, params.db_url) == ("2023/24-Q4", "fr", "")
    with pytest.raises(ParametersError, match="the page address: language"):
        context_parameters(mission="UN-DEMO", query="language=de")
    with pytest.raises(ParametersError, match="cycle"):
        context_parameters(mission="UN-DEMO", query="cycle=2023-24-Q9")


def test_app_in_french_by_the_missions_language(demo_sqlite_url):
    store = Store(demo_sqlite_url)
    app = context_app(store, MISSION, language="fr")
    assert "Cartographie du contexte" in app.children[0].value
    tabs = _one(app, "cpas-ctx-tabs")
    assert [tabs.get_title(i) for i in range(6)] == ["Registre", "Matrice", "Par résultat", "Carte", "Changements",
                                                    "Cadre de résultats"]
    matrix = _one(app, "cpas-ctx-matrix-view").value
    assert "Favorable" in matrix and "Forces armées nationales (FAN)" in matrix
    assert "plus favorable" in _one(app, "cpas-ctx-changes-view").value
    store.close()


# -- in Chromium, served by Voila ------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(demo_store_file, tmp_path_factory) -> Iterator[tuple[str, str]]:
    require_chromium()
    folder = tmp_path_factory.mktemp("context-app")
    target = folder / "demo.sqlite"
    copy_store(demo_store_file, target)
    url = f"sqlite:///{target}"
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
    page.wait_for_selector("button.cpas-ctx-save", timeout=WIDGETS_TIMEOUT)
    return page


def _tab(page, title: str) -> None:
    page.locator(".cpas-ctx-tabs .lm-TabBar-tab", has_text=title).first.click()


@pytest.mark.browser
def test_add_a_stakeholder_change_its_stance_and_see_the_matrix_in_the_browser(served, browser):
    from playwright.sync_api import expect

    base, url = served
    dialogs: list[str] = []
    page = _open(browser, base + "?cycle=2024/25-Q1", dialogs)
    message = page.locator(".cpas-ctx-message")
    page.fill(".cpas-ctx-by input", "Planning officer")
    page.fill(".cpas-ctx-name input", XSS)
    page.select_option(".cpas-ctx-type select", label="Armed group")
    page.select_option(".cpas-ctx-stance select", label="Opposed")
    page.select_option(".cpas-ctx-influence select", label="High")
    page.select_option(".cpas-ctx-areas select", label=["Vakaga"])
    page.click("button.cpas-ctx-save")
    expect(message).to_contain_text("needs a note saying why", timeout=ACTION_TIMEOUT)
    page.fill(".cpas-ctx-note textarea", "Attacks on the northern road since April")
    page.click("button.cpas-ctx-save")
    expect(message.locator(".cpas-ctx-msg-ok")).to_contain_text("ST-17", timeout=ACTION_TIMEOUT)

    _tab(page, "Matrix")
    opposed = page.locator('.cpas-ctx-matrix-view td[data-influence="high"][data-stance="opposed"]')
    neutral = page.locator('.cpas-ctx-matrix-view td[data-influence="high"][data-stance="neutral"]')
    expect(opposed).to_contain_text("<script>alert(1)</script>", timeout=ACTION_TIMEOUT)  # shown as text
    expect(neutral).not_to_contain_text("Bandits")

    _tab(page, "Register")
    page.select_option(".cpas-ctx-stance select", label="Neutral")
    page.fill(".cpas-ctx-note textarea", "Agreed to a local ceasefire")
    page.click("button.cpas-ctx-save")
    expect(message.locator(".cpas-ctx-msg-ok")).to_be_visible(timeout=ACTION_TIMEOUT)
    _tab(page, "Matrix")
    expect(neutral).to_contain_text("Bandits", timeout=ACTION_TIMEOUT)
    expect(opposed).not_to_contain_text("Bandits")
    store = Store(url)
    row = next(r for r in StakeholderStore(store).context_map(MISSION, "2024/25-Q1")["entries"] if r["code"] == "ST-17")
    assert (row["stance"], row["influence"], row["areas"]) == ("neutral", "high", ["CF-VK"])

    _tab(page, "Changes")
    expect(page.locator(".cpas-ctx-changes-view")).to_contain_text("Agreed to a local ceasefire")
    _tab(page, "Framework")
    page.select_option(".cpas-fw-indicator select", value=page.locator(".cpas-fw-indicator option").first
                       .get_attribute("value"))
    page.fill(".cpas-fw-effective input", "2024/25-Q1")
    page.fill(".cpas-fw-value input", "1")
    page.click("button.cpas-fw-save-target")
    expect(message).to_contain_text("version 2, in force from 2024/25-Q1", timeout=ACTION_TIMEOUT)
    assert len(store.framework_versions(MISSION)) == 2
    assert page.locator(".cpas-ctx-app script, .cpas-ctx-app img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    store.close()
    page.close()


@pytest.mark.browser
def test_french_page(served, browser):
    from playwright.sync_api import expect

    base, _ = served
    dialogs: list[str] = []
    page = _open(browser, base + "?language=fr&cycle=2023/24-Q4", dialogs)
    expect(page.locator(".cpas-ctx-app")).to_contain_text("Cartographie du contexte")
    expect(page.locator(".cpas-ctx-tabs .lm-TabBar-tab", has_text="Matrice")).to_be_visible()
    _tab(page, "Matrice")
    expect(page.locator(".cpas-ctx-matrix-view")).to_contain_text("Favorable")
    expect(page.locator(".cpas-ctx-matrix-view")).to_contain_text("Forces armées nationales (FAN)")
    assert dialogs == []
    page.close()
