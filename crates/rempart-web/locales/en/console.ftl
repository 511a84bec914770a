# Rempart's web console, English.

skip-to-content = Skip to content
nav-label = Main
nav-queues = Cases
sign-out = Sign out

error-status = Error { $count }
error-back = Back to the cases
error-not-found = Nothing here: the page does not exist, or you may not see it.
error-forbidden = You may not do this.
error-too-many = Too many attempts. Wait a little, then try again.
error-internal = Something went wrong on the server. Nothing was changed; try again.
error-refused = This was refused.
error-csrf = This form has expired or did not come from Rempart. Nothing was done: open the page again and resend it.
error-required = Write something here.
error-too-long = This is too long.

login-title = Sign in
login-email = Email address
login-password = Password
login-code = Authenticator code
login-code-hint = The six digits your authenticator app shows, if you have enrolled one.
login-submit = Sign in
login-code-required = Enter the code from your authenticator app.
login-too-many = { $count ->
    [one] Too many failed attempts. Try again in a minute.
   *[other] Too many failed attempts. Try again in { $count } minutes.
}
login-failed = Wrong email, password or code.

unlock-title = Unlock Rempart
unlock-intro = Rempart started sealed: its master key is under a passphrase, and nothing it holds can be read until a lead or an administrator gives it. Mail that arrives meanwhile is kept, encrypted, and filed after the unlock.
unlock-passphrase = Passphrase of the master key
unlock-submit = Unlock
unlock-wrong = Wrong passphrase.
unlock-too-many = { $count ->
    [one] Too many wrong passphrases. Try again in a minute.
   *[other] Too many wrong passphrases. Try again in { $count } minutes.
}
unlock-not-this-database = This passphrase opens a master key, but not the one this database was sealed with.
unlock-failed = The service could not be unlocked: see its log.

password-title = Change your password
password-required = You signed in with a one-time password. Choose your own before going on.
password-current = Current password
password-new = New password
password-new-hint = At least 12 characters; a sentence only you would think of is good.
password-repeat = New password, again
password-submit = Change password
password-mismatch = The two new passwords differ.
password-wrong = This is not your current password.
password-weak = This password is too easy to guess.

queues-title = Cases
queues-index = Queues
queues-refresh = Refresh the lists
queue-count = { $count ->
    [one] { $count } case
   *[other] { $count } cases
}
queue-count-over = more than { $count }
queue-mine = My open cases
queue-mine-empty = No open case is assigned to you.
queue-new = New and unassigned
queue-new-empty = No case is waiting for someone to take it.
queue-third = Waiting on a third party
queue-third-empty = None of your cases waits on a third party.
queue-closed = Recently resolved or closed
queue-closed-empty = You have not resolved or closed a case recently.

col-reference = Reference
col-summary = Summary
col-urgency = Urgency
col-status = Status
col-waiting = Waiting for
col-assignee = Assignee

flag-imminent = Imminent risk
flag-restricted = Restricted
flag-reply-held = Replies held

duration-days = { $count } d
duration-hours = { $count } h
duration-minutes = { $count } min

status-new = New
status-open = Open
status-waiting-beneficiary = Waiting on the beneficiary
status-waiting-third-party = Waiting on a third party
status-resolved = Resolved
status-closed = Closed

move-new = Back to new
move-open = Open
move-waiting-beneficiary = Wait for the beneficiary
move-waiting-third-party = Wait for a third party
move-resolved = Resolve
move-closed = Close

urgency-critical = Critical
urgency-high = High
urgency-medium = Medium
urgency-low = Low

priority-P1 = P1 (highest)
priority-P2 = P2
priority-P3 = P3
priority-P4 = P4 (lowest)

threat-direct = Direct threat
threat-indirect = Indirect threat
threat-security-incident = Security incident

verification-unverified = Not verified
verification-verified = Verified
verification-rejected = Rejected

trust-unconfirmed = not confirmed
trust-confirmed = confirmed

signature-good = Good signature
signature-bad = Bad signature
signature-unknown-key = Signed by an unknown key
signature-none = Not signed

