## Bot texts in English. Edit freely; { $name } are placeholders — keep them as they are.

## Main menu (buttons)
menu-find-book = 🔎 Find a book
menu-my-books = 📚 My books
menu-events = 📅 Events
menu-consultation = 💬 Consultation
menu-subscriptions = 🔔 Subscriptions
menu-about = ℹ️ About the library
menu-staff = 🛠 For staff
menu-back = ⬅️ Menu
menu-placeholder = Choose a menu item or type a question

## Welcome and help
start-welcome =
    Hello! This is the «{ $library }» bot.
    Find out whether a book is in, renew your loans, sign up for events and get a consultation for non-profits.
menu-prompt = How can I help? Choose a menu item 👇
help-text =
    <b>What the bot can do</b>
    🔎 <b>Find a book</b> — is it in, and at which branch
    📚 <b>My books</b> — your loans and renewals
    📅 <b>Events</b> — what's on, and signing up
    💬 <b>Consultation</b> — ask a lawyer, an accountant, a grant expert
    🔔 <b>Subscriptions</b> — library news
    ℹ️ <b>About the library</b> — addresses, phones, opening hours

    Or just type a question in your own words: "when are you open on Saturday?", "I want to renew a book". If I have no ready answer, I pass it to a librarian (/ask).

    Commands: /menu — menu, /help — this help, /language — language, /link — link messengers (Telegram, VK, MAX), /forget — delete my data.

## About the library
about-title = <b>{ $library }</b>
about-branch =
    <b>{ $name }</b>{ $open ->
        [open] {" "}— open now
        [closed] {" "}— closed now
       *[unknown] {""}
    }
    { $address }
    🕘 { $hours }
about-branch-phone = ☎️ { $phone }
about-branch-note = ℹ️ { $note }
about-contacts = <b>Contacts</b>
about-phone = Phone: { $phone }
about-email = E-mail: { $email }
about-website = Website: { $website }
about-language = 🌐 Язык / Language
about-vk = VK: { $vk }
about-no-branches = The library has not listed its addresses and hours yet.
hours-closed = closed
hours-all-closed = please call for opening hours
day-mon = Mon
day-tue = Tue
day-wed = Wed
day-thu = Thu
day-fri = Fri
day-sat = Sat
day-sun = Sun

## Consent to personal data processing (Federal Law 152-FZ)
consent-request =
    To sign you up for events, renew your books and answer your requests we need your consent to process personal data (name, phone, e-mail, organisation, reader ticket) under Federal Law 152-FZ.
    Data controller: { $operator }.{ $policy ->
        [none] {""}
       *[other] {" "}Privacy policy: { $policy }
    }
    Without consent you can still search the catalogue and read about the library.
consent-accept = ✅ I agree
consent-refuse = Not now
consent-given = Thank you! Your consent is recorded. You can withdraw it with /forget.
consent-refused = All right, we keep none of your data. Book search and library information are available.
consent-needed = This section needs your consent to personal data processing.

## Erasing data
forget-confirm = Delete all your data in the bot? Your consent, name, contacts and conversation go.{ $details }
    Anonymous statistics remain.
forget-yes = 🗑 Yes, delete
forget-no = Cancel
forget-done = Done: your data is deleted. If you write again, the bot starts afresh.
forget-cancelled = All right, nothing is deleted.

## Language
language-choose = Выберите язык / Choose a language:
language-set = Language: English.
language-ru = Русский
language-en = English

## Service messages
stale-button = This button is out of date. Here is the menu:
error-apology = Sorry, something went wrong. We are looking into it. Please try again or choose a menu item.
throttled = Please slow down a little 🙂 Wait a few seconds and write again.
too-long = The message is too long ({ $length } characters). Please keep it under { $limit }.
not-text = I understand text and buttons. Choose a menu item or type your question.
unknown-command = There is no such command. Here is what I can do:
staff-only = This section is for library staff only.
admin-only = Only bot administrators can do this.
my-id = Your id in the bot: <code>{ $id }</code>
    Give it to an administrator if you are to be made staff or an expert.
text-truncated = …(message shortened)

## Roles
role-staff = staff
role-expert = expert
role-admin = administrator

## Staff section
staff-menu = <b>For staff</b>
staff-today = 📊 Today
staff-roles = 👥 Staff and experts
staff-today-title = <b>Requests today ({ $date })</b>
staff-today-line = { $kind }: { $count }
staff-today-empty = No requests yet today.

## Roles (administrators)
roles-title = <b>Staff and experts</b>
roles-line = • { $name } — { $role }
roles-empty = Nobody is assigned yet.
roles-add-staff = ➕ Add staff member
roles-add-expert = ➕ Add expert
roles-revoke = Remove: { $name } ({ $role })
roles-ask-id = Send the person's id (they can see it with /myid), e.g. <code>telegram:123456789</code> or just the number.
roles-bad-id = That does not look like an id. Example: <code>telegram:123456789</code>. Or press «Cancel».
roles-unknown-person = The bot has not met this person yet. Ask them to send /start to the bot, then send the id again.
roles-granted = Done: { $name } — { $role }.
roles-already = { $name } already has the role «{ $role }».
roles-revoked = Role «{ $role }» removed: { $name }.
roles-not-held = { $name } does not have the role «{ $role }».
roles-cancel = Cancel
roles-cancelled = Cancelled.
roles-you-got = You have been given the role «{ $role }» in the library bot. «For staff» is now in your menu.
roles-you-lost = Your role «{ $role }» in the library bot has been removed.
notify-role-granted = 👥 { $admin } made { $name } { $role }
notify-role-revoked = 👥 { $admin } removed the role «{ $role }» from { $name }

## Kinds of requests (statistics)
kind-message = Messages
kind-button = Button presses
kind-menu = Menu and help
kind-library_info = Library information
kind-catalogue_query = Catalogue enquiries
kind-loan_enquiry = Loan enquiries
kind-reader_link = Reader card links
kind-renewal = Renewals
kind-consultation = Consultations
kind-project_expertise = Project application reviews
kind-event_registration = Event registrations
kind-training_event = Training events
kind-public_event = Public events
kind-service_promotion = Announcements
kind-consent = Consent answers
kind-data_erasure = Data erasures
kind-role_change = Role changes
kind-staff_action = Staff actions
kind-throttled = Too frequent messages
kind-error = Failures

## Telegram command menu
cmd-start = Start and show the menu
cmd-menu = Main menu
cmd-help = What the bot can do
cmd-language = Change language
cmd-myid = My id
cmd-forget = Delete my data
cmd-staff = Staff section

## Catalogue
catalogue-prompt =
    Type a title, an author or an ISBN and I will search the catalogue.
    For example: <i>The Master and Margarita</i>, <i>Ulitskaya</i>, <i>978-5-17-090630-7</i>
catalogue-found = { $total ->
        [one] Found { $total } book
       *[other] Found { $total } books
    } for «{ $query }»{ $shown ->
        [all] :
       *[other] . The first { $shown }:
    }
catalogue-found-many = More than { $total } books for «{ $query }» — add the author or another word of the title. The first ones:
catalogue-suggestion = Did you mean: «{ $suggestion }»
catalogue-hit = { $number }. { $title }{ $authors ->
        [none] {""}
       *[other] {" "}— { $authors }
    }{ $year ->
        [none] {""}
       *[other] {" "}({ $year })
    }
catalogue-nothing = Nothing in the catalogue for «{ $query }». Try other words — just the author's surname, or one word of the title.
catalogue-more = More ▶
catalogue-page = More for «{ $query }» ({ $from }–{ $to } of { $total }):
catalogue-page-gone = This list is out of date — please search again.
catalogue-suggest-button = 📝 Ask the library to get it
catalogue-suggest-done = Thank you! Your request for «{ $query }» has been passed to the staff.
catalogue-record-gone = This book is no longer in the catalogue. Please search again.
catalogue-card-title = <b>{ $title }</b>
catalogue-card-authors = { $authors }
catalogue-card-imprint = { $details }
catalogue-card-isbn = ISBN { $isbn }
catalogue-no-copies = No copies can be lent right now.
catalogue-branch = • <b>{ $branch }</b> — { $state }
catalogue-on-shelf = { $available } of { $total } on the shelf
catalogue-none-on-shelf = none on the shelf
catalogue-call-number = call number { $call }
catalogue-status-on_loan = { $count } on loan{ $due ->
        [none] {""}
       *[other] , due back { $due }
    }
