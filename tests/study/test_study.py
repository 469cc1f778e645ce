"""Cross-mission studies: the standard-indicator catalogues, mapping indicators to them, the study's aggregates
computed in SQL (checked against pandas on the same small store, on SQLite and PostgreSQL), missions lacking a
mapped indicator named, and the study notebook run by papermill into an offline HTML page and an Excel file."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from cpas_kit import demo
from cpas_kit.cli.main import main
from cpas_kit.core.errors import FrameworkError
from cpas_kit.core.i18n import LABELS
from cpas_kit.core.paths import STANDARDS_DIR
from cpas_kit.core.periods import Period
from cpas_kit.data_in.external import import_acled
from cpas_kit.data_in.external.fatalities import import_fatalities
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import parse_framework, shipped_framework_path
from cpas_kit.framework.standards import TO_COMPLETE, catalogue
from cpas_kit.store import Store
from cpas_kit.store import engine as store_engine
from cpas_kit.study import aggregates as study
from cpas_kit.study.document import coverage_section, load_study, make_study_parameters
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore
from tests.paths import EXTERNAL_FIXTURES, REPO_ROOT

ROOT = REPO_ROOT
SEEDS = ROOT.parent / "shared" / "seeds"
FIXTURES = EXTERNAL_FIXTURES
FIRST, LAST = "2021/22-Q1", "2023/24-Q4"
MISSIONS = ["DEMO-COD", "DEMO-MLI", "DEMO-CYP"]  # DEMO-CYP maps no WPS standard (demo_missions.yaml)


def _fill(store: Store, extra: list[str]) -> Store:
    demo.load_demo(store)
    demo.load_demo_missions(store, extra)
    return store


@pytest.fixture(scope="module")
def study_url(tmp_path_factory) -> str:
    """UN-DEMO and three fictional missions, fatalities, ACLED events and agreed workshop results (SQLite)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('study')}/study.sqlite"
    store = _fill(Store(url), MISSIONS)
    import_fatalities(store, FIXTURES / "un_fatalities.csv", actor="tester")
    import_acled(store, FIXTURES / "acled_caf.csv", "UN-DEMO", actor="tester")
    for mission, cycle, ratings in (("UN-DEMO", "2023/24-Q4", {"O2.3": "some progress", "O1.1": "no change"}),
                                    ("UN-DEMO", "2023/24-Q4", {"O2.3": "significant progress"}),
                                    ("DEMO-COD", "2022/23-Q4", {"O2.3": "no change", "O3.1": "deterioration"}),
                                    ("DEMO-COD", "2020/21-Q4", {"O2.3": "deterioration"})):  # before the range
        started = WorkshopStore(store).start_workshop(mission, cycle, actor="facilitator")
        for outcome, progress in ratings.items():
            WorkshopStore(store).record_agreed(started.code, started.facilitator_key, outcome, progress=progress,
                                contribution="some", analysis="synthetic test analysis", actor="facilitator")
    store.close()
    return url


# -- the catalogues --------------------------------------------------------------------------------------------

def test_wps_catalogue_has_15_core_and_11_elective_slots_and_invents_none():
    wps = catalogue().wps
    assert [s.set for s in wps].count("core") == 15 and [s.set for s in wps].count("elective") == 11
    defined = [s for s in wps if s.is_defined]
    assert 5 <= len(defined) < 26
    for s in wps:
        if not s.is_defined:
            assert s.status == TO_COMPLETE and s.name is None and s.definition is None and s.unit is None
        else:
            assert s.set_confirmed is False  # the seeds do not say which are core
    codes = {s.code for s in defined}
    names = " ".join(s.name.lower() for s in defined)
    for documented in ("gender analysis", "30 % women", "transitional decision-making", "gender-responsive patrols"):
        assert documented in names, documented
    assert len(codes) == len(defined)


