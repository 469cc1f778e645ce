"""``cpas demo``, ``cpas pack`` and ``cpas packs``: load the demo, build one mission's pack, build many in parallel."""

from __future__ import annotations

import argparse
import time
from typing import Any


def register(sub: Any) -> None:
    """Add ``demo``, ``pack``, ``packs`` to the ``cpas`` commands."""
    d = sub.add_parser("demo", help="load the demo mission UN-DEMO into the store and build its pack",
                       description="Load the demo mission UN-DEMO (framework, synthetic data, the CPAS seeds' demo "
                                   "tracker) into the store. Running it again changes nothing. Then build its pack.")
    d.add_argument("--cycle", default=None, help="cycle of the demo pack (default: 2023/24-Q4)")
    d.add_argument("--language", choices=["en", "fr"], default=None, help="language of the pack (default: en)")
    d.add_argument("--no-pack", action="store_true", help="only load the data, do not build the pack")
    d.set_defaults(run=_cmd_demo)

    k = sub.add_parser("pack", help="build a mission's impact-assessment pack for one cycle",
                       description="Build outputs/<MISSION>/<CYCLE>/pack.html (pack_fr.html in French; offline HTML, "
                                   "no code) and the other outputs from the store. "
                                   "Defaults come from parameters/<MISSION>.yaml when it exists.")
    k.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    k.add_argument("--cycle", help="reporting cycle, e.g. 2023/24-Q4")
    k.add_argument("--language", choices=["en", "fr"], help="language of the pack")
    k.add_argument("--output-dir", help="write the pack here instead of outputs/<MISSION>/<CYCLE>/")
    k.add_argument("--params", help="a parameters YAML file to use instead of parameters/<MISSION>.yaml")
    k.set_defaults(run=_cmd_pack)

    b = sub.add_parser("packs", help="build the packs of many missions in parallel, with a manifest",
                       description="Build pack.html, impact_report.docx, factsheet.html/.pdf and tracker.xlsx (French: "
                                   "pack_fr.html, …) for "
                                   "every mission with a parameters/<MISSION>.yaml (--all) or the missions named, "
                                   "in parallel. Packs whose inputs did not change since their last build are "
                                   "skipped (--force rebuilds them). One mission's failure never stops the others; "
                                   "outputs/manifest.json lists every run. Exit status 1 if any mission failed.")
    which = b.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every mission with a parameters/<MISSION>.yaml")
    which.add_argument("--missions", help="comma-separated mission codes, e.g. UN-DEMO,DEMO-MLI")
    b.add_argument("--cycle", help="the cycle for every mission (default: each mission's parameters file)")
    b.add_argument("--language", choices=["en", "fr"], help="the language for every mission (default: each file's)")
    b.add_argument("--jobs", type=int, help="parallel workers (default: one per core)")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    b.add_argument("--force", action="store_true",
                   help="rebuild every pack, even those whose inputs did not change since the last build")
    b.set_defaults(run=_cmd_packs)


def _cmd_demo(args: argparse.Namespace) -> int:
    from cpas_kit import demo
    from cpas_kit.core.settings import APP_PORTS, resolve_parameters
    from cpas_kit.packs.build import build_outputs, pack_file
    from cpas_kit.store import Store
    from cpas_kit.store.describe import describe_store

    started = time.perf_counter()
    store = Store()
    print(f"Store: {describe_store(store.url, full_path=True)}")
    summary = demo.load_demo(store)
    obs, recs = summary["observations"], summary["recommendations"]
    print(f"Loaded {demo.MISSION}: framework v{summary['framework_version']}; observations "
          f"{obs['inserted']} new, {obs['updated']} updated, {obs['unchanged']} unchanged (synthetic); "
          f"recommendations {recs['inserted']} new, {recs['unchanged']} unchanged.")
    others = demo.load_demo_missions(store)
    events = sum(demo.load_demo_events(store, code) for code in [demo.MISSION, *(o["mission"] for o in others)])
    agreed = demo.load_demo_assessment(store)
    print(f"Synthetic demo extras: {events} new conflict events (labelled SYNTHETIC), {agreed} agreed outcome "
          "assessments of UN-DEMO's last cycle.")
    new = sum(o["observations"]["inserted"] for o in others)
    print(f"Loaded {len(others)} further fictional demo missions ({', '.join(o['mission'] for o in others)}): "
          f"{new} new synthetic observations. Build all their packs with `cpas packs --all`.")
    if args.no_pack:
        return 0
    params = resolve_parameters(demo.MISSION, args.cycle or None, language=args.language)
    outcome = build_outputs(params)
    print(f"{demo.MISSION} {params.cycle} written in {time.perf_counter() - started:.0f} s to {params.out_dir()}: "
          + ", ".join(p.name for p in outcome["files"]))
    for note in outcome["notes"]:
        print(f"  note: {note}")
    print(f"Open the pack in a browser (it works offline): file://{pack_file(params)}")
    print(f"Recommendations tracker app: .venv/bin/voila --port={APP_PORTS['tracker']} "
          "notebooks/recommendations_tracker.ipynb")
    print(f"Context-mapping app:         .venv/bin/voila --port={APP_PORTS['context']} notebooks/context_mapping.ipynb")
    print(f"Live workshop:               .venv/bin/cpas workshop start --mission {demo.MISSION} --cycle "
          f"{params.cycle}, "
          "then .venv/bin/cpas workshop serve")
    return 0


def _cmd_pack(args: argparse.Namespace) -> int:
    from cpas_kit.core.settings import resolve_parameters
    from cpas_kit.packs.build import build_outputs

    params = resolve_parameters(args.mission, args.cycle, params_file=args.params, language=args.language,
                                output_dir=args.output_dir)
    outcome = build_outputs(params)
    print(f"Pack written to {params.out_dir()}:")
    for path in outcome["files"]:
        print(f"  {path.name}")
    for note in outcome["notes"]:
        print(f"  note: {note}")
    return 0


def _cmd_packs(args: argparse.Namespace) -> int:
    from cpas_kit.core.paths import outputs_dir
    from cpas_kit.packs.batch import MANIFEST, missions_with_parameters, run_batch

    missions = missions_with_parameters() if args.all else [m.strip() for m in args.missions.split(",") if m.strip()]
    manifest = run_batch(missions, cycle=args.cycle, language=args.language, jobs=args.jobs,
                         progress=not args.no_progress, force=args.force)
    for run in manifest["runs"]:
        if run.get("skipped"):
            state = "unchanged since its last build: skipped (--force rebuilds it)"
        else:
            state = f"{run['seconds']:>6.1f} s  " + ("ok" if run["ok"] else f"FAILED: {run['error']}")
        print(f"{run['mission']:<14} {run['cycle'] or '':<11} {run['language'] or '':<3} {state}")
    built = sum(1 for r in manifest["runs"] if r["ok"] and not r.get("skipped"))
    print(f"{built} of {len(manifest['runs'])} missions built, {len(manifest['skipped'])} skipped as unchanged, "
          f"{manifest['failed']} failed, in {manifest['seconds']:.0f} s with {manifest['jobs']} workers; "
          f"manifest: {outputs_dir() / MANIFEST}; console output of the notebooks: {outputs_dir() / 'logs'}")
    return 0 if manifest["failed"] == 0 else 1
