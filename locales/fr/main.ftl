# Haven — français. Chaque clé doit exister dans chaque fichier de langue.

## Navigation et cadre de page
nav-skip = Aller au contenu
nav-label = Menu principal
nav-home = Accueil
nav-catalog = Données de référence
nav-users = Utilisateurs
nav-audit = Journal d'audit
nav-settings = Paramètres
nav-account = Mon compte
nav-sign-out = Se déconnecter
nav-languages = Langues

## Rôles
role-administrator = Administrateur
role-protection-officer = Chargé de protection
role-project-manager = Chef de projet
role-case-worker = Travailleur social (gestion de cas)
role-feedback-agent = Agent de retour d'information (guichet, ligne d'assistance)
role-psea-focal-point = Point focal PSEA
role-me-officer = Chargé de suivi et évaluation
role-viewer = Lecteur

## Erreurs
error-title = Un problème est survenu
error-not-authenticated = Veuillez d'abord vous connecter.
error-forbidden = Vous n'êtes pas autorisé à faire ceci.
error-not-found = Cette page ou cet enregistrement n'existe pas.
error-bad-request = La requête n'est pas valide.
error-invalid = Une valeur de la requête n'est pas valide.
error-csrf = Le formulaire a expiré ou ne vient pas de Haven. Rechargez la page et réessayez.
error-too-many-requests = Trop de tentatives. Attendez quelques minutes et réessayez.
error-internal = Une erreur interne s'est produite. Elle a été journalisée ; veuillez réessayer plus tard.
error-method-not-allowed = Cette méthode n'est pas autorisée ici.
error-payload-too-large = La requête est trop volumineuse.
error-unsupported-media-type = Le corps de la requête n'a pas le bon type de contenu.
error-unprocessable = Le corps de la requête n'a pas pu être lu.
error-timeout = La requête a pris trop de temps.
error-already-exists = Cet élément existe déjà.
error-cannot-disable-self = Vous ne pouvez pas désactiver votre propre compte.

## Connexion
login-title = Connexion
login-username = Nom d'utilisateur
login-password = Mot de passe
login-submit = Se connecter
login-failed = Le nom d'utilisateur ou le mot de passe est incorrect.
login-locked = Trop de tentatives échouées : ce compte est verrouillé pour un moment. Réessayez plus tard ou adressez-vous à un administrateur.
login-throttled = Trop de tentatives de connexion depuis cette adresse. Attendez une minute et réessayez.
login-username-required = Saisissez votre nom d'utilisateur.
login-password-required = Saisissez votre mot de passe.

## Second facteur
mfa-title = Deuxième étape : code d'authentification
mfa-enter-code = Saisissez le code à 6 chiffres affiché par votre application d'authentification.
mfa-code = Code
mfa-verify = Vérifier
mfa-code-wrong = Ce code n'est pas valide. Vérifiez l'heure de votre téléphone et réessayez.
mfa-recovery-hint = Téléphone perdu ? Saisissez plutôt l'un de vos codes de secours.
mfa-enrol-title = Configurer un second facteur
mfa-enrol-scan = Scannez ce code avec une application d'authentification (par exemple FreeOTP ou Aegis), puis saisissez le code à 6 chiffres qu'elle affiche.
mfa-enrol-manual = Ou saisissez cette clé dans l'application :
mfa-qr-label = Code QR pour votre application d'authentification
mfa-enrol-confirm = Confirmer
mfa-codes-title = Vos codes de secours
mfa-enrolled = Le second facteur est maintenant actif.
mfa-codes-keep = Conservez ces codes en lieu sûr, loin de votre téléphone. Chacun fonctionne une fois si vous perdez votre téléphone. Ils ne seront plus affichés.
mfa-continue = Continuer

