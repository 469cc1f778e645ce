"""``cpas boundaries import|list``: register a mission's own admin-1 boundaries (GeoJSON, GeoPackage, shapefile)
and show which are in use. Wired into :mod:`cpas_kit.cli.main` by ``register(subparsers)``."""

from __future__ import annotations

import argparse
import json
from typing import Any

EPILOG = """examples:
  cpas boundaries import caf_adm1_pcodes.geojson --mission UN-DEMO --code-field ADM1_PCODE --name-field ADM1_FR
  cpas boundaries list --mission UN-DEMO"""


def register(subparsers: Any) -> None:
    """Add ``boundaries import`` and ``boundaries list`` to the ``cpas`` sub-commands."""
    b = subparsers.add_parser(
        "boundaries", help="a mission's own admin-1 boundaries: register a file, list what is in use",
        description="Register the admin-1 boundaries a mission uses (an OCHA COD-AB with p-codes, the UN "
                    "Geospatial boundaries …) so that maps, packs and the matching of admin-1 names use them "
                    "instead of the shipped Natural Earth areas. Each import is a new version, kept with its file "
                    "name, checksum, who and when; the latest is in use.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    bsub = b.add_subparsers(dest="action", metavar="ACTION", required=True)
    bi = bsub.add_parser("import", help="check a boundary file and register it for a mission",
                         description="Check the whole file (polygon geometries, a code and a name in every area, "
                                     "unique codes, one country: the mission's) and store it as the mission's "
                                     "next boundaries version. Nothing is written on any problem.")
    bi.add_argument("file", help="a .geojson, .gpkg, .shp or zipped shapefile")
    bi.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    bi.add_argument("--level", type=int, default=1, help="administrative level of the areas (default and only: 1)")
    bi.add_argument("--code-field", help="the field holding each area's code (default: ADM1_PCODE, iso_3166_2, …)")
    bi.add_argument("--name-field", help="the field holding each area's name (default: ADM1_EN, ADM1_FR, name, …)")
    bi.add_argument("--by", help="who registers them (default: $CPAS_USER or your login name)")
    bi.add_argument("--json", action="store_true", help="print the import summary as one JSON object")
    bi.set_defaults(run=run_import)
    bl = bsub.add_parser("list", help="the boundaries registered for a mission, and which are in use")
    bl.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    bl.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    bl.set_defaults(run=run_list)


def run_import(args: argparse.Namespace) -> int:
    """Register the file; print the summary (or every problem, exit 1)."""
    # heavy imports (geopandas, the store) only when the command runs: keeps `cpas --help` fast
    from cpas_kit.core.import_report import ImportRejected, report_rejected
    from cpas_kit.core.paths import default_actor
    from cpas_kit.data_in.boundaries import register_boundaries
    from cpas_kit.store import Store

    try:
        result = register_boundaries(Store(), args.file, args.mission, actor=args.by or default_actor(),
                                     level=args.level, code_field=args.code_field, name_field=args.name_field)
    except ImportRejected as exc:
        return report_rejected(exc, as_json=args.json)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"{args.file}: {result.rows_read} area(s) read.")
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the mission's boundaries, newest first, the one in use marked."""
    # heavy imports only when the command runs (see run_import)
    from cpas_kit.data_in.boundaries import list_boundaries
    from cpas_kit.store import Store

    rows = list_boundaries(Store(), args.mission)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    if not rows:
        print(f"Mission {args.mission} has no admin-1 boundaries: register some with `cpas boundaries import FILE "
              f"--mission {args.mission}`.")
        return 0
    for r in rows:
        mark = "in use" if r["in_use"] else "older "
        if r["source"] == "shipped":
            print(f"[{mark}] shipped with cpas_kit: {r['file_name']} — {r['areas']} areas (code field "
                  f"{r['code_field']}, name field {r['name_field']}); {r['credit']}")
        else:
            print(f"[{mark}] version {r['version']}: {r['file_name']} — {r['areas']} areas (code field "
                  f"{r['code_field']}, name field {r['name_field']}), registered by {r['imported_by']} on "
                  f"{r['imported_at']} UTC, sha256 {r['file_sha256'][:12]}…")
    return 0
