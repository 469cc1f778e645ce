"""Live workshop responsiveness on this machine: how fast the participant page opens, and how fast a
participant's submit shows on the facilitator's screen, with 30 participants (goal: 2 s or less each).

Everything runs in one go under a temporary folder in /tmp: a freshly built demo store, one session of
UN-DEMO 2023/24-Q4 with its outcome views drawn beforehand, and ``cpas workshop serve`` started as a
subprocess (``CPAS_HOME`` points at the temporary folder, so the checkout's ``.cpas/`` is not touched).
Pages are opened in headless Debian Chromium through Playwright.

1. ``tti_cold_s``: ``--pool-size 0``, the median over fresh page loads (new browser context each) of the
   time from asking for the participant page to its join form being visible. This is the baseline.
2. ``tti_warm_s``: the same with ``--pool-size 2`` (preheated participant kernels; before each load the
   pool has refilled and the server is idle again).
3. ``submit_to_facilitator_p95_s``: on the preheated server the facilitator page is opened with the key,
   then 30 participants, each a separate OS process using the Store API, join and, one at a time with a
   random 1-2 s gap, rate the outcome under discussion. Latency = from ``submit_rating`` returning in the
   participant's process to the facilitator page's "N joined · K rated this outcome" showing the new
   count (timed in the page by a MutationObserver). 95th percentile by nearest rank over the 30. A second
   round has all 30 submitting at the same instant, and one more participant joins and saves through
   the browser as a cross-check of the whole path.
4. ``kernel_rss_mb``: resident memory (RSS) of the participant kernel whose page joined, saved and shows
   an outcome (the preheated kernel Voila's log says it handed to that page), printed with the other
   participant kernels' and the facilitator's.

Page loads that never show the form ("Executing 2 of 3" stalls, see STACK_NOTES) are counted, reloaded,
and timed including the reload. The machine is shared: the load average is printed with the results.
Here Chromium runs on the server's own cores; in a room each participant's browser is on their own
device, so loading Voila's front end (about 100 JavaScript files) does not compete with the kernels there.

Last line: ``tti_cold_s=… tti_warm_s=… submit_to_facilitator_p95_s=… participants=30 kernel_rss_mb=…``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from voila_support import CHROMIUM, CHROMIUM_ARGS, answers, free_port  # the tests' own browser settings

from cpas_kit.workshop.store import WorkshopStore

MISSION, CYCLE = "UN-DEMO", "2023/24-Q4"
PARTICIPANTS = 30
GOAL_S = 2.0
STALL_S = 20.0  # a page whose widgets have not shown after this long is counted as stalled and reloaded
SHOW_TIMEOUT_S = 15.0  # a submit not on the facilitator's screen after this long is counted as missed
JOIN_FORM = ".cpas-ws-name input"
# Logs every change of the facilitator's "N joined · K rated" line as [ms since epoch, N, K].
OBSERVE_PEOPLE = """() => {
  window.__cpasLog = [];
  const re = /(\\d+) joined · (\\d+) rated/;
  let last = null;
  const check = () => {
    const el = document.querySelector('.cpas-ws-fac-people');
    const m = el && re.exec(el.textContent);
    if (!m) return;
    const key = m[1] + '/' + m[2];
    if (key !== last) { last = key; window.__cpasLog.push([Date.now(), +m[1], +m[2]]); }
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
  check();
}"""
NAVIGATION_TIMES = ("() => { const n = performance.getEntriesByType('navigation')[0]; "
                    "return [n.responseStart, n.domContentLoadedEventEnd]; }")
RATED_AT_LEAST = "n => { const e = window.__cpasLog.at(-1); return e && e[2] >= n; }"


# -- the server -----------------------------------------------------------------------------------------
class Server:
    """``cpas workshop serve`` in its own session; knows its Voila process and kernels."""

    def __init__(self, tmp: Path, env: dict[str, str], pool_size: int):
        self.port, self.pool_size = free_port(), pool_size
        self.log_path = tmp / f"serve-pool{pool_size}.log"
        cpas = Path(sys.executable).with_name("cpas")
        command = [str(cpas), "workshop", "serve", "--port", str(self.port), "--pool-size", str(pool_size)]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(command, env=env, cwd=tmp, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.voila_pid: int | None = None
        self.base = f"http://127.0.0.1:{self.port}/voila/render/"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def claimed_kernels(self) -> list[str]:
        """Ids of the preheated kernels Voila has handed to pages so far, in order."""
        return re.findall(r"Using pre-heated kernel: (\S+) for", self.log())

    def pool_fills(self) -> int:
        """How many times Voila has logged the participant pool as filled."""
        return self.log().count("is filled with")

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Until Voila answers (and with a pool, until it is filled and the kernels are idle)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cpas workshop serve exited with {self.proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"cpas workshop serve not ready within {timeout:.0f} s:\n{self.log()}")
            if self.voila() is not None and answers(self.port) and (self.pool_size == 0 or self.pool_fills()):
                break
            time.sleep(0.2)
        self.wait_quiet()

    def voila(self) -> psutil.Process | None:
        try:
            for child in psutil.Process(self.proc.pid).children():
                if any("voila" in part for part in child.cmdline()):
                    self.voila_pid = child.pid
                    return child
        except psutil.Error:
            pass
        return None

    def kernels(self) -> list[psutil.Process]:
        voila = self.voila()
        if voila is None:
            return []
        return [k for k in voila.children() if any("ipykernel" in part for part in k.cmdline())]

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in [self.voila(), *self.kernels()]:
            try:
                if p is not None:
                    t = p.cpu_times()
                    total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def wait_quiet(self, timeout: float = 40.0, busy_share: float = 0.1) -> float:
        """Until Voila and its kernels used under ``busy_share`` of a core for two half-second windows."""
        started = time.monotonic()
        calm, before = 0, self.cpu_seconds()
        while calm < 2 and time.monotonic() - started < timeout:
            time.sleep(0.5)
            now = self.cpu_seconds()
            calm = calm + 1 if now - before < busy_share * 0.5 else 0
            before = now
        return time.monotonic() - started

    def wait_refill(self, fills_before: int, timeout: float = 40.0) -> None:
        """After a preheated kernel was taken: until Voila has started its replacement and all is idle."""
        deadline = time.monotonic() + timeout
        while self.pool_fills() <= fills_before and time.monotonic() < deadline:
            time.sleep(0.2)
        self.wait_quiet()

    def stop(self) -> None:
        """SIGTERM ``cpas workshop serve`` (it stops Voila and its kernels); SIGKILL whatever is left."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.voila_pid is not None and psutil.pid_exists(self.voila_pid):
            try:
                os.killpg(self.voila_pid, signal.SIGKILL)  # Voila runs in its own session
            except ProcessLookupError:
                pass


# -- pages ----------------------------------------------------------------------------------------------
def open_page(page: Any, url: str, selector: str, stalls: list[str], what: str) -> float:
    """Seconds from asking for ``url`` to ``selector`` visible; a stalled load is noted, reloaded and timed on."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    for attempt in range(3):
        try:
            page.wait_for_selector(selector, state="visible", timeout=STALL_S * 1000)
            return time.perf_counter() - started
        except PlaywrightTimeout:
            shown = " ".join(page.inner_text("body").split())[:80]
            stalls.append(f"{what}: nothing after {STALL_S:.0f} s (page shows {shown!r}); reload {attempt + 1}")
            page.reload(wait_until="commit")
    raise RuntimeError(f"{what}: {selector} never appeared, even after 3 reloads")


def time_to_interactive(browser: Any, server: Server, url: str, loads: int, stalls: list[str]) -> list[float]:
    """First visits to the participant page (a new browser context each), the server idle (and refilled) before each.

    Prints where each load's time went: first byte of the page, page HTML complete (Voila streams it while
    the notebook runs), join form visible (Voila's JavaScript loaded, widgets drawn through the kernel).
    """
    times = []
    for i in range(loads):
        fills = server.pool_fills()
        context = browser.new_context()
        try:
            page = context.new_page()
            times.append(open_page(page, url, JOIN_FORM, stalls, f"load {i + 1} (pool {server.pool_size})"))
            first_byte, html_done = page.evaluate(NAVIGATION_TIMES)
        finally:
            context.close()
        print(f"  load {i + 1}: first byte {first_byte / 1000:.2f} s, page HTML complete {html_done / 1000:.2f} s, "
              f"join form visible {times[-1]:.2f} s", flush=True)
        if server.pool_size:
            server.wait_refill(fills)
        else:
            server.wait_quiet()
    return times


def people_log(page: Any) -> list[list[float]]:
    return page.evaluate("window.__cpasLog")


def shown_at(page: Any, rated: int, after: float = 0.0) -> float | None:
    """When (epoch seconds, from ``after`` on) the facilitator page first showed ``rated`` or more ratings."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(RATED_AT_LEAST, arg=rated, polling=50, timeout=SHOW_TIMEOUT_S * 1000)
    except PlaywrightTimeout:
        return None
    return next(ms / 1000 for ms, _, k in people_log(page) if k >= rated and ms / 1000 >= after)


# -- simulated participants (one OS process each) -------------------------------------------------------
def participant(i: int, db_url: str, code: str, section: str, conn: Any) -> None:
    """Join, then on each command submit one rating and send back (call started, call returned) wall times."""
    from cpas_kit.store import Store

    store = Store(db_url)
    try:
        joined = WorkshopStore(store).join_workshop(code, f"Participant {i + 1:02d}", section)
        conn.send(("joined", joined.token))
        while (command := conn.recv())[0] == "submit":
            _, outcome, progress, contribution, start_at = command
            time.sleep(max(0.0, start_at - time.time()))
            called = time.time()
            WorkshopStore(store).submit_rating(joined.token, outcome, progress=progress, contribution=contribution)
            conn.send((called, time.time()))
    except Exception as exc:  # noqa: BLE001 - reported by the parent, which then stops
        conn.send(("error", f"participant {i + 1}: {exc!r}"))
    finally:
        store.close()


def start_participants(db_url: str, code: str, sections: list[str]) -> list[tuple[Any, Any]]:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["cpas_kit.store"])
    crowd = []
    for i in range(PARTICIPANTS):
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=participant, args=(i, db_url, code, sections[i % len(sections)], theirs),
                           daemon=True)
        proc.start()
        crowd.append((proc, mine))
    for _, conn in crowd:
        reply = conn.recv()
        if reply[0] == "error":
            raise RuntimeError(reply[1])
    return crowd


