"""Size of a mission's exchange file against its SQLite store, and the time to export and merge it.

The mission is the demo mission UN-DEMO as `cpas demo` loads it (framework, 12 quarters of synthetic
indicator data, the seeds' tracker, World Bank context), optionally with ``--events`` ACLED-format events.
Export: `cpas export --mission UN-DEMO` of its store. Merge: into an empty SQLite store (or the database
named by ``--merge-url``), then the same file again (which must change nothing). Baselines in the same run:
the SQLite store file itself and the same file gzip-compressed (what "send the database" would cost).

Last line: ``exchange: export_s=… merge_s=… file_kb=… store_kb=…``.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import_acled import write_acled_csv  # noqa: E402  (the benchmarks' ACLED-format generator)

from cpas_kit import demo  # noqa: E402
from cpas_kit.data_in.external import import_acled  # noqa: E402
from cpas_kit.exchange.bundle import export_mission, merge_file  # noqa: E402
from cpas_kit.store import Store  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=0, help="ACLED-format events to add to the mission (default 0)")
    ap.add_argument("--merge-url", help="merge into this (empty) database instead of a new SQLite file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "mission.sqlite"
        store = Store(f"sqlite:///{db}")
        demo.load_demo(store)
        if args.events:
            write_acled_csv(tmp / "acled.csv", args.events)
            import_acled(store, tmp / "acled.csv", demo.MISSION, actor="bench")
        store.close()
        with sqlite3.connect(db) as conn:  # everything in the main file, as it would be sent
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store_kb = db.stat().st_size / 1024
        with open(db, "rb") as src, gzip.open(tmp / "mission.sqlite.gz", "wb", compresslevel=9) as dst:
            shutil.copyfileobj(src, dst)
        sqlite_gz_kb = (tmp / "mission.sqlite.gz").stat().st_size / 1024

        out = tmp / "UN-DEMO.jsonl.gz"
        started = time.perf_counter()
        summary = export_mission(Store(f"sqlite:///{db}"), demo.MISSION, out, actor="bench")
        export_s = time.perf_counter() - started
        file_kb = summary.file_bytes / 1024

        hq = Store(args.merge_url or f"sqlite:///{tmp / 'hq.sqlite'}")
        started = time.perf_counter()
        first = merge_file(hq, out, actor="bench")
        merge_s = time.perf_counter() - started
        started = time.perf_counter()
        again = merge_file(hq, out, actor="bench")
        again_s = time.perf_counter() - started
        hq.close()
    assert first.rows_imported == first.rows_read and again.rows_imported == 0 and not again.conflicts
    print(f"{demo.MISSION}: {first.rows_read} rows in {len(summary.rows)} tables "
          f"({summary.rows['observations']} observations, {summary.rows['events']} events)")
    print(f"store file {store_kb:.0f} KB, gzip-compressed {sqlite_gz_kb:.0f} KB; exchange file {file_kb:.0f} KB "
          f"({store_kb / file_kb:.0f}x smaller than the store, {sqlite_gz_kb / file_kb:.1f}x smaller than it gzipped)")
    print(f"merge into {'the given database' if args.merge_url else 'an empty SQLite store'}: {merge_s:.2f} s; "
          f"the same file again (no change): {again_s:.2f} s")
    print(f"exchange: export_s={export_s:.2f} merge_s={merge_s:.2f} file_kb={file_kb:.0f} store_kb={store_kb:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
