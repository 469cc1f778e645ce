"""The demo mission UN-DEMO: shipped framework, synthetic observations from a fixed seed, the seeds'
real demo tracker recommendations.

Everything generated here is stored with ``is_synthetic = True`` and the source
``synthetic (cpas_kit.demo, seed …)``, so every view can label it.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from cpas_kit.core.errors import NotFoundError
from cpas_kit.core.paths import DEMO_DIR, MISSIONS_DATA_DIR, WORLDBANK_DIR
from cpas_kit.core.periods import Period, period_range
from cpas_kit.data_in.external import import_acled, import_worldbank
from cpas_kit.data_in.external.countries import host_country
from cpas_kit.data_in.schemas import cell_key
from cpas_kit.data_in.store import ObservationStore
from cpas_kit.framework.geography import admin1_areas
from cpas_kit.framework.model import Framework, Indicator, load_framework, parse_framework, shipped_framework_path
from cpas_kit.framework.standards import catalogue
from cpas_kit.stakeholders.store import load_context_file
from cpas_kit.store import Store
from cpas_kit.tracker.files import read_tracker_file
from cpas_kit.tracker.store import TrackerStore
from cpas_kit.workshop.store import WorkshopStore

MISSION = "UN-DEMO"
SEED = 20240630
FIRST_PERIOD = "2021/22-Q1"
LAST_PERIOD = "2023/24-Q4"
ACTOR = "cpas demo (synthetic data generator)"
SOURCE = f"synthetic (cpas_kit.demo, seed {SEED})"
VERIFIER = "data focal point (synthetic)"
TRACKER_FILE = DEMO_DIR / "UN-DEMO_tracker.csv"
CONTEXT_FILE = DEMO_DIR / "UN-DEMO_context.yaml"
DEMO_MISSIONS_FILE = MISSIONS_DATA_DIR / "demo_missions.yaml"
QUALITATIVE_STAGES_FILE = DEMO_DIR / "qualitative_stages.yaml"

_QUALITATIVE_STAGES = [
    "No regular contact between the parties; incidents are handled case by case.",
    "Occasional contacts facilitated by the mission; no agreed agenda.",
    "Regular meetings held with an agreed agenda; commitments made but few implemented.",
    "Most commitments from the last round implemented; local mechanisms meet on their own initiative.",
    "Parties resolve most disputes through the agreed mechanisms without mission facilitation.",
]


def demo_framework(code: str = MISSION) -> Framework:
    """The results framework of a demo mission: UN-DEMO's own, or UN-DEMO's with another mission block."""
    if code == MISSION:
        return load_framework(shipped_framework_path(MISSION))
    spec = _demo_specs().get(code)
    if spec is None:
        raise NotFoundError(f"'{code}' is not a demo mission; the demo missions are {', '.join(demo_mission_codes())}")
    doc = load_framework(shipped_framework_path(MISSION)).to_document()
    base = doc["mission"]
    geography = None if spec.get("boundaries") is None else {
        "boundaries": spec["boundaries"], "id_property": spec.get("id_property", "iso_3166_2")}
    doc["mission"] = {
        "code": code, "name": spec["name"], "name_fr": spec["name_fr"], "country_iso3": spec["country_iso3"],
        "hq": spec["hq"], "mandate_resolution": "Fictional mandate (demo) — no Security Council resolution",
        "mandate_resolution_fr": "Mandat fictif (démonstration) — aucune résolution du Conseil de sécurité",
        "cycle_kind": "quarter", "default_language": spec.get("language", base["default_language"]),
        "is_fictional": True,
        "mandate_start": str(spec["mandate_start"]), "mandate_end": base.get("mandate_end"),
        "personnel": spec.get("personnel", {}),
    }
    _study_variations(doc, code, spec)
    if geography is not None:
        doc["mission"]["geography"] = geography
    else:  # no admin-1 map: indicators are not disaggregated by area
        doc["disaggregations"] = [d for d in doc["disaggregations"] if not d.get("from_geography")]
        for p in doc["priorities"]:
            for o in p["outcomes"]:
                for i in o["indicators"]:
                    i["disaggregations"] = [d for d in i.get("disaggregations", []) if d != "admin1"]
    return parse_framework(doc, f"{DEMO_MISSIONS_FILE.name} ({code})")


def _study_variations(doc: dict[str, Any], code: str, spec: dict[str, Any]) -> None:
    """What makes the demo missions differ in a cross-mission study: unmapped areas, extra indicators."""
    dropped = set(spec.get("unmapped_areas") or [])
    outcomes = {o["code"]: o for p in doc["priorities"] for o in p["outcomes"]}
    for o in outcomes.values():
        for i in o["indicators"]:
            if i.get("standard_code") and dropped & set(catalogue().areas_of(i["standard_code"])):
                del i["standard_code"]
    for extra in _demo_data().get("extra_indicators", []):
        if code in extra["missions"]:
            outcomes[extra["outcome"]]["indicators"].append(dict(extra["indicator"]))


def extra_indicator_start(code: str) -> dict[str, Period]:
    """Extra indicators of demo mission ``code`` and the first period each has data for."""
    return {extra["indicator"]["code"]: Period.parse(extra["missions"][code])
            for extra in _demo_data().get("extra_indicators", []) if code in extra["missions"]}


@lru_cache(maxsize=1)
def _demo_data() -> dict[str, Any]:
    return yaml.safe_load(DEMO_MISSIONS_FILE.read_text(encoding="utf-8"))


def _demo_specs() -> dict[str, dict[str, Any]]:
    return {m["code"]: m for m in _demo_data()["missions"]}


def demo_mission_codes() -> list[str]:
    """UN-DEMO first, then the further fictional demo missions (codes DEMO-…)."""
    return [MISSION, *_demo_specs()]


def demo_periods() -> list[Period]:
    """The 12 quarters of synthetic data."""
    return period_range(FIRST_PERIOD, LAST_PERIOD)


def generate_observations(fw: Framework, seed: int = SEED) -> pd.DataFrame:
    """Synthetic observations for every indicator and quarter: believable trends, noise, a few gaps.

    Totals follow a path from the baseline towards the final target that some indicators reach and
    others fall short of; disaggregated cells of count indicators add up exactly to their total.
    """
    rng = np.random.default_rng(seed)
    periods = demo_periods()
    rows: list[dict[str, Any]] = []
    for idx, (_, _, ind) in enumerate(fw.indicators()):
        irng = np.random.default_rng([seed, idx])
        if ind.kind == "qualitative":
            rows += _qualitative_rows(fw, ind, periods, irng)
            continue
        totals = _trajectory(ind, len(periods), irng)
        gaps = set(irng.choice(len(periods), size=irng.integers(0, 2), replace=False).tolist())
        if idx % 11 == 5:  # an indicator whose data stopped coming in: shows up as stale / no data
            gaps |= {len(periods) - 3, len(periods) - 2, len(periods) - 1}
        weights = {dim: irng.dirichlet(np.full(len(fw.categories(dim)), 2.5)) for dim in ind.disaggregations}
        if "sex" in weights:
            share = irng.uniform(0.25, 0.55)
            weights["sex"] = np.array([share, 1 - share])
        for k, period in enumerate(periods):
            if k in gaps:
                continue
            rows.append(_row(fw, ind, period, {}, totals[k]))
            rows += _cells(fw, ind, period, totals[k], weights, irng)
    frame = pd.DataFrame(rows)
    last = str(periods[-1])
    verified = (frame["period"] != last) | (rng.random(len(frame)) < 0.3)
    frame["verification_status"] = np.where(verified, "verified", "entered")
    frame["source"] = f"synthetic (cpas_kit.demo, seed {seed})"
    frame["verified_by"] = np.where(verified, VERIFIER, None)
    return frame


def _trajectory(ind: Indicator, n: int, rng: np.random.Generator) -> np.ndarray:
    base = float(ind.baseline.value)
    final = float(ind.targets[-1].value) if ind.targets else base
    reach = rng.uniform(0.6, 1.3)  # share of the way to the target actually travelled by the end
    curve = rng.uniform(0.7, 1.6)
    steps = (np.arange(1, n + 1) / n) ** curve
    scale = max(abs(final - base), 0.08 * abs(base), 1.0)
    path = base + (final - base) * reach * steps + rng.normal(0, 0.12 * scale, n)
    if ind.direction == "maintain":
        path = base + rng.normal(0, 0.05 * max(abs(base), 1.0), n)
    lo = ind.min_value if ind.min_value is not None else (0.0 if base >= 0 else -np.inf)
    hi = ind.max_value if ind.max_value is not None else np.inf
    path = np.clip(path, lo, hi)
    return np.round(path) if _is_count(ind) else np.round(path, 1)


def _is_count(ind: Indicator) -> bool:
    values = [ind.baseline.value] + [t.value for t in ind.targets]
    return ind.additive and all(v is not None and float(v).is_integer() for v in values)


def _row(fw: Framework, ind: Indicator, period: Period, cell: dict[str, str], value: float | None,
         text: str | None = None) -> dict[str, Any]:
    return {
        "mission_code": fw.mission.code, "indicator_code": ind.code, "period": str(period),
        "disaggregation": cell_key(cell), "value": None if value is None else float(value), "value_text": text,
        "source": SOURCE, "is_synthetic": True, "note": None,
    }


def _split(total: float, weights: np.ndarray, integer: bool) -> np.ndarray:
    raw = total * weights
    if not integer:
        return np.round(raw, 1)
    floor = np.floor(raw)
    remainder = int(round(total - floor.sum()))
    order = np.argsort(-(raw - floor))
    floor[order[:remainder]] += 1
    return floor


def _cells(fw: Framework, ind: Indicator, period: Period, total: float, weights: dict[str, np.ndarray],
           rng: np.random.Generator) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    integer = _is_count(ind)
    if not weights:
        return rows
    if ind.additive:
        jitter = {d: rng.dirichlet(w * 60 + 0.5) for d, w in weights.items()}  # shares move a little each quarter
        parts = {d: _split(total, jitter[d], integer) for d in weights}
        cross: list[dict[str, Any]] = []
        if {"sex", "admin1"} <= set(weights):  # area × sex cells; the sex totals are then their sums
            by_sex = np.zeros(len(fw.categories("sex")))
            for area, area_total in zip(fw.categories("admin1"), parts["admin1"]):
                split = _split(area_total, jitter["sex"], integer)
                by_sex += split
                for sex, v in zip(fw.categories("sex"), split):
                    cross.append(_row(fw, ind, period, {"admin1": area, "sex": sex}, v))
            parts["sex"] = np.round(by_sex, 1)
        for dim, values in parts.items():
            for cat, v in zip(fw.categories(dim), values):
                rows.append(_row(fw, ind, period, {dim: cat}, v))
        return rows + cross
    lo = ind.min_value if ind.min_value is not None else -np.inf
    hi = ind.max_value if ind.max_value is not None else np.inf
    for dim in weights:  # shares and averages: each category scatters around the total
        for cat in fw.categories(dim):
            rows.append(_row(fw, ind, period, {dim: cat},
                             float(np.round(np.clip(total * rng.normal(1, 0.12), lo, hi), 1))))
    return rows


def _qualitative_rows(fw: Framework, ind: Indicator, periods: list[Period], rng: np.random.Generator) -> list[dict]:
    """A qualitative timeline through the indicator's own stages (the generic ones for an indicator without)."""
    stages = _qualitative_stages().get(ind.code, _QUALITATIVE_STAGES)
    stage, rows = 0, []
    for period in periods:
        stage = int(np.clip(stage + rng.choice([-1, 0, 0, 1, 1]), 0, len(stages) - 1))
        rows.append(_row(fw, ind, period, {}, None, stages[stage]))
    return rows


