"""English and French for what every app shares: the page shown when an app cannot open. Merged into
:data:`cpas_kit.core.i18n.LABELS`.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "app_cannot_open": {"en": "This page cannot open", "fr": "Cette page ne peut pas s'ouvrir"},
    "app_cannot_open_hint": {
        "en": "Correct the address or the store as the sentence above says, then reload the page.",
        "fr": "Corrigez l'adresse ou la base comme l'indique la phrase ci-dessus, puis rechargez la page."},
    "app_store_empty": {
        "en": "this store holds no CPAS data yet; load a mission first, e.g. with `cpas demo` for UN-DEMO",
        "fr": "cette base ne contient encore aucune donnée CPAS ; chargez d'abord une mission, p. ex. avec "
              "`cpas demo` pour UN-DEMO"},
}
