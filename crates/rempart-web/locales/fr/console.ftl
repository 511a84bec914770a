# Console web de Rempart, français.

skip-to-content = Aller au contenu
nav-label = Principal
nav-queues = Dossiers
sign-out = Se déconnecter

error-status = Erreur { $count }
error-back = Retour aux dossiers
error-not-found = Rien ici : la page n’existe pas, ou vous ne pouvez pas la voir.
error-forbidden = Vous ne pouvez pas faire cela.
error-too-many = Trop de tentatives. Attendez un peu, puis réessayez.
error-internal = Le serveur a rencontré un problème. Rien n’a été modifié ; réessayez.
error-refused = Ceci a été refusé.
error-csrf = Ce formulaire a expiré ou ne vient pas de Rempart. Rien n’a été fait : rouvrez la page et renvoyez-le.
error-required = Écrivez quelque chose ici.
error-too-long = C’est trop long.

login-title = Connexion
login-email = Adresse e-mail
login-password = Mot de passe
login-code = Code d’authentification
login-code-hint = Les six chiffres de votre application d’authentification, si vous en avez enregistré une.
login-submit = Se connecter
login-code-required = Saisissez le code de votre application d’authentification.
login-too-many = { $count ->
    [one] Trop de tentatives échouées. Réessayez dans une minute.
   *[other] Trop de tentatives échouées. Réessayez dans { $count } minutes.
}
login-failed = Adresse, mot de passe ou code incorrect.

unlock-title = Déverrouiller Rempart
unlock-intro = Rempart a démarré scellé : sa clé maîtresse est protégée par une phrase de passe, et rien de ce qu’il contient ne peut être lu tant qu’un·e responsable ou un·e administrateur·rice ne l’a pas saisie. Le courrier qui arrive entre-temps est conservé, chiffré, et classé après le déverrouillage.
unlock-passphrase = Phrase de passe de la clé maîtresse
unlock-submit = Déverrouiller
unlock-wrong = Phrase de passe incorrecte.
unlock-too-many = { $count ->
    [one] Trop de phrases de passe incorrectes. Réessayez dans une minute.
   *[other] Trop de phrases de passe incorrectes. Réessayez dans { $count } minutes.
}
unlock-not-this-database = Cette phrase de passe ouvre une clé maîtresse, mais pas celle qui a scellé cette base de données.
unlock-failed = Le service n’a pas pu être déverrouillé : consultez son journal.

password-title = Changer votre mot de passe
password-required = Vous vous êtes connecté·e avec un mot de passe à usage unique. Choisissez le vôtre avant de continuer.
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-new-hint = Au moins 12 caractères ; une phrase que vous seul·e imagineriez convient bien.
password-repeat = Nouveau mot de passe, à nouveau
password-submit = Changer le mot de passe
password-mismatch = Les deux nouveaux mots de passe diffèrent.
password-wrong = Ce n’est pas votre mot de passe actuel.
password-weak = Ce mot de passe est trop facile à deviner.

queues-title = Dossiers
queues-index = Files
queues-refresh = Actualiser les listes
queue-count = { $count ->
    [one] { $count } dossier
   *[other] { $count } dossiers
}
queue-count-over = plus de { $count }
queue-mine = Mes dossiers ouverts
queue-mine-empty = Aucun dossier ouvert ne vous est attribué.
queue-new = Nouveaux et non attribués
queue-new-empty = Aucun dossier n’attend qu’on le prenne.
queue-third = En attente d’un tiers
queue-third-empty = Aucun de vos dossiers n’attend un tiers.
queue-closed = Résolus ou fermés récemment
queue-closed-empty = Vous n’avez pas résolu ni fermé de dossier récemment.

col-reference = Référence
col-summary = Résumé
col-urgency = Urgence
col-status = Statut
col-waiting = En attente depuis
col-assignee = Attribué à

flag-imminent = Risque imminent
flag-restricted = Restreint
flag-reply-held = Réponses retenues

duration-days = { $count } j
duration-hours = { $count } h
duration-minutes = { $count } min

status-new = Nouveau
status-open = Ouvert
status-waiting-beneficiary = En attente du ou de la bénéficiaire
status-waiting-third-party = En attente d’un tiers
status-resolved = Résolu
status-closed = Fermé

move-new = Remettre en nouveau
move-open = Ouvrir
move-waiting-beneficiary = Attendre le ou la bénéficiaire
move-waiting-third-party = Attendre un tiers
move-resolved = Résoudre
move-closed = Fermer

