"""The demo shows every section a real mission would see, and a French pack is French (issue 15 items 16, 18,
19): synthetic labelled conflict events, an agreed assessment of some UN-DEMO outcomes, qualitative timelines
that match their indicators, the French mandate, country name, units, <html lang> and title; both packs fit a
1,366 px window in Chromium."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from cpas_kit import demo
from cpas_kit.core.periods import Period
from cpas_kit.core.settings import make_parameters
from cpas_kit.data_in.external.queries import read_events
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.packs.build import build_pack
from cpas_kit.store import Store
from cpas_kit.workshop.store import WorkshopStore
from tests.voila_support import chromium

CYCLE = "2023/24-Q4"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo-extras')}/demo.sqlite"
    store = Store(url)
    demo.load_demo(store)
    assert demo.load_demo_events(store) > 0 and demo.load_demo_assessment(store) == len(demo.AGREED)
    store.close()
    return url


@pytest.fixture(scope="module")
def packs(demo_url, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("packs")
    return {lang: build_pack(make_parameters(mission=demo.MISSION, cycle=CYCLE, db_url=demo_url, language=lang,
                                             output_dir=str(out / lang))) for lang in ("en", "fr")}


def test_demo_events_are_synthetic_labelled_matched_and_idempotent(demo_url):
    store = Store(demo_url)
    events = read_events(store, demo.MISSION)
    expected = demo.synthetic_events(store.framework(demo.MISSION))
    assert len(events) == len(expected) > 100
    assert events["data_source"].str.startswith("SYNTHETIC").all()
    assert events["actor1"].str.contains("fictional").all() and events["admin1_code"].notna().all()
    per_period = events.groupby("period").size()
    days = pd.to_datetime(expected["event_date"], format="%d %B %Y").dt.date
    assert per_period.to_dict() == days.map(lambda d: str(Period.containing(d, "quarter"))).value_counts().to_dict()
    dead = expected.assign(area=expected["admin1"]).groupby("area")["fatalities"].sum()
    assert events.groupby("admin1_name")["fatalities_best"].sum().to_dict() == dead.to_dict()
    assert per_period.index.min() == demo.EVENTS_FIRST_PERIOD and per_period.index.max() == CYCLE
    assert demo.load_demo_events(store) == 0 and demo.load_demo_assessment(store) == 0  # a second run adds nothing
    store.close()


def test_an_agreed_assessment_is_recorded_for_some_outcomes(demo_url):
    store = Store(demo_url)
    agreed = WorkshopStore(store).agreed_results(demo.MISSION, CYCLE)
    assert sorted(agreed["outcome_code"]) == sorted(demo.AGREED)
    assert agreed["analysis"].str.startswith("SYNTHETIC").all()
    store.close()


def test_qualitative_timelines_match_their_own_indicator(demo_url):
    store = Store(demo_url)
    obs = ObservationStore(store).observations(demo.MISSION, indicators=["SA-04", "PP-05", "PP-01"])
    texts = {code: set(group["value_text"].dropna()) for code, group in obs.groupby("indicator_code")}
    assert len(texts) == 3 and not (texts["SA-04"] & texts["PP-05"]) and not (texts["PP-01"] & texts["PP-05"])
    assert all("No regular contact between the parties" not in t for t in texts["SA-04"] | texts["PP-05"])
    assert any("criminal session" in t.lower() or "court" in t.lower() for t in texts["SA-04"])
    store.close()


def test_the_pack_shows_the_conflict_context_and_the_analysis(packs):
    page = html.unescape(packs["en"].read_text(encoding="utf-8"))
    assert "No conflict events have been imported" not in page
    assert "SYNTHETIC EVENTS" in page
    assert demo.AGREED["O3.1"][2] in page


def test_the_french_pack_is_french(packs):
    page = html.unescape(packs["fr"].read_text(encoding="utf-8"))
    head = page[:page.index("<body")]
    assert re.search(r'<html lang="fr"', head) and "Dossier d'évaluation d'impact" in re.search(
        r"<title>(.*?)</title>", head, re.S).group(1)
    assert "République centrafricaine" in page and "Host country" not in page
    assert "Mandat fictif (démonstration)" in page and "Fictional mandate" not in page
    assert "ÉVÉNEMENTS SYNTHÉTIQUES" in page
    assert '"personnes"' in page or "personnes" in page  # units in French on chart axes and in text
    english = ["Host country", "Fictional mandate", "higher is better", "lower is better", "Baseline (",
               "on track", "off track"]
    assert [w for w in english if w in page] == []


@pytest.mark.browser
def test_both_packs_fit_a_1366_px_window(packs):
    with chromium() as browser:
        for lang, path in packs.items():
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(path.as_uri())
            page.wait_for_selector(".cpas-chart svg", timeout=30_000)
            page.wait_for_timeout(2000)  # every chart drawn
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"the {lang} pack is {overflow} px wider than a 1,366 px window"
            page.close()