catalogue-status-reserved = { $count } reserved
catalogue-status-in_transit = { $count } in transit
catalogue-status-reading_room = { $count } reading room only
catalogue-status-unavailable = { $count } not lent for now
catalogue-watch-button = 🔔 Tell me when it's back
catalogue-hold-button = 📌 Reserve
catalogue-watch-done = All right! I will write as soon as «{ $title }» is back on the shelf. Changed your mind? Cancel the wait in “My books”.
catalogue-watch-already = You are already waiting for «{ $title }» — I will write when it is back.
catalogue-call-us = Your request is recorded, but it could not be passed to the staff right away. To be quicker, please call us{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
catalogue-returned = 📚 «{ $title }» is back on the shelf: { $where }. Come and get it!
notify-purchase-request = 📝 Acquisition request: «{ $query }» (not in the catalogue)
kind-subscription = Subscriptions

## Subscriptions
subs-title = <b>Subscriptions</b>
    Choose what to hear about. Press again to unsubscribe.
subs-offer = Would you like library news? Choose topics — or just skip this.
subs-on = ✅ { $topic }
subs-off = ▫️ { $topic }
subs-branches = { $topic }: choose branches
subs-any-branch = All branches
subs-branch-button = 🏛 { $topic }: branches ▶
subs-subscribed = Subscribed: { $topic }
subs-unsubscribed = Unsubscribed: { $topic }
subs-stop-button = 🔕 Unsubscribe from everything
subs-stopped = You are unsubscribed from all announcements. You can come back in «Subscriptions».
    Would you tell us why?
subs-not-subscribed = You have no subscriptions. You can subscribe in «Subscriptions».
subs-reason-often = Too often
subs-reason-boring = Not interesting
subs-reason-other = Something else
subs-reason-thanks = Thank you, noted!
subs-back = ⬅️ Subscriptions
cmd-stop = Unsubscribe from announcements

## Broadcasts
broadcast-report = 📣 Broadcast #{ $id } «{ $text }» finished: delivered { $sent } of { $total }; blocked the bot: { $blocked }; failed: { $failed } ({ $reasons }); fate unknown: { $unknown }; took { $minutes } min.
staff-compose = 📣 New announcement
staff-scheduled = 🗓 Scheduled announcements
compose-ask-text = Send the announcement text — a photo with a caption works too. Bold, italics and links are kept.
compose-empty = Text or a captioned photo is needed. Send it again or press «Cancel».
compose-too-long = Too long: { $length } characters, the limit is { $limit }. Please shorten it.
compose-ask-audience = Who should get it?
compose-everyone = Everyone who wrote to the bot
compose-topic-branch = { $topic } — { $branch }
compose-all-branches = All branches
compose-ask-branch = Followers of which branch?
compose-add-link = 🔗 Add a link button
compose-add-signup = 📅 Add a “Sign up” button
compose-ask-link = Send the button as <code>Text | https://address</code> — or just the link.
compose-link-default = More
compose-bad-link = That did not work: a link starting with https:// and a text of up to { $limit } characters are needed. For example: <code>Contest rules | https://library.example/grant</code>
compose-ask-signup = Sign up for which event?
compose-event-gone = That event has been cancelled or is over — choose another.
compose-signup-label = 📅 Sign up
compose-edit = ✏️ Edit #{ $id }
compose-ask-edit = Send the new text of announcement #{ $id }.
compose-edited = The text of announcement #{ $id } has been changed.
compose-not-editable = Announcement #{ $id } can no longer be changed: it has started or was cancelled.
compose-nko = NGOs — everyone who gave an organisation
compose-event-list = People registered for an event…
compose-ask-event = Registered for which event? (the waiting list included)
compose-no-events = No upcoming events — choose other recipients or cancel.
compose-event-audience = registered for “{ $title }”
compose-ask-when = When to send it? Or type a date and time, e.g. <code>25.12 18:00</code>.
compose-now = Now
compose-now-urgent = Now, urgent (during quiet hours too)
compose-tomorrow = Tomorrow at 10:00
compose-bad-time = I could not read the time. Type e.g. <code>25.12 18:00</code> or <code>25.12.2026 18:00</code>.
compose-past-time = That time has passed. Please give a time in the future.
compose-preview = This is how subscribers will see it (the message above).
    To: { $audience }
    When: { $when }{ $urgent ->
        [yes] {" "}(urgent)
       *[no] {""}
    }
compose-confirm = ✅ Schedule
compose-cancel = ✖️ Cancel
compose-cancelled = The draft is deleted.
compose-scheduled = Announcement #{ $id } is scheduled for { $when }. You can cancel it in «Scheduled announcements» until it starts.
compose-none-scheduled = No announcements are scheduled.
compose-list-line = #{ $id } — { $when } — { $audience }: { $text }
compose-drop = Cancel #{ $id }
compose-dropped = Announcement #{ $id } is cancelled.
compose-not-droppable = Announcement #{ $id } can no longer be cancelled: it has started or was cancelled.
compose-draft-gone = The draft is out of date — start again.

## My books: linking a reader ticket
loans-none-system = Loans cannot be viewed or renewed in the bot at our library yet. You can renew by phone{ $phone ->
        [none] {" "}or at the library.
       *[other] : { $phone }.
    }
loans-need-consent = To show your books the bot needs your consent to process your data.
loans-ask-ticket = To see and renew your books, link your library card. Enter the <b>card number</b> printed on it.
loans-bad-ticket = That does not look like a card number. It is digits (sometimes with letters), e.g. 100234, printed on your card. Please try again.
loans-ask-password = Enter the <b>password (PIN)</b> of your library account — or the one-time code, if the library gave you one. I will delete the message with it right away.
loans-ask-identity = Enter the reader's <b>surname and year of birth</b>, e.g. <i>Ivanova 1985</i> — or the one-time code, if the library gave you one.
loans-ask-code = Enter the <b>code from the library</b> — staff at the desk give it out. It works once.
loans-bad-identity = Write the surname and the year of birth separated by a space, e.g. <i>Ivanova 1985</i> — or the code from the library.
loans-send-text = Please answer with text.
loans-checking = Checking…
loans-wrong = The card number or { $what ->
        [password] password
        [identity] surname and year of birth
       *[code] code
    } do not match. { $left ->
        [one] { $left } attempt left.
       *[other] { $left } attempts left.
    } Enter the card number again.
loans-locked = Too many failed attempts. You can link the card again after { $until }. If you forgot the password, contact the library{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
loans-system-down = The library system is not answering right now. Nothing has changed — please try again in a few minutes{ $phone ->
        [none] .
       *[other] {" "}or call { $phone }.
    }
loans-linked = Done: card No. { $ticket } is linked{ $name ->
        [none] .
       *[other] {" "}({ $name }).
    } I will remind you a few days before books are due.
loans-cancel = Cancel

## My books: list and renewal
loans-title = <b>Your books</b> (card No. { $ticket }):
loans-empty = You have no books on loan right now.
loans-line = { $number }. “{ $title }” — due <b>{ $due }</b>{ $overdue ->
        [yes] {" "}⚠️ overdue
       *[no] {""}
    }{ $renewals ->
        [none] {""}
       *[other] , renewals: { $renewals }
    }
loans-line-refusal = {"   "}cannot be renewed: { $reason }
loans-holds-title = <b>Waiting for you at the library:</b>
loans-hold-line = • “{ $title }”{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }{ $until ->
        [none] {""}
       *[other] , pick up by { $until }
    }
loans-holds-coming = <b>Your requests in transit or in the queue:</b> { $count }
loans-renew-button = 🔄 Renew: { $title }
loans-renew-all-button = 🔄 Renew all
loans-reminders-on-button = 🔔 Reminders: on
loans-reminders-off-button = 🔕 Reminders: off
loans-unlink-button = Unlink card
loans-refresh-button = Refresh
loans-reminders-now-on = I will remind you of due dates.
loans-reminders-now-off = Due-date reminders are off.
loans-stale = The list has changed — here is the current one.
loans-not-yours = This book is not on your card.
loans-already-renewed = Already renewed: “{ $title }” — due { $due }.
loans-need-link = Link your library card in “My books” first.
loans-unlink-confirm = Unlink card No. { $ticket } from this account? Due-date reminders will stop.
loans-unlink-yes = Yes, unlink
loans-unlink-no = No
loans-unlinked = The card is unlinked. You can link it again in “My books”.
loans-result-title = <b>Renewal</b>
loans-result-renewed = ✅ “{ $title }” — renewed until <b>{ $due }</b>
loans-result-refused = ❌ “{ $title }” — not possible: { $reason }
loans-result-unavailable = ⏸ “{ $title }” — the library system did not answer; nothing changed. Please try later.
loans-result-unconfirmed = ❓ “{ $title }” — the system's answer was lost, so the renewal is not confirmed. I will not retry: check the due date in “My books” later or at the library.
loans-nothing-to-renew = Nothing to renew: { $reason }

## Why a loan cannot be renewed
refusal-too_many = no renewals left
refusal-reserved = another reader is waiting for it
refusal-overdue = it is overdue for too long — please return it
refusal-debts = there are unpaid charges on the card
refusal-blocked = the card is blocked — please contact the library
refusal-too_soon = renewal opens { $from ->
        [none] closer to the due date
       *[other] on { $from }
    }
refusal-at_desk = it must be shown to a librarian
refusal-not_on_loan = it is no longer on your card
refusal-rules = the library's rules do not allow it

## Reminders
reminder-before = 📚 “{ $title }” is due in { $days ->
        [one] { $days } day
       *[other] { $days } days
    } ({ $due }).
reminder-due-today = 📚 Today is the last day: return or renew “{ $title }”.
reminder-overdue = ⚠️ “{ $title }” was due { $due }. Please return it, or renew it if possible.
reminder-can-renew = You can renew it right here.
reminder-cannot-renew = It cannot be renewed: { $reason }.
reminder-hold-ready = 📌 Your request is waiting: “{ $title }”{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }{ $until ->
        [none] .
       *[other] . Pick it up by { $until }.
    }
reminder-my-books = 📚 My books

## Staff: reader cards
staff-desk-code = 🔑 Card linking code
staff-unlink = ✂️ Unlink a card
staff-ask-ticket-code = Enter the reader's card number — I will give a one-time linking code.
staff-ask-ticket-unlink = Enter the card number to unlink from the bot.
staff-desk-code-done = Code for card No. { $ticket }: <b>{ $code }</b>. Valid for { $hours } h. The reader enters it in “My books” after the card number.
staff-desk-code-unknown = Card No. { $ticket } is not in the library system.
staff-unlink-done = Card No. { $ticket } unlinked from { $count ->
        [one] { $count } account
       *[other] { $count } accounts
    }.
staff-unlink-none = Nobody has card No. { $ticket } linked.
loans-unlinked-by-staff = At your request, library staff unlinked your card from the bot.

## Events
event-kind-meetup = NGO meetup
event-kind-training = Training
event-kind-public = Public event
event-kind-consultation_day = Consultation day
event-kind-other = Other
events-none = No upcoming events yet. Subscribe to “Events” in Subscriptions and I will tell you.
events-title = <b>Upcoming events</b> ({ $total }):
events-line = { $number }. { $when } — <b>{ $title }</b> · { $seats }
events-more = More
events-filter-button = 🔎 Filter
events-mine-button = 🗓 My registrations
events-list-button = ⬅️ Back to the list
events-all-button = All events
events-filter-title = Which events to show?
events-seats-unlimited = seats available
events-seats-left = { $left } of { $total } seats free
events-seats-none = full{ $waitlist ->
        [yes] , waiting list open
       *[no] {""}
    }
events-card-title = <b>{ $title }</b>
events-card-kind = { $kind }
events-card-when = 🗓 { $when }
events-card-where = 📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }
events-gone = This event is no longer listed.
events-register-button = ✅ Register
events-waitlist-button = ⏳ Join the waiting list
events-cancel-button = Cancel registration
events-registration-closed = Registration for this event is closed.
events-you-registered = ✅ You are registered.
events-you-wait = ⏳ You are number { $position } on the waiting list.
events-you-offered = 🔔 A seat is free for you — please confirm it.
events-mine-none = You have no registrations for upcoming events.
events-mine-title = <b>Your registrations:</b>
events-mine-line = • { $when } — { $title }: { $state }
events-need-consent = To register you the bot needs your consent to process your data.
events-already = You are already registered for “{ $title }”.
events-ask-name = Registration for “{ $title }”. What is your name? Please write your full name.
events-ask-org = Which organisation (NGO) do you represent?
events-ask-contact = A phone number or e-mail to reach you?
events-ask-question = { $question }{ $required ->
        [yes] {""}
       *[no] {" "}(optional)
    }
events-same-button = ✔️ { $value }
events-private-button = Private person
events-private-value = private person
events-skip-button = Skip
events-abort-button = Stop registering
events-aborted = All right, not registering. The events are in the menu.
events-bad-name = Please write your name (2 to 200 characters).
events-bad-org = Write the organisation's name or press “Private person”.
events-bad-contact = That does not look like a phone number or e-mail, e.g. +7 900 123-45-67 or name@mail.ru
events-bad-answer = The answer must be at most 1000 characters.
events-send-text = Please answer with text.
events-form-gone = This button no longer works.
events-refused-gone = This event is no longer listed.
events-refused-not_open = Registration is not open yet.
events-refused-closed = Registration has closed.
events-refused-full = There are no seats left.
events-registered = ✅ You are registered!
events-waitlisted = ⏳ The event is full; you are number { $position } on the waiting list. I will write if a seat frees up.
events-details = <b>{ $title }</b>
    🗓 { $when }
    📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }
events-cancel-confirm = Cancel your registration? The seat goes to the next person waiting.
events-cancel-yes = Yes, cancel
events-cancel-no = No
events-cancelled = Registration cancelled.
events-not-yours = This registration is not yours or is already cancelled.
events-offer = 🔔 A seat is free at “{ $title }” ({ $when })! Confirm by { $until }, or it goes to the next person.
events-offer-yes = ✅ I will come
events-offer-no = I can't come
events-offer-gone = The time to confirm has passed, or the seat is taken.
events-reminder-24h = 🔔 A reminder: “{ $title }” is { $day ->
        [today] today
       *[tomorrow] tomorrow
    }, { $when }. 📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }. If you cannot come, press the button and the seat goes to someone else.
