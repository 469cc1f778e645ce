"""Issue 19: ACLED, UCDP and HDX files in the shapes analysts hold them (after Excel, older releases, HDX
editions), admin-1 names matched like an analyst would, and a mission's own boundaries.

Fixtures in tests/fixtures/external/real/ (written by make_fixtures.py there; see its README). Every expected
figure is computed here from the fixture file itself with the csv module and plain Python (dates parsed with the
format the test knows the file was written in, areas from a name table below, UN fiscal quarters by arithmetic),
never taken from the importer.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date, datetime

import pandas as pd
import pytest

from cpas_kit.cli.main import main
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.boundaries import list_boundaries, mission_areas, register_boundaries
from cpas_kit.data_in.external import (
    events_summary,
    import_acled,
    import_hxl,
    import_ucdp,
    read_context_values,
    read_events,
)
from cpas_kit.data_in.external.admin1 import area_names, match_key, name_key
from cpas_kit.demo import MISSION, demo_framework
from tests.paths import EXTERNAL_FIXTURES

REAL = EXTERNAL_FIXTURES / "real"
ACTOR = "pytest"
STORE_CONTENT = "framework"
CAR_AREAS = {"Ouham-Pende": "CF-OP", "Ouaka": "CF-UK", "Bangui": "CF-BGF", "Nana-Gribizi": "CF-KB",
             "Haute-Kotto": "CF-HK", "Mbomou": "CF-MB", "Ouaka province": "CF-UK", "Ouham-Pendé prefecture": "CF-OP",
             "Nana-Grebizi": "CF-KB", "Haute-Kotto prefecture": "CF-HK"}
CAR = "Central African Republic"


def quarter(d: date) -> str:
    """The UN fiscal quarter of a day, by arithmetic (July-June year)."""
    fy = d.year if d.month >= 7 else d.year - 1
    return f"{fy}/{str(fy + 1)[2:]}-Q{((d.month - 7) % 12) // 3 + 1}"


def _rows(name: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(REAL / name, encoding=encoding, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in rows]


def _expected(rows: list[dict], date_of, country: str = CAR, *, key: str = "event_id_cnty",
              admin: str = "admin1", fatalities: str = "fatalities") -> tuple[Counter, Counter]:
    """Events and fatalities per (area, period) of the host country's rows, each event once."""
    events, deaths, seen = Counter(), Counter(), set()
    for r in rows:
        if r["country"] != country or r[key] in seen:
            continue
        seen.add(r[key])
        cell = (CAR_AREAS[r[admin]], quarter(date_of(r)))
        events[cell] += 1
        deaths[cell] += int(r[fatalities])
    return events, deaths


def _stored(store, mission: str = MISSION, source: str | None = None) -> tuple[Counter, Counter]:
    ev = read_events(store, mission, source=source)
    events, deaths = Counter(), Counter()
    for r in ev.itertuples():
        cell = (r.admin1_code if isinstance(r.admin1_code, str) else None, r.period)
        events[cell] += 1
        deaths[cell] += int(r.fatalities_best)
    return events, deaths


# -- ACLED ---------------------------------------------------------------------------------------

DATE_STYLES = [
    ("acled_caf_excel_dmy_short.csv", "%d-%b-%y", None),
    ("acled_caf_excel_us.csv", "%m/%d/%Y", "month/day/year"),
    ("acled_caf_excel_eu.csv", "%d/%m/%Y", "day/month/year"),
    ("acled_caf_long_dates.csv", "%d %B %Y", None),
]


