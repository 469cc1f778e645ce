"""Batch packs: parallel workers, a manifest of every run, one failure never stops the others."""

from __future__ import annotations

import json

import pytest

from cpas_kit.demo import demo_mission_codes
from cpas_kit.packs.batch import missions_with_parameters, run_batch


def test_every_demo_mission_has_parameters_and_a_code_that_is_not_a_real_mission():
    assert set(missions_with_parameters()) == set(demo_mission_codes())
    assert len(demo_mission_codes()) == 12
    real = {"MINUSCA", "MONUSCO", "UNMISS", "MINUSMA", "UNIFIL", "UNMIK", "UNFICYP"}
    assert all(code == "UN-DEMO" or code.startswith("DEMO-") for code in demo_mission_codes())
    assert not real & set(demo_mission_codes())


@pytest.mark.slow
@pytest.mark.notebook
def test_batch_builds_in_parallel_and_records_a_failure_without_stopping(demo_sqlite_url, tmp_path, monkeypatch):
    from cpas_kit.demo import load_demo_missions
    from cpas_kit.store import Store

    store = Store(demo_sqlite_url)
    load_demo_missions(store, ["DEMO-LBN"])
    store.close()
    monkeypatch.setenv("CPAS_OUTPUTS", str(tmp_path / "outputs"))
    manifest = run_batch(["UN-DEMO", "DEMO-NOWHERE", "DEMO-LBN"], cycle="2023/24-Q4", db_url=demo_sqlite_url,
                         jobs=2, progress=False, documents=False)
    runs = {r["mission"]: r for r in manifest["runs"]}
    assert [r["mission"] for r in manifest["runs"]] == ["UN-DEMO", "DEMO-NOWHERE", "DEMO-LBN"]
    assert runs["UN-DEMO"]["ok"] and runs["DEMO-LBN"]["ok"]
    assert not runs["DEMO-NOWHERE"]["ok"] and "DEMO-NOWHERE" in runs["DEMO-NOWHERE"]["error"]
    assert (manifest["ok"], manifest["failed"], manifest["jobs"]) == (2, 1, 2)
    pack = runs["DEMO-LBN"]["files"][0]
    assert pack["path"] == "DEMO-LBN/2023-24-Q4/pack.html" and len(pack["sha256"]) == 64 and pack["bytes"] > 100_000
    on_disk = json.loads((tmp_path / "outputs" / "manifest.json").read_text())
    assert {r["mission"] for r in on_disk["runs"]} == {"UN-DEMO", "DEMO-NOWHERE", "DEMO-LBN"}
    again = run_batch(["DEMO-LBN"], cycle="2023/24-Q4", db_url=demo_sqlite_url, jobs=1, progress=False,
                      documents=False)
    assert again["ok"] == 1
    on_disk = json.loads((tmp_path / "outputs" / "manifest.json").read_text())
    assert sorted(r["mission"] for r in on_disk["runs"]) == ["DEMO-LBN", "DEMO-NOWHERE", "UN-DEMO"], \
        "a later batch replaces its own missions' entries and keeps the others"
