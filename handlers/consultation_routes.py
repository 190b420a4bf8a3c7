"""The two places «Консультация» has in the conversation (see `handlers.PARTS`):

- `routes`: the menu entry and /consult — tried first, and they leave any half-filled form;
- `form_routes`: the topics, the FAQ and the request form's answers and buttons, tried
  after the staff parts.

The feature's modules (consultation, consultation_form) declare their handlers on these
two; `handlers.consultation` imports the form, so its handlers come before its catch-all.
"""

from __future__ import annotations

from handlers.routes import Routes

routes = Routes("handlers.consultation")
form_routes = Routes("handlers.consultation.form")
