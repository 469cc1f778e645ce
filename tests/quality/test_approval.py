"""Submission and approval of a section's data for a cycle, and the lock refused through every write route."""

from __future__ import annotations

import json

import pytest

from cpas_kit.cli import main as cli
from cpas_kit.core.import_report import ImportRejected
from cpas_kit.data_in.approval import ApprovalError, ApprovalStore, ApprovedDataLocked
from cpas_kit.data_in.observations import import_observations
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.demo import demo_framework
from cpas_kit.exchange.bundle import export_mission, merge_file
from cpas_kit.quality import QualityStore
from cpas_kit.store import Store

STORE_CONTENT = "framework"
M, CYCLE = "UN-DEMO", "2023/24-Q4"
UNPOL = ("SEC-07", "SEC-08")  # UNPOL's indicators in the demo framework


def _obs(code: str, period: str = CYCLE, value: float = 5.0, cell: str = "") -> dict:
    return {"mission_code": M, "indicator_code": code, "period": period, "disaggregation": cell, "value": value,
            "source": "UNPOL weekly report"}


def _snapshot(store) -> list[tuple]:
    df = ObservationStore(store).observations(M)
    return sorted(zip(df["indicator_code"], df["period"], df["disaggregation"], df["value"],
                      df["verification_status"]))


def _approve_unpol(store) -> None:
    ObservationStore(store).write_observations([_obs("SEC-07"), _obs("SEC-08", value=7.0), _obs("SEC-04")],
                                               actor="focal point")
    a = ApprovalStore(store)
    a.submit(M, CYCLE, "UNPOL", by="UNPOL focal point")
    a.approve(M, CYCLE, "UNPOL", by="Chief of Staff")


def test_status_moves_with_who_when_and_why(store):
    a = ApprovalStore(store)
    status = {r["section"]: r["status"] for r in a.statuses(M, CYCLE)}
    assert set(status) == {s.code for s in demo_framework().sections} and set(status.values()) == {"no_data"}
    with pytest.raises(ApprovalError, match="has no data yet"):
        a.submit(M, CYCLE, "UNPOL", by="focal point")
    ObservationStore(store).write_observations([_obs("SEC-07")], actor="focal point")
    assert {r["section"]: r["status"] for r in a.statuses(M, CYCLE)}["UNPOL"] == "in_progress"
    a.submit(M, CYCLE, "UNPOL", by="focal point")
    with pytest.raises(ApprovalError, match="is submitted"):
        a.submit(M, CYCLE, "UNPOL", by="focal point")
    with pytest.raises(ApprovalError, match="reason"):
        a.return_(M, CYCLE, "UNPOL", by="CoS", reason=" ")
    a.return_(M, CYCLE, "UNPOL", by="CoS", reason="arrests by sex missing")
    with pytest.raises(ApprovalError, match="was returned"):
        a.approve(M, CYCLE, "UNPOL", by="CoS")
    a.submit(M, CYCLE, "UNPOL", by="focal point")
    a.approve(M, CYCLE, "UNPOL", by="CoS")
    with pytest.raises(ApprovalError, match="reason"):
        a.reopen(M, CYCLE, "UNPOL", by="CoS", reason="")
    a.reopen(M, CYCLE, "UNPOL", by="CoS", reason="late correction from Bangui")
    hist = a.history(M, CYCLE)
    assert list(hist["action"]) == ["submit", "return", "submit", "approve", "reopen"]
    assert list(hist["status"]) == ["submitted", "returned", "submitted", "approved", "in_progress"]
    assert list(hist["actor"]) == ["focal point", "CoS", "focal point", "CoS", "CoS"]
    assert hist["at"].notna().all() and hist["reason"].notna().tolist() == [False, True, False, False, True]
    audit = store.audit_log(M, entity="section_approval")
    assert list(audit["action"]) == ["submit", "return", "submit", "approve", "reopen"]
    with pytest.raises(Exception, match="section 'NOPE' is not in"):
        a.submit(M, CYCLE, "NOPE", by="x")


def test_approved_data_is_locked_for_direct_writes_and_reopened_with_a_reason(store):
    _approve_unpol(store)
    before = _snapshot(store)
    obs = ObservationStore(store)
    for rows in ([_obs("SEC-07", value=6.0)],  # a change
                 [_obs("SEC-08", cell="sex=female", value=3.0)],  # a new cell of the approved cycle
                 [_obs("SEC-08", period="2024-05", value=2.0)],  # a month inside the approved quarter
                 [_obs("SEC-04", value=9.0), _obs("SEC-07", value=6.0)]):  # one locked row refuses the whole write
        with pytest.raises(ApprovedDataLocked) as err:
            obs.write_observations(rows, actor="someone")
        msg = str(err.value)
        assert "UNPOL" in msg and "approved by Chief of Staff" in msg and "cpas reopen" in msg and "\n" not in msg
    assert _snapshot(store) == before
    assert obs.write_observations([_obs("SEC-07"), _obs("SEC-08", value=7.0)], actor="x")["unchanged"] == 2
    obs.write_observations([_obs("SEC-04", value=9.0), _obs("SEC-07", period="2023/24-Q3", value=1.0)], actor="x")
    ApprovalStore(store).reopen(M, CYCLE, "UNPOL", by="Chief of Staff", reason="Bangui figures corrected")
    assert obs.write_observations([_obs("SEC-07", value=6.0)], actor="x")["updated"] == 1


