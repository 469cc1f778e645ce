"""The store: missions, versioned results frameworks, observations, recommendations, audit log.

``Store()`` opens the store named by ``CPAS_DB_URL`` (default: the embedded SQLite file, see
:mod:`cpas_kit.core.paths`) and upgrades its schema. Every write is one short transaction, retried on
contention, and every change lands in the append-only audit log.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from cpas_kit.core.errors import NotFoundError
from cpas_kit.framework.model import Framework, framework_from_document
from cpas_kit.core.paths import default_db_url
from cpas_kit.core.periods import Period
from cpas_kit.store import engine as _engine
from cpas_kit.store import standard_index as _mapping
from cpas_kit.data_in import store as _obs
from cpas_kit.tracker import store as _recs
from cpas_kit.workshop import store as _ws
from cpas_kit.stakeholders import store as _sh
from cpas_kit.workshop import proposals as _wsp
from cpas_kit.store.schema import audit_log, framework_indicators, framework_versions, missions

__all__ = ["Store", "now"]


def now() -> datetime:
    """The current time in UTC (every timestamp the store writes)."""
    return datetime.now(timezone.utc)


def write_audit(conn: Connection, *, actor: str, action: str, entity: str, key: str, mission: str | None,
                old: Any = None, new: Any = None, note: str | None = None) -> None:
    """Append one record to the audit log (inside the caller's transaction)."""
    conn.execute(insert(audit_log).values(
        at=now(), actor=actor, action=action, entity=entity, entity_key=key, mission_code=mission,
        old_value=None if old is None else json.dumps(old, default=str, ensure_ascii=False),
        new_value=None if new is None else json.dumps(new, default=str, ensure_ascii=False),
        note=note,
    ))


class Store:
    """One store (SQLite file or PostgreSQL database)."""

    def __init__(self, url: str | None = None, *, upgrade: bool = True):
        self.url = url or default_db_url()
        self.engine = _engine.make_engine(self.url)
        if upgrade:
            _engine.upgrade(self.engine)

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def schema_revision(self) -> str | None:
        """The store's schema revision."""
        return _engine.current_revision(self.engine)

    # -- missions and frameworks ---------------------------------------------------------------
    def save_framework(self, fw: Framework, *, effective_from: str, actor: str, source: str | None = None) -> int:
        """Store ``fw`` as the mission's framework from ``effective_from`` on; return its version number.

        Saving a framework identical to the latest version changes nothing and returns that version.
        Earlier versions are never rewritten, so past cycles keep the framework they were assessed against.
        """
        eff = Period.parse(effective_from)
        doc = fw.to_document()
        digest = fw.content_hash()

        def _do(conn: Connection) -> int:
            m = fw.mission
            row = dict(name=m.name, name_fr=m.name_fr, country_iso3=m.country_iso3, hq=m.hq,
                       mandate_resolution=m.mandate_resolution, cycle_kind=m.cycle_kind, is_fictional=m.is_fictional)
            existing = conn.execute(select(missions).where(missions.c.code == m.code)).mappings().first()
            if existing is None:
                conn.execute(insert(missions).values(code=m.code, created_at=now(), updated_at=now(), **row))
                write_audit(conn, actor=actor, action="insert", entity="mission", key=m.code, mission=m.code, new=row)
            elif any(existing[k] != v for k, v in row.items()):
                old = {k: existing[k] for k in row}
                conn.execute(update(missions).where(missions.c.code == m.code).values(updated_at=now(), **row))
                write_audit(conn, actor=actor, action="update", entity="mission", key=m.code, mission=m.code,
                            old=old, new=row)
            latest = conn.execute(
                select(framework_versions.c.version, framework_versions.c.content_hash)
                .where(framework_versions.c.mission_code == m.code)
                .order_by(framework_versions.c.version.desc()).limit(1)
            ).first()
            if latest is not None and latest.content_hash == digest:
                return latest.version
            version = 1 if latest is None else latest.version + 1
            vid = conn.execute(insert(framework_versions).values(
                mission_code=m.code, version=version, effective_from=str(eff), effective_from_start=eff.start,
                content=json.dumps(doc, ensure_ascii=False, sort_keys=True), content_hash=digest,
                created_at=now(), created_by=actor, source=source,
            ).returning(framework_versions.c.id)).scalar_one()
            conn.execute(insert(framework_indicators), [
                dict(version_id=vid, indicator_code=i.code, priority_code=p.code, outcome_code=o.code, name=i.name,
                     level=i.level, kind=i.kind, unit=i.unit, direction=i.direction,
                     responsible_section=i.responsible_section)
                for p, o, i in fw.indicators()
            ])
            _mapping.index_framework(conn, vid, fw)  # standard codes and tags as rows, for cross-mission studies
            write_audit(conn, actor=actor, action="insert", entity="framework_version", key=f"{m.code}#v{version}",
                        mission=m.code, new={"version": version, "effective_from": str(eff), "hash": digest},
                        note=source)
            return version

        return _engine.run_write(self.engine, _do)

    def framework_versions(self, mission: str) -> pd.DataFrame:
        """The mission's framework versions (without content), oldest first."""
        cols = [c for c in framework_versions.c if c.name != "content"]
        with _engine.read(self.engine) as conn:
            rows = conn.execute(select(*cols).where(framework_versions.c.mission_code == mission)
                                .order_by(framework_versions.c.version)).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in cols])

    def framework_version_for(self, mission: str, period: str | None = None) -> dict[str, Any]:
        """Metadata and content of the framework version in force for ``period`` (default: the latest)."""
        q = select(framework_versions).where(framework_versions.c.mission_code == mission)
        if period is not None:
            q = q.where(framework_versions.c.effective_from_start <= Period.parse(period).start)
        q = q.order_by(framework_versions.c.effective_from_start.desc(), framework_versions.c.version.desc()).limit(1)
        with _engine.read(self.engine) as conn:
            row = conn.execute(q).mappings().first()
            if row is None and period is not None:  # the cycle predates every version: use the first one
                row = conn.execute(select(framework_versions).where(framework_versions.c.mission_code == mission)
                                   .order_by(framework_versions.c.version).limit(1)).mappings().first()
        if row is None:
            known = ", ".join(self.mission_codes()) or "none yet"
            raise NotFoundError(
                f"mission '{mission}' has no results framework in this store (missions in the store: {known}); "
                "load one first, e.g. with `cpas demo` for UN-DEMO"
            )
        return dict(row)

    def framework(self, mission: str, period: str | None = None) -> Framework:
        """The framework in force for ``period`` (default: the latest version)."""
        return framework_from_document(json.loads(self.framework_version_for(mission, period)["content"]))

    def mission_codes(self) -> list[str]:
        """Codes of every mission in the store."""
        with _engine.read(self.engine) as conn:
            return list(conn.execute(select(missions.c.code).order_by(missions.c.code)).scalars())

    def missions(self) -> pd.DataFrame:
        """All missions."""
        with _engine.read(self.engine) as conn:
            return pd.DataFrame([dict(r) for r in conn.execute(select(missions).order_by(missions.c.code)).mappings()])

    # -- observations --------------------------------------------------------------------------
    def write_observations(self, frame: "pd.DataFrame | list[dict[str, Any]]", *, actor: str, note: str | None = None,
                           provenance: Any = None) -> dict[str, int]:
        """Insert new cells, update changed ones (old values to the audit log); one transaction.

        ``provenance(conn, counts)``, if given, runs in the same transaction (used to record an imported file).
        """
        return _obs.write_observations(self.engine, frame, actor=actor, note=note, audit=write_audit,
                                       provenance=provenance)

    def verify(self, mission: str, cycle: str, *, by: str, indicators: list[str] | None = None,
               cells: list[str] | None = None, reject: bool = False, reason: str | None = None,
               only_entered: bool = True) -> int:
        """Verify (or reject, with a reason) a cycle's values; return the number of cells changed.

        By default only values still ``entered`` are verified, so a rejected value is not verified by a
        batch run; pass ``only_entered=False`` (or name the indicators and cells) to overrule that.
        """
        return _obs.set_verification(self.engine, mission, cycle, by=by, status="rejected" if reject else "verified",
                                     indicators=indicators, cells=cells, only_entered=only_entered and not reject,
                                     reason=reason, audit=write_audit)

    def observations(self, mission: str, *, indicators: list[str] | None = None, periods: list[str] | None = None,
                     totals_only: bool = False) -> pd.DataFrame:
        """Observations of a mission, tidy (one row per indicator × period × disaggregation cell)."""
        return _obs.read_observations(self.engine, mission, indicators=indicators, periods=periods,
                                      totals_only=totals_only)

    def count_observations(self, mission: str | None = None) -> int:
        """Number of observation rows (all missions by default)."""
        return _obs.count_observations(self.engine, mission)

    # -- recommendations -----------------------------------------------------------------------
    def write_recommendations(self, mission: str, records: list[dict[str, Any]], *, actor: str, source: str,
                              session: str | None = None, provenance: Any = None) -> dict[str, int]:
        """Record recommendations (idempotent on mission, cycle and text); changed fields become events."""
        return _recs.write_recommendations(self.engine, mission, records, actor=actor, source=source, audit=write_audit,
                                           session=session, provenance=provenance)

    def recommendations(self, mission: str) -> pd.DataFrame:
        """The mission's recommendations, current state (replayed from their events)."""
        return _recs.read_recommendations(self.engine, mission)

    def change_recommendation(self, rec_id: int, field: str, value: Any, *, actor: str, comment: str | None = None,
                              language: str = "en") -> dict[str, Any]:
        """Decide, update progress or edit one field, if the tracker's rules allow it; return the new state.

        A refused change raises ``ChangeRefused`` with one sentence in ``language`` saying why.
        """
        return _recs.change_recommendation(self.engine, rec_id, field, value, actor=actor, comment=comment,
                                           audit=write_audit, language=language)

    def recommendation_events(self, mission: str) -> pd.DataFrame:
        """Every change of every recommendation of a mission, oldest first (for follow-up analysis)."""
        return _recs.read_recommendation_events(self.engine, mission)

    def recommendation_history(self, rec_id: int) -> pd.DataFrame:
        """Every change of one recommendation (who, when, from → to, comment), oldest first."""
        return _recs.recommendation_history(self.engine, rec_id)

    # -- audit ---------------------------------------------------------------------------------
    def audit_log(self, mission: str | None = None, entity: str | None = None) -> pd.DataFrame:
        """The audit log, oldest first."""
        q = select(audit_log).order_by(audit_log.c.id)
        if mission is not None:
            q = q.where(audit_log.c.mission_code == mission)
        if entity is not None:
            q = q.where(audit_log.c.entity == entity)
        with _engine.read(self.engine) as conn:
            rows = conn.execute(q).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in audit_log.c])

    def table_counts(self) -> dict[str, int]:
        """Row count of every table (for `cpas store info` and tests)."""
        from cpas_kit.store.schema import metadata

        with _engine.read(self.engine) as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in metadata.sorted_tables}

    # -- live impact-assessment workshop (cpas_kit.workshop.sessions) ------------------------------------------
    def start_workshop(self, mission: str, cycle: str, *, actor: str, scales: Any = None,
                       outcome_order: list[str] | None = None) -> Any:
        """Start a session for a mission's cycle; the returned ``SessionStarted`` holds the only copy of its key.

        Outcomes default to the framework order of the version in force for ``cycle``; ``scales`` (a
        ``RatingScales``) to the mission's own (``parameters/<MISSION>.yaml``, section ``workshop``), else the
        default progress and contribution scales.
        """
        from cpas_kit.workshop.sessions import mission_scales

        Period.parse(cycle)
        meta = self.framework_version_for(mission, cycle)
        fw = framework_from_document(json.loads(meta["content"]))
        return _ws.start_session(self.engine, fw, meta["version"], cycle, actor=actor, scales=scales or mission_scales(mission),
                                 outcome_order=outcome_order, audit=write_audit)

    def workshop_session(self, code: str) -> dict[str, Any]:
        """A session's public settings: mission, cycle, status, outcome order, current outcome, scales, sections."""
        return _ws.session(self.engine, code)

    def workshop_sessions(self, *, mission: str | None = None, cycle: str | None = None,
                          open_only: bool = False) -> list[dict[str, Any]]:
        """Workshop sessions (no secrets), newest first; optionally one mission's, one cycle's, open ones."""
        return _ws.sessions(self.engine, mission=mission, cycle=cycle, open_only=open_only)

    def check_facilitator_key(self, code: str, key: str | None) -> dict[str, Any]:
        """A session's public settings if ``key`` is its facilitator key (else ``FacilitatorKeyRefused``)."""
        return _ws.check_facilitator(self.engine, code, key)

    def join_workshop(self, code: str, name: str, section: str) -> Any:
        """Join a session (or re-join: the same name and section give back the same ``Participant``)."""
        return _ws.join(self.engine, code, name, section, audit=write_audit)

    def resume_participant(self, token: str) -> Any:
        """The ``Participant`` holding ``token`` (a browser coming back after a refresh)."""
        return _ws.resume(self.engine, token)

    def submit_rating(self, token: str, outcome: str, *, progress: str | None = None,
                      contribution: str | None = None, reason: str | None = None,
                      submission_id: str | None = None) -> dict[str, Any]:
        """Save a participant's rating of an outcome at once (one transaction); it replaces their previous one.

        Every submit is kept as an event; ``submission_id`` (e.g. a UUID made by the app) makes a resend harmless.
        """
        return _ws.submit_rating(self.engine, token, outcome, progress=progress, contribution=contribution,
                                 reason=reason, submission_id=submission_id, audit=write_audit)

    def propose_recommendation(self, token: str, outcome: str, text: str, *, lead_section: str | None = None,
                               supporting_sections: str | list[str] | None = None) -> dict[str, Any]:
        """Save a participant's recommendation proposal for an outcome; return it (with its ``id``)."""
        return _wsp.propose(self.engine, token, outcome, text, lead_section=lead_section,
                           supporting_sections=supporting_sections, audit=write_audit)

    def edit_proposal(self, token: str, proposal_id: int, *, text: str, lead_section: str | None = None,
                      supporting_sections: str | list[str] | None = None) -> dict[str, Any]:
        """Change one's own proposal while it is neither merged nor sent."""
        return _wsp.edit_proposal(self.engine, token, proposal_id, text=text, lead_section=lead_section,
                                 supporting_sections=supporting_sections, audit=write_audit)

    def participant_state(self, token: str) -> dict[str, Any]:
        """A participant's session, own current ratings and own proposals (to restore their screen)."""
        return _ws.participant_state(self.engine, token)

    def set_workshop_outcome(self, code: str, key: str, outcome: str | int, *, actor: str) -> dict[str, Any]:
        """Facilitator: make ``outcome`` (code or position) the one under discussion."""
        return _ws.set_current(self.engine, code, key, outcome, actor=actor, audit=write_audit)

    def set_workshop_order(self, code: str, key: str, order: list[str], *, actor: str) -> dict[str, Any]:
        """Facilitator: set the order in which outcomes are discussed."""
        return _ws.set_order(self.engine, code, key, order, actor=actor, audit=write_audit)

    def record_agreed(self, code: str, key: str, outcome: str, *, progress: str | None = None,
                      contribution: str | None = None, analysis: str | None = None, actor: str) -> dict[str, Any]:
        """Facilitator: record the group's agreed rating and analysis of an outcome (replacing any earlier one)."""
        return _ws.record_agreed(self.engine, code, key, outcome, progress=progress, contribution=contribution,
                                 analysis=analysis, actor=actor, audit=write_audit)

    def merge_proposals(self, code: str, key: str, duplicates: list[int], into: int, *, actor: str) -> list[int]:
        """Facilitator: mark proposals as duplicates of ``into`` (they are kept); return the ids newly merged."""
        return _wsp.merge(self.engine, code, key, duplicates, into, actor=actor, audit=write_audit)

    def send_proposals(self, code: str, key: str, proposal_ids: list[int], *, actor: str) -> dict[str, Any]:
        """Facilitator: send agreed proposals to the tracker as ``Awaiting Review`` (sending again adds nothing)."""
        return _wsp.send(self.engine, code, key, proposal_ids, actor=actor, audit=write_audit,
                        write_recommendations=self.write_recommendations)

    def close_workshop(self, code: str, key: str, *, actor: str) -> dict[str, Any]:
        """Facilitator: close the session; nothing in it can change afterwards."""
        return _ws.close(self.engine, code, key, actor=actor, audit=write_audit)

    def workshop_status(self, code: str) -> dict[str, Any]:
        """Participants, rating distribution and spread per outcome, agreed results, proposals (one read)."""
        return _ws.status(self.engine, code)

    def workshop_participants(self, code: str) -> pd.DataFrame:
        """Who joined a session and whether each has rated the current outcome."""
        return _ws.participants(self.engine, code)

    def workshop_ratings(self, code: str) -> pd.DataFrame:
        """Each participant's current rating per outcome (``CurrentRatings``)."""
        return _ws.current_ratings(self.engine, code)

    def workshop_rating_history(self, code: str) -> pd.DataFrame:
        """Every rating submit of a session, oldest first."""
        return _ws.rating_history(self.engine, code)

    def workshop_proposals(self, code: str) -> pd.DataFrame:
        """Every recommendation proposal of a session."""
        return _ws.proposals(self.engine, code)

    def workshop_agreed(self, code: str) -> pd.DataFrame:
        """One session's agreed results (``AgreedResults``)."""
        return _ws.agreed(self.engine, code)

    def agreed_results(self, mission: str, cycle: str) -> pd.DataFrame:
        """Agreed rating and analysis per outcome of a mission's cycle (latest over its sessions), for the pack."""
        return _ws.agreed_results(self.engine, mission, cycle)

    def workshop_distribution(self, code: str) -> pd.DataFrame:
        """Tidy counts of current ratings: one row per outcome × scale × value, zeros included (for charts)."""
        return _ws.distribution(self.engine, code)

    def workshop_spread(self, code: str) -> pd.DataFrame:
        """Per outcome and scale: ratings, modal value, its share, distinct values, contested (no majority)."""
        return _ws.spreads(self.engine, code)

    # -- stakeholders (context mapping, cpas_kit.stakeholders.register) ---------------------------------------------
    def stakeholder_options(self, mission: str) -> Any:
        """The values allowed for type, level, stance and influence in the mission's register
        (``StakeholderOptions``: the defaults, except the fields the mission configured)."""
        from cpas_kit.stakeholders.register import options_from

        return options_from(_sh.read_options(self.engine, mission))

    def set_stakeholder_options(self, mission: str, field: str, options: list[Any], *, actor: str) -> bool:
        """Configure one enumerated field for a mission: ``[{code, label, label_fr}]`` or ``(code, label,
        label_fr)`` tuples, in matrix order for stance and influence. An option in use cannot be dropped."""
        from cpas_kit.stakeholders.register import options_from

        given = [o if isinstance(o, dict) else dict(zip(("code", "label", "label_fr"), o)) for o in options]
        checked = options_from({**_sh.read_options(self.engine, mission), field: given}).of(field)
        return _sh.write_options(self.engine, mission, field, [o.model_dump() for o in checked], actor=actor,
                                 audit=write_audit)

    def context_cycles(self, mission: str) -> pd.DataFrame:
        """The mission's context-mapping snapshots, oldest first (cycle, synthetic, source, stakeholders, …)."""
        rows = _sh.snapshots(self.engine, mission)
        cols = ["cycle", "cycle_start", "stakeholders", "is_synthetic", "source", "summary", "created_at",
                "created_by", "updated_at"]
        return pd.DataFrame(rows, columns=["id", *cols])[cols]

    def context_map(self, mission: str, cycle: str | None = None) -> dict[str, Any]:
        """The context map in force for ``cycle`` (the latest snapshot at or before it; default: the latest):
        ``{mission, cycle, requested, is_synthetic, source, summary, entries}``; ``entries`` include the
        stakeholders removed in that cycle (``status`` ``removed``, with the note saying why)."""
        snap, rows = _sh.snapshot_in_force(self.engine, mission, cycle)
        return {"mission": mission, "cycle": snap["cycle"], "requested": cycle, "is_synthetic": snap["is_synthetic"],
                "source": snap["source"], "summary": snap["summary"], "entries": rows}

    def stakeholders(self, mission: str, cycle: str | None = None) -> pd.DataFrame:
        """The stakeholders on the map for ``cycle`` (see :meth:`context_map`), one row each."""
        from cpas_kit.stakeholders.register import active

        return pd.DataFrame(active(self.context_map(mission, cycle)["entries"]))

    def save_stakeholder(self, mission: str, cycle: str, values: dict[str, Any], *, actor: str,
                         note: str | None = None, source: str | None = None) -> str:
        """Add or change one stakeholder in ``cycle``'s context map (checked against the mission's options, the
        framework in force and its admin-1 areas); a new actor or a stance or influence moved since the previous
        cycle needs ``note`` (why). Returns inserted, updated or unchanged."""
        from cpas_kit.stakeholders.register import check_entry, entry_record, mission_area_names

        fw = self.framework(mission, cycle)
        entry = check_entry(values, self.stakeholder_options(mission), fw, mission_area_names(fw))
        return _sh.save_entry(self.engine, mission, cycle, entry_record(entry), note=note, actor=actor,
                              audit=write_audit, source=source)

    def remove_stakeholder(self, mission: str, cycle: str, code: str, *, note: str | None, actor: str) -> str:
        """Take a stakeholder off ``cycle``'s map; ``note`` says why (required unless it was added in that cycle)."""
        return _sh.remove_entry(self.engine, mission, cycle, code, note=note, actor=actor, audit=write_audit)

    def save_context_map(self, mission: str, cycle: str, entries: list[dict[str, Any]], *, actor: str,
                         removed: dict[str, str] | None = None, notes: dict[str, str] | None = None,
                         is_synthetic: bool = False, source: str | None = None,
                         summary: str | None = None) -> dict[str, int]:
        """Make ``cycle``'s map hold exactly ``entries`` (every one checked first); ``removed`` and ``notes``
        map codes to the reasons. Idempotent: saving the same map again changes nothing."""
        from cpas_kit.stakeholders.register import check_entry, entry_record, mission_area_names

        fw = self.framework(mission, cycle)
        options, areas = self.stakeholder_options(mission), mission_area_names(fw)
        checked = [entry_record(check_entry(e, options, fw, areas)) for e in entries]
        return _sh.save_snapshot(self.engine, mission, cycle, checked, removed or {}, notes or {}, actor=actor,
                                 audit=write_audit, is_synthetic=is_synthetic, source=source, summary=summary)

    def stakeholder_diff(self, mission: str, before: str, after: str) -> dict[str, Any]:
        """What changed on the context map from cycle ``before`` to cycle ``after``, each change with its notes:
        ``{mission, from, to, from_snapshot, to_snapshot, summary, changes}``."""
        from cpas_kit.stakeholders.register import diff_entries, diff_summary

        old, new = self.context_map(mission, before), self.context_map(mission, after)
        notes = _sh.notes_between(self.engine, mission, old["cycle"], new["cycle"]) \
            if Period.parse(new["cycle"]) > Period.parse(old["cycle"]) else {}
        changes = diff_entries(old["entries"], new["entries"], self.stakeholder_options(mission), notes)
        return {"mission": mission, "from": before, "to": after, "from_snapshot": old["cycle"],
                "to_snapshot": new["cycle"], "is_synthetic": bool(old["is_synthetic"] or new["is_synthetic"]),
                "summary": diff_summary(changes), "changes": changes}

    # -- fatalities and study -----------------------------------------------------------------------------
    def write_fatalities(self, frame: pd.DataFrame, result: Any, *, actor: str) -> Any:
        """Record checked UN peacekeeping fatalities (idempotent on the file's ``id``); fill and return ``result``."""
        from cpas_kit.data_in.external import fatalities_store as _fat

        return _fat.write_fatalities(self.engine, frame, result, actor=actor, audit=write_audit)

    def fatalities_summary(self, by: list[str], *, missions: list[str] | None = None, first_year: int | None = None,
                           last_year: int | None = None) -> pd.DataFrame:
        """Peacekeeping fatalities counted by ``mission``, ``year`` and/or ``incident`` (type), in SQL."""
        from cpas_kit.data_in.external import fatalities_store as _fat

        return _fat.summary(self.engine, by, missions=missions, first_year=first_year, last_year=last_year)

    def fatality_missions(self) -> list[str]:
        """Mission acronyms with imported fatalities (real missions, not necessarily in this store)."""
        from cpas_kit.data_in.external import fatalities_store as _fat

        return _fat.mission_acronyms(self.engine)
