"""VK: the same Dispatcher and handlers in a VK community, through the Bots Long Poll API.

`client` wraps the blocking vk_api calls (off the event loop, with timeouts, VK errors
turned into aiogram's exceptions), `markup` turns Bot API text and keyboards into VK's,
`updates` turns VK events into aiogram updates, `session` carries out the handlers' Bot
API calls through VK, and `polling` runs the long poll.
"""