@lru_cache(maxsize=1)
def _qualitative_stages() -> dict[str, list[str]]:
    return yaml.safe_load(QUALITATIVE_STAGES_FILE.read_text(encoding="utf-8"))


def load_demo_missions(store: Store, codes: list[str] | None = None) -> list[dict[str, Any]]:
    """Load the fictional DEMO-… missions (framework, synthetic observations, World Bank context). Idempotent."""
    out = []
    for i, code in enumerate(codes or demo_mission_codes()[1:], start=1):
        fw = demo_framework(code)
        version = store.save_framework(fw, effective_from=FIRST_PERIOD, actor=ACTOR,
                                       source="cpas_kit/data/missions/demo_missions.yaml (fictional)")
        frame = generate_observations(fw, seed=SEED + 1000 * i)
        for ind_code, first in extra_indicator_start(code).items():  # measured only from their first period
            frame = frame[(frame["indicator_code"] != ind_code)
                          | frame["period"].map(lambda p: Period.parse(p) >= first)]
        obs = ObservationStore(store).write_observations(frame, actor=ACTOR,
                                                         note=f"synthetic (cpas_kit.demo, seed {SEED + 1000 * i})")
        context = load_worldbank_context(store, code)
        out.append({"mission": code, "framework_version": version, "observations": obs, "context_values": context})
    return out