def reply(conn: Any) -> tuple[float, float]:
    answer = conn.recv()
    if answer[0] == "error":
        raise RuntimeError(answer[1])
    return answer


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# -- kernel memory --------------------------------------------------------------------------------------
def kernel_memory(server: Server, joined_kernel: str | None) -> list[dict[str, Any]]:
    """RSS and USS (MB) of every kernel: preheated ones are participants'; ``joined_kernel`` is a kernel id."""
    rows = []
    for k in server.kernels():
        try:
            mem, command = k.memory_full_info(), " ".join(k.cmdline())
            preheated = k.environ().get("VOILA_PREHEAT") == "True"
        except psutil.Error:
            continue
        rows.append({"preheated": preheated, "rss": mem.rss / 2**20, "uss": mem.uss / 2**20,
                     "joined": bool(joined_kernel) and f"kernel-{joined_kernel}.json" in command})
    return rows


def report_memory(rows: list[dict[str, Any]]) -> float:
    """Print the kernels' memory; return the RSS (MB) of the joined participant's kernel (else the largest)."""
    rss = [r["rss"] for r in rows if r["preheated"]]
    joined = next((r for r in rows if r["joined"]), None)
    kernel_rss = joined["rss"] if joined else max(rss)
    print(f"participant kernel memory: {kernel_rss:.0f} MB RSS ("
          + (f"USS {joined['uss']:.0f} MB) for the kernel whose page joined, saved and shows an outcome"
             if joined else "the largest; the joined kernel was not found)")
          + f"; all {len(rss)} participant kernels (used and pooled): median {statistics.median(rss):.0f} MB, "
            f"max {max(rss):.0f} MB"
          + "".join(f"; facilitator kernel {r['rss']:.0f} MB" for r in rows if not r["preheated"])
          + f"; {PARTICIPANTS} participant kernels: about {PARTICIPANTS * kernel_rss / 1024:.1f} GB", flush=True)
    return kernel_rss