## Accueil
home-title = Accueil
home-your-roles = Vos rôles :
home-notices = Avis
home-nothing-yet = Rien n'est encore attribué à vos rôles.
home-card-catalog = Données de référence
home-card-catalog-text = Principes, phases, secteurs, groupes à risque, risques et lieux.
home-card-users = Utilisateurs et rôles
home-card-users-text = Comptes, rôles et seconds facteurs.
home-card-audit = Journal d'audit
home-card-audit-text = Qui a fait quoi, et quand ; toute altération est détectable.
home-card-settings = Paramètres
home-card-settings-text = Nom de l'organisation, fuseau horaire et semaine de travail.
notice-psea-focal-point-added = Un point focal PSEA a été ajouté ({ $when }).
notice-psea-focal-point-removed = Un point focal PSEA a été retiré ({ $when }).
notice-psea-credentials-reset = Les identifiants d'un point focal PSEA ont été réinitialisés ({ $when }).

## Compte
account-title = Mon compte
account-change-password = Changer le mot de passe
account-current-password = Mot de passe actuel
account-new-password = Nouveau mot de passe
account-confirm-password = Nouveau mot de passe (confirmation)
account-current-password-wrong = Le mot de passe actuel est incorrect.
account-passwords-differ = Les deux nouveaux mots de passe sont différents.
account-password-changed = Votre mot de passe a été changé.
account-language = Langue
account-save = Enregistrer
account-mfa = Second facteur
account-mfa-on = Activé
account-mfa-off = Désactivé
account-mfa-replace = Remplacer l'application d'authentification
account-mfa-set-up = Configurer un second facteur
account-tokens = Jetons d'API
account-token-name = Nom du jeton
account-token-days = Validité (jours)
account-token-create = Créer un jeton
account-token-created = Copiez ce jeton maintenant : il ne sera plus affiché.
account-token-created-at = Créé le
account-token-expires = Expire le
account-token-last-used = Dernière utilisation
account-token-never-used = Jamais
account-token-revoke = Révoquer
account-token-revoked = Révoqué
account-token-name-required = Donnez un nom au jeton (80 caractères au plus).
account-token-days-invalid = Un jeton est valable de 1 à 365 jours.
account-sessions = Sessions
account-logout-everywhere = Se déconnecter partout

## Mots de passe
password-too-short = Le mot de passe doit comporter au moins { $min } caractères.
password-too-long = Le mot de passe peut comporter au plus { $max } caractères.
password-contains-username = Le mot de passe ne doit pas contenir le nom d'utilisateur.

## Données de référence
catalog-title = Données de référence
catalog-intro = Le vocabulaire commun du travail de protection dans Haven. Les administrateurs peuvent ajouter des entrées locales.
catalog-kind = Type
catalog-entries = Entrées
catalog-code = Code
catalog-name = Nom
catalog-description = Description
catalog-local = locale
catalog-add = Ajouter une entrée locale
catalog-name-en = Nom en anglais
catalog-name-fr = Nom en français
catalog-name-ar = Nom en arabe
catalog-code-invalid = Utilisez de 1 à 64 lettres minuscules, chiffres et traits d'union.
catalog-code-taken = Ce code est déjà utilisé.
catalog-name-required = Un nom en anglais est obligatoire.
catalog-kind-principles = Principes de protection
catalog-kind-phases = Phases du projet
catalog-kind-sectors = Secteurs d'assistance (MCOF)
catalog-kind-at-risk-groups = Groupes à risque
catalog-kind-risks = Risques de protection (GPC)
catalog-kind-action-types = Types d'action de protection
catalog-kind-pillars = Piliers opérationnels (PiHA)
catalog-kind-age-brackets = Tranches d'âge
catalog-kind-feedback-typology = Typologie des retours (FICR)
catalog-kind-locations = Lieux

