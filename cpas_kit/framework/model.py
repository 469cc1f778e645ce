"""The results framework: mission, priorities → intended outcomes → indicators, outputs, sections,
disaggregations and stakeholders.

A framework is authored as YAML (see ``cpas_kit/data/missions/UN-DEMO.yaml``) and validated by the
pydantic models below, which reject unknown keys. :func:`load_framework` reports **every** problem
at once, each with the file, the path inside it (``priorities[1].outcomes[0].indicators[3].direction``)
and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from cpas_kit.core.errors import FrameworkError
from cpas_kit.core.paths import MISSIONS_DATA_DIR, boundaries_file
from cpas_kit.core.periods import Period, PeriodStr
from cpas_kit.framework.standards import mapping_problems

_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

NON_ADDITIVE_UNITS = {"percent", "%", "percentage", "share", "ratio", "rate", "days", "average", "score", "index"}


def _check_code(value: str) -> str:
    if not _CODE_RE.match(value) or ".." in value or len(value) > 40:
        raise ValueError(
            f"'{value}' is not a usable code: use letters, digits, '-', '_' or '.', start with a letter or "
            "digit, no spaces, no '/' and no '..', at most 40 characters (codes become file names)"
        )
    return value


def _check_iso3(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-3 country code (three capital letters, e.g. CAF)")
    return value


Code = Annotated[str, AfterValidator(_check_code)]
ISO3 = Annotated[str, AfterValidator(_check_iso3)]


class _Model(BaseModel):
    """Frozen, and unknown keys are errors (a typo must fail loudly)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Named(_Model):
    """Something with a code and an English name, optionally a French one."""

    code: Code
    name: str = Field(min_length=1)
    name_fr: str | None = None

    def label(self, language: str = "en") -> str:
        """The name in ``language`` (French falls back to English when no translation is given)."""
        return (self.name_fr or self.name) if language == "fr" else self.name


class Section(Named):
    """A mission component or section (Force, UNPOL, Civil Affairs, …)."""


class Dimension(Named):
    """A disaggregation dimension and its categories (``sex``: female, male)."""

    categories: list[Code] = Field(default_factory=list)
    category_names: dict[str, str] = Field(default_factory=dict)
    category_names_fr: dict[str, str] = Field(default_factory=dict)
    from_geography: bool = False  # categories are the admin-1 codes of the mission's geography


class Geography(_Model):
    """The admin-1 boundaries a mission maps on (a GeoJSON file shipped with cpas_kit)."""

    boundaries: str  # file name under cpas_kit/data/boundaries/
    id_property: str = "iso_3166_2"
    name_property: str = "name"
    credit: str = "Boundaries: Made with Natural Earth (public domain)"


class Mission(_Model):
    """Who the framework belongs to."""

    code: Code
    name: str
    name_fr: str | None = None
    country_iso3: ISO3
    hq: str
    mandate_resolution: str
    cycle_kind: Literal["quarter", "year", "month"] = "quarter"
    default_language: Literal["en", "fr"] = "en"
    is_fictional: bool = False
    geography: Geography | None = None
    mandate_start: date | None = None  # first mandate of the mission
    mandate_end: date | None = None  # current mandate expires
    personnel: dict[str, int] = Field(default_factory=dict)  # authorised strength, e.g. military: 11000

    def label(self, language: str = "en") -> str:
        """The mission's name in ``language`` (French falls back to English)."""
        return (self.name_fr or self.name) if language == "fr" else self.name


class Baseline(_Model):
    """Where an indicator started."""

    value: float | None = None
    text: str | None = None
    period: PeriodStr


class Target(_Model):
    """What an indicator should reach by a period."""

    period: PeriodStr
    value: float | None = None
    text: str | None = None


