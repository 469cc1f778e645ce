"""``cpas a4p``: build the A4P+ monitoring page (published CPAS figures beside the store's) as offline HTML.

Registered in :mod:`cpas_kit.cli.main` by ``register(subparsers)``; each command's parser names its ``run``.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``a4p`` to the ``cpas`` sub-commands."""
    a = subparsers.add_parser(
        "a4p", help="A4P+ monitoring page: published CPAS figures beside the same views from the store",
        description="Run notebooks/a4p_monitoring.ipynb with papermill and write outputs/a4p/a4p_monitoring.html "
                    "(offline): missions using CPAS, missions with approved plans, missions conducting impact "
                    "assessments per reporting period and leadership approvals of recommendations, as published "
                    "in the CPAS source documents (real) and as computed from the store (demo missions labelled "
                    "synthetic).")
    a.add_argument("-o", "--output-dir", help="write the page here instead of outputs/a4p/")
    a.add_argument("--language", choices=["en", "fr"], default="en", help="language of the page (default: en)")
    a.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the page; print where it is."""
    from cpas_kit.study.a4p import build_a4p, make_parameters

    path = build_a4p(make_parameters(language=args.language, output_dir=args.output_dir or ""))
    print(f"A4P+ monitoring page written (opens offline): {path}")
    return 0
