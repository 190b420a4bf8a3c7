"""The `koha` library system: Koha's REST API (`/api/v1`) as a staff API user.

Koha trusts the API user, not the reader: its renewal endpoint renews whatever
checkout id it is given. So before every renewal libbot lists the reader's own
checkouts and refuses, without asking Koha, an id that is not among them.

Koha habits this connector works around:
- List filters match with `contains` (SQL `LIKE '%x%'`) unless `_match=exact` is sent:
  card 100 would find card 1001, and `patron_id=1` would list patron 11's loans. We send
  `_match=exact` and still compare the rows ourselves.
- Password validation matches the identifier against user names before card numbers,
  so the answer must name the patron the card belongs to.
- `x-koha-embed: item,item.biblio` on checkouts and `biblio` on holds exist only in newer
  Koha; older ones answer 400, and then titles are fetched item by item.
- `allows_renewal` is true *with* an error code for auto-renewal loans (`auto_renew`,
  `auto_renew_final`, `auto_unseen_final`). Koha renews those on request too, so the bot
  offers them; the code stays in `Loan.detail` for staff.
- A hold is placed on the record (`biblio_id`), found through a copy's barcode
  (`external_id`); the export's control number is trusted only when Koha's record has the
  same title. Koha refuses with 403 (`CanBookBeReserved`'s status, in `error_code` or in
  «Reason: …»), newer Koha with 409 for the card itself (`can_place_holds`).

- Phone numbers are kept as staff typed them: a reader linking by phone is looked for with
  one `q` (`LIKE` the ten digits with anything between, over every phone field), and the
  records found are compared on their normalised numbers.

A renewal or hold POST is never retried: one that went out without an answer is UNCONFIRMED.

The package: `client` speaks HTTP to Koha (authorisation, paging, unusable answers),
`answers` reads its JSON into `base` values, `system` is the `LibrarySystem`.
"""

from storage.circulation.koha.answers import refusal_for
from storage.circulation.koha.system import KohaSystem

__all__ = ["KohaSystem", "refusal_for"]
