"""The workshop apps as people use them: ``cpas workshop serve`` (Voila, preheated participant kernels) and
a real headless Chromium. A participant joins, rates and proposes; the facilitator's page shows it without
reloading; a reload keeps the participant's state; several participants arrive at once; a participant's
kernel killed with SIGKILL after a submit loses nothing that was acknowledged on screen."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpas_kit.demo import MISSION
from cpas_kit.store import Store
from cpas_kit.workshop.store import WorkshopStore
from tests.voila_support import chromium, copy_store, free_port, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # Voila kernels and Chromium: minutes, not seconds

CYCLE = "2023/24-Q4"
CPAS = Path(sys.executable).with_name("cpas")
PAGE_TIMEOUT = 90_000  # a cold kernel on a busy 2-core CI machine
ACTION_TIMEOUT = 20_000
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def served(tmp_path_factory, demo_store_file) -> Iterator[dict]:
    """A copy of the demo store with one open session, served by ``cpas workshop serve``."""
    require_chromium()
    folder = tmp_path_factory.mktemp("served")
    db = folder / "store.sqlite"
    copy_store(demo_store_file, db)
    url = f"sqlite:///{db}"
    store = Store(url)
    started = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="pytest")
    port = free_port()
    log = open(folder / "serve.log", "w+")
    proc = subprocess.Popen([str(CPAS), "workshop", "serve", "--port", str(port), "--pool-size", "2"],
                            env={**os.environ, "CPAS_DB_URL": url}, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 180  # the outcome views are drawn first

        def technical_log() -> str:  # Voila's own messages go to the log file the command names, not the terminal
            found = re.search(r"Technical messages go to (\S+)\.\n", (folder / "serve.log").read_text())
            return Path(found.group(1)).read_text() if found else ""

        while "Kernel pool of workshop_participant.ipynb is filled" not in technical_log():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("cpas workshop serve did not start:\n" + (folder / "serve.log").read_text()[-4000:])
            time.sleep(0.5)
        text = (folder / "serve.log").read_text()
        base = re.search(r"Participant app:\s+(\S+)", text).group(1)
        assert f"?session={started.code}" in text  # the open session's address is printed
        yield {"store": store, "started": started, "participant": base,
               "facilitator": re.search(r"Facilitator app:\s+(\S+)", text).group(1)}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the command stops Voila and its kernels
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        store.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _open(page, url: str, ready: str) -> None:
    """Load a Voila page; reload once if it stalls (a known Voila stall under simultaneous arrivals)."""
    for attempt in range(2):
        page.goto(url)
        try:
            page.wait_for_selector(ready, timeout=PAGE_TIMEOUT)
            return
        except Exception:
            if attempt:
                raise


def _join(page, served, name: str, section_index: int) -> None:
    _open(page, f"{served['participant']}?session={served['started'].code}", ".cpas-ws-name input")
    page.fill(".cpas-ws-name input", name)
    page.wait_for_function("document.querySelectorAll('.cpas-ws-section select option').length > 1",
                           timeout=ACTION_TIMEOUT)
    page.select_option(".cpas-ws-section select", index=section_index)
    page.click(".cpas-ws-join")
    page.wait_for_selector(".cpas-ws-save", timeout=ACTION_TIMEOUT)


def _rate(page, progress: str, contribution: str) -> None:
    page.click(f".cpas-ws-progress button:text-is('{progress}')")
    page.click(f".cpas-ws-contribution button:text-is('{contribution}')")
    page.click(".cpas-ws-save")
    page.wait_for_selector(".cpas-ws-save-message:has-text('Saved at')", timeout=ACTION_TIMEOUT)


def _facilitator(browser, served):
    page = browser.new_page()
    _open(page, f"{served['facilitator']}?session={served['started'].code}", ".cpas-ws-fac-key input")
    page.fill(".cpas-ws-fac-key input", served["started"].facilitator_key)
    page.click(".cpas-ws-fac-open")
    page.wait_for_selector(".cpas-ws-fac-people", timeout=ACTION_TIMEOUT)
    return page


def _kernel_pids() -> dict[str, int]:
    """Kernel id → pid of every running Jupyter kernel process (its connection file names the id)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace") if entry.name.isdigit() else ""
        except OSError:
            continue
        match = re.search(r"kernel-([0-9a-f-]{36})\.json", cmd)
        if "ipykernel_launcher" in cmd and match:
            found[match.group(1)] = int(entry.name)
    return found


