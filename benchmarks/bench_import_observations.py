"""Validated import of a 100,000-row indicator-data file (CSV and the same rows as an .xlsx workbook).

Baseline, in the same run: writing the same rows straight to a fresh store (``Store.write_observations``,
no file reading and no checks), so the figures say what reading and checking the file costs on top.
The framework is the demo's with every indicator cloned until the cells reach the row count.

Last line: ``rows=100000 csv_seconds=… xlsx_seconds=… baseline_write_seconds=… reimport_seconds=… rows_per_s=…``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from cpas_kit import demo
from cpas_kit.data_in.observations import FIELDS, import_observations
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import Framework, parse_framework
from cpas_kit.store import Store


def cloned_framework(copies: int) -> Framework:
    """The demo framework with each indicator repeated ``copies`` times (codes SEC-01-B2 …)."""
    doc = demo.demo_framework().to_document()
    for p in doc["priorities"]:
        for o in p["outcomes"]:
            base = list(o["indicators"])
            o["indicators"] = base + [{**i, "code": f"{i['code']}-B{k}"} for k in range(2, copies + 1) for i in base]
    return parse_framework(doc, "benchmark framework")


def fresh(tmp: Path, name: str, fw: Framework) -> Store:
    store = Store(f"sqlite:///{tmp / name}")
    store.save_framework(fw, effective_from=demo.FIRST_PERIOD, actor="bench")
    return store


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--no-xlsx", action="store_true", help="skip the workbook variant")
    args = ap.parse_args()
    per_copy = len(demo.generate_observations(demo.demo_framework()))
    fw = cloned_framework(max(1, -(-args.rows // per_copy)))
    frame = demo.generate_observations(fw).head(args.rows)
    frame = frame.assign(is_synthetic=None, verification_status=None)[list(FIELDS)]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        csv_path = tmp / "entry.csv"
        frame.to_csv(csv_path, index=False)

        base_store = fresh(tmp, "baseline.sqlite", fw)
        t0 = time.perf_counter()
        ObservationStore(base_store).write_observations(frame, actor="bench")
        baseline = time.perf_counter() - t0

        store = fresh(tmp, "import.sqlite", fw)
        t0 = time.perf_counter()
        result = import_observations(store, csv_path, actor="bench")
        csv_s = time.perf_counter() - t0
        assert result.rows_imported == len(frame), result.summary_line()
        t0 = time.perf_counter()
        again = import_observations(store, csv_path, actor="bench")
        reimport = time.perf_counter() - t0
        assert again.rows_unchanged == len(frame) and again.rows_imported == 0

        xlsx_s = float("nan")
        if not args.no_xlsx:
            xlsx_path = tmp / "entry.xlsx"
            with pd.ExcelWriter(xlsx_path, engine="openpyxl") as xw:
                frame.to_excel(xw, index=False, sheet_name="data")
            xstore = fresh(tmp, "xlsx.sqlite", fw)
            t0 = time.perf_counter()
            xresult = import_observations(xstore, xlsx_path, actor="bench")
            xlsx_s = time.perf_counter() - t0
            assert xresult.rows_imported == len(frame)
        for s in (base_store, store):
            s.close()
    print(f"framework: {sum(1 for _ in fw.indicators())} indicators; file: {len(frame)} rows")
    print(f"baseline (write the rows, no file, no checks): {baseline:.2f} s")
    print(f"import CSV (read, check everything, write once): {csv_s:.2f} s; "
          f"re-import (all unchanged): {reimport:.2f} s")
    print(f"import XLSX: {xlsx_s:.2f} s")
    print(f"rows={len(frame)} csv_seconds={csv_s:.2f} xlsx_seconds={xlsx_s:.2f} baseline_write_seconds={baseline:.2f} "
          f"reimport_seconds={reimport:.2f} rows_per_s={len(frame) / csv_s:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
