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
    # charts
    "indicators": {"en": "Indicators", "fr": "Indicateurs"},
    # framework authoring
    "fw_unit_fr": {"en": "Unit in French", "fr": "Unité en français"},
    # the live workshop (issue 15 item 12)
    "ws_sent_as": {"en": "sent to the tracker as #{id}", "fr": "envoyée au suivi sous le n° {id}"},
    "ws_merged_into": {"en": "merged into #{id}", "fr": "fusionnée dans la proposition n° {id}"},
    "ws_merge_pick_target": {
        "en": "choose the proposal to merge into first (the list next to Merge), then tick the duplicates",
        "fr": "choisissez d'abord la proposition dans laquelle fusionner (la liste à côté de Fusionner), puis "
              "cochez les doublons"},
    "ws_merge_tick_duplicates": {
        "en": "tick the duplicates to merge into #{id} first",
        "fr": "cochez d'abord les doublons à fusionner dans la proposition n° {id}"},
    "ws_close_confirm": {
        "en": "{n} outcome(s) have no agreed result yet: {outcomes}. Click “Close the session” again to close it "
              "anyway; participants will no longer be able to rate.",
        "fr": "{n} résultat(s) n'ont pas encore de résultat convenu : {outcomes}. Cliquez à nouveau sur « Clore la "
              "séance » pour la clore quand même ; les participants ne pourront plus apprécier."},
}
