# Haven — English. Every key here must exist in every other language file.

## Navigation and page frame
nav-skip = Skip to content
nav-label = Main menu
nav-home = Home
nav-catalog = Reference data
nav-users = Users
nav-audit = Audit log
nav-settings = Settings
nav-account = My account
nav-sign-out = Sign out
nav-languages = Languages

## Roles
role-administrator = Administrator
role-protection-officer = Protection officer
role-project-manager = Project manager
role-case-worker = Case worker
role-feedback-agent = Feedback agent (help desk, hotline)
role-psea-focal-point = PSEA focal point
role-me-officer = M&E officer
role-viewer = Viewer

## Errors
error-title = Something went wrong
error-not-authenticated = Please sign in first.
error-forbidden = You are not allowed to do this.
error-not-found = This page or record does not exist.
error-bad-request = The request is not valid.
error-invalid = A value in the request is not valid.
error-csrf = The form expired or did not come from Haven. Reload the page and try again.
error-too-many-requests = Too many attempts. Wait a few minutes and try again.
error-internal = An internal error occurred. It has been logged; please try again later.
error-method-not-allowed = This method is not allowed here.
error-payload-too-large = The request is too large.
error-unsupported-media-type = The request body has the wrong content type.
error-unprocessable = The request body could not be read.
error-timeout = The request took too long.
error-already-exists = This already exists.
error-cannot-disable-self = You cannot disable your own account.

## Sign-in
login-title = Sign in
login-username = User name
login-password = Password
login-submit = Sign in
login-failed = The user name or password is wrong.
login-locked = Too many failed attempts: this account is locked for a while. Try again later or ask an administrator.
login-throttled = Too many sign-in attempts from this address. Wait a minute and try again.
login-username-required = Enter your user name.
login-password-required = Enter your password.

## Second factor
mfa-title = Second step: authentication code
mfa-enter-code = Enter the 6-digit code shown by your authenticator app.
mfa-code = Code
mfa-verify = Verify
mfa-code-wrong = This code is not valid. Check the time on your phone and try again.
mfa-recovery-hint = Lost your phone? Enter one of your recovery codes instead.
mfa-enrol-title = Set up a second factor
mfa-enrol-scan = Scan this code with an authenticator app (for example FreeOTP or Aegis), then enter the 6-digit code it shows.
mfa-enrol-manual = Or type this key into the app:
mfa-qr-label = QR code for your authenticator app
mfa-enrol-confirm = Confirm
mfa-codes-title = Your recovery codes
mfa-enrolled = The second factor is now active.
mfa-codes-keep = Keep these codes somewhere safe, away from your phone. Each one works once if you lose your phone. They will not be shown again.
mfa-continue = Continue

## Home
home-title = Home
home-your-roles = Your roles:
home-notices = Notices
home-nothing-yet = Nothing is assigned to your roles yet.
home-card-catalog = Reference data
home-card-catalog-text = Principles, phases, sectors, at-risk groups, risks and locations.
home-card-users = Users and roles
home-card-users-text = Accounts, roles and second factors.
home-card-audit = Audit log
home-card-audit-text = Who did what, and when; tamper-evident.
home-card-settings = Settings
home-card-settings-text = Organisation name, time zone and working week.
notice-psea-focal-point-added = A PSEA focal point was added ({ $when }).
notice-psea-focal-point-removed = A PSEA focal point was removed ({ $when }).
notice-psea-credentials-reset = The credentials of a PSEA focal point were reset ({ $when }).

## Account
account-title = My account
account-change-password = Change password
account-current-password = Current password
account-new-password = New password
account-confirm-password = New password again
account-current-password-wrong = The current password is wrong.
account-passwords-differ = The two new passwords differ.
account-password-changed = Your password was changed.
account-language = Language
account-save = Save
account-mfa = Second factor
account-mfa-on = On
account-mfa-off = Off
account-mfa-replace = Replace the authenticator
account-mfa-set-up = Set up a second factor
account-tokens = API tokens
account-token-name = Token name
account-token-days = Valid for (days)
account-token-create = Create token
account-token-created = Copy this token now: it will not be shown again.
account-token-created-at = Created
account-token-expires = Expires
account-token-last-used = Last used
account-token-never-used = Never
account-token-revoke = Revoke
account-token-revoked = Revoked
account-token-name-required = Give the token a name (at most 80 characters).
account-token-days-invalid = A token is valid for 1 to 365 days.
account-sessions = Sessions
account-logout-everywhere = Sign out everywhere

## Passwords
password-too-short = The password needs at least { $min } characters.
password-too-long = The password may have at most { $max } characters.
password-contains-username = The password may not contain the user name.

