"""``cpas quality``: data-quality findings and completeness of a mission's cycle, and their follow-up.

``cpas quality --mission M --cycle C [--json]`` lists the findings; ``cpas quality follow-up|explain|correct``
records what was done about one finding (every step in the audit log). Wired into :mod:`cpas_kit.cli.main`
by ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

EPILOG = """examples:
  cpas quality --mission UN-DEMO --cycle 2023/24-Q4
  cpas quality --mission UN-DEMO --cycle 2023/24-Q4 --json
  cpas quality follow-up --mission UN-DEMO --cycle 2023/24-Q4 --indicator SEC-01 --rule sudden_break --by "M&E"
  cpas quality explain --mission UN-DEMO --cycle 2023/24-Q4 --indicator SEC-01 --rule sudden_break \\
      --reason "two new police stations opened" --by "M&E"
  cpas quality correct --mission UN-DEMO --cycle 2023/24-Q4 --indicator SEC-01 --rule no_source \\
      --value 58 --source "JOC daily reports" --reason "source added" --by "M&E\""""


def _finding_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    p.add_argument("--cycle", required=True, help="the cycle checked, e.g. 2023/24-Q4")
    p.add_argument("--indicator", required=True, help="the finding's indicator code")
    p.add_argument("--rule", required=True, help="the rule it broke (as listed by `cpas quality`)")
    p.add_argument("--cell", default="", help="the disaggregation cell, e.g. 'sex=female' (default: the total)")
    p.add_argument("--period", help="the finding's period (default: the cycle)")
    p.add_argument("--by", help="who records it (default: $CPAS_USER or your login name)")


def register(subparsers: Any) -> None:
    """Add ``quality`` and its follow-up actions to the ``cpas`` sub-commands."""
    q = subparsers.add_parser(
        "quality", help="data-quality checks of a cycle: outliers, parts vs totals, breaks, late entries, sources",
        description="Check every value of a mission's cycle against its own history and its framework (outliers by "
                    "modified z-score, ranges, parts vs total, sudden breaks, late entries, missing sources) and "
                    "count completeness and timeliness per section. Explained findings are not listed again for "
                    "the same value.", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("--mission", help="mission code, e.g. UN-DEMO")
    q.add_argument("--cycle", help="the cycle to check, e.g. 2023/24-Q4")
    q.add_argument("--json", action="store_true", help="print one JSON object (mission, cycle, findings, "
                                                       "completeness)")
    q.add_argument("--all", action="store_true", help="also list findings already explained")
    q.add_argument("--threshold", type=float, default=None, help="modified z-score threshold (default: 3.5)")
    q.add_argument("--late-after", type=int, default=None, help="days after the period's end a value is late "
                                                                "(default: 30)")
    q.set_defaults(run=run_quality)
    qsub = q.add_subparsers(dest="quality_action", metavar="ACTION")
    fu = qsub.add_parser("follow-up", help="mark a finding for follow-up")
    _finding_args(fu)
    fu.add_argument("--reason", help="what should be checked (optional)")
    fu.set_defaults(run=run_followup, state="follow_up")
    ex = qsub.add_parser("explain", help="the value is right: explain it, so it is not flagged again")
    _finding_args(ex)
    ex.add_argument("--reason", required=True, help="why the value is right")
    ex.set_defaults(run=run_followup, state="explained")
    co = qsub.add_parser("correct", help="write a corrected value (through the normal import, audited)")
    _finding_args(co)
    co.add_argument("--value", type=float, help="the corrected number")
    co.add_argument("--value-text", help="the corrected text (qualitative indicators)")
    co.add_argument("--source", help="the value's source (default: the current one)")
    co.add_argument("--reason", required=True, help="what was wrong")
    co.set_defaults(run=run_correct)


def _store_and_actor(args: argparse.Namespace) -> tuple[Any, str]:
    from cpas_kit.core.paths import default_actor
    from cpas_kit.store import Store

    return Store(), getattr(args, "by", None) or default_actor()


def run_quality(args: argparse.Namespace) -> int:
    """``cpas quality``: print the findings and the completeness."""
    from cpas_kit.core.errors import CpasError
    from cpas_kit.quality import quality_report  # pandas is loaded only by commands that need it (start-up time)

    if not args.mission or not args.cycle:
        raise CpasError("name the mission and the cycle to check, e.g. `cpas quality --mission UN-DEMO --cycle "
                        "2023/24-Q4`")
    store, _ = _store_and_actor(args)
    opts = {k: v for k, v in (("threshold", args.threshold), ("late_after_days", args.late_after)) if v is not None}
    rep = quality_report(store, args.mission, args.cycle, include_explained=args.all, **opts)
    if args.json:
        print(json.dumps(rep.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"{rep.mission} {rep.cycle}: {len(rep.findings)} finding(s) in {rep.numeric_values} numeric value(s)"
          + (f"; {rep.explained} explained finding(s) not listed (--all lists them)" if rep.explained else "") + ".")
    for rule, n in rep.counts().items():
        if n:
            print(f"  {rule}: {n}")
    for r in rep.findings.to_dict("records"):
        value = "—" if r["value"] is None else (f"{r['value']:g}" if isinstance(r["value"], float) else r["value"])
        print(f"  [{r['state']}] {r['indicator_code']} {r['period']} {r['cell'] or 'total'} = {value}: "
              f"{r['rule']} — {r['detail']}")
    print("Completeness and timeliness per section:")
    for r in rep.completeness.to_dict("records"):
        late = "—" if r["median_days_late"] is None else f"{r['median_days_late']:g}"
        print(f"  {r['section']}: {r['entered']}/{r['expected']} entered, {r['verified']} verified, "
              f"{r['rejected']} rejected, median days late {late}")
    return 0


def run_followup(args: argparse.Namespace) -> int:
    """``cpas quality follow-up|explain``."""
    from cpas_kit.quality import QualityStore, find_finding

    store, by = _store_and_actor(args)
    finding = find_finding(store, args.mission, args.cycle, indicator=args.indicator, period=args.period,
                           cell=args.cell, rule=args.rule)
    QualityStore(store).record(args.mission, finding, state=args.state, by=by, reason=args.reason)
    word = "marked for follow-up" if args.state == "follow_up" else "explained"
    print(f"{args.indicator} {finding['period']} {args.cell or 'total'} ({args.rule}) {word} by {by}.")
    return 0


def run_correct(args: argparse.Namespace) -> int:
    """``cpas quality correct``: a new value through the observation route, and the finding marked corrected."""
    from cpas_kit.core.errors import CpasError
    from cpas_kit.quality import QualityStore, find_finding

    if args.value is None and not args.value_text:
        raise CpasError("give the corrected value with --value NUMBER (or --value-text for a qualitative indicator)")
    store, by = _store_and_actor(args)
    finding = find_finding(store, args.mission, args.cycle, indicator=args.indicator, period=args.period,
                           cell=args.cell, rule=args.rule)
    QualityStore(store).correct(args.mission, finding, value=args.value, value_text=args.value_text,
                                source=args.source, by=by, reason=args.reason)
    print(f"{args.indicator} {finding['period']} {args.cell or 'total'} corrected by {by}; the old value is in the "
          "audit log.")
    return 0
