"""Headquarters scale: a store of 10 M observations and 2 M conflict events across 12 missions (≈100× the CPAS
platform's 110,000 data points), and the time of each cross-mission study aggregate (:mod:`cpas_kit.study.aggregates`)
on it, beside a naive pandas baseline (read the tables into pandas, then filter and group) in the same run.

Three processes, so that each one's peak memory is its own: ``generate`` builds the store (skipped with
``--reuse`` when it exists), ``study`` times every aggregate in a fresh process (first call, no warm-up) and
reports its peak resident memory, ``naive`` does the comparable work the naive way. Generation writes through
the database driver in big batches (``executemany`` on SQLite, ``COPY`` on PostgreSQL) and takes minutes; it
is not part of CI.

    python benchmarks/scale.py                                   # SQLite file under /tmp
    python benchmarks/scale.py --url postgresql+psycopg://cpas:cpas@127.0.0.1:5432/cpas_scale

Goal: ≤ 2 s per aggregate and ≤ 3 GB peak memory. Last line:
``scale: aggregate_max_s=… peak_mb=… naive_ratio=…`` (naive_ratio = naive seconds ÷ study seconds, for the
aggregates both compute).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

DEFAULT_URL = "sqlite:////tmp/cpas_scale/scale.sqlite"
FIRST, LAST = "2014/15-Q1", "2023/24-Q4"  # 40 quarters
AREA = "poc"  # the area with the most mapped and tagged indicators in the demo frameworks
BATCH = 100_000
STAMP = datetime(2024, 7, 15, tzinfo=timezone.utc)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- generation ------------------------------------------------------------------------------------------------

def _writer(store):
    """(insert rows into a table fast, finish) for the store's database."""
    raw = store.engine.raw_connection()
    dbapi = raw.driver_connection
    if store.dialect == "sqlite":
        dbapi.execute("PRAGMA synchronous=OFF")
        dbapi.execute("PRAGMA cache_size=-1000000")

        def insert(table: str, cols: list[str], rows: list[tuple]) -> None:
            dbapi.execute("BEGIN")
            dbapi.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
            dbapi.execute("COMMIT")
    else:
        def insert(table: str, cols: list[str], rows: list[tuple]) -> None:
            with dbapi.cursor() as cur:
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            dbapi.commit()
    return insert, raw.close


def _value(store, v):
    """Dates and times as the store's dialect keeps them through the raw driver."""
    if store.dialect == "sqlite":
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
    return v


