"""The ``cpas`` command: demo mission, packs, framework checks, store information.

Every command works on the store named by ``CPAS_DB_URL`` (default: the embedded SQLite file).
Errors are printed as one sentence (add ``--debug`` for the technical details) and exit with 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Sequence

from cpas_kit.core.errors import CpasError
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.tracker.store import TrackerStore

EPILOG = """examples:
  cpas demo                                   load the demo mission UN-DEMO and build its pack
  cpas pack --mission UN-DEMO --cycle 2023/24-Q4 --language fr
  cpas framework validate my_mission.yaml     check a results framework file before loading it
  cpas framework export --mission UN-DEMO --format xlsx -o framework.xlsx   edit it in Excel, then:
  cpas framework import framework.xlsx --effective-from 2024/25-Q1
  cpas stakeholders diff --mission UN-DEMO --from 2022/23-Q4 --to 2023/24-Q4   context map changes, and why
  cpas store info                             which store is used, its schema version and row counts
  cpas template --mission UN-DEMO --cycle 2024/25-Q1 -o force.xlsx --language fr
  cpas import observations force.xlsx         check the whole file, then write it (or list every problem)
  cpas import acled acled_export.csv --mission UN-DEMO
  cpas verify --mission UN-DEMO --cycle 2023/24-Q4 --by "M&E officer"
  cpas events --mission UN-DEMO --by admin1   conflict events and fatalities per admin-1 area
  cpas tracker list --mission UN-DEMO         recommendations, decisions, progress, overdue
  cpas tracker decide 4 --decision Approved --by "Head of Mission"
  cpas export --mission UN-DEMO -o UN-DEMO.jsonl.gz   one compact file to send to headquarters, where:
  cpas merge UN-DEMO.jsonl.gz                 merge it (conflicts are reported, never overwritten)
  cpas a4p                                    A4P+ monitoring page: published CPAS figures beside the store's

