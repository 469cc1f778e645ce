"""`cpas quality` on the demo store: the JSON shape, and follow-up, explanation and correction of findings."""

from __future__ import annotations

import json
import re

import pytest

from cpas_kit.cli import main as cli
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.quality import FollowUpError, QualityStore, find_finding, quality_report
from cpas_kit.quality.checks import RULES

STORE_CONTENT = "demo"
STORE_BACKENDS = ("sqlite",)
M, CYCLE = "UN-DEMO", "2023/24-Q4"


def _first(rep, rule: str) -> dict:
    f = rep.findings
    return f[f["rule"] == rule].iloc[0].to_dict()


def test_cpas_quality_json_has_the_interface_shape(store, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", store.url)
    assert cli.main(["quality", "--mission", M, "--cycle", CYCLE, "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert list(doc) == ["mission", "cycle", "findings", "completeness"]
    assert (doc["mission"], doc["cycle"]) == (M, CYCLE)
    assert doc["findings"] and all(list(f) == ["indicator_code", "cell", "period", "value", "rule", "detail", "state"]
                                   for f in doc["findings"])
    assert {f["rule"] for f in doc["findings"]} <= set(RULES) and {f["state"] for f in doc["findings"]} == {"open"}
    assert all(list(c) == ["section", "expected", "entered", "verified", "rejected", "median_days_late"]
               for c in doc["completeness"])
    assert not re.search(r"\bNaN\b|\bnan\b", out)
    obs = ObservationStore(store).observations(M, periods=[CYCLE])
    entered = obs[obs["value"].notna() | obs["value_text"].notna()]
    assert sum(c["entered"] for c in doc["completeness"]) <= len(entered)
    assert sum(c["verified"] for c in doc["completeness"]) <= int((entered["verification_status"] == "verified").sum())
    assert cli.main(["quality", "--mission", M, "--cycle", CYCLE]) == 0
    text = capsys.readouterr().out
    assert "Completeness and timeliness per section:" in text and not re.search(r"\bnan\b|\bNone\b", text)


def test_explained_findings_stop_being_flagged_for_that_value_only(store):
    rep = quality_report(store, M, CYCLE)
    f = _first(rep, "sudden_break")
    qs = QualityStore(store)
    with pytest.raises(FollowUpError, match="reason"):
        qs.record(M, f, state="explained", by="M&E", reason="")
    qs.record(M, f, state="explained", by="M&E", reason="a new checkpoint opened")
    again = quality_report(store, M, CYCLE)
    key = (f["indicator_code"], f["period"], f["cell"], f["rule"])
    keys = set(zip(again.findings["indicator_code"], again.findings["period"], again.findings["cell"],
                   again.findings["rule"]))
    assert key not in keys and again.explained == 1 and len(again.findings) == len(rep.findings) - 1
    shown = quality_report(store, M, CYCLE, include_explained=True).findings
    assert (shown["state"] == "explained").sum() == 1
    # the value changes (through the normal write): the explanation no longer covers it
    ObservationStore(store).write_observations([{"mission_code": M, "indicator_code": f["indicator_code"],
                                                 "period": f["period"], "disaggregation": f["cell"],
                                                 "value": f["value"] * 3 + 50, "source": "re-count"}], actor="M&E")
    third = quality_report(store, M, CYCLE)
    g = third.findings
    hit = g[(g["indicator_code"] == f["indicator_code"]) & (g["cell"] == f["cell"]) & (g["rule"] == "sudden_break")]
    assert list(hit["state"]) == ["open"]
    audit = store.audit_log(M, entity="quality_finding")
    assert list(audit["action"]) == ["explained"] and audit.iloc[0]["note"] == "a new checkpoint opened"


def test_follow_up_and_correction_through_the_normal_write(store, monkeypatch, capsys):
    monkeypatch.setenv("CPAS_DB_URL", store.url)
    f = _first(quality_report(store, M, CYCLE), "outlier_modified_z")
    args = ["--mission", M, "--cycle", CYCLE, "--indicator", f["indicator_code"], "--rule", f["rule"],
            "--cell", f["cell"], "--by", "M&E officer"]
    assert cli.main(["quality", "follow-up", *args]) == 0
    rep = quality_report(store, M, CYCLE)
    states = rep.findings.set_index(["indicator_code", "cell", "rule"])["state"]
    assert states[(f["indicator_code"], f["cell"], f["rule"])] == "follow_up"
    assert cli.main(["quality", "correct", *args, "--value", "1234", "--reason", "typo in the weekly report"]) == 0
    obs = ObservationStore(store).observations(M, indicators=[f["indicator_code"]], periods=[CYCLE])
    cell = obs[obs["disaggregation"] == f["cell"]].iloc[0]
    assert cell["value"] == 1234 and cell["entered_by"] == "M&E officer" and cell["verification_status"] == "entered"
    updates = store.audit_log(M, entity="observation")
    last = updates[updates["action"] == "update"].iloc[-1]
    assert json.loads(last["old_value"])["value"] == f["value"] and json.loads(last["new_value"])["value"] == 1234
    hist = QualityStore(store).history(M)
    assert list(hist["state"]) == ["follow_up", "corrected"] and hist.iloc[-1]["value"] == 1234
    capsys.readouterr()
    assert cli.main(["quality", "explain", *args[:-2], "--rule", "no_source", "--by", "x", "--reason", "r"]) == 1
    assert "there is no 'no_source' finding" in capsys.readouterr().err


def test_find_finding_names_what_to_run_when_there_is_none(store):
    with pytest.raises(FollowUpError, match="cpas quality --mission UN-DEMO"):
        find_finding(store, M, CYCLE, indicator="SEC-01", period=None, cell="no=such", rule="sudden_break")
