"""``cpas framework validate|export|import``: check a framework file, edit it in Excel, save a new version."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    """Add ``framework`` to the ``cpas`` commands."""
    f = sub.add_parser("framework", help="results framework files")
    fsub = f.add_subparsers(dest="action", metavar="ACTION", required=True)
    v = fsub.add_parser("validate", help="check a framework YAML file and list every problem",
                        description="Check a results framework YAML file. Every problem is listed with its place in "
                                    "the file (e.g. priorities[1].outcomes[0].indicators[3].direction).")
    v.add_argument("file", help="the framework YAML file")
    _add_export_import(fsub)
    f.set_defaults(run=_cmd_framework)


def _add_export_import(fsub: Any) -> None:
    """Add ``export`` and ``import`` to the ``cpas framework`` sub-commands."""
    fe = fsub.add_parser("export", help="write a mission's results framework as an Excel workbook or YAML",
                         description="Write the results framework (priorities, outcomes, indicators, targets, "
                                     "outputs, stakeholders, …) as a workbook a planning unit can edit, or as YAML. "
                                     "Load the edited file back with `cpas framework import`.")
    fe.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    fe.add_argument("--format", choices=["xlsx", "yaml"], required=True, help="xlsx or yaml")
    fe.add_argument("-o", "--output", required=True, help="the file to write")
    fe.add_argument("--cycle", help="export the version in force for this cycle (default: the latest version)")
    fe.add_argument("--language", choices=["en", "fr"], help="language of the workbook's headers (default: the "
                                                             "mission's language)")
    fi = fsub.add_parser("import", help="check a framework workbook (or YAML) and save it as a new version",
                         description="Check the whole file; every problem is listed with its sheet, row and column "
                                     "(and highlighted in <name>.errors.xlsx) and nothing is written. A valid file "
                                     "becomes a new framework version in force from --effective-from; cycles "
                                     "before it keep the version they were assessed against. An unchanged "
                                     "framework changes nothing.")
    fi.add_argument("file", help="the .xlsx (from `cpas framework export`) or .yaml file")
    fi.add_argument("--effective-from", help="the first cycle the new version applies to, e.g. 2024/25-Q1 "
                                             "(default: the cycle in progress today)")
    fi.add_argument("--by", help="who is importing (default: $CPAS_USER or your login name)")
    fi.add_argument("--json", action="store_true", help="print the import summary as JSON")



def _cmd_framework(args: argparse.Namespace) -> int:
    from cpas_kit.framework.model import load_framework

    if args.action in ("export", "import"):
        return run_framework(args)

    fw = load_framework(args.file)
    n = sum(1 for _ in fw.indicators())
    print(f"{args.file}: valid — mission {fw.mission.code}, {len(fw.priorities)} priorities, "
          f"{sum(1 for _ in fw.outcomes())} outcomes, {n} indicators, {len(fw.stakeholders)} stakeholders.")
    return 0


def run_framework(args: argparse.Namespace, store: Any = None) -> int:
    """Carry out ``cpas framework export`` or ``cpas framework import``; return the exit status."""
    from cpas_kit.framework.workbook import export_framework, import_framework
    from cpas_kit.store import Store

    store = store or Store()
    if args.action == "export":
        path = export_framework(store, args.mission, args.output, fmt=args.format, cycle=args.cycle,
                                language=args.language)
        meta = store.framework_version_for(args.mission, args.cycle)
        print(f"{args.mission} results framework version {meta['version']} (in force from {meta['effective_from']}) "
              f"written to {path}")
        return 0
    from cpas_kit.core.import_report import ImportRejected, report_rejected
    from cpas_kit.core.paths import default_actor

    try:
        result, version = import_framework(store, args.file, actor=args.by or default_actor(),
                                           effective_from=args.effective_from)
    except ImportRejected as exc:
        return report_rejected(exc, as_json=args.json)
    meta = store.framework_versions(result.mission)
    row = meta[meta["version"] == version].iloc[0]
    if args.json:
        print(json.dumps({**result.to_json(), "framework_version": int(version),
                          "effective_from": row["effective_from"]}, ensure_ascii=False, indent=2))
        return 0
    state = "saved as" if result.rows_imported else "unchanged: still"
    print(f"{result.summary_line()} {result.mission} results framework {state} version {version}, in force from "
          f"{row['effective_from']}.")
    return 0
