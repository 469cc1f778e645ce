"""``cpas workshop start|serve|status``: start a live assessment session, serve its two apps, see where it stands.

Registered in :mod:`cpas_kit.cli.main` by ``register(subparsers)``; each command's parser names its ``run``. Errors
are ``CpasError`` sentences, printed by the ``cpas`` entry point.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cpas_kit.workshop.store import WorkshopStore

EPILOG = """examples:
  cpas workshop start --mission UN-DEMO --cycle 2023/24-Q4
  cpas workshop start --mission UN-DEMO --cycle 2023/24-Q4 --outcomes O2.1,O1.1 --json
  cpas workshop serve                  # participant and facilitator apps on http://127.0.0.1:8866/
  cpas workshop serve --port 9000 --pool-size 4
  cpas workshop status K7QM2P
  cpas workshop status K7QM2P --json"""


def register(subparsers: Any) -> None:
    """Add ``workshop start`` and ``workshop status`` to the ``cpas`` sub-commands; return the ``workshop`` parser."""
    w = subparsers.add_parser(
        "workshop", help="live impact-assessment workshop: start a session, serve the apps, see its status",
        description="A live impact-assessment session: participants join with a short code and rate each "
                    "outcome; the facilitator records the agreed rating and analysis.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    wsub = w.add_subparsers(dest="action", metavar="ACTION", required=True)
    st = wsub.add_parser(
        "start", help="start a session for a mission and cycle; prints its join code and facilitator key",
        description="Start a workshop session. Prints the join code (for participants) and the facilitator key "
                    "(for the facilitator app). The key is shown only this once: the store keeps only a hash of it.")
    st.add_argument("--mission", required=True, help="mission code, e.g. UN-DEMO")
    st.add_argument("--cycle", required=True, help="the cycle assessed, e.g. 2023/24-Q4")
    st.add_argument("--by", help="who starts the session (default: $CPAS_USER or your login name)")
    st.add_argument("--outcomes", help="comma-separated outcome codes in the order to discuss them "
                                       "(default: every outcome, in framework order)")
    st.add_argument("--progress-scale",
                    help="comma-separated progress values, most favourable first (default: the workshop section of "
                         "parameters/<MISSION>.yaml, else significant progress, some progress, no change, "
                         "deterioration, insufficient data)")
    st.add_argument("--contribution-scale",
                    help="comma-separated contribution values (default: the mission's parameters file, else "
                         "significant, some, none, unclear)")
    st.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    sv = wsub.add_parser(
        "serve", help="serve the participant and facilitator apps with Voila on 127.0.0.1; prints their URLs",
        description="Serve the two workshop apps (notebooks/workshop_participant.ipynb and "
                    "notebooks/workshop_facilitator.ipynb) with Voila until Ctrl-C. Each browser tab gets its own "
                    "kernel; participant kernels are started ahead of time (--pool-size) so a page opens in 2–3 s "
                    "instead of 3–6 s. The outcome views of every open session are drawn first, once.")
    sv.add_argument("--port", type=int, default=8866,
                    help="TCP port (default: 8866; if it is busy the next free one is used and said)")
    sv.add_argument("--ip", default="127.0.0.1",
                    help="address to listen on (default: 127.0.0.1, this computer only; 0.0.0.0 lets other "
                         "computers on the room's network connect, with the server token printed at start)")
    sv.add_argument("--token", help="the server token browsers must present when serving beyond this computer "
                                    "(default: $CPAS_WORKSHOP_TOKEN, else a new random one, printed at start)")
    sv.add_argument("--pool-size", type=int, default=2,
                    help="participant kernels kept ready ahead of arrivals (default: 2; 0 starts each on demand)")
    sv.add_argument("--language", choices=("en", "fr"), help="draw the outcome views in this language "
                                                             "(default: each mission's own language)")
    au = wsub.add_parser(
        "authorise", help="let a person start sessions from the facilitator app; prints their passphrase once",
        description="Authorise a facilitator on this server: the facilitator app asks for this name and the "
                    "passphrase printed here before it starts a session. Running it again for the same name "
                    "prints a new passphrase (the old one stops working); --revoke withdraws the authorisation.")
    au.add_argument("name", help="the facilitator's name, as they will type it in the app")
    au.add_argument("--revoke", action="store_true", help="withdraw this person's authorisation")
    au.add_argument("--by", help="who authorises (default: $CPAS_USER or your login name)")
    ss = wsub.add_parser("status", help="participants, ratings per outcome and agreed results of a session",
                         description="Show a session: who joined, how each outcome was rated (counts and spread), "
                                     "the agreed results and the recommendation proposals.")
    ss.add_argument("code", help="the session's join code, e.g. K7QM2P")
    ss.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    w.set_defaults(run=run)


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [x.strip() for x in text.split(",") if x.strip()]


def run(args: argparse.Namespace, store: Any = None) -> int:
    """Carry out ``cpas workshop ACTION``; return the exit status (errors are raised as ``CpasError``)."""
    from cpas_kit.store import Store

    store = store or Store()
    if args.action == "start":
        return _start(store, args)
    if args.action == "serve":
        from cpas_kit.workshop.serve import serve

        return serve(store, port=args.port, ip=args.ip, pool_size=args.pool_size, language=args.language,
                     token=args.token)
    if args.action == "authorise":
        return _authorise(store, args)
    return _status(store, args)


def _authorise(store: Any, args: argparse.Namespace) -> int:
    from cpas_kit.core.paths import default_actor
    from cpas_kit.core.text import safe_text

    if args.revoke:
        done = WorkshopStore(store).revoke_facilitator(args.name)
        print(f"{safe_text(args.name)} may no longer start sessions from the facilitator app." if done else
              f"{safe_text(args.name)} was not authorised; nothing changed.")
        return 0
    passphrase = WorkshopStore(store).authorise_facilitator(args.name, actor=args.by or default_actor())
    print(f"{safe_text(args.name)} may now start sessions from the facilitator app with the passphrase:\n"
          f"  {passphrase}\nGive it to them in person; it is not shown again (run this again for a new one).")
    return 0


def _start(store: Any, args: argparse.Namespace) -> int:
    from cpas_kit.core.paths import default_actor
    from cpas_kit.workshop.sessions import mission_scales

    scales = mission_scales(args.mission, _list(args.progress_scale), _list(args.contribution_scale))
    started = WorkshopStore(store).start_workshop(args.mission, args.cycle, actor=args.by or default_actor(),
                                                  scales=scales,
                                   outcome_order=_list(args.outcomes))
    from cpas_kit.workshop.views import build_views

    build_views(store, started.code, store.framework(started.mission).mission.default_language)
    if args.json:
        print(json.dumps(started.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"Workshop session started for {started.mission} {started.cycle} "
          f"(framework version {started.framework_version}, {len(started.outcome_order)} outcomes).")
    print(f"  Join code:        {started.code}   (participants enter it with their name and section)")
    print(f"  Facilitator key:  {started.facilitator_key}   (shown only now: keep it for the facilitator app)")
    print(f"  Outcomes, in order: {', '.join(started.outcome_order)}")
    print(f"  Progress scale:     {' / '.join(started.scales.progress)}")
    print(f"  Contribution scale: {' / '.join(started.scales.contribution)}")
    print("Serve the participant and facilitator apps: cpas workshop serve")
    print(f"See who joined and how they rated: cpas workshop status {started.code}")
    return 0


def _status(store: Any, args: argparse.Namespace) -> int:
    status = WorkshopStore(store).workshop_status(args.code)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    print("\n".join(status_lines(status)))
    return 0


def status_lines(status: dict[str, Any]) -> list[str]:
    """``cpas workshop status`` as readable text lines."""
    s = status["session"]
    order = s["outcome_order"]
    where = (f"current outcome {s['current_outcome']} ({s['current_index'] + 1} of {len(order)})"
             if s["status"] == "open" else f"closed by {s['closed_by']} at {s['closed_at']}")
    lines = [f"Session {s['code']}: {s['mission']} {s['cycle']}, {s['status']}; {where}."]
    people = status["participants"]
    lines.append(f"Participants ({len(people)}):" if people else "Participants: nobody has joined yet.")
    for p in people:
        mark = "rated the current outcome" if p["rated_current"] else "has not rated the current outcome"
        lines.append(f"  {p['name']} ({p['section']}): {mark}; {p['outcomes_rated']} of {len(order)} outcomes rated")
    lines.append("Ratings per outcome (most frequent value, its share, different values given):")
    for o in status["outcomes"]:
        parts = []
        for scale in ("progress", "contribution"):
            sp = o[scale]
            if sp["n_ratings"]:
                flag = ", no majority" if sp["contested"] else ""
                parts.append(f"{scale} {sp['modal_value']} {sp['modal_share']:.0%} of {sp['n_ratings']}, "
                             f"{sp['distinct_values']} value(s){flag}")
            else:
                parts.append(f"{scale}: no ratings")
        lines.append(f"  {o['outcome_code']}: " + "; ".join(parts))
        a = o["agreed"]
        if a is not None:
            lines.append(f"      agreed: progress {a['progress'] or '—'}, contribution {a['contribution'] or '—'} "
                         f"({a['agreed_by']})" + (f"; analysis: {_short(a['analysis'])}" if a["analysis"] else ""))
        if o["proposals"]:
            lines.append(f"      {o['proposals']} recommendation proposal(s)")
    return lines


def _short(text: str, limit: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
