"""Recommendations in the store: identity rows plus append-only events; state is replayed from the events."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from typing import Any, Callable

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from cpas_kit.core.errors import CpasError, NotFoundError
from cpas_kit.core.i18n import t
from cpas_kit.core.periods import Period
from cpas_kit.store import Store
from cpas_kit.store.audit import write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import recommendation_events, recommendations
from cpas_kit.tracker.rules import DECISIONS, MUTABLE, PROGRESS, check_change, encode, replay
from cpas_kit.tracker.schemas import RecommendationEvents, Recommendations

IDENTITY = ("text", "priority_code", "outcome_code", "cycle_recommended")
STATE_COLUMNS = ("id", "mission_code", "rec_key", *IDENTITY, *MUTABLE, "source", "source_session", "created_at",
                 "created_by", "updated_at", "updated_by")
_ACTION = {"decision": "decide", "progress": "progress"}


class ChangeRefused(CpasError):
    """A change to a recommendation breaks a tracker rule; the message says which."""


def recommendation_key(mission: str, cycle: str, text: str) -> str:
    """Stable identity of a recommendation: its mission, cycle recommended and text."""
    norm = " ".join(text.split()).casefold()
    return hashlib.sha256(f"{mission}|{Period.parse(cycle)}|{norm}".encode("utf-8")).hexdigest()


def normalise(rec: dict[str, Any]) -> dict[str, Any]:
    """Check one record's fields (raise ValueError with a sentence) and fill defaults."""
    out = {f: rec.get(f) for f in (*IDENTITY, *MUTABLE)}
    if not out["text"] or not str(out["text"]).strip():
        raise ValueError("a recommendation needs its text")
    out["cycle_recommended"] = str(Period.parse(out["cycle_recommended"]))
    out["decision"] = out["decision"] or "Awaiting Review"
    out["progress"] = out["progress"] or "Not Assigned"
    if out["decision"] not in DECISIONS:
        raise ValueError(f"decision '{out['decision']}' is not one of {', '.join(DECISIONS)}")
    if out["progress"] not in PROGRESS:
        raise ValueError(f"implementation progress '{out['progress']}' is not one of {', '.join(PROGRESS)}")
    if isinstance(out["target_date"], datetime):
        out["target_date"] = out["target_date"].date()
    if out["target_date"] is not None and not isinstance(out["target_date"], date):
        raise ValueError(f"target date {out['target_date']!r} is not a date")
    return out


def _events_of(conn: Connection, rec_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in rec_ids}
    for i in range(0, len(rec_ids), 500):
        q = (select(recommendation_events).where(recommendation_events.c.recommendation_id.in_(rec_ids[i:i + 500]))
             .order_by(recommendation_events.c.id))
        for ev in conn.execute(q).mappings():
            out[ev["recommendation_id"]].append(dict(ev))
    return out


def _append(conn: Connection, rec: dict[str, Any], *, actor: str, at: datetime, field: str | None, old: Any,
            new: Any, comment: str | None, action: str | None = None) -> None:
    conn.execute(insert(recommendation_events).values(
        recommendation_id=rec["id"], mission_code=rec["mission_code"], at=at, actor=actor,
        action=action or _ACTION.get(field or "", "edit"), field=field, from_value=encode(field or "", old),
        to_value=encode(field or "", new), comment=comment,
    ))


def write_recommendations(engine: Engine, mission: str, records: list[dict[str, Any]], *, actor: str, source: str,
                          audit: Callable[..., None], session: str | None = None,
                          provenance: Callable[[Connection, dict[str, int]], None] | None = None) -> dict[str, int]:
    """Record new recommendations and, for known ones, append an event per field that differs (one transaction).

    Used by tracker imports and the demo: the file is taken as the state of record, so the change rules are
    not applied here (a tracker file is history, not a request); a file's own consistency is checked on reading.
    """
    rows = [normalise(r) for r in records]

    def _do(conn: Connection) -> dict[str, int]:
        stamp = datetime.now(timezone.utc)
        counts = {"rows_read": len(rows), "inserted": 0, "updated": 0, "unchanged": 0}
        for row in rows:
            key = recommendation_key(mission, row["cycle_recommended"], row["text"])
            ident = conn.execute(select(recommendations).where(recommendations.c.mission_code == mission,
                                                               recommendations.c.rec_key == key)).mappings().first()
            if ident is None:
                rec_id = conn.execute(insert(recommendations).values(
                    mission_code=mission, rec_key=key, source=source, source_session=session, created_at=stamp,
                    created_by=actor, **{f: row[f] for f in IDENTITY},
                ).returning(recommendations.c.id)).scalar_one()
                snapshot = {f: encode(f, row[f]) for f in MUTABLE}
                conn.execute(insert(recommendation_events).values(
                    recommendation_id=rec_id, mission_code=mission, at=stamp, actor=actor, action="create",
                    to_value=json.dumps(snapshot, ensure_ascii=False), comment=source))
                audit(conn, actor=actor, action="insert", entity="recommendation", key=key, mission=mission,
                      new={f: encode(f, row[f]) for f in (*IDENTITY, *MUTABLE)}, note=source)
                counts["inserted"] += 1
                continue
            state = replay(_events_of(conn, [ident["id"]])[ident["id"]])
            changed = [f for f in MUTABLE if encode(f, state[f]) != encode(f, row[f])]
            for f in changed:
                _append(conn, dict(ident), actor=actor, at=stamp, field=f, old=state[f], new=row[f], comment=source)
            counts["updated" if changed else "unchanged"] += 1
        if provenance is not None:
            provenance(conn, counts)
        return counts

    return run_write(engine, _do)


