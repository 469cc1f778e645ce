"""Framework workbook and context-mapping speed on a large mission.

The framework is the demo's with every indicator cloned (``--copies``, default 10: 320 indicators); the
register has ``--stakeholders`` actors (default 200) in two cycles, a third of them changed in the second.
Timed: exporting the framework workbook, importing it back unchanged and with one target changed (a new
version), the cycle-to-cycle diff, and building the context-mapping app (the widgets of one page load).

Last line: ``indicators=… rows=… export_s=… import_unchanged_s=… import_changed_s=… stakeholders=… diff_s=… app_s=…``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from cpas_kit import demo
from cpas_kit.framework.model import parse_framework
from cpas_kit.framework.workbook import FIELDS_ROW, FIRST_ROW, export_framework, import_framework
from cpas_kit.stakeholders.app import context_app
from cpas_kit.stakeholders.store import StakeholderStore
from cpas_kit.store import Store


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--stakeholders", type=int, default=200)
    args = ap.parse_args()
    doc = demo.demo_framework().to_document()
    for p in doc["priorities"]:
        for o in p["outcomes"]:
            base = list(o["indicators"])
            o["indicators"] = base + [{**{f: v for f, v in i.items() if f != "standard_code"},  # used once only
                                       "code": f"{i['code']}-B{k}"} for k in range(2, args.copies + 1) for i in base]
    fw = parse_framework(doc, "benchmark framework")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        store.save_framework(fw, effective_from=demo.FIRST_PERIOD, actor="bench")
        started = time.perf_counter()
        path = export_framework(store, fw.mission.code, Path(tmp) / "fw.xlsx")
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        result, _ = import_framework(store, path, actor="bench", effective_from="2024/25-Q1")
        unchanged_s = time.perf_counter() - started
        wb = load_workbook(path)
        ws = wb["Targets"]
        col = [c.value for c in ws[FIELDS_ROW]].index("value") + 1
        ws.cell(row=FIRST_ROW, column=col, value=(ws.cell(row=FIRST_ROW, column=col).value or 0) + 1)
        wb.save(path)
        started = time.perf_counter()
        import_framework(store, path, actor="bench", effective_from="2024/25-Q1")
        changed_s = time.perf_counter() - started

        outcomes = [o.code for _, o in fw.outcomes()]
        areas = ["CF-UK", "CF-HK", "CF-BGF", "CF-VK"]
        stances, influences = ("supportive", "neutral", "opposed"), ("high", "medium", "low")
        first = [{"code": f"ST-{n:03d}", "name": f"Actor {n}", "type": "community", "level": "local",
                  "areas": [areas[n % 4]], "stance": stances[n % 3], "influence": influences[n % 3],
                  "interests": "synthetic benchmark actor", "outcomes": [outcomes[n % len(outcomes)]]}
                 for n in range(args.stakeholders)]
        second = [e | {"stance": stances[(i + 1) % 3]} if i % 3 == 0 else e for i, e in enumerate(first)]
        StakeholderStore(store).save_context_map(fw.mission.code, "2022/23-Q4", first, actor="bench", is_synthetic=True)
        StakeholderStore(store).save_context_map(fw.mission.code, "2023/24-Q4", second, actor="bench",
                                                 is_synthetic=True,
                               notes={e["code"]: "benchmark change" for i, e in enumerate(second) if i % 3 == 0})
        started = time.perf_counter()
        diff = StakeholderStore(store).stakeholder_diff(fw.mission.code, "2022/23-Q4", "2023/24-Q4")
        diff_s = time.perf_counter() - started
        assert diff["summary"]["changed"] == -(-args.stakeholders // 3)
        started = time.perf_counter()
        context_app(store, fw.mission.code)
        app_s = time.perf_counter() - started
        store.close()
    print(f"indicators={sum(1 for _ in fw.indicators())} rows={result.rows_read} export_s={export_s:.2f} "
          f"import_unchanged_s={unchanged_s:.2f} import_changed_s={changed_s:.2f} stakeholders={args.stakeholders} "
          f"diff_s={diff_s:.3f} app_s={app_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
