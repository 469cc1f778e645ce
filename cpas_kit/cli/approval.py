"""``cpas submit|approve|return|reopen|submissions``: a section's data for a cycle, from entry to approval.

Approved data is locked (imports, merges and verification that would change it are refused) until it is
re-opened with a reason. Wired into :mod:`cpas_kit.cli.main` by ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

_STEPS = (
    ("submit", "hand in a section's data for a cycle for approval", False),
    ("approve", "approve a section's submitted data for a cycle (it is then locked)", False),
    ("return", "send a section's submitted data back, with a reason", True),
    ("reopen", "re-open a section's approved data (unlocks it), with a reason", True),
)


def register(subparsers: Any) -> None:
    """Add the approval steps and ``submissions`` to the ``cpas`` sub-commands."""
    for action, help_text, needs_reason in _STEPS:
        p = subparsers.add_parser(action, help=help_text,
                                  description=f"{help_text[0].upper()}{help_text[1:]}. Status per mission × section × "
                                              "cycle: No data → In progress → Submitted → Returned or Approved; "
                                              "every step is kept with who, when and why.")
        p.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
        p.add_argument("--cycle", required=True, help="the cycle, e.g. 2023/24-Q4")
        p.add_argument("--section", required=True, help="the responsible section's code, e.g. UNPOL")
        p.add_argument("--by", required=True, help="who takes this step")
        p.add_argument("--reason", required=needs_reason, help="why" + (" (required)" if needs_reason else ""))
        p.add_argument("--json", action="store_true", help="print the recorded step as JSON")
        p.set_defaults(run=run_step, step=action)
    s = subparsers.add_parser("submissions", help="each section's submission and approval status per cycle",
                              description="The status of every section's data: with --cycle, every section of "
                                          "the framework for that cycle; without, every section and cycle that "
                                          "has been submitted at least once.")
    s.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    s.add_argument("--cycle", help="one cycle, e.g. 2023/24-Q4")
    s.add_argument("--json", action="store_true", help="print JSON rows")
    s.set_defaults(run=run_submissions)


def run_step(args: argparse.Namespace) -> int:
    """One approval step."""
    from cpas_kit.data_in.approval import move
    from cpas_kit.store import Store

    row = move(Store(), args.step, mission=args.mission, cycle=args.cycle, section=args.section, by=args.by,
               reason=args.reason)
    if args.json:
        print(json.dumps({**row, "at": row["at"].isoformat()}, ensure_ascii=False))
        return 0
    print(f"{row['mission_code']} {row['section_code']} {row['cycle']}: {row['from_status'].replace('_', ' ')} → "
          f"{row['status'].replace('_', ' ')}, by {row['actor']}" + (f" ({row['reason']})" if row["reason"] else "")
          + ".")
    return 0


def run_submissions(args: argparse.Namespace) -> int:
    """The status table."""
    from cpas_kit.data_in.approval import ApprovalStore
    from cpas_kit.store import Store

    rows = ApprovalStore(Store()).statuses(args.mission, args.cycle)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"No section of {args.mission} has submitted data yet (name a --cycle to see every section).")
    for r in rows:
        who = f", {r['last_step']} by {r['by']} on {r['at'][:10]}" if r["by"] else ""
        why = f" — {r['reason']}" if r["reason"] else ""
        print(f"  {r['cycle']} {r['section']}: {r['status'].replace('_', ' ')}{who}{why}")
    return 0