class Indicator(Named):
    """Something measured each cycle."""

    level: Literal["strategic", "stakeholder", "output"]
    kind: Literal["quantitative", "qualitative"] = "quantitative"
    unit: str
    direction: Literal["increase", "decrease", "maintain"]
    definition: str | None = None
    baseline: Baseline
    targets: list[Target] = Field(default_factory=list)
    data_source: str
    responsible_section: Code
    disaggregations: list[Code] = Field(default_factory=list)
    min_value: float | None = None
    max_value: float | None = None
    tags: list[Code] = Field(default_factory=list)
    standard_code: Code | None = None  # shared code of a standard indicator (cpas_kit.framework.standards), for studies

    @property
    def additive(self) -> bool:
        """True when disaggregated values add up to the total (counts), False for shares and averages."""
        return self.kind == "quantitative" and self.unit.strip().lower() not in NON_ADDITIVE_UNITS

    def target_for(self, period: "str | Period") -> Target | None:
        """The first target due at or after ``period`` (else the last one), or None without targets."""
        if not self.targets:
            return None
        p = Period.parse(period)
        ordered = sorted(self.targets, key=lambda t: Period.parse(t.period))
        for t in ordered:
            if Period.parse(t.period) >= p or Period.parse(t.period).contains(p):
                return t
        return ordered[-1]


class Output(Named):
    """What the mission itself delivers under an outcome."""

    section: Code


class Outcome(Named):
    """An intended outcome under a priority."""

    indicators: list[Indicator] = Field(default_factory=list)
    outputs: list[Output] = Field(default_factory=list)


class Priority(Named):
    """A mission priority (impact area)."""

    outcomes: list[Outcome] = Field(min_length=1)


class Stakeholder(Named):
    """A key actor for one or more outcomes (context mapping)."""

    type: str
    influence: Literal["high", "medium", "low"]
    attitude: Literal["supportive", "neutral", "opposed"]
    agenda: str | None = None
    outcomes: list[Code] = Field(default_factory=list)