urgency-critical = Critique
urgency-high = Haute
urgency-medium = Moyenne
urgency-low = Basse

priority-P1 = P1 (la plus haute)
priority-P2 = P2
priority-P3 = P3
priority-P4 = P4 (la plus basse)

threat-direct = Menace directe
threat-indirect = Menace indirecte
threat-security-incident = Incident de sécurité

verification-unverified = Non vérifié·e
verification-verified = Vérifié·e
verification-rejected = Refusé·e

trust-unconfirmed = non confirmée
trust-confirmed = confirmée

signature-good = Signature valide
signature-bad = Signature invalide
signature-unknown-key = Signé par une clé inconnue
signature-none = Non signé

delivery-queued = En file d’envoi
delivery-sent = Envoyé, chiffré
delivery-failed = Non distribué
delivery-needs-key = Retenu : clé nécessaire

case-title = Dossier
case-facts = Le dossier
case-moves = Faire avancer le dossier
case-urgency = Urgence
case-priority = Priorité
case-assignee = Attribué à
case-opened = Ouvert le
case-threat = Menace
value-none = aucun

beneficiary-title = Bénéficiaire
beneficiary-name = Nom
beneficiary-addresses = Adresses
beneficiary-verification = Vérification
beneficiary-language = Langue
beneficiary-key = Clé OpenPGP
key-none = Pas encore de clé

fate-encrypted-confirmed = Votre réponse sera chiffrée pour la clé { $key } (confirmée) et signée par la ligne d’assistance.
fate-encrypted-unconfirmed = Votre réponse sera chiffrée pour la clé { $key }, que personne n’a encore confirmée par un autre canal.
fate-held-key-change = Votre réponse sera retenue : un changement vers la clé { $key } est en attente. Acceptez-le ou refusez-le d’abord.
fate-held-no-key = Votre réponse sera retenue : il n’y a pas de clé pour la chiffrer. Une clé est demandée au ou à la bénéficiaire.

thread-title = Messages et commentaires
thread-empty = Rien pour l’instant.
thread-kind-comment = Commentaire interne
thread-kind-reply = Réponse
thread-kind-message = Message
thread-third-party = Tiers
thread-encrypted = Chiffré
thread-not-encrypted = Non chiffré

reply-title = Répondre au ou à la bénéficiaire
reply-label = Votre réponse (envoyée par e-mail)
reply-submit = Envoyer la réponse
comment-title = Commentaire interne
comment-hint = Seule l’équipe de la ligne d’assistance voit les commentaires. Rien n’est envoyé à personne.
comment-label = Votre commentaire (interne)
comment-submit = Ajouter le commentaire

stale-status = Quelqu’un d’autre a modifié ce dossier entre-temps : il est maintenant « { $status } ».
stale-nothing-done = Votre changement n’a pas été fait. Relisez le dossier, puis décidez.

check-in-title = Début de permanence
check-in-shift = Votre permanence : { $from }
check-in-question = Êtes-vous en état de prendre des dossiers pendant cette permanence ?
check-in-fit = Oui, je peux prendre des dossiers
check-in-not-fit = Pas aujourd’hui : confier mon accueil à la personne d’astreinte
check-in-note = Une note pour vous (facultatif)
check-in-note-hint = Privée : vous seul·e la lirez. Les responsables voient seulement si vous êtes disponible, jamais pourquoi.
check-in-submit = Répondre
check-in-later = Pas maintenant : voir mes dossiers (aucun nouveau dossier ne vous arrive avant votre réponse)
check-in-choose = Choisissez l’une des deux réponses.
check-in-no-shift = Vous n’avez pas de permanence en ce moment : il n’y a rien à pointer.
check-in-nothing = Vous n’avez pas de permanence qui commence ou en cours.
check-in-history = Vos pointages
check-in-was-fit = disponible
check-in-was-not-fit = indisponible
check-in-pending = Vous n’avez pas répondu à la question de début de permanence : aucun nouveau dossier ne vous arrive avant votre réponse.
check-in-answer = Y répondre maintenant
nav-check-in = Pointage

