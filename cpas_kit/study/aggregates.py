"""The cross-mission study's aggregates, computed inside the database.

**Why SQL in the store, not DuckDB or Parquet extracts.** The study runs where the data is: the embedded SQLite
file of one mission, or the shared PostgreSQL server of headquarters (``CPAS_DB_URL``). Every aggregate below is
SQLAlchemy Core that runs unchanged on both, uses the store's indexes (``ix_observations_totals`` for indicator
totals by mission and indicator, ``ix_events_study`` covering events by mission, source and period) and sends
back only selected or aggregated rows — a few thousand at most, whatever the size of the store (10 M
observations and 2 M events: about 1 s for the slowest aggregate, see ``benchmarks/scale.py``). DuckDB would need
its ``sqlite``/``postgres`` scanner extensions, which are downloaded on first use and cannot be fetched at run
time here, or Parquet extracts kept in step with a store that many writers change all the time: a second copy of
the data and a second engine, for aggregates the store already answers within the goal. So nothing here loads
every row into pandas: pandas only shapes results that are already small (the trend index, the per-mission sums
of per-period event counts, and the replay of the selected recommendations' tracker events with the tracker's
own rules).

**Scope.** A study is one mandated area (:mod:`cpas_kit.framework.standards`) over cycles ``first``…``last`` for every
mission of the store (or those named). A mission's indicators are read from its framework version in force at
``last``. An indicator is *mapped* when its standard code is a standard of the area (only mapped indicators
are compared across missions) and *tagged* when one of its tags is the area's code (listed, not compared).

**Normalisation** (trends side by side): ``baseline`` — 100 × value ÷ the mission's own baseline for that
indicator (its framework's baseline; no index when the baseline is 0 or missing); ``minmax`` — (value − the
mission's lowest value in the range) ÷ (its highest − its lowest), 0.5 when all are equal. Both keep each
mission's direction: a "decrease" indicator improves as its index falls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Integer, and_, case, cast, distinct, false, func, or_, select

from cpas_kit.core.errors import CpasError
from cpas_kit.core.periods import Period
from cpas_kit.data_in.external.fatalities_store import FatalityStore
from cpas_kit.framework.standards import catalogue
from cpas_kit.store import Store
from cpas_kit.store.engine import read
from cpas_kit.store.schema import (
    context_values,
    events,
    framework_indicator_standards,
    framework_indicator_tags,
    framework_indicators,
    framework_versions,
    missions,
    observations,
    recommendation_events,
    recommendations,
    workshop_agreed,
    workshop_sessions,
)
from cpas_kit.tracker.rules import replay

Normalisation = Literal["baseline", "minmax"]
RATING_SCALES = ("progress", "contribution")
_CHUNK = 900


class StudyError(CpasError):
    """A study cannot be made as asked (unknown area or mission, cycles in the wrong order)."""


@dataclass(frozen=True)
class StudyScope:
    """One area over cycles ``first``…``last`` for some missions (None: every mission in the store)."""

    area: str
    first: Period
    last: Period
    missions: tuple[str, ...] | None = None

    @property
    def start(self) -> date:
        """First day of the first cycle."""
        return self.first.start

    @property
    def end(self) -> date:
        """Last day of the last cycle."""
        return self.last.end

    def cycle_labels(self) -> list[str]:
        """Every reporting period (month, quarter, fiscal year) lying wholly inside the range."""
        labels: list[str] = []
        fy = self.start.year if self.start.month >= 7 else self.start.year - 1
        while Period.fiscal_year(fy).start <= self.end:
            year = Period.fiscal_year(fy)
            for p in [year, *year.quarters(), *year.months()]:
                if self.start <= p.start and p.end <= self.end:
                    labels.append(str(p))
            fy += 1
        return labels

    def periods_in_range(self, kind: str) -> int:
        """How many periods of ``kind`` (a mission's cycle kind) the range holds."""
        return sum(1 for p in self.cycle_labels() if Period.parse(p).kind == kind)


def make_scope(area: str, cycle_from: str, cycle_to: str, missions: list[str] | None = None) -> StudyScope:
    """Check the area and cycles; raise :class:`StudyError` with one sentence otherwise."""
    try:
        catalogue().area(area)
    except CpasError as exc:
        raise StudyError(str(exc)) from None
    first, last = Period.parse(cycle_from), Period.parse(cycle_to)
    if last.end < first.start:
        raise StudyError(f"the study's last cycle {last} comes before its first cycle {first}: swap --from and --to")
    return StudyScope(area, first, last, tuple(missions) if missions else None)


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


# -- which missions, which framework versions, which indicators --------------------------------------------

def study_missions(store: Store, scope: StudyScope) -> pd.DataFrame:
    """The missions of the study (code, name, country, cycle kind, fictional flag), with the framework version in
    force at the last cycle (else their first version)."""
    with read(store.engine) as conn:
        q = (select(missions.c.code, missions.c.name, missions.c.name_fr, missions.c.country_iso3,
                    missions.c.cycle_kind, missions.c.is_fictional, framework_versions.c.id,
                    framework_versions.c.version, framework_versions.c.effective_from_start)
             .join(framework_versions, framework_versions.c.mission_code == missions.c.code)
             .order_by(missions.c.code, framework_versions.c.version))
        if scope.missions is not None:
            q = q.where(missions.c.code.in_(scope.missions))
        rows = conn.execute(q).all()
    known = {r.code for r in rows}
    missing = [m for m in scope.missions or () if m not in known]
    if missing:
        raise StudyError(f"no results framework in this store for {', '.join(missing)}; the study can compare only "
                         "missions whose framework is loaded")
    chosen: dict[str, Any] = {}
    for r in rows:  # same rule as Store.framework_version_for: latest in force at the last cycle, else the first
        in_force = r.effective_from_start <= scope.last.start
        best = chosen.get(r.code)
        if best is None or (in_force and (not best[0] or (r.effective_from_start, r.version) > best[1])):
            chosen[r.code] = (in_force, (r.effective_from_start, r.version), r)
    out = [{"mission_code": c, "name": r.name, "name_fr": r.name_fr, "country_iso3": r.country_iso3,
            "cycle_kind": r.cycle_kind, "is_fictional": bool(r.is_fictional), "version_id": r.id,
            "framework_version": r.version} for c, (_, _, r) in sorted(chosen.items())]
    return pd.DataFrame(out, columns=["mission_code", "name", "name_fr", "country_iso3", "cycle_kind", "is_fictional",
                                      "version_id", "framework_version"])


def _area_indicators(scope: StudyScope, version_ids: list[int]):
    """Subquery: indicators of those versions mapped to a standard of the area or tagged with it."""
    codes = [s.code for s in catalogue().for_area(scope.area)]
    fi, fs, ft, fv = framework_indicators, framework_indicator_standards, framework_indicator_tags, framework_versions
    tagged = (select(ft.c.version_id, ft.c.indicator_code).where(ft.c.tag == scope.area)).subquery("tagged")
    mapped = fs.c.standard_code.in_(codes) if codes else false()
    return (select(fv.c.mission_code, fi.c.version_id, fi.c.indicator_code, fi.c.name, fi.c.priority_code,
                   fi.c.outcome_code, fi.c.unit, fi.c.kind, fi.c.direction,
                   case((mapped, fs.c.standard_code), else_=None).label("standard_code"),
                   case((mapped, fs.c.baseline_value), else_=None).label("baseline_value"),
                   (tagged.c.indicator_code.is_not(None)).label("tagged"))
            .select_from(fi.join(fv, fv.c.id == fi.c.version_id)
                         .outerjoin(fs, and_(fs.c.version_id == fi.c.version_id,
                                             fs.c.indicator_code == fi.c.indicator_code))
                         .outerjoin(tagged, and_(tagged.c.version_id == fi.c.version_id,
                                                 tagged.c.indicator_code == fi.c.indicator_code)))
            .where(fi.c.version_id.in_(version_ids), or_(mapped, tagged.c.indicator_code.is_not(None)))
            .subquery("area_indicators"))


def area_indicators(store: Store, scope: StudyScope, scope_missions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each mission's indicators of the area: codes, names, unit, ``standard_code`` (None unless mapped to a
    standard of the area), ``baseline_value``, ``mapped`` and ``tagged``."""
    ms = study_missions(store, scope) if scope_missions is None else scope_missions
    sub = _area_indicators(scope, [int(v) for v in ms["version_id"]])
    with read(store.engine) as conn:
        rows = conn.execute(select(sub).order_by(sub.c.mission_code, sub.c.indicator_code)).all()
    cols = ["mission_code", "version_id", "indicator_code", "indicator_name", "priority_code", "outcome_code", "unit",
            "kind", "direction", "standard_code", "baseline_value", "tagged"]
    frame = _frame(rows, cols)
    frame["tagged"] = frame["tagged"].astype(bool)
    frame["mapped"] = frame["standard_code"].notna()
    return frame


def lacking(scope_missions: pd.DataFrame, indicators: pd.DataFrame) -> list[str]:
    """Missions of the study with no indicator mapped to a standard of the area."""
    mapped = set(indicators.loc[indicators["mapped"], "mission_code"])
    return [m for m in scope_missions["mission_code"] if m not in mapped]


# -- coverage and trends -------------------------------------------------------------------------------------

def _totals(scope: StudyScope, indicators: pd.DataFrame):
    """Filter on the totals of the given missions' indicators up to the last cycle (rejected values left out).

    One ``mission_code = … AND indicator_code IN (…)`` term per mission: each is a range scan of
    ``ix_observations_totals`` (mission, indicator, disaggregation, period start), whatever the store's size.
    """
    o = observations
    pairs = [and_(o.c.mission_code == m, o.c.indicator_code.in_(sorted(set(part["indicator_code"]))))
             for m, part in indicators.groupby("mission_code")]
    return and_(or_(*pairs) if pairs else false(), o.c.disaggregation == "", o.c.period_start <= scope.end,
                o.c.verification_status != "rejected", or_(o.c.value.is_not(None), o.c.value_text.is_not(None)))


def coverage(store: Store, scope: StudyScope) -> pd.DataFrame:
    """Which mission measures what for the area: since when, how complete and how verified in the range.

    One row per mission × indicator of the area (mapped or tagged): ``first_period`` (first value up to the last
    cycle), ``last_period``, ``periods_reported`` and ``periods_in_range`` (of the mission's cycle kind),
    ``completeness`` (reported ÷ in range), ``values_in_range``, ``verified_share`` (verified ÷ values in range)
    and ``synthetic`` (any synthetic value). Indicators with no value at all have empty figures.
    """
    ms = study_missions(store, scope)
    inds = area_indicators(store, scope, ms)
    o = observations
    in_range = o.c.period_start >= scope.start
    q = (select(o.c.mission_code, o.c.indicator_code, func.min(o.c.period_start), func.max(o.c.period_start),
                func.count(distinct(case((in_range, o.c.period_start), else_=None))),
                func.sum(case((in_range, 1), else_=0)),
                func.sum(case((and_(in_range, o.c.verification_status == "verified"), 1), else_=0)),
                func.max(case((o.c.is_synthetic == True, 1), else_=0)))  # noqa: E712
         .where(_totals(scope, inds)).group_by(o.c.mission_code, o.c.indicator_code))
    with read(store.engine) as conn:
        stats = _frame(conn.execute(q).all(), ["mission_code", "indicator_code", "first_start", "last_start",
                                              "periods_reported", "values_in_range", "values_verified", "synthetic"])
    out = inds.merge(stats, on=["mission_code", "indicator_code"], how="left").merge(
        ms[["mission_code", "cycle_kind"]], on="mission_code", how="left")
    kinds = {k: scope.periods_in_range(k) for k in out["cycle_kind"].unique()}
    out["periods_in_range"] = out["cycle_kind"].map(kinds).astype("int64")
    for c in ("periods_reported", "values_in_range", "values_verified", "synthetic"):
        out[c] = pd.to_numeric(out[c]).fillna(0).astype("int64")
    out["first_period"] = [_label(d, k) for d, k in zip(out["first_start"], out["cycle_kind"])]
    out["last_period"] = [_label(d, k) for d, k in zip(out["last_start"], out["cycle_kind"])]
    out["completeness"] = (out["periods_reported"] / out["periods_in_range"].where(out["periods_in_range"] > 0))
    out["verified_share"] = out["values_verified"] / out["values_in_range"].where(out["values_in_range"] > 0)
    out["synthetic"] = out["synthetic"].astype(bool)
    std = {s.code: s for s in catalogue().entries()}
    out["standard_name"] = out["standard_code"].map(lambda c: std[c].name if c in std else None)
    cols = ["mission_code", "indicator_code", "indicator_name", "standard_code", "standard_name", "mapped", "tagged",
            "unit", "outcome_code", "first_period", "last_period", "periods_reported", "periods_in_range",
            "completeness", "values_in_range", "verified_share", "synthetic"]
    return out.sort_values(["mapped", "standard_code", "mission_code", "indicator_code"],
                           ascending=[False, True, True, True], na_position="last")[cols].reset_index(drop=True)


def _label(day: Any, kind: str) -> str | None:
    if day is None or (not isinstance(day, date) and pd.isna(day)):
        return None
    return str(Period.containing(pd.Timestamp(day).date(), kind))


def trends(store: Store, scope: StudyScope, normalisation: Normalisation = "baseline") -> pd.DataFrame:
    """Totals of the mapped indicators per mission, standard code and period of the range, with ``index`` the
    normalised value (see the module docstring) and ``is_verified``. The totals are selected in SQL; the index is
    computed on those few rows."""
    if normalisation not in ("baseline", "minmax"):
        raise StudyError(f"normalisation must be 'baseline' or 'minmax', not '{normalisation}'")
    inds = area_indicators(store, scope)
    mapped = inds[inds["mapped"]]
    o = observations
    q = (select(o.c.mission_code, o.c.indicator_code, o.c.period, o.c.period_start, o.c.value,
                (o.c.verification_status == "verified").label("is_verified"), o.c.is_synthetic)
         .where(_totals(scope, mapped), o.c.value.is_not(None), o.c.period_start >= scope.start)
         .order_by(o.c.mission_code, o.c.indicator_code, o.c.period_start))
    with read(store.engine) as conn:
        rows = _frame(conn.execute(q).all(), ["mission_code", "indicator_code", "period", "period_start", "value",
                                              "is_verified", "is_synthetic"])
    frame = rows.merge(mapped[["mission_code", "indicator_code", "standard_code", "baseline_value"]],
                       on=["mission_code", "indicator_code"])
    frame = frame.astype({"value": float, "is_verified": bool, "is_synthetic": bool})
    if normalisation == "baseline":
        base = pd.to_numeric(frame["baseline_value"]).astype(float)
        frame["index"] = frame["value"] * 100.0 / base.where(base != 0)
    else:
        group = frame.groupby(["mission_code", "standard_code"])["value"]
        lo, hi = group.transform("min"), group.transform("max")
        frame["index"] = ((frame["value"] - lo) / (hi - lo).where(hi > lo)).fillna(0.5)
    cols = ["mission_code", "standard_code", "indicator_code", "period", "period_start", "value", "index",
            "is_verified", "is_synthetic"]
    return frame.sort_values(["standard_code", "mission_code", "period_start"])[cols].reset_index(drop=True)


# -- assessments and recommendations ---------------------------------------------------------------------------

def _area_outcomes(indicators: pd.DataFrame) -> dict[str, tuple[set[str], set[str]]]:
    """Per mission: the outcomes holding an indicator of the area, and their priorities."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for m, part in indicators.groupby("mission_code"):
        out[str(m)] = (set(part["outcome_code"]), set(part["priority_code"]))
    return out


def ratings(store: Store, scope: StudyScope) -> pd.DataFrame:
    """How the area's outcomes were rated in the impact assessments of the range: per mission, scale
    (``progress``, ``contribution``) and agreed rating, the number of outcome × cycle results (the latest
    agreement over a cycle's sessions counts)."""
    outcomes = _area_outcomes(area_indicators(store, scope))
    cols = ["mission_code", "scale", "rating", "results"]
    if not outcomes:
        return pd.DataFrame(columns=cols)
    a, s = workshop_agreed, workshop_sessions
    rank = func.row_number().over(partition_by=[s.c.mission_code, s.c.cycle, a.c.outcome_code],
                                  order_by=[a.c.agreed_at.desc(), a.c.id.desc()])
    latest = (select(s.c.mission_code, a.c.progress, a.c.contribution, rank.label("rank"))
              .select_from(a.join(s, s.c.id == a.c.session_id))
              .where(s.c.cycle.in_(scope.cycle_labels()),
                     or_(*[and_(s.c.mission_code == m, a.c.outcome_code.in_(sorted(oc)))
                           for m, (oc, _) in outcomes.items()]))
              .subquery("latest"))
    frames = []
    with read(store.engine) as conn:
        for scale in RATING_SCALES:
            col = latest.c[scale]
            q = (select(latest.c.mission_code, col, func.count()).where(latest.c.rank == 1, col.is_not(None))
                 .group_by(latest.c.mission_code, col).order_by(latest.c.mission_code, col))
            frames.append(_frame(conn.execute(q).all(), ["mission_code", "rating", "results"]).assign(scale=scale))
    return pd.concat(frames, ignore_index=True)[cols].astype({"results": "int64"})


def recommendation_rates(store: Store, scope: StudyScope) -> pd.DataFrame:
    """Recommendations of the range for the area, per mission: recommended, decided, approved, rejected,
    implemented, ``approval_rate`` (approved ÷ decided) and ``implementation_rate`` (implemented ÷ approved).

    A recommendation counts for the area when its outcome holds an indicator of the area or, when it names only
    its impact area, when that priority does. Current states are replayed from the tracker's events with
    :func:`cpas_kit.tracker.rules.replay` (the tracker's own rules), for the selected recommendations only.
    """
    outcomes = _area_outcomes(area_indicators(store, scope))
    cols = ["mission_code", "recommended", "decided", "approved", "rejected", "implemented", "approval_rate",
            "implementation_rate"]
    if not outcomes:
        return pd.DataFrame(columns=cols)
    r, e = recommendations, recommendation_events
    which = or_(*[and_(r.c.mission_code == m, or_(r.c.outcome_code.in_(sorted(oc)),
                                                  and_(r.c.outcome_code.is_(None), r.c.priority_code.in_(sorted(pc)))))
                  for m, (oc, pc) in outcomes.items()])
    with read(store.engine) as conn:
        recs = conn.execute(select(r.c.id, r.c.mission_code).where(which,
                                                                   r.c.cycle_recommended.in_(scope.cycle_labels()))
                            .order_by(r.c.id)).all()
        ids = [x.id for x in recs]
        history: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        for i in range(0, len(ids), _CHUNK):
            q = (select(e.c.recommendation_id, e.c.action, e.c.field, e.c.to_value, e.c.at, e.c.actor)
                 .where(e.c.recommendation_id.in_(ids[i:i + _CHUNK])).order_by(e.c.id))
            for ev in conn.execute(q).mappings():
                history[ev["recommendation_id"]].append(ev)
    states = pd.DataFrame([{"mission_code": x.mission_code, **replay(history[x.id])} for x in recs],
                          columns=["mission_code", "decision", "progress"])
    if not len(states):
        return pd.DataFrame(columns=cols)
    states = states.assign(decided=states["decision"] != "Awaiting Review", approved=states["decision"] == "Approved",
                           rejected=states["decision"] == "Rejected")
    states["implemented"] = states["approved"] & (states["progress"] == "Implemented")
    out = states.groupby("mission_code").agg(recommended=("decision", "size"), decided=("decided", "sum"),
                                             approved=("approved", "sum"), rejected=("rejected", "sum"),
                                             implemented=("implemented", "sum")).reset_index()
    out["approval_rate"] = out["approved"] / out["decided"].where(out["decided"] > 0)
    out["implementation_rate"] = out["implemented"] / out["approved"].where(out["approved"] > 0)
    return out[cols]


# -- external context -------------------------------------------------------------------------------------------

def fatalities(store: Store, scope: StudyScope, by: Literal["year", "incident"] = "year") -> pd.DataFrame:
    """UN peacekeeping fatalities per mission and calendar year (or type of incident) over the years the range
    touches, for every mission of the imported file; ``in_study`` marks acronyms that are missions of the study."""
    frame = FatalityStore(store).fatalities_summary(["mission", by], first_year=scope.start.year,
                                                    last_year=scope.end.year)
    names = set(study_missions(store, scope)["mission_code"])
    return frame.assign(in_study=frame["mission_acronym"].isin(names))


def conflict_events(store: Store, scope: StudyScope, by: Literal["mission", "period"] = "mission") -> pd.DataFrame:
    """Conflict events of the range (ACLED, UCDP: never added together) per mission and source, or per mission,
    source and period: ``events``, ``fatalities_best`` and ``civilian_targeting`` events.

    One query grouped by mission, source and period, read in the order of ``ix_events_study`` (no sort of the
    events); the per-mission figures are sums of those per-period rows.
    """
    if by not in ("mission", "period"):
        raise StudyError(f"conflict events are counted by 'mission' or 'period', not '{by}'")
    e = events
    ms = list(study_missions(store, scope)["mission_code"])
    keys = [e.c.mission_code, e.c.source, e.c.period_start, e.c.period]
    q = (select(*keys, func.count(), func.sum(e.c.fatalities_best), func.sum(cast(e.c.civilian_targeting, Integer)))
         .where(e.c.mission_code.in_(ms), e.c.period_start >= scope.start, e.c.period_start <= scope.end)
         .group_by(*keys).order_by(*keys))
    with read(store.engine) as conn:
        frame = _frame(conn.execute(q).all(), ["mission_code", "source", "period_start", "period", "events",
                                               "fatalities_best", "civilian_targeting"])
    frame = frame.astype({"events": "int64", "fatalities_best": "int64", "civilian_targeting": "int64"})
    frame = frame[["mission_code", "source", "period", "period_start", "events", "fatalities_best",
                   "civilian_targeting"]]
    return frame if by == "period" else events_per_mission(frame)


def events_per_mission(by_period: pd.DataFrame) -> pd.DataFrame:
    """Per mission and source, the sums of :func:`conflict_events` rows per period (no second pass over events)."""
    return by_period.groupby(["mission_code", "source"], as_index=False)[
        ["events", "fatalities_best", "civilian_targeting"]].sum()


def worldbank_context(store: Store, scope: StudyScope) -> pd.DataFrame:
    """World Bank national values (host country) of the study's missions for the calendar years the range touches."""
    c = context_values
    ms = list(study_missions(store, scope)["mission_code"])
    q = (select(c.c.mission_code, c.c.indicator_code, c.c.indicator_name, c.c.unit, c.c.period, c.c.value)
         .where(c.c.source == "worldbank", c.c.admin1_code == "", c.c.mission_code.in_(ms), c.c.value.is_not(None),
                c.c.period_start >= date(scope.start.year, 1, 1), c.c.period_start <= scope.end)
         .order_by(c.c.indicator_code, c.c.mission_code, c.c.period_start))
    with read(store.engine) as conn:
        frame = _frame(conn.execute(q).all(), ["mission_code", "indicator_code", "indicator_name", "unit", "year",
                                               "value"])
    return frame.astype({"value": float})