delivery-queued = Queued
delivery-sent = Sent, encrypted
delivery-failed = Not delivered
delivery-needs-key = Held: needs a key

case-title = Case
case-facts = The case
case-moves = Move the case
case-urgency = Urgency
case-priority = Priority
case-assignee = Assignee
case-opened = Opened
case-threat = Threat
value-none = none

beneficiary-title = Beneficiary
beneficiary-name = Name
beneficiary-addresses = Addresses
beneficiary-verification = Verification
beneficiary-language = Language
beneficiary-key = OpenPGP key
key-none = No key yet

fate-encrypted-confirmed = Your reply will be encrypted to key { $key } (confirmed) and signed by the helpline.
fate-encrypted-unconfirmed = Your reply will be encrypted to key { $key }, which nobody has confirmed out of band yet.
fate-held-key-change = Your reply will be held: a change to key { $key } is pending. Accept or reject it first.
fate-held-no-key = Your reply will be held: there is no key to encrypt it to. The beneficiary is asked for one.

thread-title = Messages and comments
thread-empty = Nothing yet.
thread-kind-comment = Internal comment
thread-kind-reply = Reply
thread-kind-message = Message
thread-third-party = Third party
thread-encrypted = Encrypted
thread-not-encrypted = Not encrypted

reply-title = Reply to the beneficiary
reply-label = Your reply (sent by email)
reply-submit = Send the reply
comment-title = Internal comment
comment-hint = Only the helpline's staff see comments. Nothing is sent to anyone.
comment-label = Your comment (internal)
comment-submit = Add the comment

stale-status = Someone else changed this case meanwhile: it is now “{ $status }”.
stale-nothing-done = Your change was not made. Read the case again, then decide.

check-in-title = Start of shift
check-in-shift = Your shift: { $from }
check-in-question = Are you fit to take cases on this shift?
check-in-fit = Yes, I can take cases
check-in-not-fit = Not today: give my intake to the standby person
check-in-note = A note for yourself (optional)
check-in-note-hint = Private: only you will ever read it. The leads see only whether you are available, never why.
check-in-submit = Answer
check-in-later = Not now: see my cases (no new case comes to you until you answer)
check-in-choose = Choose one of the two answers.
check-in-no-shift = You have no shift now: there is nothing to check in to.
check-in-nothing = You have no shift starting or under way.
check-in-history = Your check-ins
check-in-was-fit = available
check-in-was-not-fit = not available
check-in-pending = You have not answered the start-of-shift question: no new case comes to you until you do.
check-in-answer = Answer it now
nav-check-in = Check-in

nav-search = Search
search-title = Search
search-words = Words
search-words-hint = Whole words, all of them, in the summary or the messages; a reference (RMP-2026-000123) opens the case.
search-beneficiary = Beneficiary's name or address
search-indicator = Indicator
search-indicator-hint = A phone number, address, plate, domain, link or file hash: has it been reported before?
search-filters = Filters
search-submit = Search
search-invalid = This search cannot be read
search-matches = Cases where “{ $value }” was reported
search-no-match = It has not been reported in any case you may see.
search-cases = Cases found
search-no-case = No case you may see matches.
filter-any = Any
filter-assignee-me = Me
filter-assignee-none = Nobody
filter-yes = Yes
filter-no = No
filter-sort = Order
filter-sort-oldest = Oldest first
filter-sort-updated = Recently updated first
filter-created-from = Opened from
filter-created-to = Opened before
col-kind = Kind
col-value = Value
indicator-domain = Domain
indicator-ip = IP address
indicator-cidr = IP network
indicator-url = Link
indicator-email = Email address
indicator-phone = Phone number
indicator-hash-md5 = MD5 hash
indicator-hash-sha1 = SHA-1 hash
indicator-hash-sha256 = SHA-256 hash
indicator-file-name = File name
indicator-licence-plate = Licence plate
indicator-other = Other