def _normal(text: str) -> str:
    return " ".join(text.replace("*", "").replace("\\", "").split()).lower()


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the CPAS seeds are not at {SEEDS}")
def test_every_catalogue_entry_quotes_its_seed():
    for s in catalogue().entries():
        if not s.is_defined:
            continue
        seed = SEEDS / s.source.seed
        assert seed.is_file(), f"{s.code}: no seed {s.source.seed}"
        lead = re.split(r" \(| — |; ", s.source.quote)[0]
        assert len(lead) >= 18 and _normal(lead) in _normal(seed.read_text(encoding="utf-8")), \
            f"{s.code}: '{lead}' is not in {s.source.seed}"


def test_areas_have_both_languages_and_every_area_label_key_exists():
    for a in catalogue().areas:
        assert a.name and a.name_fr
    assert {"poc", "policing", "wps", "elections", "state-authority", "ddr",
            "human-rights"} <= set(catalogue().area_codes())
    for key, labels in LABELS.items():
        if key.startswith("study_"):
            assert labels.get("en") and labels.get("fr"), key


def _demo_doc() -> dict:
    return yaml.safe_load(shipped_framework_path("UN-DEMO").read_text(encoding="utf-8"))


def _indicator(doc: dict, code: str) -> dict:
    return next(i for p in doc["priorities"] for o in p["outcomes"] for i in o["indicators"] if i["code"] == code)


def test_standard_codes_are_checked_against_the_catalogue():
    doc = _demo_doc()
    _indicator(doc, "SEC-03")["standard_code"] = "POC.NOT-A-STANDARD"
    _indicator(doc, "SEC-04")["standard_code"] = "WPS.C09"  # a slot still to be completed
    _indicator(doc, "SEC-05")["standard_code"] = "POC.CIVILIAN-DEATHS"  # percent vs number, and used by SEC-01
    with pytest.raises(FrameworkError) as exc:
        parse_framework(doc)
    text = "\n".join(exc.value.problems)
    assert "indicators[2].standard_code: 'POC.NOT-A-STANDARD' is not in the standard-indicator catalogues" in text
    assert "'WPS.C09' is a WPS slot still to be completed by the user" in text
    assert "is measured in number, this indicator in percent" in text
    assert "'POC.CIVILIAN-DEATHS' is already the standard of SEC-01" in text
    assert len(exc.value.problems) == 4


def test_a_completed_catalogue_copy_can_be_used(tmp_path, monkeypatch):
    copy = tmp_path / "standards"
    shutil.copytree(STANDARDS_DIR, copy)
    path = copy / "wps_indicators.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "{code: WPS.C08, set: core, status: to be completed by the user}",
        "{code: WPS.C08, set: core, name: Test slot, name_fr: Essai, definition: A completed slot., unit: percent, "
        "source: {seed: my framework, quote: page 3}}")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CPAS_STANDARDS_DIR", str(copy))
    doc = _demo_doc()
    _indicator(doc, "WPS-03")["standard_code"] = "WPS.C08"
    assert parse_framework(doc).indicator("WPS-03").standard_code == "WPS.C08"


def test_demo_missions_differ_for_studies():
    assert demo.demo_framework("UN-DEMO").indicator("WPS-01").standard_code == "WPS.C04"
    cyp = demo.demo_framework("DEMO-CYP")
    assert cyp.indicator("WPS-01").standard_code is None and cyp.indicator("SEC-01").standard_code is not None
    assert demo.demo_framework("DEMO-MLI").indicator("ELE-01").standard_code == "ELE.VOTERS-WOMEN"
    assert len(list(demo.demo_framework().indicators())) == 32


