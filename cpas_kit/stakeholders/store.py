"""The stakeholder register in the store: one snapshot per mission and cycle, its entries, and the
mission's own enumerations (``stakeholder_options``).

Entries are validated by :mod:`cpas_kit.stakeholders.register` before they reach these functions; here each write
is one transaction (``run_write``) and lands in the audit log. Editing a cycle without a snapshot starts
one from the latest earlier snapshot's active entries; a change since that snapshot that needs a reason
(a new actor, stance or influence moved, an actor removed) is refused without a note.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from cpas_kit.core.errors import NotFoundError
from cpas_kit.core.periods import Period
from cpas_kit.stakeholders.register import (
    ACTIVE,
    ENUMERATED,
    REMOVED,
    TRACKED,
    StakeholderError,
    active,
    changed_fields,
    check_entry,
    diff_entries,
    diff_summary,
    entry_record,
    mission_area_names,
    note_needed,
    options_from,
    read_context_file,
)
from cpas_kit.store import Store
from cpas_kit.store.audit import write_audit
from cpas_kit.store.engine import read, run_write
from cpas_kit.store.schema import stakeholder_entries, stakeholder_options, stakeholder_snapshots

_LISTS = ("areas", "outcomes")


def _now() -> datetime:
    return datetime.now(UTC)


# -- enumerations ---------------------------------------------------------------------------------------
def read_options(engine: Engine, mission: str) -> dict[str, list[dict[str, Any]]]:
    """The mission's own options per field (fields it has not configured are absent)."""
    with read(engine) as conn:
        rows = conn.execute(select(stakeholder_options).where(stakeholder_options.c.mission_code == mission)
                            .order_by(stakeholder_options.c.field, stakeholder_options.c.position)).mappings().all()
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["field"], []).append({"code": r["code"], "label": r["label"], "label_fr": r["label_fr"]})
    return out


def write_options(engine: Engine, mission: str, field: str, options: list[dict[str, Any]], *, actor: str,
                  audit: Callable[..., None]) -> bool:
    """Replace the mission's options of ``field``; refuse to drop a code an entry uses. True when changed."""
    if field not in ENUMERATED:
        raise StakeholderError(f"'{field}' is not an enumerated field; use one of {', '.join(ENUMERATED)}")

    def _do(conn: Connection) -> bool:
        old = [dict(code=r.code, label=r.label, label_fr=r.label_fr) for r in conn.execute(
            select(stakeholder_options).where(stakeholder_options.c.mission_code == mission,
                                              stakeholder_options.c.field == field)
            .order_by(stakeholder_options.c.position))]
        if old == options:
            return False
        keep = {o["code"] for o in options}
        col = stakeholder_entries.c[field]
        used = conn.execute(
            select(col, stakeholder_entries.c.stakeholder_code, stakeholder_snapshots.c.cycle)
            .join(stakeholder_snapshots, stakeholder_snapshots.c.id == stakeholder_entries.c.snapshot_id)
            .where(stakeholder_snapshots.c.mission_code == mission, col.not_in(keep))
            .order_by(stakeholder_snapshots.c.cycle_start)).all()
        if used:
            codes = sorted({u[0] for u in used})
            raise StakeholderError(
                f"the {field} option(s) {', '.join(codes)} cannot be dropped: {len(used)} entr"
                f"{'y uses' if len(used) == 1 else 'ies use'} them (e.g. {used[0][1]} in {used[0][2]}); keep them "
                "or change those entries first")
        conn.execute(delete(stakeholder_options).where(stakeholder_options.c.mission_code == mission,
                                                       stakeholder_options.c.field == field))
        conn.execute(insert(stakeholder_options), [
            dict(mission_code=mission, field=field, position=i, code=o["code"], label=o["label"],
                 label_fr=o.get("label_fr")) for i, o in enumerate(options)])
        audit(conn, actor=actor, action="update", entity="stakeholder_options", key=f"{mission}|{field}",
              mission=mission, old=old or None, new=options)
        return True

    return run_write(engine, _do)


