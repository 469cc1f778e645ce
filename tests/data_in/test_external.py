"""External data importers (ACLED, UCDP GED, World Bank, HXL): counts, admin-1 areas, idempotency, audit,
rejection with every problem listed, on SQLite and PostgreSQL.

Fixtures in tests/fixtures/external/ (see its README): 17 CAR events + 3 in Cameroon/Chad in ACLED's layout,
8 + 1 in UCDP GED's (with and without the header row), an HXL needs table, and World Bank files from
../shared/data/worldbank/ (beside the checkout).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from cpas_kit.core.errors import NotFoundError
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.external import (
    events_summary,
    import_acled,
    import_hxl,
    import_ucdp,
    import_worldbank,
    read_context_values,
    read_events,
)
from cpas_kit.data_in.external.admin1 import codes_by_name, codes_by_point, name_key, resolve_admin1
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.framework.geography import admin1_areas
from cpas_kit.store import Store
from tests.paths import EXTERNAL_FIXTURES, SHARED

FIXTURES = EXTERNAL_FIXTURES
ACLED = FIXTURES / "acled_caf.csv"
ACLED_TEXT = FIXTURES / "acled_caf_text_labels.csv"
ACLED_BAD = FIXTURES / "acled_caf_bad.csv"
UCDP = FIXTURES / "ucdp_ged_caf.csv"
UCDP_NO_HEADER = FIXTURES / "ucdp_ged_caf_noheader.csv"
HXL = FIXTURES / "hxl_caf_needs.csv"
WB = FIXTURES / "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1887433_missions.csv"
WB_META = FIXTURES / "Metadata_Country_API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1887433_missions.csv"
SHARED_WB = SHARED / "data" / "worldbank"  # ../shared
ACTOR = "pytest"


STORE_CONTENT = "framework"  # the shared ``store`` fixture (tests/conftest.py)


@pytest.fixture(scope="module")
def areas() -> gpd.GeoDataFrame:
    return admin1_areas(demo_framework().mission.geography)


def _events(store: Store, source: str | None = None) -> pd.DataFrame:
    return read_events(store, MISSION, source=source).set_index("source_event_id")


def _rejected(call) -> list[tuple[int | None, str | None]]:
    with pytest.raises(ImportRejected) as info:
        call()
    return [(p.row, p.column) for p in info.value.result.errors]


# -- admin-1 resolution (no store) ---------------------------------------------------------------

def test_name_key_ignores_accents_case_punctuation_and_suffixes():
    assert name_key("Ombella M'Poko") == name_key("Ombella-M'Poko") == name_key("OMBELLA MPOKO")
    assert name_key("Ouham-Pendé prefecture") == name_key("Ouham Pende") == "ouhampende"
    assert name_key("Mambéré-Kadéï") == name_key("mambere kadei")
    assert name_key("Bangui city") == name_key("Bangui commune") == "bangui"
    assert name_key("Region") == "region"  # a name made only of a suffix word is kept


def test_names_and_codes_resolve(areas):
    names = pd.Series(["Ombella M'Poko", "OMBELLA MPOKO", "Kemo", "Nana-Grebizi prefecture", "CF-BGF", "cf bgf",
                       "Lim-Pende", None])
    assert list(codes_by_name(names, areas)) == ["CF-MP", "CF-MP", "CF-KG", "CF-KB", "CF-BGF", "CF-BGF", None, None]


def test_unknown_names_fall_back_to_coordinates(areas):
    names = pd.Series(["Lim-Pende", "Nowhere", "Bangui", None])
    lat = pd.Series([7.2431, np.nan, 7.2431, 4.2567])  # Paoua (in Ouham-Pendé), none, Paoua, Bimbo
    lon = pd.Series([16.4401, np.nan, 16.4401, 18.4158])
    out = resolve_admin1(names, lat, lon, areas)
    assert list(out["admin1_code"]) == ["CF-OP", None, "CF-BGF", "CF-MP"]  # a known name wins over coordinates
    assert list(out["admin1_match"]) == ["point", None, "name", "point"]


def test_point_in_polygon_takes_a_million_points_in_seconds_and_agrees_with_sjoin(areas):
    rng = np.random.default_rng(7)
    n = 1_000_000
    lat, lon = rng.uniform(2.0, 11.5, n), rng.uniform(14.0, 28.0, n)
    t0 = time.perf_counter()
    codes = codes_by_point(lat, lon, areas)
    elapsed = time.perf_counter() - t0
    assert elapsed < 6, f"point-in-polygon of 1,000,000 points took {elapsed:.1f} s"
    sample = rng.choice(n, 3000, replace=False)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[sample], lat[sample]), crs=areas.crs)
    joined = gpd.sjoin(points, areas, predicate="intersects", how="left")
    joined = joined[~joined.index.duplicated()]
    inside = joined["area_code"].notna().to_numpy()
    assert inside.sum() > 500
    assert list(codes[sample][inside]) == list(joined["area_code"][inside])
    assert pd.isna(codes[sample][~inside]).mean() > 0.9  # outside CAR stays unmatched (but for a thin border band)


# -- ACLED ---------------------------------------------------------------------------------------

def test_acled_import_counts_areas_labels_and_periods(store):
    before = store.table_counts()
    result = import_acled(store, ACLED, MISSION, actor=ACTOR)
    assert (result.rows_read, result.rows_imported, result.rows_unchanged, result.rows_unmatched) == (20, 17, 0, 1)
    assert result.ok and len(result.sha256) == 64
    assert any("Cameroon (2)" in w and "Chad (1)" in w for w in result.warnings)
    assert any("'Nowhere-Land' (1)" in w for w in result.warnings)
    assert any("'Lim-Pende' (1)" in w for w in result.warnings)
    ev = _events(store)
    assert len(ev) == 17 and not ev.index.str.startswith(("CAO", "CHA")).any()
    assert (ev.loc["CEN1001", "admin1_code"], ev.loc["CEN1001", "admin1_match"]) == ("CF-MP", "name")
    assert (ev.loc["CEN1005", "admin1_code"], ev.loc["CEN1005", "admin1_match"]) == ("CF-MP", "name")
    assert (ev.loc["CEN1002", "admin1_code"], ev.loc["CEN1002", "admin1_match"]) == ("CF-OP", "point")
    assert pd.isna(ev.loc["CEN1003", "admin1_code"]) and pd.isna(ev.loc["CEN1003", "admin1_match"])
    assert ev.loc["CEN1003", "admin1_name"] == "Nowhere-Land"
    assert (ev.loc["CEN1001", "inter1"], ev.loc["CEN1001", "inter2"]) == ("State Forces", "Rebel Groups")
    assert pd.isna(ev.loc["CEN1004", "inter2"])  # code 0 = no second actor
    assert ev.loc["CEN1002", "civilian_targeting"] and not ev.loc["CEN1001", "civilian_targeting"]
    assert ev.loc["CEN1001", "event_date"] == pd.Timestamp("2023-05-14")
    assert (ev.loc["CEN1001", "period"], ev.loc["CEN1006", "period"]) == ("2022/23-Q4", "2023/24-Q1")
    assert ev.loc["CEN1006", "period_start"] == pd.Timestamp("2023-07-01")
    assert ev["fatalities_best"].sum() == 53 and ev["fatalities_low"].isna().all()
    assert ev.loc["CEN1002", "data_source"] == "Corbeaunews Centrafrique"
    assert ev["import_id"].nunique() == 1
    after = store.table_counts()
    assert after["events"] == before["events"] + 17 and after["imports"] == before["imports"] + 1


def test_acled_reimport_changes_nothing(store):
    first = import_acled(store, ACLED, MISSION, actor=ACTOR)
    ids_before = _events(store)["import_id"]
    again = import_acled(store, ACLED, MISSION, actor=ACTOR)
    assert (again.rows_read, again.rows_imported, again.rows_unchanged, again.rows_unmatched) == (20, 0, 17, 1)
    assert first.sha256 == again.sha256
    assert _events(store)["import_id"].equals(ids_before)  # unchanged events keep the import that wrote them
    assert store.audit_log(MISSION, entity="event").query("action == 'update'").empty


def test_acled_text_labels_and_iso_dates_store_the_same_events(store):
    import_acled(store, ACLED, MISSION, actor=ACTOR)
    same = import_acled(store, ACLED_TEXT, MISSION, actor=ACTOR)  # CEN1001-1005 with text labels, ISO dates
    assert (same.rows_read, same.rows_imported, same.rows_unchanged) == (5, 0, 5)


def test_acled_corrected_reimport_updates_and_audits_old_values(store, tmp_path):
    import_acled(store, ACLED, MISSION, actor=ACTOR)
    first_import = int(_events(store)["import_id"].iloc[0])
    fixed = tmp_path / ACLED.name
    lines = ACLED.read_text(encoding="utf-8-sig").splitlines()
    lines = [ln.replace(",Nowhere-Land,", ",Bangui,") if ln.startswith("CEN1003,") else
             ln.replace(",0,,1718000000", ",4,,1718000000") if ln.startswith("CEN1004,") else ln for ln in lines]
    fixed.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    result = import_acled(store, fixed, MISSION, actor="corrector")
    assert (result.rows_imported, result.rows_unchanged, result.rows_unmatched) == (2, 15, 0)
    ev = _events(store)
    assert ev.loc["CEN1004", "fatalities_best"] == 4
    assert (ev.loc["CEN1003", "admin1_code"], ev.loc["CEN1003", "admin1_match"]) == ("CF-BGF", "name")
    assert ev.loc["CEN1004", "import_id"] != first_import and ev.loc["CEN1001", "import_id"] == first_import
    audit = store.audit_log(MISSION, entity="event").query("action == 'update'").set_index("entity_key")
    assert set(audit.index) == {"acled:CEN1003", "acled:CEN1004"}
    assert audit.loc["acled:CEN1004", "actor"] == "corrector"
    assert '"fatalities_best": 0' in audit.loc["acled:CEN1004", "old_value"]
    assert '"fatalities_best": 4' in audit.loc["acled:CEN1004", "new_value"]
    assert '"admin1_code": null' in audit.loc["acled:CEN1003", "old_value"]


def test_acled_bad_file_lists_every_problem_and_writes_nothing(store):
    before = store.table_counts()
    with pytest.raises(ImportRejected) as info:
        import_acled(store, ACLED_BAD, MISSION, actor=ACTOR)
    result = info.value.result
    assert [(p.row, p.column) for p in result.errors] == [
        (3, "event_date"), (4, "fatalities"), (5, "latitude"), (6, "event_id_cnty"), (7, "inter1")]
    assert result.rows_read == 6 and result.rows_imported == 0
    assert "first at row 2" in result.errors[3].message and "'three'" in result.errors[1].message
    assert "6 problem" not in str(info.value) and "5 problem(s), nothing was written" in str(info.value)
    assert store.table_counts() == before


def test_acled_rejects_empty_wrong_and_incomplete_files(store, tmp_path):
    before = store.table_counts()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _rejected(lambda: import_acled(store, empty, MISSION, actor=ACTOR)) == [(None, None)]
    header_only = tmp_path / "header_only.csv"
    header_only.write_text(ACLED.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    assert _rejected(lambda: import_acled(store, header_only, MISSION, actor=ACTOR)) == [(None, None)]
    assert _rejected(lambda: import_acled(store, UCDP, MISSION, actor=ACTOR)) == [(1, None)]
    frame = pd.read_csv(ACLED, encoding="utf-8-sig", dtype=str).drop(columns=["fatalities", "event_date"])
    incomplete = tmp_path / "incomplete.csv"
    frame.to_csv(incomplete, index=False)
    assert _rejected(lambda: import_acled(store, incomplete, MISSION, actor=ACTOR)) == [
        (1, "event_date"), (1, "fatalities")]
    assert _rejected(lambda: import_acled(store, tmp_path / "missing.csv", MISSION, actor=ACTOR)) == [(None, None)]
    assert store.table_counts() == before


def test_many_bad_rows_are_counted_but_listed_up_to_a_cap(store, tmp_path):
    frame = pd.read_csv(ACLED, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = pd.concat([frame] * 6, ignore_index=True)  # 120 rows
    frame["event_id_cnty"] = [f"CEN{i}" for i in range(len(frame))]
    frame["fatalities"] = "many"
    many = tmp_path / "many.csv"
    frame.to_csv(many, index=False)
    with pytest.raises(ImportRejected) as info:
        import_acled(store, many, MISSION, actor=ACTOR)
    errors = info.value.result.errors
    # rows of Cameroon and Chad cannot be the mission's: their damage is noted, not blocking (issue 19)
    host_rows = [i + 2 for i in np.flatnonzero(frame["country"].eq("Central African Republic").to_numpy())]
    assert len(errors) == 51 and [p.row for p in errors[:50]] == host_rows[:50]
    assert errors[-1].row is None and errors[-1].message.startswith(f"{len(host_rows) - 50} more row(s)")


def test_unknown_mission_is_an_error(store):
    with pytest.raises(NotFoundError):
        import_acled(store, ACLED, "UN-NOPE", actor=ACTOR)


# -- UCDP ----------------------------------------------------------------------------------------

def test_ucdp_with_and_without_header_row(store):
    result = import_ucdp(store, UCDP, MISSION, actor=ACTOR)
    assert (result.rows_read, result.rows_imported, result.rows_unmatched) == (9, 8, 0)
    assert any("Cameroon (1)" in w for w in result.warnings)
    ev = _events(store, "ucdp")
    assert list(ev.index) == [f"50100{i}" for i in range(1, 9)]
    assert (ev.loc["501001", "admin1_code"], ev.loc["501001", "admin1_match"]) == ("CF-OP", "name")  # "… prefecture"
    assert (ev.loc["501002", "admin1_code"], ev.loc["501002", "admin1_match"]) == ("CF-OP", "point")  # Lim-Pendé
    assert ev.loc["501004", "admin1_code"] == "CF-BGF"  # "Bangui commune"
    assert ev.loc["501002", "event_type"] == "one-sided violence" and ev.loc["501002", "civilian_targeting"]
    assert ev.loc["501003", "event_type"] == "non-state conflict" and not ev.loc["501003", "civilian_targeting"]
    assert (ev.loc["501003", "fatalities_best"], ev.loc["501003", "fatalities_low"],
            ev.loc["501003", "fatalities_high"]) == (9, 8, 12)
    assert ev.loc["501002", "fatalities_civilians"] == 5
    assert (ev.loc["501001", "actor1"], ev.loc["501001", "actor2"]) == ("Government of Central African Republic", "3R")
    assert ev.loc["501001", "event_date"] == pd.Timestamp("2023-05-14")
    no_header = import_ucdp(store, UCDP_NO_HEADER, MISSION, actor=ACTOR)
    assert (no_header.rows_read, no_header.rows_imported, no_header.rows_unchanged) == (9, 0, 8)


def test_ucdp_bad_values_are_rejected_with_rows(store, tmp_path):
    before = store.table_counts()
    lines = UCDP.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",Clear,3,", ",Clear,4,")  # row 3: type_of_violence 4
    lines[4] = lines[4].replace("2023-10-01 00:00:00.000,2023-10-01", "2023-13-01 00:00:00.000,2023-10-01")  # row 5
    bad = tmp_path / "ged_bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _rejected(lambda: import_ucdp(store, bad, MISSION, actor=ACTOR)) == [
        (3, "type_of_violence"), (5, "date_start")]
    assert store.table_counts() == before


# -- World Bank ----------------------------------------------------------------------------------

def _wb_values(path: Path, iso3: str = "CAF") -> pd.Series:
    raw = pd.read_csv(path, skiprows=4, encoding="utf-8-sig")
    row = raw.loc[raw["Country Code"] == iso3].iloc[0]
    return row[[c for c in raw.columns if c.isdigit()]].dropna().astype(float)


def test_worldbank_host_country_values_and_metadata(store):
    result = import_worldbank(store, WB, MISSION, actor=ACTOR)
    expected = _wb_values(WB)
    assert result.rows_read == 7 and result.rows_imported == len(expected) + 2  # + region and income group
    assert any("6 other countries and 0 aggregates" in w for w in result.warnings)
    values = read_context_values(store, MISSION, source="worldbank")
    gdp = values.loc[values["indicator_code"] == "NY.GDP.PCAP.CD"].set_index("period")
    assert len(gdp) == len(expected) and gdp["value"].round(6).equals(expected.round(6).rename_axis("period")
                                                                   .rename("value"))
    assert (gdp["admin1_code"] == "").all() and (gdp["unit"] == "current US$").all()
    assert gdp.loc["2023", "period_start"] == pd.Timestamp("2023-01-01")
    assert gdp.loc["2023", "period_end"] == pd.Timestamp("2023-12-31")
    meta = values.set_index("indicator_code")
    assert meta.loc["country_region", "value_text"] == "Sub-Saharan Africa"
    assert meta.loc["country_income_group", "value_text"] == "Low income"
    assert meta.loc["country_region", "period"] == "2024-06-28"  # the API file's "Last Updated Date"
    again = import_worldbank(store, WB_META, MISSION, actor=ACTOR)  # the metadata file on its own: same values
    assert (again.rows_read, again.rows_imported, again.rows_unchanged) == (7, 0, 2)


@pytest.mark.skipif(not SHARED_WB.is_dir(), reason="shared World Bank extracts not present")
def test_worldbank_real_files_import(store):
    files = sorted(SHARED_WB.glob("API_*.csv"))
    assert len(files) >= 5
    for path in files:
        result = import_worldbank(store, path, MISSION, actor=ACTOR)
        assert result.ok and result.rows_read == 7
        assert result.rows_imported >= len(_wb_values(path))
    population = read_context_values(store, MISSION).query("indicator_code == 'SP.POP.TOTL'").set_index("period")
    assert population.loc["2021", "value"] == _wb_values(SHARED_WB / files[-1].name)["2021"]
    assert "2022" not in population.index  # the population extract stops in 2021: no zeros invented


def test_worldbank_aggregates_and_missing_host(store, tmp_path):
    lines = WB.read_text(encoding="utf-8-sig").splitlines()
    aggregate = '"Sub-Saharan Africa","SSF","GDP per capita (current US$)","NY.GDP.PCAP.CD",' + '"",' * 64
    with_aggregate = tmp_path / WB.name
    with_aggregate.write_text("\ufeff" + "\n".join(lines + [aggregate]) + "\n", encoding="utf-8")
    shutil.copy(WB_META, tmp_path / WB_META.name)
    result = import_worldbank(store, with_aggregate, MISSION, actor=ACTOR)
    assert result.rows_read == 8 and any("6 other countries and 1 aggregates" in w for w in result.warnings)
    before = store.table_counts()
    no_host = tmp_path / "API_no_host.csv"
    no_host.write_text("\ufeff" + "\n".join(ln for ln in lines if '"CAF"' not in ln) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_worldbank(store, no_host, MISSION, actor=ACTOR)
    assert "host country (code CAF)" in info.value.result.errors[0].message
    bad_value = tmp_path / "API_bad.csv"
    bad_value.write_text("\ufeff" + "\n".join(ln.replace('"445.028195988605"', '"445,03"') if '"CAF"' in ln else ln
                                              for ln in lines) + "\n", encoding="utf-8")
    assert _rejected(lambda: import_worldbank(store, bad_value, MISSION, actor=ACTOR)) == [(6, "2023")]
    assert store.table_counts() == before


# -- HXL -----------------------------------------------------------------------------------------

def test_hxl_sums_admin2_rows_and_keeps_latest_date_per_period(store):
    result = import_hxl(store, HXL, MISSION, actor=ACTOR)
    assert (result.rows_read, result.rows_imported, result.rows_unmatched) == (9, 19, 1)
    assert any("other countries" in w for w in result.warnings)
    assert any("'Lim-Pendé' (1)" in w for w in result.warnings)
    values = read_context_values(store, MISSION, source="hxl").set_index(["indicator_code", "admin1_code", "period"])
    f_need = values.loc["food-insecurity:inneed+f"]
    assert f_need.loc[("CF-MP", "2023/24-Q1"), "value"] == 1400  # 15 Aug (1200 + 300) replaced by 20 Sep (1400)
    assert f_need.loc[("CF-MP", "2023/24-Q2"), "value"] == 1500
    assert f_need.loc[("CF-BGF", "2023/24-Q1"), "value"] == 2100
    assert f_need.loc[("?limpende", "2023/24-Q1"), "admin1_name"] == "Lim-Pendé"  # unmatched, kept apart
    idps = values.loc["food-insecurity:affected+idps"]
    assert idps.loc[("CF-MP", "2023/24-Q1"), "value"] == 5200 and ("CF-BGF", "2023/24-Q1") not in idps.index
    assert f_need.loc[("CF-MP", "2023/24-Q1"), "period_start"] == pd.Timestamp("2023-07-01")
    assert f_need.loc[("CF-MP", "2023/24-Q1"), "period_end"] == pd.Timestamp("2023-09-30")
    assert f_need.loc[("CF-MP", "2023/24-Q1"), "unit"] == "people"
    assert "people in need" in f_need.loc[("CF-MP", "2023/24-Q1"), "indicator_name"]
    again = import_hxl(store, HXL, MISSION, actor=ACTOR)
    assert (again.rows_imported, again.rows_unchanged) == (0, 19)


def test_hxl_without_required_tags_is_rejected(store, tmp_path):
    before = store.table_counts()
    lines = HXL.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("#date", "#note").replace("#adm1+name", "#loc").replace("#adm1+code", "#loc+code")
    bad = tmp_path / "no_tags.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_hxl(store, bad, MISSION, actor=ACTOR)
    messages = " ".join(p.message for p in info.value.result.errors)
    assert "#adm1+name" in messages and "#date" in messages
    assert {p.row for p in info.value.result.errors} == {2}
    lines = HXL.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("2023-08-15", "15/08/2023x")
    bad_date = tmp_path / "bad_date.csv"
    bad_date.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _rejected(lambda: import_hxl(store, bad_date, MISSION, actor=ACTOR)) == [(3, "Date")]
    assert store.table_counts() == before


# -- reading back ----------------------------------------------------------------------------------

def test_events_summary_by_area_and_period(store):
    import_acled(store, ACLED, MISSION, actor=ACTOR)
    import_ucdp(store, UCDP, MISSION, actor=ACTOR)
    by_area = events_summary(store, MISSION, by="admin1", source="acled").set_index("label")
    assert len(by_area) == 18  # 17 areas, quiet ones with zeros, plus the unmatched row
    assert (by_area.loc["Ombella-M'Poko", "events"], by_area.loc["Ombella-M'Poko", "fatalities_best"]) == (3, 6)
    assert (by_area.loc["Ouham-Pendé", "events"], by_area.loc["Ouham-Pendé", "fatalities_best"]) == (2, 9)
    assert by_area.loc["Mbomou", "events"] == 0
    assert pd.isna(by_area.loc["not matched to an area", "area_code"])
    assert by_area.loc["not matched to an area", "events"] == 1
    assert by_area["events"].sum() == 17 and by_area["fatalities_best"].sum() == 53
    by_period = events_summary(store, MISSION, by="period", source="acled").set_index("period")
    assert by_period["events"].to_dict() == {"2022/23-Q4": 5, "2023/24-Q1": 4, "2023/24-Q2": 3, "2023/24-Q3": 2,
                                             "2023/24-Q4": 3}
    assert by_period.loc["2023/24-Q1", "fatalities_best"] == 17
    both = events_summary(store, MISSION, by="admin1")
    assert set(both["source"]) == {"acled", "ucdp"}  # never added together
    assert both.query("source == 'ucdp'")["fatalities_best"].sum() == 4 + 5 + 9 + 1 + 7 + 3 + 2 + 3
    q1 = read_events(store, MISSION, periods=["2023/24-Q1"], source="acled")
    assert sorted(q1["source_event_id"]) == ["CEN1006", "CEN1007", "CEN1008", "CEN1009"]
