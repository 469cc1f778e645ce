"""The live impact-assessment workshop: sessions, rating scales, and the rules every write must pass.

A facilitator starts a **session** for a mission and cycle; it gets a short **join code** (six
characters from an alphabet without look-alikes: no 0/O, 1/I/L) and a **facilitator key** (a random
secret shown once; the store keeps only its SHA-256, compared in constant time — the key is 144 random
bits, so a plain hash is enough). Participants **join** with the code, their name and section and get a
**participant token** (shown once, as their personal link; the store keeps only its SHA-256), which a
browser keeps to resume after a refresh. Re-joining needs that link: the same name and section without it
make a second participant (the facilitator sees both), so nobody can take over another's ratings. Wrong
join codes are rate-limited per client, and only the facilitator key changes agreed results (see
:mod:`cpas_kit.workshop.security`).

Every rating submit is one row of the append-only ``workshop_rating_events`` table; a participant's
**current rating** of an outcome is their latest event for it, so re-rating keeps every earlier value.

The **spread** of an outcome's ratings on one scale (see :func:`spread`) is stated here once:

* ``n_ratings`` — current ratings with a value on that scale;
* ``modal_value`` — the most frequent value (ties: the first in scale order);
* ``modal_share`` — its share of ``n_ratings`` (1.0 = everyone agrees);
* ``distinct_values`` — how many different values were given;
* ``contested`` — no value has an absolute majority (``modal_share <= 0.5``) among two or more ratings.

"No judgement" values (*insufficient data*, *unclear*) count as values like any other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cpas_kit.core.errors import CpasError, NotFoundError, ParametersError, pydantic_problems
from cpas_kit.core.i18n.workshop import MESSAGES as _MESSAGES
from cpas_kit.core.settings import workshop_settings
from cpas_kit.core.text import control_problem

DEFAULT_PROGRESS = ("significant progress", "some progress", "no change", "deterioration", "insufficient data")
DEFAULT_CONTRIBUTION = ("significant", "some", "none", "unclear")
SCALES = ("progress", "contribution")
STATUSES = ("open", "closed")
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME_CHARS = 80
MAX_REASON_CHARS = 1_000
MAX_PROPOSAL_CHARS = 2_000
MAX_ANALYSIS_CHARS = 20_000
MAX_SCALE_VALUE_CHARS = 60

# One sentence per refusal (French beside it in cpas_kit.core.i18n.workshop; an app shows t(error.key, language)).
MESSAGES: dict[str, str] = {key: text["en"] for key, text in _MESSAGES.items()}


class WorkshopError(CpasError):
    """A workshop request cannot be carried out; ``key`` and ``values`` name the sentence for translation."""

    def __init__(self, key: str, **values: Any):
        self.key, self.values = key, values
        super().__init__(MESSAGES[key].format(**values))


class SessionNotFound(WorkshopError, NotFoundError):
    """No session has that join code (or no participant that token)."""


class WorkshopRefused(WorkshopError):
    """A workshop rule refuses the request (value not on the scale, session closed, not your entry, …)."""


class FacilitatorKeyRefused(WorkshopRefused):
    """The facilitator key is missing or wrong."""


# -- scales ---------------------------------------------------------------------------------------

class RatingScales(BaseModel):
    """The values participants and the facilitator choose from, most favourable first."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    progress: tuple[str, ...] = DEFAULT_PROGRESS
    contribution: tuple[str, ...] = DEFAULT_CONTRIBUTION

    @field_validator("progress", "contribution")
    @classmethod
    def _values(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(v) < 2:
            raise ValueError("a scale needs at least two values")
        if any(not s for s in v):
            raise ValueError("a scale value cannot be empty")
        if any(len(s) > MAX_SCALE_VALUE_CHARS for s in v):
            raise ValueError(f"a scale value can have at most {MAX_SCALE_VALUE_CHARS} characters")
        if len({s.casefold() for s in v}) != len(v):
            raise ValueError("a scale value appears twice")
        return v

    def values(self, scale: Literal["progress", "contribution"]) -> tuple[str, ...]:
        """The values of ``scale``, in order."""
        return self.progress if scale == "progress" else self.contribution


def make_scales(progress: Iterable[str] | None = None, contribution: Iterable[str] | None = None) -> RatingScales:
    """Scales from the given values (defaults for those not given); a bad scale is a ``ParametersError``."""
    given: dict[str, Any] = {}
    if progress is not None:
        given["progress"] = tuple(progress)
    if contribution is not None:
        given["contribution"] = tuple(contribution)
    try:
        return RatingScales(**given)
    except ValidationError as exc:
        raise ParametersError("rating scales: " + "; ".join(pydantic_problems(exc))) from None


def mission_scales(mission: str, progress: Iterable[str] | None = None,
                   contribution: Iterable[str] | None = None) -> RatingScales:
    """A mission's rating scales: the values given, else its ``parameters/<MISSION>.yaml``'s ``workshop``
    section (``progress_scale``, ``contribution_scale``), else the defaults."""
    settings = workshop_settings(mission)
    unknown = sorted(set(settings) - {"progress_scale", "contribution_scale"})
    if unknown:
        raise ParametersError(f"the workshop section of the {mission} parameters file has unknown key(s) "
                              f"{', '.join(unknown)}; allowed: progress_scale, contribution_scale")
    return make_scales(progress if progress is not None else settings.get("progress_scale"),
                       contribution if contribution is not None else settings.get("contribution_scale"))


def on_scale(scales: RatingScales, scale: Literal["progress", "contribution"], value: str | None) -> str | None:
    """``value`` as written on the scale (case and spaces forgiven); None stays None; else ``WorkshopRefused``."""
    if value is None or not str(value).strip():
        return None
    wanted = " ".join(str(value).split()).casefold()
    for v in scales.values(scale):
        if v.casefold() == wanted:
            return v
    raise WorkshopRefused("ws_scale", value=value, scale=scale, options=", ".join(scales.values(scale)))


def check_rating(scales: RatingScales, progress: str | None, contribution: str | None,
                 reason: str | None) -> dict[str, str | None]:
    """One participant's rating of one outcome, checked; ``WorkshopRefused`` with a sentence if it breaks a rule."""
    out = {"progress": on_scale(scales, "progress", progress),
           "contribution": on_scale(scales, "contribution", contribution),
           "reason": check_text(reason, "reason", MAX_REASON_CHARS)}
    if out["progress"] is None and out["contribution"] is None and out["reason"] is None:
        raise WorkshopRefused("ws_empty_rating")
    return out


def check_text(text: str | None, what: str, limit: int) -> str | None:
    """Text as entered (surrounding spaces dropped, nothing escaped); None when empty; refused when too long."""
    if text is None:
        return None
    text = str(text).strip()
    if len(text) > limit:
        raise WorkshopRefused("ws_too_long", what=what, n=len(text), limit=limit)
    if control_problem(text):
        raise WorkshopRefused("ws_control", what=what)
    return text or None


def check_name(name: str | None) -> str:
    """A participant's name, trimmed; refused when empty or too long."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME_CHARS:
        raise WorkshopRefused("ws_name", limit=MAX_NAME_CHARS)
    if control_problem(name):
        raise WorkshopRefused("ws_control", what="name")
    return name


def name_key(name: str) -> str:
    """What makes two spellings the same name: case and spacing ignored."""
    return " ".join(name.split()).casefold()


def section_code(sections: dict[str, str], given: str | None) -> str:
    """The code of a section given by code or name (case ignored); refused when the mission has no such section."""
    wanted = " ".join(str(given or "").split()).casefold()
    for code, name in sections.items():
        if wanted in (code.casefold(), name.casefold()):
            return code
    raise WorkshopRefused("ws_section", section=given or "", options=", ".join(sections))


def check_order(order: Iterable[str], priorities: dict[str, str], mission: str) -> list[str]:
    """An outcome order: outcomes of the framework (``priorities`` maps each to its priority), each once."""
    codes = [str(o).strip() for o in order]
    if not codes:
        raise WorkshopRefused("ws_order_empty")
    for i, c in enumerate(codes):
        if c not in priorities:
            raise WorkshopRefused("ws_order_unknown", outcome=c, mission=mission, options=", ".join(priorities))
        if c in codes[:i]:
            raise WorkshopRefused("ws_order_twice", outcome=c)
    return codes


# -- codes and secrets ----------------------------------------------------------------------------

def new_join_code() -> str:
    """A random join code, e.g. ``K7QM2P``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    """The join code as stored: upper case, spaces and dashes dropped; ``SessionNotFound`` if it cannot be one."""
    norm = "".join(str(code or "").split()).replace("-", "").upper()
    if len(norm) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in norm):
        raise SessionNotFound("ws_bad_code", code=code, length=CODE_LENGTH)
    return norm


