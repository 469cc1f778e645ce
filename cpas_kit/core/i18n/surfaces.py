"""English and French labels of the finished surfaces (issue 15): cycle notes, readable tracker tables and
history, document footers, distance to target; merged into :data:`cpas_kit.core.i18n.LABELS`."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "cycle_no_data": {
        "en": "No indicator of {mission} has a value for {cycle}: the figures below come from earlier cycles or are "
              "missing. Enter and import this cycle's data before relying on this pack.",
        "fr": "Aucun indicateur de {mission} n'a de valeur pour {cycle} : les chiffres ci-dessous viennent de cycles "
              "antérieurs ou manquent. Saisissez et importez les données de ce cycle avant d'utiliser ce dossier."},
    "no": {"en": "no", "fr": "non"},
    "trk_id": {"en": "ID", "fr": "N°"},
    "trk_act_create": {"en": "Recorded in the tracker", "fr": "Inscrite au suivi"},
    "trk_act_decide": {"en": "Decision recorded", "fr": "Décision enregistrée"},
    "trk_act_progress": {"en": "Progress updated", "fr": "État mis à jour"},
    "trk_act_edit": {"en": "Field changed", "fr": "Champ modifié"},
    "trk_history_of": {"en": "History of recommendation {id}", "fr": "Historique de la recommandation {id}"},
    "trk_list_count": {"en": "{n} recommendation(s) of {mission}; overdue judged on {on}.",
                       "fr": "{n} recommandation(s) de {mission} ; retard apprécié au {on}."},
    "reporting_date": {"en": "Reporting date (end of the period)", "fr": "Date de référence (fin de la période)"},
    "generation_date": {"en": "Generated on", "fr": "Produit le"},
    "page_n_of_N": {"en": "Page {page} of {pages}", "fr": "Page {page} sur {pages}"},
    "moderate decrease": {"en": "moderate decrease", "fr": "baisse modérée"},
    "dist_short": {"en": "{n} still to go", "fr": "encore {n} à accomplir"},
    "dist_beyond": {"en": "target exceeded by {n}", "fr": "cible dépassée de {n}"},
    "dist_reached": {"en": "target reached", "fr": "cible atteinte"},
    "dist_within": {"en": "{n} away from the target (either way)", "fr": "à {n} de la cible (dans un sens ou l'autre)"},
}