case-take = Take this case
key-origin = Where the key came from
key-change-pending = A new key is offered:
key-change-advice = Accept it only after comparing its fingerprint with the beneficiary through another channel (a call, in person). Replies wait until you decide.
key-change-accept = Accept the new key
key-change-reject = Reject it, keep the current key
key-confirm-how = How did you check this key with the beneficiary?
key-confirm-hint = For example: fingerprint read aloud on a Signal call, compared in person. Confirm only a fingerprint you compared yourself.
key-confirm = Confirm the key
key-entry = Enter a key by hand
key-entry-label = The beneficiary's public key (ASCII-armoured)
key-entry-hint = Only a key you received through a channel you trust; it is pinned as confirmed, replacing any other.
key-entry-submit = Pin this key
key-entry-unreadable = This is not an OpenPGP public key that can be read.
key-entry-unusable = This key cannot receive encrypted mail
indicators-title = Indicators
indicators-empty = No indicator yet.
indicators-note = Note
indicators-seen-in = Also seen in
indicators-nowhere = nowhere else
indicators-as-written = written “{ $value }”
indicators-add = Add the indicator
reply-template = Start from a template
reply-template-use = Use it
reply-template-choose = Choose a template…

nav-new-case = New case
new-case-title = Open a case
new-case-intro = Someone called, or wrote through another channel. Their address finds them if they are already known; else a new beneficiary is created with it.
new-case-email = Their email address
new-case-email-hint = Replies go there, encrypted.
new-case-name = Their name (for someone new)
new-case-language-hint = The language to answer in, as a tag: fr, en, es, pt-BR... (optional)
new-case-imminent = At imminent risk
new-case-restricted = Restricted (only its assignee and the leads see it)
new-case-mine = Assign it to me
new-case-conversation = What they said
new-case-phone = A phone call
new-case-chat = A chat (Signal, WhatsApp...)
new-case-conversation-label = Notes of the conversation (optional)
new-case-submit = Open the case
new-case-bad-email = This is not an email address.
new-case-bad-language = This is not a language tag (fr, en, pt-BR...).
new-case-address-taken = This address belongs to a beneficiary you may not see. Ask a lead.
new-case-name-required = Someone new needs a name (or a pseudonym).

nav-account = My account
account-title = My account
account-saved = Saved.
account-preferences = Language and time
account-language = Language of the console
account-language-browser = The browser's
language-en = English
language-fr = Français
language-es = Español
account-zone = Times are shown in
account-save = Save
account-bad-zone = Choose a time zone from the list.
account-totp = Authenticator app (second factor)
account-totp-on = On: signing in asks for the app's code.
account-totp-off = Off: anyone with your password can sign in as you. Set up an authenticator app.
account-totp-begin = Set up an authenticator app
account-totp-scan = Scan this code with your authenticator app (for example Aegis, FreeOTP or Google Authenticator), then type the six digits it shows.
account-totp-qr = QR code to scan with the authenticator app
account-totp-secret = Or type this key into the app:
account-totp-confirm = Turn it on
account-totp-wrong = This is not the app's current code (or it was already used). Try the next one.
account-password = Change my password
filter-sort-newest = Newest first

evidence-title = Evidence
evidence-empty = No file yet.
evidence-file = File
evidence-size = Size
evidence-added = Added by
evidence-description = What it shows (optional)
evidence-add = Keep as evidence
evidence-too-large = { $count ->
    [one] Files are limited to { $count } MB.
   *[other] Files are limited to { $count } MB.
}
size-bytes = { $count } B
size-kb = { $count } KB
size-mb = { $size } MB