# -- reading ----------------------------------------------------------------------------------------------
def snapshots(engine: Engine, mission: str) -> list[dict[str, Any]]:
    """The mission's snapshots, oldest cycle first, with their number of active entries."""
    active = func.sum(func.cast(stakeholder_entries.c.status == ACTIVE, stakeholder_entries.c.id.type))
    q = (select(stakeholder_snapshots, func.coalesce(active, 0).label("stakeholders"))
         .select_from(stakeholder_snapshots.outerjoin(
             stakeholder_entries, stakeholder_entries.c.snapshot_id == stakeholder_snapshots.c.id))
         .where(stakeholder_snapshots.c.mission_code == mission)
         .group_by(*stakeholder_snapshots.c).order_by(stakeholder_snapshots.c.cycle_start))
    with read(engine) as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def _decode(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["code"] = out.pop("stakeholder_code")
    for f in _LISTS:
        out[f] = json.loads(out[f]) if out[f] else []
    return out


def _rows(conn: Connection, snapshot_id: int) -> list[dict[str, Any]]:
    cols = [c for c in stakeholder_entries.c if c.name not in ("id", "snapshot_id")]
    q = select(*cols).where(stakeholder_entries.c.snapshot_id == snapshot_id).order_by(stakeholder_entries.c.id)
    return [_decode(r) for r in conn.execute(q).mappings()]


def _snapshot(conn: Connection, mission: str, cycle: Period, *, at_or_before: bool = False,
              before: bool = False) -> Any:
    q = select(stakeholder_snapshots).where(stakeholder_snapshots.c.mission_code == mission)
    if before:
        q = q.where(stakeholder_snapshots.c.cycle_start < cycle.start)
    elif at_or_before:
        q = q.where(stakeholder_snapshots.c.cycle_start <= cycle.start)
    else:
        q = q.where(stakeholder_snapshots.c.cycle == str(cycle))
    return conn.execute(q.order_by(stakeholder_snapshots.c.cycle_start.desc()).limit(1)).mappings().first()


def snapshot_in_force(engine: Engine, mission: str, cycle: str | None) -> tuple[dict[str, Any], list[dict]]:
    """The snapshot for ``cycle`` (the latest at or before it; default: the latest) and its rows."""
    with read(engine) as conn:
        if cycle is None:
            snap = conn.execute(select(stakeholder_snapshots).where(stakeholder_snapshots.c.mission_code == mission)
                                .order_by(stakeholder_snapshots.c.cycle_start.desc()).limit(1)).mappings().first()
        else:
            snap = _snapshot(conn, mission, Period.parse(cycle), at_or_before=True)
        if snap is None:
            known = [s["cycle"] for s in conn.execute(select(stakeholder_snapshots.c.cycle).where(
                stakeholder_snapshots.c.mission_code == mission).order_by(stakeholder_snapshots.c.cycle_start))
                .mappings()]
            where = f" at or before {Period.parse(cycle)}" if cycle else ""
            raise NotFoundError(
                f"{mission} has no context mapping{where} (mapped cycles: {', '.join(known) or 'none yet'}); "
                "add stakeholders in the context-mapping app or with Store.save_stakeholder")
        return dict(snap), _rows(conn, snap["id"])


def notes_between(engine: Engine, mission: str, after: str, upto: str, *,
                  french: bool = False) -> dict[str, list[tuple[str, str]]]:
    """The notes recorded per stakeholder in snapshots after ``after`` up to ``upto``: ``(cycle, note)``, in order.

    ``french``: the French notes instead, each cycle's English note where that cycle has no French one; only
    the stakeholders with at least one French note are listed.
    """
    lo, hi = Period.parse(after).start, Period.parse(upto).start
    q = (select(stakeholder_snapshots.c.cycle, stakeholder_entries.c.stakeholder_code, stakeholder_entries.c.note,
                stakeholder_entries.c.note_fr)
         .join(stakeholder_snapshots, stakeholder_snapshots.c.id == stakeholder_entries.c.snapshot_id)
         .where(stakeholder_snapshots.c.mission_code == mission, stakeholder_snapshots.c.cycle_start > lo,
                stakeholder_snapshots.c.cycle_start <= hi, stakeholder_entries.c.note.is_not(None))
         .order_by(stakeholder_snapshots.c.cycle_start))
    out: dict[str, list[tuple[str, str]]] = {}
    has_french: set[str] = set()
    with read(engine) as conn:
        for cycle, code, note, note_fr in conn.execute(q):
            out.setdefault(code, []).append((cycle, (note_fr or note) if french else note))
            if note_fr:
                has_french.add(code)
    return {c: v for c, v in out.items() if c in has_french} if french else out


# -- writing ----------------------------------------------------------------------------------------------
def _encode(entry: dict[str, Any]) -> dict[str, Any]:
    values = {f: entry.get(f) for f in TRACKED}
    for f in _LISTS:
        values[f] = json.dumps(list(values[f] or []), ensure_ascii=False)
    return values


def _open_snapshot(conn: Connection, mission: str, cycle: Period, *, actor: str, source: str | None,
                   audit: Callable[..., None], is_synthetic: bool | None = None,
                   summary: str | None = None,
                   summary_fr: str | None = None) -> tuple[int, list[dict[str, Any]] | None]:
    """The id of the cycle's snapshot, created from the latest earlier one when missing; and the earlier
    snapshot's rows (None when this is the mission's first snapshot)."""
    previous = _snapshot(conn, mission, cycle, before=True)
    before = _rows(conn, previous["id"]) if previous is not None else None
    snap = _snapshot(conn, mission, cycle)
    if snap is not None:
        changes = {k: v for k, v in (("is_synthetic", is_synthetic), ("summary", summary), ("summary_fr", summary_fr))
                   if v is not None and snap[k] != v}
        if changes:
            conn.execute(update(stakeholder_snapshots).where(stakeholder_snapshots.c.id == snap["id"])
                         .values(updated_at=_now(), **changes))
        return snap["id"], before
    stamp = _now()
    synthetic = bool(previous["is_synthetic"]) if is_synthetic is None and previous is not None else bool(is_synthetic)
    sid = conn.execute(insert(stakeholder_snapshots).values(
        mission_code=mission, cycle=str(cycle), cycle_start=cycle.start, is_synthetic=synthetic, source=source,
        summary=summary, summary_fr=summary_fr, created_at=stamp, created_by=actor, updated_at=stamp,
    ).returning(stakeholder_snapshots.c.id)).scalar_one()
    carried = [r for r in before or [] if r["status"] == ACTIVE]
    if carried:
        conn.execute(insert(stakeholder_entries), [
            dict(snapshot_id=sid, stakeholder_code=r["code"], status=ACTIVE, note=None, note_fr=None, updated_at=stamp,
                 updated_by=actor, **_encode(r)) for r in carried])
    audit(conn, actor=actor, action="insert", entity="stakeholder_snapshot", key=f"{mission}|{cycle}",
          mission=mission, new={"carried_from": None if previous is None else previous["cycle"],
                                "stakeholders": len(carried)}, note=source)
    return sid, before


def _put(conn: Connection, mission: str, cycle: Period, sid: int, before: list[dict[str, Any]] | None,
         entry: dict[str, Any] | None, code: str, note: str | None, *, actor: str,
         audit: Callable[..., None], note_fr: str | None = None) -> str:
    """Insert, update or remove one entry of snapshot ``sid``; return inserted/updated/removed/unchanged.

    ``before``: the previous snapshot's rows, None for the mission's first snapshot (which needs no notes).
    ``note_fr``: the note in French (optional; French readers see ``note`` without it).
    """
    current = conn.execute(select(stakeholder_entries).where(stakeholder_entries.c.snapshot_id == sid,
                                                             stakeholder_entries.c.stakeholder_code == code)
                           ).mappings().first()
    current = _decode(current) if current is not None else None
    prev = next((r for r in before or [] if r["code"] == code and r["status"] == ACTIVE), None)
    note, note_fr = (note or "").strip() or None, (note_fr or "").strip() or None
    if entry is None:
        return _remove(conn, mission, cycle, sid, current, prev, code, (note, note_fr), actor=actor, audit=audit)
    if note is None and current is not None and current["status"] == ACTIVE:
        note = current["note"]  # an edit keeps the reason already given for this cycle's change
    if note_fr is None and current is not None and current["status"] == ACTIVE and note == current["note"]:
        note_fr = current["note_fr"]  # and its French text, unless a new one is given
    why = note_needed(prev, entry) if before is not None else None
    if why and not note:
        raise StakeholderError(f"{entry['name']} ({code}) in {cycle} needs a note saying why: {why}")
    if current is not None and current["status"] == ACTIVE and not changed_fields(current, entry) \
            and (current["note"] or None) == note and (current["note_fr"] or None) == note_fr:
        return "unchanged"
    values = dict(status=ACTIVE, note=note, note_fr=note_fr, updated_at=_now(), updated_by=actor, **_encode(entry))
    if current is None:
        conn.execute(insert(stakeholder_entries).values(snapshot_id=sid, stakeholder_code=code, **values))
        action = "inserted"
    else:
        conn.execute(update(stakeholder_entries).where(stakeholder_entries.c.id == _id(conn, sid, code))
                     .values(**values))
        action = "updated"
    audit(conn, actor=actor, action="insert" if action == "inserted" else "update", entity="stakeholder",
          key=f"{mission}|{cycle}|{code}", mission=mission,
          old=None if current is None else {f: current.get(f) for f in changed_fields(current, entry)},
          new={f: entry.get(f) for f in (changed_fields(current, entry) if current else TRACKED)}, note=note)
    return action


def _remove(conn: Connection, mission: str, cycle: Period, sid: int, current: dict[str, Any] | None,
            prev: dict[str, Any] | None, code: str, notes: tuple[str | None, str | None], *, actor: str,
            audit: Callable[..., None]) -> str:
    """Take ``code`` off snapshot ``sid``: a ``removed`` row with the reason (``notes``: English, French), or no
    row if it was new here."""
    note, note_fr = notes
    if current is None:
        raise NotFoundError(f"{code} is not on the {mission} context map for {cycle}")
    if current["status"] == REMOVED:
        note_fr = note_fr or (current["note_fr"] if not note or note == current["note"] else None)
        if (not note or note == current["note"]) and note_fr == current["note_fr"]:
            return "unchanged"
        conn.execute(update(stakeholder_entries).where(stakeholder_entries.c.id == _id(conn, sid, code))
                     .values(note=note or current["note"], note_fr=note_fr, updated_at=_now(), updated_by=actor))
        return "updated"
    if prev is None:  # added in this very cycle: removing it takes it out again
        conn.execute(delete(stakeholder_entries).where(stakeholder_entries.c.id == _id(conn, sid, code)))
    elif not note:
        raise StakeholderError(f"removing {current['name']} ({code}) in {cycle} needs a note saying why "
                               "(a stakeholder leaves the map); write what happened")
    else:
        conn.execute(update(stakeholder_entries).where(stakeholder_entries.c.id == _id(conn, sid, code))
                     .values(status=REMOVED, note=note, note_fr=note_fr, updated_at=_now(), updated_by=actor))
    audit(conn, actor=actor, action="delete", entity="stakeholder", key=f"{mission}|{cycle}|{code}",
          mission=mission, old={f: current.get(f) for f in TRACKED}, note=note)
    return "removed"


def _id(conn: Connection, sid: int, code: str) -> int:
    return conn.execute(select(stakeholder_entries.c.id).where(stakeholder_entries.c.snapshot_id == sid,
                                                               stakeholder_entries.c.stakeholder_code == code)
                        ).scalar_one()


def save_entry(engine: Engine, mission: str, cycle: str, entry: dict[str, Any], *, note: str | None, actor: str,
               audit: Callable[..., None], source: str | None = None, note_fr: str | None = None) -> str:
    """Add or change one stakeholder in a cycle's snapshot (one transaction); return what happened."""
    cyc = Period.parse(cycle)

    def _do(conn: Connection) -> str:
        sid, before = _open_snapshot(conn, mission, cyc, actor=actor, source=source, audit=audit)
        return _put(conn, mission, cyc, sid, before, entry, entry["code"], note, actor=actor, audit=audit,
                    note_fr=note_fr)

    return run_write(engine, _do)


def remove_entry(engine: Engine, mission: str, cycle: str, code: str, *, note: str | None, actor: str,
                 audit: Callable[..., None], source: str | None = None, note_fr: str | None = None) -> str:
    """Take a stakeholder off a cycle's map, with the reason (kept as a ``removed`` row)."""
    cyc = Period.parse(cycle)

    def _do(conn: Connection) -> str:
        sid, before = _open_snapshot(conn, mission, cyc, actor=actor, source=source, audit=audit)
        return _put(conn, mission, cyc, sid, before, None, code, note, actor=actor, audit=audit, note_fr=note_fr)

    return run_write(engine, _do)


def save_snapshot(engine: Engine, mission: str, cycle: str, entries: list[dict[str, Any]],
                  removed: dict[str, str], notes: dict[str, str], *, actor: str, audit: Callable[..., None],
                  is_synthetic: bool, source: str | None, summary: str | None, summary_fr: str | None = None,
                  notes_fr: dict[str, str] | None = None) -> dict[str, int]:
    """Make a cycle's snapshot hold exactly ``entries`` (plus ``removed``: code → why); idempotent.

    ``notes_fr`` (code → why, in French) gives the French text of the notes and removals where there is one.

    Entries of the snapshot not listed are removed (those carried from the previous cycle must be in
    ``removed`` with a note). Returns counts of inserted, updated, removed and unchanged entries.
    """
    cyc = Period.parse(cycle)

    def _do(conn: Connection) -> dict[str, int]:
        sid, before = _open_snapshot(conn, mission, cyc, actor=actor, source=source, audit=audit,
                                     is_synthetic=is_synthetic, summary=summary, summary_fr=summary_fr)
        french = notes_fr or {}
        counts = {"inserted": 0, "updated": 0, "removed": 0, "unchanged": 0}
        listed = {e["code"] for e in entries}
        for e in entries:
            counts[_put(conn, mission, cyc, sid, before, e, e["code"], notes.get(e["code"]), actor=actor,
                        audit=audit, note_fr=french.get(e["code"]))] += 1
        present = {r["code"] for r in _rows(conn, sid) if r["status"] == ACTIVE}
        for code in sorted((present - listed) | set(removed)):
            result = _put(conn, mission, cyc, sid, before, None, code, removed.get(code), actor=actor, audit=audit,
                          note_fr=french.get(code))
            counts["unchanged" if result == "unchanged" else "removed" if result == "removed" else "updated"] += 1
        return counts

    return run_write(engine, _do)


class StakeholderStore:
    """The stakeholder register (context maps) of a store: ``StakeholderStore(store).method(…)``."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def stakeholder_options(self, mission: str) -> Any:
        """The values allowed for type, level, stance and influence in the mission's register
        (``StakeholderOptions``: the defaults, except the fields the mission configured)."""

        return options_from(read_options(self.engine, mission))

    def set_stakeholder_options(self, mission: str, field: str, options: list[Any], *, actor: str) -> bool:
        """Configure one enumerated field for a mission: ``[{code, label, label_fr}]`` or ``(code, label,
        label_fr)`` tuples, in matrix order for stance and influence. An option in use cannot be dropped."""

        given = [o if isinstance(o, dict) else dict(zip(("code", "label", "label_fr"), o)) for o in options]
        checked = options_from({**read_options(self.engine, mission), field: given}).of(field)
        return write_options(self.engine, mission, field, [o.model_dump() for o in checked], actor=actor,
                                 audit=write_audit)

    def context_cycles(self, mission: str) -> pd.DataFrame:
        """The mission's context-mapping snapshots, oldest first (cycle, synthetic, source, stakeholders, …)."""
        rows = snapshots(self.engine, mission)
        cols = ["cycle", "cycle_start", "stakeholders", "is_synthetic", "source", "summary", "created_at",
                "created_by", "updated_at"]
        return pd.DataFrame(rows, columns=["id", *cols])[cols]

    def context_map(self, mission: str, cycle: str | None = None) -> dict[str, Any]:
        """The context map in force for ``cycle`` (the latest snapshot at or before it; default: the latest):
        ``{mission, cycle, requested, is_synthetic, source, summary, summary_fr, entries}``; ``entries`` include
        the stakeholders removed in that cycle (``status`` ``removed``, with the note saying why, and ``note_fr``
        its French text where given)."""
        snap, rows = snapshot_in_force(self.engine, mission, cycle)
        return {"mission": mission, "cycle": snap["cycle"], "requested": cycle, "is_synthetic": snap["is_synthetic"],
                "source": snap["source"], "summary": snap["summary"], "summary_fr": snap["summary_fr"],
                "entries": rows}

    def stakeholders(self, mission: str, cycle: str | None = None) -> pd.DataFrame:
        """The stakeholders on the map for ``cycle`` (see :meth:`context_map`), one row each."""

        return pd.DataFrame(active(self.context_map(mission, cycle)["entries"]))

    def save_stakeholder(self, mission: str, cycle: str, values: dict[str, Any], *, actor: str,
                         note: str | None = None, source: str | None = None, note_fr: str | None = None) -> str:
        """Add or change one stakeholder in ``cycle``'s context map (checked against the mission's options, the
        framework in force and its admin-1 areas); a new actor or a stance or influence moved since the previous
        cycle needs ``note`` (why; ``note_fr``: its French text, optional). Returns inserted, updated or unchanged."""

        fw = self.store.framework(mission, cycle)
        entry = check_entry(values, self.stakeholder_options(mission), fw, mission_area_names(fw))
        return save_entry(self.engine, mission, cycle, entry_record(entry), note=note, actor=actor,
                          audit=write_audit, source=source, note_fr=note_fr)

    def remove_stakeholder(self, mission: str, cycle: str, code: str, *, note: str | None, actor: str,
                           note_fr: str | None = None) -> str:
        """Take a stakeholder off ``cycle``'s map; ``note`` says why (required unless it was added in that cycle),
        ``note_fr`` in French (optional)."""
        return remove_entry(self.engine, mission, cycle, code, note=note, actor=actor, audit=write_audit,
                            note_fr=note_fr)

    def save_context_map(self, mission: str, cycle: str, entries: list[dict[str, Any]], *, actor: str,
                         removed: dict[str, str] | None = None, notes: dict[str, str] | None = None,
                         is_synthetic: bool = False, source: str | None = None,
                         summary: str | None = None, summary_fr: str | None = None,
                         notes_fr: dict[str, str] | None = None) -> dict[str, int]:
        """Make ``cycle``'s map hold exactly ``entries`` (every one checked first); ``removed`` and ``notes``
        map codes to the reasons, ``notes_fr`` to their French text (changes and removals alike; optional).
        Idempotent: saving the same map again changes nothing."""

        fw = self.store.framework(mission, cycle)
        options, areas = self.stakeholder_options(mission), mission_area_names(fw)
        checked = [entry_record(check_entry(e, options, fw, areas)) for e in entries]
        return save_snapshot(self.engine, mission, cycle, checked, removed or {}, notes or {}, actor=actor,
                             audit=write_audit, is_synthetic=is_synthetic, source=source, summary=summary,
                             summary_fr=summary_fr, notes_fr=notes_fr)

    def stakeholder_diff(self, mission: str, before: str, after: str) -> dict[str, Any]:
        """What changed on the context map from cycle ``before`` to cycle ``after``, each change with its notes:
        ``{mission, from, to, from_snapshot, to_snapshot, summary, changes}``; each change's ``note_fr`` is the
        French text of its note where one was given (None otherwise)."""

        old, new = self.context_map(mission, before), self.context_map(mission, after)
        later = Period.parse(new["cycle"]) > Period.parse(old["cycle"])
        notes = notes_between(self.engine, mission, old["cycle"], new["cycle"]) if later else {}
        notes_fr = notes_between(self.engine, mission, old["cycle"], new["cycle"], french=True) if later else {}
        changes = diff_entries(old["entries"], new["entries"], self.stakeholder_options(mission), notes, notes_fr)
        return {"mission": mission, "from": before, "to": after, "from_snapshot": old["cycle"],
                "to_snapshot": new["cycle"], "is_synthetic": bool(old["is_synthetic"] or new["is_synthetic"]),
                "summary": diff_summary(changes), "changes": changes}


def load_context_file(store: Store, path: Any, *, actor: str, is_synthetic: bool, source: str) -> dict[str, Any]:
    """Store every snapshot of a context-mapping YAML (idempotent); return the counts per cycle."""
    mission, snapshots = read_context_file(path)
    counts = {}
    for snap in snapshots:
        counts[snap["cycle"]] = StakeholderStore(store).save_context_map(
            mission, snap["cycle"], snap["entries"], removed=snap["removed"], notes=snap["notes"], actor=actor,
            is_synthetic=is_synthetic, source=source, summary=snap["summary"], summary_fr=snap.get("summary_fr"),
            notes_fr=snap.get("notes_fr"))
    return {"mission": mission, "snapshots": counts}