def load_demo(store: Store) -> dict[str, Any]:
    """Load UN-DEMO into ``store``: framework, synthetic observations, the seeds' tracker. Idempotent."""
    fw = demo_framework()
    version = store.save_framework(fw, effective_from=FIRST_PERIOD, actor=ACTOR,
                                   source=f"cpas_kit/data/missions/{MISSION}.yaml")
    obs = ObservationStore(store).write_observations(generate_observations(fw), actor=ACTOR, note=SOURCE)
    # the seeds' tracker is kept verbatim: it predates the rules (a rejection without a reason, an implementation
    # without a comment), which every file a user imports must follow
    seeds = read_tracker_file(TRACKER_FILE, fw, rules=False)
    recs = TrackerStore(store).write_recommendations(MISSION, seeds, actor=ACTOR,
                                       source="UN-DEMO CPAS Recommendations Tracker (CPAS seeds, verbatim)")
    context = load_worldbank_context(store, MISSION)

    context_map = load_context_file(store, CONTEXT_FILE, actor=ACTOR, is_synthetic=True,
                                    source=f"synthetic (cpas_kit/data/demo/{CONTEXT_FILE.name}, authored for the demo)")
    return {"mission": MISSION, "framework_version": version, "observations": obs, "recommendations": recs,
            "context_values": context, "context_map": context_map}


