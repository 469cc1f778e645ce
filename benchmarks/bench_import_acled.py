"""ACLED import at scale: a 1,000,000-row ACLED export (31 columns, fixed seed) imported into a fresh SQLite
store holding UN-DEMO, against the baseline of a plain ``pandas.read_csv`` of the same file.

Every step (generating the file, preparing the store, the baseline, the import) runs in its own child
process started from a small parent, so the peak RSS reported (``ru_maxrss`` of the import's child) is the
import's own. The store is fresh, with UN-DEMO loaded as ``cpas demo`` does. Earlier lines give the file size,
the baseline and the import report; the last line is exactly ``import: rows=1000000 seconds=12.3 peak_mb=850``.
Goal on a 2-core machine: <= 15 s and <= 2 GB.

Usage: ``python benchmarks/bench_import_acled.py [--rows N] [--reimport]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

SEED = 20240514
COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
# (disorder_type, event_type, sub_event_type, civilian targeting?, weight)
EVENT_KINDS = [
    ("Political violence", "Battles", "Armed clash", False, 0.30),
    ("Political violence", "Violence against civilians", "Attack", True, 0.22),
    ("Political violence", "Violence against civilians", "Abduction/forced disappearance", True, 0.08),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED", False, 0.04),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike", False, 0.02),
    ("Demonstrations", "Protests", "Peaceful protest", False, 0.09),
    ("Demonstrations", "Riots", "Violent demonstration", False, 0.05),
    ("Strategic developments", "Strategic developments", "Looting/property destruction", False, 0.12),
    ("Strategic developments", "Strategic developments", "Agreement", False, 0.03),
    ("Political violence; Demonstrations", "Riots", "Mob violence", False, 0.05),
]
ACTORS = [  # (name, inter code)
    ("Military Forces of the Central African Republic (2016-)", 1),
    ("Wagner Group", 8),
    (("MINUSCA: United Nations Multidimensional Integrated Stabilization Mission in the Central African "
      "Republic (2014-)"), 8),
    ("3R: Return, Reclamation, Rehabilitation", 2),
    ("UPC: Union for Peace in the Central African Republic", 2),
    ("CPC: Coalition of Patriots for Change", 2),
    ("FPRC: Popular Front for the Renaissance of Central Africa", 2),
    ("MPC: Central African Patriotic Movement", 2),
    ("Anti-Balaka", 3),
    ("Unidentified Armed Group (Central African Republic)", 3),
    ("Fulani Ethnic Militia (Central African Republic)", 4),
    ("Rioters (Central African Republic)", 5),
    ("Protesters (Central African Republic)", 6),
    ("Civilians (Central African Republic)", 7),
]
SOURCES = ["Corbeaunews Centrafrique", "Radio Ndeke Luka", "Oubangui Medias", "Human Rights Watch",
           "MINUSCA", "Radio Ndeke Luka; Corbeaunews Centrafrique", "Le Tsunami", "Agence France Presse"]
SCALES = ["National", "Subnational", "International", "National-International", "Subnational-National"]
NEIGHBOURS = [("Cameroon", 120, "CAO", (3.5, 6.5), (13.0, 14.5)), ("Chad", 148, "CHA", (8.0, 12.0), (15.0, 20.0))]
LOCALITIES_PER_AREA = 60


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _localities(rng):
    """Places with fixed coordinates inside each CAR prefecture, named the way ACLED spells them (no accents);
    some places in Ouham-Pende are filed under the new prefecture Lim-Pende (not in the boundaries)."""
    import pandas as pd
    import shapely

    from cpas_kit.demo import demo_framework
    from cpas_kit.framework.geography import admin1_areas

    areas = admin1_areas(demo_framework().mission.geography)
    rows = []
    for area in areas.itertuples():
        minx, miny, maxx, maxy = area.geometry.bounds
        xs = rng.uniform(minx, maxx, 40 * LOCALITIES_PER_AREA)
        ys = rng.uniform(miny, maxy, 40 * LOCALITIES_PER_AREA)
        inside = shapely.contains_xy(area.geometry, xs, ys)
        xs, ys = xs[inside][:LOCALITIES_PER_AREA], ys[inside][:LOCALITIES_PER_AREA]
        name = _ascii(area.area_name)
        for k, (x, y) in enumerate(zip(xs, ys)):
            admin1 = "Lim-Pende" if name == "Ouham-Pende" and k % 3 == 0 else name
            rows.append((admin1, f"{name} sub-prefecture {k % 5 + 1}", f"{name} commune {k % 9 + 1}",
                         f"{name} locality {k + 1}", round(float(y), 4), round(float(x), 4)))
    return pd.DataFrame(rows, columns=["admin1", "admin2", "admin3", "location", "latitude", "longitude"])


def write_acled_csv(path: Path, rows: int, seed: int = SEED) -> None:
    """Write an ACLED-format export of ``rows`` events (95 % in CAR, the rest in Cameroon and Chad)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    places = _localities(rng)
    kinds = pd.DataFrame(EVENT_KINDS, columns=["disorder_type", "event_type", "sub_event_type", "civ", "w"])
    k = rng.choice(len(kinds), size=rows, p=kinds["w"] / kinds["w"].sum())
    p = rng.integers(0, len(places), size=rows)
    a1 = rng.integers(0, len(ACTORS), size=rows)
    a2 = rng.integers(0, len(ACTORS) + 4, size=rows)  # some events have no second actor
    days = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 6 * 365 + 180, size=rows), unit="D")
    actor_names = np.array([a for a, _ in ACTORS] + [""] * 4, dtype=object)
    actor_inter = np.array([c for _, c in ACTORS] + [0] * 4)
    frame = pd.DataFrame({
        "event_id_cnty": np.char.add("CEN", np.arange(1, rows + 1).astype(str)).astype(object),
        "event_date": days.strftime("%d %B %Y"),
        "year": days.year,
        "time_precision": rng.integers(1, 4, size=rows),
        "disorder_type": kinds["disorder_type"].to_numpy()[k],
        "event_type": kinds["event_type"].to_numpy()[k],
        "sub_event_type": kinds["sub_event_type"].to_numpy()[k],
        "actor1": actor_names[a1],
        "assoc_actor_1": np.where(rng.random(rows) < 0.2, "Seleka Militia", ""),
        "inter1": actor_inter[a1],
        "actor2": actor_names[a2],
        "assoc_actor_2": np.where(rng.random(rows) < 0.1, "Muslim Group (Central African Republic)", ""),
        "inter2": actor_inter[a2],
        "interaction": actor_inter[a1] * 10 + actor_inter[a2],
        "civilian_targeting": np.where(kinds["civ"].to_numpy()[k], "Civilian targeting", ""),
        "iso": 140,
        "region": "Middle Africa",
        "country": "Central African Republic",
        "admin1": places["admin1"].to_numpy()[p],
        "admin2": places["admin2"].to_numpy()[p],
        "admin3": places["admin3"].to_numpy()[p],
        "location": places["location"].to_numpy()[p],
        "latitude": places["latitude"].to_numpy()[p],
        "longitude": places["longitude"].to_numpy()[p],
        "geo_precision": rng.integers(1, 4, size=rows),
        "source": np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), size=rows)],
        "source_scale": np.array(SCALES, dtype=object)[rng.integers(0, len(SCALES), size=rows)],
        "notes": "",
        "fatalities": np.minimum(rng.negative_binomial(1, 0.45, size=rows) * (rng.random(rows) < 0.55), 250),
        "tags": np.where(rng.random(rows) < 0.08, "crowd size=no report", ""),
        "timestamp": 1_700_000_000 + rng.integers(0, 20_000_000, size=rows),
    })
    # Notes: one or two sentences, as in real exports (the heaviest column of the file).
    frame["notes"] = ("On " + frame["event_date"] + ", " + frame["actor1"].str.slice(0, 40) + " clashed with "
                      + np.where(frame["actor2"] == "", "unidentified assailants", frame["actor2"].str.slice(0, 40))
                      + " in " + frame["location"] + " (" + frame["admin2"] + ", " + frame["admin1"] + "). "
                      + frame["fatalities"].astype(str) + " fatalities were reported by local sources.")
    # Neighbouring countries (regional exports include them): ~5 % of the rows.
    other = rng.random(rows) < 0.05
    which = rng.integers(0, len(NEIGHBOURS), size=rows)
    for j, (name, iso, prefix, (lat0, lat1), (lon0, lon1)) in enumerate(NEIGHBOURS):
        m = other & (which == j)
        n = int(m.sum())
        frame.loc[m, "country"] = name
        frame.loc[m, "iso"] = iso
        frame.loc[m, "event_id_cnty"] = np.char.add(prefix, np.arange(1, n + 1).astype(str))
        frame.loc[m, "admin1"] = f"{name} region {j + 1}"
        frame.loc[m, "latitude"] = np.round(rng.uniform(lat0, lat1, n), 4)
        frame.loc[m, "longitude"] = np.round(rng.uniform(lon0, lon1, n), 4)
    frame[COLUMNS].to_csv(path, index=False, encoding="utf-8-sig")


