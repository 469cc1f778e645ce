"""Context mapping: the stakeholder register of a mission, one snapshot per cycle, and its views.

A mission's **register** is kept as a **snapshot per cycle** (``2023/24-Q4``): one entry per stakeholder
with its type, level, areas (admin-1 codes), stance towards the mandate, influence, interests and
motivations, how the community perceives it, the mission's engagement and the outcomes it matters for.
Editing a cycle that has no snapshot yet starts it from the previous cycle's active entries, so each
cycle only records what changed, and every change since the previous cycle (a new actor, a stance or
influence moved, an actor gone) carries a note saying why.

The enumerated fields (``type``, ``level``, ``stance``, ``influence``) take their values from
:class:`StakeholderOptions`: :data:`DEFAULT_OPTIONS` unless the mission has its own (kept in the store).
The order of ``stance`` and ``influence`` options is the order of the matrix's columns and rows (most
supportive, most influential first).

The results framework's own ``stakeholders`` list is the plan's key-stakeholder table (versioned with
the framework, edited in the framework workbook); :func:`entries_from_framework` turns it into a first
snapshot when a mission has none yet.

The views (matrix, stakeholders per outcome, per area, changes) are in :mod:`cpas_kit.stakeholders.views`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pydantic import Field, ValidationError

from cpas_kit.core.errors import CpasError
from cpas_kit.core.limits import load_yaml
from cpas_kit.core.paths import boundaries_file
from cpas_kit.framework.model import (
    Code,
    Framework,
    _Model,  # frozen, unknown keys are errors: the framework's own base
)

ENUMERATED = ("type", "level", "stance", "influence")
TEXT_FIELDS = ("interests", "perception", "engagement")
ENTRY_FIELDS = ("code", "name", "name_fr", "type", "level", "areas", "stance", "influence", *TEXT_FIELDS, "outcomes")
TRACKED = ("name", "name_fr", "type", "level", "areas", "stance", "influence", *TEXT_FIELDS, "outcomes")
NEEDS_NOTE = ("stance", "influence")  # changing these since the previous cycle needs a note saying why
ACTIVE, REMOVED = "active", "removed"

DEFAULT_OPTIONS: dict[str, list[tuple[str, str, str]]] = {
    "type": [
        ("government", "Government", "Gouvernement"),
        ("security_forces", "Security forces", "Forces de défense et de sécurité"),
        ("armed_group", "Armed group", "Groupe armé"),
        ("political_party", "Political party", "Parti politique"),
        ("civil_society", "Civil society", "Société civile"),
        ("community", "Community", "Communauté"),
        ("religious_leaders", "Religious leaders", "Leaders religieux"),
        ("regional_actor", "Regional actor", "Acteur régional"),
        ("international_partner", "International partner", "Partenaire international"),
        ("private_sector", "Private sector", "Secteur privé"),
        ("media", "Media", "Médias"),
        ("other", "Other", "Autre"),
    ],
    "level": [("local", "Local", "Local"), ("national", "National", "National"),
              ("regional", "Regional", "Régional")],
    "stance": [("supportive", "Supportive", "Favorable"), ("neutral", "Neutral", "Neutre"),
               ("opposed", "Opposed", "Opposé")],
    "influence": [("high", "High", "Forte"), ("medium", "Medium", "Moyenne"), ("low", "Low", "Faible")],
}


class StakeholderError(CpasError):
    """A stakeholder entry, a change or an enumeration is not acceptable; the message says what to fix."""


class Option(_Model):
    """One value of an enumerated field: its code and its English and French labels."""

    code: Code
    label: str = Field(min_length=1)
    label_fr: str | None = None

    def text(self, language: str = "en") -> str:
        """The label in ``language`` (French falls back to English)."""
        return (self.label_fr or self.label) if language == "fr" else self.label


class StakeholderOptions(_Model):
    """The values allowed for each enumerated field of one mission's register."""

    type: tuple[Option, ...]
    level: tuple[Option, ...]
    stance: tuple[Option, ...]
    influence: tuple[Option, ...]

    def of(self, field: str) -> tuple[Option, ...]:
        """The options of ``field``."""
        if field not in ENUMERATED:
            raise StakeholderError(f"'{field}' is not an enumerated field; use one of {', '.join(ENUMERATED)}")
        return getattr(self, field)

    def codes(self, field: str) -> list[str]:
        """The codes of ``field``, in order."""
        return [o.code for o in self.of(field)]

    def label(self, field: str, code: str, language: str = "en") -> str:
        """The label of ``code`` (the code itself when it is not an option any more)."""
        return next((o.text(language) for o in self.of(field) if o.code == code), code)

    def rank(self, field: str, code: str) -> int:
        """Position of ``code`` among the options of ``field`` (unknown codes last)."""
        codes = self.codes(field)
        return codes.index(code) if code in codes else len(codes)


