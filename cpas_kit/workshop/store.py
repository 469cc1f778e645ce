"""The workshop as the apps and commands use it: one ``WorkshopStore`` over a :class:`~cpas_kit.store.Store`.

Each submit is its own short write transaction (see :mod:`cpas_kit.workshop.queries`); polls are single reads.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from cpas_kit.core.periods import Period
from cpas_kit.framework.model import framework_from_document
from cpas_kit.store import Store
from cpas_kit.store.audit import write_audit
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop import proposals, queries, security
from cpas_kit.workshop.sessions import SessionNotFound, mission_scales


class WorkshopStore:
    """Live workshop sessions of a store: ``WorkshopStore(store).method(…)``."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    def start_workshop(self, mission: str, cycle: str, *, actor: str, scales: Any = None,
                       outcome_order: list[str] | None = None) -> Any:
        """Start a session for a mission's cycle; the returned ``SessionStarted`` holds the only copy of its key.

        Outcomes default to the framework order of the version in force for ``cycle``; ``scales`` (a
        ``RatingScales``) to the mission's own (``parameters/<MISSION>.yaml``, section ``workshop``), else the
        default progress and contribution scales.
        """

        Period.parse(cycle)
        meta = self.store.framework_version_for(mission, cycle)
        fw = framework_from_document(json.loads(meta["content"]))
        return queries.start_session(self.engine, fw, meta["version"], cycle, actor=actor,
                                     scales=scales or mission_scales(mission),
                                 outcome_order=outcome_order, audit=write_audit)

    def workshop_session(self, code: str) -> dict[str, Any]:
        """A session's public settings: mission, cycle, status, outcome order, current outcome, scales, sections."""
        return queries.session(self.engine, code)

    def workshop_sessions(self, *, mission: str | None = None, cycle: str | None = None,
                          open_only: bool = False) -> list[dict[str, Any]]:
        """Workshop sessions (no secrets), newest first; optionally one mission's, one cycle's, open ones."""
        return queries.sessions(self.engine, mission=mission, cycle=cycle, open_only=open_only)

    def check_facilitator_key(self, code: str, key: str | None) -> dict[str, Any]:
        """A session's public settings if ``key`` is its facilitator key (else ``FacilitatorKeyRefused``)."""
        return queries.check_facilitator(self.engine, code, key)

    def join_workshop(self, code: str, name: str, section: str, *, token: str | None = None,
                      client: str | None = None) -> Any:
        """Join a session: a new ``Participant`` (its token is shown once, as the personal link), or, with the
        personal link's ``token``, the participant it belongs to. Wrong codes are rate-limited per ``client``."""
        return queries.join(self.engine, code, name, section, audit=write_audit, token=token, client=client)

    def session_to_join(self, code: str, *, client: str | None = None) -> dict[str, Any]:
        """``workshop_session(code)`` for a join form: wrong codes count against ``client``'s rate limit."""
        client = security.client_key(client)
        security.check_join_rate(self.engine, client)
        try:
            return self.workshop_session(code)
        except SessionNotFound:
            security.record_join_failure(self.engine, client)
            raise

    def authorise_facilitator(self, name: str, *, actor: str) -> str:
        """Let ``name`` start sessions from the facilitator app; return the passphrase (shown once)."""
        return security.authorise_facilitator(self.engine, name, actor=actor)

    def revoke_facilitator(self, name: str) -> bool:
        """Withdraw ``name``'s authorisation to start sessions from the app."""
        return security.revoke_facilitator(self.engine, name)

    def facilitators(self) -> list[str]:
        """Who may start sessions from the facilitator app."""
        return security.facilitators(self.engine)

    def check_facilitator(self, name: str | None, passphrase: str | None) -> str:
        """The authorised facilitator's name, or ``WorkshopRefused``."""
        return security.check_facilitator(self.engine, name, passphrase)

    def resume_participant(self, token: str) -> Any:
        """The ``Participant`` holding ``token`` (a browser coming back after a refresh)."""
        return queries.resume(self.engine, token)

    def submit_rating(self, token: str, outcome: str, *, progress: str | None = None,
                      contribution: str | None = None, reason: str | None = None,
                      submission_id: str | None = None) -> dict[str, Any]:
        """Save a participant's rating of an outcome at once (one transaction); it replaces their previous one.

        Every submit is kept as an event; ``submission_id`` (e.g. a UUID made by the app) makes a resend harmless.
        """
        return queries.submit_rating(self.engine, token, outcome, progress=progress, contribution=contribution,
                                 reason=reason, submission_id=submission_id, audit=write_audit)

    def propose_recommendation(self, token: str, outcome: str, text: str, *, lead_section: str | None = None,
                               supporting_sections: str | list[str] | None = None) -> dict[str, Any]:
        """Save a participant's recommendation proposal for an outcome; return it (with its ``id``)."""
        return proposals.propose(self.engine, token, outcome, text, lead_section=lead_section,
                           supporting_sections=supporting_sections, audit=write_audit)

    def edit_proposal(self, token: str, proposal_id: int, *, text: str, lead_section: str | None = None,
                      supporting_sections: str | list[str] | None = None) -> dict[str, Any]:
        """Change one's own proposal while it is neither merged nor sent."""
        return proposals.edit_proposal(self.engine, token, proposal_id, text=text, lead_section=lead_section,
                                 supporting_sections=supporting_sections, audit=write_audit)

    def participant_state(self, token: str) -> dict[str, Any]:
        """A participant's session, own current ratings and own proposals (to restore their screen)."""
        return queries.participant_state(self.engine, token)

    def set_workshop_outcome(self, code: str, key: str, outcome: str | int, *, actor: str) -> dict[str, Any]:
        """Facilitator: make ``outcome`` (code or position) the one under discussion."""
        return queries.set_current(self.engine, code, key, outcome, actor=actor, audit=write_audit)

    def set_workshop_order(self, code: str, key: str, order: list[str], *, actor: str) -> dict[str, Any]:
        """Facilitator: set the order in which outcomes are discussed."""
        return queries.set_order(self.engine, code, key, order, actor=actor, audit=write_audit)

    def record_agreed(self, code: str, key: str, outcome: str, *, progress: str | None = None,
                      contribution: str | None = None, analysis: str | None = None, actor: str) -> dict[str, Any]:
        """Facilitator: record the group's agreed rating and analysis of an outcome (replacing any earlier one)."""
        return queries.record_agreed(self.engine, code, key, outcome, progress=progress, contribution=contribution,
                                 analysis=analysis, actor=actor, audit=write_audit)

    def merge_proposals(self, code: str, key: str, duplicates: list[int], into: int, *, actor: str) -> list[int]:
        """Facilitator: mark proposals as duplicates of ``into`` (they are kept); return the ids newly merged."""
        return proposals.merge(self.engine, code, key, duplicates, into, actor=actor, audit=write_audit)

    def send_proposals(self, code: str, key: str, proposal_ids: list[int], *, actor: str) -> dict[str, Any]:
        """Facilitator: send agreed proposals to the tracker as ``Awaiting Review`` (sending again adds nothing)."""
        return proposals.send(self.engine, code, key, proposal_ids, actor=actor, audit=write_audit,
                        write_recommendations=TrackerStore(self.store).write_recommendations)

    def close_workshop(self, code: str, key: str, *, actor: str) -> dict[str, Any]:
        """Facilitator: close the session; nothing in it can change afterwards."""
        return queries.close(self.engine, code, key, actor=actor, audit=write_audit)

    def workshop_status(self, code: str) -> dict[str, Any]:
        """Participants, rating distribution and spread per outcome, agreed results, proposals (one read)."""
        return queries.status(self.engine, code)

    def workshop_participants(self, code: str) -> pd.DataFrame:
        """Who joined a session and whether each has rated the current outcome."""
        return queries.participants(self.engine, code)

    def workshop_ratings(self, code: str) -> pd.DataFrame:
        """Each participant's current rating per outcome (``CurrentRatings``)."""
        return queries.current_ratings(self.engine, code)

    def workshop_rating_history(self, code: str) -> pd.DataFrame:
        """Every rating submit of a session, oldest first."""
        return queries.rating_history(self.engine, code)

    def workshop_proposals(self, code: str) -> pd.DataFrame:
        """Every recommendation proposal of a session."""
        return queries.proposals(self.engine, code)

    def workshop_agreed(self, code: str) -> pd.DataFrame:
        """One session's agreed results (``AgreedResults``)."""
        return queries.agreed(self.engine, code)

    def agreed_results(self, mission: str, cycle: str) -> pd.DataFrame:
        """Agreed rating and analysis per outcome of a mission's cycle (latest over its sessions), for the pack."""
        return queries.agreed_results(self.engine, mission, cycle)

    def workshop_distribution(self, code: str) -> pd.DataFrame:
        """Tidy counts of current ratings: one row per outcome × scale × value, zeros included (for charts)."""
        return queries.distribution(self.engine, code)

    def workshop_spread(self, code: str) -> pd.DataFrame:
        """Per outcome and scale: ratings, modal value, its share, distinct values, contested (no majority)."""
        return queries.spreads(self.engine, code)
