"""What a report's figures are matched against: the mission's store as series of values with their topic words.

A :class:`Series` is one measured thing — an indicator of the results framework, conflict events or their fatalities,
a context value (World Bank, HDX), a tracker count, a workshop count — with the stems of its topic words (in the
report's language), whether it is a percentage, and its values by period and disaggregation cell, each with source,
verification status and whether it is synthetic. Values rejected at verification are left out.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cpas_kit.core.periods import Period
from cpas_kit.council.figures import fold
from cpas_kit.council.topics import content_stems, stem
from cpas_kit.data_in.entry_workbook import category_label
from cpas_kit.data_in.external.queries import read_context_values, read_events
from cpas_kit.data_in.schemas import parse_cell
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.model import Framework, framework_from_document
from cpas_kit.store import Store
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore

PERCENT_UNITS = {"percent", "%", "percentage", "share", "per cent", "pourcentage"}
_SEX_WORDS = {"female": {"women", "woman", "female", "girls", "femmes", "femme", "filles"},
              "male": {"men", "man", "male", "boys", "hommes", "homme", "garcons"}}


@dataclass
class Value:
    """One stored value of a series."""

    period: str  # as the store writes it: 2023/24-Q4, 2023 (a calendar year of a context value), or "" (no period)
    start: date | None
    end: date | None
    cell: str  # disaggregation cell key, "" for the total
    cell_words: tuple[frozenset[str], ...]  # per category of the cell, words that name it in a paragraph
    value: float
    source: str
    status: str  # verified, entered, imported, recorded
    is_synthetic: bool


@dataclass
class Series:
    """One measured thing of the store and its values."""

    kind: str  # indicator, events, fatalities, context, tracker, workshop
    code: str
    name: str
    keywords: set[str]  # stems of its name
    extra: set[str] = field(default_factory=set)  # stems of its definition and tags (support, never enough alone)
    is_percent: bool = False
    values: list[Value] = field(default_factory=list)
    outcome: str | None = None
    priority: str | None = None
    context: set[str] = field(default_factory=set)  # when given, one of these stems must be in the sentence too
    can_contradict: bool = True  # counts without a period (the tracker) only ever inform
    additive: bool = False  # quarterly values add up to a year's (counts, events)
    distinct: set[str] | None = None  # its name's stems that few other series share (set by :func:`mark_distinct`)

    @property
    def needed(self) -> int:
        """How many of its name's stems a sentence must hold to be about it."""
        return min(2, len(self.keywords)) if len(self.keywords) <= 3 else max(2, math.ceil(len(self.keywords) / 2))

    def topic_score(self, found: set[str]) -> float:
        """0 when ``found`` (a sentence's stems) is not about the series; else how strongly it is."""
        hits = len(self.keywords & found)
        if hits < self.needed or (self.context and not self.context & found):
            return 0.0
        if self.distinct is not None and not (self.distinct & found if self.distinct else hits == len(self.keywords)):
            return 0.0  # only words many indicators share ("armed groups"): not enough to say which one
        return hits + 0.25 * len(self.extra & found)


def _cell_words(fw: Framework, key: str, language: str) -> tuple[frozenset[str], ...]:
    out = []
    for dim, cat in parse_cell(key).items():
        words = set(_SEX_WORDS.get(cat, set())) if dim == "sex" else set()
        for lang in ("en", "fr"):
            words |= {fold(w) for w in category_label(fw, dim, cat, lang).split() if len(w) > 2}
        out.append(frozenset(words or {fold(cat)}))
    return tuple(out)


def indicator_series(store: Store, mission: str, language: str, fw: Framework | None = None) -> list[Series]:
    """One series per quantitative indicator of the mission's framework, with every value not rejected."""
    fw = fw or framework_from_document(json.loads(store.framework_version_for(mission)["content"]))
    obs = ObservationStore(store).observations(mission)
    obs = obs[(obs["verification_status"] != "rejected") & obs["value"].notna()]
    by_indicator: dict[str, list[dict[str, Any]]] = {}
    for row in obs.to_dict("records"):
        by_indicator.setdefault(row["indicator_code"], []).append(row)
    words_cache: dict[str, tuple[frozenset[str], ...]] = {}
    out = []
    for p, o, ind in fw.indicators():
        if ind.kind != "quantitative":
            continue
        name = ind.label(language)
        s = Series("indicator", ind.code, name, content_stems(name),
                   extra=content_stems(" ".join([ind.definition or "", *(t.replace("-", " ") for t in ind.tags)])),
                   is_percent=ind.unit.strip().lower() in PERCENT_UNITS, outcome=o.code, priority=p.code,
                   additive=ind.additive)
        for row in by_indicator.get(ind.code, []):
            period = Period.parse(row["period"])
            if row["disaggregation"] not in words_cache:
                words_cache[row["disaggregation"]] = _cell_words(fw, row["disaggregation"], language)
            s.values.append(Value(row["period"], period.start, period.end, row["disaggregation"],
                                  words_cache[row["disaggregation"]], float(row["value"]), row["source"] or "",
                                  row["verification_status"], bool(row["is_synthetic"])))
        out.append(s)
    return out


_EVENT_WORDS = {"en": "conflict events incidents clashes attacks violence violent", "fr": "événements incidents "
                "affrontements attaques violences conflit"}
