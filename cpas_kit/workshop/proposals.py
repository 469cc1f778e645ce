"""Recommendation proposals in the store: participants propose and edit their own; the facilitator merges
duplicates and sends the agreed ones to the tracker as ``Awaiting Review``.

Split from :mod:`cpas_kit.workshop.store` (sessions, participants, ratings, agreed results, reads), whose
row helpers it uses. Every change is one short write transaction, audited; refusals write nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import recommendations
from cpas_kit.tracker.rules import MUTABLE
from cpas_kit.tracker.store import recommendation_key
from cpas_kit.workshop.queries import Audit, P, R, _by_token, _facilitator, _now, _outcome, _require_open
from cpas_kit.workshop.sessions import MAX_PROPOSAL_CHARS, WorkshopRefused, check_text, section_code


def _sections_of(s: dict[str, Any], lead: str | None, supporting: str | list[str] | None) -> tuple[Any, Any]:
    sections = json.loads(s["sections"])
    lead_code = section_code(sections, lead) if lead and str(lead).strip() else None
    items = supporting.split(",") if isinstance(supporting, str) else list(supporting or [])
    codes = [section_code(sections, x) for x in items if str(x).strip()]
    return lead_code, (", ".join(dict.fromkeys(codes)) or None)


def propose(engine: Engine, token: str, outcome: str, text: str, *, lead_section: str | None,
            supporting_sections: str | list[str] | None, audit: Audit) -> dict[str, Any]:
    """Record a participant's recommendation proposal; the same text again for the same outcome returns it."""

    def _do(conn: Connection) -> dict[str, Any]:
        s, p = _by_token(conn, token, lock=True)
        _require_open(s)
        _outcome(s, outcome)
        body = check_text(text, "recommendation", MAX_PROPOSAL_CHARS)
        if body is None:
            raise WorkshopRefused("ws_no_text")
        lead, supporting = _sections_of(s, lead_section, supporting_sections)
        same = conn.execute(select(R).where(R.c.participant_id == p["id"], R.c.outcome_code == outcome,
                                            R.c.text == body)).mappings().first()
        if same is not None:
            return dict(same)
        stamp = _now()
        row = dict(session_id=s["id"], participant_id=p["id"], outcome_code=outcome, text=body, lead_section=lead,
                   supporting_sections=supporting, created_at=stamp, updated_at=stamp)
        row["id"] = conn.execute(insert(R).values(**row).returning(R.c.id)).scalar_one()
        audit(conn, actor=p["name"], action="insert", entity="workshop_proposal", key=f"{s['code']}/{row['id']}",
              mission=s["mission_code"], new={k: row[k] for k in ("outcome_code", "text", "lead_section",
                                                                    "supporting_sections")})
        return row

    return run_write(engine, _do)


def edit_proposal(engine: Engine, token: str, proposal_id: int, *, text: str, lead_section: str | None,
                  supporting_sections: str | list[str] | None, audit: Audit) -> dict[str, Any]:
    """Change one's own proposal while it is neither merged nor sent (the old text goes to the audit log)."""

    def _do(conn: Connection) -> dict[str, Any]:
        s, p = _by_token(conn, token, lock=True)
        _require_open(s)
        row = conn.execute(select(R).where(R.c.id == proposal_id, R.c.session_id == s["id"])).mappings().first()
        if row is None:
            raise WorkshopRefused("ws_no_proposal", proposal=proposal_id, code=s["code"])
        if row["participant_id"] != p["id"]:
            raise WorkshopRefused("ws_not_yours", proposal=proposal_id)
        _require_pending(dict(row))
        body = check_text(text, "recommendation", MAX_PROPOSAL_CHARS)
        if body is None:
            raise WorkshopRefused("ws_no_text")
        lead, supporting = _sections_of(s, lead_section, supporting_sections)
        new = {"text": body, "lead_section": lead, "supporting_sections": supporting}
        old = {k: row[k] for k in new}
        if new == old:
            return dict(row)
        conn.execute(update(R).where(R.c.id == proposal_id).values(updated_at=_now(), **new))
        audit(conn, actor=p["name"], action="update", entity="workshop_proposal", key=f"{s['code']}/{proposal_id}",
              mission=s["mission_code"], old=old, new=new)
        return {**dict(row), **new}

    return run_write(engine, _do)


def _require_pending(row: dict[str, Any]) -> None:
    if row["recommendation_id"] is not None:
        raise WorkshopRefused("ws_proposal_sent", proposal=row["id"])
    if row["merged_into_id"] is not None:
        raise WorkshopRefused("ws_proposal_merged", proposal=row["id"], into=row["merged_into_id"])


