"""``cpas template``, ``cpas import``, ``cpas verify`` and ``cpas events``: indicator data and external data in."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cpas_kit.data_in.store import ObservationStore


def register(sub: Any) -> None:
    """Add ``template``, ``import``, ``verify``, ``events`` to the ``cpas`` commands."""
    tp = sub.add_parser("template", help="write an Excel data-entry workbook for a mission and cycle",
                        description="Write an .xlsx data-entry workbook from the mission's results framework: one "
                                    "sheet per responsible section, one row per indicator and disaggregation cell, "
                                    "reference columns locked, input cells validated. Fill it in and load it with "
                                    "`cpas import observations`.")
    tp.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    tp.add_argument("--cycle", required=True, help="the cycle to collect, e.g. 2024/25-Q1")
    tp.add_argument("-o", "--output", help="the .xlsx file to write (default: outputs/<MISSION>/<CYCLE>/data_entry_…)")
    tp.add_argument("--language", choices=["en", "fr"], default="en", help="language of the labels (default: en)")
    tp.set_defaults(run=_cmd_template)

    im = sub.add_parser("import", help="import indicator data or external data files (ACLED, UCDP, World Bank, HXL)")
    isub = im.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, help_text, needs_mission in (
        ("observations", "indicator data: a workbook from `cpas template` or a CSV with the columns mission_code, "
                         "indicator_code, period, disaggregation, value, value_text, source, note", False),
        ("acled", "an ACLED CSV export (conflict events)", True),
        ("ucdp", "a UCDP GED CSV file (conflict events)", True),
        ("worldbank", "a World Bank bulk CSV (API_<indicator>_DS2_….csv) or its Metadata_Country file", True),
        ("hxl", "an HDX CSV with HXL hashtags (#adm1, #date, #affected, #inneed, …)", True),
        ("fatalities", "the UN Peace and Security Data Hub fatalities CSV (one row per casualty; its nationality "
                       "columns describe the casualty, not the mission's host country)", False),
    ):
        ip = isub.add_parser(kind, help=help_text, description=f"Import {help_text}. The whole file is checked "
                             "first; on any problem every one is listed and nothing is written. Importing the same "
                             "file again changes nothing.")
        ip.add_argument("file", help="the file to import")
        if needs_mission:
            ip.add_argument("--mission", required=True, help="the mission the data is for, e.g. UN-DEMO")
        ip.add_argument("--by", help="who is importing (default: $CPAS_USER or your login name)")
        ip.add_argument("--json", action="store_true", help="print one JSON object (rows_read, rows_imported, "
                                                            "rows_unchanged, rows_unmatched, errors) instead of text")
    im.set_defaults(run=_cmd_import)

    vf = sub.add_parser("verify", help="verify (or reject) a cycle's indicator values",
                        description="Mark a cycle's values as verified, by whom and when. By default every value "
                                    "still 'entered' is verified; name indicators or cells to narrow it, or "
                                    "--reject them with a --reason. Packs show unverified values distinctly.")
    vf.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    vf.add_argument("--cycle", required=True, help="the cycle, e.g. 2023/24-Q4")
    vf.add_argument("--by", help="who verifies (default: $CPAS_USER or your login name)")
    vf.add_argument("--indicator", action="append", help="only this indicator (repeat for several)")
    vf.add_argument("--cell", action="append", help="only this disaggregation cell, e.g. sex=female ('' is the total)")
    vf.add_argument("--reject", action="store_true", help="reject the values instead of verifying them")
    vf.add_argument("--reason", help="why (required with --reject)")
    vf.add_argument("--json", action="store_true", help="print a JSON object")
    vf.set_defaults(run=_cmd_verify)

    ev = sub.add_parser("events", help="conflict events and fatalities per admin-1 area or per period",
                        description="Event counts and fatalities (best estimate) from the imported ACLED/UCDP files, "
                                    "per admin-1 area or per period; events not matched to an area get their own line.")
    ev.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    ev.add_argument("--by", choices=["admin1", "period"], default="admin1", help="group by (default: admin1)")
    ev.add_argument("--json", action="store_true", help="print JSON rows")
    ev.set_defaults(run=_cmd_events)


def _cmd_template(args: argparse.Namespace) -> int:
    from cpas_kit.core.paths import data_entry_file
    from cpas_kit.data_in.entry_workbook import write_template
    from cpas_kit.store import Store

    out = args.output or data_entry_file(args.mission, args.cycle, args.language)
    path = write_template(Store(), args.mission, args.cycle, out, language=args.language)
    print(f"Data-entry workbook written: {path}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from cpas_kit.core.import_report import ImportRejected, report_rejected
    from cpas_kit.core.paths import default_actor
    from cpas_kit.store import Store

    store, actor = Store(), args.by or default_actor()
    try:
        if args.kind == "observations":
            from cpas_kit.data_in.observations import import_observations

            result = import_observations(store, args.file, actor=actor)
        elif args.kind == "fatalities":
            from cpas_kit.data_in.external.fatalities import import_fatalities

            result = import_fatalities(store, args.file, actor=actor)
        else:
            from cpas_kit.data_in import external

            importer = {"acled": external.import_acled, "ucdp": external.import_ucdp,
                        "worldbank": external.import_worldbank, "hxl": external.import_hxl}[args.kind]
            result = importer(store, args.file, args.mission, actor=actor)
    except ImportRejected as exc:
        return report_rejected(exc, as_json=args.json)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(result.summary_line())
    for w in result.warnings:
        print(f"  note: {w}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from cpas_kit.core.paths import default_actor
    from cpas_kit.store import Store

    store = Store()
    store.framework_version_for(args.mission)  # a clear error for an unknown mission
    by = args.by or default_actor()
    cells = None if args.cell is None else [c.strip() for c in args.cell]
    n = ObservationStore(store).verify(args.mission, args.cycle, by=by, indicators=args.indicator, cells=cells,
                                       reject=args.reject,
                     reason=args.reason, only_entered=not (args.indicator or cells is not None))
    word = "rejected" if args.reject else "verified"
    if args.json:
        print(json.dumps({"mission": args.mission, "cycle": args.cycle, "by": by, "status": word, "cells": n}))
    else:
        print(f"{n} value(s) of {args.mission} {args.cycle} {word} by {by}.")
    return 0


def _cmd_events(args: argparse.Namespace) -> int:
    from cpas_kit.data_in import external
    from cpas_kit.store import Store

    store = Store()
    store.framework_version_for(args.mission)
    table = external.events_summary(store, args.mission, by=args.by)
    if args.json:
        print(table.to_json(orient="records", force_ascii=False, indent=2))
    elif not len(table):
        print(f"No events for {args.mission} yet; import some with `cpas import acled FILE --mission {args.mission}`.")
    else:
        print(table.to_string(index=False))
    return 0