_DEATH_WORDS = {"en": "fatalities deaths killed conflict", "fr": "décès tués morts conflit"}


def event_series(store: Store, mission: str, language: str) -> list[Series]:
    """Conflict events and their fatalities (best estimate) per source and quarter, imported from ACLED / UCDP."""
    ev = read_events(store, mission)
    out = []
    for source, group in ev.groupby("source") if len(ev) else []:
        events = Series("events", f"events-{source}", f"conflict events ({source.upper()})",
                        content_stems(_EVENT_WORDS[language]), additive=True)
        events.keywords = {stem("events"), stem("incidents"), stem("conflict"), stem("clashes"), stem("attacks")}
        deaths = Series("fatalities", f"fatalities-{source}", f"fatalities in conflict events ({source.upper()})",
                        {stem("fatalities"), stem("conflict")}, extra=content_stems(_DEATH_WORDS[language]),
                        additive=True)
        for period, rows in group.groupby("period"):
            p = Period.parse(period)
            for series, value in ((events, len(rows)), (deaths, int(rows["fatalities_best"].sum()))):
                series.values.append(Value(period, p.start, p.end, "", (), float(value),
                                           f"{source.upper()} events imported into the store", "imported", False))
        out += [events, deaths]
    for s in out:
        s.keywords = {k for k in s.keywords if k}
    return out


def context_series(store: Store, mission: str) -> list[Series]:
    """Context values (World Bank, HDX) per indicator and admin-1 area."""
    cv = read_context_values(store, mission)
    out = []
    for (source, code), group in cv.groupby(["source", "indicator_code"]) if len(cv) else []:
        name = str(group["indicator_name"].iloc[0])
        s = Series("context", code, name, content_stems(name), is_percent="%" in name or "percent" in name.lower())
        for row in group.to_dict("records"):
            if row["value"] is None or (isinstance(row["value"], float) and math.isnan(row["value"])):
                continue
            area = "" if row["admin1_code"] in ("", "national", "None") else f"admin1={row['admin1_code']}"
            words = () if not area else (frozenset({fold(w) for w in str(row["admin1_name"]).split() if len(w) > 2}),)
            s.values.append(Value(str(row["period"]), row["period_start"].date(), row["period_end"].date(), area,
                                  words, float(row["value"]), f"{source} (imported file)", "imported", False))
        out.append(s)
    return out


def tracker_series(store: Store, mission: str) -> list[Series]:
    """Counts of the mission's recommendations: all, by decision and by implementation progress (no period)."""
    recs = TrackerStore(store).recommendations(mission)
    if not len(recs):
        return []
    context = {stem(w) for w in ("assessment", "tracker", "CPAS", "évaluation", "suivi", "workshop", "atelier")}
    out = [Series("tracker", "recommendations", "recommendations in the tracker", {stem("recommendations")},
                  context=context, can_contradict=False)]
    out[0].values.append(Value("", None, None, "", (), float(len(recs)), "recommendations tracker", "recorded", False))
    for column in ("decision", "progress"):
        for label, n in Counter(recs[column].dropna()).items():
            s = Series("tracker", f"recommendations-{fold(label).replace(' ', '-')}", f"recommendations {label}",
                       {stem("recommendations")} | content_stems(label), context=context, can_contradict=False)
            s.values.append(Value("", None, None, "", (), float(n), "recommendations tracker", "recorded", False))
            out.append(s)
    return out


def workshop_series(store: Store, mission: str) -> list[Series]:
    """Per cycle: participants of the mission's impact-assessment workshops and outcomes with an agreed result."""
    ws = WorkshopStore(store)
    participants = Series("workshop", "workshop-participants", "participants in the impact assessment workshop",
                          {stem("participants"), stem("workshop")}, extra={stem("assessment")}, can_contradict=False)
    agreed = Series("workshop", "workshop-agreed", "outcomes assessed in the impact assessment workshop",
                    {stem("outcomes"), stem("assessment")}, extra={stem("workshop")}, can_contradict=False)
    for session in ws.workshop_sessions(mission=mission):
        p = Period.parse(session["cycle"])
        n = len(ws.workshop_participants(session["code"]))
        participants.values.append(Value(str(p), p.start, p.end, "", (), float(n), f"workshop {session['code']}",
                                         "recorded", False))
        n_agreed = len(ws.workshop_agreed(session["code"]))
        agreed.values.append(Value(str(p), p.start, p.end, "", (), float(n_agreed), f"workshop {session['code']}",
                                   "recorded", False))
    return [s for s in (participants, agreed) if s.values]


def mark_distinct(series: list[Series], shared_by: int = 3) -> list[Series]:
    """Set each series' distinct stems: those of its name found in fewer than ``shared_by`` series' names."""
    df = Counter(k for s in series for k in s.keywords)
    for s in series:
        s.distinct = {k for k in s.keywords if df[k] < shared_by}
    return series


def load_series(store: Store, mission: str, language: str, fw: Framework | None = None) -> list[Series]:
    """Every series of the mission's store that a report's figure can be matched against."""
    return mark_distinct([*indicator_series(store, mission, language, fw), *event_series(store, mission, language),
            *context_series(store, mission), *tracker_series(store, mission), *workshop_series(store, mission)])