## The work beside the thread
error-refused-because = This was refused: { $detail }
error-factor = A whole number from 1 to 10.
error-date = Not a date: write it as YYYY-MM-DD.
error-no-such-case = No case you can see has this reference.
error-link-itself = A case cannot be linked to itself.
error-already-linked = These cases are already linked this way.
error-already = This is already the case.
error-choice = Choose one of the options offered.
error-email = This is not an e-mail address.
steps-title = Next steps
steps-empty = No step planned.
steps-done = Done
steps-undo = Not done
steps-done-label = Mark “{ $step }” done
steps-undo-label = Mark “{ $step }” not done
steps-due = due { $date }
steps-overdue = Overdue
steps-is-done = Done
steps-new = A next step
steps-due-label = Due on (optional)
steps-add = Plan this step
actions-title = Actions taken
actions-empty = No action recorded.
actions-new = What was done
actions-add = Record this action
risks-title = Risk assessments
risks-hint = Score = threats × vulnerabilities ÷ capacities, each from 1 to 10. Assess a risk again to follow its trend.
risks-empty = No risk assessed yet.
risks-chart = Score at each assessment, oldest first.
risks-history = { $count ->
    [one] { $count } assessment
   *[other] { $count } assessments
}
risks-name = Risk
risk-threats = Threats
risk-vulnerabilities = Vulnerabilities
risk-capacities = Capacities
risk-score = score { $score }
risks-add = Assess this risk
parties-title = Third parties
parties-empty = No third party on this case.
parties-write = Write to { $name } or note what they said
parties-direction = The message was
parties-said-to = said or written to them
parties-heard-from = heard from them
parties-channel = How
parties-email-hint = An e-mail written to them is sent by Rempart, signed by the helpline and encrypted to their key; it waits while they have none.
parties-text = The message
parties-record = Record it
parties-add = Add a third party
parties-organisation = Organisation
parties-contact = Contact person (optional)
parties-role = Role
parties-email = E-mail (optional)
parties-phone = Phone (optional)
parties-add-submit = Add this third party
role-intermediary = Intermediary
role-platform-escalation = Platform (escalation)
role-partner = Partner
role-other = Other
channel-email = E-mail
channel-phone-note = Phone call
channel-other = Other channel
thread-kind-to-party = To { $name }
thread-kind-from-party = From { $name }
links-title = Linked cases
links-empty = No linked case.
links-hidden = { $count ->
    [one] { $count } other linked case you may not see.
   *[other] { $count } other linked cases you may not see.
}
links-target = Other case (reference)
links-kind = This case is
links-add = Link the cases
link-related = Related to
link-parent-of = Parent of
link-child-of = Part of
link-duplicate-of = Duplicate of
link-duplicated-by = Duplicated by
decisions-title = Assignment decisions
decisions-empty = No decision of the rota for this case.
decisions-nobody = Nobody
verification-history = Verification history
verification-change = Change the verification
verification-to = New status
verification-reason = Why (kept in the history)
verification-submit = Change it
queue-fresh = New activity
parties-no-key = No OpenPGP key: e-mail to them waits
parties-key-enter = Enter their OpenPGP key
parties-key-label = Their public key (ASCII-armoured), received through a channel you trust
parties-key-submit = Pin this key
thread-attachments = Attached:
evidence-by-gateway = The mail gateway
beneficiary-audience = Audience
flag-key-change = Key change pending
flag-bad-signature = Bad signature in the thread

# Leads and administrators: navigation
nav-team = Team
nav-quarantine = Quarantine
nav-templates = Templates
nav-statistics = Statistics
nav-admin = Administration
team-nav-label = Team
team-now = Now
team-week = The week
team-workload = Workload
alerts-waiting = { $count ->
    [one] { $count } escalation waits for a lead.
   *[other] { $count } escalations wait for a lead.
}

