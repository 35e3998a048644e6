"""Download as Excel: the Billing Summary's rows as a real .xlsx.

XlsxWriter in ``constant_memory`` mode writes each row to a temporary file as soon as it
is complete, so memory stays flat however many rows there are; the finished workbook is
written to a temporary file that the response streams and then deletes. Turning
``strings_to_formulas``/``strings_to_urls`` off keeps XlsxWriter from interpreting
text, and text that a spreadsheet could run as a formula (leading ``=``, ``+``, ``-``, ``@``, tab,
carriage return) is written with a leading apostrophe, the same rule as the account
download (docs/decisions/0030 and 0041).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import IO, Any

import xlsxwriter

from .models import BillingAccount

HEADERS = (
    ("Billing account number", 18),
    ("Insured", 44),
    ("Company", 34),
    ("Total due", 15),
    ("Past due", 15),
    ("Due date", 12),
    ("Status", 20),
    ("Policies", 40),
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Both downloads (this one and billing.account_export) write text as text, never as a
# formula, link or number.
INERT_TEXT_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
WORKBOOK_OPTIONS = {"constant_memory": True, **INERT_TEXT_OPTIONS}
STATUS_LABELS = dict(BillingAccount.Status.choices)


def spreadsheet_text(value: str) -> str:
    """Text that no spreadsheet will run as a formula."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def export_file_name(*, today: date) -> str:
    return f"billing-accounts-{today:%Y-%m-%d}.xlsx"


def billing_accounts_xlsx_write(*, rows: Iterable[tuple[Any, ...]], file: IO[bytes]) -> int:
    """Write rows shaped like ``selectors.EXPORT_FIELDS`` to ``file``; returns the count."""
    workbook = xlsxwriter.Workbook(file, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet("Billing accounts")
    header = workbook.add_format({"bold": True, "bottom": 1, "bg_color": "#E6F0F9"})
    text = workbook.add_format({})
    money = workbook.add_format({"num_format": '"$"#,##0.00'})
    day = workbook.add_format({"num_format": "mm/dd/yyyy"})

    for col, (_title, width) in enumerate(HEADERS):
        sheet.set_column(col, col, width)
    sheet.write_row(0, 0, [title for title, _ in HEADERS], header)
    sheet.freeze_panes(1, 0)

    write_string = sheet.write_string
    write_number = sheet.write_number
    write_datetime = sheet.write_datetime
    write_blank = sheet.write_blank
    status_label = STATUS_LABELS.get

    def write_text(r: int, c: int, value: str | None) -> None:
        if not value:
            write_blank(r, c, None, text)
        else:
            write_string(r, c, spreadsheet_text(value))

    row = 0
    for number, insured, company, total, past, due, status, policies in rows:
        row += 1
        write_text(row, 0, number)
        write_text(row, 1, insured)
        write_text(row, 2, company)
        write_number(row, 3, float(total), money)
        write_number(row, 4, float(past), money)
        if due is None:
            write_blank(row, 5, None, day)
        else:
            write_datetime(row, 5, due, day)
        write_text(row, 6, status_label(status, status))
        write_text(row, 7, policies)

    sheet.autofilter(0, 0, max(row, 1), len(HEADERS) - 1)
    workbook.close()
    return row
