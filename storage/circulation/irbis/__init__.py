"""The `irbis64` library system: loans, renewals, orders and live copies over IRBIS64.

IRBIS keeps circulation in the reader record itself (RDR): every book lent is a field 40,
and a renewal is the desk's edit of that field. So this connector reads the reader
record for «Мои книги», applies the library's renewal rules (`[library_system]`, as
IRBIS's own circulation applies them at the desk, not over the protocol), and writes a
renewal back the way the desk would — under the record's lock and version, retried once
when the desk got there first, never blindly. Holds are records in the library's orders
database, when it names one. The catalogue card asks for a title's 910s live.

The package: `values` reads field text, `loans` the fields 40, `rules` the renewal rules,
`readers` who a reader is and how they prove it, `orders` the orders database,
`exemplars` the 910s, `system` the `LibrarySystem`. The wire client and the record
model are `storage.irbis64`.
"""

from storage.circulation.irbis.system import IrbisSystem

__all__ = ["IrbisSystem"]