def test_migration_fills_the_mapping_of_frameworks_stored_before_it(sqlite_url):
    from datetime import date, datetime, timezone

    from sqlalchemy import insert

    from cpas_kit.store.schema import framework_versions, missions

    store = Store(sqlite_url, upgrade=False)
    store_engine.upgrade(store.engine, "0005")
    doc = demo.demo_framework().to_document()
    stamp = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        conn.execute(insert(missions).values(code="UN-DEMO", name="x", country_iso3="CAF", hq="x",
                                             mandate_resolution="x", cycle_kind="quarter", is_fictional=True,
                                             created_at=stamp, updated_at=stamp))
        conn.execute(insert(framework_versions).values(
            mission_code="UN-DEMO", version=1, effective_from=FIRST, effective_from_start=date(2021, 7, 1),
            content=json.dumps(doc), content_hash="x", created_at=stamp, created_by="old"))
    store_engine.upgrade(store.engine)
    counts = store.table_counts()
    fw = demo.demo_framework()
    assert counts["framework_indicator_standards"] == sum(1 for _, _, i in fw.indicators() if i.standard_code) == 12
    assert counts["framework_indicator_tags"] == sum(len(set(i.tags)) for _, _, i in fw.indicators())
    store.close()


# -- the aggregates against pandas -----------------------------------------------------------------------------

def _expected_coverage(store: Store, scope: study.StudyScope) -> pd.DataFrame:
    """The coverage figures computed the slow way, from each mission's observations in pandas."""
    rows = []
    inds = study.area_indicators(store, scope)
    for mission, part in inds.groupby("mission_code"):
        obs = ObservationStore(store).observations(str(mission), totals_only=True)
        obs = obs[(obs["verification_status"] != "rejected") & (obs["value"].notna() | obs["value_text"].notna())
                  & obs["period"].map(lambda p: Period.parse(p).start <= scope.end)]
        for code in part["indicator_code"]:
            mine = obs[obs["indicator_code"] == code]
            within = mine[mine["period"].map(lambda p: Period.parse(p).start >= scope.start)]
            rows.append({"mission_code": mission, "indicator_code": code,
                         "first_period": min(mine["period"], key=Period.parse) if len(mine) else None,
                         "periods_reported": within["period"].nunique(),
                         "verified": int((within["verification_status"] == "verified").sum()),
                         "values_in_range": len(within)})
    return pd.DataFrame(rows).sort_values(["mission_code", "indicator_code"]).reset_index(drop=True)


def _check_aggregates(store: Store, area: str) -> study.StudyScope:
    scope = study.make_scope(area, FIRST, LAST)
    cov = study.coverage(store, scope).sort_values(["mission_code", "indicator_code"]).reset_index(drop=True)
    exp = _expected_coverage(store, scope)
    assert list(cov["indicator_code"]) == list(exp["indicator_code"]) and len(cov) > 0
    assert list(cov["first_period"]) == list(exp["first_period"])
    assert list(cov["periods_reported"]) == list(exp["periods_reported"])
    assert list(cov["values_in_range"]) == list(exp["values_in_range"])
    assert list((cov["verified_share"] * cov["values_in_range"]).round().astype(int)) == list(exp["verified"])
    assert (cov["periods_in_range"] == 12).all()
    base = study.trends(store, scope, "baseline")
    fws = {m: store.framework(m, LAST) for m in base["mission_code"].unique()}
    for r in base.sample(min(len(base), 25), random_state=1).itertuples():
        baseline = fws[r.mission_code].indicator(r.indicator_code).baseline.value
        assert r.index == pytest.approx(r.value * 100 / baseline)
    mm = study.trends(store, scope, "minmax")
    spans = mm.groupby(["mission_code", "standard_code"])["index"].agg(["min", "max"])
    assert (spans["min"] == 0).all() and (spans["max"] == 1).all()
    return scope


def test_aggregates_agree_with_pandas_and_name_missions_lacking_a_mapping(study_url):
    store = Store(study_url)
    scope = _check_aggregates(store, "wps")
    ms = study.study_missions(store, scope)
    assert list(ms["mission_code"]) == sorted(["UN-DEMO", *MISSIONS])
    assert study.lacking(ms, study.area_indicators(store, scope, ms)) == ["DEMO-CYP"]
    cov = study.coverage(store, scope)
    cyp = cov[cov["mission_code"] == "DEMO-CYP"]
    assert len(cyp) and not cyp["mapped"].any() and cyp["tagged"].all()  # listed as tagged, never compared
    assert set(study.trends(store, scope)["mission_code"]) == {"UN-DEMO", "DEMO-COD", "DEMO-MLI"}
    # "since when": DEMO-MLI measures ELE-01 from 2022/23-Q1 only (demo_missions.yaml)
    ele = cov[(cov["indicator_code"] == "ELE-01")].set_index("mission_code")
    assert ele.loc["DEMO-MLI", "first_period"] == "2022/23-Q1" and ele.loc["DEMO-MLI", "completeness"] <= 8 / 12
    assert ele.loc["DEMO-COD", "first_period"] == "2021/22-Q1"
    _check_aggregates(store, "poc")
    store.close()