The store is the SQLite file .cpas/cpas.sqlite in the project folder unless CPAS_DB_URL names another,
e.g. CPAS_DB_URL=postgresql+psycopg://user:password@server/cpas for a shared headquarters store."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cpas", description="CPAS Workbench: plan, collect, assess and report, offline.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--debug", action="store_true", help="show the full technical error (traceback) on failure")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    d = sub.add_parser("demo", help="load the demo mission UN-DEMO into the store and build its pack",
                       description="Load the demo mission UN-DEMO (framework, synthetic data, the CPAS seeds' demo "
                                   "tracker) into the store. Running it again changes nothing. Then build its pack.")
    d.add_argument("--cycle", default=None, help="cycle of the demo pack (default: 2023/24-Q4)")
    d.add_argument("--language", choices=["en", "fr"], default=None, help="language of the pack (default: en)")
    d.add_argument("--no-pack", action="store_true", help="only load the data, do not build the pack")

    k = sub.add_parser("pack", help="build a mission's impact-assessment pack for one cycle",
                       description="Build outputs/<MISSION>/<CYCLE>/pack.html (pack_fr.html in French; offline HTML, "
                                   "no code) and the other outputs from the store. "
                                   "Defaults come from parameters/<MISSION>.yaml when it exists.")
    k.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    k.add_argument("--cycle", help="reporting cycle, e.g. 2023/24-Q4")
    k.add_argument("--language", choices=["en", "fr"], help="language of the pack")
    k.add_argument("--output-dir", help="write the pack here instead of outputs/<MISSION>/<CYCLE>/")
    k.add_argument("--params", help="a parameters YAML file to use instead of parameters/<MISSION>.yaml")

    b = sub.add_parser("packs", help="build the packs of many missions in parallel, with a manifest",
                       description="Build pack.html, impact_report.docx, factsheet.html/.pdf and tracker.xlsx (French: "
                                   "pack_fr.html, …) for "
                                   "every mission with a parameters/<MISSION>.yaml (--all) or the missions named, "
                                   "in parallel. Packs whose inputs did not change since their last build are "
                                   "skipped (--force rebuilds them). One mission's failure never stops the others; "
                                   "outputs/manifest.json lists every run. Exit status 1 if any mission failed.")
    which = b.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every mission with a parameters/<MISSION>.yaml")
    which.add_argument("--missions", help="comma-separated mission codes, e.g. UN-DEMO,DEMO-MLI")
    b.add_argument("--cycle", help="the cycle for every mission (default: each mission's parameters file)")
    b.add_argument("--language", choices=["en", "fr"], help="the language for every mission (default: each file's)")
    b.add_argument("--jobs", type=int, help="parallel workers (default: one per core)")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    b.add_argument("--force", action="store_true",
                   help="rebuild every pack, even those whose inputs did not change since the last build")

    f = sub.add_parser("framework", help="results framework files")
    fsub = f.add_subparsers(dest="action", metavar="ACTION", required=True)
    v = fsub.add_parser("validate", help="check a framework YAML file and list every problem",
                        description="Check a results framework YAML file. Every problem is listed with its place in "
                                    "the file (e.g. priorities[1].outcomes[0].indicators[3].direction).")
    v.add_argument("file", help="the framework YAML file")
    from cpas_kit.cli import stakeholders as context_cli

    context_cli.add_framework_actions(fsub)

    tp = sub.add_parser("template", help="write an Excel data-entry workbook for a mission and cycle",
                        description="Write an .xlsx data-entry workbook from the mission's results framework: one "
                                    "sheet per responsible section, one row per indicator and disaggregation cell, "
                                    "reference columns locked, input cells validated. Fill it in and load it with "
                                    "`cpas import observations`.")
    tp.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    tp.add_argument("--cycle", required=True, help="the cycle to collect, e.g. 2024/25-Q1")
    tp.add_argument("-o", "--output", help="the .xlsx file to write (default: outputs/<MISSION>/<CYCLE>/data_entry_…)")
    tp.add_argument("--language", choices=["en", "fr"], default="en", help="language of the labels (default: en)")

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

    ev = sub.add_parser("events", help="conflict events and fatalities per admin-1 area or per period",
                        description="Event counts and fatalities (best estimate) from the imported ACLED/UCDP files, "
                                    "per admin-1 area or per period; events not matched to an area get their own line.")
    ev.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    ev.add_argument("--by", choices=["admin1", "period"], default="admin1", help="group by (default: admin1)")
    ev.add_argument("--json", action="store_true", help="print JSON rows")

    tr = sub.add_parser("tracker", help="the recommendations tracker: import, list, decide, progress, history, export")
    tsub = tr.add_subparsers(dest="action", metavar="ACTION", required=True)
    ti = tsub.add_parser("import", help="import a tracker file (.xlsx or .csv in the CPAS tracker layout)",
                         description="Check the whole tracker file, then record it: new recommendations are added, "
                                     "changed fields of known ones become events. Nothing is written on any problem.")
    ti.add_argument("file")
    ti.add_argument("--mission", required=True)
    ti.add_argument("--by", help="who is importing (default: $CPAS_USER or your login name)")
    ti.add_argument("--json", action="store_true", help="print the import summary as JSON")
    tl = tsub.add_parser("list", help="the mission's recommendations with their current state")
    tl.add_argument("--mission", required=True)
    tl.add_argument("--on", help="reporting date for 'overdue' (default: today), e.g. 2024-06-30")
    tl.add_argument("--json", action="store_true")
    td = tsub.add_parser("decide", help="record leadership's decision on a recommendation")
    td.add_argument("id", type=int, help="the recommendation's id (see `cpas tracker list`)")
    td.add_argument("--decision", required=True, help="Approved, Rejected, Deferred or Awaiting Review")
    td.add_argument("--by", required=True, help="who decides")
    td.add_argument("--comment", help="the reason (required for Rejected and Deferred)")
    tp_ = tsub.add_parser("progress", help="record implementation progress of an approved recommendation")
    tp_.add_argument("id", type=int)
    tp_.add_argument("--status", required=True,
                     help="Not Assigned, Not Started, Ongoing, Implemented or Not Implemented")
    tp_.add_argument("--by", required=True, help="who reports it (usually the lead section)")
    tp_.add_argument("--comment", help="what was done (required for Implemented and Not Implemented)")
    th = tsub.add_parser("history", help="every change of one recommendation: who, when, from, to, comment")
    th.add_argument("id", type=int)
    th.add_argument("--json", action="store_true")
    te = tsub.add_parser("export", help="export the tracker to Excel (CPAS layout) or Word")
    te.add_argument("--mission", required=True)
    te.add_argument("--format", choices=["xlsx", "docx"], required=True)
    te.add_argument("-o", "--output", required=True, help="the file to write")
    te.add_argument("--cycle", help="the reporting period named in the header (default: all cycles)")
    te.add_argument("--language", choices=["en", "fr"], default="en")

    from cpas_kit.cli import workshop as workshop_cli

    workshop_cli.add_parsers(sub)
    context_cli.add_parsers(sub)

    from cpas_kit.cli import a4p as a4p_cli
    from cpas_kit.cli import exchange as exchange_cli  # cpas export / cpas merge / cpas a4p

    exchange_cli.add_parsers(sub)
    a4p_cli.add_parsers(sub)

    from cpas_kit.cli import study as study_cli  # cpas study / cpas fatalities

    study_cli.add_parsers(sub)

    s = sub.add_parser("store", help="the store")
    ssub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    ssub.add_parser("info", help="show the store in use, its schema version and row counts")
    ssub.add_parser("upgrade", help="bring the store's schema to the newest version")
    return p