# -- the run --------------------------------------------------------------------------------------------
def prepare(tmp: Path) -> tuple[str, Any, Any]:
    """A temporary CPAS home and demo store holding one open session with its views drawn."""
    from cpas_kit.core.paths import notebooks_dir, parameters_dir
    from cpas_kit.demo import load_demo
    from cpas_kit.store import Store
    from cpas_kit.workshop.views import build_views

    home = tmp / "home"
    home.mkdir()
    (home / "notebooks").symlink_to(notebooks_dir())
    (home / "parameters").symlink_to(parameters_dir())
    os.environ["CPAS_HOME"] = str(home)
    db_url = f"sqlite:///{tmp / 'demo.sqlite'}"
    store = Store(db_url)
    started_at = time.perf_counter()
    load_demo(store)
    started = WorkshopStore(store).start_workshop(MISSION, CYCLE, actor="bench")
    build_views(store, started.code, store.framework(MISSION).mission.default_language)
    print(f"demo store, session {started.code} and its outcome views ready in "
          f"{time.perf_counter() - started_at:.1f} s", flush=True)
    return db_url, store, started


def describe(name: str, values: list[float]) -> str:
    return (f"{name}: median {statistics.median(values):.2f} s over {len(values)} "
            f"(min {min(values):.2f}, max {max(values):.2f}) -> goal <= {GOAL_S:.0f} s "
            f"{'met' if statistics.median(values) <= GOAL_S else 'NOT met'}")