events-reminder-2h = 🔔 “{ $title }” starts soon, { $when }. 📍 { $branch }{ $room ->
        [none] {""}
       *[other] , { $room }
    }. See you there!
events-cant-come = I can't come
events-ics-caption = Add it to your calendar so you don't forget.
events-ticket-caption = 🎟 Your ticket for “{ $title }”{ $name ->
        [none] {""}
       *[other] {" "}— { $name }
    }. Show it at the entrance.
events-ticket-not-staff = This is an event ticket: show it to staff at the entrance.
events-ticket-unknown = Ticket not found, or the registration was cancelled.
events-ticket-ok = ✅ { $name ->
        [none] The participant
       *[other] { $name }
    } is marked present at “{ $title }”.
events-ticket-again = Already marked present: { $name ->
        [none] the participant
       *[other] { $name }
    }, “{ $title }”.

## Staff: events
staff-events = 🗓 Events and participants
staff-events-title = Upcoming events — choose one:
staff-event-card = <b>{ $title }</b>
    🗓 { $when } · { $status }
    Registered: { $confirmed } of { $seats }
    Waiting list: { $waiting }, to confirm: { $offered }
    Cancelled: { $cancelled }
    Came: { $attended }
staff-event-status-scheduled = scheduled
staff-event-status-cancelled = cancelled
staff-event-people = ✅ Mark who came
staff-event-people-title = Participants of “{ $title }”. Press a name to mark them (again to unmark):
staff-event-xlsx = 📊 List as XLSX
staff-event-csv = 📄 List as CSV
staff-event-exported = Participants of “{ $title }”: { $count }.
staff-event-message = ✉️ Message everyone registered
staff-event-ask-message = Write the message — everyone registered or waiting will get it.
staff-event-message-to-people = ✉️ A message about “{ $title }”:
staff-event-message-sent = The message is being sent to { $count } people.
staff-event-cancel = ❌ Cancel the event
staff-event-cancel-confirm = Cancel the event? Everyone registered will be told.
staff-event-cancel-yes = Yes, cancel the event
staff-event-cancelled = “{ $title }” is cancelled. Notices are being sent: { $count }.
events-cancelled-by-library = ❌ “{ $title }” ({ $when }) is cancelled. Sorry for the trouble — see other events in “Events”.
staff-event-new = ➕ New event
staff-event-add = ➕ Add a participant by hand
staff-event-move = 🕑 Move
staff-new-title = The event's title?
staff-new-bad-title = A title is 3 to 200 characters.
staff-new-kind = What kind of event is it?
staff-new-when = When does it start? Library time. E.g. { $short }, { $long } or “friday 18:00”.
staff-new-bad-when = I could not read “{ $text }”. Write a date and a time, e.g. { $short }, { $long } or “tomorrow at 18:00”.
staff-new-branch = Where is it?
staff-new-no-branch = Outside the branches
staff-new-seats = How many seats? Write a number or press “No limit”.
staff-new-unlimited = No limit
staff-new-bad-seats = Write the number of seats, e.g. 65.
staff-new-description = A description for the listing (or “Skip”):
staff-new-open = Open the event
staff-new-done = ✅ “{ $title }” ({ $when }) is created and listed. Link to publish: { $link }
staff-move-ask = The new start date and time? E.g. { $short }, { $long } or “friday 18:00”. Everyone registered will be told.
staff-add-ask = Write the participant separated by commas: name, organisation, phone or e-mail (a name is enough).
staff-add-bad = At least a name is needed (2 characters or more).
staff-added = ✅ { $name } is registered.
staff-added-waiting = { $name } is number { $position } on the waiting list.
staff-moved = “{ $title }” is moved to { $when }. Notices are being sent: { $count }.
events-moved = 🕑 “{ $title }” has moved: it was { $was }, now { $now }. If you cannot come at the new time, cancel in “Events” → “My registrations”.
staff-event-edit = ✏️ Edit
staff-edit-what = What to change?
staff-edit-title = Title
staff-edit-description = Description
staff-edit-seats = Number of seats
staff-edit-questions = Registration questions
staff-edit-photo = Photo for the listing
staff-edit-ask-title = The new title?
staff-edit-ask-description = The new description for the listing?
staff-edit-ask-seats = How many seats now? A number or “no limit”. New seats are offered to the waiting list.
staff-edit-ask-questions = Questions separated by “;”, a required one ends with “*”. E.g. Topic?*; Do you need step-free access?
staff-edit-ask-photo = Send a photo for the listing.
staff-edit-send-photo = Please send a photo.
staff-edit-send-text = Please send text.
staff-edit-bad-questions = At most 10 questions, separated by “;”.
staff-edit-seats-too-few = { $taken } people are already registered — seats cannot be fewer. Cancel registrations first or keep the number.
staff-edit-done = ✅ Saved.

## Consultations: requester
menu-expert = 📨 Requests for me
staff-requests = 📨 Requests (consultations)
rq-topics = 💬 <b>Consultations</b> for NGOs and residents: a lawyer, an accountant, a grant expert and other specialists.
    Choose a topic — first I will show answers to common questions.
rq-faq-title = <b>{ $topic }</b>. Common questions — the answer may already be here:
rq-faq-answer = <b>{ $question }</b>

    { $answer }
rq-faq-back = ⬅️ Back to common questions
rq-ask = ✍️ Ask a specialist
rq-other-topics = Other topics
rq-need-consent = To pass your question to a specialist we need your consent to process personal data.
rq-ask-question = Topic: <b>{ $topic }</b>.
    Describe your question in one message. You may attach documents or photos — up to { $files } files, up to { $mb } MB each.
rq-ask-name = What is your name? Please write your first and last name.
rq-ask-org = Which organisation (NGO) do you represent?
rq-ask-contact = How can we reach you? The answer will come here, in this chat. If you prefer phone or e-mail, write it.
rq-ask-when = When is it convenient to contact you? Choose or write in your own words.
rq-when-any = Any time
rq-when-morning = Mornings
rq-when-day = Afternoons
rq-when-evening = Evenings
rq-same = ✔️ { $value }
rq-private = Private person
rq-private-value = private person
rq-in-chat = 💬 Answer here, in the chat
rq-abort = Cancel the request
rq-aborted = All right, nothing was sent. You can come back from “Consultation” in the menu.
rq-bad-question = Please describe the question a little more — at least a few words.
rq-question-too-long = The message is too long: please keep it within { $limit } characters or attach the text as a file.
rq-bad-name = Please write a name (2 to 200 characters).
rq-bad-org = Write the organisation's name (up to 300 characters) or press “Private person”.
rq-bad-contact = That does not look like a phone number or an e-mail. Write e.g. +7 900 123-45-67 or name@mail.ru — or press “Answer here, in the chat”.
rq-bad-when = Please keep it short (up to 200 characters) or choose an option.
rq-send-text = Please write text, or send a document or a photo.
rq-now-question = Now please write the question itself.
rq-file-added = 📎 File attached (total: { $count }).
rq-too-many-files = At most { $files } files can be attached. Describe the rest in words or send it later from “My requests”.
rq-file-too-big = The file is larger than { $mb } MB and cannot be passed on. Send a smaller file or a link to it.
rq-form-expired = This form is already closed. Start again from “Consultation” in the menu.
rq-topic-gone = This topic is no longer taken. Choose another one under “Consultation”.
rq-received = ✅ Request <b>No. { $number }</b> received.
    Topic: { $topic }.
    A specialist will answer by { $until }. The answer will come here; follow it in “My requests”.
rq-closed-now = We are closed now — the request will be looked at after { $opens }.
rq-mine = 📨 My requests
rq-new = ✍️ New request
rq-mine-title = <b>Your requests</b> — choose one to see the answers:
rq-mine-empty = You have no requests yet.
rq-mine-line = No. { $number } · { $status } · { $topic }
rq-open-request = Request No. { $number }
rq-not-found = Request not found.
rq-card-title = <b>Request No. { $number }</b> · { $topic }
rq-card-status = Status: { $status }
rq-card-received = Sent: { $at }
rq-card-meeting = 📅 Meeting:
rq-status-new = new
rq-status-in_progress = in progress
rq-status-forwarded = passed to an expert
rq-status-awaiting = waiting for your reply
rq-status-resolved = resolved
rq-status-rejected = declined
rq-status-withdrawn = withdrawn
rq-author-you = You
rq-author-requester = Requester
rq-author-staff = Staff
rq-author-expert = Expert
rq-author-bot = Bot
rq-anonymous = (data erased)
rq-contact-in-chat = in the chat with the bot
rq-line-status = { $at } — { $status }
rq-line-message = { $at } — <b>{ $who }</b>: { $text }
rq-line-file = { $at } — 📎 { $name }
rq-line-appointment = { $at } — 📅 { $what }
rq-appointment-offered = meeting times offered
rq-appointment-chosen = meeting time chosen
rq-appointment-declined = the offered times did not suit
rq-file = file
rq-file-erased = file erased
rq-erased = (erased)
rq-thread-earlier = …
rq-add = ✍️ Add details
rq-withdraw = Withdraw
rq-solved = ✅ Question solved
rq-cancel = Cancel
rq-add-prompt = What would you like to add to request No. { $number }? Write it or send a document or photo.
rq-added = Added to request No. { $number }. The specialist will see it.
rq-already-closed = This request is already closed. If the question remains, ask a new one under “Consultation”.
rq-withdraw-confirm = Withdraw request No. { $number }? Specialists will stop working on it.
rq-withdraw-yes = Yes, withdraw
rq-withdraw-no = No
rq-withdrawn = Request No. { $number } withdrawn.
rq-solved-thanks = Glad question No. { $number } is solved!{ $rate ->
        [no] {""}
       *[yes] {" "}Please rate the help from 1 to 5:
    }
rq-rate-comment = Thank you for the { $rating }! Anything to add? Write it in one message.
rq-no-comment = No comment
rq-thanks = Thank you! It helps us work better.
rq-rated-already = Your rating is already saved, thank you!
rq-rate-not-yet = You can rate once the request is closed.
rq-answer = 💬 <b>Answer to request No. { $number }</b> ({ $topic }):

    { $text }
rq-closed = Request <b>No. { $number }</b> is closed: { $status ->
        [rejected] declined
       *[other] the question is solved
    }.{ $result ->
        [none] {""}
       *[other] {" "}Outcome: { $result }.
    }{ $rate ->
        [no] {""}
       *[yes] {"\u000A"}Please rate the help from 1 to 5.
    }
rq-slots-offered = 📅 For request No. { $number } we suggest meeting{ $place ->
        [none] {""}
       *[other] {" "}({ $place })
    }. Choose a time that suits you:
rq-slot = { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }
rq-slot-chosen = {" "}✔️
rq-slot-button = 📅 { $at }
rq-no-slot = None of these times suits me
rq-no-slot-sent = Passed on — the specialist will suggest another time.
rq-slots-gone = This time is no longer available. Open the request to see the current options.
rq-slot-agreed = ✅ Meeting for request No. { $number }: { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }. I will remind you beforehand.
rq-meeting-reminder-requester = ⏰ Reminder: meeting for request No. { $number } ({ $topic }) — { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }.
rq-meeting-reminder-specialist = ⏰ Meeting with the requester for request No. { $number } ({ $topic }) — { $at }{ $place ->
        [none] {""}
       *[other] , { $place }
    }.