def new_secret() -> str:
    """A facilitator key: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(18)


def new_token() -> str:
    """A participant token (resume handle)."""
    return secrets.token_urlsafe(18)


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a facilitator key (what the store keeps)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(given: str | None, stored_hash: str) -> bool:
    """True when ``given`` is the key whose hash is ``stored_hash`` (constant-time comparison)."""
    return hmac.compare_digest(hash_secret(given or ""), stored_hash)


# -- the session and what is read back --------------------------------------------------------------

@dataclass(frozen=True)
class SessionStarted:
    """What starting a session returns: the only time the facilitator key is available."""

    code: str
    facilitator_key: str
    mission: str
    cycle: str
    framework_version: int
    outcome_order: tuple[str, ...]
    scales: RatingScales

    def to_json(self) -> dict[str, Any]:
        """JSON-able form (for ``cpas workshop start --json``)."""
        return {"code": self.code, "facilitator_key": self.facilitator_key, "mission": self.mission,
                "cycle": self.cycle, "framework_version": self.framework_version,
                "outcome_order": list(self.outcome_order),
                "scales": {"progress": list(self.scales.progress), "contribution": list(self.scales.contribution)}}


@dataclass(frozen=True)
class Participant:
    """One participant of one session; ``token`` lets their browser resume."""

    id: int
    token: str
    session_code: str
    name: str
    section: str
    is_new: bool


def spread(counts: dict[str, int], scale_values: Iterable[str]) -> dict[str, Any]:
    """How far a group agrees on one scale (definitions in the module docstring)."""
    order = list(scale_values)
    n = sum(counts.get(v, 0) for v in order)
    if n == 0:
        return {"n_ratings": 0, "modal_value": None, "modal_share": None, "distinct_values": 0, "contested": False}
    top = max(counts.get(v, 0) for v in order)
    modal = next(v for v in order if counts.get(v, 0) == top)
    share = top / n
    return {"n_ratings": n, "modal_value": modal, "modal_share": round(share, 4),
            "distinct_values": sum(1 for v in order if counts.get(v, 0) > 0), "contested": n >= 2 and share <= 0.5}


def tally(ratings: Iterable[Mapping[str, Any]], outcomes: Iterable[str],
          scales: RatingScales) -> dict[tuple[str, str], dict[str, int]]:
    """Counts per scale value (zeros included, scale order) for every outcome and scale, from current ratings."""
    out = {(o, sc): {v: 0 for v in scales.values(sc)} for o in outcomes for sc in SCALES}
    for r in ratings:
        for sc in SCALES:
            counts = out.get((r["outcome_code"], sc))
            if counts is not None and r[sc] in counts:
                counts[r[sc]] += 1
    return out


def distribution_frame(tallies: dict[tuple[str, str], dict[str, int]]) -> pd.DataFrame:
    """Tidy counts: one row per outcome × scale × value."""
    rows = [{"outcome_code": o, "scale": sc, "value": v, "count": n}
            for (o, sc), counts in tallies.items() for v, n in counts.items()]
    return pd.DataFrame(rows, columns=["outcome_code", "scale", "value", "count"])


def spread_frame(tallies: dict[tuple[str, str], dict[str, int]]) -> pd.DataFrame:
    """:func:`spread` for every outcome × scale."""
    rows = [{"outcome_code": o, "scale": sc, **spread(counts, counts)} for (o, sc), counts in tallies.items()]
    return pd.DataFrame(rows, columns=["outcome_code", "scale", "n_ratings", "modal_value", "modal_share",
                                       "distinct_values", "contested"])


def dumps(value: Any) -> str:
    """JSON as stored in the session row."""
    return json.dumps(value, ensure_ascii=False)


class AgreedResults(pa.DataFrameModel):
    """The group's agreed rating and analysis, one row per outcome of a mission's cycle (what the pack reads)."""

    outcome_code: Series[str]
    progress: Series[str] = pa.Field(nullable=True)
    contribution: Series[str] = pa.Field(nullable=True)
    analysis: Series[str] = pa.Field(nullable=True, description="the why, as entered (not escaped)")
    session_code: Series[str]
    agreed_by: Series[str]
    agreed_at: Series[pd.Timestamp]

    class Config:
        coerce = True
        strict = True


class CurrentRatings(pa.DataFrameModel):
    """Each participant's current rating per outcome (their latest submit)."""

    participant_id: Series[int]
    name: Series[str]
    section: Series[str]
    outcome_code: Series[str]
    progress: Series[str] = pa.Field(nullable=True)
    contribution: Series[str] = pa.Field(nullable=True)
    reason: Series[str] = pa.Field(nullable=True)
    submitted_at: Series[pd.Timestamp]
    n_submits: Series[int] = pa.Field(ge=1, description="how many times this participant rated this outcome")

    class Config:
        coerce = True
        strict = True
