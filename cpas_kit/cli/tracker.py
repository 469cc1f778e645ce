"""``cpas tracker import|list|decide|progress|history|export``: the recommendations tracker."""

from __future__ import annotations

import argparse
import json
from typing import Any

from cpas_kit.core.errors import CpasError
from cpas_kit.core.text import safe_text
from cpas_kit.tracker.store import TrackerStore


def register(sub: Any) -> None:
    """Add ``tracker`` to the ``cpas`` commands."""
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
    tr.set_defaults(run=_cmd_tracker)


def _cmd_tracker(args: argparse.Namespace) -> int:
    from datetime import date

    from cpas_kit.store import Store
    from cpas_kit.tracker import files as tracker
    from cpas_kit.tracker import views

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
        if args.json:
            print(recs.drop(columns=["rec_key"]).to_json(orient="records", date_format="iso", force_ascii=False,
                                                         indent=2))
        elif not len(recs):
            print(f"No recommendations for {args.mission} yet.")
        else:  # a readable table: words, days, "—" for missing (never NaN, None, False or microseconds)
            print(safe_text(views.list_table(recs, store.framework(args.mission), on=on or date.today()),
                            multiline=True))
        return 0
    if args.action in ("decide", "progress"):
        field, value = ("decision", args.decision) if args.action == "decide" else ("progress", args.status)
        state = TrackerStore(store).change_recommendation(args.id, field, value, actor=args.by, comment=args.comment)
        print(safe_text(f"Recommendation {args.id}: {field} is now {state[field]} (recorded for {args.by})."))
        return 0
    if args.action == "history":
        hist = TrackerStore(store).recommendation_history(args.id)
        if args.json:
            print(hist.to_json(orient="records", date_format="iso", force_ascii=False, indent=2))
        else:
            # each change in words (the creation too, field by field)
            print(safe_text(views.history_table(hist, args.id), multiline=True))
        return 0
    from cpas_kit.tracker.export import export_docx, export_xlsx

    export = export_xlsx if args.format == "xlsx" else export_docx
    path = export(store, args.mission, args.output, cycle=args.cycle, language=args.language)
    print(f"Tracker written: {path}")
    return 0