## Consultations: staff and experts
desk-new = 📨 <b>New request</b>
desk-unclaimed = ⏰ <b>Nobody has taken request No. { $number }</b> — the requester is waiting.
desk-for-expert = 📨 <b>A request was passed to you</b> — answer the requester with “Reply”.
desk-details-added = ✍️ The requester added to request No. { $number }: { $text }
desk-withdrawn = ↩️ The requester withdrew request No. { $number }.
desk-solved = ✅ The requester confirmed question No. { $number } is solved.
desk-no-slot = 📅 None of the times suited the requester of No. { $number } — suggest others.
desk-slot-chosen = 📅 The requester chose a meeting time for No. { $number }: { $at }.
desk-given-back = ↩️ The expert returned request No. { $number } — pass it to another specialist.
desk-card-title = <b>Request No. { $number }</b> · { $topic }
desk-card-status = Status: { $status }
desk-card-from = From: { $name }{ $organisation ->
        [none] {""}
       *[other] , { $organisation }
    }
desk-card-contact = Contact: { $contact }{ $time ->
        [none] {""}
       *[other] ; best time: { $time }
    }
desk-card-received = Received: { $at }
desk-card-responsible = Responsible: { $name }
desk-card-expert = Expert: { $name }
desk-card-result = Outcome: { $result }
desk-card-rating = Requester's rating: { $rating } of 5
desk-card-files = 📎 Attachments: { $count }
desk-take = 🙋 Take
desk-forward = 👩‍⚖️ Pass to an expert
desk-reply = 💬 Reply
desk-meet = 📅 Arrange a meeting
desk-close = ✅ Close
desk-give-back = ↩️ Return to staff
desk-thread = 📜 History
desk-note = 🔒 Note
desk-files = 📎 Attachments
desk-cancel = Cancel
desk-cancelled = Cancelled.
desk-skip = Skip
desk-took = Request No. { $number } is yours now.
desk-gave-back = Request No. { $number } returned to staff.
desk-taken-by = { $name } has already taken this request.
desk-already-closed = The request is already closed.
desk-not-found = Request not found.
desk-not-now = This cannot be done now — refresh the request's card.
desk-not-yours = This request is assigned to another specialist.
desk-expert-gone = This expert is no longer in the directory.
desk-open-private = Let's continue in a private chat: open the chat with the bot, press /start and try again.
desk-reply-prompt = Write your answer to request No. { $number } in one message. It will reach the requester in their messenger.
desk-note-prompt = Write a note for request No. { $number }. The requester will not see it.
desk-meet-prompt = Suggest meeting times for request No. { $number }, one per line, e.g.
    25.11 15:00, Central library, room 5
    26.11 11:00, online
    (up to 5 options; the place after a comma, optional)
desk-meet-bad = I could not read the time in “{ $line }”. Write e.g. 25.11 15:00 — times must be in the future, at most 5 options.
desk-meet-sent = The times were sent to the requester of No. { $number }.
desk-close-how = How did request No. { $number } end?
desk-close-resolved = ✅ Resolved
desk-close-rejected = ⛔ Declined
desk-result-prompt = Briefly — the outcome of No. { $number } for the register (the requester sees it too). If there is nothing to add, send “-”.
desk-closed = Request No. { $number } closed; the requester was told.
desk-answer-sent = The answer to No. { $number } was sent to the requester.
desk-answer-kept = The answer to No. { $number } is saved, but the requester erased their data — there is nowhere to deliver it.
desk-note-saved = Note for No. { $number } saved.
desk-text-size = Text up to { $limit } characters is needed.
desk-send-text = Please write text.
desk-thread-title = <b>History of request No. { $number }</b>
desk-line-status = { $at } — { $status } ({ $who }{ $to ->
        [none] {""}
       *[other] {" "}→ { $to }
    })
desk-line-note = { $at } — 🔒 <b>{ $who }</b>: { $text }
desk-choose-expert = Who should get request No. { $number } ({ $topic })? ★ — experts on this topic.
desk-no-experts = The directory has no experts yet. Add one: “For staff” → “Requests” → “Experts”.
desk-forwarded-short = Passed to { $name }
desk-forwarded-bot = Request No. { $number } passed to { $name }, who got it in the bot.
desk-forwarded-contact = Request No. { $number } passed to { $name }. The expert does not use the bot — contact them{ $contact ->
        [none] {""}
       *[other] {" "}({ $contact })
    } and enter their answer with “Reply”.
desk-file-elsewhere = 📎 { $name } — sent via { $platform }, it can only be opened there.
desk-file-of = Attachment to request No. { $number }
desk-no-files = No attachments.
desk-list-title = <b>Open requests</b>: { $count }. New ones first.
desk-list-empty = No open requests.
desk-list-line = No. { $number } · { $status } · { $topic }
desk-list-all = All open
desk-list-mine = Mine
desk-experts = 👩‍⚖️ Experts
desk-faq = ❓ Common questions
desk-register = 📊 Request register (XLSX)
desk-register-title = Request register from { $start } to { $end }
desk-register-caption = Request register for the quarter: { $count } rows.
desk-experts-title = <b>Experts</b>
desk-experts-empty = Nobody yet. Add the first expert.
desk-expert-line = • <b>{ $name }</b> — { $topics }{ $organisation ->
        [none] {""}
       *[other] ; { $organisation }
    }{ $contact ->
        [none] {""}
       *[other] ; { $contact }
    }{ $bot ->
        [yes] {" "}(in the bot)
       *[no] {""}
    }
desk-expert-drop = 🗑 { $name }
desk-expert-add = ➕ Add an expert
desk-expert-dropped = The expert was removed from the directory (earlier requests keep their name).
desk-expert-ask-name = The expert's first and last name?
desk-expert-ask-topics = Which topics do they cover? Write numbers separated by commas, or “all”:
    { $topics }
desk-expert-ask-organisation = The expert's organisation? (“-” to skip)
desk-expert-ask-contact = The expert's phone or e-mail? (“-” to skip)
desk-expert-ask-messenger = If the expert uses the bot — their messenger id (they can see it with /myid). Otherwise “-”.
desk-expert-bad-name = Please write a name (2 to 200 characters).
desk-expert-bad-topics = I did not understand the topics. Write numbers from the list, e.g. “1, 3”, or “all”.
desk-expert-bad-id = This person has not written to the bot yet. Ask them to press /start — or send “-”.
desk-expert-added = Expert { $name } added{ $bot ->
        [yes] {" "}and will get requests in the bot
       *[no] {""}
    }.
desk-faq-title = <b>Common questions</b> — choose a topic:
desk-faq-topic = { $topic }:
desk-faq-screen = { $body }
desk-faq-empty = (no questions yet)
desk-faq-drop = 🗑 { $question }
desk-faq-add = ➕ Add a question
desk-faq-ask-question = Write the question the way readers ask it.
desk-faq-ask-answer = Now write the answer.
desk-faq-bad = Text of at least 3 characters is needed (question up to 300, answer up to 4000).
desk-faq-full = This topic already has 10 questions — remove one to add another.
desk-all-topics-word = all
desk-status-new = new
desk-status-in_progress = in progress
desk-status-forwarded = with an expert
desk-status-awaiting = waiting for the requester
desk-status-resolved = resolved
desk-status-rejected = declined
desk-status-withdrawn = withdrawn
digest-title = 📅 <b>This week's events</b>, { $start }–{ $end }:
digest-line = • { $day } { $when } — { $title } ({ $branch })
digest-more = …and { $count } more — see “Events”.
digest-all-events = 📅 All events
compose-sent-line = ✉️ No. { $id }, sent { $when }: { $text }
compose-recall = ↩️ Recall No. { $id }
compose-recall-confirm = Recall announcement No. { $id }? Sent messages will be deleted from the chats (if less than 48 hours old); unsent ones will not go out.
compose-recall-yes = Yes, recall
compose-recalled = Announcement No. { $id } recalled: deleting { $deleting } messages, { $dropped } will not be sent{ $old ->
        [0] {""}
       *[other] ; { $old } are older than 48 hours and cannot be deleted
    }.
compose-not-recallable = Announcement No. { $id } cannot be recalled: it has not started (cancel it instead) or was already recalled.
broadcast-missed = ⚠️ Announcement No. { $id } for { $when } was not sent: the bot was not running then, and it is too late to send it now. Schedule it again if it is still needed.

## Reports and statistics (staff)
staff-report = 📑 Report
staff-stats = 📈 Statistics
report-choose = Which period should the report cover? You will get an XLSX file: indicators, work by kind, requests and charts.
report-period-m0 = This month
report-period-m1 = Last month
report-period-q0 = This quarter
report-period-q1 = Last quarter
report-period-y0 = This year
report-period-y1 = Last year
report-working = Preparing the report: { $period } — this takes up to a minute.
report-busy = The report is already being prepared — it will arrive in this chat.
report-caption = Report: { $period }
    Requests: { $requests }, events: { $events }. Opens in Excel and LibreOffice.
report-failed = The report could not be prepared. Please try later; if it happens again, tell the bot's administrator.
stats-title = { $current } against { $previous }
stats-caption = <b>Statistics: { $current }</b> against the same days of the month before ({ $previous })
stats-line = { $name }: { $now } (was { $before })
stats-events = Events
stats-participants = Participants
stats-organisations = NGOs taking part
stats-consultations = Consultations
stats-requests = Requests received
stats-resolved = Requests resolved
stats-catalogue = Catalogue enquiries
stats-renewals = Renewals
stats-reach = Broadcast reach

## One person in Telegram and VK
about-link = 🔗 Telegram + VK
cmd-link = Link messengers (Telegram, VK, MAX)
messenger-telegram = Telegram
messenger-vk = VK
link-intro =
    🔗 <b>One reader, two messengers</b>
    Do you write to the bot in both Telegram and VK? Link the accounts: books, registrations, requests and subscriptions become shared, and announcements arrive once.

    Press «Get a code» and send the code to the bot in the other messenger. If you already have a code, send it here.
link-status = Linked: { $messengers }. Announcements and reminders go to { $preferred }.
link-get-code = 🔢 Get a code
link-prefer-here = 📬 Send them here
link-code =
    Your code: <b>{ $code }</b>
    Send it to the bot in { $other } within 10 minutes (or as /link { $code }). Do not share it with anyone.
link-ask-code = Send the eight digits of the code from the other messenger, or go back to the menu.
link-wrong = There is no such code, or it has expired. { $left ->
    [one] { $left } attempt left.
   *[other] { $left } attempts left.
}
link-locked = Too many wrong codes. Try again after { $until }.
link-same-messenger = Send this code to the bot in the other messenger, not where you got it.
link-already = These accounts are already linked.
link-staff = Only the library's administrator links the accounts of staff and experts.
link-done = ✅ Done: the bot now knows you in both messengers. Books, registrations, requests and subscriptions are shared. Announcements and reminders go to { $preferred }.
link-ticket-kept = Both accounts had a library card linked: the one from the messenger where you got the code stays. Link the other again in «My books».
link-preferred = Announcements and reminders will come here, to { $messenger }.
link-not-linked = This account is not linked to another messenger yet.

# ticket-link guard
loans-slowed = This card has had many failed attempts lately, so for now it is checked only after a pause. Send the { $what ->
        [password] password
        [identity] surname and year of birth
       *[code] code
    } again in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }.