def _setup_store(url: str) -> None:
    """A fresh store with the demo mission UN-DEMO loaded (``cpas demo``)."""
    from cpas_kit.demo import load_demo
    from cpas_kit.store import Store

    store = Store(url)
    load_demo(store)
    store.close()


def _baseline(csv: str) -> None:
    """Time a plain ``pandas.read_csv`` of the file (all 31 columns, default options)."""
    import pandas as pd

    t0 = time.perf_counter()
    frame = pd.read_csv(csv)
    print(json.dumps({"seconds": time.perf_counter() - t0, "rows": len(frame)}))


def _import(csv: str, url: str) -> None:
    """Run one import in this (child) process and print its report and peak RSS as JSON."""
    from cpas_kit.data_in.external import import_acled
    from cpas_kit.store import Store

    store = Store(url)
    t0 = time.perf_counter()
    result = import_acled(store, csv, "UN-DEMO", actor="bench")
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "result": result.to_json()}))


def _step(*args: str) -> dict:
    """Run one step in a fresh child process (the parent stays small, so a child's peak RSS is its own:
    Linux carries the parent's high-water mark into a child across fork and exec)."""
    out = subprocess.run([sys.executable, __file__, "--step", *args], check=True, capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated file")
    parser.add_argument("--reimport", action="store_true", help="also time importing the same file again")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        name, *rest = args.step
        {"generate": lambda p, n: write_acled_csv(Path(p), int(n)), "setup": _setup_store,
         "baseline": _baseline, "import": _import}[name](*rest)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "acled_export.csv"
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        t0 = time.perf_counter()
        _step("generate", str(csv), str(args.rows))
        print(f"generated {csv.name}: {args.rows} rows, 31 columns, {csv.stat().st_size / 1e6:.0f} MB "
              f"in {time.perf_counter() - t0:.1f} s (seed {SEED})")
        _step("setup", url)
        base = _step("baseline", str(csv))
        assert base["rows"] == args.rows
        print(f"baseline: pandas.read_csv rows={args.rows} seconds={base['seconds']:.1f}")
        run = _step("import", str(csv), url)
        res = run["result"]
        print(f"report: rows_read={res['rows_read']} rows_imported={res['rows_imported']} "
              f"rows_unchanged={res['rows_unchanged']} rows_unmatched={res['rows_unmatched']} "
              f"warnings={len(res['warnings'])}")
        assert res["rows_read"] == args.rows and not res["errors"], res
        if args.reimport:
            again = _step("import", str(csv), url)
            assert again["result"]["rows_imported"] == 0, again["result"]
            print(f"reimport: rows={args.rows} seconds={again['seconds']:.1f} peak_mb={again['peak_mb']:.0f}")
    print(f"import: rows={args.rows} seconds={run['seconds']:.1f} peak_mb={run['peak_mb']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