def generate(url: str, n_obs: int, n_events: int, n_missions: int) -> dict:
    """Build the store: demo frameworks, observations, events, recommendations, workshop results, fatalities."""
    from cpas_kit import demo
    from cpas_kit.core.periods import Period, period_range
    from cpas_kit.store import Store

    t0 = time.perf_counter()
    store = Store(url)
    codes = demo.demo_mission_codes()[:n_missions]
    frameworks = {}
    for code in codes:
        fw = demo.demo_framework(code)
        store.save_framework(fw, effective_from=FIRST, actor="scale benchmark")
        frameworks[code] = fw
    periods = period_range(FIRST, LAST)
    insert, close = _writer(store)
    def conv(row):
        return tuple(_value(store, v) for v in row)

    rng = random.Random(20240630)

    # observations: every indicator × period, the total plus as many disaggregation cells as the target needs
    n_ind = sum(len(list(fw.indicators())) for fw in frameworks.values())
    cells = max(0, n_obs // (n_ind * len(periods)) - 1)
    cell_keys = sorted(f"admin1=Z{a:02d};age_group=g{g};sex={s}" for a in range(cells // 6 + 1) for g in range(3)
                       for s in ("female", "male"))[:cells]
    cols = ["mission_code", "indicator_code", "period", "period_start", "disaggregation", "value", "value_text",
            "source", "entered_by", "entered_at", "verification_status", "verified_by", "verified_at", "is_synthetic",
            "note"]
    batch, written = [], 0
    for code, fw in frameworks.items():
        for _, _, ind in fw.indicators():
            base = float(ind.baseline.value or 50.0)
            for k, p in enumerate(periods):
                total = max(0.0, round(base * (1 + 0.02 * k) + rng.gauss(0, base * 0.05 + 1), 1))
                status = "verified" if rng.random() < 0.8 else "entered"
                for key in ("", *cell_keys):
                    value = total if key == "" else round(total * rng.random() / 4, 1)
                    text = "assessment (synthetic)" if ind.kind == "qualitative" and key == "" else None
                    batch.append(conv((code, ind.code, str(p), p.start, key,
                                       None if ind.kind == "qualitative" else value, text,
                                       "synthetic (scale benchmark)",
                                       "scale benchmark", STAMP, status, "bench" if status == "verified" else None,
                                       STAMP if status == "verified" else None, True, None)))
                if len(batch) >= BATCH:
                    insert("observations", cols, batch)
                    written += len(batch)
                    batch = []
    if batch:
        insert("observations", cols, batch)
        written += len(batch)
    t_obs = time.perf_counter() - t0

    # conflict events: one import per mission and source, spread over the 40 quarters and 20 areas
    from sqlalchemy import insert as sql_insert

    from cpas_kit.store.engine import run_write
    from cpas_kit.store.schema import imports

    def _import(kind: str, mission: str | None, rows: int) -> int:
        return run_write(store.engine, lambda c: c.execute(sql_insert(imports).values(
            kind=kind, mission_code=mission, file_name=f"scale_{kind}.csv", file_sha256="0" * 64, imported_at=STAMP,
            imported_by="scale benchmark", rows_read=rows, rows_imported=rows, rows_unchanged=0, rows_unmatched=0,
        ).returning(imports.c.id)).scalar_one())

    ev_cols = ["mission_code", "source", "source_event_id", "event_date", "period", "period_start", "disorder_type",
               "event_type", "sub_event_type", "actor1", "actor2", "inter1", "inter2", "civilian_targeting",
               "admin1_name", "admin2_name", "location", "latitude", "longitude", "admin1_code", "admin1_match",
               "fatalities_best", "fatalities_low", "fatalities_high", "fatalities_civilians", "data_source",
               "row_hash", "import_id"]
    per_mission = n_events // len(codes)
    days = (periods[-1].end - periods[0].start).days
    for code in codes:
        ids = {src: _import(src, code, per_mission // 2) for src in ("acled", "ucdp")}
        batch = []
        for j in range(per_mission):
            src = "acled" if j % 2 == 0 else "ucdp"
            day = periods[0].start + timedelta(days=j * days // per_mission)
            p = Period.containing(day, "quarter")
            area = j % 20
            best = rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8))
            batch.append(conv((code, src, f"{src}-{j}", day, str(p), p.start, "Political violence", "Battles",
                               "Armed clash", "Armed group A", "Military forces", "Rebel group", "State forces",
                               j % 7 == 0, f"Area {area}", None, f"Place {j % 500}", 5.0 + area * 0.1,
                               20.0 + area * 0.1,
                               f"ZZ-{area:02d}", "name", best, best, best + 1, best if j % 7 == 0 else 0, src,
                               f"{j:032x}", ids[src])))
            if len(batch) >= BATCH:
                insert("events", ev_cols, batch)
                batch = []
        if batch:
            insert("events", ev_cols, batch)
    t_events = time.perf_counter() - t0 - t_obs

    # recommendations (identity + append-only events), workshop agreed results, fatalities, World Bank values
    rec_rows, ev_rows, sessions, agreed = [], [], [], []
    rec_id = ev_id = sess_id = 0
    decisions = ("Approved", "Approved", "Rejected", "Deferred")
    for code, fw in frameworks.items():
        outcomes = [(p.code, o.code) for p, o in fw.outcomes()]
        for r in range(400):
            rec_id += 1
            prio, outc = outcomes[r % len(outcomes)]
            cycle = str(periods[r % len(periods)])
            rec_rows.append(conv((rec_id, code, f"{code}-{r:06d}", f"Recommendation {r} (synthetic)", prio, outc, cycle,
                                  "scale benchmark", STAMP, None, "scale benchmark")))
            ev_id += 1
            ev_rows.append(conv((ev_id, rec_id, code, STAMP, "bench", "create", None, None,
                                 json.dumps({"decision": "Awaiting Review", "progress": "Not Assigned"}), "bench")))
            if r % 5 < 3:
                decision = decisions[r % 4]
                ev_id += 1
                ev_rows.append(conv((ev_id, rec_id, code, STAMP, "bench", "decide", "decision", "Awaiting Review",
                                     decision, "bench")))
                if decision == "Approved" and r % 2 == 0:
                    ev_id += 1
                    ev_rows.append(conv((ev_id, rec_id, code, STAMP, "bench", "progress", "progress", "Not Assigned",
                                         "Implemented" if r % 4 == 0 else "Ongoing", "bench")))
        for k, p in enumerate(periods):
            sess_id += 1
            sessions.append(conv((sess_id, f"S{sess_id:07d}", code, str(p), 1, "closed", "0" * 64,
                                  json.dumps([o for _, o in outcomes]), 0, json.dumps({o: pr for pr, o in outcomes}),
                                  "[]", json.dumps(["significant progress", "some progress", "no change"]),
                                  json.dumps(["significant", "some", "none"]), STAMP, "bench")))
            for i, (_, o) in enumerate(outcomes):
                agreed.append(conv((sess_id, o, ("significant progress", "some progress", "no change")[(k + i) % 3],
                                    ("significant", "some", "none")[(k * i) % 3], "synthetic", "bench", STAMP)))
    insert("recommendations", ["id", "mission_code", "rec_key", "text", "priority_code", "outcome_code",
                               "cycle_recommended", "source", "created_at", "source_session", "created_by"], rec_rows)
    insert("recommendation_events", ["id", "recommendation_id", "mission_code", "at", "actor", "action", "field",
                                     "from_value", "to_value", "comment"], ev_rows)
    insert("workshop_sessions", ["id", "code", "mission_code", "cycle", "framework_version", "status",
                                 "facilitator_key_hash", "outcome_order", "current_index", "outcome_priorities",
                                 "sections", "progress_scale", "contribution_scale", "created_at", "created_by"],
           sessions)
    insert("workshop_agreed", ["session_id", "outcome_code", "progress", "contribution", "analysis", "agreed_by",
                               "agreed_at"], agreed)
    fat_import = _import("fatalities", None, 50_000)
    acronyms = ("MINUSCA", "MINUSMA", "MONUSCO", "UNMISS", "UNIFIL", "UNFICYP", "UNISFA", "MINURSO", "UNDOF", "UNMIK")
    fat = [conv((str(i), date(2000 + i % 24, 1 + i % 12, 1 + i % 28), 2000 + i % 24, f"C{i}", acronyms[i % 10],
                 "Fatality", "Male", "Nationality", "Military",
                 ("Malicious Act", "Illness", "Accident", "Other")[i % 4], "050", "BGD", date(2024, 5, 31), fat_import))
           for i in range(50_000)]
    insert("fatalities", ["source_id", "incident_date", "incident_year", "casualty_id", "mission_acronym",
                          "type_of_casualty", "gender", "casualty_nationality", "casualty_personnel_type",
                          "type_of_incident", "casualty_m49_code", "casualty_iso3", "last_update", "import_id"], fat)
    wb_import = _import("worldbank", codes[0], 480)
    wb = [conv((code, "worldbank", ind, ind, "US$", "", None, str(y), date(y, 1, 1), date(y, 12, 31),
                float(100 + y), None, wb_import))
          for code in codes for ind in ("NY.GDP.PCAP.CD", "SP.POP.TOTL") for y in range(2004, 2024)]
    insert("context_values", ["mission_code", "source", "indicator_code", "indicator_name", "unit", "admin1_code",
                              "admin1_name", "period", "period_start", "period_end", "value", "value_text",
                              "import_id"],
           wb)
    if store.dialect == "postgresql":  # serial ids were given explicitly above: move the sequences on
        raw = store.engine.raw_connection()
        with raw.driver_connection.cursor() as cur:
            for t in ("recommendations", "recommendation_events", "workshop_sessions"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))")
            cur.execute("ANALYZE")
        raw.driver_connection.commit()
        raw.close()
    close()
    store.close()
    return {"observations": written, "events": per_mission * len(codes), "missions": len(codes),
            "observations_s": round(t_obs, 1), "events_s": round(t_events, 1),
            "total_s": round(time.perf_counter() - t0, 1)}


# -- the study's aggregates and the naive baseline ------------------------------------------------------------

def study(url: str) -> dict:
    """Time each aggregate of cpas_kit.study.aggregates once, in this fresh process."""
    from cpas_kit.store import Store
    from cpas_kit.study import aggregates as st

    store = Store(url)
    scope = st.make_scope(AREA, FIRST, LAST)
    runs = {
        "coverage": lambda: st.coverage(store, scope),
        "trends_baseline": lambda: st.trends(store, scope, "baseline"),
        "trends_minmax": lambda: st.trends(store, scope, "minmax"),
        "ratings": lambda: st.ratings(store, scope),
        "recommendations": lambda: st.recommendation_rates(store, scope),
        "fatalities_year": lambda: st.fatalities(store, scope, "year"),
        "fatalities_incident": lambda: st.fatalities(store, scope, "incident"),
        "events_mission": lambda: st.conflict_events(store, scope, "mission"),
        "events_period": lambda: st.conflict_events(store, scope, "period"),
        "worldbank": lambda: st.worldbank_context(store, scope),
    }
    out = {}
    for name, fn in runs.items():
        t0 = time.perf_counter()
        rows = len(fn())
        out[name] = {"seconds": round(time.perf_counter() - t0, 3), "rows": rows}
    return {"aggregates": out, "peak_mb": round(_peak_mb(), 1)}


def naive(url: str) -> dict:
    """The same coverage, trends and event counts the naive way: whole tables into pandas, then filter and group."""
    import pandas as pd
    from sqlalchemy import create_engine

    from cpas_kit.store import Store
    from cpas_kit.study import aggregates as st

    store = Store(url)
    scope = st.make_scope(AREA, FIRST, LAST)
    mapped = st.area_indicators(store, scope)  # the small mapping is not what is being compared
    engine = create_engine(url)
    t0 = time.perf_counter()
    obs = pd.read_sql_table("observations", engine, columns=["mission_code", "indicator_code", "period", "period_start",
                                                              "disaggregation", "value", "verification_status"])
    obs = obs[(obs["disaggregation"] == "") & (obs["verification_status"] != "rejected")]
    obs = obs.merge(mapped[["mission_code", "indicator_code", "standard_code", "baseline_value"]],
                    on=["mission_code", "indicator_code"])
    coverage = obs.groupby(["mission_code", "indicator_code"]).agg(first=("period_start", "min"),
                                                                   n=("period", "nunique"))
    trends = obs[obs["standard_code"].notna()].assign(index=lambda f: f["value"] * 100 / f["baseline_value"])
    t_obs = time.perf_counter() - t0
    t1 = time.perf_counter()
    ev = pd.read_sql_table("events", engine, columns=["mission_code", "source", "period", "period_start",
                                                       "fatalities_best", "civilian_targeting"])
    ev = ev[(ev["period_start"] >= pd.Timestamp(scope.start)) & (ev["period_start"] <= pd.Timestamp(scope.end))]
    by_mission = ev.groupby(["mission_code", "source"]).agg(events=("period", "size"), dead=("fatalities_best", "sum"))
    by_period = ev.groupby(["mission_code", "source", "period"]).size()
    t_ev = time.perf_counter() - t1
    return {"observations_s": round(t_obs, 2), "events_s": round(t_ev, 2), "peak_mb": round(_peak_mb(), 1),
            "rows": [len(coverage), len(trends), len(by_mission), len(by_period)]}


def _child(phase: str, url: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, "--url", url, "--observations", str(args.observations),
           "--events", str(args.events), "--missions", str(args.missions)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        raise SystemExit(f"scale: the {phase} phase failed")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=DEFAULT_URL, help=f"store to build and measure (default {DEFAULT_URL})")
    p.add_argument("--observations", type=int, default=10_000_000)
    p.add_argument("--events", type=int, default=2_000_000)
    p.add_argument("--missions", type=int, default=12)
    p.add_argument("--reuse", action="store_true", help="measure an existing store instead of building it again")
    p.add_argument("--phase", choices=["generate", "study", "naive"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        fn = {"generate": lambda: generate(args.url, args.observations, args.events, args.missions),
              "study": lambda: study(args.url), "naive": lambda: naive(args.url)}[args.phase]
        print(json.dumps(fn()))
        return 0
    if not args.reuse:
        _fresh(args.url)
        gen = _child("generate", args.url, args)
        print(f"generated: {gen}", file=sys.stderr)
    res = _child("study", args.url, args)
    for name, r in res["aggregates"].items():
        print(f"  {name:22s} {r['seconds']:7.3f} s  {r['rows']:6d} rows", file=sys.stderr)
    base = _child("naive", args.url, args)
    print(f"naive pandas: observations {base['observations_s']} s, events {base['events_s']} s, "
          f"peak {base['peak_mb']} MB", file=sys.stderr)
    agg = res["aggregates"]
    ours = (agg["coverage"]["seconds"] + agg["trends_baseline"]["seconds"] + agg["events_mission"]["seconds"]
            + agg["events_period"]["seconds"])
    worst = max(r["seconds"] for r in agg.values())
    print(f"study peak {res['peak_mb']} MB; study (comparable part) {ours:.2f} s vs naive "
          f"{base['observations_s'] + base['events_s']:.2f} s", file=sys.stderr)
    print(f"scale: aggregate_max_s={worst:.3f} peak_mb={res['peak_mb']:.0f} "
          f"naive_ratio={(base['observations_s'] + base['events_s']) / ours:.1f}")
    return 0


def _fresh(url: str) -> None:
    """Start from an empty store: remove the SQLite file, or drop and recreate the PostgreSQL database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = Path(u.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
