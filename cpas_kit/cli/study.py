"""``cpas study`` (a cross-mission study of one mandated area) and ``cpas fatalities`` (UN peacekeeping fatalities).

Registered in :mod:`cpas_kit.cli.main` by ``register(subparsers)``; each command's parser names its ``run``. Errors
are ``CpasError`` sentences, printed by the ``cpas`` entry point.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cpas_kit.data_in.external.fatalities_store import FatalityStore

STUDY_EPILOG = """examples:
  cpas study --area poc --from 2021/22-Q1 --to 2023/24-Q4
  cpas study --area wps --from 2022/23-Q1 --to 2023/24-Q4 --language fr -o hq_wps_study
  cpas study --area policing --from 2021/22-Q1 --to 2023/24-Q4 --missions UN-DEMO,DEMO-MLI

Areas: poc, policing, wps, elections, state-authority, ddr, human-rights, rule-of-law, peace-process,
mine-action, ssr, ceasefire (cpas_kit/data/standards/areas.yaml)."""

FATALITIES_EPILOG = """examples:
  cpas import fatalities fatalities.csv
  cpas fatalities --by mission
  cpas fatalities --by year --mission MINUSMA --json
  cpas fatalities --by incident"""


def register(subparsers: Any) -> None:
    """Add ``study`` and ``fatalities`` to the ``cpas`` sub-commands."""
    s = subparsers.add_parser(
        "study", help="a cross-mission study of one mandated area (offline HTML + Excel tables)",
        description="Compare the missions in the store on one common mandated area over a range of cycles: which "
                    "mission measures which standard indicator (coverage, completeness, verification), normalised "
                    "trends side by side, agreed assessment ratings, recommendations, fatalities, conflict events and "
                    "World Bank context. Writes study.html (opens offline) and study.xlsx to "
                    "outputs/studies/<area>_<from>_<to>/ unless -o names another folder.",
        epilog=STUDY_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--area", required=True, help="the mandated area, e.g. poc, policing, wps (see below)")
    s.add_argument("--from", dest="cycle_from", required=True, help="first cycle, e.g. 2021/22-Q1")
    s.add_argument("--to", dest="cycle_to", required=True, help="last cycle, e.g. 2023/24-Q4")
    s.add_argument("-o", "--output-dir", help="write the study here instead of outputs/studies/<area>_<from>_<to>/")
    s.add_argument("--missions", help="comma-separated mission codes (default: every mission in the store)")
    s.add_argument("--language", choices=["en", "fr"], default="en", help="language of the study (default: en)")
    s.add_argument("--normalisation", choices=["baseline", "minmax"], default="baseline",
                   help="how trends are put side by side: 100 = each mission's own baseline (default), or 0-1 "
                        "between each mission's lowest and highest value in the range")

    f = subparsers.add_parser(
        "fatalities", help="UN peacekeeping fatalities by mission, year or type of incident",
        description="Count the imported UN peacekeeping fatalities (`cpas import fatalities FILE`) by mission, by "
                    "year or by type of incident. Missions are the file's mission acronyms; the nationality columns "
                    "of the file describe the casualty, not the mission's host country.",
        epilog=FATALITIES_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("--by", choices=["mission", "year", "incident"], required=True, help="what to count by")
    f.add_argument("--mission", help="only this mission's fatalities (its acronym in the file, e.g. MINUSCA)")
    f.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    s.set_defaults(run=run)
    f.set_defaults(run=run)


def run(args: argparse.Namespace, store: Any = None) -> int:
    """Carry out ``cpas study`` or ``cpas fatalities``; return the exit status."""
    if args.command == "fatalities":
        return _fatalities(args, store)
    return _study(args)


def _fatalities(args: argparse.Namespace, store: Any) -> int:
    from cpas_kit.store import Store

    store = store or Store()
    table = FatalityStore(store).fatalities_summary([args.by], missions=[args.mission] if args.mission else None)
    if args.json:
        print(json.dumps(table.to_dict("records"), ensure_ascii=False, indent=2))
        return 0
    if not len(table):
        known = FatalityStore(store).fatality_missions()
        if not known:
            print("No fatalities imported yet; import the UN Peace and Security Data Hub file with "
                  "`cpas import fatalities FILE`.")
        else:
            print(f"No fatalities for {args.mission}; missions in the imported file: {', '.join(known)}.")
        return 0
    print(table.to_string(index=False))
    print(f"Total: {int(table['fatalities'].sum())} fatalities (one per casualty in the imported file).")
    return 0


def _study(args: argparse.Namespace) -> int:
    from cpas_kit.study.document import build_study, make_study_parameters

    missions = [m.strip() for m in args.missions.split(",") if m.strip()] if args.missions else []
    params = make_study_parameters(area=args.area, cycle_from=args.cycle_from, cycle_to=args.cycle_to,
                                   output_dir=args.output_dir or "", missions=",".join(missions),
                                   language=args.language, normalisation=args.normalisation)
    outcome = build_study(params)
    print(f"Study of {outcome['area_label']} ({params.area}), {params.cycle_from} to {params.cycle_to}, "
          f"{outcome['missions']} mission(s), written to {params.out_dir()}:")
    for path in outcome["files"]:
        print(f"  {path.name}")
    if outcome["lacking"]:
        print(f"  note: no indicator mapped to a standard of this area in {', '.join(outcome['lacking'])}")
    return 0
