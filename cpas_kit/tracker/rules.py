"""Recommendations and the rules of their life: decisions, implementation progress, overdue.

A recommendation's state is never stored as such: it is replayed from its append-only events
(:func:`replay`). A change is allowed or refused by :func:`check_change`, which returns one sentence
saying why a change is refused, so the app, the command line and imports give the same answer.

Rules:

* decisions: ``Awaiting Review`` → ``Approved`` / ``Rejected`` / ``Deferred``; ``Deferred`` → any other
  decision; ``Rejected`` → ``Awaiting Review`` (resubmitted); ``Approved`` → ``Rejected`` or ``Deferred``
  only while implementation has not started. ``Rejected`` and ``Deferred`` need a reason, and so does
  going back on a decision;
* implementation progress moves only while the recommendation is ``Approved``; ``Implemented`` and
  ``Not Implemented`` need a comment (the evidence, or why not), and so does reopening either;
* overdue = approved, not implemented, and past its target implementation date on the reporting date.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable

from cpas_kit.core.i18n import t

DECISIONS = ("Awaiting Review", "Approved", "Rejected", "Deferred")
PROGRESS = ("Not Assigned", "Not Started", "Ongoing", "Implemented", "Not Implemented")
MUTABLE = ("actions", "lead_section", "supporting_sections", "endorsed_by", "decision", "target_date", "progress",
           "comments")
DEFAULTS: dict[str, Any] = {f: None for f in MUTABLE} | {"decision": "Awaiting Review", "progress": "Not Assigned"}

_DECISION_MOVES = {
    "Awaiting Review": {"Approved", "Rejected", "Deferred"},
    "Deferred": {"Awaiting Review", "Approved", "Rejected"},
    "Rejected": {"Awaiting Review"},
    "Approved": {"Rejected", "Deferred"},
}
_PROGRESS_MOVES = {
    "Not Assigned": {"Not Started", "Ongoing", "Implemented", "Not Implemented"},
    "Not Started": {"Not Assigned", "Ongoing", "Implemented", "Not Implemented"},
    "Ongoing": {"Not Started", "Implemented", "Not Implemented"},
    "Implemented": {"Ongoing"},
    "Not Implemented": {"Ongoing", "Not Started"},
}
_NOT_STARTED = {"Not Assigned", "Not Started"}
_TRANSLATED = set(DECISIONS) | set(PROGRESS)


def check_change(state: dict[str, Any], field: str, new: Any, comment: str | None,
                 language: str = "en") -> str | None:
    """None when ``field`` may change from its current value to ``new``; else one sentence saying why not."""
    has_reason = bool((comment or "").strip())
    old = state.get(field)

    def no(key: str, **values: Any) -> str:
        shown = {k: t(v, language) if k in ("old", "new", "progress", "decision") and v in _TRANSLATED else v
                 for k, v in values.items()}
        return t(key, language).format(**shown)

    def options(moves: set[str]) -> str:
        return _join(t(m, language) for m in moves)

    if field == "decision":
        if new not in DECISIONS:
            return no("rule_not_decision", new=new, options=", ".join(t(d, language) for d in DECISIONS))
        if new == old:
            return no("rule_already", old=old)
        if new not in _DECISION_MOVES[old]:
            return no("rule_decision_move", old=old, new=new, options=options(_DECISION_MOVES[old]))
        if old == "Approved" and state.get("progress") not in _NOT_STARTED:
            return no("rule_started", progress=state["progress"])
        if new in ("Rejected", "Deferred") and not has_reason:
            return no("rule_reason", new=new)
        if old in ("Approved", "Rejected") and not has_reason:
            return no("rule_reverse", old=old)
        return None
    if field == "progress":
        if new not in PROGRESS:
            return no("rule_not_status", new=new, options=", ".join(t(p, language) for p in PROGRESS))
        if state.get("decision") != "Approved":
            return no("rule_not_approved", decision=state.get("decision"))
        if new == old:
            return no("rule_progress_already", old=old)
        if new not in _PROGRESS_MOVES[old]:
            return no("rule_progress_move", old=old, new=new, options=options(_PROGRESS_MOVES[old]))
        if (new in ("Implemented", "Not Implemented") or old in ("Implemented", "Not Implemented")) and not has_reason:
            return no("rule_comment", new=new)
        return None
    if field not in MUTABLE:
        return no("rule_fixed", field=field)
    if new == old:
        return no("rule_same", field=field, old=old)
    return None


def _join(options: Iterable[str]) -> str:
    items = sorted(options)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " / " + items[-1]


def encode(field: str, value: Any) -> str | None:
    """How a field's value is written in an event (text; dates as ISO)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def decode(field: str, text: str | None) -> Any:
    """Inverse of :func:`encode`."""
    if text is None:
        return None
    return date.fromisoformat(text[:10]) if field == "target_date" else text


def replay(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The state after ``events`` (``create`` first, then one field change each), plus who/when of the last one."""
    state: dict[str, Any] = dict(DEFAULTS)
    last = None
    for ev in events:
        if ev["action"] == "create":
            snapshot = json.loads(ev["to_value"] or "{}")
            state.update({f: decode(f, snapshot.get(f)) for f in MUTABLE if f in snapshot})
            state["decision"] = state["decision"] or "Awaiting Review"
            state["progress"] = state["progress"] or "Not Assigned"
        else:
            state[ev["field"]] = decode(ev["field"], ev["to_value"])
        last = ev
    if last is not None:
        state["updated_at"], state["updated_by"] = last["at"], last["actor"]
    return state


def is_overdue(state: dict[str, Any], on: date) -> bool:
    """Approved, not implemented, and its target implementation date has passed on ``on``."""
    target = state.get("target_date")
    return (state.get("decision") == "Approved" and state.get("progress") != "Implemented"
            and target is not None and target < on)