@pytest.mark.parametrize(("name", "fmt", "order"), DATE_STYLES, ids=[d[0] for d in DATE_STYLES])
def test_acled_dates_as_excel_and_old_tools_write_them(store, name, fmt, order):
    rows = _rows(name)
    result = import_acled(store, REAL / name, MISSION, actor=ACTOR)
    want = _expected(rows, lambda r: datetime.strptime(r["event_date"], fmt).date())
    assert _stored(store) == want and sum(want[0].values()) == 8
    assert result.rows_read == len(rows) == 10 and result.rows_unmatched == 0
    dates_notes = [n for n in result.notes if n.startswith("Dates:")]
    assert (order is None and not dates_notes) or (order in dates_notes[0] and "settles it" in dates_notes[0])
    assert {"name": "Nana-Gribizi", "area_code": "CF-KB", "how": "alias"}.items() <= result.matches[0].items()


def test_acled_2016_all_africa_windows_1252_uppercase_crlf(store):
    raw = (REAL / "acled_2016_all_africa.csv").read_bytes()
    assert b"\x92" in raw and b"\r\n" in raw and raw.split(b"\r\n")[0].endswith(b",,,")  # the shape described
    rows = _rows("acled_2016_all_africa.csv", encoding="cp1252")
    result = import_acled(store, REAL / "acled_2016_all_africa.csv", MISSION, actor=ACTOR)
    want = _expected(rows, lambda r: datetime.strptime(r["event_date"], "%d/%m/%Y").date())
    assert _stored(store) == want and sum(want[0].values()) == 8
    notes = " ".join(result.notes)
    assert "Windows-1252" in notes and "older ACLED layout" in notes and "day/month/year" in notes
    ev = read_events(store, MISSION).set_index("source_event_id")
    assert ev.loc["CEN2002", "latitude"] == pytest.approx(5.7633)  # '\xa05.7633' read as a number
    assert ev.loc["CEN2002", "event_type"] == "Violence against civilians" and ev.loc["CEN2002", "civilian_targeting"]
    assert not ev.loc["CEN2001", "civilian_targeting"] and ev.loc["CEN2001", "inter1"] == "Rebel Groups"


def test_acled_2018_and_api_layouts(store):
    for name, fmt in (("acled_2018_old_types.csv", "%d %B %Y"), ("acled_api_2021.csv", "%Y-%m-%d")):
        rows = _rows(name)
        result = import_acled(store, REAL / name, MISSION, actor=ACTOR)
        want = _expected(rows, lambda r, fmt=fmt: datetime.strptime(r["event_date"], fmt).date())
        assert _stored(store, source="acled") == want, name
        assert any(n.startswith("Layout:") for n in result.notes)
        for r in read_events(store, MISSION).itertuples():  # the API file replaced the 2018 events (same IDs)
            assert r.civilian_targeting == (r.event_type == "Violence against civilians")
    assert "API export" in result.notes[0]


def test_acled_monadic_export_counts_each_event_once(store):
    rows = _rows("acled_caf_monadic.csv")
    ids = Counter(r["event_id_cnty"] for r in rows)
    folded = sum(n - 1 for n in ids.values())
    result = import_acled(store, REAL / "acled_caf_monadic.csv", MISSION, actor=ACTOR)
    want = _expected(rows, lambda r: datetime.strptime(r["event_date"], "%d %B %Y").date())
    assert _stored(store) == want and sum(want[0].values()) == 8 and folded == 6
    assert any(n.startswith("Monadic export") and f"{folded} row(s)" in n for n in result.notes)
    ev = read_events(store, MISSION).set_index("source_event_id")
    assert (ev.loc["CEN2001", "actor1"], ev.loc["CEN2001", "actor2"]) == ("3R", "FACA")
    assert ev.loc["CEN2002", "inter2"] == "Civilians" and pd.isna(ev.loc["CEN2003", "actor2"])


def test_damaged_rows_of_other_countries_do_not_block(store):
    rows = _rows("acled_multi_country_damaged.csv")
    result = import_acled(store, REAL / "acled_multi_country_damaged.csv", MISSION, actor=ACTOR)
    car = [r for r in rows if r["country"] == CAR]
    want = _expected(car, lambda r: date.fromisoformat(r["event_date"]))
    assert _stored(store) == want and result.rows_imported == len(car) == 8
    skipped = next(n for n in result.notes if n.startswith("Damaged rows skipped"))
    bad_lines = [i + 2 for i, r in enumerate(rows) if r["country"] != CAR and (not r["event_id_cnty"]
                                                                                or not r["fatalities"])]
    assert bad_lines == [10, 12] and all(f"row {n} " in skipped for n in bad_lines)