def _cmd_demo(args: argparse.Namespace) -> int:
    from cpas_kit import demo
    from cpas_kit.core.settings import resolve_parameters
    from cpas_kit.packs.build import build_outputs, pack_file
    from cpas_kit.store import Store

    started = time.perf_counter()
    store = Store()
    print(f"Store: {store}")
    summary = demo.load_demo(store)
    obs, recs = summary["observations"], summary["recommendations"]
    print(f"Loaded {demo.MISSION}: framework v{summary['framework_version']}; observations "
          f"{obs['inserted']} new, {obs['updated']} updated, {obs['unchanged']} unchanged (synthetic); "
          f"recommendations {recs['inserted']} new, {recs['unchanged']} unchanged.")
    others = demo.load_demo_missions(store)
    new = sum(o["observations"]["inserted"] for o in others)
    print(f"Loaded {len(others)} further fictional demo missions ({', '.join(o['mission'] for o in others)}): "
          f"{new} new synthetic observations. Build all their packs with `cpas packs --all`.")
    if args.no_pack:
        return 0
    params = resolve_parameters(demo.MISSION, args.cycle or None, language=args.language)
    outcome = build_outputs(params)
    print(f"{demo.MISSION} {params.cycle} written in {time.perf_counter() - started:.0f} s to {params.out_dir()}: "
          + ", ".join(p.name for p in outcome["files"]))
    for note in outcome["notes"]:
        print(f"  note: {note}")
    print(f"Open the pack in a browser (it works offline): file://{pack_file(params)}")
    print("Recommendations tracker app: .venv/bin/voila notebooks/recommendations_tracker.ipynb")
    print("Context-mapping app:         .venv/bin/voila notebooks/context_mapping.ipynb")
    print(f"Live workshop:               .venv/bin/cpas workshop start --mission {demo.MISSION} --cycle "
          f"{params.cycle}, "
          "then .venv/bin/cpas workshop serve")
    return 0


def _cmd_pack(args: argparse.Namespace) -> int:
    from cpas_kit.core.settings import resolve_parameters
    from cpas_kit.packs.build import build_outputs

    params = resolve_parameters(args.mission, args.cycle, params_file=args.params, language=args.language,
                                output_dir=args.output_dir)
    outcome = build_outputs(params)
    print(f"Pack written to {params.out_dir()}:")
    for path in outcome["files"]:
        print(f"  {path.name}")
    for note in outcome["notes"]:
        print(f"  note: {note}")
    return 0


def _cmd_packs(args: argparse.Namespace) -> int:
    from cpas_kit.core.paths import outputs_dir
    from cpas_kit.packs.batch import MANIFEST, missions_with_parameters, run_batch

    missions = missions_with_parameters() if args.all else [m.strip() for m in args.missions.split(",") if m.strip()]
    manifest = run_batch(missions, cycle=args.cycle, language=args.language, jobs=args.jobs,
                         progress=not args.no_progress, force=args.force)
    for run in manifest["runs"]:
        if run.get("skipped"):
            state = "unchanged since its last build: skipped (--force rebuilds it)"
        else:
            state = f"{run['seconds']:>6.1f} s  " + ("ok" if run["ok"] else f"FAILED: {run['error']}")
        print(f"{run['mission']:<14} {run['cycle'] or '':<11} {run['language'] or '':<3} {state}")
    built = sum(1 for r in manifest["runs"] if r["ok"] and not r.get("skipped"))
    print(f"{built} of {len(manifest['runs'])} missions built, {len(manifest['skipped'])} skipped as unchanged, "
          f"{manifest['failed']} failed, in {manifest['seconds']:.0f} s with {manifest['jobs']} workers; "
          f"manifest: {outputs_dir() / MANIFEST}; console output of the notebooks: {outputs_dir() / 'logs'}")
    return 0 if manifest["failed"] == 0 else 1


def _cmd_framework(args: argparse.Namespace) -> int:
    from cpas_kit.framework.model import load_framework

    if args.action in ("export", "import"):
        from cpas_kit.cli import stakeholders as context_cli

        return context_cli.run_framework(args)

    fw = load_framework(args.file)
    n = sum(1 for _ in fw.indicators())
    print(f"{args.file}: valid — mission {fw.mission.code}, {len(fw.priorities)} priorities, "
          f"{sum(1 for _ in fw.outcomes())} outcomes, {n} indicators, {len(fw.stakeholders)} stakeholders.")
    return 0


