"""The ``cpas`` command: one table of command groups, each a small module of :mod:`cpas_kit.cli`.

Every group module has ``register(subparsers)``, which adds its commands and names each one's handler with
``set_defaults(run=...)``; :func:`main` parses the line and calls it. Every command works on the store named by
``CPAS_DB_URL`` (default: the embedded SQLite file). Errors are printed as one sentence (add ``--debug`` for the
technical details) and exit with 1; an unexpected failure exits with 2.

Group modules import the heavy parts of the package (pandas, Altair, notebooks) inside their handlers, so that
``cpas --help`` and a mistyped option answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from cpas_kit.cli import (
    a4p,
    approval,
    boundaries,
    context,
    data,
    exchange,
    framework,
    packs,
    quality,
    report,
    stakeholders,
    study,
    tracker,
    workshop,
)
from cpas_kit.cli import store as store_cli
from cpas_kit.core.errors import CpasError
from cpas_kit.core.text import safe_text

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
  cpas quality --mission UN-DEMO --cycle 2023/24-Q4   outliers, breaks, late entries, completeness per section
  cpas submit --mission UN-DEMO --cycle 2023/24-Q4 --section UNPOL --by "UNPOL focal point"   then approve
  cpas events --mission UN-DEMO --by admin1   conflict events and fatalities per admin-1 area
  cpas tracker list --mission UN-DEMO         recommendations, decisions, progress, overdue
  cpas tracker decide 4 --decision Approved --by "Head of Mission"
  cpas export --mission UN-DEMO -o UN-DEMO.jsonl.gz   one compact file to send to headquarters, where:
  cpas merge UN-DEMO.jsonl.gz                 merge it (conflicts are reported, never overwritten)
  cpas a4p                                    A4P+ monitoring page: published CPAS figures beside the store's
  cpas report check report.docx --mission UN-DEMO   which paragraphs are informed by data, which contradict it
  cpas boundaries import cod_ab.geojson --mission UN-DEMO --code-field ADM1_PCODE   the mission's own areas
  cpas store backup -o cpas-backup.sqlite     a consistent copy of the whole store, even while it is in use

The store is the SQLite file .cpas/cpas.sqlite in the project folder unless CPAS_DB_URL names another,
e.g. CPAS_DB_URL=postgresql+psycopg://user:password@server/cpas for a shared headquarters store."""


# the command table: `cpas --help` lists the commands in this order
GROUPS = (packs, framework, data, quality, approval, boundaries, context, tracker, workshop, stakeholders, report,
          exchange, a4p, study, store_cli)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cpas", description="CPAS Workbench: plan, collect, assess and report, offline.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--debug", action="store_true", help="show the full technical error (traceback) on failure")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in GROUPS:
        group.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cpas`` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except CpasError as exc:
        print(f"cpas: {safe_text(exc, multiline=True)}", file=sys.stderr)  # no terminal escape from data
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
        print(f"cpas: unexpected error ({type(exc).__name__}: {safe_text(exc)}). Run again with --debug for details "
              "and report it with that output.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
