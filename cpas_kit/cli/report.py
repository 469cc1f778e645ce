"""``cpas report check`` (the evidence check of a report to the Security Council) and ``cpas report draft``
(traceable draft paragraphs). Wired into :mod:`cpas_kit.cli.main` by :func:`register`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

EPILOG = """examples:
  cpas report check S_2024_123.docx --mission UN-DEMO --cycle 2023/24-Q4
  cpas report check rapport.pdf --mission UN-DEMO --language fr -o checks/
  cpas report check draft.txt --mission UN-DEMO --json
  cpas report draft --mission UN-DEMO --cycle 2023/24-Q4 -o draft.docx
  cpas report draft --mission UN-DEMO --cycle 2023/24-Q4 --language fr --include-unverified -o projet.docx

A paragraph is "informed by data" when a figure it states matches the store (indicator values by period and
cell, conflict events and fatalities, context values, tracker and workshop counts) for the topic its words
name, within rounding and its qualifier ("some 60", "more than 50"). Each check is recorded in the store, so
the pack and the cross-mission study show the share of paragraphs informed over the mission's reports."""


def register(subparsers: Any) -> None:
    """Add ``report check`` and ``report draft`` to the ``cpas`` sub-commands."""
    r = subparsers.add_parser("report", help="check a report to the Security Council against the data, or draft one",
                              description="Reports to the Security Council: the evidence check of a report's "
                                          "figures, and traceable draft paragraphs from the mission's data.",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    rsub = r.add_subparsers(dest="action", metavar="ACTION", required=True)
    c = rsub.add_parser("check", help="classify every paragraph of a report against the mission's data",
                        description="Split a report (.docx, .pdf with a text layer, .txt, .md) into its numbered "
                                    "paragraphs, match each stated figure to the mission's store and classify each "
                                    "paragraph: informed by data, could be informed, contradicts the data, no data "
                                    "topic. Writes report_check.html and report_check.xlsx to "
                                    "outputs/<MISSION>/<CYCLE>/ (or -o DIR) and records the share in the store.",
                        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("file", help="the report: .docx, .pdf, .txt or .md")
    c.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    c.add_argument("--cycle", help="the period the report covers, e.g. 2023/24-Q4 (default: read from the report)")
    c.add_argument("--language", choices=["en", "fr"], help="the report's language (default: detected)")
    c.add_argument("--tolerance", type=float, default=0.0,
                   help="relative difference accepted beyond rounding, e.g. 0.05 for 5 %% (default: 0)")
    c.add_argument("-o", "--output-dir", help="write the files here instead of outputs/<MISSION>/<CYCLE>/")
    c.add_argument("--json", action="store_true", help="print the counts, shares and findings as JSON")
    c.add_argument("--no-record", action="store_true", help="do not record the check in the store")
    c.add_argument("--by", help="who checks (default: $CPAS_USER or the login name)")
    c.set_defaults(run=_check)

    d = rsub.add_parser("draft", help="draft data-based paragraphs, each sentence traceable to its value",
                        description="Draft one paragraph per priority and per outcome with data for the cycle, in "
                                    "the register of reports to the Council, in English or French, from verified "
                                    "values (--include-unverified adds the others, marked). Every sentence carries "
                                    "a Word comment naming indicator, period, cell, source and verification status.",
                        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    d.add_argument("--cycle", required=True, help="the reporting period, e.g. 2023/24-Q4")
    d.add_argument("--language", choices=["en", "fr"], default="en", help="language of the draft (default: en)")
    d.add_argument("--include-unverified", action="store_true", help="also use values not yet verified (marked)")
    d.add_argument("-o", "--output", required=True, help="the .docx file to write")
    d.set_defaults(run=_draft)


def _out_dir(args: argparse.Namespace, cycle: Any) -> Path:
    from cpas_kit.core.paths import outputs_dir, pack_dir

    if args.output_dir:
        return Path(args.output_dir)
    if cycle is None:  # the report names no period and none was given
        return outputs_dir() / args.mission / "reports"
    return pack_dir(args.mission, str(cycle))


def _check(args: argparse.Namespace) -> int:
    # imported here: the check reads the store and pandas (start-up time of every other command)
    from cpas_kit.council.check import check_report, record_check
    from cpas_kit.council.outputs import fmt_share, write_check
    from cpas_kit.store import Store

    store = Store()
    check = check_report(store, args.file, args.mission, cycle=args.cycle, language=args.language,
                         tolerance=args.tolerance)
    files = write_check(check, _out_dir(args, check.cycle))
    if not args.no_record:
        record_check(store, check, actor=args.by)
    s = check.summary()
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return 0
    lang = check.language
    if check.is_synthetic:
        print("SYNTHETIC DATA: the store's values include synthetic figures of a fictional demonstration mission.")
    print(f"{check.title} ({check.file_name}), checked against {check.mission}"
          f"{' for ' + str(check.cycle) if check.cycle else ''}:")
    print(f"  {s['paragraphs']} paragraphs ({s['operative']} numbered): {s['informed']} informed by data, "
          f"{s['could_be_informed']} could be informed, {s['contradicts']} contradict the data")
    print(f"  share of paragraphs informed by data: {fmt_share(s['share_informed'], 'en')} in all, "
          f"{fmt_share(s['share_informed_operative'], 'en')} among numbered paragraphs")
    for f in s["findings"]:
        if f["class"] == "contradicts":
            print(f"  paragraph {f['paragraph']}: states {f['figure']}, the store holds {f['stored_value']:g} for "
                  f"{f['indicator_code']} ({f['period'] or 'no period'})")
    print("  written: " + ", ".join(str(p) for p in files) + f" (language: {lang})")
    return 0


def _draft(args: argparse.Namespace) -> int:
    # imported here: python-docx and the store (start-up time of every other command)
    from cpas_kit.council.draft import write_draft
    from cpas_kit.store import Store

    out = write_draft(Store(), args.mission, args.cycle, args.output, language=args.language,
                      include_unverified=args.include_unverified)
    print(f"Draft of {out['paragraphs']} paragraph(s), {out['sentences']} sentence(s) for {args.mission} "
          f"{args.cycle} written to {out['path']}" + (" (SYNTHETIC DATA: fictional demonstration mission)"
                                                     if out["is_synthetic"] else ""))
    return 0
