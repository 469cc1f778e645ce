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


def check_change(state: dict[str, Any], field: str, new: Any, comment: str | None) -> str | None:
    """None when ``field`` may change from its current value to ``new``; else one sentence saying why not."""
    has_reason = bool((comment or "").strip())
    old = state.get(field)
    if field == "decision":
        if new not in DECISIONS:
            return f"'{new}' is not a decision; use one of {', '.join(DECISIONS)}."
        if new == old:
            return f"the recommendation is already {old}."
        if new not in _DECISION_MOVES[old]:
            return f"a recommendation that is {old} cannot become {new} (from {old} it can become " \
                   f"{_join(_DECISION_MOVES[old])})."
        if old == "Approved" and state.get("progress") not in _NOT_STARTED:
            return f"the recommendation is already {state['progress']}: an approved recommendation can only be " \
                   "withdrawn before its implementation starts."
        if new in ("Rejected", "Deferred") and not has_reason:
            return f"say why it is {new.lower()}: a {new} decision needs a reason (--comment)."
        if old in ("Approved", "Rejected") and not has_reason:
            return f"going back on an {old} decision needs a reason (--comment)."
        return None
    if field == "progress":
        if new not in PROGRESS:
            return f"'{new}' is not an implementation status; use one of {', '.join(PROGRESS)}."
        if state.get("decision") != "Approved":
            return f"implementation progress can only be recorded for an approved recommendation; this one is " \
                   f"{state.get('decision')}."
        if new == old:
            return f"the implementation progress is already {old}."
        if new not in _PROGRESS_MOVES[old]:
            return f"implementation progress cannot go from {old} to {new} (from {old} it can go to " \
                   f"{_join(_PROGRESS_MOVES[old])})."
        if (new in ("Implemented", "Not Implemented") or old in ("Implemented", "Not Implemented")) and not has_reason:
            return f"moving to {new} needs a comment: what was done, or why not (--comment)."
        return None
    if field not in MUTABLE:
        return f"'{field}' cannot be changed after a recommendation is recorded."
    if new == old:
        return f"{field} is already {old!r}."
    return None


def _join(options: Iterable[str]) -> str:
    items = sorted(options)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


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