def open_facilitator(browser: Any, server: Server, started: Any, stalls: list[str]) -> Any:
    """The facilitator page, opened with the key, logging its "joined · rated" line."""
    page = browser.new_context().new_page()
    seconds = open_page(page, f"{server.base}workshop_facilitator.ipynb?session={started.code}",
                        ".cpas-ws-fac-key input", stalls, "facilitator page")
    page.fill(".cpas-ws-fac-key input", started.facilitator_key)
    page.click(".cpas-ws-fac-open")
    page.wait_for_selector(".cpas-ws-fac-people", state="visible", timeout=30_000)
    page.evaluate(OBSERVE_PEOPLE)
    print(f"facilitator page (not preheated) ready in {seconds:.2f} s; session opened", flush=True)
    return page


def one_at_a_time(facilitator: Any, crowd: list[tuple[Any, Any]], outcome: str, scales: dict[str, list[str]],
                  rng: random.Random) -> list[float]:
    """Each participant in turn rates ``outcome``; seconds from its submit returning to the facilitator showing it."""
    latencies, missed = [], 0
    for k, (_, conn) in enumerate(crowd, start=1):
        time.sleep(rng.uniform(1.0, 2.0))  # a random phase against the facilitator's 1 s poll
        conn.send(("submit", outcome, rng.choice(scales["progress"]), rng.choice(scales["contribution"]), 0))
        _, returned = reply(conn)
        seen = shown_at(facilitator, k)
        if seen is None:
            missed += 1
            seen = time.time()
        latencies.append(seen - returned)
    if missed:
        print(f"  WARNING: {missed} submit(s) not shown within {SHOW_TIMEOUT_S:.0f} s "
              "(counted as shown when given up)", flush=True)
    return latencies


def all_at_once(facilitator: Any, crowd: list[tuple[Any, Any]], outcome: str, scales: dict[str, list[str]],
                rng: random.Random, after: float) -> None:
    """Every participant rates ``outcome`` at the same instant; print how long until the facilitator shows all."""
    start_at = time.time() + 1.0
    for _, conn in crowd:
        conn.send(("submit", outcome, rng.choice(scales["progress"]), rng.choice(scales["contribution"]), start_at))
    times = [reply(conn) for _, conn in crowd]
    all_seen = shown_at(facilitator, len(crowd), after=after)
    calls = [returned - called for called, returned in times]
    print(f"all {len(crowd)} submitting at once ({outcome}): "
          f"submit_rating took median {statistics.median(calls):.2f} s, "
          f"max {max(calls):.2f} s; the facilitator showed all "
          + (f"{all_seen - max(r for _, r in times):.2f} s after the last submit returned" if all_seen else
             f"NOT within {SHOW_TIMEOUT_S:.0f} s"), flush=True)


def browser_participant(browser: Any, server: Server, url: str, facilitator: Any, after: float,
                        stalls: list[str]) -> str | None:
    """One more participant joins and saves in the browser; print when the facilitator shows it; return its kernel id."""  # noqa: E501
    claimed = len(server.claimed_kernels())
    page = browser.new_context().new_page()
    open_page(page, url, JOIN_FORM, stalls, "joining participant")
    page.fill(JOIN_FORM, "Browser participant")
    page.select_option(".cpas-ws-section select", index=0)
    page.click(".cpas-ws-join")
    page.wait_for_selector(".cpas-ws-save", state="visible", timeout=30_000)
    page.click(".cpas-ws-progress button >> nth=0")
    page.click(".cpas-ws-save")
    saved = page.wait_for_function("() => (document.querySelector('.cpas-ws-save-message')?.textContent || '')"
                                   ".includes('Saved at') && Date.now()", polling=20, timeout=15_000).json_value()
    seen = shown_at(facilitator, PARTICIPANTS + 1, after=after)
    print("one more participant joined and saved in the browser: 'Saved at' shown, then on the facilitator's "
          "screen " + (f"{seen - saved / 1000:.2f} s later" if seen else f"NOT within {SHOW_TIMEOUT_S:.0f} s"),
          flush=True)
    mine = server.claimed_kernels()[claimed:]
    return mine[-1] if mine else None