## Utilisateurs
users-title = Utilisateurs
users-count = { $count ->
    [one] { $count } utilisateur
   *[other] { $count } utilisateurs
}
users-username = Nom d'utilisateur
users-display-name = Nom complet
users-email = Courriel
users-roles = Rôles
users-role = Rôle
users-status = Statut
users-active = Actif
users-disabled = Désactivé
users-locked = Verrouillé
users-mfa = Second facteur
users-new = Nouvel utilisateur
users-initial-password = Mot de passe initial (à changer à la première connexion)
users-create = Créer l'utilisateur
users-username-length = Un nom d'utilisateur comporte de 2 à 64 caractères.
users-username-characters = Utilisez les lettres minuscules a–z, les chiffres, les points, les traits d'union et les tirets bas.
users-username-taken = Ce nom d'utilisateur est déjà pris.
users-display-name-required = Saisissez le nom de la personne.
users-grant = Attribuer le rôle
users-revoke = Retirer
users-location-scope = Limité au lieu (chemin de P-codes, facultatif)
users-credentials = Identifiants
users-new-password = Nouveau mot de passe
users-reset-password = Réinitialiser le mot de passe
users-reset-mfa = Réinitialiser le second facteur
users-password-was-reset = Le mot de passe a été réinitialisé ; l'utilisateur devra le changer à la prochaine connexion.
users-mfa-was-reset = Le second facteur a été supprimé ; l'utilisateur en configurera un nouveau.
users-disable = Désactiver le compte
users-enable = Activer le compte

## Audit
audit-title = Journal d'audit
audit-filter-action = Action commençant par
audit-filter = Filtrer
audit-time = Heure
audit-actor = Auteur
audit-action = Action
audit-entity = Enregistrement
audit-summary = Résumé
audit-older = Entrées plus anciennes

## Paramètres
settings-title = Paramètres de l'organisation
settings-organisation = Nom de l'organisation
settings-time-zone = Fuseau horaire (par ex. Africa/Nairobi)
settings-working-week = Jours ouvrés (par ex. mon,tue,wed,thu,fri ou sun,mon,tue,wed,thu)
settings-time-zone-invalid = Saisissez un fuseau horaire tel que Africa/Nairobi, ou UTC.
settings-working-week-invalid = Indiquez les jours parmi mon, tue, wed, thu, fri, sat, sun, séparés par des virgules.
settings-saved = Paramètres enregistrés.
settings-mfa-roles = Rôles qui doivent utiliser un second facteur

## Feedback: field problems
error-required = Ce champ est obligatoire.
error-too-long = C'est trop long.
error-unknown-code = Cette valeur ne fait pas partie des choix possibles.
error-invalid-phone = Saisissez un numéro de 6 à 15 chiffres, éventuellement précédé de +.
error-consent-required = Les coordonnées ne sont conservées qu'avec le consentement : cochez la case de consentement ou ne les donnez pas.
error-out-of-range = Saisissez un âge entre 0 et 120.
error-age-or-bracket = Donnez soit l'âge, soit la tranche d'âge, pas les deux.
error-invalid-language = Utilisez un code de langue de deux ou trois lettres, comme en, fr ou ar.
error-unknown-location = Ce lieu ne figure pas dans la liste des lieux.
error-feedback-not-set-up = Les retours sensibles ne peuvent pas encore être reçus : un point focal PSEA doit d'abord créer la clé du bureau.
error-unavailable = Le service n'est pas disponible pour le moment.

