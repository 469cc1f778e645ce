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
          "mission leadership team": "trk_body_mlt", "not assigned": "Not Assigned"}
_LISTS = re.compile(r"\s*([,;])\s*")


def in_language(value: Any, fw: Framework, language: str) -> Any:
    """``value`` (one name or a list joined by commas or semicolons) with every known name in ``language``."""
    if is_missing(value) or language == "en" or not isinstance(value, str):
        return None if is_missing(value) else value
    names = {}
    for s in fw.sections:
        names[s.code.lower()] = names[s.name.lower()] = s.label(language)

    def one(name: str) -> str:
        key = name.strip().lower()
        if key in names:
            return names[key]
        if key in BODIES:
            return t(BODIES[key], language)
        if "/" in name:  # "UNPOL/JMAC": two sections; "Justice / Corrections" was found whole above
            return " / ".join(one(part) for part in name.split("/"))
        return name.strip()

    return "".join(one(piece) if piece not in (",", ";") else piece + " " for piece in _LISTS.split(value.strip()))