def _cmd_store(args: argparse.Namespace) -> int:
    from cpas_kit.store import Store
    from cpas_kit.store.engine import head_revision

    store = Store()
    if args.action == "upgrade":
        print(f"{store}: schema at revision {store.schema_revision()} (newest: {head_revision()}).")
        return 0
    print(json.dumps({"store": repr(store), "schema_revision": store.schema_revision(),
                      "missions": store.mission_codes(), "rows": store.table_counts()}, indent=2))
    return 0


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


def _cmd_tracker(args: argparse.Namespace) -> int:
    from datetime import date

    from cpas_kit.store import Store
    from cpas_kit.tracker import files as tracker

    store = Store()
    if args.action == "import":
        from cpas_kit.core.import_report import ImportRejected, report_rejected
        from cpas_kit.core.paths import default_actor

        try:
            result = tracker.import_tracker(store, args.file, args.mission, actor=args.by or default_actor())
        except ImportRejected as exc:
            return report_rejected(exc, as_json=args.json)
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2) if args.json else result.summary_line())
        return 0
    if args.action == "list":
        try:
            on = date.fromisoformat(args.on) if args.on else None
        except ValueError:
            raise CpasError(f"--on '{args.on}' is not a date; write it as 2024-06-30") from None
        store.framework_version_for(args.mission)
        recs = tracker.tracker_frame(store, args.mission, on=on)
        cols = ["id", "cycle_recommended", "priority_code", "lead_section", "decision", "progress", "target_date",
                "overdue", "text"]
        if args.json:
            print(recs.drop(columns=["rec_key"]).to_json(orient="records", date_format="iso", force_ascii=False,
                                                         indent=2))
        elif not len(recs):
            print(f"No recommendations for {args.mission} yet.")
        else:
            view = recs[cols].assign(text=recs["text"].str.slice(0, 60))
            print(view.to_string(index=False))
        return 0
    if args.action in ("decide", "progress"):
        field, value = ("decision", args.decision) if args.action == "decide" else ("progress", args.status)
        state = TrackerStore(store).change_recommendation(args.id, field, value, actor=args.by, comment=args.comment)
        print(f"Recommendation {args.id}: {field} is now {state[field]} (recorded for {args.by}).")
        return 0
    if args.action == "history":
        hist = TrackerStore(store).recommendation_history(args.id)
        if args.json:
            print(hist.to_json(orient="records", date_format="iso", force_ascii=False, indent=2))
        else:
            print(hist[["at", "actor", "action", "field", "from_value", "to_value", "comment"]].to_string(index=False))
        return 0
    from cpas_kit.tracker.export import export_docx, export_xlsx

    export = export_xlsx if args.format == "xlsx" else export_docx
    path = export(store, args.mission, args.output, cycle=args.cycle, language=args.language)
    print(f"Tracker written: {path}")
    return 0


def _cmd_stakeholders(args: argparse.Namespace) -> int:
    from cpas_kit.cli import stakeholders as context_cli

    return context_cli.run(args)


def _cmd_workshop(args: argparse.Namespace) -> int:
    from cpas_kit.cli import workshop as workshop_cli

    return workshop_cli.run(args)


def _cmd_exchange(args: argparse.Namespace) -> int:
    from cpas_kit.cli import exchange as exchange_cli

    return exchange_cli.run(args)


def _cmd_a4p(args: argparse.Namespace) -> int:
    from cpas_kit.cli import a4p as a4p_cli

    return a4p_cli.run(args)


COMMANDS = {"stakeholders": _cmd_stakeholders, "workshop": _cmd_workshop, "packs": _cmd_packs, "tracker": _cmd_tracker,
            "demo": _cmd_demo, "pack": _cmd_pack, "framework": _cmd_framework, "store": _cmd_store,
            "template": _cmd_template, "import": _cmd_import, "verify": _cmd_verify, "events": _cmd_events}
COMMANDS.update({"export": _cmd_exchange, "merge": _cmd_exchange, "a4p": _cmd_a4p})


def _cmd_study(args: argparse.Namespace) -> int:
    from cpas_kit.cli import study as study_cli

    return study_cli.run(args)


COMMANDS.update({"study": _cmd_study, "fatalities": _cmd_study})


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cpas`` console script."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CpasError as exc:
        print(f"cpas: {exc}", file=sys.stderr)
        if args.debug:
            raise
        return 1
    except KeyboardInterrupt:
        print("cpas: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output was piped into e.g. `head`, which stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 0
    except Exception as exc:  # an unexpected failure: one sentence, details with --debug
        if args.debug:
            raise
        print(f"cpas: unexpected error ({type(exc).__name__}: {exc}). Run again with --debug for details and "
              "report it with that output.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