## Feedback: the public form and status page
feedback-new-title = Donner un avis ou déposer une plainte
feedback-new-intro = Parlez-nous d'un problème, d'une question, d'une suggestion ou de ce qui s'est bien passé. Vous n'êtes pas obligé de donner votre nom.
feedback-text = Votre message
feedback-about = Est-ce au sujet de l'un de ces points ?
feedback-about-hint = Les signalements d'abus, d'exploitation ou de fraude ne sont vus que par une petite équipe protégée.
feedback-about-general = Aucun de ces points
feedback-about-sea = Abus ou exploitation sexuels par une personne travaillant dans l'aide
feedback-about-fraud = Fraude, pots-de-vin ou vol de l'aide
feedback-about-misconduct = Mauvais comportement du personnel ou de bénévoles
feedback-about-child_safeguarding = Un enfant en danger
feedback-about-safety_threat = Une menace pour la sécurité de quelqu'un
feedback-about-you = À propos de vous (facultatif)
feedback-sex = Sexe
feedback-sex-none = Je préfère ne pas le dire
feedback-sex-f = Femme
feedback-sex-m = Homme
feedback-sex-x = Autre
feedback-sex-u = Inconnu
feedback-age = Âge
feedback-contact = Si vous souhaitez une réponse (facultatif)
feedback-contact-hint = Nous ne gardons vos coordonnées que si vous êtes d'accord, et seulement pour vous répondre.
feedback-contact-name = Nom
feedback-contact-phone = Numéro de téléphone
feedback-safe-contact = Quand et comment peut-on vous contacter sans danger ?
feedback-consent = J'accepte d'être contacté au sujet de ce message.
feedback-send = Envoyer
feedback-status-link = Suivre un message
feedback-thanks-title = Merci, votre message a été reçu
feedback-thanks-reference = Votre référence :
feedback-thanks-keep = Gardez cette référence pour suivre votre message. Personne d'autre que vous n'en a besoin.
feedback-status-title = Suivi d'un message
feedback-status-reference = Référence
feedback-status-check = Vérifier
feedback-status-response = Notre réponse
feedback-status-unknown = Aucun message ne porte cette référence. Vérifiez-la et réessayez.
feedback-public-status-received = Reçu
feedback-public-status-acknowledged = Reçu et en cours d'examen
feedback-public-status-assigned = En cours de traitement
feedback-public-status-referred = Transmis à l'équipe qui peut agir
feedback-public-status-responded = Réponse donnée
feedback-public-status-closed = Clos
feedback-public-status-in-progress = Reçu et en cours de traitement
feedback-sms-ack = Merci, votre message a été reçu. Votre référence : { $reference }
error-invalid-time = Donnez l'heure au format RFC 3339, par exemple 2026-03-06T14:05:00Z.
error-item-closed = Cet élément est clos : rouvrez-le d'abord.
error-item-not-closed = Seul un élément clos peut être rouvert.
error-not-responded = Répondez avant de clore, ou clôturez pour un motif qui ne demande pas de réponse (doublon, retiré, incomplet, injoignable).
error-sealed-referral = Les éléments scellés sont transmis pour enquête ou à des services d'assistance.
error-open-referral = Les transmissions pour enquête ou assistance concernent les éléments scellés.
error-office-key-needed = L'ouverture d'un contenu scellé demande la clé du bureau PSEA : reconnectez-vous avec votre mot de passe.
error-changed = Quelqu'un a modifié cet élément entre-temps. Rechargez-le et réessayez.
error-unknown-user = Aucun utilisateur ne porte ce nom.
error-not-sealed = Cet élément n'est pas scellé.

