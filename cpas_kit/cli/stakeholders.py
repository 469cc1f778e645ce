"""``cpas stakeholders list|diff|options``: context mapping from the command line.

Registered in :mod:`cpas_kit.cli.main` by ``register(subparsers)``; each command's parser names its ``run``. Errors
are ``CpasError`` sentences, printed by ``cpas``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cpas_kit.stakeholders.store import StakeholderStore

EPILOG = """examples:
  cpas stakeholders list --mission UN-DEMO
  cpas stakeholders list --mission UN-DEMO --cycle 2022/23-Q4 --json
  cpas stakeholders diff --mission UN-DEMO --from 2022/23-Q4 --to 2023/24-Q4
  cpas stakeholders options --mission UN-DEMO --file options.yaml --by "planning officer"
  cpas framework export --mission UN-DEMO --format xlsx -o framework.xlsx
  cpas framework import framework.xlsx --effective-from 2024/25-Q1"""


def register(subparsers: Any) -> None:
    """Add ``stakeholders list``, ``diff`` and ``options`` to the ``cpas`` sub-commands; return that parser."""
    s = subparsers.add_parser(
        "stakeholders", help="context mapping: the stakeholder register per cycle, changes between cycles",
        description="The stakeholder register (context mapping) of a mission: who matters, their stance towards "
                    "the mandate, influence, areas and outcomes, as mapped each cycle; and what changed between "
                    "two cycles, with the reason recorded for each change.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ssub = s.add_subparsers(dest="action", metavar="ACTION", required=True)
    sl = ssub.add_parser("list", help="the stakeholders on the map of a cycle",
                         description="The stakeholders on the context map in force for a cycle (the latest map at "
                                     "or before it; default: the latest map).")
    sl.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    sl.add_argument("--cycle", help="the cycle, e.g. 2023/24-Q4 (default: the latest map)")
    sl.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    sd = ssub.add_parser("diff", help="what changed on the map between two cycles, and why",
                         description="New stakeholders, those that left the map, and every changed field (stance "
                                     "and influence moves first of all), each with the note saying why.")
    sd.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    sd.add_argument("--from", dest="before", required=True, help="the earlier cycle, e.g. 2022/23-Q4")
    sd.add_argument("--to", dest="after", required=True, help="the later cycle, e.g. 2023/24-Q4")
    sd.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    so = ssub.add_parser("options", help="the values allowed for type, level, stance and influence",
                         description="Show the mission's enumerations (type, level, stance, influence), or set them "
                                     "from a YAML file {field: [{code, label, label_fr}, …]} (stance and influence "
                                     "in matrix order: most supportive and most influential first). A value still "
                                     "used by an entry cannot be dropped.")
    so.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    so.add_argument("--file", help="a YAML file with the fields to set")
    so.add_argument("--by", help="who changes them (default: $CPAS_USER or your login name)")
    so.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    s.set_defaults(run=run)


def run(args: argparse.Namespace, store: Any = None) -> int:
    """Carry out ``cpas stakeholders ACTION``; return the exit status."""
    from cpas_kit.store import Store

    store = store or Store()
    store.framework_version_for(args.mission)  # a clear error for an unknown mission
    if args.action == "list":
        return _list(store, args)
    if args.action == "diff":
        return _diff(store, args)
    return _options(store, args)


def _list(store: Any, args: argparse.Namespace) -> int:
    from cpas_kit.stakeholders.register import ACTIVE

    cmap = StakeholderStore(store).context_map(args.mission, args.cycle)
    on_map = [e for e in cmap["entries"] if e["status"] == ACTIVE]
    if args.json:
        out = {"mission": args.mission, "cycle": args.cycle, "mapped_in": cmap["cycle"],
               "is_synthetic": bool(cmap["is_synthetic"]), "source": cmap["source"],
               "stakeholders": [_plain(e) for e in on_map],
               "removed": [_plain(e) for e in cmap["entries"] if e["status"] != ACTIVE]}
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return 0
    options = StakeholderStore(store).stakeholder_options(args.mission)
    synthetic = " — SYNTHETIC (demonstration data)" if cmap["is_synthetic"] else ""
    asked = f" (the map in force for {args.cycle})" if args.cycle and args.cycle != cmap["cycle"] else ""
    print(f"{args.mission} context map of {cmap['cycle']}{asked}: {len(on_map)} stakeholders{synthetic}")
    head = ("code", "name", "type", "level", "stance", "influence", "areas", "outcomes")
    rows = [(e["code"], _short(e["name"], 44), options.label("type", e["type"]), options.label("level", e["level"]),
             options.label("stance", e["stance"]), options.label("influence", e["influence"]),
             ",".join(e["areas"]) or "-", ",".join(e["outcomes"]) or "-") for e in on_map]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())
    return 0


def _plain(entry: dict[str, Any]) -> dict[str, Any]:
    keep = ("code", "name", "name_fr", "type", "level", "areas", "stance", "influence", "interests", "perception",
            "engagement", "outcomes", "status", "note", "note_fr", "updated_at", "updated_by")
    return {k: entry.get(k) for k in keep}


def _diff(store: Any, args: argparse.Namespace) -> int:
    diff = StakeholderStore(store).stakeholder_diff(args.mission, args.before, args.after)
    if args.json:
        print(json.dumps(diff, ensure_ascii=False, indent=2, default=str))
        return 0
    options = StakeholderStore(store).stakeholder_options(args.mission)
    s = diff["summary"]
    mapped = "" if (diff["from_snapshot"], diff["to_snapshot"]) == (diff["from"], diff["to"]) else \
        f" (maps of {diff['from_snapshot']} and {diff['to_snapshot']})"
    synthetic = " — SYNTHETIC (demonstration data)" if diff["is_synthetic"] else ""
    print(f"{args.mission} context map from {diff['from']} to {diff['to']}{mapped}: {s['added']} new, "
          f"{s['removed']} left the map, {s['changed']} changed{synthetic}")
    marks = {"added": "+", "removed": "-", "changed": "~"}
    for c in diff["changes"]:
        words = {"added": "new on the map", "removed": "left the map", "changed": "changed"}[c["change"]]
        print(f"{marks[c['change']]} {c['code']} {c['name']}: {words}")
        if c["change"] == "changed":
            for f in c["fields"]:
                print(f"    {f['field']}: {_value(options, f['field'], f['from'])} -> "
                      f"{_value(options, f['field'], f['to'])}")
        elif c["change"] == "added":
            print("    " + ", ".join(f"{f['field']} {_value(options, f['field'], f['to'])}" for f in c["fields"]
                                     if f["field"] in ("type", "stance", "influence")))
        print(f"    why: {c['note'] or '(no note recorded)'}")
    return 0


def _value(options: Any, field: str, value: Any) -> str:
    from cpas_kit.stakeholders.register import ENUMERATED

    if value in (None, "", []):
        return "-"
    if field in ENUMERATED:
        return options.label(field, value)
    if isinstance(value, list):
        return ",".join(value)
    return _short(str(value), 70)


def _short(text: str, limit: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _options(store: Any, args: argparse.Namespace) -> int:
    from cpas_kit.core.errors import CpasError
    from cpas_kit.core.paths import default_actor

    changed: list[str] = []
    if args.file:
        import yaml  # only to name its error class; the limits live in core.limits

        from cpas_kit.core.limits import load_yaml

        try:
            with open(args.file, encoding="utf-8") as fh:
                data = load_yaml(fh.read(), str(fh.name))
        except (OSError, yaml.YAMLError) as exc:
            raise CpasError(f"{args.file} cannot be read as YAML ({exc})") from None
        if not isinstance(data, dict):
            raise CpasError(f"{args.file}: write a mapping of field (type, level, stance, influence) to a list of "
                            "{code, label, label_fr}")
        for field, opts in data.items():
            if StakeholderStore(store).set_stakeholder_options(args.mission, field, opts or [],
                                                               actor=args.by or default_actor()):
                changed.append(field)
    options = StakeholderStore(store).stakeholder_options(args.mission)
    if args.json:
        print(json.dumps({"mission": args.mission, "changed": changed, **options.model_dump()}, ensure_ascii=False,
                         indent=2))
        return 0
    if args.file:
        print(f"{args.mission}: {', '.join(changed) or 'nothing'} changed.")
    for field in ("type", "level", "stance", "influence"):
        print(f"{field}: " + "; ".join(f"{o.code} ({o.label} / {o.label_fr or o.label})" for o in options.of(field)))
    return 0
