"""English and French labels of the evidence check and drafts of reports to the Security Council (``cpas report``);
merged into :data:`cpas_kit.core.i18n.LABELS`."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "rc_title": {"en": "Evidence check of a report to the Security Council",
                 "fr": "Vérification des données d'un rapport au Conseil de sécurité"},
    "rc_report": {"en": "Report", "fr": "Rapport"},
    "rc_file": {"en": "File", "fr": "Fichier"},
    "rc_date": {"en": "Date of the report", "fr": "Date du rapport"},
    "rc_checked_against": {"en": "Checked against the store of", "fr": "Vérifié par rapport aux données de"},
    "rc_cycle": {"en": "Reporting period", "fr": "Période considérée"},
    "rc_tolerance": {"en": "Tolerance beyond rounding", "fr": "Tolérance au-delà de l'arrondi"},
    "rc_summary": {"en": "Summary", "fr": "Synthèse"},
    "rc_share": {"en": "Share of paragraphs informed by data", "fr": "Part des paragraphes étayés par des données"},
    "rc_share_operative": {"en": "among numbered (operative) paragraphs",
                           "fr": "parmi les paragraphes numérotés (de fond)"},
    "rc_paragraphs": {"en": "Paragraphs", "fr": "Paragraphes"},
    "rc_operative": {"en": "Numbered paragraphs", "fr": "Paragraphes numérotés"},
    "rc_paragraph": {"en": "Paragraph", "fr": "Paragraphe"},
    "rc_class": {"en": "Class", "fr": "Classe"},
    "rc_informed": {"en": "informed by data", "fr": "étayé par des données"},
    "rc_could_be_informed": {"en": "could be informed", "fr": "pourrait être étayé"},
    "rc_contradicts": {"en": "contradicts the data", "fr": "contredit les données"},
    "rc_no_data_topic": {"en": "no data topic", "fr": "sans thème couvert par les données"},
    "rc_figure": {"en": "Figure stated", "fr": "Chiffre cité"},
    "rc_matched": {"en": "Matched in the store", "fr": "Correspondance dans les données"},
    "rc_stored": {"en": "Stored value", "fr": "Valeur enregistrée"},
    "rc_candidates": {"en": "Figures the paragraph could use", "fr": "Chiffres que le paragraphe pourrait citer"},
    "rc_findings": {"en": "Findings", "fr": "Constats"},
    "rc_text": {"en": "Text", "fr": "Texte"},
    "rc_what": {"en": "What", "fr": "Quoi"},
    "rc_cell": {"en": "Cell", "fr": "Ventilation"},
    "rc_total": {"en": "total", "fr": "total"},
    "rc_none": {"en": "none", "fr": "aucune"},
    "rc_no_period": {"en": "no period", "fr": "sans période"},
    "rc_contradictions": {"en": "Contradictions: figures that differ from the stored value",
                          "fr": "Contradictions : chiffres différents de la valeur enregistrée"},
    "rc_no_contradiction": {"en": "No figure contradicts the data.", "fr": "Aucun chiffre ne contredit les données."},
    "rc_synthetic": {
        "en": "SYNTHETIC DATA — the store's values this report was checked against include synthetic figures of a "
              "fictional demonstration mission. They describe no real place or event.",
        "fr": "DONNÉES SYNTHÉTIQUES — les valeurs auxquelles ce rapport a été comparé comprennent des chiffres "
              "synthétiques d'une mission de démonstration fictive. Elles ne décrivent aucun lieu ni événement réel.",
    },
    "rc_method": {
        "en": "How to read this check: a paragraph is informed by data when a figure it states matches a value of "
              "the store for the indicator its words are about, for the time it speaks of (else the reporting "
              "period) and the total or the group it names, within rounding and its qualifier (\"some 60\": ±10 %, "
              "\"more than 50\"). It contradicts the data when such a figure differs from the stored value. It could "
              "be informed when it is about indicators with data for its time but states no matching figure. "
              "Headings and footnotes are not counted.",
        "fr": "Comment lire cette vérification : un paragraphe est étayé par des données lorsqu'un chiffre qu'il "
              "cite correspond à une valeur enregistrée de l'indicateur dont il parle, pour la période visée (à "
              "défaut, la période considérée) et pour le total ou le groupe qu'il nomme, à l'arrondi et au "
              "qualificatif près (« quelque 60 » : ±10 %, « plus de 50 »). Il contredit les données lorsqu'un tel "
              "chiffre diffère de la valeur enregistrée. Il pourrait être étayé lorsqu'il traite d'indicateurs "
              "disposant de données pour sa période sans citer de chiffre correspondant. Les titres et les notes "
              "de bas de page ne sont pas comptés.",
    },
    "rc_kind_indicator": {"en": "indicator", "fr": "indicateur"},
    "rc_kind_events": {"en": "conflict events", "fr": "événements de conflit"},
    "rc_kind_fatalities": {"en": "conflict fatalities", "fr": "victimes de conflit"},
    "rc_kind_context": {"en": "context value", "fr": "donnée de contexte"},
    "rc_kind_tracker": {"en": "recommendations tracker", "fr": "suivi des recommandations"},
    "rc_kind_workshop": {"en": "impact assessment workshop", "fr": "atelier d'évaluation d'impact"},
    "rc_status_imported": {"en": "imported file", "fr": "fichier importé"},
    "rc_status_recorded": {"en": "recorded in the workbench", "fr": "enregistré dans l'outil"},
    "rc_trend_title": {"en": "Reports to the Security Council informed by data",
                       "fr": "Rapports au Conseil de sécurité étayés par des données"},
    "rc_trend_intro": {
        "en": "Share of the paragraphs of each checked report whose figures match the mission's data "
              "(checked by the workbench's report check), in all and among numbered paragraphs.",
        "fr": "Part des paragraphes de chaque rapport vérifié dont les chiffres correspondent aux données de la "
              "mission (selon la vérification des rapports de l'outil), au total et parmi les paragraphes numérotés.",
    },
    "rc_trend_none": {"en": "No report to the Security Council has been checked for this mission yet.",
                      "fr": "Aucun rapport au Conseil de sécurité n'a encore été vérifié pour cette mission."},
    "rc_checked_on": {"en": "Checked on", "fr": "Vérifié le"},
    # drafts
    "rd_title": {"en": "Draft paragraphs for the report of the Secretary-General",
                 "fr": "Projet de paragraphes pour le rapport du Secrétaire général"},
    "rd_intro": {
        "en": "Drafted by the CPAS Workbench from the mission's data for {cycle}. Each sentence carries a comment "
              "naming its indicator, period, cell, source and verification status.",
        "fr": "Rédigé par l'outil CPAS à partir des données de la mission pour {cycle}. Chaque phrase porte un "
              "commentaire indiquant l'indicateur, la période, la ventilation, la source et le statut de vérification.",
    },
    "rd_synthetic_title": {"en": "SYNTHETIC DATA — fictional demonstration mission",
                           "fr": "DONNÉES SYNTHÉTIQUES — mission de démonstration fictive"},
    "rd_unverified": {"en": "[not yet verified]", "fr": "[non vérifié]"},
    "rd_analysis": {"en": "Agreed analysis of the impact assessment",
                    "fr": "Analyse convenue de l'évaluation d'impact"},
    "rd_nothing": {"en": "No verified value for {cycle}: nothing to draft.",
                   "fr": "Aucune valeur vérifiée pour {cycle} : rien à rédiger."},
}