def test_ratings_count_the_latest_agreement_of_area_outcomes_in_the_range(study_url):
    store = Store(study_url)
    got = study.ratings(store, study.make_scope("wps", FIRST, LAST))
    progress = got[got["scale"] == "progress"]
    assert sorted(zip(progress["mission_code"], progress["rating"], progress["results"])) == [
        ("DEMO-COD", "deterioration", 1), ("DEMO-COD", "no change", 1), ("UN-DEMO", "significant progress", 1)]
    contribution = got[got["scale"] == "contribution"]
    assert dict(zip(contribution["mission_code"], contribution["results"])) == {"DEMO-COD": 2, "UN-DEMO": 1}
    poc = study.ratings(store, study.make_scope("poc", FIRST, LAST))  # O1.1 and O2.3 hold poc indicators
    assert ("UN-DEMO", "no change") in set(zip(poc["mission_code"], poc["rating"]))
    store.close()


def test_recommendation_rates_follow_the_tracker(study_url, tmp_path):
    shutil.copy(study_url.removeprefix("sqlite:///"), tmp_path / "copy.sqlite")
    store = Store(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    scope = study.make_scope("poc", FIRST, LAST)
    before = study.recommendation_rates(store, scope).set_index("mission_code").loc["UN-DEMO"]
    recs = TrackerStore(store).recommendations("UN-DEMO")
    waiting = recs[recs["decision"] == "Awaiting Review"]
    assert before["recommended"] == len(recs) and before["decided"] == len(recs) - len(waiting)
    TrackerStore(store).change_recommendation(int(waiting.iloc[0]["id"]), "decision", "Approved",
                                              actor="Head of Mission")
    after = study.recommendation_rates(store, scope).set_index("mission_code").loc["UN-DEMO"]
    assert (after["decided"], after["approved"]) == (before["decided"] + 1, before["approved"] + 1)
    assert after["approval_rate"] == pytest.approx(after["approved"] / after["decided"])
    assert study.recommendation_rates(store, study.make_scope("wps", FIRST, LAST)).empty  # all under P1
    store.close()


def test_context_aggregates(study_url):
    from cpas_kit.data_in.external import events_summary

    store = Store(study_url)
    scope = study.make_scope("poc", "2022/23-Q1", LAST)
    ev = study.conflict_events(store, scope)
    whole = events_summary(store, "UN-DEMO", by="period")
    inside = whole[pd.to_datetime(whole["period_start"]) >= pd.Timestamp(scope.start)]  # text dates (issue 19)
    assert ev.set_index("mission_code").loc["UN-DEMO", "events"] == inside["events"].sum() > 0
    assert study.conflict_events(store, scope, "period")["events"].sum() == inside["events"].sum()
    with pytest.raises(study.StudyError, match="counted by 'mission' or 'period'"):
        study.conflict_events(store, scope, "area")
    fat = study.fatalities(store, scope, "year")
    assert set(fat["year"]) <= {2022, 2023, 2024} and not fat["in_study"].any()  # real acronyms, fictional missions
    wb = study.worldbank_context(store, scope)
    assert set(wb["mission_code"]) == {"UN-DEMO", *MISSIONS} and set(wb["year"]) >= {"2022", "2023"}
    store.close()


def test_same_aggregates_on_both_databases(store_url):
    store = _fill(Store(store_url), ["DEMO-CYP"])
    scope = _check_aggregates(store, "wps")
    assert study.lacking(study.study_missions(store, scope), study.area_indicators(store, scope)) == ["DEMO-CYP"]
    assert study.recommendation_rates(store, study.make_scope("poc", FIRST, LAST))["recommended"].sum() == 7
    assert study.ratings(store, scope).empty and study.conflict_events(store, scope).empty
    assert len(study.worldbank_context(store, scope)) > 0
    store.close()


def test_study_errors_are_sentences(study_url):
    with pytest.raises(study.StudyError, match="not a known mandated area; use one of poc"):
        study.make_scope("pcc", FIRST, LAST)
    with pytest.raises(study.StudyError, match="swap --from and --to"):
        study.make_scope("poc", LAST, FIRST)
    store = Store(study_url)
    with pytest.raises(study.StudyError, match="no results framework in this store for NOPE"):
        study.coverage(store, study.make_scope("poc", FIRST, LAST, ["UN-DEMO", "NOPE"]))
    store.close()


def test_french_labels(study_url):
    ctx = load_study(make_study_parameters(area="wps", cycle_from=FIRST, cycle_to=LAST, db_url=study_url,
                                           language="fr"))
    html = coverage_section(ctx).data
    assert "Couverture" in html and "Missions sans indicateur rattaché" in html and "DEMO-CYP" in html


@pytest.mark.notebook
def test_cpas_study_runs_the_notebook_into_offline_html_and_xlsx(study_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", study_url)
    out = tmp_path / "wps_study"
    assert main(["study", "--area", "wps", "--from", FIRST, "--to", LAST, "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "no indicator mapped to a standard of this area in DEMO-CYP" in said
    page = (out / "study.html").read_text(encoding="utf-8")
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", page) == []  # nothing fetched from the network
    assert "cdn.jsdelivr" not in page and "window.cpasVegaEmbed" in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Missions without an indicator mapped to a standard of this area: DEMO-CYP." in " ".join(text.split())
    for heading in ("Coverage: who measures what", "Trends side by side", "Agreed assessment ratings",
                    "Recommendations for this area", "UN peacekeeping fatalities", "Conflict events",
                    "World Bank context", "SYNTHETIC DATA"):
        assert heading in page, heading
    assert "def " not in text and "import " not in text  # no code cells in the export
    executed = json.loads((out / "notebooks" / "cross_mission_study.ipynb").read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["parameters"]["area"] == "wps"
    book = load_workbook(out / "study.xlsx", read_only=True)
    assert {"About", "Coverage", "Lacking a standard", "Trends", "Ratings", "Recommendations", "Fatalities by year",
            "Conflict events", "World Bank"} <= set(book.sheetnames)
    lacking = [r[0] for r in book["Lacking a standard"].iter_rows(min_row=2, values_only=True)]
    assert lacking == ["DEMO-CYP"]
    assert main(["study", "--area", "nope", "--from", FIRST, "--to", LAST, "-o", str(out)]) == 1
    assert "not a known mandated area" in capsys.readouterr().err


def test_study_charts_render_offline_from_aggregated_rows(study_url):
    import vl_convert as vlc

    from cpas_kit.analysis import charts

    ctx = load_study(make_study_parameters(area="wps", cycle_from=FIRST, cycle_to=LAST, db_url=study_url))
    titles = {s.code: s.label() for s in catalogue().entries()}
    built = [charts.study_trend_chart(ctx.trends, titles, "Index"),
             charts.rating_distribution_chart(ctx.ratings[ctx.ratings["scale"] == "progress"],
                                              ["significant progress", "no change", "deterioration"], "Progress"),
             charts.fatalities_chart(ctx.fatalities_by_year),
             charts.study_events_chart(study.conflict_events(Store(study_url), study.make_scope("poc", FIRST, LAST),
                                                             "period"))]
    for chart in built:
        spec = chart.to_dict()
        svg = vlc.vegalite_to_svg(spec)
        assert svg.startswith("<svg") and ("<path" in svg or "<rect" in svg)
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows <= len(ctx.trends) + 100  # aggregated rows only, never raw events or cells
