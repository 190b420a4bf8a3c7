"""The `sip2` library system: loans, holds and renewals over SIP2 2.00 (3M's self-check protocol).

Most library systems (Koha, Evergreen, ИРБИС, OPAC-Global, Symphony) speak SIP2 even when
they have no API. libbot acts as one self-check terminal: a single TCP connection,
logged in once (93), asked whether the ACS is online (99), then used one request at a
time. The frame format is pysip2's; this module only decides what to ask and how to read
the answers into `base` values.

What the wire cannot say, and how it is handled:
- A renewal whose request went out but whose answer never came is UNCONFIRMED and never
  resent: SIP2 has no idempotency key, so a resend could renew twice.
- SIP2 does not give renewal counts: `Loan.renewals` stays None; a queue of holds (CF)
  is the only pre-check besides the card's own flags.
- Renew All (65) renews every item on the card, so it is only used when the loans given
  are all the reader has; otherwise items are renewed one by one.
- A hold (15, mode '+') names one copy by its barcode and asks for any copy of the title
  (hold type 2), as Koha's SIP server places it on the record. An ACS that does not
  support 15 says so in its status (99 → BX); it is then not asked. A hold request that
  went out without an answer is UNCONFIRMED and never resent.

The package: `answers` reads what the ACS says into `base` values, `line` is the
connection (framing, login, status, reconnecting), `system` the `LibrarySystem` that
decides what to ask.
"""

from storage.circulation.sip2.answers import (
    card_refusal,
    hold_refusal,
    parse_sip_date,
    screen_refusal,
)
from storage.circulation.sip2.system import Sip2System

__all__ = ["Sip2System", "card_refusal", "hold_refusal", "parse_sip_date", "screen_refusal"]
