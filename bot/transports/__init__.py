"""Messenger transports: each turns its messenger's events into aiogram updates for the
one Dispatcher, and carries the handlers' Bot API calls back to its messenger."""
