"""UN peacekeeping fatalities: the Data Hub CSV checked whole, imported idempotently keyed by its id, counted in SQL
by mission, year and type of incident, on SQLite and PostgreSQL; the nationality columns stay the casualty's."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
from sqlalchemy import inspect, select

from cpas_kit.cli.main import main
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.external.fatalities import import_fatalities
from cpas_kit.data_in.external.fatalities_store import FatalityStore
from cpas_kit.store import Store
from cpas_kit.store.schema import fatalities
from tests.paths import EXTERNAL_FIXTURES

FIXTURE = EXTERNAL_FIXTURES / "un_fatalities.csv"


def _rows() -> list[dict[str, str]]:
    with open(FIXTURE, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_import_is_whole_idempotent_and_counts_match_the_file(store_url):
    store = Store(store_url)
    first = import_fatalities(store, FIXTURE, actor="tester")
    rows = _rows()
    assert (first.rows_read, first.rows_imported, first.rows_unchanged) == (len(rows), len(rows), 0)
    assert set(first.to_json()) >= {"rows_read", "rows_imported", "rows_unchanged", "rows_unmatched", "errors"}
    counts_before = store.table_counts()
    again = import_fatalities(store, FIXTURE, actor="tester")
    assert (again.rows_imported, again.rows_unchanged) == (0, len(rows))
    assert store.table_counts() == counts_before  # not even a provenance row

    by_mission = FatalityStore(store).fatalities_summary(["mission"])
    assert dict(zip(by_mission["mission_acronym"],
                    by_mission["fatalities"])) == Counter(r["mission_acronym"] for r in rows)
    by_year = FatalityStore(store).fatalities_summary(["year"], missions=["MINUSMA"])
    expected = Counter(int(r["incident_date"][:4]) for r in rows if r["mission_acronym"] == "MINUSMA")
    assert dict(zip(by_year["year"], by_year["fatalities"])) == expected
    by_incident = FatalityStore(store).fatalities_summary(["incident"], first_year=2022, last_year=2022)
    expected = Counter(r["type_of_incident"] for r in rows if r["incident_date"].startswith("2022"))
    assert dict(zip(by_incident["type_of_incident"], by_incident["fatalities"])) == expected
    store.close()


def test_nationality_columns_are_the_casualtys_and_named_so(sqlite_url):
    store = Store(sqlite_url)
    import_fatalities(store, FIXTURE, actor="tester")
    columns = {c["name"] for c in inspect(store.engine).get_columns("fatalities")}
    assert {"casualty_nationality", "casualty_m49_code", "casualty_iso3"} <= columns
    assert not columns & {"isocode3", "m49_code", "country_iso3",
                          "country"}  # nothing that reads as the mission's country
    with store.engine.connect() as conn:
        row = conn.execute(select(fatalities).where(fatalities.c.source_id == "8104")).mappings().one()
    assert (row["mission_acronym"], row["casualty_nationality"], row["casualty_iso3"], row["casualty_m49_code"]) == \
        ("MINUSCA", "Bangladesh", "BGD", "050")  # a Bangladeshi peacekeeper in the Central African Republic
    assert str(row["incident_date"]) == "2021-11-21" and row["incident_year"] == 2021
    store.close()


def test_a_corrected_row_replaces_the_stored_one_and_the_old_value_is_audited(sqlite_url, tmp_path):
    store = Store(sqlite_url)
    import_fatalities(store, FIXTURE, actor="tester")
    text = FIXTURE.read_text(encoding="utf-8").replace("8101,2023-01-03,2023-MIN-1001,MINUSCA,Fatality,Male,Cameroon,"
                                                      "Military,Accident", "8101,2023-01-03,2023-MIN-1001,MINUSCA,"
                                                      "Fatality,Male,Cameroon,Military,Malicious Act")
    corrected = tmp_path / "fatalities_v2.csv"
    corrected.write_text(text, encoding="utf-8")
    result = import_fatalities(store, corrected, actor="tester")
    assert (result.rows_imported, result.rows_unchanged) == (1, len(_rows()) - 1)
    audit = store.audit_log(entity="fatality")
    assert len(audit) == 1 and json.loads(audit.iloc[0]["old_value"]) == {"type_of_incident": "Accident"}
    assert store.table_counts()["fatalities"] == len(_rows())
    store.close()


def test_a_bad_file_lists_every_problem_and_writes_nothing(sqlite_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,Incident_Date,Mission_Acronym,Type_Of_Incident,M49_Code,ISOCode3\n"
                   "1,2021-02-30,MINUSCA,Illness,50,BGD\n"
                   "1,2021-03-01,,Accident,abc,BG\n"
                   "3,2099-01-01,MINUSMA,Malicious Act,,\n"
                   ",2021-05-05,UNMISS,Illness,728,SSD\n", encoding="utf-8")
    store = Store(sqlite_url)
    with pytest.raises(ImportRejected) as exc:
        import_fatalities(store, bad, actor="tester")
    problems = {(p.row, p.column) for p in exc.value.result.errors}
    assert problems == {(2, "incident_date"), (3, "id"), (3, "mission_acronym"), (3, "m49_code"), (3, "isocode3"),
                        (4, "incident_date"), (5, "id")}
    assert store.table_counts()["fatalities"] == 0 and store.table_counts()["imports"] == 0
    missing = tmp_path / "missing.csv"
    missing.write_text("id,incident_date\n1,2021-01-01\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as exc:
        import_fatalities(store, missing, actor="tester")
    assert [(p.row, p.column) for p in exc.value.result.errors] == [(1, "mission_acronym")]
    store.close()


def test_cli_import_and_counts(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CPAS_DB_URL", f"sqlite:///{tmp_path}/s.sqlite")
    assert main(["fatalities", "--by", "mission"]) == 0
    assert "cpas import fatalities" in capsys.readouterr().out
    assert main(["import", "fatalities", str(FIXTURE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows_imported"] == len(_rows()) and out["errors"] == []
    assert main(["fatalities", "--by", "incident", "--mission", "UNFICYP", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"type_of_incident": "Illness", "fatalities": 1}]
    assert main(["fatalities", "--by", "year"]) == 0
    text = capsys.readouterr().out
    assert "2021" in text and f"Total: {len(_rows())} fatalities" in text
    assert main(["fatalities", "--by", "year", "--mission", "NOPE"]) == 0
    assert "MINUSCA" in capsys.readouterr().out  # says which missions the file has
    bad = tmp_path / "bad.csv"
    bad.write_text("id,incident_date,mission_acronym\n1,not a date,MINUSCA\n", encoding="utf-8")
    assert main(["import", "fatalities", str(bad), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["errors"][0]["column"] == "incident_date"