def merge(engine: Engine, code: str, key: str, duplicates: list[int], into: int, *, actor: str,
          audit: Audit) -> list[int]:
    """Mark ``duplicates`` as merged into proposal ``into`` (originals kept); return the ids newly merged."""

    def _do(conn: Connection) -> list[int]:
        s = _facilitator(conn, code, key)
        ids = list(dict.fromkeys([into, *duplicates]))
        rows = {r["id"]: dict(r) for r in conn.execute(select(R).where(R.c.session_id == s["id"], R.c.id.in_(ids)))
                .mappings()}
        for i in ids:
            if i not in rows:
                raise WorkshopRefused("ws_no_proposal", proposal=i, code=s["code"])
        target = rows[into]
        if target["merged_into_id"] is not None:
            raise WorkshopRefused("ws_merge_merged", proposal=into, into=target["merged_into_id"])
        done, stamp = [], _now()
        for i in dict.fromkeys(duplicates):
            row = rows[i]
            if i == into:
                raise WorkshopRefused("ws_merge_self", proposal=i)
            if row["merged_into_id"] == into:
                continue  # merged already: nothing to do
            _require_pending(row)
            conn.execute(update(R).where(R.c.id == i).values(merged_into_id=into, merged_by=actor, merged_at=stamp))
            # proposals merged earlier into this one now point at the proposal it is merged into
            conn.execute(update(R).where(R.c.merged_into_id == i).values(merged_into_id=into))
            audit(conn, actor=actor, action="merge", entity="workshop_proposal", key=f"{s['code']}/{i}",
                  mission=s["mission_code"], old={"merged_into_id": None}, new={"merged_into_id": into})
            done.append(i)
        return done

    return run_write(engine, _do)


def send(engine: Engine, code: str, key: str, proposal_ids: list[int], *, actor: str, audit: Audit,
         write_recommendations: Callable[..., dict[str, int]]) -> dict[str, Any]:
    """Send proposals to the tracker as ``Awaiting Review``; a proposal already sent is not sent again.

    The tracker keeps one recommendation per mission, cycle and text, so a proposal whose text is already
    there is linked to it and its tracker state (a decision taken since, say) is left as it is.
    """
    with read(engine) as conn:  # check everything before writing anything
        s = _facilitator(conn, code, key)
        rows = {r["id"]: dict(r) for r in conn.execute(select(R, P.c.name, P.c.section)
                                                       .join(P, P.c.id == R.c.participant_id)
                                                       .where(R.c.session_id == s["id"], R.c.id.in_(proposal_ids)))
                .mappings()}
    sections, priorities = json.loads(s["sections"]), json.loads(s["outcome_priorities"])
    result: dict[str, Any] = {"sent": [], "already_sent": [], "recommendation_ids": {}}
    for i in dict.fromkeys(proposal_ids):
        row = rows.get(i)
        if row is None:
            raise WorkshopRefused("ws_no_proposal", proposal=i, code=s["code"])
        if row["merged_into_id"] is not None:
            raise WorkshopRefused("ws_merged_not_sent", proposal=i, into=row["merged_into_id"])
    for i in dict.fromkeys(proposal_ids):
        row = rows[i]
        if row["recommendation_id"] is not None:
            result["already_sent"].append(i)
            result["recommendation_ids"][i] = row["recommendation_id"]
            continue
        rec_key = recommendation_key(s["mission_code"], s["cycle"], row["text"])
        rec_id = _recommendation_id(engine, s["mission_code"], rec_key)
        if rec_id is None:
            names = [sections.get(c.strip(), c.strip()) for c in (row["supporting_sections"] or "").split(",")]
            record = {f: None for f in MUTABLE} | {
                "text": row["text"], "cycle_recommended": s["cycle"], "outcome_code": row["outcome_code"],
                "priority_code": priorities.get(row["outcome_code"]), "decision": "Awaiting Review",
                "progress": "Not Assigned", "lead_section": sections.get(row["lead_section"], row["lead_section"]),
                "supporting_sections": ", ".join(n for n in names if n) or None}
            write_recommendations(s["mission_code"], [record], actor=actor, source=f"workshop {s['code']}",
                                  session=s["code"])
            rec_id = _recommendation_id(engine, s["mission_code"], rec_key)
        if rec_id is None:  # pragma: no cover - write_recommendations just recorded it
            raise RuntimeError(f"proposal {i} was sent but its recommendation cannot be found")
        _mark_sent(engine, s, i, rec_id, actor=actor, audit=audit)
        result["sent"].append(i)
        result["recommendation_ids"][i] = rec_id
    return result


def _recommendation_id(engine: Engine, mission: str, rec_key: str) -> int | None:
    with read(engine) as conn:
        return conn.execute(select(recommendations.c.id).where(recommendations.c.mission_code == mission,
                                                               recommendations.c.rec_key == rec_key)).scalar()


def _mark_sent(engine: Engine, s: dict[str, Any], proposal_id: int, rec_id: int, *, actor: str,
               audit: Audit) -> None:
    def _do(conn: Connection) -> None:
        done = conn.execute(update(R).where(R.c.id == proposal_id, R.c.recommendation_id.is_(None))
                            .values(recommendation_id=rec_id, sent_by=actor, sent_at=_now()))
        if done.rowcount:
            audit(conn, actor=actor, action="send", entity="workshop_proposal", key=f"{s['code']}/{proposal_id}",
                  mission=s["mission_code"], new={"recommendation_id": rec_id})

    run_write(engine, _do)