def change_recommendation(engine: Engine, rec_id: int, field: str, new: Any, *, actor: str, comment: str | None,
                          audit: Callable[..., None], language: str = "en") -> dict[str, Any]:
    """Apply one change if the rules allow it (else :class:`ChangeRefused`, in ``language``); return the new state."""
    if not (actor or "").strip():
        raise ChangeRefused(t("rule_who", language))

    def _do(conn: Connection) -> dict[str, Any]:
        ident = conn.execute(select(recommendations).where(recommendations.c.id == rec_id)).mappings().first()
        if ident is None:
            raise NotFoundError(f"there is no recommendation with id {rec_id}; `cpas tracker list --mission M` "
                                "shows the ids")
        state = replay(_events_of(conn, [rec_id])[rec_id])
        why = check_change(state, field, new, comment, language)
        if why is not None:
            raise ChangeRefused(f"{t('recommendation', language)} {rec_id}: {why}")
        stamp = datetime.now(timezone.utc)
        _append(conn, dict(ident), actor=actor, at=stamp, field=field, old=state[field], new=new, comment=comment)
        audit(conn, actor=actor, action=_ACTION.get(field, "edit"), entity="recommendation", key=ident["rec_key"],
              mission=ident["mission_code"], old={field: encode(field, state[field])},
              new={field: encode(field, new)}, note=comment)
        return {**state, field: new}

    return run_write(engine, _do)


def _frame(rows: list[dict[str, Any]], columns: list[str], schema: Any) -> pd.DataFrame:
    """Rows as a frame whose missing values stay ``None`` (object columns), checked against ``schema``."""
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for col in ("id", "recommendation_id"):
        if col in frame:
            frame[col] = frame[col].astype("int64")
    for col in ("created_at", "updated_at", "at"):
        if col in frame and len(frame):
            frame[col] = pd.to_datetime(frame[col])
    return schema.validate(frame)


def read_recommendations(engine: Engine, mission: str) -> pd.DataFrame:
    """The mission's recommendations with their current state replayed from events, in the order recorded."""
    with read(engine) as conn:
        idents = [dict(r) for r in conn.execute(select(recommendations).where(recommendations.c.mission_code == mission)
                                                .order_by(recommendations.c.id)).mappings()]
        events = _events_of(conn, [r["id"] for r in idents])
    rows = [{**r, **replay(events[r["id"]])} for r in idents]
    return _frame(rows, list(STATE_COLUMNS), Recommendations)


def recommendation_history(engine: Engine, rec_id: int) -> pd.DataFrame:
    """Every event of one recommendation, oldest first."""
    with read(engine) as conn:
        if conn.execute(select(recommendations.c.id).where(recommendations.c.id == rec_id)).first() is None:
            raise NotFoundError(f"there is no recommendation with id {rec_id}")
        events = _events_of(conn, [rec_id])[rec_id]
    return _frame(events, [c.name for c in recommendation_events.c], RecommendationEvents)


def read_recommendation_events(engine: Engine, mission: str) -> pd.DataFrame:
    """Every recommendation event of a mission, oldest first."""
    with read(engine) as conn:
        rows = conn.execute(select(recommendation_events).where(recommendation_events.c.mission_code == mission)
                            .order_by(recommendation_events.c.id)).mappings().all()
    return _frame([dict(r) for r in rows], [c.name for c in recommendation_events.c], RecommendationEvents)


class TrackerStore:
    """The recommendations tracker of a store: ``TrackerStore(store).method(…)``."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def write_recommendations(self, mission: str, records: list[dict[str, Any]], *, actor: str, source: str,
                              session: str | None = None, provenance: Any = None) -> dict[str, int]:
        """Record recommendations (idempotent on mission, cycle and text); changed fields become events."""
        return write_recommendations(self.engine, mission, records, actor=actor, source=source, audit=write_audit,
                                           session=session, provenance=provenance)

    def recommendations(self, mission: str) -> pd.DataFrame:
        """The mission's recommendations, current state (replayed from their events)."""
        return read_recommendations(self.engine, mission)

    def change_recommendation(self, rec_id: int, field: str, value: Any, *, actor: str, comment: str | None = None,
                              language: str = "en") -> dict[str, Any]:
        """Decide, update progress or edit one field, if the tracker's rules allow it; return the new state.

        A refused change raises ``ChangeRefused`` with one sentence in ``language`` saying why.
        """
        return change_recommendation(self.engine, rec_id, field, value, actor=actor, comment=comment,
                                           audit=write_audit, language=language)

    def recommendation_events(self, mission: str) -> pd.DataFrame:
        """Every change of every recommendation of a mission, oldest first (for follow-up analysis)."""
        return read_recommendation_events(self.engine, mission)

    def recommendation_history(self, rec_id: int) -> pd.DataFrame:
        """Every change of one recommendation (who, when, from → to, comment), oldest first."""
        return recommendation_history(self.engine, rec_id)
