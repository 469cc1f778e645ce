"""English and French for the live workshop: the refusal sentences of :mod:`cpas_kit.workshop.sessions` and the labels
of the participant and facilitator apps. Merged into :data:`cpas_kit.core.i18n.LABELS`, so ``t(key, "fr")`` works
for them like for every other label. The English refusals are the workshop's own ``MESSAGES``.
"""

from __future__ import annotations

# One sentence per refusal; ``{…}`` are filled in by WorkshopError.
MESSAGES: dict[str, dict[str, str]] = {
    "ws_no_session": {
        "en": "there is no workshop session with the join code '{code}'; check the code on the facilitator's screen",
        "fr": "aucune séance d'atelier n'a le code « {code} » ; vérifiez le code affiché sur l'écran de l'animateur"},
    "ws_bad_code": {
        "en": "'{code}' is not a join code: a join code has {length} letters and digits, e.g. K7QM2P",
        "fr": "« {code} » n'est pas un code de séance : un code a {length} lettres et chiffres, p. ex. K7QM2P"},
    "ws_no_participant": {
        "en": "this participant link is no longer valid; join again with the session code, your name and your section",
        "fr": "ce lien de participant n'est plus valable ; rejoignez la séance avec son code, votre nom et votre "
              "section"},
    "ws_control": {
        "en": "the {what} holds a control character (such as a NUL byte or an escape), which cannot be stored; retype "
              "it",
        "fr": "le texte ({what}) contient un caractère de contrôle (octet nul, échappement…) qui ne peut pas être "
              "enregistré ; saisissez-le à nouveau"},
    "ws_too_many": {
        "en": "too many wrong join codes from this computer; wait {minutes} minutes, then type the code shown on the "
              "facilitator's screen",
        "fr": "trop de codes de séance erronés depuis cet ordinateur ; attendez {minutes} minutes, puis saisissez le "
              "code affiché sur l'écran de l'animateur"},
    "ws_not_authorised": {
        "en": "this name and passphrase may not start sessions; ask the person who runs the server to authorise you "
              "with `cpas workshop authorise YOUR NAME`, or start the session there with `cpas workshop start`",
        "fr": "ce nom et cette phrase secrète ne permettent pas d'ouvrir une séance ; demandez à la personne qui gère "
              "le serveur de vous autoriser avec `cpas workshop authorise VOTRE NOM`, ou d'ouvrir la séance avec "
              "`cpas workshop start`"},
    "ws_closed": {
        "en": "session {code} is closed; nothing more can be changed in it",
        "fr": "la séance {code} est close ; plus rien ne peut y être modifié"},
    "ws_key": {
        "en": "the facilitator key for session {code} is not right; use the key shown when the session was started",
        "fr": "la clé d'animateur de la séance {code} est incorrecte ; utilisez la clé affichée à l'ouverture de la "
              "séance"},
    "ws_scale": {
        "en": "'{value}' is not on this session's {scale} scale; choose one of: {options}",
        "fr": "« {value} » ne figure pas sur l'échelle « {scale} » de cette séance ; choisissez parmi : {options}"},
    "ws_empty_rating": {
        "en": "choose a progress or a contribution rating (or write a reason) before saving",
        "fr": "choisissez une appréciation du progrès ou de la contribution (ou écrivez une justification) avant "
              "d'enregistrer"},
    "ws_outcome": {
        "en": "outcome '{outcome}' is not discussed in session {code}; its outcomes are: {options}",
        "fr": "le résultat « {outcome} » n'est pas examiné dans la séance {code} ; ses résultats sont : {options}"},
    "ws_too_long": {
        "en": "the {what} is {n} characters long; keep it to {limit} characters",
        "fr": "le texte « {what} » compte {n} caractères ; limitez-le à {limit} caractères"},
    "ws_name": {
        "en": "enter your name (at most {limit} characters)",
        "fr": "saisissez votre nom ({limit} caractères au plus)"},
    "ws_section": {
        "en": "'{section}' is not a section of this mission; choose one of: {options}",
        "fr": "« {section} » n'est pas une section de cette mission ; choisissez parmi : {options}"},
    "ws_no_text": {"en": "a recommendation needs its text", "fr": "une recommandation doit avoir un texte"},
    "ws_not_yours": {
        "en": "proposal {proposal} was made by another participant; only they can change it",
        "fr": "la proposition {proposal} a été faite par un autre participant ; lui seul peut la modifier"},
    "ws_no_proposal": {
        "en": "there is no proposal {proposal} in session {code}",
        "fr": "il n'y a pas de proposition {proposal} dans la séance {code}"},
    "ws_proposal_sent": {
        "en": "proposal {proposal} was already sent to the tracker; it can no longer be changed",
        "fr": "la proposition {proposal} a déjà été envoyée au suivi ; elle ne peut plus être modifiée"},
    "ws_proposal_merged": {
        "en": "proposal {proposal} was already merged into proposal {into}; it can no longer be changed",
        "fr": "la proposition {proposal} a déjà été fusionnée dans la proposition {into} ; elle ne peut plus être "
              "modifiée"},
    "ws_merge_self": {
        "en": "a proposal cannot be merged into itself (proposal {proposal})",
        "fr": "une proposition ne peut pas être fusionnée avec elle-même (proposition {proposal})"},
    "ws_merge_merged": {
        "en": "proposal {proposal} was itself merged into proposal {into}; merge into {into} instead",
        "fr": "la proposition {proposal} a elle-même été fusionnée dans la proposition {into} ; fusionnez plutôt "
              "dans {into}"},
    "ws_merged_not_sent": {
        "en": "proposal {proposal} was merged into proposal {into}; send proposal {into} instead",
        "fr": "la proposition {proposal} a été fusionnée dans la proposition {into} ; envoyez plutôt la "
              "proposition {into}"},
    "ws_order_empty": {
        "en": "the outcome order needs at least one outcome",
        "fr": "l'ordre des résultats doit comporter au moins un résultat"},
    "ws_order_twice": {
        "en": "outcome '{outcome}' appears twice in the outcome order",
        "fr": "le résultat « {outcome} » figure deux fois dans l'ordre des résultats"},
    "ws_order_unknown": {
        "en": "'{outcome}' is not an outcome of the {mission} results framework; its outcomes are: {options}",
        "fr": "« {outcome} » n'est pas un résultat du cadre de résultats de {mission} ; ses résultats sont : "
              "{options}"},
    "ws_empty_agreed": {
        "en": "record at least the agreed progress, the agreed contribution or the analysis",
        "fr": "indiquez au moins le progrès convenu, la contribution convenue ou l'analyse"},
    "ws_who": {"en": "say who is recording this (a name)", "fr": "indiquez qui enregistre (un nom)"},
}

