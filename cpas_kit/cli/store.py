"""``cpas store info|upgrade|backup|restore``: the store in use, its schema, and backups of all of it."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    """Add ``store`` to the ``cpas`` commands."""
    s = sub.add_parser("store", help="the store")
    ssub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    ssub.add_parser("info", help="show the store in use, its schema version and row counts")
    ssub.add_parser("upgrade", help="bring the store's schema to the newest version")
    sb = ssub.add_parser("backup", help="write a consistent copy of the whole store, even while it is in use",
                         description="Back up every table of the store (fatalities and other headquarters data "
                                     "included): SQLite's online backup for a SQLite store, pg_dump for PostgreSQL "
                                     "when its client tools are installed, else a portable dump (gzip JSON lines).")
    sb.add_argument("-o", "--output", required=True, help="the backup file to write")
    sb.add_argument("--portable", action="store_true",
                    help="write a portable dump that restores into SQLite or PostgreSQL alike")
    sb.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    sr = ssub.add_parser("restore", help="restore a backup into an empty store",
                         description="Restore a file made by `cpas store backup` into the store in use, which must "
                                     "be empty (a new SQLite file or PostgreSQL database: set CPAS_DB_URL).")
    sr.add_argument("file", help="the backup file")
    sr.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    s.set_defaults(run=_cmd_store)


def _cmd_store(args: argparse.Namespace) -> int:
    from cpas_kit.store import Store
    from cpas_kit.store.describe import describe_store
    from cpas_kit.store.engine import head_revision

    store = Store()
    if args.action in ("backup", "restore"):
        from cpas_kit.store.backup import backup_store, restore_store

        done = (backup_store(store, args.output, portable=args.portable) if args.action == "backup"
                else restore_store(store, args.file))
        if args.json:
            print(json.dumps(done.to_json(), indent=2))
            return 0
        verb = "Backed up" if args.action == "backup" else "Restored"
        where = f"to {done.file}" if args.action == "backup" else f"from {done.file} into {store}"
        print(f"{verb} {sum(done.tables.values()):,} rows in {sum(1 for n in done.tables.values() if n)} tables "
              f"{where} ({done.kind}, schema revision {done.schema_revision}).")
        for note in done.notes:
            print(f"  note: {note}")
        return 0
    if args.action == "upgrade":
        print(f"Store ({describe_store(store.url, full_path=True)}): schema at revision {store.schema_revision()} "
              f"(newest: {head_revision()}).")
        return 0
    print(json.dumps({"store": store.engine.url.render_as_string(hide_password=True),
                      "schema_revision": store.schema_revision(), "missions": store.mission_codes(),
                      "rows": store.table_counts()}, indent=2))
    return 0
