"""The tracker as a person reads it: recommendation lists and change histories in words, in either language.

Shared by ``cpas tracker list|history`` (plain-text tables), the ``History`` sheet of ``tracker.xlsx`` and any
other surface that shows the tracker. No value leaves here raw: missing values are "—", decisions and progress
are translated, dates are days, times are ``YYYY-MM-DD HH:MM UTC`` (no microseconds), and the snapshot a
recommendation was created with is spelled out field by field instead of as JSON.
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, date, datetime
from typing import Any, Iterable

import pandas as pd

from cpas_kit.core.frames import display_text, is_missing, records
from cpas_kit.core.i18n import t
from cpas_kit.tracker.rules import DECISIONS, MUTABLE, PROGRESS, decode

EMPTY = "—"
_FIELD_KEYS = {"supporting_sections": "supporting_section", "text": "recommendation",
               "cycle_recommended": "date_recommended", "priority_code": "impact_area", "outcome_code": "outcome"}
_ACTION_KEYS = {"create": "trk_act_create", "decide": "trk_act_decide", "progress": "trk_act_progress",
                "edit": "trk_act_edit"}


def when(at: Any) -> str:
    """A moment as ``2024-06-30 14:05 UTC`` (the store writes UTC); "—" when missing."""
    if is_missing(at):
        return EMPTY
    stamp = pd.Timestamp(at)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(UTC)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def field_label(field: str | None, language: str = "en") -> str:
    """The tracker column a field is shown under (``lead_section`` → ``Lead responsible section``)."""
    key = _FIELD_KEYS.get(field or "", field or "")
    try:
        return t(key, language)
    except KeyError:
        return (field or "").replace("_", " ")


def value_text(field: str | None, value: Any, language: str = "en") -> str:
    """One field's value in words: decisions and progress translated, dates as days, "—" when missing."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return EMPTY
    if field in ("decision", "progress") and value in (*DECISIONS, *PROGRESS):
        return t(value, language)
    if isinstance(value, (datetime, pd.Timestamp)):
        return when(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return t("yes", language) if value else t("no", language)
    return display_text(value, EMPTY)


def action_text(action: str | None, language: str = "en") -> str:
    """What an event did, in words (``create`` → ``Recorded in the tracker``)."""
    key = _ACTION_KEYS.get(action or "")
    return t(key, language) if key else display_text(action, EMPTY)


def history_rows(events: pd.DataFrame, language: str = "en") -> list[dict[str, Any]]:
    """One row per change, oldest first: ``id, when, who, action, field, old, new, comment`` — all text.

    A ``create`` event becomes one row per field it was created with (old value "—"), so the first state of a
    recommendation reads like every later change.
    """
    rows: list[dict[str, Any]] = []
    for ev in records(events):
        base = {"id": str(int(ev["recommendation_id"])), "when": when(ev["at"]),
                "who": display_text(ev["actor"], EMPTY), "action": action_text(ev["action"], language),
                "comment": display_text(ev["comment"], EMPTY)}
        if ev["action"] == "create":
            snapshot = _snapshot(ev["to_value"])
            filled = [f for f in MUTABLE if not is_missing(snapshot.get(f))]
            for f in filled or [None]:
                rows.append({**base, "field": field_label(f, language) if f else EMPTY, "old": EMPTY,
                             "new": value_text(f, decode(f, snapshot.get(f)) if f else None, language)})
            continue
        field = ev["field"]
        rows.append({**base, "field": field_label(field, language),
                     "old": value_text(field, decode(field, ev["from_value"]) if field else ev["from_value"],
                                       language),
                     "new": value_text(field, decode(field, ev["to_value"]) if field else ev["to_value"], language)})
    return rows


def _snapshot(text: Any) -> dict[str, Any]:
    if is_missing(text):
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


LIST_COLUMNS = ("id", "cycle_recommended", "priority_code", "lead_section", "decision", "progress", "target_date",
                "overdue", "text")


def list_rows(recs: pd.DataFrame, language: str = "en", areas: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The tracker list as text cells (``LIST_COLUMNS``); ``areas`` names impact areas (code → name)."""
    out = []
    for rec in records(recs):
        area = rec.get("priority_code")
        out.append({
            "id": str(int(rec["id"])), "cycle_recommended": value_text(None, rec.get("cycle_recommended")),
            "priority_code": _short((areas or {}).get(area, value_text(None, area))) if area else EMPTY,
            "lead_section": value_text(None, rec.get("lead_section")),
            "decision": value_text("decision", rec.get("decision"), language),
            "progress": value_text("progress", rec.get("progress"), language),
            "target_date": value_text("target_date", rec.get("target_date")),
            "overdue": t("yes", language) if rec.get("overdue") else "",
            "text": value_text(None, rec.get("text")),
        })
    return out


LIST_WIDTHS = {"cycle_recommended": 11, "priority_code": 22, "lead_section": 14, "decision": 15, "progress": 14,
               "target_date": 11, "overdue": 8, "text": 50}
HISTORY_WIDTHS = {"when": 16, "who": 20, "action": 23, "field": 18, "old": 24, "new": 30, "comment": 30}


def _short(text: str, n: int = 44) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def list_headers(language: str = "en") -> dict[str, str]:
    """Column headings of :func:`list_rows`."""
    keys = {"id": "trk_id", "cycle_recommended": "date_recommended", "priority_code": "impact_area",
            "lead_section": "lead_section", "decision": "decision", "progress": "progress",
            "target_date": "target_date", "overdue": "overdue", "text": "recommendation"}
    return {c: t(k, language)[:1].upper() + t(k, language)[1:] for c, k in keys.items()}


def history_headers(language: str = "en") -> dict[str, str]:
    """Column headings of :func:`history_rows`."""
    keys = {"id": "trk_id", "when": "trk_when", "who": "trk_who", "action": "trk_action", "field": "trk_field",
            "old": "trk_from", "new": "trk_to", "comment": "trk_comment"}
    return {c: t(k, language) for c, k in keys.items()}


def text_table(rows: Iterable[dict[str, str]], headers: dict[str, str],
               widths: dict[str, int] | None = None) -> str:
    """A plain-text table for a terminal: one heading row, a rule, cells wrapped to ``widths`` (else their size)."""
    rows = [{c: display_text(v) for c, v in r.items()} for r in rows]
    limits = widths or {}
    cols = list(headers)
    size = {c: min(limits.get(c, 10**6), max([len(headers[c])] + [len(r.get(c, "")) for r in rows])) for c in cols}
    size = {c: max(size[c], min(len(headers[c]), limits.get(c, 10**6)), *(len(w) for w in headers[c].split()))
            for c in cols}

    def lines(cells: dict[str, str]) -> list[str]:
        wrapped = {c: textwrap.wrap(cells.get(c, ""), size[c], break_long_words=True) or [""] for c in cols}
        height = max(len(w) for w in wrapped.values())
        return ["  ".join((wrapped[c][i] if i < len(wrapped[c]) else "").ljust(size[c]) for c in cols).rstrip()
                for i in range(height)]

    out = lines(headers) + ["  ".join("-" * size[c] for c in cols)]
    for r in rows:
        out += lines(r)
    return "\n".join(out)


def list_table(recs: pd.DataFrame, fw: Any, *, on: date, language: str = "en") -> str:
    """``cpas tracker list``: a count line, then the recommendations as a readable table."""
    areas = {p.code: f"{i}. {p.label(language)}" for i, p in enumerate(fw.priorities, start=1)}
    head = t("trk_list_count", language).format(n=len(recs), mission=fw.mission.code, on=on.isoformat())
    return head + "\n\n" + text_table(list_rows(recs, language, areas), list_headers(language), LIST_WIDTHS)


def history_table(events: pd.DataFrame, rec_id: int, language: str = "en") -> str:
    """``cpas tracker history``: every change of one recommendation, oldest first, in words."""
    headers = {k: v for k, v in history_headers(language).items() if k != "id"}
    return (t("trk_history_of", language).format(id=rec_id) + "\n\n"
            + text_table(history_rows(events, language), headers, HISTORY_WIDTHS))
