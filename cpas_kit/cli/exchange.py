"""``cpas export`` and ``cpas merge``: send a mission's store as one file, merge it into a shared store.

Registered in :mod:`cpas_kit.cli.main` by ``register(subparsers)``; each command's parser names its ``run``. Errors
are ``CpasError`` sentences, printed by the ``cpas`` entry point; a rejected file exits with 1 and lists every
problem.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

EPILOG_EXPORT = """examples:
  cpas export --mission UN-DEMO -o UN-DEMO.jsonl.gz                       the whole mission
  cpas export --mission UN-DEMO --cycle 2023/24-Q4 -o UN-DEMO_2023-24-Q4.jsonl.gz   one cycle"""

EPILOG_MERGE = """examples:
  CPAS_DB_URL=postgresql+psycopg://user:pw@hq-server/cpas cpas merge UN-DEMO.jsonl.gz
  cpas merge UN-DEMO_2023-24-Q4.jsonl.gz --json"""

MAX_SHOWN = 50


def register(subparsers: Any) -> None:
    """Add ``export`` and ``merge`` to the ``cpas`` sub-commands."""
    e = subparsers.add_parser(
        "export", help="write a mission's store (or one cycle of it) as one compact file to send to headquarters",
        description="Write one compressed file (gzip JSON Lines with a manifest and a SHA-256 of its content) "
                    "holding the mission, its framework versions, indicator data with verification status and "
                    "provenance, events, context values, recommendations and their history, workshop sessions, "
                    "context mappings and the matching audit entries. Headquarters merges it with `cpas merge`.",
        epilog=EPILOG_EXPORT, formatter_class=argparse.RawDescriptionHelpFormatter)
    e.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    e.add_argument("--cycle", help="only this cycle's data, e.g. 2023/24-Q4 (default: everything)")
    e.add_argument("-o", "--output", required=True, help="the file to write, e.g. UN-DEMO.jsonl.gz")
    e.add_argument("--by", help="who exports (default: $CPAS_USER or your login name)")
    e.add_argument("--json", action="store_true", help="print what was written as JSON")
    m = subparsers.add_parser(
        "merge", help="merge a file from `cpas export` into this store; conflicts are reported, never overwritten",
        description="Check the whole file (checksum, format and schema version, columns, references, the mission's "
                    "framework), then merge it in one transaction: new rows are added, identical rows are left "
                    "alone, rows that differ are reported as conflicts and kept as they are here. Merging the same "
                    "file again changes nothing. Exit status 0 when merged (even with conflicts), 1 when rejected.",
        epilog=EPILOG_MERGE, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("file", help="the exchange file")
    m.add_argument("--by", help="who merges (default: $CPAS_USER or your login name)")
    m.add_argument("--json", action="store_true", help="print one JSON object (rows_read, rows_imported, "
                                                       "rows_unchanged, rows_unmatched, errors, conflicts, tables)")
    e.set_defaults(run=run)
    m.set_defaults(run=run)


def run(args: argparse.Namespace, store: Any = None) -> int:
    """Carry out ``cpas export`` or ``cpas merge``; return the exit status."""
    from cpas_kit.core.paths import default_actor
    from cpas_kit.store import Store

    store = store or Store()
    actor = args.by or default_actor()
    if args.command == "export":
        return _export(store, args, actor)
    return _merge(store, args, actor)


def _export(store: Any, args: argparse.Namespace, actor: str) -> int:
    from cpas_kit.exchange.bundle import export_mission

    summary = export_mission(store, args.mission, args.output, cycle=args.cycle, actor=actor)
    if args.json:
        print(json.dumps(summary.model_dump(), ensure_ascii=False, indent=2))
        return 0
    what = f"cycle {summary.cycle}" if summary.cycle else "the whole store"
    rows = ", ".join(f"{n} {table}" for table, n in summary.rows.items() if n)
    print(f"{summary.mission} ({what}) written to {summary.file}: {summary.file_bytes / 1024:.0f} KB; {rows}.")
    print(f"Send it to headquarters; they run: cpas merge {summary.file}")
    return 0


def _merge(store: Any, args: argparse.Namespace, actor: str) -> int:
    from cpas_kit.core.import_report import ImportRejected, report_rejected
    from cpas_kit.exchange.bundle import merge_file

    try:
        result = merge_file(store, args.file, actor=actor)
    except ImportRejected as exc:
        return report_rejected(exc, as_json=args.json)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(result.summary_line())
    for conflict in result.conflicts[:MAX_SHOWN]:
        print(f"  conflict: {conflict}")
    if len(result.conflicts) > MAX_SHOWN:
        print(f"  … and {len(result.conflicts) - MAX_SHOWN} more (see --json)")
    return 0
