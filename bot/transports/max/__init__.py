"""MAX: the same Dispatcher and handlers in the national messenger, through the MAX Bot API.

`client` speaks the HTTP API (JSON over aiohttp, with timeouts, MAX errors turned into
aiogram's exceptions), `markup` turns Bot API text and keyboards into MAX's, `updates`
turns MAX updates into aiogram updates, `files` uploads what the handlers send,
`session` carries out the handlers' Bot API calls through MAX, `polling` runs the long
poll (`GET /updates`) and makes the Bot, `webhook` takes updates MAX pushes
(`POST /subscriptions`) with their secret checked.

Why no client library. `maxapi`, `aiomax` and `maxapi-lite` are frameworks: each brings
its own dispatcher, update models and router, and the bridge would translate their
models into aiogram's as well as MAX's JSON into them — two mappings instead of one,
and a third-party model layer between the fake MAX API and what the bot sees, so a
fake that drifted from the schema could hide behind the library's tolerance. The API
itself is small and plain (a dozen REST calls, JSON in and out, one header for the
token), aiogram already depends on aiohttp, and speaking it directly keeps the whole
bridge in this package, its base URL a setting (`api_server`) the tests point at the
fake, and every request the fake checks exactly the one MAX would get.

Entry points: `polling.max_bot(settings)` (the Bot), `polling.max_session(bot)`,
`polling.MaxPolling(dp, bot, position_file=…).run(stop)`, `polling.check_token(bot)`
(TelegramUnauthorizedError for a refused token), `webhook.subscribe(bot, url, secret)`
and `webhook.add_webhook_route(app, path, dp, bot, secret)`; `MaxSession.start_link`
makes `https://max.ru/<bot>?start=<payload>` links.

Decisions (see each module for details):
- Chats: a dialog is known by the reader's MAX `user_id` (sent with `?user_id=`), as a
  Telegram private chat by the user's id, so `platform="max"` + `platform_user_id` is
  also where their messages go; a group chat keeps MAX's (negative) `chat_id`.
- Message ids: MAX names a message by its string `mid`; aiogram wants an int, so a
  message is known by its `seq` and the session remembers `seq → mid`.
- Menus: MAX has no reply keyboard. A menu becomes an inline keyboard of `message`
  buttons, whose press the reader's client sends as the label's text — exactly what a
  Telegram menu button does; «share my phone» becomes a `request_contact` button.
- Callback data travels as the button's payload as it is (MAX takes 1024 characters,
  Telegram's callback data is at most 64 bytes; anything longer goes as a short token).
- Errors: 401 → unauthorized, 403 «chat.denied» → forbidden (the reader blocked the
  bot), 429 → retry after (MAX's Retry-After, else a second), 503 → server error (sent
  again later), any other 5xx or a timeout on a new message → a lost answer, never
  resent; GET/PUT/DELETE are retried on gateway errors.
"""