# The team now
team-title = The team now
escalations-title = Open escalations
escalations-none = No open escalation.
escalation-raised = raised
escalation-told = Told:
escalation-acknowledge = I am on it
escalation-on-it = { $name } is on it (since { $time })
escalation-imminent-risk = Imminent risk
escalation-unassigned = Nobody could take this case
escalation-first-response-leads = Waiting for a first response
escalation-first-response-admins = Still unanswered: administrators told
escalation-intake-uncovered = An intake shift is not covered: the standby takes intake
notification-queued = waiting to be sent
notification-sent = sent
notification-failed = failed
notification-withdrawn = withdrawn (a lead is on it)
channel-notify-email = E-mail
channel-notify-webhook = Webhook
on-call-title = On call
on-call-none = Nobody is on shift now.
team-rotation-intake = Intake this period, by the rotation: { $name }
team-no-rotation = No intake rotation is set.
team-next-case = The next case goes to { $name }.
team-next-case-standby = The next case goes to { $name } (standby).
team-next-case-nobody = Nobody can take a new case now: it would wait, and the leads would be alerted.
col-person = Person
col-shift = Shift
col-until = Until
col-availability = Availability
availability-available = Available
availability-awaiting = Not checked in yet
availability-not-available = Not available
shift-intake = Intake
shift-standby = Standby

# The week
week-title = The week
week-heading = Week of { $date }
week-pager = Weeks
week-previous = Previous week
week-this = This week
week-next = Next week
week-shifts = Shifts
week-zone = Times are in your time zone ({ $zone }).
week-check-in-completion = Check-ins of the team this week: { $percent } % of the shifts started.
week-plan = Plan a shift
week-plan-submit = Plan the shift
shift-day = Day
shift-from = From
shift-to = To
shift-to-hint = An end at or before the start is on the next day.
rotation-title = Intake rotation
rotation-none = No rotation yet: new cases go to whoever is on an intake shift.
week-rotation-from = From { $date }: { $order }, in turn.
week-rotation-holder = Intake this week, by the rotation: { $name }.
rotation-anchor-later = A rotation from a later date is planned: the one in force stays until then.
rotation-period = Each takes intake for
rotation-weekly = a week
rotation-daily = a day
rotation-anchor = First day of the rotation
rotation-anchor-hint = For a weekly rotation, a Monday.
rotation-order = Order
rotation-order-hint = Give each person in the rotation a place (1, 2, 3…); leave it blank to keep someone out.
rotation-save = Save the rotation
shift-title = A shift
shift-heading = Shift of { $name }
shift-back = Back to the week
shift-change = Change it
shift-save = Save the shift
shift-cancel-title = Cancel it
shift-cancel = Cancel this shift
error-time = Not a time: write it as HH:MM.
error-time-skipped = This time does not exist that day (the clocks go forward).
error-shift-length = A shift lasts at most { $hours } hours and ends after it starts.
error-shift-checked-in = Someone checked in to this shift: it is history. Shorten it instead.
error-place = A place is a whole number from 1 to 999.
error-rotation-empty = Give at least one person a place.

# Workload
workload-title = Workload
workload-weeks = Weeks shown
workload-show = Show
workload-team = The team
workload-open = Open cases
workload-unassigned = Open cases nobody holds
workload-overdue = Overdue first responses
workload-load-spread = Load: highest over mean
workload-load-gini = Load: Gini
workload-check-ins = Check-ins this week
workload-targets = The policy's target: a Gini of at most { $gini }, and nobody above { $spread } times the mean.
workload-load = Load against capacity
workload-load-caption = Each bar is a person's weighted load; the tick is their capacity. Red: over capacity.
workload-received = Cases received per person and week
workload-received-caption = One column a week, one colour a person.
workload-balance = Balance over the weeks
workload-gini = Gini
workload-max-over-mean = Highest over mean
workload-gini-caption = Gini of the cases received each week; the dashed line is the target.
workload-spread-caption = Highest share over the mean each week; the dashed line is the target.
workload-target = target { $value }
workload-overdue-caption = New cases past the first-response threshold, per person.
col-load = Load
col-capacity = Capacity
col-load-percent = Of capacity
col-this-week = This week
col-this-month = This month
col-week = Week
col-total = Total

