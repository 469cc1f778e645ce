"""Store write throughput: one batched transaction (what imports and the demo use) against the baseline
of one transaction per observation (what a naive importer would do), on a fresh SQLite store.

Last line: ``rows=… batch_rows_per_s=… single_rows_per_s=… speedup=… reimport_s=…``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from cpas_kit import demo
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.store import Store

SINGLE_SAMPLE = 400  # rows written one transaction each (the baseline); enough for a stable rate


def main() -> int:
    fw = demo.demo_framework()
    frame = demo.generate_observations(fw)
    with tempfile.TemporaryDirectory() as tmp:
        batch_store = Store(f"sqlite:///{Path(tmp) / 'batch.sqlite'}")
        batch_store.save_framework(fw, effective_from=demo.FIRST_PERIOD, actor="bench")
        t0 = time.perf_counter()
        ObservationStore(batch_store).write_observations(frame, actor="bench")
        batch_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ObservationStore(batch_store).write_observations(frame, actor="bench")
        reimport_s = time.perf_counter() - t0
        assert again["unchanged"] == len(frame)

        single_store = Store(f"sqlite:///{Path(tmp) / 'single.sqlite'}")
        single_store.save_framework(fw, effective_from=demo.FIRST_PERIOD, actor="bench")
        sample = frame.head(SINGLE_SAMPLE)
        t0 = time.perf_counter()
        for i in range(len(sample)):
            ObservationStore(single_store).write_observations(sample.iloc[i:i + 1], actor="bench")
        single_s = time.perf_counter() - t0
    batch_rate = len(frame) / batch_s
    single_rate = len(sample) / single_s
    print(f"batch: {len(frame)} rows in {batch_s:.2f} s; single: {len(sample)} rows in {single_s:.2f} s",
          file=sys.stderr)
    print(f"rows={len(frame)} batch_rows_per_s={batch_rate:.0f} single_rows_per_s={single_rate:.0f} "
          f"speedup={batch_rate / single_rate:.1f} reimport_s={reimport_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
