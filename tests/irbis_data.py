"""IRBIS64 test data: a reader database (RDR) and a small catalogue (IBIS) as the IRBIS
text export a library makes, and helpers to write loan (40) and exemplar (910) fields.

RDR fields: 10 surname, 11 name, 12 patronymic, 17 phone, 21 birth year, 30 ticket,
40 loans (^a shelf code, ^b inventory, ^c description, ^d issued, ^e due, ^f returned
or `******`, ^h barcode, ^k storage place, ^l renewal date, ^4 renewals).
IBIS fields: 10 ISBN, 200 title, 700 author, 903 shelf code, 910 exemplars (^a status,
^b inventory, ^d storage place, ^h barcode).
"""

from __future__ import annotations

from datetime import date

NOT_RETURNED = "******"


def irbis_date(day: date) -> str:
    return f"{day:%Y%m%d}"


def loan(
    *,
    inventory: str,
    description: str,
    issued: date,
    due: date,
    barcode: str | None = None,
    shelf: str = "",
    place: str = "АБ",
    returned: date | None = None,
    renewed: date | None = None,
    renewals: int = 0,
) -> str:
    """The text of an RDR field 40 as IRBIS's circulation writes it."""
    parts = [
        f"^a{shelf}" if shelf else "",
        f"^b{inventory}",
        f"^c{description}",
        f"^d{irbis_date(issued)}",
        f"^e{irbis_date(due)}",
        f"^f{irbis_date(returned) if returned else NOT_RETURNED}",
        f"^h{barcode}" if barcode else "",
        f"^k{place}",
        f"^l{irbis_date(renewed)}" if renewed else "",
        f"^4{renewals}" if renewals else "",
    ]
    return "".join(parts)


def reader(
    *,
    ticket: str,
    surname: str,
    name: str,
    patronymic: str = "",
    birth_year: int | None = None,
    phone: str | None = None,
    loans: list[str] | None = None,
) -> str:
    """One reader record in the text export form (ends with `*****`)."""
    lines = [f"#10: {surname}", f"#11: {name}"]
    if patronymic:
        lines.append(f"#12: {patronymic}")
    if phone:
        lines.append(f"#17: {phone}")
    if birth_year:
        lines.append(f"#21: {birth_year}")
    lines.append(f"#30: {ticket}")
    lines += [f"#40: {value}" for value in loans or []]
    return "\n".join([*lines, "*****", ""])


def readers(today: date) -> str:
    """Two readers: Иванова with two loans (one due soon, one returned), Петров with none."""
    return reader(
        ticket="12345",
        surname="Иванова",
        name="Мария",
        patronymic="Петровна",
        birth_year=1990,
        phone="+7 900 123-45-67",
        loans=[
            loan(
                inventory="1759089",
                barcode="0001759089",
                description="Булгаков М. А. Мастер и Маргарита",
                issued=date.fromordinal(today.toordinal() - 20),
                due=date.fromordinal(today.toordinal() + 3),
            ),
            loan(
                inventory="1759100",
                description="Шукшин В. М. Странные люди",
                issued=date.fromordinal(today.toordinal() - 60),
                due=date.fromordinal(today.toordinal() - 30),
                returned=date.fromordinal(today.toordinal() - 31),
            ),
        ],
    ) + reader(ticket="67890", surname="Петров", name="Пётр", birth_year=1985)


CATALOGUE = """\
#10: ^A5-86150-048-7^D80
#200: ^AМастер и Маргарита^FМ. Булгаков
#210: ^D1998^CНадежда-1
#700: ^AБулгаков^BМ. А.
#903: 84(2Рос=Рус)6/Б 90-125
#910: ^A1^B1759089^DАБ^H0001759089
#910: ^A0^B1759090^DЧЗ^H0001759090
*****
#200: ^AСтранные люди^Eрассказы^FВ. Шукшин
#700: ^AШукшин^BВ. М.
#910: ^A0^B1759100^DАБ
*****
#10: ^A978-1-292-11011-0
#200: ^AFocus 5^EStudent`s Book
#700: ^AKay^BS.
#910: ^A9^B1800001^DАБ^H0001800001
*****
"""
