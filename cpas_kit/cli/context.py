"""``cpas context``: the context values stored for a mission (from World Bank and HDX/HXL files), one line per
indicator, admin-1 area and period, with the file each came from. Wired into :mod:`cpas_kit.cli.main` by
``register(subparsers)``."""

from __future__ import annotations

import argparse
import json
from typing import Any

COLUMNS = ("source", "indicator_code", "indicator_name", "admin1_code", "admin1_name", "period", "value", "unit",
           "file")


def register(subparsers: Any) -> None:
    """Add ``context`` to the ``cpas`` sub-commands."""
    c = subparsers.add_parser(
        "context", help="context values stored for a mission (World Bank, HDX/HXL), with their source file",
        description="The context values imported with `cpas import worldbank|hxl`: indicator code, admin-1 area "
                    "(code and name; national values have none), period, value and the file they came from.")
    c.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    c.add_argument("--source", choices=["hxl", "worldbank"], help="only values of this source")
    c.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    c.set_defaults(run=run)


def context_table(store: Any, mission: str, source: str | None = None) -> list[dict[str, Any]]:
    """The rows ``cpas context`` prints: plain text and numbers, missing as None, dates never as numbers."""
    # heavy imports only when the command runs: keeps `cpas --help` fast
    import pandas as pd
    from sqlalchemy import select

    from cpas_kit.data_in.external import read_context_values
    from cpas_kit.store.engine import read
    from cpas_kit.store.schema import imports

    store.framework_version_for(mission)  # a clear error for an unknown mission
    values = read_context_values(store, mission, source=source)
    with read(store.engine) as conn:
        files = {r.id: r.file_name for r in conn.execute(select(imports.c.id, imports.c.file_name))}
    out = []
    for r in values.to_dict("records"):
        value = r["value"]
        out.append({
            "source": r["source"], "indicator_code": r["indicator_code"], "indicator_name": r["indicator_name"],
            "admin1_code": r["admin1_code"] or None, "admin1_name": _text(r["admin1_name"]),
            "period": r["period"], "value": None if value is None or pd.isna(value) else float(value),
            "value_text": _text(r["value_text"]), "unit": _text(r["unit"]), "file": files.get(r["import_id"]),
        })
    return out


def _text(value: Any) -> str | None:
    return None if value is None or value != value or value in ("None", "nan", "") else str(value)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def run(args: argparse.Namespace) -> int:
    """Print the mission's context values."""
    from cpas_kit.store import Store  # the store pulls SQLAlchemy: only when the command runs

    rows = context_table(Store(), args.mission, args.source)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"No context values for {args.mission} yet; import some with `cpas import hxl FILE --mission "
              f"{args.mission}` or `cpas import worldbank FILE --mission {args.mission}`.")
        return 0
    header = ("source", "indicator", "area", "period", "value", "file")
    lines = [(r["source"], r["indicator_code"],
              f"{r['admin1_code']} {r['admin1_name'] or ''}".strip() if r["admin1_code"] else "(national)",
              r["period"], _number(r["value"]) if r["value"] is not None else (r["value_text"] or "—"),
              r["file"] or "—") for r in rows]
    widths = [max(len(h), *(len(str(x[i])) for x in lines)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for line in lines:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)))
    return 0