notify-link-guessing = 🔒 Someone seems to be trying to link another reader's card { $ticket }: { $failures } failed attempts from { $accounts ->
        [one] { $accounts } account
       *[other] { $accounts } accounts
    }. The card is not locked: it is checked with a pause of up to { $longest } min, and an account that failed { $max } times waits { $minutes } min. If the reader cannot link the card, help them at the library.

# exports and event descriptions
staff-description-too-long = The description does not fit the event card: { $length } characters with formatting, the limit is { $limit }. Please shorten it and send it again — nothing has been saved yet.

## Leaving a form: /cancel or «cancel»
form-cancel-word = Cancel
form-cancel-word-2 = Stop this
form-left = Done — nothing from that form was kept. You are in the main menu.
form-nothing-to-cancel = Nothing to cancel — you are in the main menu.
cmd-cancel = Leave a form without saving it

## /forget: what exactly goes
forget-what-places = { $count ->
        [one] your place at { $count } upcoming event — it goes to whoever is waiting
       *[other] your places at { $count } upcoming events — they go to whoever is waiting
    }
forget-what-requests = { $count ->
        [one] { $count } open request to a specialist is withdrawn
       *[other] { $count } open requests to specialists are withdrawn
    }
forget-what-ticket = the link to library card No. { $ticket } (the card itself stays with the library)
forget-what-subscriptions = { $count ->
        [one] { $count } newsletter subscription
       *[other] { $count } newsletter subscriptions
    }
forget-what-watches = { $count ->
        [one] { $count } «tell me when it is back» request
       *[other] { $count } «tell me when it is back» requests
    }

# #19 «My books»: the last renewal, «tell me when it is back» waits
loans-renew-last-button = 🔄 Renew for the last time: { $title }
loans-watches-title = <b>I will tell you when these are back:</b>
loans-watch-line = • «{ $title }»
loans-watches-more = …and { $count } more
loans-watch-cancel-button = 🔕 Stop waiting: { $title }
loans-watch-cancelled = All right, no longer waiting for «{ $title }».
loans-watch-gone = That wait is no longer there: it was cancelled or the book is already back.
# --- #19 reports and staff screens: «📊 Today» counts cases, each in its own unit
today-consultations = Consultation requests received
today-expertise = Expertise requests received
today-resolved = Requests resolved
today-registrations = Event registrations (waiting list included)
today-cancellations = Registrations cancelled
today-attended = Participants marked present
today-catalogue = Catalogue searches
today-holds = Hold requests
today-purchases = Purchase suggestions
today-watches = Requests to be told when a book is back
today-loans = Loan enquiries
today-renewals = Books renewed
today-library-info = Library information shown
today-links = Reader tickets linked
today-subscriptions = New subscriptions
today-people = Readers who wrote to the bot
staff-today-note = <i>Cases, not messages: a request is one submitted request however many steps it took; a search is one answer of the catalogue; a renewal is one book renewed; a reader is one person a day.</i>
# --- #19 holds and purchase requests from the catalogue: pickup branch, staff card, answers
hold-pick-branch = 📌 Where would you like to pick up “{ $title }”?
hold-pick-gone = That branch is not among the pickup places — please press “Reserve” again.
hold-already-requested = You have already reserved “{ $title }” — no need to repeat. The staff will write here when the book is waiting for you.
hold-already-ready = “{ $title }” is already set aside for you until { $until }{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }.
hold-on-loan = You already have “{ $title }” — no need to reserve it. You can renew it in “📚 My books”.
hold-requested = 📌 Your reservation request for “{ $title }” has been passed to the staff{ $branch ->
        [none] {""}
       *[other] {" "}(pickup: { $branch })
    }. They will write here when the book is waiting for you.
hold-placed = 📌 “{ $title }” is reserved in the library system{ $branch ->
        [none] {""}
       *[other] {" "}(pickup: { $branch })
    }.{ $ahead ->
        [0] {""}
       *[other] {" "}Readers ahead of you: { $ahead }.
    } We will write here when the book is waiting for you.
hold-refused = The library system did not accept the reservation of “{ $title }”: { $reason } Your request has been passed to the staff — they will write to you here.
hold-reason-already_held = you are already waiting for this book.
hold-reason-have_it = this book is already on your card.
hold-reason-too_many = your card already has the most reservations allowed.
hold-reason-blocked = your card is blocked or has a debt — please come to the loan desk.
hold-reason-not_holdable = this book cannot be reserved (it may be for the reading room only).
hold-reason-pickup = it cannot be picked up at that branch.
hold-reason-rules = these are the library's rules.
hold-card-title = 📌 <b>Reservation No. { $number }</b>: “{ $title }”
hold-card-reader = Reader: { $reader }
hold-card-pickup = Pickup: { $branch ->
        [none] no branch chosen
       *[other] { $branch }
    }
hold-card-contact = Contact: through the bot in { $messenger } — answer with a button below
hold-card-received = Received: { $at }
hold-card-placed = ✅ Reserved in the library system{ $ref ->
        [none] {""}
       *[other] {" "}(No. { $ref })
    }{ $queue ->
        [0] {""}
       *[other] , place in the queue: { $queue }
    }.
hold-card-refused = ⚠️ The library system did not accept the reservation: { $detail }. Decide what to do and answer the reader.
hold-card-unknown-book = ⚠️ The library system did not find this book by the catalogue's barcodes — please reserve it by hand.
hold-card-unavailable = ⚠️ The library system did not answer — please reserve it by hand.
hold-card-unconfirmed = ⚠️ The library system did not confirm the reservation — check whether it is there before reserving by hand.
hold-card-not-supported = The library system does not take reservations from the bot — please reserve it by hand.
hold-card-not-linked = No ticket linked in the bot — nothing was reserved in the library system.
hold-card-by-hand = Set the book aside and answer the reader with a button below.
reader-ticket = ticket No. { $ticket }{ $name ->
        [none] {""}
       *[other] , { $name }
    }
reader-messenger = { $name } ({ $messenger }), no ticket linked
reader-unnamed = no name
reader-no-consent = a reader who has not consented to data processing
hold-desk-ready = ✅ Set aside for { $days } { $days ->
        [one] day
       *[other] days
    }
hold-desk-none = ❌ Not available
hold-desk-done-ready = ✅ Reservation No. { $number }: set aside until { $until } — the reader has been told. Answered by { $staff }.
hold-desk-done-none = ❌ Reservation No. { $number }: not available — the reader has been told. Answered by { $staff }.
hold-desk-answered = This reservation has already been answered.
hold-desk-gone = This reservation no longer exists.
hold-ready = 📌 “{ $title }”: set aside, waiting for you until { $until } inclusive{ $branch ->
        [none] {""}
       *[other] {" "}— { $branch }
    }. Please bring your library card.
hold-none = 😔 “{ $title }”: not available now, it could not be set aside. If you like, I will write when it is back.
purchase-from = From: { $reader }
# --- #19 reports and staff screens: a new expert in the bot is linked to her entry of the expert directory
roles-expert-which = Who is { $name } in the expert directory? Requests are passed to directory entries: choose the entry, and the requests already passed to this expert appear in the bot at once.
roles-expert-not-listed = Not in the directory
roles-expert-not-listed-done = All right. When you add the expert to the directory («For staff» → «Requests» → «Experts»), give their messenger id — and requests will reach them in the bot.
roles-expert-linked = Done: this is { $name } of the directory. { $count ->
        [0] No open requests are waiting for the expert yet.
        [one] { $count } open request is waiting for the expert — it is already in «Requests for me».
       *[other] { $count } open requests are waiting for the expert — they are already in «Requests for me».
    }
roles-expert-link-stale = That did not work: this directory entry has been linked to someone else or removed, or the person is no longer an expert. Open «Staff and experts» again.
# --- #19 holds (2): who tells the reader when a hold placed in the system is ready; the demo's messenger
hold-card-system-tells = When the system marks the reservation as waiting, the bot reminds the reader by itself; use the buttons to answer otherwise or sooner.
messenger-console = the demo console

## #19 events: dates as typed, the end, the room, the preview; «Skip» the contact; the ticket from «My registrations»
date-day-month = { $month ->
        [1] January
        [2] February
        [3] March
        [4] April
        [5] May
        [6] June
        [7] July
        [8] August
        [9] September
        [10] October
        [11] November
       *[12] December
    } { $day }
date-long = { $weekday ->
        [0] Monday
        [1] Tuesday
        [2] Wednesday
        [3] Thursday
        [4] Friday
        [5] Saturday
       *[6] Sunday
    }, { date-day-month }, { $year }, { $time }
staff-when-no-time = Please write the time too, e.g. { $short }.
staff-when-no-date = Please write the day too, e.g. { $short } or “tomorrow at 18:00”.
staff-when-no-such-day = There is no such date or time. E.g. { $short }.
staff-when-past = That time has passed. Please write a date in the future, e.g. { $short }.
staff-when-wrong-weekday = The weekday does not match the date — please check. You can write the date alone, e.g. { $short }.
staff-when-not-after-start = The end must be after the start ({ $start }). E.g. { $example }.
staff-new-ends = When does it end? E.g. { $example } — the same day; or a date and a time. If you do not know, “Skip”.
staff-new-bad-end = I could not read the end time. Write e.g. { $example } — or press “Skip”.
staff-new-room = The hall or room? E.g. “Hall 2” or “room 5”. If none, “Skip”.
staff-new-bad-room = Please write a shorter room name — up to 200 characters — or press “Skip”.
staff-new-preview = 👀 This is how the listing will show it. Starts { $start }{ $end ->
        [none] {""}
       *[other] , ends { $end }
    }. Is everything right?
staff-new-publish = ✅ Publish
staff-new-change = ✏️ Change
staff-new-drop = Cancel
staff-new-dropped = All right, the event is not created — the draft is deleted.
staff-new-change-what = What should change?
staff-draft-title = Title
staff-draft-kind = Kind of event
staff-draft-starts = Start
staff-draft-ends = End
staff-draft-branch = Branch and room
staff-draft-seats = Seats
staff-draft-description = Description
events-ask-contact-optional = A phone number or e-mail to reach you? You can “Skip”: I will remind you of the event here, in the chat.
events-ticket-button = 🎟 Ticket: { $title }
events-ticket-card-button = 🎟 Ticket and calendar
events-ticket-none = There is no ticket: the registration is not confirmed or was cancelled.