## Reference data
catalog-title = Reference data
catalog-intro = The shared vocabulary of protection work in Haven. Administrators can add local entries.
catalog-kind = Kind
catalog-entries = Entries
catalog-code = Code
catalog-name = Name
catalog-description = Description
catalog-local = local
catalog-add = Add a local entry
catalog-name-en = Name in English
catalog-name-fr = Name in French
catalog-name-ar = Name in Arabic
catalog-code-invalid = Use 1 to 64 lower-case letters, digits and hyphens.
catalog-code-taken = This code is already used.
catalog-name-required = An English name is required.
catalog-kind-principles = Protection principles
catalog-kind-phases = Project phases
catalog-kind-sectors = Sectors of assistance (MCOF)
catalog-kind-at-risk-groups = At-risk groups
catalog-kind-risks = Protection risks (GPC)
catalog-kind-action-types = Types of protection action
catalog-kind-pillars = Operational pillars (PiHA)
catalog-kind-age-brackets = Age brackets
catalog-kind-feedback-typology = Feedback typology (IFRC)
catalog-kind-locations = Locations

## Users
users-title = Users
users-count = { $count ->
    [one] { $count } user
   *[other] { $count } users
}
users-username = User name
users-display-name = Full name
users-email = Email
users-roles = Roles
users-role = Role
users-status = Status
users-active = Active
users-disabled = Disabled
users-locked = Locked
users-mfa = Second factor
users-new = New user
users-initial-password = Initial password (to be changed at first sign-in)
users-create = Create user
users-username-length = A user name has 2 to 64 characters.
users-username-characters = Use lower-case letters a–z, digits, dots, hyphens and underscores.
users-username-taken = This user name is taken.
users-display-name-required = Enter the person's name.
users-grant = Grant role
users-revoke = Revoke
users-location-scope = Limited to location (P-code path, optional)
users-credentials = Credentials
users-new-password = New password
users-reset-password = Reset password
users-reset-mfa = Reset second factor
users-password-was-reset = The password was reset; the user must change it at next sign-in.
users-mfa-was-reset = The second factor was removed; the user will set up a new one.
users-disable = Disable account
users-enable = Enable account

## Audit
audit-title = Audit log
audit-filter-action = Action starts with
audit-filter = Filter
audit-time = Time
audit-actor = Actor
audit-action = Action
audit-entity = Record
audit-summary = Summary
audit-older = Older entries

## Settings
settings-title = Organisation settings
settings-organisation = Organisation name
settings-time-zone = Time zone (e.g. Africa/Nairobi)
settings-working-week = Working days (e.g. mon,tue,wed,thu,fri or sun,mon,tue,wed,thu)
settings-time-zone-invalid = Enter a time zone name such as Africa/Nairobi, or UTC.
settings-working-week-invalid = List days as mon, tue, wed, thu, fri, sat, sun separated by commas.
settings-saved = Settings saved.
settings-mfa-roles = Roles that must use a second factor

## Feedback: field problems
error-required = This field is required.
error-too-long = This is too long.
error-unknown-code = This value is not one of the allowed choices.
error-invalid-phone = Enter a phone number of 6 to 15 digits, with an optional + in front.
error-consent-required = Contact details are kept only with consent: tick the consent box or leave them out.
error-out-of-range = Enter an age between 0 and 120.
error-age-or-bracket = Give either the age or the age bracket, not both.
error-invalid-language = Use a two- or three-letter language code such as en, fr or ar.
error-unknown-location = This location is not in the location list.
error-feedback-not-set-up = Sensitive feedback cannot be received yet: a PSEA focal point must first set up the office key.
error-unavailable = The service is not available right now.

## Feedback: the public form and status page
feedback-new-title = Give feedback or make a complaint
feedback-new-intro = Tell us about a problem, a question, a suggestion or something that went well. You do not have to give your name.
feedback-text = Your message
feedback-about = Is it about any of these?
feedback-about-hint = Reports of abuse, exploitation or fraud are seen only by a small protected team.
feedback-about-general = None of these
feedback-about-sea = Sexual abuse or exploitation by someone working in aid
feedback-about-fraud = Fraud, bribes or theft of aid
feedback-about-misconduct = Bad behaviour by staff or volunteers
feedback-about-child_safeguarding = A child at risk
feedback-about-safety_threat = A threat to someone's safety
feedback-about-you = About you (optional)
feedback-sex = Sex
feedback-sex-none = Prefer not to say
feedback-sex-f = Female
feedback-sex-m = Male
feedback-sex-x = Other
feedback-sex-u = Unknown
feedback-age = Age
feedback-contact = If you want an answer (optional)
feedback-contact-hint = We keep contact details only if you agree, and only to answer you.
feedback-contact-name = Name
feedback-contact-phone = Phone number
feedback-safe-contact = When and how is it safe to contact you?
feedback-consent = I agree to be contacted about this message.
feedback-send = Send
feedback-status-link = Check the status of a message
feedback-thanks-title = Thank you, your message was received
feedback-thanks-reference = Your reference:
feedback-thanks-keep = Keep this reference to check on your message. Nobody needs it but you.
feedback-status-title = Status of a message
feedback-status-reference = Reference
feedback-status-check = Check
feedback-status-response = Our answer
feedback-status-unknown = No message has this reference. Check it and try again.
feedback-public-status-received = Received
feedback-public-status-acknowledged = Received and being looked at
feedback-public-status-assigned = Being handled
feedback-public-status-referred = Passed to the team that can act on it
feedback-public-status-responded = Answered
feedback-public-status-closed = Closed
feedback-public-status-in-progress = Received and being handled
feedback-sms-ack = Thank you, your message was received. Your reference: { $reference }
error-invalid-time = Give the time as RFC 3339, e.g. 2026-03-06T14:05:00Z.
error-item-closed = This item is closed: reopen it first.
error-item-not-closed = Only a closed item can be reopened.
error-not-responded = Respond before closing, or close with a reason that needs no answer (duplicate, withdrawn, incomplete, unreachable).
error-sealed-referral = Sealed items are referred for investigation or to assistance services.
error-open-referral = Investigation and assistance referrals are for sealed items.
error-office-key-needed = Opening sealed content needs the PSEA office key: sign in again with your password.
error-changed = Someone changed this item meanwhile. Reload it and try again.
error-unknown-user = There is no user with this name.
error-not-sealed = This item is not sealed.