def options_from(overrides: dict[str, list[dict[str, Any]]] | None = None) -> StakeholderOptions:
    """The defaults, with each field given in ``overrides`` (``{field: [{code, label, label_fr}]}``) replaced."""
    values: dict[str, list[Any]] = {f: [{"code": c, "label": en, "label_fr": fr} for c, en, fr in opts]
                                    for f, opts in DEFAULT_OPTIONS.items()}
    for field, opts in (overrides or {}).items():
        if opts:
            values[field] = opts
    return parse_options(values)


def parse_options(values: dict[str, Any], source: str = "options") -> StakeholderOptions:
    """Validate a full set of options; raise :class:`StakeholderError` naming every problem."""
    problems: list[str] = []
    for field in ENUMERATED:
        opts = values.get(field) or []
        if not opts:
            problems.append(f"{field}: needs at least one option")
        codes = [o.get("code") if isinstance(o, dict) else None for o in opts]
        dup = sorted({c for c in codes if c is not None and codes.count(c) > 1})
        if dup:
            problems.append(f"{field}: the code(s) {', '.join(map(str, dup))} appear more than once")
    unknown = sorted(set(values) - set(ENUMERATED))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}; the enumerated fields are {', '.join(ENUMERATED)}")
    try:
        parsed = StakeholderOptions.model_validate({f: values.get(f) or [] for f in ENUMERATED})
    except ValidationError as exc:
        problems += [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
                     for e in exc.errors() if e["type"] != "too_short"]
        parsed = None
    if problems or parsed is None:
        raise StakeholderError(f"{source}: " + "; ".join(dict.fromkeys(problems)))
    return parsed


# -- entries -------------------------------------------------------------------------------------------
class StakeholderEntry(_Model):
    """One stakeholder as mapped in one cycle."""

    code: Code
    name: str = Field(min_length=1)
    name_fr: str | None = None
    type: str
    level: str
    areas: list[str] = Field(default_factory=list)
    stance: str
    influence: str
    interests: str | None = None
    perception: str | None = None
    engagement: str | None = None
    outcomes: list[Code] = Field(default_factory=list)

    def label(self, language: str = "en") -> str:
        """The name in ``language`` (French falls back to English)."""
        return (self.name_fr or self.name) if language == "fr" else self.name


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [x.strip() for x in re.split(r"[,;]", value) if x.strip()]
    return [str(x).strip() for x in value if str(x).strip()]


def check_entry(values: dict[str, Any], options: StakeholderOptions, fw: Framework | None = None,
                area_codes: Iterable[str] | None = None) -> StakeholderEntry:
    """A valid :class:`StakeholderEntry` from ``values``, or :class:`StakeholderError` listing every problem.

    Enumerated fields must be one of the mission's options, outcomes must be outcomes of ``fw`` (the
    framework in force for the cycle) and areas admin-1 codes of the mission's geography.
    """
    clean = {k: _blank_to_none(v) for k, v in values.items() if k in ENTRY_FIELDS}
    clean["areas"] = _as_list(values.get("areas"))
    clean["outcomes"] = _as_list(values.get("outcomes"))
    unknown = sorted(set(values) - set(ENTRY_FIELDS))
    problems = [f"{k}: unknown field (is it misspelt?)" for k in unknown]
    for field in ENUMERATED:
        value = clean.get(field)
        if value is not None and value not in options.codes(field):
            problems.append(f"{field}: '{value}' is not one of {', '.join(options.codes(field))}")
    if fw is not None:
        known = [o.code for _, o in fw.outcomes()]
        bad = [o for o in clean["outcomes"] if o not in known]
        if bad:
            problems.append(f"outcomes: {', '.join(bad)} not an intended outcome of the {fw.mission.code} framework "
                            f"(outcomes: {', '.join(known)})")
    codes = list(area_codes) if area_codes is not None else None
    if codes is not None:
        bad = [a for a in clean["areas"] if a not in codes]
        if bad:
            problems.append(f"areas: {', '.join(bad)} not an admin-1 area of the mission "
                            f"(e.g. {', '.join(codes[:4])})")
    entry = None
    try:
        entry = StakeholderEntry.model_validate(clean)
    except ValidationError as exc:
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"] if not str(p).startswith("function-"))
            msg = "is required" if e["type"] in ("missing", "string_type") and clean.get(field) is None \
                else e["msg"].removeprefix("Value error, ")
            problems.append(f"{field}: {msg}")
    if problems or entry is None:
        who = clean.get("name") or clean.get("code") or "the stakeholder"
        raise StakeholderError(f"{who}: " + "; ".join(dict.fromkeys(problems)))
    return entry


