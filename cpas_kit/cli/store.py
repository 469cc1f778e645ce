"""``cpas store info|upgrade``: which store is in use, its schema version and row counts."""

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
    s.set_defaults(run=_cmd_store)


def _cmd_store(args: argparse.Namespace) -> int:
    from cpas_kit.store import Store
    from cpas_kit.store.describe import describe_store
    from cpas_kit.store.engine import head_revision

    store = Store()
    if args.action == "upgrade":
        print(f"Store ({describe_store(store.url, full_path=True)}): schema at revision {store.schema_revision()} "
              f"(newest: {head_revision()}).")
        return 0
    print(json.dumps({"store": store.engine.url.render_as_string(hide_password=True),
                      "schema_revision": store.schema_revision(), "missions": store.mission_codes(),
                      "rows": store.table_counts()}, indent=2))
    return 0
