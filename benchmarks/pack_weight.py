"""Weight of the offline HTML pack as the raw data behind it grows tenfold.

Charts embed aggregated data only (hotspots per area, incident points per ~10 km place, totals per period),
so a pack must not grow with the raw rows. 1×: the demo mission UN-DEMO with 20,000 imported ACLED-format
events; 10×: the same mission with 200,000. The baseline in the same run is the 1× pack.

Last line: ``pack_weight: size_1x_mb=… size_10x_mb=… growth=…``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import_acled import write_acled_csv  # noqa: E402  (the benchmarks' ACLED-format generator)

from cpas_kit import demo  # noqa: E402
from cpas_kit.core.settings import make_parameters  # noqa: E402
from cpas_kit.data_in.external import import_acled  # noqa: E402
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.packs.build import build_pack
from cpas_kit.store import Store  # noqa: E402

CYCLE = "2023/24-Q4"


def pack_size(tmp: Path, name: str, events: int) -> tuple[float, int]:
    """(size in MB, raw rows) of the UN-DEMO pack with ``events`` ACLED events imported."""
    url = f"sqlite:///{tmp / (name + '.sqlite')}"
    store = Store(url)
    demo.load_demo(store)
    demo.load_demo_events(store)  # the demo's own synthetic events and agreed assessment, as `cpas demo` loads them
    demo.load_demo_assessment(store)
    csv = tmp / f"{name}.csv"
    write_acled_csv(csv, events)
    result = import_acled(store, csv, demo.MISSION, actor="bench")
    rows = ObservationStore(store).count_observations(demo.MISSION) + result.rows_imported
    store.close()
    path = build_pack(make_parameters(mission=demo.MISSION, cycle=CYCLE, db_url=url, output_dir=str(tmp / name)))
    return path.stat().st_size / 1e6, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=20_000, help="events at 1× (default 20,000)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["CPAS_OUTPUTS"] = str(tmp / "outputs")
        one, rows_1 = pack_size(tmp, "x1", args.events)
        ten, rows_10 = pack_size(tmp, "x10", args.events * 10)
    growth = (ten - one) / one
    print(f"1x: {rows_1} raw rows (observations + events) -> {one:.3f} MB; "
          f"10x: {rows_10} raw rows -> {ten:.3f} MB")
    print(f"pack_weight: size_1x_mb={one:.3f} size_10x_mb={ten:.3f} growth={growth:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