@lru_cache(maxsize=16)
def _area_names(boundaries: str, id_property: str, name_property: str) -> tuple[tuple[str, str], ...]:

    doc = json.loads(boundaries_file(boundaries).read_text(encoding="utf-8"))
    pairs = {str(f["properties"][id_property]): str(f["properties"][name_property]) for f in doc["features"]}
    return tuple(sorted(pairs.items()))


def mission_area_names(fw: Framework) -> dict[str, str] | None:
    """Admin-1 code → name of the mission's geography (None without one).

    Read straight from the shipped GeoJSON, without geopandas, so the app and the CLI start fast.
    """
    geo = fw.mission.geography
    return None if geo is None else dict(_area_names(geo.boundaries, geo.id_property, geo.name_property))


def entry_record(entry: StakeholderEntry) -> dict[str, Any]:
    """An entry as a plain dict with every field (lists kept as lists)."""
    return entry.model_dump(mode="json")


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """The tracked fields that differ between two entries (every field when ``before`` is None)."""
    if before is None:
        return list(TRACKED)
    return [f for f in TRACKED if _norm(before.get(f)) != _norm(after.get(f))]


def _norm(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value)
    return _blank_to_none(value)


def note_needed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    """Why a note is required for this change since the previous cycle (None: no note needed)."""
    if after is None:
        return "a stakeholder leaves the map"
    if before is None:
        return "a new stakeholder appears on the map"
    moved = [f for f in NEEDS_NOTE if _norm(before.get(f)) != _norm(after.get(f))]
    return f"its {' and '.join(moved)} changed since the previous cycle" if moved else None


_TYPE_ALIASES = {"religious leader": "religious_leaders", "international partners": "international_partner",
                 "regional actors": "regional_actor", "armed groups": "armed_group"}


def entries_from_framework(fw: Framework, options: StakeholderOptions) -> list[StakeholderEntry]:
    """The framework's key-stakeholder table as register entries (national level, no areas yet).

    Free-text types (``security forces``) become option codes (``security_forces``); a type that is
    not an option becomes ``other`` when that option exists.
    """
    out = []
    types = options.codes("type")
    for st in fw.stakeholders:
        raw = st.type.strip().lower()
        code = _TYPE_ALIASES.get(raw, re.sub(r"[^a-z0-9]+", "_", raw).strip("_"))
        kind = code if code in types else ("other" if "other" in types else types[0])
        out.append(StakeholderEntry(code=st.code, name=st.name, name_fr=st.name_fr, type=kind,
                                    level="national" if "national" in options.codes("level") else
                                    options.codes("level")[0],
                                    stance=st.attitude, influence=st.influence, interests=st.agenda,
                                    outcomes=list(st.outcomes)))
    return out


# -- context-mapping files (the demo's snapshots) ------------------------------------------------------
def read_context_file(path: Any) -> tuple[str, list[dict[str, Any]]]:
    """A context-mapping YAML (see ``cpas_kit/data/demo/UN-DEMO_context.yaml``) as its mission and one
    ``{cycle, summary, summary_fr, entries, removed, notes, notes_fr}`` per snapshot, each snapshot's changes applied
    to the previous. ``summary_fr`` and a change's ``note_fr`` (its French text) are optional."""
    from pathlib import Path

    doc = load_yaml(Path(path).read_text(encoding="utf-8"), str(path))
    current: dict[str, dict[str, Any]] = {}
    out = []
    for snap in doc["snapshots"]:
        notes: dict[str, str] = {}
        removed: dict[str, str] = {}
        notes_fr = {(change.get("add") or change.get("set") or {}).get("code") or change.get("remove"):
                    change["note_fr"] for change in snap.get("changes", []) if change.get("note_fr")}
        for e in snap.get("entries", []):
            current[e["code"]] = dict(e)
        for change in snap.get("changes", []):
            if "add" in change:
                code = change["add"]["code"]
                current[code] = dict(change["add"])
            elif "set" in change:
                code = change["set"]["code"]
                current[code] = {**current[code], **change["set"]}
            else:
                code = change["remove"]
                current.pop(code)
                removed[code] = change["note"]
                continue
            notes[code] = change["note"]
        out.append({"cycle": snap["cycle"], "summary": snap.get("summary"), "summary_fr": snap.get("summary_fr"),
                    "entries": list(current.values()), "removed": removed, "notes": notes, "notes_fr": notes_fr})
    return doc["mission"], out


