"""What an exchange file's rows must be, beyond their types: the same rules as the importer of their kind.

A checksum proves only that the file arrived whole (anyone can recompute it), so a merge checks the content
too, before anything is written: codes usable as folder names, no control characters, periods that exist and
have begun, dates not in the future, counts that are not negative, sources and areas the workbench knows,
observations through the indicator-data importer's own checks (framework, categories, ranges, totals),
frameworks through the framework validator, and recommendation histories through the tracker's rules.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import date, timedelta
from typing import Any

import pandas as pd

from cpas_kit.core.error_workbook import Upload
from cpas_kit.core.errors import FrameworkError, NotFoundError, PeriodError
from cpas_kit.core.import_report import ImportProblem
from cpas_kit.core.paths import code_problem
from cpas_kit.core.periods import Period
from cpas_kit.core.text import control_problem
from cpas_kit.data_in.external.hxl import UNMATCHED_PREFIX
from cpas_kit.data_in.external.schemas import CONTEXT_SOURCES, EVENT_SOURCES
from cpas_kit.data_in.observations import FIELDS, check_upload
from cpas_kit.exchange.file import ExchangeFile, problem
from cpas_kit.framework.model import Framework, parse_framework
from cpas_kit.tracker.rules import DECISIONS, MUTABLE, PROGRESS, check_change, decode, replay

# period columns (mission reporting periods) and how far ahead of today each may start
_PERIODS = {"observations": {"period": 0}, "recommendations": {"cycle_recommended": 0},
            "workshop_sessions": {"cycle": 366}, "stakeholder_snapshots": {"cycle": 366},
            "framework_versions": {"effective_from": 3 * 366}, "events": {"period": 0}}
_PAST_DATES = {"events": ("event_date", "period_start"), "observations": ("period_start",),
               "context_values": ("period_start",)}
_MAX_COUNT = 10_000_000  # more deaths than any conflict has had: a forged or corrupted figure
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_MAX_VALUE = 1e15  # the data-entry workbook's own bound for an unbounded indicator
_CODED = ("missions", "workshop_sessions")  # tables whose "code" names a folder (packs, outcome views)
_CODE_COLUMNS = {"mission_code": "mission code", "code": "code"}


def content_problems(store: Any, ex: ExchangeFile, today: date | None = None) -> list[ImportProblem]:
    """Every content problem of ``ex`` (an empty list when every row passes the rules of its kind)."""
    today = today or date.today()
    out: list[ImportProblem] = []
    why = code_problem(ex.manifest.get("mission"))
    if why:
        return [problem(f"the manifest's mission: {why}", line=1, column="mission")]
    for table, rows in ex.rows.items():
        for row in rows:
            _generic(table, row, today, out)
    for row in ex.rows.get("workshop_participants", []):  # a file written before tokens were hashed (0007)
        token = row.get("token")
        if isinstance(token, str) and not _SHA256_RE.fullmatch(token):
            row["token"] = hashlib.sha256(token.encode("utf-8")).hexdigest()
    frameworks = _frameworks(ex, out)
    _areas(store, ex, frameworks, out)
    _observations(store, ex, frameworks, today, out)
    _recommendations(ex, out)
    _workshops(ex, out)
    return out


def _generic(table: str, row: dict[str, Any], today: date, out: list[ImportProblem]) -> None:
    """Rules every table shares: codes, control characters, periods, dates, counts, coordinates, sources."""
    line = row["_line"]
    for col, v in row.items():
        if col == "_line":
            continue
        why = control_problem(v) if isinstance(v, str) else None
        if why is None and isinstance(v, str) and col in _CODE_COLUMNS and (table in _CODED or col != "code"):
            why = code_problem(v, _CODE_COLUMNS[col])
        if why is None and isinstance(v, str) and col in _PERIODS.get(table, {}):
            why = _period_problem(v, today + timedelta(days=_PERIODS[table][col]))
        if why is None and isinstance(v, str) and col in _PAST_DATES.get(table, ()):
            why = None if date.fromisoformat(v) <= today else f"{v} is in the future; no data exists for it yet"
        if why is None and isinstance(v, (int, float)) and col.startswith("fatalities"):
            why = None if 0 <= v <= _MAX_COUNT and float(v).is_integer() else \
                f"{v!r} is not a number of deaths (a whole number from 0 to {_MAX_COUNT:,})"
        if why is None and isinstance(v, float) and col == "value" and abs(v) > _MAX_VALUE:
            why = f"{v!r} is beyond any value the workbench stores (at most {_MAX_VALUE:g} either way)"
        if why is None and isinstance(v, float) and col in ("latitude", "longitude"):
            lim = 90 if col == "latitude" else 180
            why = None if -lim <= v <= lim else f"{v!r} is not a {col} (from -{lim} to {lim})"
        if why:
            out.append(problem(why, table, line, col))
    source = row.get("source")
    allowed = {"events": EVENT_SOURCES, "context_values": CONTEXT_SOURCES}.get(table)
    if allowed and source not in allowed:
        out.append(problem(f"{source!r} is not a source of {table.replace('_', ' ')} ({', '.join(allowed)})",
                           table, line, "source"))


def _period_problem(text: str, latest_start: date) -> str | None:
    try:
        per = Period.parse(text)
    except (PeriodError, ValueError):
        return f"'{text}' is not a reporting period (e.g. 2023/24-Q2, 2023/24 or 2024-03)"
    if str(per) != text:
        return f"'{text}' is not written as the workbench writes periods ('{per}')"
    if per.start > latest_start:
        return f"the period {per} starts on {per.start:%Y-%m-%d}, which has not come yet"
    return None


# -- frameworks --------------------------------------------------------------------------------------

def _frameworks(ex: ExchangeFile, out: list[ImportProblem]) -> list[tuple[date, int, Framework, str]]:
    """The file's framework versions, each validated like `cpas framework import`; (start, version, framework)."""
    mission = ex.manifest["mission"]
    found = []
    for row in ex.rows.get("framework_versions", []):
        try:
            doc = json.loads(row.get("content") or "")
            fw = parse_framework(doc, f"framework version {row.get('version')}", check_standards=False)
        except (json.JSONDecodeError, TypeError):
            out.append(problem("the framework content is not a framework document", "framework_versions",
                               row["_line"], "content"))
            continue
        except FrameworkError as exc:
            for p in exc.problems:
                out.append(problem(p, "framework_versions", row["_line"], "content"))
            continue
        why = next((w for w in map(control_problem, _strings(doc)) if w), None)
        if why:
            out.append(problem(why, "framework_versions", row["_line"], "content"))
        if fw.mission.code != mission:
            out.append(problem(f"the framework is for mission {fw.mission.code}, the file is for {mission}",
                               "framework_versions", row["_line"], "content"))
            continue
        try:
            start = Period.parse(row["effective_from"]).start
            found.append((start, row.get("version") or 0, fw, row["effective_from"]))
        except (PeriodError, ValueError, TypeError):
            continue  # reported by the period rule
    return sorted(found, key=lambda x: (x[0], x[1]))


