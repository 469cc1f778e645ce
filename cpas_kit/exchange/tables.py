"""Which tables travel in an exchange file, and how their values are written: one spec a table.

Each :class:`TableSpec` names a table's natural key, the foreign keys carried as their parent's natural key,
and how a one-cycle export selects rows; :mod:`cpas_kit.exchange.bundle` exports and merges every table of
:data:`SPECS` the same way. A table added to the store is carried by adding one spec here (a test fails
until every table is in :data:`SPECS` or, with the reason, in :data:`EXCLUDED`). Values travel in one
canonical form on SQLite and PostgreSQL alike: times as ISO 8601 in UTC, dates ISO, numbers as JSON numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, String, Table, and_

from cpas_kit.core.periods import Period
from cpas_kit.store import schema as S

SEQ = "seq"  # the position of an append-only log row among its parent's rows (1, 2, …)
CHUNK = 500  # ids or values per IN (…) list


# -- the table specs ---------------------------------------------------------------------------------

def _period_strings(cycle: Period) -> list[str]:
    """Every period string inside ``cycle`` (itself, its quarters, its months)."""
    inner = {str(cycle), *(str(q) for q in cycle.quarters()), *(str(m) for m in cycle.months())}
    return sorted(inner)


def _cycle_column(name: str) -> Callable[[Table, Period], Any]:
    """Rows whose period column (a period string) lies in the cycle."""
    return lambda t, c: t.c[name].in_(_period_strings(c))


def _date_within(name: str) -> Callable[[Table, Period], Any]:
    """Rows whose date column falls in the cycle."""
    return lambda t, c: and_(t.c[name] >= c.start, t.c[name] <= c.end)


def _overlapping(start: str, end: str) -> Callable[[Table, Period], Any]:
    """Rows whose [start, end] dates overlap the cycle (context values of a calendar year)."""
    return lambda t, c: and_(t.c[start] <= c.end, t.c[end] >= c.start)


def _audit_in_cycle(row: Mapping[str, Any], ctx: Any) -> bool:
    """Audit entries about what a one-cycle export carries: the mission, its frameworks, and the cycle's
    observations, recommendations and workshop sessions."""
    entity, key = row["entity"], row["entity_key"] or ""
    if entity in ("mission", "framework_version", "stakeholder_options"):  # the mission-wide rows always go
        return True
    if entity == "recommendation":
        return key in {k[1] for k in ctx.keys.get("recommendations", {}).values()}
    if entity.startswith("workshop"):
        return key.split("/")[0] in {k[0] for k in ctx.keys.get("workshop_sessions", {}).values()}
    periods = _period_strings(ctx.cycle) if ctx.cycle else []
    return any(f"|{p}|" in key or f"|{p}:" in key or key.endswith(f"|{p}") for p in periods)


@dataclass(frozen=True)
class TableSpec:
    """How one table travels: its natural key, its foreign keys, and what a one-cycle export takes.

    ``key`` names the columns identifying a row in any store (a foreign-key column in it holds the parent's
    natural key). ``refs`` maps each foreign-key column to its parent table. ``owner`` is the foreign key
    tying a row to its mission when the table has no ``mission_code`` (its rows go with their parent's).
    ``cycle_sql``/``cycle_rows`` select a one-cycle export's rows (neither: the whole mission's rows go).
    ``narrow`` limits the lookup of existing rows to the file's values of one column (``in``) or their
    range (``range``). ``unchecked`` columns are carried but not compared (store bookkeeping).
    ``sequence`` marks an append-only log numbered per parent (that foreign key): ``seq`` joins its key.
    ``global_key`` says the key is unique across missions (looked up without the mission filter).
    """

    table: Table
    key: tuple[str, ...]
    refs: Mapping[str, str] = field(default_factory=dict)
    owner: str | None = None
    cycle_sql: Callable[[Table, Period], Any] | None = None
    cycle_rows: Callable[[Mapping[str, Any], Any], bool] | None = None
    narrow: tuple[str, str] | None = None
    unchecked: tuple[str, ...] = ()
    sequence: str | None = None
    global_key: bool = False
    mission_column: str = "mission_code"

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def columns(self) -> list[str]:
        """The columns a file carries for this table (no surrogate id; ``seq`` for sequences)."""
        cols = [c.name for c in self.table.columns if c.name != "id"]
        return cols + [SEQ] if self.sequence else cols

    @property
    def compared(self) -> list[str]:
        """Columns whose difference is a conflict."""
        return [c for c in self.columns if c not in self.key and c not in self.unchecked]


_SESSION = {"session_id": "workshop_sessions"}
_VERSION = {"version_id": "framework_versions"}

SPECS: tuple[TableSpec, ...] = (
    TableSpec(S.missions, key=("code",), unchecked=("created_at", "updated_at"), mission_column="code"),
    TableSpec(S.framework_versions, key=("mission_code", "version")),
    TableSpec(S.framework_indicators, key=("version_id", "indicator_code"), refs=_VERSION, owner="version_id"),
    TableSpec(S.framework_indicator_standards, key=("version_id", "indicator_code"), refs=_VERSION, owner="version_id"),
    TableSpec(S.framework_indicator_tags, key=("version_id", "indicator_code", "tag"), refs=_VERSION,
              owner="version_id"),
    TableSpec(S.imports, key=("kind", "mission_code", "file_sha256", "imported_at")),
    TableSpec(S.observations, key=("mission_code", "indicator_code", "period", "disaggregation"),
              cycle_sql=_date_within("period_start"), narrow=("period", "in")),
    TableSpec(S.events, key=("mission_code", "source", "source_event_id"), refs={"import_id": "imports"},
              unchecked=("import_id",), cycle_sql=_date_within("event_date"), narrow=("period", "in")),
    TableSpec(S.context_values, key=("mission_code", "source", "indicator_code", "admin1_code", "period"),
              refs={"import_id": "imports"}, unchecked=("import_id",),
              cycle_sql=_overlapping("period_start", "period_end"), narrow=("period", "in")),
    TableSpec(S.recommendations, key=("mission_code", "rec_key"), cycle_sql=_cycle_column("cycle_recommended")),
    TableSpec(S.recommendation_events, key=("recommendation_id", SEQ), refs={"recommendation_id": "recommendations"},
              owner="recommendation_id", sequence="recommendation_id"),
    TableSpec(S.workshop_sessions, key=("code",), cycle_sql=_cycle_column("cycle"), global_key=True),
    TableSpec(S.workshop_participants, key=("session_id", "name_key", "section"), refs=_SESSION, owner="session_id"),
    TableSpec(S.workshop_rating_events, key=("submission_id",),
              refs={**_SESSION, "participant_id": "workshop_participants"}, owner="session_id"),
    TableSpec(S.workshop_proposals, key=("session_id", "participant_id", "outcome_code", "created_at"),
              refs={**_SESSION, "participant_id": "workshop_participants", "merged_into_id": "workshop_proposals",
                    "recommendation_id": "recommendations"}, owner="session_id"),
    TableSpec(S.workshop_agreed, key=("session_id", "outcome_code"), refs=_SESSION, owner="session_id"),
    TableSpec(S.stakeholder_options, key=("mission_code", "field", "code")),
    TableSpec(S.report_checks, key=("mission_code", "file_sha256"), cycle_sql=_cycle_column("cycle")),
    TableSpec(S.stakeholder_snapshots, key=("mission_code", "cycle"), cycle_sql=_cycle_column("cycle")),
    TableSpec(S.stakeholder_entries, key=("snapshot_id", "stakeholder_code"),
              refs={"snapshot_id": "stakeholder_snapshots"}, owner="snapshot_id"),
    TableSpec(S.quality_followups, key=("mission_code", "indicator_code", "period", "disaggregation", "rule", "at"),
              cycle_sql=_cycle_column("period"), narrow=("period", "in")),
    TableSpec(S.section_approvals, key=("mission_code", "section_code", "cycle", "at"),
              cycle_sql=_cycle_column("cycle")),
    TableSpec(S.audit_log, key=("mission_code", "at", "actor", "action", "entity", "entity_key", "old_value",
                                "new_value", "note"), cycle_rows=_audit_in_cycle, narrow=("at", "range")),
)

EXCLUDED: dict[str, str] = {
    "mission_boundaries": "a mission's own boundary files are large geometries with their own provenance: "
                          "headquarters registers the same file with `cpas boundaries import`",
    "workshop_join_failures": "a server's own rate-limit bookkeeping of wrong join codes (local, short-lived)",
    "workshop_facilitators": "who may start sessions on this server: local secrets, never sent",
    "fatalities": "UN peacekeeping fatalities are global headquarters data (one file for every mission), "
                  "imported at headquarters with `cpas import fatalities`, not sent by a mission",
}

SPEC_BY_NAME = {s.name: s for s in SPECS}
PARENTS = {p for s in SPECS for p in s.refs.values()}


# -- values: one canonical, JSON-ready form for both databases ------------------------------------------

def canon_datetime(v: Any) -> str | None:
    """A time as ISO 8601 in UTC with microseconds (the same text from SQLite and PostgreSQL)."""
    if v is None:
        return None
    if not isinstance(v, datetime):
        raise TypeError(f"expected a date and time, got {v!r}")
    aware = v if v.tzinfo else v.replace(tzinfo=timezone.utc)  # SQLite hands back naive UTC
    return aware.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _canon_date(v: Any) -> str | None:
    return None if v is None else v.isoformat()


def _canon_of(col: Column) -> Callable[[Any], Any]:
    """How a database value of ``col`` becomes its canonical form (what files carry and merges compare)."""
    t = col.type
    if isinstance(t, DateTime):
        return canon_datetime
    if isinstance(t, Date):
        return _canon_date
    if isinstance(t, Boolean):
        return lambda v: None if v is None else bool(v)
    if isinstance(t, Float):
        return lambda v: None if v is None else float(v)
    if isinstance(t, Integer):
        return lambda v: None if v is None else int(v)
    return lambda v: v


def _checker(col: Column) -> Callable[[Any], tuple[Any, str | None]]:
    """How a file value of ``col`` is checked: ``(canonical value, None)`` or ``(None, what is wrong with it)``."""
    t = col.type

    def date_time(v: Any) -> tuple[Any, str | None]:
        try:
            parsed = datetime.fromisoformat(v)
        except (TypeError, ValueError):
            return None, f"{v!r} is not a date and time"
        if parsed.tzinfo is None:
            return None, f"'{v}' has no time zone (expected UTC, e.g. 2024-06-30T12:00:00+00:00)"
        return canon_datetime(parsed), None

    def day(v: Any) -> tuple[Any, str | None]:
        try:
            return date.fromisoformat(v).isoformat(), None
        except (TypeError, ValueError):
            return None, f"{v!r} is not a date"

    def number(v: Any) -> tuple[Any, str | None]:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        return (float(v), None) if ok else (None, f"{v!r} is not a finite number")

    def text(v: Any) -> tuple[Any, str | None]:
        if not isinstance(v, str):
            return None, f"{v!r} is not text"
        if limit and len(v) > limit:
            return None, f"text of {len(v)} characters is longer than the {limit} allowed"
        return v, None

    limit = t.length if isinstance(t, String) else None
    if isinstance(t, DateTime):
        check = date_time
    elif isinstance(t, Date):
        check = day
    elif isinstance(t, Boolean):
        check = lambda v: (v, None) if isinstance(v, bool) else (None, f"{v!r} is not true or false")  # noqa: E731
    elif isinstance(t, Float):
        check = number
    elif isinstance(t, Integer):
        check = lambda v: (v, None) if isinstance(v, int) and not isinstance(v, bool) else (  # noqa: E731
            None, f"{v!r} is not a whole number")
    else:
        check = text
    return lambda v: (None, None) if v is None else check(v)


def _to_db(col: Column) -> Callable[[Any], Any]:
    """How a canonical value of ``col`` is handed to the database driver."""
    if isinstance(col.type, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(col.type, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


def freeze(v: Any) -> Any:
    """JSON lists (natural keys of parents) as tuples, so they can be compared and used as dict keys."""
    return tuple(freeze(x) for x in v) if isinstance(v, list) else v


def dumps(obj: Any) -> bytes:
    """One compact JSON line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


CANON = {s.name: {c.name: _canon_of(c) for c in s.table.columns} for s in SPECS}
CHECK = {s.name: {c.name: _checker(c) for c in s.table.columns} for s in SPECS}
TO_DB = {s.name: {c.name: _to_db(c) for c in s.table.columns} for s in SPECS}
NOT_NULL = {s.name: {c.name for c in s.table.columns if not c.nullable and c.server_default is None}
            for s in SPECS}


def natural_key(spec: TableSpec, row: Mapping[str, Any]) -> tuple:
    """The values of a row's natural key, in ``spec.key`` order."""
    return tuple(row[c] for c in spec.key)