def test_verification_of_approved_values_is_refused_and_a_batch_leaves_them(store):
    _approve_unpol(store)
    obs = ObservationStore(store)
    with pytest.raises(ApprovedDataLocked):
        obs.verify(M, CYCLE, by="M&E", indicators=["SEC-07"], only_entered=False)
    assert obs.verify(M, CYCLE, by="M&E") == 1  # only SEC-04 (FORCE): UNPOL's approved values are left
    status = dict(zip(obs.observations(M)["indicator_code"], obs.observations(M)["verification_status"]))
    assert status == {"SEC-04": "verified", "SEC-07": "entered", "SEC-08": "entered"}


def test_import_of_a_file_touching_approved_data_is_refused(store, tmp_path):
    _approve_unpol(store)
    before = _snapshot(store)
    csv = tmp_path / "unpol.csv"
    csv.write_text("mission_code,indicator_code,period,disaggregation,value,value_text,source,note\n"
                   f"{M},SEC-04,{CYCLE},,12,,Force returns,\n{M},SEC-07,{CYCLE},,11,,UNPOL weekly,\n",
                   encoding="utf-8")
    with pytest.raises(ImportRejected) as err:
        import_observations(store, csv, actor="importer", write_error_file=False)
    errors = err.value.result.errors
    assert [(e.row, e.column) for e in errors] == [(3, "value")]  # the UNPOL row, not the Force's
    assert "approved by Chief of Staff" in errors[0].message and "cpas reopen" in errors[0].message
    assert _snapshot(store) == before
    assert store.table_counts()["imports"] == 0
    same = tmp_path / "same.csv"  # the approved values unchanged and a Force value: accepted
    same.write_text("mission_code,indicator_code,period,disaggregation,value,value_text,source,note\n"
                    f"{M},SEC-04,{CYCLE},,12,,Force returns,\n{M},SEC-07,{CYCLE},,5,,UNPOL weekly report,\n",
                    encoding="utf-8")
    assert import_observations(store, same, actor="importer", write_error_file=False).rows_imported == 1


def test_merge_that_would_change_approved_data_is_refused(store, tmp_path):
    mission = Store(f"sqlite:///{tmp_path / 'mission.sqlite'}")
    mission.save_framework(demo_framework(), effective_from="2021/22-Q1", actor="pytest")
    ObservationStore(mission).write_observations([_obs("SEC-07"), _obs("SEC-08", value=7.0),
                                                  _obs("SEC-08", cell="sex=male", value=4.0)], actor="field")
    out = tmp_path / "mission.jsonl.gz"
    export_mission(mission, M, out, cycle=CYCLE, actor="field")
    _approve_unpol(store)  # headquarters approved UNPOL's cycle before the file arrived
    before, counts = _snapshot(store), store.table_counts()
    with pytest.raises((ApprovedDataLocked, ImportRejected)) as err:
        merge_file(store, out, actor="HQ")
    assert "approved" in str(err.value) and "UNPOL" in str(err.value)
    assert _snapshot(store) == before and store.table_counts() == counts
    ApprovalStore(store).reopen(M, CYCLE, "UNPOL", by="Chief of Staff", reason="mission sent the male split")
    merge_file(store, out, actor="HQ")
    assert ("SEC-08", CYCLE, "sex=male", 4.0, "entered") in _snapshot(store)


def test_approvals_and_follow_ups_travel_in_the_exchange_file(store, tmp_path):
    _approve_unpol(store)
    finding = {"indicator_code": "SEC-04", "cell": "", "period": CYCLE, "rule": "no_source", "value": 5.0}
    QualityStore(store).record(M, finding, state="explained", by="M&E", reason="source is the Force's log")
    out = tmp_path / "hq.jsonl.gz"
    export_mission(store, M, out, cycle=CYCLE, actor="mission")
    hq = Store(f"sqlite:///{tmp_path / 'hq.sqlite'}")
    merge_file(hq, out, actor="HQ")
    assert [r["status"] for r in ApprovalStore(hq).statuses(M, CYCLE) if r["section"] == "UNPOL"] == ["approved"]
    assert merge_file(hq, out, actor="HQ").rows_imported == 0  # merging twice changes nothing
    followups = QualityStore(hq).followups(M, CYCLE)
    assert followups[("SEC-04", CYCLE, "", "no_source")]["reason"] == "source is the Force's log"
    with pytest.raises(ApprovedDataLocked):  # the approval locks headquarters' copy too
        ObservationStore(hq).write_observations([_obs("SEC-07", value=99.0)], actor="HQ")


def test_cli_steps_and_submissions(store, store_url, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", store_url)
    ObservationStore(store).write_observations([_obs("SEC-07")], actor="focal point")
    assert cli.main(["approve", "--mission", M, "--cycle", CYCLE, "--section", "UNPOL", "--by", "CoS"]) == 1
    err = capsys.readouterr().err
    assert "is in progress, so it cannot be approved now; submit it first" in err and err.count("\n") == 1
    assert cli.main(["submit", "--mission", M, "--cycle", CYCLE, "--section", "UNPOL", "--by", "focal point"]) == 0
    assert "in progress → submitted, by focal point" in capsys.readouterr().out
    assert cli.main(["return", "--mission", M, "--cycle", CYCLE, "--section", "UNPOL", "--by", "CoS",
                     "--reason", "add the sex split"]) == 0
    capsys.readouterr()
    assert cli.main(["submissions", "--mission", M, "--cycle", CYCLE, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    unpol = next(r for r in rows if r["section"] == "UNPOL")
    assert (unpol["status"], unpol["by"], unpol["reason"]) == ("returned", "CoS", "add the sex split")
    assert {r["status"] for r in rows if r["section"] != "UNPOL"} == {"no_data"}
    assert cli.main(["submissions", "--mission", M]) == 0
    assert f"{CYCLE} UNPOL: returned, return by CoS" in capsys.readouterr().out
