"""The two places «Мероприятия» has in the conversation (see `handlers.PARTS`):

- `routes`: the menu entry and the `/start event_…` and `/start ticket_…` links — tried
  first, and they leave any half-filled form;
- `form_routes`: the sign-up form's answers and every event button, tried after the
  staff parts.

The feature's modules (events, event_signup, event_tickets) declare their handlers on these
two; `handlers.events` imports them all, so theirs are declared before its catch-all.
"""

from __future__ import annotations

from handlers.routes import Routes

routes = Routes("handlers.events")
form_routes = Routes("handlers.events.form")
