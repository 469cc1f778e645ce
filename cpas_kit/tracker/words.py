"""Tracker values in the reader's language: the sections and bodies the seeds' tracker names in English
(``Civil Affairs``, ``Senior Leadership``) become the framework's French section names and French words.

``in_language("Force, Civil Affairs", fw, "fr")`` → ``"Force, Affaires civiles"``. A value the framework does
not know is shown as written (it is someone's own text); missing values stay missing.
"""

from __future__ import annotations

import re
from typing import Any

from cpas_kit.core.formatting import is_missing
from cpas_kit.core.i18n import t
from cpas_kit.framework.model import Framework

# bodies that endorse or lead recommendations in the seeds' tracker, beyond the framework's sections
BODIES = {"senior leadership": "trk_body_senior_leadership", "senior management team": "trk_body_smt",
          "mission leadership team": "trk_body_mlt"}
_PARTS = re.compile(r"\s*([,;/])\s*")


def in_language(value: Any, fw: Framework, language: str) -> Any:
    """``value`` (one name or a list joined by commas or semicolons) with every known name in ``language``."""
    if is_missing(value) or language == "en" or not isinstance(value, str):
        return None if is_missing(value) else value
    names = {}
    for s in fw.sections:
        names[s.code.lower()] = names[s.name.lower()] = s.label(language)
    pieces = _PARTS.split(value.strip())
    out = []
    for piece in pieces:
        key = piece.lower()
        if key in BODIES:
            out.append(t(BODIES[key], language))
        elif piece in (",", ";", "/"):
            out.append(piece + " " if piece != "/" else " / ")
        else:
            out.append(names.get(key, piece))
    return "".join(out).strip()