def test_a_damaged_row_that_may_be_the_missions_own_rejects_the_file(store):
    before = store.table_counts()
    with pytest.raises(ImportRejected) as info:
        import_acled(store, REAL / "acled_multi_country_damaged_own.csv", MISSION, actor=ACTOR)
    assert [(p.row, p.column) for p in info.value.result.errors] == [(4, "event_id_cnty")]
    assert store.table_counts() == before


# -- UCDP ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["conflict_data_caf.csv", "ged191_caf.csv", "ged191_caf_noheader.csv"])
def test_ucdp_hdx_edition_and_older_releases(store, name):
    if name.endswith("noheader.csv"):
        header = _rows("ged191_caf.csv")[0].keys()
        with open(REAL / name, encoding="utf-8", newline="") as fh:
            rows = [dict(zip(header, r)) for r in csv.reader(fh)]
    else:
        rows = [r for r in _rows(name) if not r["id"].startswith("#")]
    result = import_ucdp(store, REAL / name, MISSION, actor=ACTOR)
    want = _expected(rows, lambda r: date.fromisoformat(r["date_start"][:10]), key="id", admin="adm_1",
                     fatalities="best")
    assert _stored(store, source="ucdp") == want and sum(want[0].values()) == 5
    assert result.rows_read == len(rows) == 6
    if name.startswith("conflict_data"):
        assert any("row of HXL hashtags (row 2" in n for n in result.notes)
    ev = read_events(store, MISSION, source="ucdp").set_index("source_event_id")
    low = {r["id"]: int(r["low"]) for r in rows if r["country"] == CAR}
    assert ev["fatalities_low"].astype(int).to_dict() == low  # low/best/high mapped by name or release order


def test_ucdp_admin_names_with_suffixes_and_old_spellings(store):
    store.save_framework(demo_framework("DEMO-SSD"), effective_from="2021/22-Q1", actor=ACTOR)
    rows = _rows("ged_ssd_admin_suffixes.csv")
    result = import_ucdp(store, REAL / "ged_ssd_admin_suffixes.csv", "DEMO-SSD", actor=ACTOR)
    areas = {"Warap state": "SS-WR", "West Bahr-al-Ghazal state": "SS-BW", "Upper Nile state": "SS-NU",
             "Jonglei state": "SS-JG"}
    want = Counter((areas[r["adm_1"]], quarter(date.fromisoformat(r["date_start"][:10]))) for r in rows)
    assert _stored(store, "DEMO-SSD")[0] == want and result.rows_unmatched == 0
    matches = {m["name"]: (m["area_code"], m["how"], m["rows"]) for m in result.matches}
    assert matches == {"Warap state": ("SS-WR", "alias", 2), "West Bahr-al-Ghazal state": ("SS-BW", "alias", 1)}


def test_ucdp_impossible_figures_are_errors_with_row_and_column(store):
    before = store.table_counts()
    with pytest.raises(ImportRejected) as info:
        import_ucdp(store, REAL / "ged_caf_impossible.csv", MISSION, actor=ACTOR)
    got = {(p.row, p.column) for p in info.value.result.errors}
    assert got == {(2, "low"), (3, "high"), (4, "best"), (5, "date_end"), (6, "date_start"), (6, "date_end")}
    assert store.table_counts() == before


# -- admin-1 matching ------------------------------------------------------------------------------