def test_join_rate_propose_seen_live_by_the_facilitator_and_kept_on_reload(browser, served):
    store, code = served["store"], served["started"].code
    fac = _facilitator(browser, served)
    page = browser.new_page()
    _join(page, served, "Awa " + XSS, 2)
    assert "participant=" in page.url and f"session={code}" in page.url  # the address resumes this participant
    _rate(page, "some progress", "significant")
    page.fill(".cpas-ws-proposal textarea", "Extend night patrols " + XSS)
    page.click(".cpas-ws-propose")
    page.wait_for_selector(".cpas-ws-propose-message:has-text('saved')", timeout=ACTION_TIMEOUT)
    assert "Extend night patrols <img" in page.inner_text(".cpas-ws-mine")  # shown as text, never as markup

    # the facilitator's page updates by itself (polling the store), no reload
    fac.wait_for_function("document.querySelector('.cpas-ws-fac-people').innerText.includes('1 rated')",
                          timeout=10_000)
    assert "Awa <img src=x onerror=alert(1)>" in fac.inner_text(".cpas-ws-fac-people")
    fac.wait_for_selector(".cpas-ws-fac-proposals :text('Extend night patrols')", timeout=10_000)
    assert fac.locator(".cpas-ws-fac-people img").count() == 0 and page.locator(".cpas-ws-mine img").count() == 0

    page.reload()  # the page's address now carries the participant token
    page.wait_for_selector(".cpas-ws-save-message:has-text('some progress')", timeout=PAGE_TIMEOUT)
    assert page.locator(".cpas-ws-progress button.mod-active").inner_text() == "some progress"
    assert "Extend night patrols" in page.inner_text(".cpas-ws-mine")
    stored = WorkshopStore(store).workshop_ratings(code)
    assert stored[stored["name"].str.startswith("Awa")]["progress"].tolist() == ["some progress"]
    fac.close()
    page.close()


def test_many_participants_arriving_at_once_all_get_in_and_are_stored(browser, served):
    store, code = served["store"], served["started"].code
    before = len(WorkshopStore(store).workshop_participants(code))
    contexts = [browser.new_context() for _ in range(5)]
    pages = [c.new_page() for c in contexts]
    # Playwright's sync API is not thread-safe: start every load first, then finish each page in turn
    for p in pages:
        p.goto(f"{served['participant']}?session={code}", wait_until="commit")
    for i, p in enumerate(pages):
        try:
            p.wait_for_selector(".cpas-ws-name input", timeout=PAGE_TIMEOUT)
        except Exception:
            _open(p, f"{served['participant']}?session={code}", ".cpas-ws-name input")  # a stalled load
        p.fill(".cpas-ws-name input", f"Arrival {i}")
        p.wait_for_function("document.querySelectorAll('.cpas-ws-section select option').length > 1",
                            timeout=ACTION_TIMEOUT)
        p.select_option(".cpas-ws-section select", index=i % 4)
        p.click(".cpas-ws-join")
        p.wait_for_selector(".cpas-ws-save", timeout=ACTION_TIMEOUT)
        _rate(p, "no change", "some")
    ratings = WorkshopStore(store).workshop_ratings(code)
    assert len(WorkshopStore(store).workshop_participants(code)) == before + 5
    assert sorted(ratings[ratings["name"].str.startswith("Arrival")]["name"]) == [f"Arrival {i}" for i in range(5)]
    for c in contexts:
        c.close()


def test_a_killed_participant_kernel_loses_no_acknowledged_submit(browser, served):
    store, code = served["store"], served["started"].code
    page = browser.new_page()
    _join(page, served, "Crash Test", 1)
    kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page.content())
    kernels = _kernel_pids()
    assert kernel_id and kernel_id.group(1) in kernels, (kernel_id, kernels)
    _rate(page, "deterioration", "none")  # acknowledged on screen …
    os.kill(kernels[kernel_id.group(1)], signal.SIGKILL)  # … then the kernel dies without any clean-up
    ratings = WorkshopStore(store).workshop_ratings(code)
    assert ratings[ratings["name"] == "Crash Test"][["progress", "contribution"]].values.tolist() == \
        [["deterioration", "none"]]
    page.reload()  # a new kernel: the participant comes back with the rating
    page.wait_for_selector(".cpas-ws-save-message:has-text('deterioration')", timeout=PAGE_TIMEOUT)
    page.close()