## Feedback: staff pages
nav-feedback = Retours
feedback-list-title = Retours et plaintes
feedback-record-title = Enregistrer un retour
feedback-search = Mots
feedback-status = Statut
feedback-any = Tous
feedback-channel = Canal
feedback-filter = Afficher
feedback-count = { $count ->
    [one] { $count } élément
   *[other] { $count } éléments
}
feedback-reference = Référence
feedback-received = Reçu
feedback-priority = Priorité
feedback-due = Échéance
feedback-overdue = en retard
feedback-seal = Scellé
feedback-seal-open = ouvert
feedback-seal-provisional = scellé en attente de la décision d'un point focal PSEA
feedback-seal-sealed = scellé
feedback-channel-web = Formulaire web
feedback-channel-sms = SMS
feedback-channel-whatsapp = WhatsApp
feedback-channel-hotline = Ligne d'écoute
feedback-channel-helpdesk = Guichet d'information
feedback-channel-suggestion_box = Boîte à suggestions
feedback-channel-community_meeting = Réunion communautaire
feedback-channel-field_visit = Visite de terrain
feedback-channel-survey = Enquête
feedback-channel-email = Courriel
feedback-channel-other = Autre
feedback-status-received = Reçu
feedback-status-acknowledged = Accusé de réception
feedback-status-assigned = Attribué
feedback-status-referred = Transmis
feedback-status-responded = Réponse donnée
feedback-status-closed = Clos
feedback-respond-by = Répondre avant le
feedback-refer-by = Transmettre avant le
feedback-criticality = Criticité
feedback-criticality-urgent = Urgent : vie ou sécurité en danger
feedback-criticality-action_needed = Action nécessaire
feedback-criticality-no_immediate_action = Pas d'action immédiate
feedback-criticality-action_taken = Action déjà menée
feedback-criticality-to_be_clarified = À préciser
feedback-location = Lieu
feedback-history = Historique
feedback-steps = Étapes suivantes
feedback-note = Note
feedback-step-acknowledge = Accuser réception
feedback-step-assign = Attribuer
feedback-step-refer = Transmettre
feedback-step-respond = Répondre
feedback-step-close = Clore
feedback-step-reopen = Rouvrir
feedback-step-note = Ajouter une note
feedback-step-seal-confirmed = Scellé confirmé
feedback-step-unsealed = Scellé levé
feedback-assignee = Attribuer à (nom d'utilisateur)
feedback-referral-kind = Transmettre à
feedback-referral-internal = Une autre de nos équipes
feedback-referral-partner = Une organisation partenaire
feedback-referral-investigation = L'organisation de l'auteur présumé ou son bureau d'enquête
feedback-referral-assistance = Des services d'assistance pour la personne survivante
feedback-referred-to = Équipe ou organisation
feedback-consent-services = La personne survivante consent à cette orientation
feedback-public-response = Réponse à la personne (affichée sur la page de suivi)
feedback-closure-reason = Motif de clôture
feedback-closure-resolved = Résolu
feedback-closure-information_provided = Information donnée
feedback-closure-referred_handed_over = Transmis et pris en charge
feedback-closure-no_action_possible = Aucune action possible (expliqué)
feedback-closure-unreachable = Personne injoignable
feedback-closure-duplicate = Doublon
feedback-closure-withdrawn = Retiré
feedback-closure-incomplete = Incomplet
feedback-loop-closing = Comment la boucle a été bouclée
feedback-loop-immediately = Réponse immédiate
feedback-loop-follow_up_call = Appel de suivi
feedback-loop-follow_up_visit = Visite de suivi
feedback-loop-follow_up_message = Message de suivi
feedback-loop-through_focal_point = Par un point focal
feedback-loop-community_meeting = En réunion communautaire
feedback-loop-not_possible = Impossible
feedback-satisfaction = Satisfaction de la personne
feedback-satisfaction-satisfied = Satisfaite
feedback-satisfaction-neutral = Ni l'un ni l'autre
feedback-satisfaction-dissatisfied = Insatisfaite
feedback-satisfaction-not_asked = Non demandé
feedback-seal-decision = Décision sur le scellé
feedback-seal-confirm = Sensible : garder scellé
feedback-seal-unseal = Pas sensible : lever le scellé
feedback-reason = Motif
feedback-seal-decide = Décider
feedback-record-sealed = Enregistré et scellé : seuls les points focaux PSEA peuvent le voir désormais. Référence :
feedback-record-minimum = Pour un abus, une exploitation ou une fraude, notez seulement quoi, où et quand, et l'organisation de la personne en cause si elle est connue. Ne demandez pas de détails.
feedback-about-person = La personne qui donne son avis
feedback-disability = A un handicap (questionnaire court du Groupe de Washington)
feedback-consent-given = La personne accepte d'être contactée
feedback-record-save = Enregistrer
feedback-category = Catégorie (typologie FICR)
