"""The front door: what a typed message is taken for, before the catalogue search.

Rules over word prefixes for the library's own facts and the reader's own things (hours,
addresses, «Мои книги», events, consultations, subscriptions, greetings), the library FAQ
matched by stems with typo tolerance, and the catalogue for what reads like a title or an
author. No model, no external service: every decision carries a reason staff can read.
"""