def load_worldbank_context(store: Store, mission: str) -> int:
    """Import the shipped World Bank extracts (GDP per capita, population: real data) for ``mission``'s host country."""
    return sum(import_worldbank(store, path, mission, actor=ACTOR).rows_imported
               for path in sorted(WORLDBANK_DIR.glob("API_*.csv")))


# -- what makes the demo show every section: synthetic conflict events and an agreed assessment ----------------
EVENTS_FIRST_PERIOD = "2022/23-Q1"
EVENTS_SOURCE = f"SYNTHETIC (cpas_kit demo, seed {SEED})"  # ACLED's "source" column: every event says it
EVENT_KINDS = (  # disorder type, event type, sub-event type, actor1, inter1, actor2, inter2, civilian targeting
    ("Political violence", "Battles", "Armed clash", "Armed group coalition (fictional)", 2,
     "National armed forces (fictional)", 1, False),
    ("Political violence", "Violence against civilians", "Attack", "Armed group coalition (fictional)", 2,
     "Civilians (fictional)", 7, True),
    ("Political violence", "Violence against civilians", "Abduction/forced disappearance",
     "Local self-defence group (fictional)", 4, "Civilians (fictional)", 7, True),
    ("Demonstrations", "Protests", "Peaceful protest", "Protesters (fictional)", 6, "", 0, False),
)
AGREED = {  # outcome: (progress, contribution, analysis) — a synthetic assessment of UN-DEMO's last cycle
    "O1.1": ("some progress", "some", "SYNTHETIC demo analysis: attacks on civilians fell in the centre after "
             "joint patrols resumed, but rose in two north-western prefectures where the coalition split."),
    "O2.1": ("no change", "some", "SYNTHETIC demo analysis: early-warning networks cover more communes, yet "
             "response times did not improve because of the rainy season and the lack of vehicles."),
    "O3.1": ("some progress", "significant", "SYNTHETIC demo analysis: the follow-up committee met every "
             "quarter with the mission's good offices; decisions on the DDR chapter are still pending."),
    "O3.2": ("deterioration", "none", "SYNTHETIC demo analysis: criminal sessions outside the capital were "
             "postponed twice; the mission's support could not offset the lack of magistrates."),
}