# the libbot command line: help and summaries for staff (#19)
cli-description = Library bot for readers and NKO: Telegram, VK and MAX, catalogue, loans, events, consultations.
cli-usage = usage
cli-positionals = positional arguments
cli-options = options
cli-help = show this help message and exit
cli-config = configuration file (default: $LIBBOT_CONFIG or ./config.toml)
cli-run = Serve readers in the messengers configured in config.toml (Telegram, VK, MAX).
cli-run-role = what this process does when the work is split across processes: web (updates), sender (the outbox), scheduler (timed jobs; one process leads); default: all
cli-demo = Talk to the bot in this terminal with a demo library; no token needed.
cli-demo-as = who you are in the demo: a reader (default), the library's bot admin, or an expert
cli-import-catalogue = Import catalogue records (MARC 21/RUSMARC ISO 2709 or MARCXML, IRBIS text, CSV).
cli-import-catalogue-files = export files to read
cli-import-catalogue-format = file format (default: detected from the file)
cli-import-catalogue-encoding = text encoding, e.g. cp1251, utf-8, marc-8 (default: detected)
cli-import-catalogue-dry-run = report what would change, change nothing
cli-import-catalogue-full = the files are the whole catalogue: withdraw records they do not contain
cli-broadcast = Schedule an announcement for subscribers (the running bot sends it).
cli-broadcast-text = the announcement (HTML formatting allowed)
cli-broadcast-text-file = read the announcement from a file
cli-broadcast-cancel = cancel a scheduled announcement
cli-broadcast-recall = take a sent announcement back: delete it from chats (within 48 hours)
cli-broadcast-topic = subscribers of this topic (see [subscriptions] topics)
cli-broadcast-everyone = everyone who wrote to the bot
cli-broadcast-nko = NKO members: everyone who gave an organisation
cli-broadcast-event = those registered for this event (and waiting)
cli-broadcast-branch = only those following this branch
cli-broadcast-at = library time (default: now)
cli-broadcast-urgent = send during quiet hours too
cli-broadcast-photo = a photo URL to send with the text
cli-broadcast-button = a link button under the message (repeatable)
cli-import-loans = Load the 'local' library system's loans (and readers) from a CSV export.
cli-import-holds = Load the 'local' library system's holds from a CSV export.
cli-loans-file = the CSV export
cli-loans-encoding = text encoding, e.g. cp1251 (default: detected)
cli-export-renewals = List renewals made in the bot ('local' system) as CSV, for staff to mirror.
cli-export-renewals-out = write here (default: standard output)
cli-export-renewals-all = every renewal, not only those not exported yet
cli-link-code = Give a one-time code a reader types in “My books” to link a ticket.
cli-ticket = the reader ticket number
cli-unlink = Unlink a reader ticket from every messenger account (on request).
cli-events = Events: 'import FILE.csv' loads a season's plan (see README).
cli-events-file = the CSV plan
cli-experts = Expert directory: 'import FILE.csv' (ФИО; Компетенции; …).
cli-faq = Consultation FAQ: 'import FILE.csv' (Тема; Вопрос; Ответ) replaces a topic's questions.
cli-directory-file = the CSV file
cli-directory-encoding = text encoding (default: detected)
cli-requests = Consultation requests: 'register' writes the request register.
cli-requests-out = an .xlsx or .csv file
cli-first-day = first day
cli-last-day = last day (included)
cli-report = Resource-centre report for a period (XLSX: Показатели, work sheets, Запросы, Графики).
cli-report-period = a quarter (2026-Q3) or month (2026-07)
cli-report-year = the whole year
cli-report-branch = one branch's events and broadcasts
cli-report-out = the .xlsx file, or a folder for --format csv
cli-report-format = xlsx (default) or csv
cli-report-demo = report on the demo library (libbot demo's data)
cli-db = Database: upgrade, downgrade or show (current) the schema; backup and restore.
cli-db-revision = target revision (upgrade: head; downgrade: required); backup/restore: the file
cli-loading = Loading…
cli-import-read = read { $read } records in { NUMBER($seconds, minimumFractionDigits: 1, maximumFractionDigits: 1) } s{ $rate ->
        [0] {""}
       *[other] {" "}({ $rate }/s)
    }
cli-import-changes = { $mode ->
        [dry-run] would be added { $added }, would be updated { $updated }, unchanged { $unchanged }
       *[done] added { $added }, updated { $updated }, unchanged { $unchanged }
    }
cli-import-withdrawn = { $mode ->
        [dry-run] would be withdrawn
       *[done] withdrawn
    }: { $records } records, { $copies } copies
cli-import-skipped = skipped { $skipped }, why:
cli-import-example = e.g. { $example }
cli-import-more = … and { $more } more
cli-import-nothing-withdrawn = nothing withdrawn: { $reason }
cli-import-dry-run = dry run: nothing was changed
cli-import-progress = importing: { $count } records ({ $rate }/s)
cli-report-written = { $out }: { $period }, { $rows } rows of work, { $requests } requests
cli-report-csv-written = { $out }/: { $files } files, { $period }
cli-register-written = { $out }: { $requests } requests

## Event wizard: a step answered with buttons
staff-new-use-buttons = Please choose with a button at this step 👇
forget-what-holds = { $count ->
        [one] { $count } hold request — staff will no longer see whose it is
       *[other] { $count } hold requests — staff will no longer see whose they are
    }

## Ask a librarian: a reader's question in the staff chat
lib-ask-button = 🙋 Ask a librarian
lib-ask-prompt = Write your question in one message and I will pass it to a librarian. The answer will come here.
lib-ask-again = I could not find your question — the button must be out of date. Please write it again in one message and I will pass it to a librarian.
lib-bad-question = Please write your question in a few words at least.
lib-question-too-long = The question is very long — please shorten it to { $limit } characters.
lib-abort = ✖️ Don't ask
lib-aborted = All right, the question was not sent.
lib-send-text = Please write your question as text.
lib-sent = ✅ Question <b>No. { $number }</b> has been passed to a librarian. The answer will come here. To add something, just write.
lib-closed-now = We are closed now; we will answer after { $time } { $day ->
        [today] today
        [tomorrow] tomorrow
        [mon] on Monday
        [tue] on Tuesday
        [wed] on Wednesday
        [thu] on Thursday
        [fri] on Friday
        [sat] on Saturday
       *[sun] on Sunday
    }.
lib-need-consent = To pass your question to a librarian we need your consent to the processing of personal data. The question will go as soon as you agree.
lib-not-sent = Without consent the question was not sent. You can call us{ $phone ->
        [none] .
       *[other] : { $phone }.
    }
lib-off = Questions to a librarian are not taken through the bot right now. { $phone ->
        [none] Please call us or visit the library.
       *[other] Please call us: { $phone }.
    }
lib-added = ✍️ Added to question No. { $number }. The librarian will see it.
lib-solved = ✅ Question solved
lib-answer = 💬 <b>A librarian's answer</b> to question No. { $number }:

    { $text }

    To ask something more, just write here.
lib-already-closed = This question is closed already. If you need anything else, just write.
lib-desk-added = ✍️ The reader added to question No. { $number }:
    { $text }
lib-desk-reminder = ⏰ Question No. { $number } has had no answer for { $minutes } working minutes — reply to this message or use “Reply”.
lib-reply-sent = ✅ Answer sent (No. { $number }).
lib-reply-kept = The answer to No. { $number } is saved, but the reader has deleted their data — there is nowhere to deliver it.
lib-reply-closed = Question No. { $number } is closed already — the answer was not sent.
lib-reply-gone = This request no longer exists — the answer was not sent.
lib-reply-staff-only = Only library staff (and the expert a request was passed to) can answer readers from this chat.
lib-reply-text-only = Only the text of an answer reaches the reader — please write it as a message.
lib-to-faq = ➕ Add to FAQ
lib-faq-added = 📚 Added to the FAQ: “{ $question }”. The question and answer can be edited in “For staff” → “FAQ”.
lib-faq-no-answer = Question No. { $number } has no answer yet — answer the reader first.
lib-faq-already = Question No. { $number } is in the FAQ already.
lib-faq-note = ➕ Added to the FAQ

## The front door: answers to typed messages (#20)
fd-hello = Hello!
fd-greeting = Hello! Ask me about a book, our opening hours or events — or choose from the menu 👇
fd-thanks = You're welcome! 🙂
fd-goodbye = Goodbye! Come again 🙂
fd-empty = I understand words 🙂 Type a question — e.g. "when are you open?" or a book title — or choose from the menu.
fd-unknown = I have no ready answer to that. I can pass it to a librarian — the answer will come here.
fd-librarian = Pass your question to a librarian? Press the button — or first write your question in more detail.
fd-ask-button = 🙋 Ask a librarian
fd-search-button = 🔎 Search the catalogue for "{ $query }"
fd-about-button = ℹ️ All addresses and hours
fd-catalogue-nothing = Nothing found in the catalogue for "{ $query }". If it is a question rather than a title, a librarian can answer it.
fd-unsubscribe = Understood. Here are your subscriptions: turn off what you don't need, or press "Unsubscribe from everything".
fd-faq-answer = <b>{ $question }</b>

{ $answer }
fd-faq-maybe = Is this what you mean? If not, ask a librarian.
fd-faq-gone = That answer is no longer available. Please ask again.
fd-events-title = <b>Events { $span }</b>:
fd-events-none = No events { $span }. Here are the next ones:
fd-events-signup = Choose an event — its card has a "Sign up" button.
fd-hours-week-title = <b>Opening hours</b>
fd-hours-day-title = <b>Opening hours { $day }</b> ({ $date }):
fd-hours-now-title = <b>Right now</b>:
fd-hours-branch = { $branch }: { $hours }
fd-hours-unknown = The library has not published its hours yet — please call.
fd-open-now = open now, until { $until }
fd-closed-now = closed now, opens { $day } at { $at }
fd-today = today
fd-tomorrow = tomorrow
fd-on-mon = on Monday
fd-on-tue = on Tuesday
fd-on-wed = on Wednesday
fd-on-thu = on Thursday
fd-on-fri = on Friday
fd-on-sat = on Saturday
fd-on-sun = on Sunday
fd-span-week = this week
fd-span-weekend = at the weekend
fd-span-today = today
fd-span-tomorrow = tomorrow
fd-span-mon = on Monday ({ $date })
fd-span-tue = on Tuesday ({ $date })
fd-span-wed = on Wednesday ({ $date })
fd-span-thu = on Thursday ({ $date })
fd-span-fri = on Friday ({ $date })
fd-span-sat = on Saturday ({ $date })
fd-span-sun = on Sunday ({ $date })
fd-address-title = <b>Where to find us</b>
fd-address-branch = 📍 { $branch }: { $address }
fd-address-unknown = The library has not published its address yet. { $phone ->
        [none] {""}
       *[other] Phone: { $phone }
    }
fd-contacts-branch = ☎️ { $branch }: { $phone }
fd-contacts-unknown = The library has not published its contacts yet.

## The library FAQ («Staff» → «❓ FAQ», libbot faq)
faq-staff-button = ❓ FAQ
faq-list = <b>Frequently asked questions</b>: { $count }. When a reader writes a similar question, the bot answers it. Tap a question to see or change it.
faq-list-pages = <b>Frequently asked questions</b>: { $count }, page { $page } of { $pages }. When a reader writes a similar question, the bot answers it. Tap a question to see or change it.
faq-list-empty = <b>Frequently asked questions</b>
    None yet. Add a question with the button below — or load many from a file: <code>libbot faq import faq.example.csv</code> (examples to start with).
faq-prev = ◀️ Back
faq-next = Next ▶️
faq-add = ➕ Add
faq-card = <b>Question:</b> { $question }

    <b>Other ways to ask:</b>
    { $phrasings }

    <b>Answer:</b>
    { $answer }
faq-card-no-phrasings = (no other phrasings)
faq-edit-question = ✏️ Change the question
faq-edit-phrasings = ✏️ Change the phrasings
faq-edit-answer = ✏️ Change the answer
faq-drop = 🗑 Delete
faq-to-list = ⬅️ To the list
faq-drop-confirm = Delete the question «{ $question }»? The bot will no longer answer it.
faq-drop-yes = 🗑 Yes, delete
faq-drop-no = No, keep it
faq-dropped = The question is deleted.
faq-gone = This question is no longer there — it was probably deleted.
faq-stale = This button no longer works. Open «❓ FAQ» again.
faq-ask-question = <b>New question</b>, step 1 of 3.
    Write the question the way readers ask it, e.g. <i>How do I join the library?</i>
faq-ask-phrasings = Step 2 of 3. How else do people ask the same? Write other phrasings, one per line, so the bot recognises the question however it is put. You may skip this.
faq-ask-answer = Step 3 of 3. Now write the answer — the bot will send it to the reader.
faq-edit-question-prompt = The question now reads:
    { $current }

    Write the new one.
faq-edit-phrasings-prompt = The other phrasings now:
    { $current }

    Write the new list, one phrasing per line; it replaces the old one.
faq-edit-answer-prompt = The answer now reads:
    { $current }

    Write the new one.
faq-skip = Skip
faq-clear-phrasings = Remove all phrasings
faq-cancel = ✖️ Cancel
faq-cancelled = Nothing was changed.
faq-added = ✅ Question added — the bot now answers it.
faq-saved = ✅ Saved.
faq-send-text = Please send text.
faq-bad-no-question = Please write the question as text.
faq-bad-long-question = The question is longer than { $limit } characters — please shorten it.
faq-bad-long-phrasing = One of the phrasings is longer than { $limit } characters — please shorten it.
faq-bad-many-phrasings = More than { $limit } phrasings — keep the most common ones.
faq-bad-no-answer = Please write the answer as text.
faq-bad-long-answer = The answer is longer than { $limit } characters — shorten it so it fits one message.
faq-bad-taken = This question is already in the list — better change it than add a second one.
faq-bad-full = The list already has { $limit } questions — delete some to add a new one.
cli-faq-command = The library FAQ: «import FILE» loads questions and answers from CSV (Question; Other phrasings; Answer), «export FILE» writes them to CSV, «list» shows the list. A file with a «Topic» column is the consultations' FAQ, as before.
cli-faq-action = import — load from a file, export — write to a file, list — show the list
cli-faq-file = CSV file (for import and export)
cli-faq-replace = make the list as in the file: questions not in it are deleted
cli-faq-empty = No FAQ yet. Load it: libbot faq import FILE (to start with, faq.example.csv).
cli-faq-list-title = FAQ entries: { $count } (number, question, how many other phrasings)
cli-faq-exported = { $out }: questions: { $count }
cli-faq-imported = added: { $added }, updated: { $updated }, unchanged: { $unchanged }, deleted: { $removed }
cli-faq-nothing = no question was loaded
cli-faq-skipped = rows skipped: { $count }:
cli-faq-placeholders = answers still have [square brackets] — fill in your library's details there; rows: { $count } ({ $lines })
cli-faq-skip-no-question = line { $line }: no question
cli-faq-skip-long-question = line { $line }: the question is longer than { $limit } characters
cli-faq-skip-long-phrasing = line { $line }: a phrasing is longer than { $limit } characters
cli-faq-skip-many-phrasings = line { $line }: more than { $limit } other phrasings
cli-faq-skip-no-answer = line { $line }: no answer
cli-faq-skip-long-answer = line { $line }: the answer is longer than { $limit } characters
cli-faq-skip-taken = line { $line }: this question is already there
cli-faq-skip-full = line { $line }: the list already has { $limit } questions, no room for more
cli-faq-skip-unreadable = line { $line }: not readable as CSV ({ $detail })
cli-faq-skip-repeated = line { $line }: the same question as line { $detail }
lib-faq-taken = This question is in the FAQ already — change its answer there: “For staff” → “FAQ”.
lib-faq-full = The FAQ has { $limit } entries already — remove some and try again.
lib-faq-refused = Could not add it to the FAQ — please add it by hand: “For staff” → “FAQ”.
fd-consultation = <b>{ $topic }</b>: ask a specialist — the answer will come here, in this chat.
stats-typed-none = No typed questions in { $period }.
stats-typed = <b>Typed questions</b> in { $period }: { $typed }. Answered by the bot — { $automatic } ({ $share } %), passed to a librarian — { $librarian }, without a ready answer — { $unplaced }.
stats-typed-unplaced = Most common questions without an answer (add them to the FAQ):
stats-typed-line = • "{ $text }" — { $count }
lib-sent-already = This question has been passed to a librarian already (No. { $number }). The answer will come here.
cmd-ask = Ask a librarian
today-faq = Answers from the FAQ
fd-maybe-a-title = If you were looking for a book with that title, I can search the catalogue:
fd-hours-holiday = ℹ️ On public holidays the hours may differ — please check by phone.
lib-desk-card = 🙋 <b>Question to a librarian</b> — reply to this message and the answer goes to the reader. Start with // to leave a note for colleagues; the reader will not see it.
lib-note-saved = 🔒 Note saved; the reader does not see it.
lib-note-empty = Write the note after //.
lib-thanks-added = 🙂 I'll pass your message on to the librarian (question No. { $number }). If your question is solved, press “✅ Question solved”.
lib-faq-in-private = 📚 Let's continue in your private chat with the bot: you can edit the question and answer there before adding.
lib-faq-reader-gone = The reader erased their data, so their question was not added to the FAQ. You can add a question of your own in “For staff” → “❓ FAQ” → “➕ Add”.
faq-keep = ✔️ Keep as it is
faq-suggested-question = <b>To the FAQ</b> from question No. { $number }, step 1 of 3.
    The reader asked:
    <i>{ $question }</i>

    Every reader will see this question. Take out names, ticket numbers, phone numbers and anything personal — write the question as any reader might ask it. If there is nothing personal in it, press “✔️ Keep as it is”.
faq-suggested-answer = Step 3 of 3. The reader got this answer:
    <i>{ $answer }</i>

    The bot will send it to everyone who asks the same. Take out the reader's name and anything personal — write the answer for everyone. If there is nothing personal in it, press “✔️ Keep as it is”.

## MAX (#24): the same bot in MAX, one person across three messengers
messenger-max = MAX
list-or = or
list-and = and
about-link-many = 🔗 Link messengers
link-intro-many =
    🔗 <b>One reader, several messengers</b>
    Do you write to the bot in { $messengers }? Link the accounts: books, registrations, requests and subscriptions become shared, and announcements come once.

    Press “Get a code” and send the code to the bot in another messenger. If you already have a code, send it here.
link-done-many = ✅ Done: the bot now knows you in { $messengers }. Books, registrations, requests and subscriptions are shared. Announcements and reminders go to { $preferred }.

# IRBIS64: the catalogue card when the library system did not answer in time
catalogue-live-fallback = <i>Copies as of { $time }: the library system did not answer just now.</i>

## Linking a library card by phone number (#23, verification = "phone")
loans-phone-offer = 📱 You can also do without the card number: press «📱 Share my number» below and I will find your card by the phone number the library has on file. I do not keep the number.
loans-phone-share = 📱 Share my number
loans-phone-type-ticket = ✏️ Enter the card number
loans-phone-ask-ticket = All right. Enter the <b>library card number</b> printed on your card.
loans-phone-not-yours = That is not your number: a card can be linked only by your own. Press «📱 Share my number» below — or «✏️ Enter the card number».
loans-phone-several = Several readers of the library have this phone number, so I cannot tell whose card it is.
loans-phone-none = No reader of the library has this phone number — perhaps your card has another one on file.
loans-phone-not-searchable = The library system cannot find readers by phone number.
loans-phone-fallback = Let us link it another way: enter the <b>library card number</b>, and then { $what ->
        [password] the password (PIN) of your library account.
        [identity] the reader's surname and year of birth.
       *[code] the code from the library — staff at the desk give it out for your card.
    }
loans-phone-already = Card No. { $ticket } is already linked to this account.

# IRBIS64 (#23): the catalogue read from the IRBIS64 server
cli-import-catalogue-from-irbis = read the catalogue from the IRBIS64 server ([library_system.irbis64]) instead of files: records new or changed since the last run (all of them with --full)

## Resource-centre work log (#25): «📝 Record work», libbot work, the public summary
work-button = 📝 Record work
work-kinds = 📝 <b>Record work</b>. What kind? Choose one, then say briefly what was done and press «✅ Done».
work-mine = 📋 My records
work-ask-content = <b>{ $kind }</b>
    What was done? Briefly, in one message — for example: <i>Advice on registering an NGO</i>.
work-cancel = ✖️ Cancel
work-cancelled = Nothing recorded. What work to record?
work-stale = This button no longer works. Please start again.
work-draft = This will be recorded:
work-draft-edit = Correcting record No. { $id }:
work-card-head = <b>{ $kind }</b>: { $content }
work-card-date = 📅 { $date }
work-card-responsible = 🙋 Responsible: { $name }
work-card-customer = 👤 Customer: { $name }
work-card-executor = 🛠 Done by: { $name }
work-card-people = 👥 People: { $count }
work-card-notes = 🗒 { $notes }
work-now = now
work-done = ✅ Done
work-save = ✅ Save
work-more = ➕ Add details
work-back = ⬅️ Back
work-field-date = 📅 Date
work-field-customer = 👤 Customer
work-field-executor = 🛠 Done by
work-field-responsible = 🙋 Responsible
work-field-people = 👥 Number of people
work-field-notes = 🗒 Notes
work-field-content = ✏️ What was done
work-field-kind = 🗂 Kind of work
work-field-done_at = 📅 Date
work-field-all_day = 📅 Date
work-ask-date = When was it? Press a button or type a date: <i>12.11</i>, <i>12.11.2026</i> or <i>12.11 14:30</i>.
work-ask-customer = Who was it for — a person or an organisation? Type the name; I will suggest those met before.
work-ask-executor = Who did the work? Type a name (or several, separated by commas).
work-ask-responsible = Who is responsible? Press «Me» or type a name.
work-ask-people = How many people were helped or took part? Type a number.
work-ask-notes = Notes — anything worth knowing for the report.
work-ask-content-edit = What was done? Type it again.
work-ask-kind = Choose the kind of work:
work-day-today = Today
work-day-yesterday = Yesterday
work-day-before = The day before yesterday
work-me = 🙋 Me
work-bad-content = Say what was done in one message, at most { $limit } characters.
work-bad-length = At most { $limit } characters, please.
work-bad-date = I could not read the date. Type, for example, <i>12.11</i>, <i>12.11.2026</i> or <i>yesterday</i> — not later than today.
work-bad-people = Type the number of people in digits, for example: <i>3</i>.
work-suggest = «{ $name }» — perhaps one of these? Or keep it as typed.
work-keep-typed = ✔️ Keep «{ $name }»
work-recorded = ✅ Recorded, No. { $id }.
work-saved = ✅ Corrected, No. { $id }.
work-record = Record No. { $id }
work-edit = ✏️ Correct
work-drop = 🗑 Delete
work-history = 🕓 History
work-again = 📝 Record more
work-to-record = ⬅️ To the record
work-drop-confirm = Delete record No. { $id } «{ $content }»? It leaves the report and stays in the history.
work-drop-yes = 🗑 Yes, delete
work-drop-no = No, keep it
work-dropped = Record No. { $id } deleted.
work-gone = This record is gone — it was deleted.
work-not-yours = Only the person who made a record, or an admin, can correct or delete it.
work-closed = This record's quarter is closed: its report has been handed in, the record stays as it is.
work-empty = The record has no kind of work or no description.
work-mine-empty = You have no records for { $period }.
work-mine-list = Your records for { $period } (the latest):
work-history-title = History of record No. { $id }:
work-history-created = { $at } — recorded by { $by }
work-history-changed = { $at } — { $by } corrected: { $field }
work-history-deleted = { $at } — { $by } deleted the record
cli-work = The resource centre's work log: «add» — one record, «import FILE» — last season's sheet (XLSX or CSV), «kinds» — the kinds of work and their report sheets, «forget-customer NAME» — remove a person from every record.
cli-work-action = add, import, kinds or forget-customer
cli-work-file = the file for import, the name for forget-customer
cli-work-kind = the kind of work (see «libbot work kinds»); for import — the kind of rows without a «Вид работы» column
cli-work-content = what was done
cli-work-date = when: 12.11.2026, 12.11.2026 14:30, 12.11, «вчера» (default: now)
cli-work-customer = the customer: a person or an organisation
cli-work-executor = who did it
cli-work-responsible = who is responsible
cli-work-people = how many people
cli-work-notes = notes
cli-work-author = who recorded it (for the record's history)
cli-work-dry-run = only check: record nothing
cli-work-kinds-title = Kinds of work ([work] kinds) and their report sheets:
cli-work-added = Recorded: No. { $id }, { $kind }.
cli-work-added-dry = Checked: the «{ $kind }» record can be made (nothing recorded).
cli-work-imported = { $file }: recorded { $added }, already there { $repeated }, with errors { $bad }.
cli-work-imported-dry = { $file }: check — { $added } can be recorded, already there { $repeated }, with errors { $bad } (nothing recorded).
cli-work-bad-rows = Rows with errors (fix them and load the file again — rows already recorded are not repeated):
cli-work-bad-more = …and { $count } more
cli-work-forgotten = Removed from records: { $count }.
cli-report-period-half = a quarter (2026-Q3), a half-year (2026-H1) or a month (2026-07)
cli-report-public = the public summary for the library's site: one HTML page with figures and charts, no personal data (--year 2026 --out summary.html)
cli-report-public-written = { $out }: public summary, { $period }
cli-demo-library-system = the demo's library system: local (loans from CSV) or irbis64 (a practice IRBIS64 server in this process: readers, loans, catalogue and orders)

## MAX (#24): no two accounts of one person in the same messenger
link-two-in-one = That did not work: both sides already have an account in the same messenger. A reader may have only one account in each messenger.

## Grants calendar and applications (#27)
grants-intro = 🏆 <b>Grants and contests</b>
    A calendar of grant contests for NGOs and civic groups: open now, closing soon, by topic. Follow topics to be reminded of deadlines 14 and 3 days before.
grants-now = 📂 Open now ({ $count })
grants-soon = ⏰ Closing soon ({ $count })
grants-topics = 🏷 Topics and reminders
grants-mine = 📝 My applications
grants-back = ⬅️ Grants
grants-none = No such contests at the moment.
grants-now-title = Contests open now (the nearest deadline first):
grants-soon-title = Deadline within the next two weeks:
grants-topic-title = Contests on «{ $topic }»:
grants-topics-title = Contest topics. Tap a topic to see its contests, or 🔕/🔔 beside it to be reminded of its deadlines.
grants-follow-every = All contests
grants-followed = Deadline reminders on: { $topic }
grants-unfollowed = Reminders off: { $topic }
grants-stale = This button is out of date.
grants-card-title = 🏆 <b>{ $name }</b>
grants-card-operator = Run by: { $operator }
grants-card-opens = Applications open: { $when }
grants-card-deadline = ⏰ Deadline: { $when }
grants-card-results = Results: { $when }
grants-card-amount = 💰 { $amount }
grants-card-eligible = Who may apply: { $who }
grants-card-tags = Topics: { $tags }
grants-card-closed = The contest was taken off the calendar.
grants-card-over = Applications are closed.
grants-amount-range = { $low } to { $high } RUB
grants-amount-up-to = up to { $high } RUB
grants-amount-from = from { $low } RUB
grants-link = 🔗 Contest page
grants-prepare = ✍️ I am preparing an application
grants-open-card = 🏆 Open the contest
grants-ask-organisation = What is your organisation called? Type its name so the application is counted for it.
grants-bad-organisation = Please type the organisation's name (2 to 300 characters).
grants-same = ✔️ { $value }
grants-skip = Skip
grants-org-skipped = All right, without a name.
grants-send-text = Please type it as text.
grants-no-organisation = organisation not given
grants-prepared = ✍️ Noted: { $organisation } is preparing an application to «{ $name }». Status: being prepared. We will remind you of the deadline.
    Would you like an expert of the resource centre to review the application before you submit it?
grants-want-expertise = 📝 Yes, review my application
grants-consent-first = To pass the application to an expert we need your consent to process personal data. After agreeing, tap «Yes, review my application» again.
grants-expertise-already = A review of this application was already requested: request No. { $number }.
grants-expertise-unavailable = Application reviews are not taken through the bot at the moment. Please contact the library.
grants-expertise-question = Review of a project application to «{ $name }» (run by { $operator }). Deadline: { $deadline }. Contest page: { $link }. Please review it by { $by }.
grants-expertise-when = by { $by }
grants-expertise-made = ✅ Request No. { $number }: a review of your application to «{ $name }». The expert is asked to review it by { $by }. An expert or a member of staff will write to you here.
grants-mine-none = You have no applications yet. Open a contest and tap «I am preparing an application».
grants-mine-title = Your applications:
grants-mine-line = • { $name } — { $status }
grants-status-preparing = being prepared
grants-status-submitted = submitted
grants-status-supported = supported
grants-status-rejected = not supported
grants-reminder-14d = 🔔 Less than two weeks left to apply to «{ $name }»: the deadline is { $when }.
grants-reminder-3d = ⏰ Three days left: the deadline for «{ $name }» is { $when }.
grants-result-question = 🏆 The results of «{ $name }» should be out by now. Was your application supported?
grants-result-supported = 🎉 Supported
grants-result-rejected = Not supported
grants-result-unknown = Not known yet
grants-result-thanks = Thank you! The result is recorded for the resource centre's report.
grants-result-kept = Thank you! Staff have already recorded the result.
grants-result-later = All right. When you know the result, please tell the resource centre's staff.
grants-staff-button = 🏆 Grants
staff-grants-menu = 🏆 <b>Grants</b>: the contest calendar and organisations' applications. Contests can be loaded from a file: <code>libbot grants import FILE.csv</code>.
staff-grants-add = ➕ Add a contest
staff-grants-list = 📋 Contests
staff-grants-apps = 📝 Applications
staff-grants-back = ⬅️ Grants (staff)
staff-grants-none = No contests in the calendar.
staff-grants-list-title = Contests in the calendar:
staff-grants-card = Contest No. { $number }
    { $card }
staff-grants-edit = ✏️ Change
staff-grants-edit-which = What to change in «{ $name }»?
staff-grants-field-name = Name
staff-grants-field-operator = Operator
staff-grants-field-link = Link
staff-grants-field-deadline = Deadline
staff-grants-field-opens = Opening
staff-grants-field-results = Results
staff-grants-field-amount = Amount
staff-grants-field-eligible = Who may apply
staff-grants-field-tags = Topics
staff-grants-close = 🚫 Take off the calendar
staff-grants-close-ask = Take «{ $name }» off the calendar? Its applications stay.
staff-grants-close-yes = Yes, take it off
staff-grants-closed = The contest was taken off the calendar.
staff-grants-ask-name = The contest's name?
staff-grants-ask-operator = Who runs the contest? Choose or type.
staff-grants-op-1 = Фонд президентских грантов
staff-grants-op-2 = Региональная программа
staff-grants-op-3 = Муниципальная программа
staff-grants-op-4 = Корпоративный фонд
staff-grants-ask-deadline = The deadline: a date and time, e.g. 31.03.2027 23:59, in the library's time zone; another zone may follow: 31.03.2027 18:00 Asia/Yekaterinburg.
staff-grants-ask-link = The contest's page (http:// or https://)?
staff-grants-ask-opens = When do applications open (a date)?
staff-grants-ask-results = When are the results announced (a date)?
staff-grants-ask-amount = The grant's size, e.g. от 100 000 до 3 000 000 or до 500 000.
staff-grants-ask-eligible = Who may apply (NGOs, local self-government groups, civic groups…)?
staff-grants-ask-tags = The contest's topics, comma-separated (e.g. { $suggested }).
staff-grants-ask-requested = How much was requested, RUB?
staff-grants-ask-granted = How much was granted, RUB?
staff-grants-bad = Not accepted: { $reason }.
staff-grants-bad-sum = Type the sum in figures, e.g. 450 000.
staff-grants-skip = Skip
staff-grants-cancel = ✖️ Cancel
staff-grants-cancelled = Cancelled, nothing saved.
staff-grants-send-text = Please type it as text.
staff-grants-saved = ✅ Contest No. { $number } saved.
staff-grants-apps-none = No applications yet.
staff-grants-apps-title = Organisations' applications (newest first). Tap one, then its new status:
staff-grants-app = Application No. { $number }: { $organisation }
    Contest: { $name }
    Status: { $status }
staff-grants-app-requested = Requested: { $amount } RUB
staff-grants-app-granted = Granted: { $amount } RUB
staff-grants-app-request = Review: request No. { $number }
staff-grants-set-requested = ✏️ Requested, RUB
staff-grants-set-granted = ✏️ Granted, RUB
staff-grants-moved = Status: { $status }
staff-grants-not-moved = The status is already different — nothing changed.
cli-grants = The grants calendar: «import FILE» loads contests from CSV or XLSX (bad rows told by number, the rest loaded).
cli-grants-action = what to do: import
cli-grants-file = the contests file (CSV or XLSX)
cli-grants-dry-run = only check the file, load nothing
cli-grants-imported = { $file }: { $added } contests loaded, { $repeated } already there, { $bad } bad rows
cli-grants-imported-dry = { $file } (check): { $added } could be loaded, { $repeated } already there, { $bad } bad rows
cli-grants-bad-rows = Bad rows:
cli-grants-bad-more = …and { $count } more

## Half-year choices of «📑 Отчёт» (#25; the buttons are ReportPeriod h0/h1)
report-period-h0 = This half-year
report-period-h1 = Last half-year

## «📝 Record work»: typing while the draft waits for a button (#25)
work-use-buttons = The record is not saved yet: press «✅ Done» to save it, or a field's button to add to it.

## Grants calendar: reminders of one contest's deadline (#27)
grants-watch = 🔔 Remind me of the deadline
grants-unwatch = 🔕 No deadline reminders
grants-watched = We will remind you 14 and 3 days before the deadline.
grants-unwatched = Reminders about this contest are off.

## Rating after a service (#26)
rating-event-question =
    You came to «{ $title }» ({ $when }). How was it? Please rate it from 1 to 5 — only if you like.
rating-score-5 = 5 — excellent
rating-score-4 = 4 — good
rating-score-3 = 3 — fair
rating-score-2 = 2 — poor
rating-score-1 = 1 — very poor
rating-stop = Don't ask again
rating-comment = Thank you for the { $rating }! Anything to add? Write it in one message.
rating-no-comment = No comment
rating-thanks = Thank you for rating!
rating-comment-saved = Thank you, we will read it!
rating-already = The rating is saved already, thank you!
rating-not-yours = This rating is not yours to change.
rating-stopped = All right, we will not ask for ratings again.
rating-send-text = Write the comment as text or press «No comment».

# The consultation topics lead to the grants calendar too (#27)
rq-grants = 🏆 Grants and contests

# Grants calendar review (#27): staff page through the applications
staff-grants-apps-more = More ▶