def run(tmp: Path, loads: int) -> str:
    from playwright.sync_api import sync_playwright

    db_url, store, started = prepare(tmp)
    env = {**os.environ, "CPAS_DB_URL": db_url}
    participant_url = f"{{base}}workshop_participant.ipynb?session={started.code}"
    stalls: list[str] = []
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start", flush=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        server = Server(tmp, env, pool_size=0)
        try:
            server.wait_ready()
            cold = time_to_interactive(browser, server, participant_url.format(base=server.base), loads, stalls)
        finally:
            server.stop()
        print(describe("time to interactive, cold kernels (--pool-size 0, the baseline)", cold), flush=True)

        server = Server(tmp, env, pool_size=2)
        crowd: list[tuple[Any, Any]] = []
        try:
            server.wait_ready()
            warm = time_to_interactive(browser, server, participant_url.format(base=server.base), loads, stalls)
            print(describe("time to interactive, preheated kernels (--pool-size 2)", warm), flush=True)
            print(f"  preheating is {statistics.median(cold) / statistics.median(warm):.1f}x faster than cold",
                  flush=True)
            facilitator = open_facilitator(browser, server, started, stalls)
            session = WorkshopStore(store).workshop_session(started.code)
            crowd = start_participants(db_url, started.code, sorted(session["sections"]))
            facilitator.wait_for_function("n => { const e = window.__cpasLog.at(-1); return e && e[1] >= n; }",
                                          arg=PARTICIPANTS, polling=50, timeout=30_000)
            print(f"{PARTICIPANTS} participant processes joined; the facilitator page shows them", flush=True)

            rng = random.Random(20240601)
            latencies = one_at_a_time(facilitator, crowd, session["current_outcome"], session["scales"], rng)
            p95 = nearest_rank(latencies, 0.95)
            print(f"submit -> facilitator, one at a time ({PARTICIPANTS} submits): median "
                  f"{statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s -> goal <= "
                  f"{GOAL_S:.0f} s {'met' if p95 <= GOAL_S else 'NOT met'} (the facilitator page polls every 1 s)",
                  flush=True)

            facilitator.click(".cpas-ws-fac-next")  # the group moves on: nobody has rated the next outcome yet
            facilitator.wait_for_function("() => window.__cpasLog.at(-1)[2] === 0", polling=50, timeout=15_000)
            moved = people_log(facilitator)[-1][0] / 1000
            all_at_once(facilitator, crowd, WorkshopStore(store).workshop_session(started.code)["current_outcome"],
                        session["scales"], rng, moved)
            joined_kernel = browser_participant(browser, server, participant_url.format(base=server.base),
                                                facilitator, moved, stalls)
            memory = kernel_memory(server, joined_kernel)
        finally:
            for _, conn in crowd:
                try:
                    conn.send(("stop",))
                except OSError:
                    pass  # that participant already stopped (its error was raised above)
            for proc, _ in crowd:
                proc.join(timeout=10)
            server.stop()
            browser.close()

    kernel_rss = report_memory(memory)
    print(f"stalled page loads (reloaded, time included): {len(stalls)}", flush=True)
    for note in stalls:
        print(f"  {note}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}", flush=True)
    return (f"tti_cold_s={statistics.median(cold):.2f} tti_warm_s={statistics.median(warm):.2f} "
            f"submit_to_facilitator_p95_s={p95:.2f} participants={PARTICIPANTS} kernel_rss_mb={kernel_rss:.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loads", type=int, default=5, help="page loads per time-to-interactive median (default 5)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (server logs, store)")
    args = ap.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="cpas-bench-workshop-", dir="/tmp"))
    started = time.perf_counter()
    try:
        last = run(tmp, args.loads)
    finally:
        if args.keep:
            print(f"kept {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"whole run: {time.perf_counter() - started:.0f} s", flush=True)
    print(last)
    return 0


if __name__ == "__main__":
    sys.exit(main())