# -- comparing two cycles ---------------------------------------------------------------------------
def diff_entries(before: list[dict[str, Any]], after: list[dict[str, Any]], options: StakeholderOptions,
                 notes: dict[str, list[tuple[str, str]]] | None = None,
                 notes_fr: dict[str, list[tuple[str, str]]] | None = None) -> list[dict[str, Any]]:
    """What changed from one snapshot to another, one record per stakeholder that changed.

    ``before``/``after`` are snapshot rows (with ``status``); removed rows count as absent. Each record:
    ``code``, ``name``, ``change`` (``added``, ``removed`` or ``changed``), ``fields`` (``[{field, from,
    to}]``), ``stance_move`` (``better``/``worse``/None: towards or away from the first stance option),
    ``influence_move`` (``up``/``down``/None) and ``note`` (the recorded reasons; ``notes`` maps a code to
    the ``(cycle, reason)`` recorded in every snapshot between the two cycles, shown with their cycle when
    there are several); ``name_fr`` and ``note_fr`` are the French name and reasons (``notes_fr``, or the row's own
    ``note_fr``), None where none was given.
    """
    old = {r["code"]: r for r in before if r.get("status", ACTIVE) == ACTIVE}
    new_all = {r["code"]: r for r in after}
    new = {c: r for c, r in new_all.items() if r.get("status", ACTIVE) == ACTIVE}
    notes, notes_fr = notes or {}, notes_fr or {}
    out: list[dict[str, Any]] = []
    order = list(old) + [c for c in new if c not in old]
    for code in order:
        a, b = old.get(code), new.get(code)
        reason = _reasons(notes.get(code), new_all.get(code))
        reason_fr = _reasons(notes_fr.get(code), new_all.get(code), "note_fr")
        if b is None:
            out.append({"code": code, "name": a["name"], "name_fr": a.get("name_fr"), "change": "removed",
                        "fields": [], "stance_move": None, "influence_move": None, "note": reason or None,
                        "note_fr": reason_fr or None})
            continue
        fields = changed_fields(a, b)
        if a is not None and not fields:
            continue
        shown = [f for f in fields if not (a is None and not b.get(f))]
        record = {"code": code, "name": b["name"], "name_fr": b.get("name_fr"),
                  "change": "added" if a is None else "changed",
                  "fields": [{"field": f, "from": None if a is None else a.get(f), "to": b.get(f)} for f in shown],
                  "stance_move": None, "influence_move": None, "note": reason or None, "note_fr": reason_fr or None}
        if a is not None:
            record["stance_move"] = _move(options, "stance", a, b, ("better", "worse"))
            record["influence_move"] = _move(options, "influence", a, b, ("up", "down"))
        out.append(record)
    return out


def _reasons(recorded: list[tuple[str, str]] | None, row: dict[str, Any] | None, column: str = "note") -> str:
    if recorded:
        return recorded[0][1] if len(recorded) == 1 else "; ".join(f"{c}: {n}" for c, n in recorded)
    return (row or {}).get(column) or ""


def _move(options: StakeholderOptions, field: str, a: dict[str, Any], b: dict[str, Any],
          words: tuple[str, str]) -> str | None:
    ra, rb = options.rank(field, a[field]), options.rank(field, b[field])
    return None if ra == rb else (words[0] if rb < ra else words[1])


def diff_summary(changes: list[dict[str, Any]]) -> dict[str, int]:
    """Counts of a diff: added, removed, changed, stance and influence moves."""
    return {
        "added": sum(c["change"] == "added" for c in changes),
        "removed": sum(c["change"] == "removed" for c in changes),
        "changed": sum(c["change"] == "changed" for c in changes),
        "stance_changed": sum(c["stance_move"] is not None for c in changes),
        "influence_changed": sum(c["influence_move"] is not None for c in changes),
    }


def active(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of a snapshot that are on the map (not removed)."""
    return [r for r in rows if r.get("status", ACTIVE) == ACTIVE]