def _strings(doc: Any) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for k, v in doc.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return []


class _Frameworks:
    """What the observation checks ask of a store, answered from the file's frameworks, else the store's."""

    def __init__(self, store: Any, mission: str, versions: list[tuple[date, int, Framework, str]]):
        self.store, self.mission, self.versions = store, mission, versions
        self.engine = store.engine  # the approval lock is read from the store itself (cpas_kit.data_in.approval)

    def mission_codes(self) -> list[str]:
        codes = set(self.store.mission_codes())
        return sorted(codes | {self.mission}) if self.versions else sorted(codes)

    def framework(self, mission: str, period: str | None = None) -> Framework:
        if mission != self.mission or not self.versions:
            return self.store.framework(mission, period)
        start = Period.parse(period).start if period else date.max
        in_force = [fw for s, _, fw, _ in self.versions if s <= start]
        return in_force[-1] if in_force else self.versions[0][2]

    def framework_versions(self, mission: str) -> pd.DataFrame:
        stored = self.store.framework_versions(mission) if mission in self.store.mission_codes() else None
        file_rows = [{"effective_from": e} for *_, e in self.versions] if mission == self.mission else []
        frames = [f for f in (stored, pd.DataFrame(file_rows, columns=["effective_from"])) if f is not None]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["effective_from"])


# -- areas -------------------------------------------------------------------------------------------

def _areas(store: Any, ex: ExchangeFile, versions: list[tuple[date, int, Framework, str]],
           out: list[ImportProblem]) -> None:
    """Events and context values name an area of the mission ("" national, "?name" unmatched, else a code)."""
    rows = [(t, r) for t in ("events", "context_values") for r in ex.rows.get(t, [])
            if r.get("admin1_code") and not str(r["admin1_code"]).startswith(UNMATCHED_PREFIX)]
    if not rows:
        return
    frames = _Frameworks(store, ex.manifest["mission"], versions)
    try:
        fw = frames.framework(ex.manifest["mission"])
    except NotFoundError:
        return  # no framework anywhere: the merge reports that one problem
    # imported here: GeoPandas is loaded only when a file carries area codes (start-up time of every merge)
    from cpas_kit.framework.geography import admin1_codes

    known = set(admin1_codes(fw.mission.geography)) if fw.mission.geography is not None else set()
    for table, r in rows:
        if r["admin1_code"] not in known:
            out.append(problem(f"{r['admin1_code']!r} is not an admin-1 area of {fw.mission.code}", table,
                               r["_line"], "admin1_code"))


