"""The ``cpas`` command: demo mission, packs, framework checks, store information.

Every command works on the store named by ``CPAS_DB_URL`` (default: the embedded SQLite file).
Errors are printed as one sentence (add ``--debug`` for the technical details) and exit with 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

from cpas_kit.errors import CpasError

EPILOG = """examples:
  cpas demo                                   load the demo mission UN-DEMO and build its pack
  cpas pack --mission UN-DEMO --cycle 2023/24-Q4 --language fr
  cpas framework validate my_mission.yaml     check a results framework file before loading it
  cpas store info                             which store is used, its schema version and row counts

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
                       description="Build outputs/<MISSION>/<CYCLE>/pack.html (offline HTML, no code) from the store. "
                                   "Defaults come from parameters/<MISSION>.yaml when it exists.")
    k.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    k.add_argument("--cycle", help="reporting cycle, e.g. 2023/24-Q4")
    k.add_argument("--language", choices=["en", "fr"], help="language of the pack")
    k.add_argument("--output-dir", help="write the pack here instead of outputs/<MISSION>/<CYCLE>/")
    k.add_argument("--params", help="a parameters YAML file to use instead of parameters/<MISSION>.yaml")

    f = sub.add_parser("framework", help="results framework files")
    fsub = f.add_subparsers(dest="action", metavar="ACTION", required=True)
    v = fsub.add_parser("validate", help="check a framework YAML file and list every problem",
                        description="Check a results framework YAML file. Every problem is listed with its place in "
                                    "the file (e.g. priorities[1].outcomes[0].indicators[3].direction).")
    v.add_argument("file", help="the framework YAML file")

    s = sub.add_parser("store", help="the store")
    ssub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    ssub.add_parser("info", help="show the store in use, its schema version and row counts")
    ssub.add_parser("upgrade", help="bring the store's schema to the newest version")
    return p


def _cmd_demo(args: argparse.Namespace) -> int:
    from cpas_kit import demo
    from cpas_kit.pack import build_pack, resolve_parameters
    from cpas_kit.store import Store

    started = time.perf_counter()
    store = Store()
    print(f"Store: {store}")
    summary = demo.load_demo(store)
    obs, recs = summary["observations"], summary["recommendations"]
    print(f"Loaded {demo.MISSION}: framework v{summary['framework_version']}; observations "
          f"{obs['inserted']} new, {obs['updated']} updated, {obs['unchanged']} unchanged (synthetic); "
          f"recommendations {recs['inserted']} new, {recs['unchanged']} unchanged.")
    if args.no_pack:
        return 0
    params = resolve_parameters(demo.MISSION, args.cycle or None, language=args.language)
    path = build_pack(params)
    print(f"Pack written in {time.perf_counter() - started:.0f} s: {path}")
    print(f"Open it in a browser (it works offline): file://{path}")
    print("Workshop app: the live impact-assessment app arrives with `cpas workshop serve` (not in this version yet); "
          "until then open notebooks/ in JupyterLab: .venv/bin/jupyter lab notebooks/")
    return 0


def _cmd_pack(args: argparse.Namespace) -> int:
    from cpas_kit.pack import build_pack, resolve_parameters

    params = resolve_parameters(args.mission, args.cycle, params_file=args.params, language=args.language,
                                output_dir=args.output_dir)
    path = build_pack(params)
    print(f"Pack written: {path}")
    return 0


def _cmd_framework(args: argparse.Namespace) -> int:
    from cpas_kit.framework import load_framework

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


COMMANDS = {"demo": _cmd_demo, "pack": _cmd_pack, "framework": _cmd_framework, "store": _cmd_store}


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
    except Exception as exc:  # an unexpected failure: one sentence, details with --debug
        if args.debug:
            raise
        print(f"cpas: unexpected error ({type(exc).__name__}: {exc}). Run again with --debug for details and "
              "report it with that output.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
