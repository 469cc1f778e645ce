"""Many writers at once: 8 processes (as 8 Voila kernels would be), each with its own Store, each writing
200 observations as 200 separate transactions, all at the same time. Nothing may be lost or fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from cpas_kit.core.periods import period_range
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.demo import MISSION, demo_framework
from cpas_kit.store import Store
from tests.paths import REPO_ROOT

N_PROCESSES = 8
WRITES_PER_PROCESS = 200
CELLS = ["", "sex=female", "sex=male", "age_group=under18"]
MONTHS = [str(p) for p in period_range("2020-07", "2024-08")]  # 50 months × 4 cells = 200 rows
TIMEOUT_S = 120

# Each worker: open its own Store, build its 200 one-row frames, say "ready", wait for "go" on stdin,
# then write them one call at a time and report counts and timings as one JSON line.
WORKER = r"""
import json, sys, time
import pandas as pd
from cpas_kit.store import Store
from cpas_kit.data_in.store import ObservationStore

url, actor = sys.argv[1], sys.argv[2]
cells = json.loads(sys.stdin.readline())
store = Store(url)
frames = [pd.DataFrame([{
    "mission_code": c["mission_code"], "indicator_code": c["indicator_code"], "period": c["period"],
    "disaggregation": c["disaggregation"], "value": c["value"], "value_text": None,
    "source": "concurrency test", "verification_status": "entered", "is_synthetic": True, "note": None,
}]) for c in cells]
print("ready", flush=True)
if sys.stdin.readline().strip() != "go":
    sys.exit("no go signal")
counts = {"rows_read": 0, "inserted": 0, "updated": 0, "unchanged": 0}
started = time.time()
for frame in frames:
    result = ObservationStore(store).write_observations(frame, actor=actor)
    for k in counts:
        counts[k] += result[k]
finished = time.time()
store.close()
print(json.dumps({"actor": actor, "counts": counts, "started": started, "finished": finished}), flush=True)
"""


def _cells_for(indicator: str) -> list[dict]:
    return [
        {"mission_code": MISSION, "indicator_code": indicator, "period": month, "disaggregation": cell,
         "value": float(i * 10 + j)}
        for i, month in enumerate(MONTHS) for j, cell in enumerate(CELLS)
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.slow
def test_eight_processes_writing_at_once_lose_nothing(request, backend, tmp_path):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    fw = demo_framework()
    indicators = [i.code for _, _, i in fw.indicators() if i.kind == "quantitative"][:N_PROCESSES]
    assert len(indicators) == N_PROCESSES
    plan = {ind: _cells_for(ind) for ind in indicators}
    assert all(len(cells) == WRITES_PER_PROCESS for cells in plan.values())

    store = Store(url)  # migrated, with the mission row the observations refer to
    store.save_framework(fw, effective_from="2021/22-Q1", actor="t")
    store.close()

    pythonpath = [str(REPO_ROOT), os.environ.get("PYTHONPATH")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in pythonpath if p)}
    procs = []
    try:
        for k, ind in enumerate(indicators):
            err = open(tmp_path / f"worker-{k}.stderr", "w+")
            proc = subprocess.Popen([sys.executable, "-c", WORKER, url, f"worker-{k}"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=tmp_path)
            proc.stdin.write(json.dumps(plan[ind]) + "\n")
            proc.stdin.flush()
            procs.append((proc, err))

        for k, (proc, err) in enumerate(procs):  # barrier: every writer is ready before any starts
            line = proc.stdout.readline()
            if line.strip() != "ready":
                proc.wait(timeout=TIMEOUT_S)
                err.seek(0)
                pytest.fail(f"worker-{k} did not start (exit {proc.returncode}):\n{err.read()[-3000:]}")
        for proc, _ in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()

        reports, failures = [], []
        deadline = time.monotonic() + TIMEOUT_S
        for k, (proc, err) in enumerate(procs):
            out, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            if proc.returncode != 0:
                err.seek(0)
                failures.append(f"worker-{k} exited {proc.returncode}:\n{err.read()[-3000:]}")
                continue
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc, err in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            err.close()

    assert not failures, "\n\n".join(failures)
    assert len(reports) == N_PROCESSES
    for rep in reports:
        assert rep["counts"] == {"rows_read": WRITES_PER_PROCESS, "inserted": WRITES_PER_PROCESS,
                                 "updated": 0, "unchanged": 0}, rep
    # the writers really overlapped: the last one started before the first one finished
    assert max(r["started"] for r in reports) < min(r["finished"] for r in reports)

    check = Store(url)
    try:
        assert ObservationStore(check).count_observations() == N_PROCESSES * WRITES_PER_PROCESS == 1600
        obs = ObservationStore(check).observations(MISSION)
        got = {(r.indicator_code, r.period, r.disaggregation): (r.value, r.entered_by)
               for r in obs.itertuples()}
        expected = {(c["indicator_code"], c["period"], c["disaggregation"]): (c["value"], f"worker-{k}")
                    for k, ind in enumerate(indicators) for c in plan[ind]}
        assert len(got) == 1600
        missing = set(expected) - set(got)
        assert not missing, f"{len(missing)} cells lost, e.g. {sorted(missing)[:5]}"
        assert got == expected
        # every write left exactly one audit record
        audit = check.audit_log(mission=MISSION, entity="observation")
        assert len(audit) == 1600
        assert audit.groupby("actor").size().to_dict() == {f"worker-{k}": 200 for k in range(N_PROCESSES)}
    finally:
        check.close()