def synthetic_events(fw: Framework, seed: int = SEED) -> pd.DataFrame:
    """SYNTHETIC conflict events in ACLED's export layout for ``fw``'s mission (None-free, labelled in every row).

    Three areas become hotspots in the last cycles, so the pack's hotspot table and maps have something to show.
    """
    rng = np.random.default_rng(seed)
    areas = admin1_areas(fw.mission.geography)
    country = host_country(fw.mission.country_iso3)
    hot = set(rng.choice(areas["area_code"], size=min(3, len(areas)), replace=False))
    rows, periods = [], period_range(EVENTS_FIRST_PERIOD, LAST_PERIOD)
    for n_period, period in enumerate(periods):
        for area in areas.itertuples():
            rate = 1.2 + (2.5 + 1.5 * n_period if area.area_code in hot and n_period >= len(periods) - 3 else 0)
            for _ in range(int(rng.poisson(rate))):
                kind = EVENT_KINDS[int(rng.choice(len(EVENT_KINDS), p=[0.35, 0.35, 0.15, 0.15]))]
                day = period.start + pd.Timedelta(days=int(rng.integers(0, 90)))
                point = area.geometry.representative_point()
                dead = int(rng.poisson(2.5)) if kind[0] == "Political violence" else 0
                rows.append({
                    "event_id_cnty": f"SYN{fw.mission.country_iso3}{len(rows) + 1:05d}",
                    "event_date": day.strftime("%d %B %Y"), "year": day.year, "disorder_type": kind[0],
                    "event_type": kind[1], "sub_event_type": kind[2], "actor1": kind[3], "inter1": kind[4],
                    "actor2": kind[5], "inter2": kind[6], "civilian_targeting": "Civilian targeting" if kind[7] else "",
                    "iso": country.iso_numeric, "country": country.names[0], "admin1": area.area_name,
                    "location": f"{area.area_name} (synthetic location)",
                    "latitude": round(point.y + float(rng.normal(0, 0.05)), 4),
                    "longitude": round(point.x + float(rng.normal(0, 0.05)), 4),
                    "source": EVENTS_SOURCE, "notes": "SYNTHETIC event generated for the demonstration; it "
                    "describes no real event.", "fatalities": dead,
                })
    return pd.DataFrame(rows)


def load_demo_events(store: Store, mission: str = MISSION) -> int:
    """Import the SYNTHETIC conflict events of ``mission`` through the ACLED importer (same checks); idempotent."""
    fw = store.framework(mission)
    if fw.mission.geography is None:
        return 0
    with tempfile.TemporaryDirectory(prefix="cpas-demo-events-") as folder:
        path = Path(folder) / f"{mission}_synthetic_events_acled_layout.csv"
        synthetic_events(fw).to_csv(path, index=False)
        return import_acled(store, path, mission, actor=ACTOR).rows_imported


def load_demo_assessment(store: Store, cycle: str = LAST_PERIOD) -> int:
    """Record a SYNTHETIC agreed assessment of some UN-DEMO outcomes for ``cycle`` (once: a closed demo session)."""
    workshops = WorkshopStore(store)
    if workshops.workshop_sessions(mission=MISSION, cycle=cycle):
        return 0
    started = workshops.start_workshop(MISSION, cycle, actor=ACTOR)
    for outcome, (progress, contribution, analysis) in AGREED.items():
        workshops.record_agreed(started.code, started.facilitator_key, outcome, progress=progress,
                                contribution=contribution, analysis=analysis, actor=ACTOR)
    workshops.close_workshop(started.code, started.facilitator_key, actor=ACTOR)
    return len(AGREED)
