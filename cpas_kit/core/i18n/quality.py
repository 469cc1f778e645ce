"""English and French labels of data quality, section approval and indicator reference sheets (PIRS);
merged into :data:`cpas_kit.core.i18n.LABELS`."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    # -- indicator reference sheets ---------------------------------------------------------------------
    "pirs_title": {"en": "Performance Indicator Reference Sheet", "fr": "Fiche de référence de l'indicateur"},
    "pirs_synthetic": {
        "en": "SYNTHETIC CONTENT — this fictional demonstration mission's reference sheets were written for "
              "demonstration; they describe no real indicator.",
        "fr": "CONTENU SYNTHÉTIQUE — les fiches de référence de cette mission de démonstration fictive ont été "
              "rédigées à titre de démonstration ; elles ne décrivent aucun indicateur réel.",
    },
    "pirs_indicator": {"en": "Indicator", "fr": "Indicateur"},
    "pirs_outcome": {"en": "Intended outcome", "fr": "Résultat escompté"},
    "pirs_level": {"en": "Level", "fr": "Niveau"},
    "pirs_definition": {"en": "Definition", "fr": "Définition"},
    "pirs_unit": {"en": "Unit of measure", "fr": "Unité de mesure"},
    "pirs_direction": {"en": "Desired direction", "fr": "Sens souhaité"},
    "pirs_disaggregation": {"en": "Disaggregated by", "fr": "Ventilé par"},
    "pirs_rationale": {"en": "Rationale", "fr": "Justification"},
    "pirs_data_source": {"en": "Data source", "fr": "Source des données"},
    "pirs_collection_method": {"en": "Data collection method", "fr": "Méthode de collecte"},
    "pirs_frequency": {"en": "Frequency", "fr": "Fréquence"},
    "pirs_responsible": {"en": "Responsible", "fr": "Responsable"},
    "pirs_baseline": {"en": "Baseline", "fr": "Référence"},
    "pirs_baseline_rationale": {"en": "Baseline rationale", "fr": "Justification de la référence"},
    "pirs_targets": {"en": "Targets", "fr": "Cibles"},
    "pirs_target_rationale": {"en": "Target rationale", "fr": "Justification des cibles"},
    "pirs_data_quality_limitations": {"en": "Data-quality limitations", "fr": "Limites de la qualité des données"},
    "pirs_changes": {"en": "Changes to the indicator", "fr": "Modifications de l'indicateur"},
    "pirs_no_changes": {"en": "No change since it was first defined.",
                        "fr": "Aucune modification depuis sa première définition."},
    "pirs_added": {"en": "version {version} (in force from {period}): indicator defined",
                   "fr": "version {version} (en vigueur depuis {period}) : indicateur défini"},
    "pirs_changed": {"en": "version {version} (in force from {period}): {field} changed from “{old}” to “{new}”",
                     "fr": "version {version} (en vigueur depuis {period}) : {field} modifié de « {old} » à « {new} »"},
    "pirs_not_given": {"en": "not given", "fr": "non renseigné"},
    "pirs_none": {"en": "none", "fr": "aucune"},
    "pirs_framework_version": {"en": "Framework version {version}, in force from {period}",
                               "fr": "Version {version} du cadre, en vigueur depuis {period}"},
    "freq_monthly": {"en": "monthly", "fr": "mensuelle"},
    "freq_quarterly": {"en": "quarterly", "fr": "trimestrielle"},
    "freq_semi-annual": {"en": "semi-annual", "fr": "semestrielle"},
    "freq_annual": {"en": "annual", "fr": "annuelle"},
    "freq_ad hoc": {"en": "ad hoc", "fr": "ponctuelle"},
    "de_definition": {"en": "Definition", "fr": "Définition"},
    "de_collection_method": {"en": "How it is collected", "fr": "Méthode de collecte"},
    # -- data quality and approval (the pack's data-quality part) ------------------------------------------
    "qa_title": {"en": "Data quality and approval", "fr": "Qualité des données et approbation"},
    "qa_intro": {
        "en": "Each section's data for the cycle: how many values the framework expects, how many were entered, "
              "verified and rejected, the median days from the end of the period to entry, the section's approval "
              "status, and the quality checks' findings (counts only).",
        "fr": "Les données de chaque section pour le cycle : nombre de valeurs attendues par le cadre, saisies, "
              "vérifiées et rejetées, médiane des jours entre la fin de la période et la saisie, statut "
              "d'approbation de la section et constats des contrôles de qualité (décomptes uniquement).",
    },
    "qa_section": {"en": "Section", "fr": "Section"},
    "qa_expected": {"en": "Expected", "fr": "Attendues"},
    "qa_entered": {"en": "Entered", "fr": "Saisies"},
    "qa_verified": {"en": "Verified", "fr": "Vérifiées"},
    "qa_rejected": {"en": "Rejected", "fr": "Rejetées"},
    "qa_completeness": {"en": "Completeness", "fr": "Complétude"},
    "qa_median_days_late": {"en": "Median days late", "fr": "Retard médian (jours)"},
    "qa_approval": {"en": "Approval", "fr": "Approbation"},
    "qa_findings": {"en": "Findings", "fr": "Constats"},
    "qa_findings_by_rule": {"en": "Quality-check findings by rule", "fr": "Constats des contrôles par règle"},
    "qa_rule": {"en": "Rule", "fr": "Règle"},
    "qa_open": {"en": "Open", "fr": "Ouverts"},
    "qa_follow_up": {"en": "Follow-up", "fr": "En suivi"},
    "qa_corrected": {"en": "Corrected", "fr": "Corrigés"},
    "qa_explained": {"en": "Explained", "fr": "Expliqués"},
    "qa_outlier_rate": {"en": "Outlier rate", "fr": "Taux de valeurs aberrantes"},
    "qa_not_approved": {"en": "section's data not yet approved", "fr": "données de la section non encore approuvées"},
    "qa_not_approved_note": {
        "en": "Values from sections whose data for this cycle is not yet approved are marked ◇.",
        "fr": "Les valeurs des sections dont les données de ce cycle ne sont pas encore approuvées sont marquées ◇.",
    },
    "qa_synthetic_timeliness": {
        "en": "The demonstration data was generated when the store was loaded, so its entry dates (and days late) "
              "say nothing about a real mission.",
        "fr": "Les données de démonstration ont été générées au chargement de la base : leurs dates de saisie (et "
              "les retards) ne disent rien d'une mission réelle.",
    },
    "appr_no_data": {"en": "no data", "fr": "pas de données"},
    "appr_in_progress": {"en": "in progress", "fr": "en cours"},
    "appr_submitted": {"en": "submitted", "fr": "soumis"},
    "appr_returned": {"en": "returned", "fr": "renvoyé"},
    "appr_approved": {"en": "approved", "fr": "approuvé"},
    "rule_outlier_modified_z": {"en": "outlier (modified z-score)", "fr": "valeur aberrante (score z modifié)"},
    "rule_outside_range": {"en": "outside the framework's range", "fr": "hors de l'intervalle du cadre"},
    "rule_outside_history_range": {"en": "outside the range of its history", "fr": "hors de l'intervalle historique"},
    "rule_parts_exceed_total": {"en": "parts exceed the total", "fr": "parties supérieures au total"},
    "rule_parts_short_of_total": {"en": "parts fall short of the total", "fr": "parties inférieures au total"},
    "rule_sudden_break": {"en": "sudden break", "fr": "rupture soudaine"},
    "rule_late_entry": {"en": "entered late", "fr": "saisie tardive"},
    "rule_no_source": {"en": "no source", "fr": "sans source"},
    # -- the study's data-quality part --------------------------------------------------------------------
    "study_dq_none": {"en": "No mission has a framework for these cycles.",
                      "fr": "Aucune mission n'a de cadre pour ces cycles."},
    "study_dq_title": {"en": "Data quality per mission and cycle", "fr": "Qualité des données par mission et cycle"},
    "study_dq_intro": {
        "en": "Completeness (values entered ÷ values the framework expects), timeliness (median days from the end "
              "of the period to entry) and outlier rate (values flagged by an outlier or break check ÷ numeric "
              "values) of each mission's last cycles.",
        "fr": "Complétude (valeurs saisies ÷ valeurs attendues par le cadre), ponctualité (médiane des jours entre "
              "la fin de la période et la saisie) et taux de valeurs aberrantes (valeurs signalées par un contrôle "
              "de valeur aberrante ou de rupture ÷ valeurs numériques) des derniers cycles de chaque mission.",
    },
}