nav-search = Recherche
search-title = Recherche
search-words = Mots
search-words-hint = Des mots entiers, tous, dans le résumé ou les messages ; une référence (RMP-2026-000123) ouvre le dossier.
search-beneficiary = Nom ou adresse du ou de la bénéficiaire
search-indicator = Indicateur
search-indicator-hint = Un numéro, une adresse, une plaque, un domaine, un lien ou l’empreinte d’un fichier : a-t-il déjà été signalé ?
search-filters = Filtres
search-submit = Rechercher
search-invalid = Cette recherche est illisible
search-matches = Dossiers où « { $value } » a été signalé
search-no-match = Il n’a été signalé dans aucun dossier que vous pouvez voir.
search-cases = Dossiers trouvés
search-no-case = Aucun dossier que vous pouvez voir ne correspond.
filter-any = Tous
filter-assignee-me = Moi
filter-assignee-none = Personne
filter-yes = Oui
filter-no = Non
filter-sort = Ordre
filter-sort-oldest = Les plus anciens d’abord
filter-sort-updated = Modifiés récemment d’abord
filter-created-from = Ouverts à partir du
filter-created-to = Ouverts avant le
col-kind = Type
col-value = Valeur
indicator-domain = Domaine
indicator-ip = Adresse IP
indicator-cidr = Réseau IP
indicator-url = Lien
indicator-email = Adresse e-mail
indicator-phone = Numéro de téléphone
indicator-hash-md5 = Empreinte MD5
indicator-hash-sha1 = Empreinte SHA-1
indicator-hash-sha256 = Empreinte SHA-256
indicator-file-name = Nom de fichier
indicator-licence-plate = Plaque d’immatriculation
indicator-other = Autre

case-take = Prendre ce dossier
key-origin = Provenance de la clé
key-change-pending = Une nouvelle clé est proposée :
key-change-advice = Acceptez-la seulement après avoir comparé son empreinte avec le ou la bénéficiaire par un autre canal (un appel, en personne). Les réponses attendent votre décision.
key-change-accept = Accepter la nouvelle clé
key-change-reject = La refuser, garder la clé actuelle
key-confirm-how = Comment avez-vous vérifié cette clé avec le ou la bénéficiaire ?
key-confirm-hint = Par exemple : empreinte lue à voix haute lors d’un appel Signal, comparée en personne. Ne confirmez qu’une empreinte que vous avez comparée vous-même.
key-confirm = Confirmer la clé
key-entry = Saisir une clé à la main
key-entry-label = La clé publique du ou de la bénéficiaire (format ASCII)
key-entry-hint = Seulement une clé reçue par un canal de confiance ; elle est épinglée comme confirmée et remplace toute autre.
key-entry-submit = Épingler cette clé
key-entry-unreadable = Ce n’est pas une clé publique OpenPGP lisible.
key-entry-unusable = Cette clé ne peut pas recevoir de courrier chiffré
indicators-title = Indicateurs
indicators-empty = Aucun indicateur pour l’instant.
indicators-note = Note
indicators-seen-in = Vu aussi dans
indicators-nowhere = nulle part ailleurs
indicators-as-written = écrit « { $value } »
indicators-add = Ajouter l’indicateur
reply-template = Partir d’un modèle
reply-template-use = L’utiliser
reply-template-choose = Choisir un modèle…

nav-new-case = Nouveau dossier
new-case-title = Ouvrir un dossier
new-case-intro = Quelqu’un a appelé, ou écrit par un autre canal. Son adresse le ou la retrouve s’il ou elle est déjà connu·e ; sinon un nouveau ou une nouvelle bénéficiaire est créé·e avec elle.
new-case-email = Son adresse e-mail
new-case-email-hint = Les réponses y partent, chiffrées.
new-case-name = Son nom (pour une nouvelle personne)
new-case-language-hint = La langue de la réponse, sous forme d’étiquette : fr, en, es, pt-BR... (facultatif)
new-case-imminent = Risque imminent
new-case-restricted = Restreint (seules la personne attribuée et les responsables le voient)
new-case-mine = Me l’attribuer
new-case-conversation = Ce que la personne a dit
new-case-phone = Un appel
new-case-chat = Une conversation (Signal, WhatsApp...)
new-case-conversation-label = Notes de la conversation (facultatif)
new-case-submit = Ouvrir le dossier
new-case-bad-email = Ce n’est pas une adresse e-mail.
new-case-bad-language = Ce n’est pas une étiquette de langue (fr, en, pt-BR...).
new-case-address-taken = Cette adresse appartient à un ou une bénéficiaire que vous ne pouvez pas voir. Demandez à un ou une responsable.
new-case-name-required = Une nouvelle personne a besoin d’un nom (ou d’un pseudonyme).

