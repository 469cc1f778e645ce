"""A4P+ monitoring: the seeds' published figures as a real dataset, the store's views in SQL, and the notebook
run by papermill into offline HTML (`cpas a4p`)."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from cpas_kit.cli import main as cli
from cpas_kit.demo import MISSION, TRACKER_FILE, demo_framework
from cpas_kit.store import Store
from cpas_kit.study import a4p
from cpas_kit.tracker.files import read_tracker_file
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import SHARED

PROVENANCE = a4p.FIGURES_FILE.parent / "PROVENANCE.md"
SEEDS = SHARED / "seeds"  # ../shared beside the checkout


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return a4p.load_figures()


def _quotes() -> dict[str, str]:
    """Each quotation block of PROVENANCE.md (``**Qn** …`` up to the next one), whitespace collapsed."""
    text = PROVENANCE.read_text(encoding="utf-8")
    parts = re.split(r"\*\*(Q\d+)\*\*", text)
    return {q: " ".join(body.split("###")[0].split()) for q, body in zip(parts[1::2], parts[2::2])}


def test_the_figures_are_the_seeds_and_add_up(figures):
    got = figures.set_index("figure_id")
    assert got.loc["F15", "value"] == 12 and got.loc["F17", "value"] == 625 and got.loc["F17", "qualifier"] == "over"
    appr = a4p.approvals_table(figures).set_index("mission")
    assert appr.loc["UNFICYP", ["presented", "approved"]].tolist() == [32, 26]
    assert {m: int(appr.loc[m, "approved"]) for m in ("UNIFIL", "UNMIK", "MINURSO")} == {
        "UNIFIL": 35, "UNMIK": 57, "MINURSO": 20}
    assert appr.loc["UNFICYP", "approval_rate"] == pytest.approx(26 / 32)
    # wherever a document gives both a count and the list of missions, the list has that many missions
    for view, metric in (("approved_plans", "missions_with_plan"), ("impact_assessments", "missions_conducting"),
                         ("cpas_use", "missions_using_cpas")):
        counts = a4p.period_counts(figures, view, metric).dropna()
        listed = a4p.mission_matrix(figures, view).groupby("period")["value"].sum()
        for row in counts.itertuples():
            if row.period in listed.index:
                assert row.missions_listed == row.count_stated, (view, row.period)
    ia = a4p.mission_matrix(figures, "impact_assessments")
    cycle5 = ia[ia["period"].str.startswith("A4P+ cycle 5")]
    assert set(cycle5.loc[cycle5["value"] == 0, "mission"]) == {"UNDOF"} and len(cycle5) == 11
    plans = a4p.mission_matrix(figures, "approved_plans")
    assert plans.loc[(plans["mission"] == "UNIFIL") & plans["period"].str.startswith("A4P+ cycle 5"),
                     "as_written"].tolist() == ["UNFIL"]


def test_every_figure_is_in_its_quotation_and_every_quotation_is_named_in_the_provenance(figures):
    quotes = _quotes()
    assert set(figures["quote_id"]) == set(quotes)
    for row in figures.itertuples():
        quote = quotes[row.quote_id]
        if pd.isna(row.mission):  # a count: the number as the document writes it
            assert f"{row.value:,}" in quote or str(row.value) in quote, row.figure_id
        else:  # a mission of a list: its name as written
            assert row.as_written in quote or row.as_written.removeprefix("the ") in quote, row.figure_id
        assert row.source_file in PROVENANCE.read_text(encoding="utf-8")
    for q, ids in figures.groupby("quote_id")["figure_id"]:
        assert f"→ {ids.min()}" in quotes[q], q  # PROVENANCE names the figures each quotation gives


def test_the_quotations_are_verbatim_in_the_seed_documents(figures):
    if not SEEDS.is_dir():
        pytest.skip(f"the CPAS seed documents are not at {SEEDS}")
    text = PROVENANCE.read_text(encoding="utf-8")
    sections = re.split(r"^### `(\d{3}_[0-9a-f]+\.txt)`", text, flags=re.M)
    checked = 0
    for name, body in zip(sections[1::2], sections[2::2]):
        seed = " ".join((SEEDS / name).read_text(encoding="utf-8").replace("**", "").split())
        for quoted in re.findall(r"\"([^\"]+)\"", " ".join(body.split())):
            assert quoted in seed, (name, quoted)
            checked += 1
    assert checked >= 15


def test_every_label_of_the_page_is_in_english_and_french(figures):
    from cpas_kit.core.i18n.a4p import LABELS

    assert all(labels.get("en") and labels.get("fr") for labels in LABELS.values())
    for metric in set(figures.loc[figures["mission"].isna(), "metric"]):
        assert f"a4p_m_{metric}" in LABELS, metric
    fr = a4p.headline_table(figures, "fr")
    assert "bien plus de 300" in set(fr["Valeur"]) and "37" in set(fr["Valeur"])


@pytest.fixture
def store_with_workshop(store_url):
    store = Store(store_url)
    fw = demo_framework()
    store.save_framework(fw, effective_from="2021/22-Q1", actor="pytest")
    TrackerStore(store).write_recommendations(MISSION, read_tracker_file(TRACKER_FILE, fw), actor="pytest",
                                              source="seeds")
    started = WorkshopStore(store).start_workshop(MISSION, "2023/24-Q4", actor="facilitator")
    WorkshopStore(store).record_agreed(started.code, started.facilitator_key, started.outcome_order[0],
                                       progress="some progress",
                        actor="facilitator")
    waiting = TrackerStore(store).recommendations(MISSION)
    TrackerStore(store).change_recommendation(int(waiting.loc[waiting["decision"] == "Awaiting Review", "id"].iloc[0]),
                                              "decision",
                                "Approved", actor="Head of Mission")
    yield store
    store.close()


def test_store_views_are_computed_on_both_databases(store_with_workshop, store_url):
    views = a4p.store_views(store_url)
    f = views.frameworks.set_index("mission")
    assert f.loc[MISSION, "versions"] == 1 and f.loc[MISSION, "synthetic"] and views.synthetic == [MISSION]
    assert f.loc[MISSION, "indicators"] == sum(1 for _ in demo_framework().indicators())
    cyc = views.cycles.set_index(["mission", "cycle"])
    assert cyc.loc[(MISSION, "2023/24-Q4"), ["sessions", "outcomes_agreed"]].tolist() == [1, 1]
    recs = TrackerStore(store_with_workshop).recommendations(MISSION)
    assert cyc.loc[(MISSION, "2021/22-Q2"), "recommendations"] == int((recs["cycle_recommended"] == "2021/22-Q2").sum())
    ap = views.approvals.set_index("mission").loc[MISSION]
    assert ap["recommended"] == len(recs) and ap["approved"] == int((recs["decision"] == "Approved").sum())
    assert ap["decided"] == int((recs["decision"] != "Awaiting Review").sum())
    assert views.totals == {"observations": 0, "sessions": 1, "recommendations": len(recs), "missions": 1}


@pytest.mark.notebook
def test_cpas_a4p_runs_the_notebook_into_offline_html(demo_sqlite_url, tmp_path, monkeypatch, capsys):
    store = Store(demo_sqlite_url)
    WorkshopStore(store).start_workshop(MISSION, "2023/24-Q4", actor="facilitator")
    store.close()
    monkeypatch.setenv("CPAS_DB_URL", demo_sqlite_url)
    assert cli.main(["a4p", "-o", str(tmp_path)]) == 0
    page_path = tmp_path / "a4p_monitoring.html"
    assert str(page_path) in capsys.readouterr().out
    executed = (tmp_path / "notebooks" / "a4p_monitoring.ipynb").read_text(encoding="utf-8")
    assert "papermill" in executed
    page = page_path.read_text(encoding="utf-8")
    text = html.unescape(page)
    assert re.findall(r"<(?:script|link|img)[^>]+(?:src|href)=[\"']?(?:https?:)?//", page) == []
    for expected in ("Published figures (real)", "UNFICYP", "well over 300", "over 21,000", "A4P+ cycle 5",
                     "SYNTHETIC — the store's figures below come from fictional demonstration missions (UN-DEMO)",
                     "004_3410f9e387ded324.txt", "cpas-chart"):
        assert expected in text, expected
    assert text.count('class="cpas-chart"') >= 6
    assert "import " not in text.split("<body", 1)[1].split("<script", 1)[0]  # no code cells in the page
