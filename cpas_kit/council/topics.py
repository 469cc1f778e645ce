"""Words of a topic: stems of content words in English and French, so that "civilian deaths" in a paragraph meets the
indicator "Conflict-related civilian deaths" (and "décès de civils" meets "Décès de civils liés au conflit").

A stem is the folded word (lower case, no accents) without a final plural ``s``/``x``, cut to six letters; words that
say how something is measured ("number", "percentage", "rate") or that every paragraph has are left out.
"""

from __future__ import annotations

import re

from cpas_kit.council.figures import fold

STOP = set("""
a about above after again against all also an and any are as at be been before being between both but by can could
did do does during each few for from further had has have having he her here hers him his how i if in into is it its
itself just more most no nor not now of off on once only or other our out over own same she should so some such than
that the their them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your per cent percent number numbers percentage share proportion rate
ratio total level levels figure figures quarter period reporting previous during within compared including
increase increased decrease decreased rose fell remained reached stood down while whereas new mission missions
united nations le la les des du de d l un une et en au aux dans par pour sur avec sans sont est ont ete qui que
ou ce cette ces se sa son ses leur leurs plus moins nombre pourcentage taux part proportion total niveau periode
trimestre precedent consideree cours hausse baisse augmente diminue atteint passe contre soit entre lors
""".split())
_SYNONYMS = {  # stem → the stem it counts as (a paragraph says "killed", the indicator "deaths")
    "killed": "death", "kill": "death", "died": "death", "dead": "death", "fatali": "death", "deces": "death",
    "tue": "death", "morts": "death", "mort": "death", "tues": "death", "women": "women", "woman": "women",
    "female": "women", "femme": "femmes", "femmes": "femmes", "civils": "civil", "civil": "civil", "civili": "civil",
    "attack": "attack", "attaqu": "attack", "clashe": "clash", "affron": "clash", "abduct": "abduct",
    "enleve": "abduct", "kidnap": "abduct", "enlevem": "abduct", "recomm": "recomm",
}


def stem(word: str) -> str:
    """The stem of one word ("Deaths" → "death", "sécuritaires" → "securi")."""
    folded = fold(word)
    w = folded[:-1] if len(folded) > 3 and folded[-1] in "sx" and not folded.endswith("ss") else folded
    s = w[:6]
    return _SYNONYMS.get(folded, _SYNONYMS.get(w, _SYNONYMS.get(s, s)))


def stems(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order (repeats kept)."""
    out = []
    for word in re.findall(r"[^\W\d_]+", text):
        f = fold(word)
        if len(f) < 3 or f in STOP:
            continue
        out.append(stem(word))
    return out


def content_stems(text: str) -> set[str]:
    """The distinct stems of ``text``."""
    return set(stems(text))