# -- observations ------------------------------------------------------------------------------------

def _observations(store: Any, ex: ExchangeFile, versions: list[tuple[date, int, Framework, str]], today: date,
                  out: list[ImportProblem]) -> None:
    """The file's observations through the indicator-data importer's checks (as if they were a CSV)."""
    rows = ex.rows.get("observations", [])
    if not rows or not (versions or len(store.framework_versions(ex.manifest["mission"]))):
        return  # no framework anywhere: the merge reports that one problem
    records = [{"sheet": None, "row": r["_line"], **{f: _cell(r.get(f)) for f in FIELDS}} for r in rows]
    upload = Upload(ex.path, "csv", pd.DataFrame.from_records(records, columns=["sheet", "row", *FIELDS]))
    _, problems = check_upload(upload, _Frameworks(store, ex.manifest["mission"], versions), today=today)
    out.extend(p.model_copy(update={"sheet": "observations"}) for p in problems)


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else "not a number"
    return v


# -- workshops ---------------------------------------------------------------------------------------

def _workshops(ex: ExchangeFile, out: list[ImportProblem]) -> None:
    """Ratings and agreed results use their session's scales and outcomes, as `submit_rating` requires."""
    sessions: dict[tuple, dict[str, Any]] = {}
    for row in ex.rows.get("workshop_sessions", []):
        try:
            sessions[(row["code"],)] = {"progress": json.loads(row.get("progress_scale") or "[]"),
                                        "contribution": json.loads(row.get("contribution_scale") or "[]"),
                                        "outcomes": json.loads(row.get("outcome_order") or "[]")}
        except (json.JSONDecodeError, TypeError):
            out.append(problem("the session's scales or outcomes are not readable", "workshop_sessions",
                               row["_line"]))
    for table in ("workshop_rating_events", "workshop_agreed"):
        for row in ex.rows.get(table, []):
            session = sessions.get(row.get("session_id"))
            if session is None:
                continue  # a session this store holds: its rows were checked when it was written
            for scale in ("progress", "contribution"):
                v = row.get(scale)
                if v is not None and v not in session[scale]:
                    out.append(problem(f"{v!r} is not on the session's {scale} scale ({', '.join(session[scale])})",
                                       table, row["_line"], scale))
            if row.get("outcome_code") not in session["outcomes"]:
                out.append(problem(f"{row.get('outcome_code')!r} is not an outcome of the session", table,
                                   row["_line"], "outcome_code"))


# -- recommendations ---------------------------------------------------------------------------------

def _recommendations(ex: ExchangeFile, out: list[ImportProblem]) -> None:
    """Each recommendation's history (when the file holds it from the start) must follow the tracker's rules."""
    by_rec: dict[Any, list[dict[str, Any]]] = {}
    for ev in ex.rows.get("recommendation_events", []):
        by_rec.setdefault(ev.get("recommendation_id"), []).append(ev)
    for events in by_rec.values():
        events.sort(key=lambda e: e.get("seq") or 0)
        if not events or events[0].get("seq") != 1:
            continue  # appends to a history this store holds: checked against it when merged
        state: dict[str, Any] = {}
        for i, ev in enumerate(events):
            why = _event_problem(events[:i], ev, state)
            if why:
                out.append(problem(why, "recommendation_events", ev["_line"], ev.get("field") or "to_value"))
                break
            state = replay(events[:i + 1])


def _event_problem(before: list[dict[str, Any]], ev: dict[str, Any], state: dict[str, Any]) -> str | None:
    if ev.get("action") == "create":
        if before:
            return "a recommendation is created once, as its first entry"
        try:
            snap = json.loads(ev.get("to_value") or "{}")
        except json.JSONDecodeError:
            return "the recommendation's first entry is not a readable snapshot"
        if not isinstance(snap, dict):
            return "the recommendation's first entry is not a readable snapshot"
        if snap.get("decision") not in (None, *DECISIONS):
            return f"{snap.get('decision')!r} is not a decision ({', '.join(DECISIONS)})"
        if snap.get("progress") not in (None, *PROGRESS):
            return f"{snap.get('progress')!r} is not an implementation progress ({', '.join(PROGRESS)})"
        return None
    if not before:
        return "the recommendation's history does not start with its creation"
    field = ev.get("field")
    if field not in MUTABLE:
        return f"{field!r} is not a field of a recommendation that can change"
    try:
        new = decode(field, ev.get("to_value"))
    except ValueError:
        return f"{ev.get('to_value')!r} is not a date"
    return check_change(state, field, new, ev.get("comment"))
