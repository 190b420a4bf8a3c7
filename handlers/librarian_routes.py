"""The places «Спросить библиотекаря» has in the conversation (see `handlers.PARTS`):

- `routes`: /ask and a typed «Спросить библиотекаря» — navigation, tried first (they leave
  any half-filled form);
- `consent_routes`: the answer to the consent question asked because of a question waiting
  to go — right before `handlers.consent`, which it hands the answer to;
- `form_routes`: the press under a typed question, «Вопрос решён», and the one question
  «Напишите ваш вопрос» — with the other forms;
- `staff_chat_routes`: a staff member replying in the staff chat to a message of a
  request's thread, and «➕ В частые вопросы» — the one part that answers in a group chat;
- `thread_routes`: what the reader types while their question is open joins it — right
  before the front door.

The feature's modules (librarian, librarian_ask, librarian_thread, librarian_staff_chat)
declare their handlers on these; `handlers.librarian` imports them all.
"""

from __future__ import annotations

from handlers.routes import Routes

routes = Routes("handlers.librarian")
consent_routes = Routes("handlers.librarian.consent")
form_routes = Routes("handlers.librarian.form")
staff_chat_routes = Routes("handlers.librarian.staff_chat")
thread_routes = Routes("handlers.librarian.thread")