LABELS: dict[str, dict[str, str]] = {
    # words a refusal names ({scale}, {what}): cpas_kit.workshop.pages.error_text translates them
    "ws_word_progress": {"en": "progress", "fr": "progrès"},
    "ws_word_contribution": {"en": "contribution", "fr": "contribution"},
    "ws_word_reason": {"en": "reason", "fr": "justification"},
    "ws_word_analysis": {"en": "analysis", "fr": "analyse"},
    "ws_word_recommendation": {"en": "recommendation", "fr": "recommandation"},
    # rating scales (default values; a mission's own values are shown as written)
    "significant progress": {"en": "significant progress", "fr": "progrès important"},
    "some progress": {"en": "some progress", "fr": "quelques progrès"},
    "no change": {"en": "no change", "fr": "pas de changement"},
    "deterioration": {"en": "deterioration", "fr": "détérioration"},
    "insufficient data": {"en": "insufficient data", "fr": "données insuffisantes"},
    "significant": {"en": "significant", "fr": "importante"},
    "some": {"en": "some", "fr": "partielle"},
    "none": {"en": "none", "fr": "aucune"},
    "unclear": {"en": "unclear", "fr": "incertaine"},
    "progress_scale": {"en": "progress", "fr": "progrès"},
    "contribution_scale": {"en": "contribution", "fr": "contribution"},
    # participant app
    "ws_title": {"en": "Impact-assessment workshop", "fr": "Atelier d'évaluation d'impact"},
    "ws_join_title": {"en": "Join the session", "fr": "Rejoindre la séance"},
    "ws_code": {"en": "Session code", "fr": "Code de la séance"},
    "ws_your_name": {"en": "Your name", "fr": "Votre nom"},
    "ws_your_section": {"en": "Your section", "fr": "Votre section"},
    "ws_choose_section": {"en": "choose your section in the list", "fr": "choisissez votre section dans la liste"},
    "ws_join": {"en": "Join", "fr": "Rejoindre"},
    "ws_check_code": {"en": "Check the code", "fr": "Vérifier le code"},
    "ws_welcome": {"en": "Joined as {name} ({section}).", "fr": "Vous participez en tant que {name} ({section})."},
    "ws_welcome_back": {"en": "Welcome back, {name} ({section}): your ratings and proposals are restored.",
                        "fr": "Bon retour, {name} ({section}) : vos appréciations et propositions sont restaurées."},
    "ws_link": {"en": "Your personal link (keep it to come back to this page):",
                "fr": "Votre lien personnel (conservez-le pour revenir à cette page) :"},
    "ws_outcome_of": {"en": "Outcome {i} of {n}", "fr": "Résultat {i} sur {n}"},
    "ws_now_discussed": {"en": "now discussed", "fr": "en discussion"},
    "ws_follow": {"en": "Follow the facilitator", "fr": "Suivre l'animateur"},
    "ws_previous": {"en": "Previous", "fr": "Précédent"},
    "ws_next": {"en": "Next", "fr": "Suivant"},
    "ws_your_rating": {"en": "Your rating", "fr": "Votre appréciation"},
    "ws_progress_q": {"en": "Progress towards the outcome", "fr": "Progrès vers le résultat"},
    "ws_contribution_q": {"en": "The mission's contribution", "fr": "Contribution de la mission"},
    "ws_reason": {"en": "Reason (short)", "fr": "Justification (courte)"},
    "ws_save": {"en": "Save my rating", "fr": "Enregistrer mon appréciation"},
    "ws_saved": {"en": "Saved at {time}.", "fr": "Enregistré à {time}."},
    "ws_not_saved": {"en": "Not saved: {message}", "fr": "Non enregistré : {message}"},
    "ws_store_busy": {"en": "the store did not answer; nothing was lost on this page, press the button again",
                      "fr": "la base n'a pas répondu ; rien n'est perdu sur cette page, appuyez de nouveau sur le "
                            "bouton"},
    "ws_saved_rating": {"en": "Saved: progress {progress}, contribution {contribution}.",
                        "fr": "Enregistré : progrès {progress}, contribution {contribution}."},
    "ws_not_rated": {"en": "not rated yet", "fr": "pas encore apprécié"},
    "ws_propose_title": {"en": "Propose a recommendation", "fr": "Proposer une recommandation"},
    "ws_proposal_text": {"en": "Recommendation", "fr": "Recommandation"},
    "ws_lead": {"en": "Lead section", "fr": "Section chef de file"},
    "ws_supporting": {"en": "Supporting sections", "fr": "Sections d'appui"},
    "ws_propose": {"en": "Propose", "fr": "Proposer"},
    "ws_proposed": {"en": "Proposal {id} saved.", "fr": "Proposition {id} enregistrée."},
    "ws_your_proposals": {"en": "Your proposals for this outcome", "fr": "Vos propositions pour ce résultat"},
    "ws_none_yet": {"en": "none yet", "fr": "aucune pour l'instant"},
    "ws_no_indicators": {"en": "This outcome has no indicators.", "fr": "Ce résultat n'a pas d'indicateur."},
    "ws_session_closed": {"en": "This session is closed: you can read but no longer change it.",
                          "fr": "Cette séance est close : vous pouvez la consulter mais plus la modifier."},
    "ws_choose": {"en": "(choose)", "fr": "(choisir)"},
    "ws_pending": {"en": "pending", "fr": "en attente"},
    "ws_merged": {"en": "merged", "fr": "fusionnée"},
    "ws_sent": {"en": "sent to the tracker", "fr": "envoyée au suivi"},
    # facilitator app
    "ws_fac_title": {"en": "Workshop facilitator", "fr": "Animation de l'atelier"},
    "ws_key_label": {"en": "Facilitator key", "fr": "Clé d'animateur"},
    "ws_open": {"en": "Open the session", "fr": "Ouvrir la séance"},
    "ws_or_start": {"en": "or start a new session", "fr": "ou ouvrir une nouvelle séance"},
    "ws_start": {"en": "Start a session", "fr": "Ouvrir une séance"},
    "ws_passphrase_label": {"en": "Facilitator passphrase", "fr": "Phrase secrète d'animateur"},
    "ws_started": {"en": "Session {code} started. Participants join with the code {code}. Your facilitator key "
                         "(shown only now — write it down): {key}",
                   "fr": "Séance {code} ouverte. Les participants la rejoignent avec le code {code}. Votre clé "
                         "d'animateur (affichée une seule fois — notez-la) : {key}"},
    "ws_your_name_fac": {"en": "Your name (recorded with each action)",
                         "fr": "Votre nom (enregistré avec chaque action)"},
    "ws_current": {"en": "Outcome under discussion", "fr": "Résultat en discussion"},
    "ws_go": {"en": "Move the group here", "fr": "Amener le groupe ici"},
    "ws_participants": {"en": "Participants", "fr": "Participants"},
    "ws_joined_rated": {"en": "{n} joined · {rated} rated this outcome",
                        "fr": "{n} inscrits · {rated} ont apprécié ce résultat"},
    "ws_rated": {"en": "rated", "fr": "a apprécié"},
    "ws_waiting": {"en": "not yet", "fr": "pas encore"},
    "ws_distribution": {"en": "Ratings of this outcome", "fr": "Appréciations de ce résultat"},
    "ws_agreement": {"en": "Agreement", "fr": "Accord"},
    "ws_contested": {"en": "the group disagrees: no rating has a majority",
                     "fr": "le groupe est partagé : aucune appréciation n'est majoritaire"},
    "ws_consensus": {"en": "{share} chose {value}", "fr": "{share} ont choisi « {value} »"},
    "ws_no_ratings": {"en": "no ratings yet", "fr": "aucune appréciation pour l'instant"},
    "ws_reasons": {"en": "Reasons given", "fr": "Justifications données"},
    "ws_agreed_title": {"en": "The group's agreed result", "fr": "Résultat convenu par le groupe"},
    "ws_agreed_progress": {"en": "Agreed progress", "fr": "Progrès convenu"},
    "ws_agreed_contribution": {"en": "Agreed contribution", "fr": "Contribution convenue"},
    "ws_analysis": {"en": "Analysis (why)", "fr": "Analyse (pourquoi)"},
    "ws_record": {"en": "Record the agreed result", "fr": "Enregistrer le résultat convenu"},
    "ws_recorded": {"en": "Agreed result recorded at {time}.", "fr": "Résultat convenu enregistré à {time}."},
    "ws_proposals": {"en": "Recommendation proposals", "fr": "Propositions de recommandations"},
    "ws_merge_into": {"en": "Merge the ticked proposals into", "fr": "Fusionner les propositions cochées dans"},
    "ws_merge": {"en": "Merge", "fr": "Fusionner"},
    "ws_send": {"en": "Send the ticked proposals to the tracker (Awaiting Review)",
                "fr": "Envoyer les propositions cochées au suivi (en attente d'examen)"},
    "ws_merged_msg": {"en": "Merged {ids} into {into}.", "fr": "{ids} fusionnée(s) dans {into}."},
    "ws_sent_msg": {"en": "Sent to the tracker: {ids}.", "fr": "Envoyée(s) au suivi : {ids}."},
    "ws_tick_some": {"en": "tick at least one proposal first", "fr": "cochez d'abord au moins une proposition"},
    "ws_live": {"en": "Live — updated {time}", "fr": "En direct — mis à jour à {time}"},
    "ws_close": {"en": "Close the session", "fr": "Clore la séance"},
    "ws_closed_msg": {"en": "Session closed.", "fr": "Séance close."},
    "ws_by_line": {"en": "by {name} ({section})", "fr": "par {name} ({section})"},
}