def test_mali_names_like_an_analyst(store):
    store.save_framework(demo_framework("DEMO-MLI"), effective_from="2021/22-Q1", actor=ACTOR)
    rows = _rows("acled_mli_names.csv")
    result = import_acled(store, REAL / "acled_mli_names.csv", "DEMO-MLI", actor=ACTOR)
    menaka = [r for r in rows if r["admin1"] == "Menaka"]
    assert result.rows_unmatched == len(menaka) == 2
    ev = read_events(store, "DEMO-MLI").set_index("source_event_id")
    assert ev.loc[[r["event_id_cnty"] for r in menaka], "admin1_code"].isna().all()  # never folded into Gao
    assert ev.loc["MLI106", "admin1_code"] == "ML-7" and (ev["admin1_code"] == "ML-7").sum() == 1
    assert ev.loc["MLI101", "admin1_code"] == ev.loc["MLI102", "admin1_code"] == "ML-6"
    fat = sum(int(r["fatalities"]) for r in menaka)
    assert any("'Menaka' (2)" in w and f"{fat} fatalities" in w and "not folded" in w for w in result.warnings)
    matches = {m["name"]: m for m in result.matches}
    assert (matches["Koulikouro"]["area_code"], matches["Koulikouro"]["how"]) == ("ML-2", "fuzzy")
    assert 85 <= matches["Koulikouro"]["score"] < 100
    assert (matches["Tombouctou"]["area_code"], matches["Tombouctou"]["how"]) == ("ML-6", "iso3166")
    assert "Timbuktu" not in matches and "Gao" not in matches  # exact matches are not listed


def test_matching_order_and_ambiguous_fuzzy_names():
    areas = pd.DataFrame({"area_code": ["XX-A", "XX-B", "XX-C"], "area_name": ["Bamingui", "Bamingue", "Lobaye"],
                          "alt_names": ["Bamingui-Bangoran", "", "Lobaie|La Lobaye"]})
    table = area_names(areas, None, {"XX-C": ["Mbaiki"]})
    assert match_key(name_key("LOBAYE prefecture"), table)[:2] == ("XX-C", "name")
    assert match_key(name_key("La Lobaye"), table)[:2] == ("XX-C", "alt_name")
    assert match_key(name_key("Mbaïki"), table)[:2] == ("XX-C", "alias")
    assert match_key(name_key("Lobayee"), table)[:2] == ("XX-C", "fuzzy")
    code, how, score, detail = match_key(name_key("Baminguo"), table)  # as close to Bamingui as to Bamingue
    assert (code, how) == (None, "ambiguous") and "XX-A" in detail and "XX-B" in detail
    assert match_key(name_key("Gao"), table)[0] is None  # too short to guess


# -- HDX / HXL -----------------------------------------------------------------------------------