# Rebalancing and reassigning
rebalance-title = Rebalance the load
rebalance-hint = The rota proposes moves from the most loaded to the least loaded people on shift and checked in, within their capacity, clearance and languages. You see them before anything moves.
rebalance-max = At most
rebalance-preview = Propose moves
rebalance-back = Back to the workload
rebalance-proposal = Proposed moves
rebalance-nothing = The load is as even as the rota allows: nothing to move.
rebalance-summary = Gini of the load over capacity: { $before } now, { $after } after these moves.
rebalance-move = { $reference }: { $from } → { $to }, because { $from } is at { $from_load } of capacity and { $to } at { $to_load }.
rebalance-apply = { $count ->
    [one] Apply this move
   *[other] Apply these { $count } moves
}
rebalance-moved = { $count ->
    [one] { $count } case moved
   *[other] { $count } cases moved
}
rebalance-left = These cases changed hands since the proposal and were left as they are:
reassign-link = Give a case to someone by hand
reassign-title = Give a case to someone
reassign-case = Case reference
reassign-to = To
reassign-reason = Why
reassign-override = Override the rota (your reason)
reassign-override-hint = Only if the rota refuses this person now; your reason is recorded with the assignment.
reassign-submit = Give the case
reassign-refused = The rota says not now: { $why }. Give your reason to override it, or choose someone else.
why-not-fit = not available on this shift
why-not-checked-in = not checked in yet
why-off-shift = off shift
why-at-capacity = at capacity
why-not-cleared = not cleared for restricted cases
why-critical-cap = already received the most critical cases allowed this week

# The mail quarantine
quarantine-title = Mail quarantine
quarantine-hint = Messages the mail gateway could not read, kept exactly as received. Keep one with a case, open a case from it, or discard it with a reason.
quarantine-show-all = Show those dealt with too
quarantine-show-open = Show only those to deal with
quarantine-empty = No message waits in the quarantine.
quarantine-from = From { $from }
quarantine-size-bytes = { $bytes } bytes
quarantine-size = { $kib } KiB
quarantine-download = Download the message as received
quarantine-attach = Keep it with a case
quarantine-attach-submit = Attach
quarantine-open = Open a case from it
quarantine-open-summary = Summary
quarantine-open-name = Name of the person
quarantine-open-email = Their e-mail address
quarantine-open-submit = Open the case
quarantine-discard = Discard it
quarantine-discard-reason = Why
quarantine-discard-submit = Discard
quarantine-discarded = Discarded: { $reason }
quarantine-outcome-attached = Kept with
quarantine-outcome-opened = A case was opened from it:
quarantine-outcome-resolved = Marked as dealt with.
quarantine-reason-malformed = Not a readable message
quarantine-reason-undecryptable = Could not be decrypted
quarantine-reason-too-large = Too large
quarantine-reason-no-usable-key = No usable key
quarantine-reason-helpline-key = The helpline's key could not be used
quarantine-reason-pgp = OpenPGP error
quarantine-reason-store = Could not be stored

# Reply templates
templates-title = Reply templates
templates-hint = Handlers start a reply from these, in the beneficiary's language. A retired template is no longer offered.
templates-language = Language: { $language }
templates-retired = retired
templates-new = A new template
templates-edit = Change “{ $name }”
templates-language-field = Language
templates-language-hint = A language tag: en, fr, es, pt-BR…
templates-name = Name
templates-body = Text
templates-body-hint = {"{"}beneficiary{"}"}, {"{"}reference{"}"} and {"{"}handler{"}"} are filled in for each reply.
templates-offered = Offered to handlers
templates-save = Save the template
templates-cancel = Cancel
templates-name-taken = A template of this language already has this name.
error-language = Not a language tag (such as en, fr or pt-BR).

# Statistics
statistics-title = Statistics
statistics-hint = Anonymised counts of cases for reports to donors: no name, no text, and no cell of fewer cases than the minimum.
statistics-from = From
statistics-to = To
statistics-min-cell = Smallest cell
statistics-csv = Download as CSV
statistics-by-month = Cases by month and urgency
statistics-total = { $count } cases in the cells shown.
statistics-suppressed = { $count } cells of fewer than { $min } cases are suppressed: neither their cases nor their categories are shown.
statistics-chart-caption = One column a month, one colour an urgency.
statistics-month = Month
statistics-by-service = By service
statistics-by-audience = By audience
statistics-service = Service
statistics-audience = Audience
statistics-threat = Threat
statistics-urgency = Urgency
statistics-cases = Cases
statistics-cells = Every cell shown
statistics-first-response = Median first response
statistics-resolution = Median resolution
statistics-minutes = { $minutes } min
statistics-hours = { $hours } h
statistics-withheld = withheld
statistics-unspecified = unspecified
statistics-bad-period = Months are written YYYY-MM, and the end does not come before the start. The last twelve months are shown.
account-totp-reset = An administrator reset your authenticator app. Set up a new one below to go on: nothing else opens until you do.