nav-account = Mon compte
account-title = Mon compte
account-saved = Enregistré.
account-preferences = Langue et heure
account-language = Langue de la console
account-language-browser = Celle du navigateur
language-en = English
language-fr = Français
language-es = Español
account-zone = Heures affichées pour
account-save = Enregistrer
account-bad-zone = Choisissez un fuseau horaire de la liste.
account-totp = Application d’authentification (second facteur)
account-totp-on = Activée : la connexion demande le code de l’application.
account-totp-off = Désactivée : quiconque a votre mot de passe peut se connecter à votre place. Configurez une application d’authentification.
account-totp-begin = Configurer une application d’authentification
account-totp-scan = Scannez ce code avec votre application d’authentification (par exemple Aegis, FreeOTP ou Google Authenticator), puis saisissez les six chiffres qu’elle affiche.
account-totp-qr = Code QR à scanner avec l’application d’authentification
account-totp-secret = Ou saisissez cette clé dans l’application :
account-totp-confirm = L’activer
account-totp-wrong = Ce n’est pas le code actuel de l’application (ou il a déjà servi). Essayez le suivant.
account-password = Changer mon mot de passe
filter-sort-newest = Les plus récents d’abord

evidence-title = Preuves
evidence-empty = Aucun fichier pour l’instant.
evidence-file = Fichier
evidence-size = Taille
evidence-added = Ajouté par
evidence-description = Ce qu’il montre (facultatif)
evidence-add = Conserver comme preuve
evidence-too-large = { $count ->
    [one] Les fichiers sont limités à { $count } Mo.
   *[other] Les fichiers sont limités à { $count } Mo.
}
size-bytes = { $count } o
size-kb = { $count } Ko
size-mb = { $size } Mo

## Le travail à côté du fil
error-refused-because = Ceci a été refusé : { $detail }
error-factor = Un nombre entier de 1 à 10.
error-date = Ce n’est pas une date : écrivez-la AAAA-MM-JJ.
error-no-such-case = Aucun dossier que vous pouvez voir n’a cette référence.
error-link-itself = Un dossier ne peut pas être lié à lui-même.
error-already-linked = Ces dossiers sont déjà liés de cette façon.
error-already = C’est déjà le cas.
error-choice = Choisissez l’une des options proposées.
error-email = Ce n’est pas une adresse e-mail.
steps-title = Prochaines étapes
steps-empty = Aucune étape prévue.
steps-done = Fait
steps-undo = Pas fait
steps-done-label = Marquer « { $step } » comme fait
steps-undo-label = Marquer « { $step } » comme pas fait
steps-due = pour le { $date }
steps-overdue = En retard
steps-is-done = Fait
steps-new = Une prochaine étape
steps-due-label = Échéance (facultatif)
steps-add = Prévoir cette étape
actions-title = Actions menées
actions-empty = Aucune action enregistrée.
actions-new = Ce qui a été fait
actions-add = Enregistrer cette action
risks-title = Évaluations des risques
risks-hint = Score = menaces × vulnérabilités ÷ capacités, chacune de 1 à 10. Réévaluez un risque pour suivre son évolution.
risks-empty = Aucun risque évalué.
risks-chart = Score à chaque évaluation, de la plus ancienne à la plus récente.
risks-history = { $count ->
    [one] { $count } évaluation
   *[other] { $count } évaluations
}
risks-name = Risque
risk-threats = Menaces
risk-vulnerabilities = Vulnérabilités
risk-capacities = Capacités
risk-score = score { $score }
risks-add = Évaluer ce risque
parties-title = Tiers
parties-empty = Aucun tiers dans ce dossier.
parties-write = Écrire à { $name } ou noter ce qu’il a dit
parties-direction = Le message a été
parties-said-to = dit ou écrit au tiers
parties-heard-from = reçu du tiers
parties-channel = Par
parties-email-hint = Un e-mail qui lui est écrit est envoyé par Rempart, signé par la ligne d’assistance et chiffré pour sa clé ; il attend tant qu’il n’en a pas.
parties-text = Le message
parties-record = L’enregistrer
parties-add = Ajouter un tiers
parties-organisation = Organisation
parties-contact = Personne de contact (facultatif)
parties-role = Rôle
parties-email = E-mail (facultatif)
parties-phone = Téléphone (facultatif)
parties-add-submit = Ajouter ce tiers
role-intermediary = Intermédiaire
role-platform-escalation = Plateforme (escalade)
role-partner = Partenaire
role-other = Autre
channel-email = E-mail
channel-phone-note = Appel téléphonique
channel-other = Autre canal
thread-kind-to-party = À { $name }
thread-kind-from-party = De { $name }
links-title = Dossiers liés
links-empty = Aucun dossier lié.
links-hidden = { $count ->
    [one] { $count } autre dossier lié que vous ne pouvez pas voir.
   *[other] { $count } autres dossiers liés que vous ne pouvez pas voir.
}
links-target = Autre dossier (référence)
links-kind = Ce dossier est
links-add = Lier les dossiers
link-related = Lié à
link-parent-of = Parent de
link-child-of = Fait partie de
link-duplicate-of = Doublon de
link-duplicated-by = A pour doublon
decisions-title = Décisions d’attribution
decisions-empty = Aucune décision du roulement pour ce dossier.
decisions-nobody = Personne
verification-history = Historique de la vérification
verification-change = Changer la vérification
verification-to = Nouveau statut
verification-reason = Pourquoi (gardé dans l’historique)
verification-submit = La changer
queue-fresh = Du nouveau
parties-no-key = Pas de clé OpenPGP : les e-mails pour ce tiers attendent
parties-key-enter = Saisir sa clé OpenPGP
parties-key-label = Sa clé publique (ASCII-armored), reçue par un canal de confiance
parties-key-submit = Épingler cette clé
thread-attachments = Pièces jointes :
evidence-by-gateway = La passerelle de messagerie
beneficiary-audience = Public
flag-key-change = Changement de clé en attente
flag-bad-signature = Signature invalide dans le fil

