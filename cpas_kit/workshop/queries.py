"""The workshop in the store: each submit is its own short write transaction; the apps' polls are single reads.

Writers are identified by what they hold: a participant by their token (they can only ever write their
own ratings and proposals), the facilitator by the session's key. Refusals raise the sentences of
:mod:`cpas_kit.workshop.sessions` and write nothing. Every change also lands in the audit log.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from cpas_kit.core.frames import missing_as_none
from cpas_kit.core.periods import Period
from cpas_kit.framework.model import Framework
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import (
    workshop_agreed,
    workshop_participants,
    workshop_proposals,
    workshop_rating_events,
    workshop_sessions,
)
from cpas_kit.workshop.security import check_join_rate, client_key, record_join_failure
from cpas_kit.workshop.sessions import (
    MAX_ANALYSIS_CHARS,
    SCALES,
    AgreedResults,
    CurrentRatings,
    FacilitatorKeyRefused,
    Participant,
    RatingScales,
    SessionNotFound,
    SessionStarted,
    WorkshopRefused,
    check_name,
    check_order,
    check_rating,
    check_text,
    distribution_frame,
    dumps,
    hash_secret,
    name_key,
    new_join_code,
    new_secret,
    new_token,
    normalise_join_code,
    on_scale,
    secret_matches,
    section_code,
    spread,
    spread_frame,
    tally,
)

Audit = Callable[..., None]
S, P, E, R, A = workshop_sessions, workshop_participants, workshop_rating_events, workshop_proposals, workshop_agreed
RATING_COLUMNS = ("participant_id", "name", "section", "outcome_code", "progress", "contribution", "reason",
                  "submitted_at", "n_submits")
AGREED_COLUMNS = ("outcome_code", "progress", "contribution", "analysis", "session_code", "agreed_by", "agreed_at")
PROPOSAL_COLUMNS = ("id", "outcome_code", "text", "lead_section", "supporting_sections", "participant_id", "name",
                    "section", "created_at", "updated_at", "merged_into_id", "merged_by", "merged_at",
                    "recommendation_id", "sent_by", "sent_at")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: Any) -> Any:
    """A timestamp as ISO 8601 UTC text (the store gives naive UTC on SQLite, aware on PostgreSQL)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()
    return value