class Framework(_Model):
    """A mission's whole results framework."""

    mission: Mission
    sections: list[Section] = Field(min_length=1)
    disaggregations: list[Dimension] = Field(default_factory=list)
    priorities: list[Priority] = Field(min_length=1)
    stakeholders: list[Stakeholder] = Field(default_factory=list)

    # -- navigation ---------------------------------------------------------------------------
    def outcomes(self) -> Iterator[tuple[Priority, Outcome]]:
        """Every (priority, outcome) pair, in framework order."""
        for p in self.priorities:
            for o in p.outcomes:
                yield p, o

    def indicators(self) -> Iterator[tuple[Priority, Outcome, Indicator]]:
        """Every (priority, outcome, indicator), in framework order."""
        for p, o in self.outcomes():
            for i in o.indicators:
                yield p, o, i

    def indicator(self, code: str) -> Indicator:
        """The indicator with ``code``."""
        for _, _, i in self.indicators():
            if i.code == code:
                return i
        raise KeyError(f"indicator {code} is not in the {self.mission.code} framework")

    def section(self, code: str) -> Section:
        """The section with ``code``."""
        for s in self.sections:
            if s.code == code:
                return s
        raise KeyError(f"section {code} is not in the {self.mission.code} framework")

    def dimension(self, code: str) -> Dimension:
        """The disaggregation dimension with ``code``."""
        for d in self.disaggregations:
            if d.code == code:
                return d
        raise KeyError(f"disaggregation {code} is not in the {self.mission.code} framework")

    def categories(self, dimension: str) -> list[str]:
        """Categories of a dimension; for geography dimensions, the admin-1 codes of the boundaries."""
        d = self.dimension(dimension)
        if d.from_geography and self.mission.geography is not None:
            # imported here: GeoPandas is loaded only by frameworks that map (start-up time of every kernel)
            from cpas_kit.framework.geography import admin1_codes

            return list(admin1_codes(self.mission.geography))
        return list(d.categories)

    # -- identity -----------------------------------------------------------------------------
    def to_document(self) -> dict[str, Any]:
        """A plain JSON-able dict (what the store keeps)."""
        return self.model_dump(mode="json", exclude_none=True)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON document: equal frameworks have equal hashes."""
        doc = json.dumps(self.to_document(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(doc.encode("utf-8")).hexdigest()


# -- loading and validation -------------------------------------------------------------------

def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic adds the validator name for Annotated/function validators; skip those
            if str(part).startswith("function-") or str(part) in {"literal", "constrained-str"}:
                continue
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _friendly(err: dict[str, Any]) -> str:
    kind = err["type"]
    got = err.get("input")
    if kind == "extra_forbidden":
        return f"unknown key (is it misspelt? remove it or use one of the documented keys); value was {got!r}"
    if kind == "missing":
        return "is required but missing"
    if kind == "literal_error":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"{got!r} is not allowed; use one of {allowed}"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if kind in {"float_parsing", "float_type"}:
        return f"{got!r} is not a number"
    if kind == "too_short":
        return "must have at least one entry"
    return f"{err['msg']} (got {got!r})"


def _items(doc: Any, key: str) -> list[dict[str, Any]]:
    """``doc[key]`` as a list of mappings, skipping anything malformed (pydantic reports that)."""
    value = doc.get(key) if isinstance(doc, dict) else None
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _cross_checks(doc: dict[str, Any], check_standards: bool = True) -> list[str]:
    """Problems pydantic cannot see alone: unique codes and references between parts.

    Works on the raw document so that these problems are reported together with schema errors. Standard codes
    are checked against the catalogues (:mod:`cpas_kit.framework.standards`) unless ``check_standards`` is False.
    """
    problems: list[str] = []
    mission = doc.get("mission") if isinstance(doc.get("mission"), dict) else {}
    sections = _items(doc, "sections")
    section_codes = {str(s.get("code")) for s in sections}
    dims = _items(doc, "disaggregations")
    dim_codes = {str(d.get("code")) for d in dims}
    seen: dict[str, str] = {}

    def unique(item: dict[str, Any], path: str) -> None:
        code = item.get("code")
        if not isinstance(code, str):
            return
        if code in seen:
            problems.append(f"{path}.code: '{code}' is already used at {seen[code]}; codes must be unique")
        else:
            seen[code] = path

    def section_ref(value: Any, path: str) -> None:
        if isinstance(value, str) and value not in section_codes:
            problems.append(f"{path}: '{value}' is not a section of this mission; "
                            f"use one of {', '.join(sorted(section_codes))}")

    for i, s in enumerate(sections):
        unique(s, f"sections[{i}]")
    for i, d in enumerate(dims):
        unique(d, f"disaggregations[{i}]")
        if d.get("from_geography") and not mission.get("geography"):
            problems.append(f"disaggregations[{i}].from_geography: the mission has no geography to take areas from")
    outcome_codes: set[str] = set()
    mapped: dict[str, str] = {}
    for pi, p in enumerate(_items(doc, "priorities")):
        unique(p, f"priorities[{pi}]")
        for oi, o in enumerate(_items(p, "outcomes")):
            opath = f"priorities[{pi}].outcomes[{oi}]"
            unique(o, opath)
            outcome_codes.add(str(o.get("code")))
            for ii, ind in enumerate(_items(o, "indicators")):
                ipath = f"{opath}.indicators[{ii}]"
                unique(ind, ipath)
                section_ref(ind.get("responsible_section"), f"{ipath}.responsible_section")
                problems += _indicator_checks(ind, ipath, dim_codes, mapped, check_standards)
            for xi, out in enumerate(_items(o, "outputs")):
                unique(out, f"{opath}.outputs[{xi}]")
                section_ref(out.get("section"), f"{opath}.outputs[{xi}].section")
    for si, st in enumerate(_items(doc, "stakeholders")):
        unique(st, f"stakeholders[{si}]")
        for ki, oc in enumerate(st.get("outcomes") or []):
            if oc not in outcome_codes:
                problems.append(f"stakeholders[{si}].outcomes[{ki}]: '{oc}' is not an intended outcome of this "
                                "framework")
    geography = mission.get("geography")
    if isinstance(geography, dict) and isinstance(geography.get("boundaries"), str):

        if not boundaries_file(geography["boundaries"]).is_file():
            problems.append(
                f"mission.geography.boundaries: no boundary file '{geography['boundaries']}' is shipped "
                "in cpas_kit/data/boundaries/"
            )
    return problems


def _indicator_checks(ind: dict[str, Any], ipath: str, dim_codes: set[str], mapped: dict[str, str],
                      check_standards: bool) -> list[str]:
    """One indicator's own problems: undeclared disaggregations, missing numbers, ranges, targets, standards."""
    problems: list[str] = []
    for di, dim in enumerate(ind.get("disaggregations") or []):
        if dim not in dim_codes:
            problems.append(
                f"{ipath}.disaggregations[{di}]: '{dim}' is not declared under disaggregations; "
                f"use one of {', '.join(sorted(dim_codes)) or '(none declared)'}"
            )
    if ind.get("kind", "quantitative") == "quantitative":
        baseline = ind.get("baseline") if isinstance(ind.get("baseline"), dict) else {}
        if baseline and baseline.get("value") is None:
            problems.append(f"{ipath}.baseline.value: a quantitative indicator needs a numeric baseline")
        for ti, t in enumerate(_items(ind, "targets")):
            if t.get("value") is None:
                problems.append(f"{ipath}.targets[{ti}].value: a quantitative indicator needs a numeric "
                                "target")
    lo, hi = ind.get("min_value"), ind.get("max_value")
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
        problems.append(f"{ipath}.min_value: is larger than max_value")
    periods = [str(t.get("period")) for t in _items(ind, "targets")]
    if len(periods) != len(set(periods)):
        problems.append(f"{ipath}.targets: two targets for the same period")
    if check_standards and ind.get("standard_code") is not None:
        problems += _standard_checks(ind, ipath, mapped)
    return problems