def test_hxl_flows_are_summed_and_stocks_take_the_latest_date(store):
    with open(REAL / "hxl_caf_flows.csv", encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    tags, data = lines[1], lines[2:]
    col = {t: i for i, t in enumerate(tags)}
    area = {"Ouaka": "CF-UK", "Haute-Kotto": "CF-HK", "Haute Kotto": "CF-HK"}
    flows, stock_at = defaultdict(float), {}
    for r in data:
        cell = (area[r[col["#adm1+name"]]], quarter(date.fromisoformat(r[col["#date+start"]])))
        for tag in ("#event+num", "#fatality+num", "#affected+killed"):
            flows[(tag[1:], *cell)] += float(r[col[tag]])
        d = r[col["#date+start"]]
        if cell not in stock_at or d > stock_at[cell][0]:
            stock_at[cell] = (d, float(r[col["#affected+idps+ind"]]))
    result = import_hxl(store, REAL / "hxl_caf_flows.csv", MISSION, actor=ACTOR)
    got = read_context_values(store, MISSION, source="hxl").set_index(["indicator_code", "admin1_code", "period"])
    assert {k: got.loc[k, "value"] for k in flows} == dict(flows)
    assert {cell: got.loc[("affected+idps+ind", *cell), "value"] for cell in stock_at} == {
        c: v for c, (_, v) in stock_at.items()}
    assert len(got) == len(flows) + len(stock_at) == result.rows_imported
    assert any("#affected+killed" in n and "flow" in n for n in result.notes)
    assert any("#affected+idps+ind" in n and "stock" in n for n in result.notes)
    assert any("dated by #date+start" in n and "#date+year" in n for n in result.notes)


def _hno_expected() -> dict[tuple[str, str], float]:
    """Per figure and area: the admin-1 total row, else the admin-2 total rows summed (Excel's #N/A = missing)."""
    with open(REAL / "hxl_caf_hno_2022.csv", encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    tags = lines[1]
    figures = [t for t in tags if t.startswith(("#population", "#affected", "#inneed", "#targeted", "#reached"))]
    area = {"Ouaka": "CF-UK", "Haute-Kotto": "CF-HK"}
    adm1, adm2 = defaultdict(float), defaultdict(float)
    for r in lines[2:]:
        row = dict(zip(tags, r))
        if not row["#adm1+name"] or (row["#sector"], row["#gender"], row["#age"]) != ("Intersectoral", "Total",
                                                                                      "Total"):
            continue
        for f in figures:
            if row[f] not in ("", "#N/A"):
                code = "+".join([f[1:].split("+")[0], *sorted(f[1:].split("+")[1:])])  # HXL attributes: any order
                (adm2 if row["#adm2+name"] else adm1)[(code, area[row["#adm1+name"]])] += float(row[f])
    return {k: adm1.get(k, adm2.get(k)) for k in set(adm1) | set(adm2)}


def test_hxl_hno_without_dates_levels_and_disaggregations(store):
    with pytest.raises(ImportRejected) as info:
        import_hxl(store, REAL / "hxl_caf_hno_2022.csv", MISSION, actor=ACTOR)
    assert "--period" in info.value.result.errors[0].message
    result = import_hxl(store, REAL / "hxl_caf_hno_2022.csv", MISSION, actor=ACTOR, period="2021/22")
    got = read_context_values(store, MISSION, source="hxl")
    assert set(got["period"]) == {"2021/22"} and set(got["period_start"]) == {pd.Timestamp("2021-07-01")}
    stored = {(r.indicator_code, r.admin1_code): r.value for r in got.itertuples()}
    want = _hno_expected()
    assert stored == want and len(want) == 16
    assert stored[("inneed", "CF-HK")] == 65000 + 11000  # Bria + Yalinga, not the Health or Male rows
    notes = " ".join(result.notes)
    assert "national totals" in notes and "#sector" in notes and "never counted twice" in notes


# -- boundaries ----------------------------------------------------------------------------------

def test_register_boundaries_and_match_pcodes_and_alternative_names(store, tmp_path):
    path = REAL / "caf_adm1_cod.geojson"
    result = register_boundaries(store, path, MISSION, actor=ACTOR, name_field="ADM1_FR")
    assert result.rows_imported == 17 and any("version 1" in n for n in result.notes)
    again = register_boundaries(store, path, MISSION, actor=ACTOR, name_field="ADM1_FR")
    assert again.rows_imported == 0 and any("already version 1" in n for n in again.notes)
    listed = list_boundaries(store, MISSION)
    assert [(r["version"], r["in_use"], r["areas"], r["code_field"]) for r in listed] == [(1, True, 17, "ADM1_PCODE")]
    areas = mission_areas(store, MISSION)
    pcodes = json.loads((REAL / "caf_adm1_cod_pcodes.json").read_text(encoding="utf-8"))
    assert sorted(areas["area_code"]) == sorted(pcodes.values())
    hxl = tmp_path / "pcodes.csv"
    hxl.write_text("Date,Pcode,Need\n#date,#adm1+code,#inneed\n"
                   f"2021-08-01,{pcodes['CF-UK']},100\n2021-08-01,{pcodes['CF-KB']},50\n", encoding="utf-8")
    import_hxl(store, hxl, MISSION, actor=ACTOR)
    values = read_context_values(store, MISSION, source="hxl").set_index("admin1_code")["value"].to_dict()
    assert values == {pcodes["CF-UK"]: 100.0, pcodes["CF-KB"]: 50.0}
    res = import_acled(store, REAL / "acled_caf_long_dates.csv", MISSION, actor=ACTOR)
    nana = next(m for m in res.matches if m["name"] == "Nana-Gribizi")
    assert (nana["area_code"], nana["how"]) == (pcodes["CF-KB"], "alternative name")  # ADM1_EN of the file
    by_area = events_summary(store, MISSION, by="admin1", source="acled").set_index("area_code")
    assert len(by_area) == 17 and by_area.loc[pcodes["CF-UK"], "events"] == 2
    ucdp = import_ucdp(store, REAL / "conflict_data_caf.csv", MISSION, actor=ACTOR)  # ISO codes of the file's areas
    assert ucdp.rows_unmatched == 0 and set(read_events(store, MISSION, source="ucdp")["admin1_code"]) <= set(
        pcodes.values())


def test_bad_boundaries_are_rejected_whole(store, tmp_path):
    import geopandas as gpd

    gdf = gpd.read_file(REAL / "caf_adm1_cod.geojson")
    dup = gdf.copy()
    dup.loc[1, "ADM1_PCODE"] = dup.loc[0, "ADM1_PCODE"]
    dup.loc[2, "geometry"] = None
    dup.to_file(tmp_path / "dup.geojson", driver="GeoJSON")
    other = gdf.assign(ADM0_PCODE="CM")
    other.to_file(tmp_path / "other.gpkg", driver="GPKG")
    before = store.table_counts()
    with pytest.raises(ImportRejected) as info:
        register_boundaries(store, tmp_path / "dup.geojson", MISSION, actor=ACTOR)
    assert {(p.row, p.column) for p in info.value.result.errors} == {(1, "ADM1_PCODE"), (2, "ADM1_PCODE"),
                                                                      (3, "geometry")}
    with pytest.raises(ImportRejected) as info:
        register_boundaries(store, tmp_path / "other.gpkg", MISSION, actor=ACTOR)
    assert "CM" in info.value.result.errors[0].message
    assert store.table_counts() == before and list_boundaries(store, MISSION)[0]["source"] == "shipped"


# -- command line --------------------------------------------------------------------------------

def test_cli_events_context_hxl_and_boundaries(store, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", store.url)
    assert main(["import", "acled", str(REAL / "acled_caf_excel_us.csv"), "--mission", MISSION, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows_imported"] == 8 and summary["matches"][0]["how"] == "alias"
    assert any("month/day/year" in n for n in summary["notes"])
    assert main(["events", "--mission", MISSION, "--by", "period", "--json"]) == 0
    periods = json.loads(capsys.readouterr().out)
    want = Counter(quarter(datetime.strptime(r["event_date"], "%m/%d/%Y").date())
                   for r in _rows("acled_caf_excel_us.csv") if r["country"] == CAR)
    assert {p["period"]: p["events"] for p in periods} == dict(want)
    assert all(isinstance(p["period_start"], str) and len(p["period_start"]) == 10 for p in periods)
    assert main(["import", "hxl", str(REAL / "hxl_caf_hno_2022.csv"), "--mission", MISSION, "--period",
                 "2021/22", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_imported"] == 16
    assert main(["context", "--mission", MISSION, "--source", "hxl", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 16 and {r["file"] for r in rows} == {"hxl_caf_hno_2022.csv"}
    assert {r["period"] for r in rows} == {"2021/22"} and all(isinstance(r["value"], float) for r in rows)
    assert main(["context", "--mission", MISSION]) == 0
    text = capsys.readouterr().out
    assert "CF-UK Ouaka" in text and "nan" not in text
    assert main(["boundaries", "list", "--mission", MISSION]) == 0
    assert "shipped with cpas_kit: CAF_adm1.geojson — 17 areas" in capsys.readouterr().out
    assert main(["boundaries", "import", str(REAL / "caf_adm1_cod.geojson"), "--mission", MISSION]) == 0
    assert "17 area(s) read" in capsys.readouterr().out
    assert main(["boundaries", "list", "--mission", MISSION, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["version"] == 1


def test_worldbank_file_with_an_hxl_row_reads_as_the_plain_file(store, tmp_path):
    from cpas_kit.data_in.external import import_worldbank

    plain = EXTERNAL_FIXTURES / "API_NY.GDP.PCAP.CD_DS2_en_csv_v2_1887433_missions.csv"
    first = import_worldbank(store, plain, MISSION, actor=ACTOR)
    lines = plain.read_text(encoding="utf-8-sig").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith('"Country Name"'))
    width = len(next(csv.reader([lines[at]])))
    tags = ["#country+name", "#country+code", "#indicator+name", "#indicator+code"] + ["#value"] * (width - 4)
    tagged = tmp_path / plain.name
    meta = plain.with_name("Metadata_Country_" + plain.name)  # read beside it: region and income group
    tagged.with_name(meta.name).write_bytes(meta.read_bytes())
    tagged.write_text("\n".join([*lines[:at + 1], ",".join(tags), *lines[at + 1:]]) + "\n", encoding="utf-8")
    again = import_worldbank(store, tagged, MISSION, actor=ACTOR)
    assert first.rows_imported > 0 and (again.rows_imported, again.rows_unchanged) == (0, first.rows_imported)
    assert any(f"row {at + 2}" in n and "HXL" in n for n in again.notes)


def test_packs_map_the_missions_registered_boundaries(store):
    from cpas_kit.core.settings import PackParameters
    from cpas_kit.packs.data import load_pack_data
    from cpas_kit.packs.sections import conflict_context, pack_areas

    params = PackParameters(mission=MISSION, cycle="2021/22-Q3", db_url=store.url)
    shipped = set(pack_areas(load_pack_data(params))["area_code"])
    assert len(shipped) == 17 and all(c.startswith("CF-") for c in shipped)  # Natural Earth's ISO codes
    register_boundaries(store, REAL / "caf_adm1_cod.geojson", MISSION, actor=ACTOR)
    import_acled(store, REAL / "acled_caf_long_dates.csv", MISSION, actor=ACTOR)
    ctx = load_pack_data(params)
    pcodes = json.loads((REAL / "caf_adm1_cod_pcodes.json").read_text(encoding="utf-8"))
    assert sorted(pack_areas(ctx)["area_code"]) == sorted(pcodes.values())
    parts = list(conflict_context(ctx))
    html = str(getattr(parts[0], "data", parts[0]))
    q3 = [r for r in _rows("acled_caf_long_dates.csv") if r["country"] == CAR and quarter(
        datetime.strptime(r["event_date"], "%d %B %Y").date()) == "2021/22-Q3"]
    assert len(q3) == 3 and "Ouham" in html and len(parts) == 2  # the table and the maps, on the new areas
    spec = parts[1].to_dict()
    assert pcodes["CF-OP"] in json.dumps(spec)


def test_hdx_monthly_events_table_dated_by_month_and_year(store):
    """ACLED's monthly admin-2 tables as HDX publishes them: #date+month and #date+year, no full date."""
    rows = [r for r in _rows("hxl_caf_acled_monthly.csv") if not r["admin1"].startswith("#") and r["iso3"] == "CAF"]
    areas = {"Ouaka": "CF-UK", "Haute-Kotto": "CF-HK", "Nana-Gribizi": "CF-KB"}
    want: dict = defaultdict(float)
    for r in rows:
        day = datetime.strptime(f"1 {r['month']} {r['year']}", "%d %B %Y").date()
        want[("event+num", areas[r["admin1"]], quarter(day))] += float(r["events"])
        want[("affected+killed", areas[r["admin1"]], quarter(day))] += float(r["fatalities"])
    result = import_hxl(store, REAL / "hxl_caf_acled_monthly.csv", MISSION, actor=ACTOR)
    got = read_context_values(store, MISSION, source="hxl")
    assert {(r.indicator_code, r.admin1_code, r.period): r.value for r in got.itertuples()} == dict(want)
    assert any("#date+month and #date+year" in n for n in result.notes)


def test_a_download_cut_inside_a_quoted_cell(store):
    text = (REAL / "acled_cut_in_quotes.csv").read_text(encoding="utf-8")
    assert text.count('"') % 2 == 1 and not text.endswith("\n")  # the cut is inside a quoted cell
    rows = _rows("acled_multi_country_damaged.csv")[:10]  # the same events, whole
    result = import_acled(store, REAL / "acled_cut_in_quotes.csv", MISSION, actor=ACTOR)
    want = _expected(rows, lambda r: date.fromisoformat(r["event_date"]))
    assert _stored(store) == want and result.rows_read == 11
    assert any(n.startswith("Truncated file") for n in result.notes)
    assert any(n.startswith("Damaged rows skipped") and "row 12 (fatalities)" in n for n in result.notes)


def test_alias_files_of_the_mission_and_of_one_import(store, tmp_path, monkeypatch):
    from cpas_kit.core.errors import CpasError

    store.save_framework(demo_framework("DEMO-MLI"), effective_from="2021/22-Q1", actor=ACTOR)
    monkeypatch.setenv("CPAS_HOME", str(tmp_path))
    (tmp_path / "parameters" / "admin1_aliases").mkdir(parents=True)
    (tmp_path / "parameters" / "admin1_aliases" / "DEMO-MLI.yaml").write_text(
        "MLI:\n  areas:\n    ML-2: [Koulikouro]\n", encoding="utf-8")
    result = import_acled(store, REAL / "acled_mli_names.csv", "DEMO-MLI", actor=ACTOR)
    assert {m["name"]: m["how"] for m in result.matches}["Koulikouro"] == "alias"  # the mission's table, not fuzzy
    extra = tmp_path / "mine.yaml"
    extra.write_text("MLI:\n  ML-4: [Niono cercle]\n", encoding="utf-8")
    areas = mission_areas(store, "DEMO-MLI")
    from cpas_kit.data_in.external.aliases import load_aliases

    names = load_aliases("MLI", "DEMO-MLI", extra)
    assert "Niono cercle" in names["ML-4"] and "Koulikouro" in names["ML-2"] and "Tombouctou" in names["ML-6"]
    assert match_key(name_key("Niono cercle"), area_names(areas, "MLI", names))[:2] == ("ML-4", "alias")
    extra.write_text("MLI: [unclosed\n", encoding="utf-8")
    with pytest.raises(CpasError, match="not valid YAML"):
        import_acled(store, REAL / "acled_mli_names.csv", "DEMO-MLI", actor=ACTOR, aliases=extra)


def test_indicator_maps_keep_the_frameworks_codes(store):
    from cpas_kit.data_in.boundaries import framework_coded

    geography = demo_framework().mission.geography
    register_boundaries(store, REAL / "caf_adm1_cod.geojson", MISSION, actor=ACTOR)
    areas = mission_areas(store, MISSION)
    coded = framework_coded(areas, geography)  # the file carries ISO_CODE beside its p-codes
    pcodes = json.loads((REAL / "caf_adm1_cod_pcodes.json").read_text(encoding="utf-8"))
    assert dict(zip(areas["area_code"], coded["area_code"])) == {p: iso for iso, p in pcodes.items()}
    bare = areas.assign(pcode="")  # boundaries without the framework's codes: the shipped areas draw the values
    assert sorted(framework_coded(bare, geography)["area_code"]) == sorted(pcodes)