# Responsables et administration : navigation
nav-team = Équipe
nav-quarantine = Quarantaine
nav-templates = Modèles
nav-statistics = Statistiques
nav-admin = Administration
team-nav-label = Équipe
team-now = Maintenant
team-week = La semaine
team-workload = Charge de travail
alerts-waiting = { $count ->
    [one] { $count } escalade attend un·e responsable.
   *[other] { $count } escalades attendent un·e responsable.
}

# L'équipe maintenant
team-title = L'équipe maintenant
escalations-title = Escalades ouvertes
escalations-none = Aucune escalade ouverte.
escalation-raised = levée
escalation-told = Prévenu·es :
escalation-acknowledge = Je m'en occupe
escalation-on-it = { $name } s'en occupe (depuis { $time })
escalation-imminent-risk = Risque imminent
escalation-unassigned = Personne n'a pu prendre ce cas
escalation-first-response-leads = En attente d'une première réponse
escalation-first-response-admins = Toujours sans réponse : l'administration est prévenue
escalation-intake-uncovered = Une permanence d'accueil n'est pas tenue : l'astreinte prend l'accueil
notification-queued = en attente d'envoi
notification-sent = envoyé
notification-failed = échec
notification-withdrawn = retiré (un·e responsable s'en occupe)
channel-notify-email = Courriel
channel-notify-webhook = Webhook
on-call-title = De permanence
on-call-none = Personne n'est de permanence en ce moment.
team-rotation-intake = Accueil de la période, selon le roulement : { $name }
team-no-rotation = Aucun roulement d'accueil n'est défini.
team-next-case = Le prochain cas ira à { $name }.
team-next-case-standby = Le prochain cas ira à { $name } (astreinte).
team-next-case-nobody = Personne ne peut prendre un nouveau cas maintenant : il attendrait, et les responsables seraient alerté·es.
col-person = Personne
col-shift = Permanence
col-until = Jusqu'à
col-availability = Disponibilité
availability-available = Disponible
availability-awaiting = Pas encore pointé
availability-not-available = Indisponible
shift-intake = Accueil
shift-standby = Astreinte

# La semaine
week-title = La semaine
week-heading = Semaine du { $date }
week-pager = Semaines
week-previous = Semaine précédente
week-this = Cette semaine
week-next = Semaine suivante
week-shifts = Permanences
week-zone = Heures dans votre fuseau horaire ({ $zone }).
week-check-in-completion = Pointages de l'équipe cette semaine : { $percent } % des permanences commencées.
week-plan = Planifier une permanence
week-plan-submit = Planifier la permanence
shift-day = Jour
shift-from = De
shift-to = À
shift-to-hint = Une fin avant ou à l'heure du début tombe le lendemain.
rotation-title = Roulement de l'accueil
rotation-none = Pas encore de roulement : les nouveaux cas vont à qui tient une permanence d'accueil.
week-rotation-from = À partir du { $date } : { $order }, à tour de rôle.
week-rotation-holder = Accueil cette semaine, selon le roulement : { $name }.
rotation-anchor-later = Un roulement à partir d'une date ultérieure est planifié : celui en vigueur reste jusque-là.
rotation-period = Chacun·e tient l'accueil pendant
rotation-weekly = une semaine
rotation-daily = un jour
rotation-anchor = Premier jour du roulement
rotation-anchor-hint = Pour un roulement hebdomadaire, un lundi.
rotation-order = Ordre
rotation-order-hint = Donnez une place (1, 2, 3…) à chaque personne du roulement ; laissez vide pour en laisser quelqu'un hors.
rotation-save = Enregistrer le roulement
shift-title = Une permanence
shift-heading = Permanence de { $name }
shift-back = Retour à la semaine
shift-change = La modifier
shift-save = Enregistrer la permanence
shift-cancel-title = L'annuler
shift-cancel = Annuler cette permanence
error-time = Ce n'est pas une heure : écrivez-la HH:MM.
error-time-skipped = Cette heure n'existe pas ce jour-là (passage à l'heure d'été).
error-shift-length = Une permanence dure au plus { $hours } heures et finit après son début.
error-shift-checked-in = Quelqu'un a pointé pour cette permanence : elle fait partie de l'historique. Raccourcissez-la plutôt.
error-place = Une place est un nombre entier de 1 à 999.
error-rotation-empty = Donnez une place à au moins une personne.

# Charge de travail
workload-title = Charge de travail
workload-weeks = Semaines affichées
workload-show = Afficher
workload-team = L'équipe
workload-open = Cas ouverts
workload-unassigned = Cas ouverts sans personne
workload-overdue = Premières réponses en retard
workload-load-spread = Charge : maximum sur moyenne
workload-load-gini = Charge : Gini
workload-check-ins = Pointages cette semaine
workload-targets = Objectif de la politique : un Gini d'au plus { $gini }, et personne au-delà de { $spread } fois la moyenne.
workload-load = Charge rapportée à la capacité
workload-load-caption = Chaque barre est la charge pondérée d'une personne ; le trait est sa capacité. En rouge : au-delà de la capacité.
workload-received = Cas reçus par personne et par semaine
workload-received-caption = Une colonne par semaine, une couleur par personne.
workload-balance = Équilibre au fil des semaines
workload-gini = Gini
workload-max-over-mean = Maximum sur moyenne
workload-gini-caption = Gini des cas reçus chaque semaine ; la ligne pointillée est l'objectif.
workload-spread-caption = Part la plus haute sur la moyenne chaque semaine ; la ligne pointillée est l'objectif.
workload-target = objectif { $value }
workload-overdue-caption = Nouveaux cas au-delà du délai de première réponse, par personne.
col-load = Charge
col-capacity = Capacité
col-load-percent = De la capacité
col-this-week = Cette semaine
col-this-month = Ce mois-ci
col-week = Semaine
col-total = Total

# Rééquilibrer et réattribuer
rebalance-title = Rééquilibrer la charge
rebalance-hint = Le roulement propose de déplacer des cas des personnes les plus chargées vers les moins chargées, de permanence et pointées, dans la limite de leur capacité, de leur habilitation et de leurs langues. Vous les voyez avant que rien ne bouge.
rebalance-max = Au plus
rebalance-preview = Proposer des déplacements
rebalance-back = Retour à la charge de travail
rebalance-proposal = Déplacements proposés
rebalance-nothing = La charge est aussi équilibrée que le roulement le permet : rien à déplacer.
rebalance-summary = Gini de la charge rapportée à la capacité : { $before } maintenant, { $after } après ces déplacements.
rebalance-move = { $reference } : { $from } → { $to }, car { $from } est à { $from_load } de sa capacité et { $to } à { $to_load }.
rebalance-apply = { $count ->
    [one] Appliquer ce déplacement
   *[other] Appliquer ces { $count } déplacements
}
rebalance-moved = { $count ->
    [one] { $count } cas déplacé
   *[other] { $count } cas déplacés
}
rebalance-left = Ces cas ont changé de mains depuis la proposition et sont restés tels quels :
reassign-link = Confier un cas à quelqu'un à la main
reassign-title = Confier un cas
reassign-case = Référence du cas
reassign-to = À
reassign-reason = Pourquoi
reassign-override = Passer outre le roulement (votre raison)
reassign-override-hint = Seulement si le roulement refuse cette personne maintenant ; votre raison est enregistrée avec l'attribution.
reassign-submit = Confier le cas
reassign-refused = Le roulement dit pas maintenant : { $why }. Donnez votre raison pour passer outre, ou choisissez quelqu'un d'autre.
why-not-fit = indisponible pour cette permanence
why-not-checked-in = pas encore pointé
why-off-shift = hors permanence
why-at-capacity = à pleine capacité
why-not-cleared = pas habilité·e pour les cas restreints
why-critical-cap = a déjà reçu le maximum de cas critiques permis cette semaine

# La quarantaine du courrier
quarantine-title = Quarantaine du courrier
quarantine-hint = Les messages que la passerelle n'a pas pu lire, gardés tels que reçus. Gardez-en un avec un cas, ouvrez un cas à partir de lui, ou écartez-le avec une raison.
quarantine-show-all = Afficher aussi ceux déjà traités
quarantine-show-open = N'afficher que ceux à traiter
quarantine-empty = Aucun message n'attend en quarantaine.
quarantine-from = De { $from }
quarantine-size-bytes = { $bytes } octets
quarantine-size = { $kib } Kio
quarantine-download = Télécharger le message tel que reçu
quarantine-attach = Le garder avec un cas
quarantine-attach-submit = Joindre
quarantine-open = Ouvrir un cas à partir de lui
quarantine-open-summary = Résumé
quarantine-open-name = Nom de la personne
quarantine-open-email = Son adresse électronique
quarantine-open-submit = Ouvrir le cas
quarantine-discard = L'écarter
quarantine-discard-reason = Pourquoi
quarantine-discard-submit = Écarter
quarantine-discarded = Écarté : { $reason }
quarantine-outcome-attached = Gardé avec
quarantine-outcome-opened = Un cas a été ouvert à partir de lui :
quarantine-outcome-resolved = Marqué comme traité.
quarantine-reason-malformed = Message illisible
quarantine-reason-undecryptable = Impossible à déchiffrer
quarantine-reason-too-large = Trop volumineux
quarantine-reason-no-usable-key = Aucune clé utilisable
quarantine-reason-helpline-key = La clé de la ligne d'assistance n'a pas pu servir
quarantine-reason-pgp = Erreur OpenPGP
quarantine-reason-store = Impossible à enregistrer

# Modèles de réponse
templates-title = Modèles de réponse
templates-hint = Les personnes qui traitent les cas partent de ces modèles, dans la langue de la personne aidée. Un modèle retiré n'est plus proposé.
templates-language = Langue : { $language }
templates-retired = retiré
templates-new = Un nouveau modèle
templates-edit = Modifier « { $name } »
templates-language-field = Langue
templates-language-hint = Une étiquette de langue : en, fr, es, pt-BR…
templates-name = Nom
templates-body = Texte
templates-body-hint = {"{"}beneficiary{"}"}, {"{"}reference{"}"} et {"{"}handler{"}"} sont remplis à chaque réponse.
templates-offered = Proposé aux personnes qui traitent les cas
templates-save = Enregistrer le modèle
templates-cancel = Annuler
templates-name-taken = Un modèle de cette langue porte déjà ce nom.
error-language = Ce n'est pas une étiquette de langue (comme en, fr ou pt-BR).

# Statistiques
statistics-title = Statistiques
statistics-hint = Des comptes anonymisés de cas pour les rapports aux bailleurs : aucun nom, aucun texte, et aucune cellule de moins de cas que le minimum.
statistics-from = Du
statistics-to = Au
statistics-min-cell = Plus petite cellule
statistics-csv = Télécharger en CSV
statistics-by-month = Cas par mois et par urgence
statistics-total = { $count } cas dans les cellules affichées.
statistics-suppressed = { $count } cellules de moins de { $min } cas sont masquées : ni leurs cas ni leurs catégories ne sont montrés.
statistics-chart-caption = Une colonne par mois, une couleur par urgence.
statistics-month = Mois
statistics-by-service = Par service
statistics-by-audience = Par public
statistics-service = Service
statistics-audience = Public
statistics-threat = Menace
statistics-urgency = Urgence
statistics-cases = Cas
statistics-cells = Toutes les cellules affichées
statistics-first-response = Première réponse (médiane)
statistics-resolution = Résolution (médiane)
statistics-minutes = { $minutes } min
statistics-hours = { $hours } h
statistics-withheld = masqué
statistics-unspecified = non précisé
statistics-bad-period = Les mois s'écrivent AAAA-MM, et la fin ne précède pas le début. Les douze derniers mois sont affichés.
account-totp-reset = Une personne de l'administration a réinitialisé votre application d'authentification. Configurez-en une nouvelle ci-dessous pour continuer : rien d'autre ne s'ouvre avant.

# Administration
admin-title = Administration
admin-nav-label = Administration
admin-users = Comptes
admin-taxonomies = Taxonomies
admin-key = La clé de la ligne d'assistance
admin-config = Configuration
role-staff-handler = Traitement des cas
role-staff-lead = Responsable
role-staff-analyst = Analyste
role-staff-admin = Administration
admin-email = Adresse électronique
admin-role = Rôle
admin-languages = Langues
admin-languages-hint = Les langues lues, de la préférée à la moins préférée : fr, en, es…
admin-zone = Fuseau horaire
admin-second-factor = Second facteur
admin-totp-on = Application d'authentification activée
admin-totp-off = Mot de passe seul
admin-totp-must-enrol = Réinitialisé : doit configurer une nouvelle application
admin-state = État
admin-active = Actif
admin-disabled = Désactivé
admin-new-user = Un nouveau compte
admin-create = Créer le compte
admin-created = Compte créé pour { $name }
admin-one-time = Transmettez ce mot de passe à usage unique par un canal sûr. Il n'est montré qu'une fois ; la personne choisit le sien à la première connexion.
admin-email-taken = Un compte a déjà cette adresse.
admin-settings = Réglages
admin-capacity-hint = La charge pondérée que la personne peut porter (critique 4, haute 3, moyenne 2, basse 1).
admin-capacity-range = Un nombre entier de 0 à 200.
admin-cleared = Habilité·e pour les cas restreints
admin-active-field = Actif
admin-active-hint = Décochez pour désactiver le compte : toutes ses sessions et jetons prennent fin aussitôt.
admin-not-yourself = Vous ne pouvez pas vous désactiver ni vous rétrograder vous-même.
admin-save = Enregistrer
admin-saved = Enregistré.
admin-totp-reset-hint = Si la personne a perdu son application d'authentification : ses sessions prennent fin, et à sa prochaine connexion elle doit en configurer une nouvelle avant toute chose. La réinitialisation est inscrite au journal d'audit.
admin-totp-reset = Réinitialiser son application d'authentification
admin-totp-was-reset = Son application d'authentification a été réinitialisée : elle en configurera une nouvelle à sa prochaine connexion.
admin-taxonomies-hint = Chaque entrée a un libellé dans chaque langue de la console ; un libellé français ou espagnol vide affiche l'anglais. Une entrée retirée n'est plus proposée ; les cas passés la gardent.
admin-taxonomy-audience = Types de public
admin-taxonomy-service = Types de service
admin-offered = Proposée
admin-taxonomy-add = Ajouter une entrée
admin-code = Code
admin-code-format = Minuscules, chiffres et tirets bas : journalist, data_leak.
admin-code-taken = Ce code est déjà dans la taxonomie.
admin-label-en = Libellé en anglais
admin-add = Ajouter
admin-key-fingerprint = Son empreinte, à lire à voix haute à une personne aidée qui vérifie la clé :
admin-key-download = Télécharger la clé publique à publier
admin-key-wkd = Web Key Directory
admin-key-wkd-hint = Les logiciels de messagerie trouvent la clé à ces adresses de ce serveur (publiez-les sous le domaine de messagerie de la ligne d'assistance).
admin-key-armored = La clé publique, en ASCII
admin-key-none = Pas encore de clé : lancez `rempart keys init --uid "Helpline <help@example.org>"` sur le serveur.
admin-backup = Sauvegardes
admin-backup-none = Les sauvegardes ne sont chiffrées que pour la clé de la ligne d'assistance, qui se trouve sur ce serveur : renseignez backup.recipients avec des clés gardées hors ligne par les personnes habilitées à restaurer.
admin-backup-some = Chaque sauvegarde est aussi chiffrée pour ces clés :
admin-config-hint = La configuration avec laquelle serve tourne : chaque clé, sa valeur et sa provenance. Les secrets ne sont jamais montrés. Modifiez-les dans le fichier de configuration ou l'environnement, puis redémarrez.
admin-config-key = Clé
admin-config-value = Valeur
admin-config-origin = Provenance
admin-key-rotation-title = Renouvellement
admin-key-previous = Clés précédentes, gardées pour déchiffrer le courrier qui leur a été envoyé :
admin-key-rotation-how = Pour renouveler la clé, lancez `rempart keys rotate` sur le serveur (une nouvelle clé signe et est annoncée ; les actuelles restent pour déchiffrer le courrier plus ancien), redémarrez le service, puis publiez la nouvelle clé publique. Les clés secrètes ne passent jamais par le navigateur.