def _standard_checks(ind: dict[str, Any], path: str, mapped: dict[str, str]) -> list[str]:
    """A standard code must be in the catalogues, in the indicator's unit, and used once per framework."""

    code = ind["standard_code"]
    problems = [f"{path}.standard_code: {p}" for p in mapping_problems(code, ind.get("unit"))]
    if isinstance(code, str) and code in mapped:
        problems.append(f"{path}.standard_code: '{code}' is already the standard of {mapped[code]}; "
                        "a mission maps one indicator to each standard code")
    elif isinstance(code, str):
        mapped[code] = str(ind.get("code"))
    return problems


def parse_framework(data: Any, source: str = "<framework>", *, check_standards: bool = True) -> Framework:
    """Validate a framework given as a dict; raise :class:`FrameworkError` listing every problem.

    ``check_standards=False`` skips the catalogue check of standard codes (for frameworks read back from the
    store, which were checked when saved and must stay readable if the catalogue changes later).
    """
    if not isinstance(data, dict):
        raise FrameworkError(source, ["(top level): the file must be a mapping with mission, sections and priorities"])
    problems: list[str] = []
    fw = None
    try:
        fw = Framework.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_loc_to_path(e['loc'])}: {_friendly(e)}" for e in exc.errors()]
    problems += _cross_checks(data, check_standards)
    if problems or fw is None:
        raise FrameworkError(source, problems)
    return fw


def load_framework(path: "str | Path") -> Framework:
    """Read and validate a framework YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError(str(p), ["the file does not exist"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise FrameworkError(str(p), [f"not valid YAML at {where}: {getattr(exc, 'problem', exc)}"]) from None
    return parse_framework(data, str(p))


def framework_from_document(doc: dict[str, Any]) -> Framework:
    """Rebuild a framework from the JSON document the store keeps."""
    return parse_framework(doc, "<store>", check_standards=False)


def shipped_framework_path(mission: str) -> Path:
    """The YAML of a mission framework shipped with cpas_kit (e.g. UN-DEMO)."""

    return MISSIONS_DATA_DIR / f"{mission}.yaml"
