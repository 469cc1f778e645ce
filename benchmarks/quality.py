"""Data-quality checks at scale: every check of ``cpas quality`` for one mission-cycle, on SQLite and PostgreSQL.

Two stores per database: one mission (UN-DEMO's framework) with 100,000 values, and 12 missions (the demo
frameworks) with ``--values-per-mission`` values each (default: 1 M values across the 12 missions; pass
``--values-per-mission 1000000`` for 12 × 1 M). Values are synthetic:
every indicator × period (40 quarters) × cell, a trend plus noise, with 0.5 % of values multiplied by 5 so that
the outlier rules find something. The checks (``cpas_kit.quality.quality_report``: values read in one SQL query
limited to the cycle's series and the history window, rules in pandas, follow-ups, completeness) run for the
last quarter in a fresh process per store, so peak memory is the checks' own.

    python benchmarks/quality.py                                  # SQLite under /tmp
    python benchmarks/quality.py --pg-url postgresql+psycopg://cpas:cpas@127.0.0.1:5432/postgres

Generation reuses the bulk writer of ``benchmarks/scale.py`` (``executemany`` on SQLite, ``COPY`` on PostgreSQL).
Goal: ≤ 2 s per mission-cycle and ≤ 1 GB. Last line:
``quality: mission_s=… all_missions_s=… values=… peak_mb=…`` (mission_s: the 100,000-value mission;
all_missions_s: the 12 missions' checks one after another, the slowest database; values: rows in the big store;
peak_mb: the largest peak of a checking process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import BATCH, STAMP, _value, _writer  # noqa: E402  (the benchmarks' bulk writer)

FIRST, LAST = "2014/15-Q1", "2023/24-Q4"  # 40 quarters
COLS = ["mission_code", "indicator_code", "period", "period_start", "disaggregation", "value", "value_text",
        "source", "entered_by", "entered_at", "verification_status", "verified_by", "verified_at", "is_synthetic",
        "note"]


def generate(url: str, n_missions: int, per_mission: int) -> int:
    """A fresh store with ``n_missions`` demo frameworks and about ``per_mission`` values each; return the rows."""
    from cpas_kit import demo
    from cpas_kit.core.periods import period_range
    from cpas_kit.store import Store

    store = Store(url)
    periods = period_range(FIRST, LAST)
    insert, close = _writer(store)
    rng = random.Random(16)
    written = 0
    for code in demo.demo_mission_codes()[:n_missions]:
        fw = demo.demo_framework(code)
        store.save_framework(fw, effective_from=FIRST, actor="quality benchmark")
        inds = [i for _, _, i in fw.indicators()]
        cells = max(0, per_mission // (len(inds) * len(periods)) - 1)
        parts = [f"admin1=Z{a:03d};sex={s}" for a in range(cells // 2 + 1) for s in ("female", "male")]
        keys = ["", *parts][:cells + 1]
        batch = []
        for ind in inds:
            base = float(ind.baseline.value or 50.0)
            for k, p in enumerate(periods):
                for j, key in enumerate(keys):
                    level = base * (1 + 0.01 * k) / (1 if key == "" else len(keys))
                    value = max(0.0, round(level + rng.gauss(0, level * 0.1 + 0.5), 1))
                    if rng.random() < 0.005:
                        value *= 5
                    qual = ind.kind == "qualitative"
                    batch.append(tuple(_value(store, v) for v in (
                        code, ind.code, str(p), p.start, key, None if qual else value,
                        "assessment (synthetic)" if qual else None, "synthetic (quality benchmark)",
                        "quality benchmark", STAMP, "entered", None, None, True, None)))
                    if len(batch) >= BATCH:
                        insert("observations", COLS, batch)
                        written += len(batch)
                        batch = []
        if batch:
            insert("observations", COLS, batch)
            written += len(batch)
    close()
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:  # fresh statistics, as a server's autovacuum would keep them
            conn.exec_driver_sql("ANALYZE observations")
            conn.commit()
    store.close()
    return written


def check(url: str, missions: list[str]) -> dict:
    """Run every check for the last cycle of each mission; seconds per mission and the process's peak memory."""
    from cpas_kit.quality import quality_report
    from cpas_kit.store import Store

    store = Store(url)
    seconds, cpu, findings = [], [], 0
    for m in missions:
        t0, c0 = time.perf_counter(), time.process_time()
        rep = quality_report(store, m, LAST)
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        findings += len(rep.findings)
    return {"seconds": seconds, "cpu": cpu, "findings": findings,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _fresh_pg(base: str, name: str) -> str:
    """An empty PostgreSQL database ``name`` on the server of ``base``; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _run_check(url: str, missions: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, "check", "--url", url, "--missions", ",".join(missions)],
                         check=True, capture_output=True, text=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", nargs="?", default="all", choices=["all", "check"])
    p.add_argument("--url", help="check: the store")
    p.add_argument("--missions", help="check: comma-separated mission codes")
    p.add_argument("--pg-url", default=os.environ.get("CPAS_TEST_PG_URL"),
                   help="a PostgreSQL server URL (default: $CPAS_TEST_PG_URL; none: SQLite only)")
    p.add_argument("--mission-values", type=int, default=100_000)
    p.add_argument("--values-per-mission", type=int, default=1_000_000 // 12,
                   help="values per mission of the 12-mission store (default: 1 M values across the 12 missions; "
                        "1000000 gives 12 M rows, which takes long to generate on a shared machine)")
    p.add_argument("--n-missions", type=int, default=12)
    p.add_argument("--dir", default="/tmp/cpas_quality_bench")
    a = p.parse_args()
    if a.step == "check":
        print(json.dumps(check(a.url, a.missions.split(","))))
        return
    from cpas_kit import demo

    Path(a.dir).mkdir(parents=True, exist_ok=True)
    targets = [("sqlite", lambda name: f"sqlite:///{a.dir}/{name}.sqlite")]
    if a.pg_url:
        targets.append(("postgresql", lambda name: _fresh_pg(a.pg_url, f"cpas_quality_{name}")))
    many = demo.demo_mission_codes()[:a.n_missions]
    results: dict = {}
    for db, make in targets:
        for name, n_missions, per in (("one", 1, a.mission_values), ("many", a.n_missions, a.values_per_mission)):
            if db == "sqlite":
                Path(f"{a.dir}/{name}.sqlite").unlink(missing_ok=True)
            url = make(name)
            t0 = time.perf_counter()
            rows = generate(url, n_missions, per)
            gen_s = time.perf_counter() - t0
            res = _run_check(url, many[:n_missions])
            results[(db, name)] = {**res, "rows": rows}
            print(f"{db:10s} {name:4s}: {rows:>10,} values generated in {gen_s:6.1f} s; checks per mission-cycle "
                  f"max {max(res['seconds']):.2f} s (CPU {max(res['cpu']):.2f} s), total {sum(res['seconds']):.2f} s, "
                  f"{res['findings']:,} findings, "
                  f"peak {res['peak_mb']:.0f} MB", flush=True)
    mission_s = max(r["seconds"][0] for (db, name), r in results.items() if name == "one")
    all_s = max(sum(r["seconds"]) for (db, name), r in results.items() if name == "many")
    per_cycle = max(max(r["seconds"]) for r in results.values())
    values = max(r["rows"] for (db, name), r in results.items() if name == "many")
    peak = max(r["peak_mb"] for r in results.values())
    cpu = max(max(r["cpu"]) for r in results.values())
    print(f"databases: {', '.join(db for db, _ in targets)}; slowest mission-cycle {per_cycle:.2f} s wall, "
          f"{cpu:.2f} s CPU (goal 2 s; wall time grows with the machine's load); peak {peak:.0f} MB (goal 1024 MB)")
    print(f"quality: mission_s={mission_s:.2f} all_missions_s={all_s:.2f} values={values} peak_mb={peak:.0f}")


if __name__ == "__main__":
    main()