# Administration
admin-title = Administration
admin-nav-label = Administration
admin-users = Accounts
admin-taxonomies = Taxonomies
admin-key = The helpline's key
admin-config = Configuration
role-staff-handler = Handler
role-staff-lead = Lead
role-staff-analyst = Analyst
role-staff-admin = Administrator
admin-email = E-mail address
admin-role = Role
admin-languages = Languages
admin-languages-hint = The languages they read, most preferred first: fr, en, es…
admin-zone = Time zone
admin-second-factor = Second factor
admin-totp-on = Authenticator on
admin-totp-off = Password only
admin-totp-must-enrol = Reset: must enrol a new authenticator
admin-state = State
admin-active = Active
admin-disabled = Disabled
admin-new-user = A new account
admin-create = Create the account
admin-created = Account created for { $name }
admin-one-time = Give them this one-time password through a safe channel. It is shown once; they choose their own at their first sign-in.
admin-email-taken = An account already has this address.
admin-settings = Settings
admin-capacity-hint = The weighted load they can carry (critical 4, high 3, medium 2, low 1).
admin-capacity-range = A whole number from 0 to 200.
admin-cleared = Cleared for restricted cases
admin-active-field = Active
admin-active-hint = Untick to disable the account: every session and token of theirs ends at once.
admin-not-yourself = You cannot disable or demote yourself.
admin-save = Save
admin-saved = Saved.
admin-totp-reset-hint = If they lost their authenticator: their sessions end, and at their next sign-in they must set up a new one before anything else. The reset is recorded in the audit trail.
admin-totp-reset = Reset their authenticator
admin-totp-was-reset = Their authenticator was reset: they will set up a new one at their next sign-in.
admin-taxonomies-hint = Each entry has a label in every language of the console; an empty French or Spanish label shows the English one. A retired entry is no longer offered; past cases keep it.
admin-taxonomy-audience = Audience types
admin-taxonomy-service = Service types
admin-offered = Offered
admin-taxonomy-add = Add an entry
admin-code = Code
admin-code-format = Lowercase letters, digits and underscores: journalist, data_leak.
admin-code-taken = This code is already in the taxonomy.
admin-label-en = Label in English
admin-add = Add
admin-key-fingerprint = Its fingerprint, to read aloud to a beneficiary who checks the key:
admin-key-download = Download the public key to publish
admin-key-wkd = Web Key Directory
admin-key-wkd-hint = Mail clients find the key at these addresses of this server (publish them under the helpline's mail domain).
admin-key-armored = The public key, armored
admin-key-none = No helpline key yet: run `rempart keys init --uid "Helpline <help@example.org>"` on the server.
admin-backup = Backups
admin-backup-none = Backups are encrypted to the helpline's key only, which sits on this server: set backup.recipients to keys kept offline by the people who may restore.
admin-backup-some = Every backup is also encrypted to these keys:
admin-config-hint = The configuration serve runs with: each key, its value and where it came from. Secrets are never shown. Change them in the configuration file or the environment, then restart.
admin-config-key = Key
admin-config-value = Value
admin-config-origin = From
admin-key-rotation-title = Rotation
admin-key-previous = Earlier keys, kept to decrypt mail sent to them:
admin-key-rotation-how = To rotate, run `rempart keys rotate` on the server (a new key signs and is advertised; the current ones stay to decrypt older mail), restart the service, then publish the new public key. The secret keys never pass through the browser.