## Feedback: staff pages
nav-feedback = Feedback
feedback-list-title = Feedback and complaints
feedback-record-title = Record feedback
feedback-search = Words
feedback-status = Status
feedback-any = Any
feedback-channel = Channel
feedback-filter = Show
feedback-count = { $count ->
    [one] { $count } item
   *[other] { $count } items
}
feedback-reference = Reference
feedback-received = Received
feedback-priority = Priority
feedback-due = Due
feedback-overdue = overdue
feedback-seal = Seal
feedback-seal-open = open
feedback-seal-provisional = sealed until a PSEA focal point decides
feedback-seal-sealed = sealed
feedback-channel-web = Web form
feedback-channel-sms = SMS
feedback-channel-whatsapp = WhatsApp
feedback-channel-hotline = Hotline
feedback-channel-helpdesk = Help desk
feedback-channel-suggestion_box = Suggestion box
feedback-channel-community_meeting = Community meeting
feedback-channel-field_visit = Field visit
feedback-channel-survey = Survey
feedback-channel-email = E-mail
feedback-channel-other = Other
feedback-status-received = Received
feedback-status-acknowledged = Acknowledged
feedback-status-assigned = Assigned
feedback-status-referred = Referred
feedback-status-responded = Responded
feedback-status-closed = Closed
feedback-respond-by = Respond by
feedback-refer-by = Refer by
feedback-criticality = Criticality
feedback-criticality-urgent = Urgent: life or safety at risk
feedback-criticality-action_needed = Action needed
feedback-criticality-no_immediate_action = No immediate action
feedback-criticality-action_taken = Action already taken
feedback-criticality-to_be_clarified = To be clarified
feedback-location = Location
feedback-history = History
feedback-steps = Next steps
feedback-note = Note
feedback-step-acknowledge = Acknowledge
feedback-step-assign = Assign
feedback-step-refer = Refer
feedback-step-respond = Respond
feedback-step-close = Close
feedback-step-reopen = Reopen
feedback-step-note = Add note
feedback-step-seal-confirmed = Seal confirmed
feedback-step-unsealed = Seal lifted
feedback-assignee = Assign to (user name)
feedback-referral-kind = Refer to
feedback-referral-internal = Another team of ours
feedback-referral-partner = A partner organisation
feedback-referral-investigation = The perpetrator's organisation or investigation office
feedback-referral-assistance = Assistance services for the survivor
feedback-referred-to = Team or organisation
feedback-consent-services = The survivor consents to this referral
feedback-public-response = Answer to the person (shown on the status page)
feedback-closure-reason = Reason for closing
feedback-closure-resolved = Resolved
feedback-closure-information_provided = Information provided
feedback-closure-referred_handed_over = Referred and handed over
feedback-closure-no_action_possible = No action possible (explained)
feedback-closure-unreachable = Person unreachable
feedback-closure-duplicate = Duplicate
feedback-closure-withdrawn = Withdrawn
feedback-closure-incomplete = Incomplete
feedback-loop-closing = How the loop was closed
feedback-loop-immediately = Answered immediately
feedback-loop-follow_up_call = Follow-up call
feedback-loop-follow_up_visit = Follow-up visit
feedback-loop-follow_up_message = Follow-up message
feedback-loop-through_focal_point = Through a focal point
feedback-loop-community_meeting = At a community meeting
feedback-loop-not_possible = Not possible
feedback-satisfaction = The person's satisfaction
feedback-satisfaction-satisfied = Satisfied
feedback-satisfaction-neutral = Neither
feedback-satisfaction-dissatisfied = Dissatisfied
feedback-satisfaction-not_asked = Not asked
feedback-seal-decision = Seal decision
feedback-seal-confirm = Sensitive: keep it sealed
feedback-seal-unseal = Not sensitive: lift the seal
feedback-reason = Reason
feedback-seal-decide = Decide
feedback-record-sealed = Recorded and sealed: only PSEA focal points can see it now. Reference:
feedback-record-minimum = For abuse, exploitation or fraud, note only what, where and when, and the organisation of the person concerned if known. Do not ask for details.
feedback-about-person = The person giving feedback
feedback-disability = Has a disability (Washington Group short set)
feedback-consent-given = The person agrees to be contacted
feedback-record-save = Save
feedback-category = Category (IFRC typology)