def _utc_naive(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        frame[c] = pd.to_datetime(frame[c], utc=True).dt.tz_localize(None)
    return frame


# -- session rows -------------------------------------------------------------------------------------

def _session(conn: Connection, code: str, *, lock: bool = False) -> dict[str, Any]:
    norm = normalise_join_code(code)
    q = select(S).where(S.c.code == norm)
    row = conn.execute(q.with_for_update(key_share=True) if lock else q).mappings().first()
    if row is None:
        raise SessionNotFound("ws_no_session", code=norm)
    return dict(row)


def _facilitator(conn: Connection, code: str, key: str | None) -> dict[str, Any]:
    """The session row, locked, if ``key`` is its facilitator key and it is open."""
    s = _session(conn, code, lock=True)
    if not secret_matches(key, s["facilitator_key_hash"]):
        raise FacilitatorKeyRefused("ws_key", code=s["code"])
    _require_open(s)
    return s


def _require_open(s: dict[str, Any]) -> None:
    if s["status"] != "open":
        raise WorkshopRefused("ws_closed", code=s["code"])


def _scales(s: dict[str, Any]) -> RatingScales:
    return RatingScales(progress=tuple(json.loads(s["progress_scale"])),
                        contribution=tuple(json.loads(s["contribution_scale"])))


def _order(s: dict[str, Any]) -> list[str]:
    return json.loads(s["outcome_order"])


def _outcome(s: dict[str, Any], outcome: str) -> str:
    order = _order(s)
    if outcome not in order:
        raise WorkshopRefused("ws_outcome", outcome=outcome, code=s["code"], options=", ".join(order))
    return outcome


def session_info(s: dict[str, Any]) -> dict[str, Any]:
    """What anyone may see of a session (never the key's hash)."""
    order, i = _order(s), s["current_index"]
    scales = _scales(s)
    return {"code": s["code"], "mission": s["mission_code"], "cycle": s["cycle"],
            "framework_version": s["framework_version"], "status": s["status"], "outcome_order": order,
            "current_index": i, "current_outcome": order[i] if 0 <= i < len(order) else None,
            "scales": {"progress": list(scales.progress), "contribution": list(scales.contribution)},
            "sections": json.loads(s["sections"]), "created_at": _iso(s["created_at"]), "created_by": s["created_by"],
            "closed_at": _iso(s["closed_at"]), "closed_by": s["closed_by"]}


def session(engine: Engine, code: str) -> dict[str, Any]:
    """A session's public settings (:func:`session_info`)."""
    with read(engine) as conn:
        return session_info(_session(conn, code))



def sessions(engine: Engine, *, mission: str | None = None, cycle: str | None = None,
             open_only: bool = False) -> list[dict[str, Any]]:
    """Sessions (public settings), newest first; optionally of one mission, one cycle, or only open ones."""
    q = select(S).order_by(S.c.created_at.desc(), S.c.id.desc())
    if mission:
        q = q.where(S.c.mission_code == mission)
    if cycle:
        q = q.where(S.c.cycle == str(Period.parse(cycle)))
    if open_only:
        q = q.where(S.c.status == "open")
    with read(engine) as conn:
        return [session_info(dict(r)) for r in conn.execute(q).mappings()]


def check_facilitator(engine: Engine, code: str, key: str | None) -> dict[str, Any]:
    """The session's public settings when ``key`` is its facilitator key (open or closed); else refused."""
    with read(engine) as conn:
        s = _session(conn, code)
    if not secret_matches(key, s["facilitator_key_hash"]):
        raise FacilitatorKeyRefused("ws_key", code=s["code"])
    return session_info(s)

def start_session(engine: Engine, fw: Framework, framework_version: int, cycle: str, *, actor: str,
                  scales: RatingScales, outcome_order: list[str] | None, audit: Audit) -> SessionStarted:
    """Create a session with a fresh join code and facilitator key (a colliding code is simply drawn again)."""
    mission = fw.mission.code
    priorities = {o.code: p.code for p, o in fw.outcomes()}
    order = check_order(outcome_order if outcome_order is not None else list(priorities), priorities, mission)
    sections = {sec.code: sec.name for sec in fw.sections}
    cycle = str(Period.parse(cycle))
    key = new_secret()

    def _do(conn: Connection) -> str:
        code = new_join_code()  # drawn inside the transaction: a retry after a collision draws a new one
        conn.execute(insert(S).values(
            code=code, mission_code=mission, cycle=cycle, framework_version=framework_version, status="open",
            facilitator_key_hash=hash_secret(key), outcome_order=dumps(order), current_index=0,
            outcome_priorities=dumps(priorities), sections=dumps(sections), progress_scale=dumps(scales.progress),
            contribution_scale=dumps(scales.contribution), created_at=_now(), created_by=actor))
        audit(conn, actor=actor, action="insert", entity="workshop_session", key=code, mission=mission,
              new={"cycle": cycle, "outcome_order": order, "scales": scales.model_dump(mode="json")})
        return code

    code = run_write(engine, _do)
    return SessionStarted(code=code, facilitator_key=key, mission=mission, cycle=cycle,
                          framework_version=framework_version, outcome_order=tuple(order), scales=scales)


# -- participants -------------------------------------------------------------------------------------

def _participant_of(s: dict[str, Any], p: dict[str, Any], token: str, *, is_new: bool) -> Participant:
    return Participant(id=p["id"], token=token, session_code=s["code"], name=p["name"], section=p["section"],
                       is_new=is_new)


def join(engine: Engine, code: str, name: str, section: str, *, audit: Audit, token: str | None = None,
         client: str | None = None) -> Participant:
    """Join a session: a new participant each time, unless ``token`` (the personal link) is one of its participants.

    The same name and section never give back someone else's participant: a second person of that name and
    section is a second participant (the facilitator sees both). Wrong join codes are limited per ``client``
    (:mod:`cpas_kit.workshop.security`).
    """
    name = check_name(name)
    client = client_key(client)
    check_join_rate(engine, client)

    def _do(conn: Connection) -> Participant:
        s = _session(conn, code)
        sec = section_code(json.loads(s["sections"]), section)
        if token:
            found = conn.execute(select(P).where(P.c.session_id == s["id"], P.c.token == hash_secret(token))
                                 ).mappings().first()
            if found is not None:
                return _participant_of(s, dict(found), token, is_new=False)
        _require_open(s)
        taken = set(conn.execute(select(P.c.name_key).where(P.c.session_id == s["id"], P.c.section == sec,
                                                            P.c.name_key.like(name_key(name) + "%"))).scalars())
        key, n = name_key(name), 1
        while key in taken:
            n += 1
            key = f"{name_key(name)} #{n}"
        secret = new_token()
        row = dict(session_id=s["id"], token=hash_secret(secret), name=name, name_key=key, section=sec,
                   joined_at=_now())
        row["id"] = conn.execute(insert(P).values(**row).returning(P.c.id)).scalar_one()
        audit(conn, actor=name, action="insert", entity="workshop_participant", key=f"{s['code']}/{row['id']}",
              mission=s["mission_code"], new={"name": name, "section": sec})
        return _participant_of(s, row, secret, is_new=True)

    try:
        return run_write(engine, _do)
    except SessionNotFound:
        record_join_failure(engine, client)
        raise


def _by_token(conn: Connection, token: str, *, lock: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    q = select(P).where(P.c.token == hash_secret(token or ""))
    found = conn.execute(q.with_for_update(key_share=True) if lock else q).mappings().first()
    if found is None:
        raise SessionNotFound("ws_no_participant")
    s = conn.execute(select(S).where(S.c.id == found["session_id"])).mappings().one()
    return dict(s), dict(found)


def resume(engine: Engine, token: str) -> Participant:
    """The participant holding ``token`` (after a browser refresh)."""
    with read(engine) as conn:
        s, p = _by_token(conn, token)
    return _participant_of(s, p, token, is_new=False)


# -- ratings ------------------------------------------------------------------------------------------

def _latest_rating(conn: Connection, session_id: int, participant_id: int, outcome: str) -> dict[str, Any] | None:
    row = conn.execute(select(E.c.progress, E.c.contribution, E.c.reason)
                       .where(E.c.session_id == session_id, E.c.participant_id == participant_id,
                              E.c.outcome_code == outcome).order_by(E.c.id.desc()).limit(1)).mappings().first()
    return None if row is None else dict(row)


def submit_rating(engine: Engine, token: str, outcome: str, *, progress: str | None, contribution: str | None,
                  reason: str | None, submission_id: str | None, audit: Audit) -> dict[str, Any]:
    """Append one rating event (the participant's new current rating of ``outcome``); return what was stored.

    ``submission_id`` makes a submit idempotent: the same id again returns the stored event, adds nothing.
    """
    sid = submission_id or uuid.uuid4().hex

    def _do(conn: Connection) -> dict[str, Any]:
        s, p = _by_token(conn, token, lock=True)  # the lock orders one participant's own submits (PostgreSQL)
        done = conn.execute(select(E).where(E.c.submission_id == sid)).mappings().first()
        if done is not None:
            if done["participant_id"] != p["id"]:
                raise WorkshopRefused("ws_no_participant")
            return _stored(s, dict(done), replaced=None, duplicate=True)
        _require_open(s)
        _outcome(s, outcome)
        values = check_rating(_scales(s), progress, contribution, reason)
        previous = _latest_rating(conn, s["id"], p["id"], outcome)
        row = dict(session_id=s["id"], participant_id=p["id"], outcome_code=outcome, submitted_at=_now(),
                   submission_id=sid, **values)
        row["id"] = conn.execute(insert(E).values(**row).returning(E.c.id)).scalar_one()
        audit(conn, actor=p["name"], action="update" if previous else "insert", entity="workshop_rating",
              key=f"{s['code']}/{p['id']}/{outcome}", mission=s["mission_code"], old=previous, new=values)
        return _stored(s, row, replaced=previous is not None, duplicate=False)

    return run_write(engine, _do)


def _stored(s: dict[str, Any], ev: dict[str, Any], *, replaced: bool | None, duplicate: bool) -> dict[str, Any]:
    return {"event_id": ev["id"], "submission_id": ev["submission_id"], "session_code": s["code"],
            "participant_id": ev["participant_id"], "outcome_code": ev["outcome_code"], "progress": ev["progress"],
            "contribution": ev["contribution"], "reason": ev["reason"], "submitted_at": _iso(ev["submitted_at"]),
            "replaced": replaced, "duplicate": duplicate}


def _rating_rows(conn: Connection, session_id: int, participant_id: int | None = None) -> list[dict[str, Any]]:
    """Current ratings: each participant's latest event per outcome, with how many submits it took."""
    where = [E.c.session_id == session_id] + ([E.c.participant_id == participant_id] if participant_id else [])
    latest = (select(func.max(E.c.id).label("id"), func.count().label("n_submits")).where(*where)
              .group_by(E.c.participant_id, E.c.outcome_code).subquery())
    q = (select(E.c.participant_id, P.c.name, P.c.section, E.c.outcome_code, E.c.progress, E.c.contribution,
                E.c.reason, E.c.submitted_at, latest.c.n_submits)
         .join(latest, E.c.id == latest.c.id).join(P, P.c.id == E.c.participant_id)
         .order_by(E.c.participant_id, E.c.outcome_code))
    return [dict(r) for r in conn.execute(q).mappings()]


def current_ratings(engine: Engine, code: str) -> pd.DataFrame:
    """Each participant's current rating per outcome (their latest submit), with how often they rated it."""
    with read(engine) as conn:
        rows = _rating_rows(conn, _session(conn, code)["id"])
    frame = pd.DataFrame(rows, columns=list(RATING_COLUMNS))
    return missing_as_none(CurrentRatings.validate(_utc_naive(frame, "submitted_at")))


def rating_history(engine: Engine, code: str) -> pd.DataFrame:
    """Every rating submit of a session, oldest first (nothing is ever overwritten)."""
    with read(engine) as conn:
        s = _session(conn, code)
        q = (select(E, P.c.name, P.c.section).join(P, P.c.id == E.c.participant_id)
             .where(E.c.session_id == s["id"]).order_by(E.c.id))
        rows = [dict(r) for r in conn.execute(q).mappings()]
    cols = [c.name for c in E.c] + ["name", "section"]
    return missing_as_none(_utc_naive(pd.DataFrame(rows, columns=cols), "submitted_at"))


def distribution(engine: Engine, code: str) -> pd.DataFrame:
    """Counts per scale value for every outcome and scale of the session, zeros included (tidy)."""
    with read(engine) as conn:
        s = _session(conn, code)
        rows = _rating_rows(conn, s["id"])
    return distribution_frame(tally(rows, _order(s), _scales(s)))


def spreads(engine: Engine, code: str) -> pd.DataFrame:
    """How far the group agrees, per outcome and scale (definitions in :mod:`cpas_kit.workshop.sessions`)."""
    with read(engine) as conn:
        s = _session(conn, code)
        rows = _rating_rows(conn, s["id"])
    return spread_frame(tally(rows, _order(s), _scales(s)))


# -- proposals ----------------------------------------------------------------------------------------

def _proposal_rows(conn: Connection, session_id: int, participant_id: int | None = None) -> list[dict[str, Any]]:
    q = (select(R, P.c.name, P.c.section).join(P, P.c.id == R.c.participant_id).where(R.c.session_id == session_id)
         .order_by(R.c.id))
    if participant_id is not None:
        q = q.where(R.c.participant_id == participant_id)
    return [{k: r[k] for k in PROPOSAL_COLUMNS} for r in conn.execute(q).mappings()]


def proposals(engine: Engine, code: str) -> pd.DataFrame:
    """Every proposal of a session with who made it, what it was merged into and whether it was sent."""
    with read(engine) as conn:
        rows = _proposal_rows(conn, _session(conn, code)["id"])
    frame = pd.DataFrame(rows, columns=list(PROPOSAL_COLUMNS))
    for c in ("merged_into_id", "recommendation_id"):
        frame[c] = frame[c].astype("Int64")
    return missing_as_none(_utc_naive(frame, "created_at", "updated_at", "merged_at", "sent_at"))


# -- facilitator actions --------------------------------------------------------------------------------

def set_current(engine: Engine, code: str, key: str, outcome: str | int, *, actor: str, audit: Audit) -> dict:
    """Move the session to ``outcome`` (a code of the order, or its position from 0); return the session."""

    def _do(conn: Connection) -> dict[str, Any]:
        s = _facilitator(conn, code, key)
        order = _order(s)
        if isinstance(outcome, int) and not isinstance(outcome, bool):
            if not 0 <= outcome < len(order):
                raise WorkshopRefused("ws_outcome", outcome=outcome, code=s["code"], options=", ".join(order))
            i = outcome
        else:
            i = order.index(_outcome(s, str(outcome)))
        if i != s["current_index"]:
            conn.execute(update(S).where(S.c.id == s["id"]).values(current_index=i))
            audit(conn, actor=actor, action="update", entity="workshop_session", key=s["code"],
                  mission=s["mission_code"], old={"current_outcome": order[s["current_index"]]},
                  new={"current_outcome": order[i]})
        return session_info({**s, "current_index": i})

    return run_write(engine, _do)


def set_order(engine: Engine, code: str, key: str, order: list[str], *, actor: str, audit: Audit) -> dict:
    """Set the outcome order; the current outcome stays current when it is still in the order."""

    def _do(conn: Connection) -> dict[str, Any]:
        s = _facilitator(conn, code, key)
        new = check_order(order, json.loads(s["outcome_priorities"]), s["mission_code"])
        old = _order(s)
        current = old[s["current_index"]] if 0 <= s["current_index"] < len(old) else None
        i = new.index(current) if current in new else 0
        if new != old or i != s["current_index"]:
            conn.execute(update(S).where(S.c.id == s["id"]).values(outcome_order=dumps(new), current_index=i))
            audit(conn, actor=actor, action="update", entity="workshop_session", key=s["code"],
                  mission=s["mission_code"], old={"outcome_order": old}, new={"outcome_order": new})
        return session_info({**s, "outcome_order": dumps(new), "current_index": i})

    return run_write(engine, _do)


def record_agreed(engine: Engine, code: str, key: str, outcome: str, *, progress: str | None,
                  contribution: str | None, analysis: str | None, actor: str, audit: Audit) -> dict[str, Any]:
    """Record (or replace: the old values go to the audit log) the group's agreed rating and analysis."""
    if not (actor or "").strip():
        raise WorkshopRefused("ws_who")

    def _do(conn: Connection) -> dict[str, Any]:
        s = _facilitator(conn, code, key)
        _outcome(s, outcome)
        scales = _scales(s)
        new = {"progress": on_scale(scales, "progress", progress),
               "contribution": on_scale(scales, "contribution", contribution),
               "analysis": check_text(analysis, "analysis", MAX_ANALYSIS_CHARS)}
        if all(v is None for v in new.values()):
            raise WorkshopRefused("ws_empty_agreed")
        stamp = _now()
        old = conn.execute(select(A).where(A.c.session_id == s["id"], A.c.outcome_code == outcome)).mappings().first()
        if old is None:
            conn.execute(insert(A).values(session_id=s["id"], outcome_code=outcome, agreed_by=actor, agreed_at=stamp,
                                          **new))
        elif any(old[k] != v for k, v in new.items()):
            conn.execute(update(A).where(A.c.id == old["id"]).values(agreed_by=actor, agreed_at=stamp, **new))
        else:
            return {"outcome_code": outcome, **new, "agreed_by": old["agreed_by"], "agreed_at": _iso(old["agreed_at"])}
        audit(conn, actor=actor, action="insert" if old is None else "update", entity="workshop_agreed",
              key=f"{s['code']}/{outcome}", mission=s["mission_code"],
              old=None if old is None else {k: old[k] for k in new}, new=new)
        return {"outcome_code": outcome, **new, "agreed_by": actor, "agreed_at": _iso(stamp)}

    return run_write(engine, _do)


def close(engine: Engine, code: str, key: str, *, actor: str, audit: Audit) -> dict[str, Any]:
    """Close the session: from now on nothing in it changes."""

    def _do(conn: Connection) -> dict[str, Any]:
        s = _facilitator(conn, code, key)
        stamp = _now()
        conn.execute(update(S).where(S.c.id == s["id"]).values(status="closed", closed_at=stamp, closed_by=actor))
        audit(conn, actor=actor, action="close", entity="workshop_session", key=s["code"], mission=s["mission_code"],
              old={"status": "open"}, new={"status": "closed"})
        return session_info({**s, "status": "closed", "closed_at": stamp, "closed_by": actor})

    return run_write(engine, _do)


# -- reads for the apps -----------------------------------------------------------------------------

def _agreed_rows(conn: Connection, s: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{k: r[k] for k in AGREED_COLUMNS if k != "session_code"} | {"session_code": s["code"]}
            for r in conn.execute(select(A).where(A.c.session_id == s["id"])).mappings()]
    rank = {o: i for i, o in enumerate(_order(s))}
    return sorted(rows, key=lambda r: rank.get(r["outcome_code"], len(rank)))


def agreed(engine: Engine, code: str) -> pd.DataFrame:
    """The session's agreed results, in outcome order."""
    with read(engine) as conn:
        rows = _agreed_rows(conn, _session(conn, code))
    frame = pd.DataFrame(rows, columns=list(AGREED_COLUMNS))
    return missing_as_none(AgreedResults.validate(_utc_naive(frame, "agreed_at")))


def _participant_rows(conn: Connection, s: dict[str, Any], ratings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who joined, with how many outcomes each has rated and whether that includes the current one."""
    current = session_info(s)["current_outcome"]
    rated: dict[int, set[str]] = {}
    for r in ratings:
        if r["progress"] is not None or r["contribution"] is not None:
            rated.setdefault(r["participant_id"], set()).add(r["outcome_code"])
    q = select(P.c.id, P.c.name, P.c.section, P.c.joined_at).where(P.c.session_id == s["id"]).order_by(P.c.id)
    return [{"participant_id": p["id"], "name": p["name"], "section": p["section"], "joined_at": p["joined_at"],
             "outcomes_rated": len(rated.get(p["id"], ())), "rated_current": current in rated.get(p["id"], ())}
            for p in conn.execute(q).mappings()]


def participants(engine: Engine, code: str) -> pd.DataFrame:
    """Who joined, and whether each has rated the current outcome (and how many outcomes in all)."""
    with read(engine) as conn:
        s = _session(conn, code)
        rows = _participant_rows(conn, s, _rating_rows(conn, s["id"]))
    cols = ["participant_id", "name", "section", "joined_at", "outcomes_rated", "rated_current"]
    return _utc_naive(pd.DataFrame(rows, columns=cols), "joined_at")


def status(engine: Engine, code: str) -> dict[str, Any]:
    """Everything the facilitator's screen shows, from one consistent read (JSON-able; no secrets).

    Per outcome: counts per scale value, the spread (see :mod:`cpas_kit.workshop.sessions`), each current rating,
    the agreed result (or None) and the number of proposals. Built from plain rows: cheap enough to poll.
    """
    with read(engine) as conn:
        s = _session(conn, code)
        ratings = _rating_rows(conn, s["id"])
        people = _participant_rows(conn, s, ratings)
        agreed_rows = {r["outcome_code"]: r for r in _agreed_rows(conn, s)}
        props = _proposal_rows(conn, s["id"])
    order, scales = _order(s), _scales(s)
    tallies = tally(ratings, order, scales)
    by_outcome: dict[str, list[dict[str, Any]]] = {}
    for r in ratings:
        by_outcome.setdefault(r["outcome_code"], []).append(_json({k: v for k, v in r.items() if k != "outcome_code"}))
    outcomes = []
    for pos, outcome in enumerate(order):
        entry: dict[str, Any] = {"outcome_code": outcome, "position": pos}
        for scale in SCALES:
            counts = tallies[(outcome, scale)]
            entry[scale] = {"counts": counts, **spread(counts, scales.values(scale))}
        entry["ratings"] = by_outcome.get(outcome, [])
        entry["agreed"] = _json(agreed_rows[outcome]) if outcome in agreed_rows else None
        entry["proposals"] = sum(1 for p in props if p["outcome_code"] == outcome)
        outcomes.append(entry)
    return {"session": session_info(s), "participants": [_json(p) for p in people], "outcomes": outcomes,
            "proposals": [_json(p) for p in props]}


def participant_state(engine: Engine, token: str) -> dict[str, Any]:
    """What a participant's screen needs to come back after a refresh: session, own ratings, own proposals."""
    with read(engine) as conn:
        s, p = _by_token(conn, token)
        ratings = _rating_rows(conn, s["id"], p["id"])
        props = _proposal_rows(conn, s["id"], p["id"])
    return {"session": session_info(s),
            "participant": {"id": p["id"], "name": p["name"], "section": p["section"], "token": token},
            "ratings": {r["outcome_code"]: _json({k: r[k] for k in ("progress", "contribution", "reason",
                                                                    "submitted_at", "n_submits")})
                        for r in ratings},
            "proposals": [_json({k: v for k, v in r.items() if k not in ("name", "section")}) for r in props]}


def agreed_results(engine: Engine, mission: str, cycle: str) -> pd.DataFrame:
    """Per outcome, the latest agreement over every session of the mission's cycle, in framework order."""
    cycle = str(Period.parse(cycle))
    with read(engine) as conn:
        q = (select(A, S.c.code.label("session_code"), S.c.outcome_priorities).join(S, S.c.id == A.c.session_id)
             .where(S.c.mission_code == mission, S.c.cycle == cycle).order_by(A.c.agreed_at, A.c.id))
        rows = [dict(r) for r in conn.execute(q).mappings()]
    latest: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for r in rows:
        latest[r["outcome_code"]] = r
        order = list(json.loads(r["outcome_priorities"]))
    rank = {o: i for i, o in enumerate(order)}
    picked = sorted(latest.values(), key=lambda r: (rank.get(r["outcome_code"], len(rank)), r["outcome_code"]))
    frame = pd.DataFrame(picked, columns=list(AGREED_COLUMNS))
    return missing_as_none(AgreedResults.validate(_utc_naive(frame, "agreed_at")))


def _json(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its timestamps as ISO text."""
    return {k: _iso(v) for k, v in row.items()}
