"""Download of one billing account: its invoices and its payments, one sheet each.

XlsxWriter with strings_to_formulas, strings_to_urls and strings_to_numbers off, and
text that starts with a character a spreadsheet may read as a formula (=, +, -, @,
tab, carriage return) prefixed with an apostrophe, so the file stays inert even when
someone later saves it as CSV (OWASP "CSV injection").
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter

from .export import INERT_TEXT_OPTIONS, spreadsheet_text
from .selectors import AccountDetail

CURRENCY_FORMAT = '"$"#,##0.00;[Red]-"$"#,##0.00'
DATE_FORMAT = "mm/dd/yyyy"

INVOICE_COLUMNS = [
    ("Invoice #", 18),
    ("Bill Date", 12),
    ("Due Date", 12),
    ("Amount", 14),
    ("Paid", 14),
    ("Balance", 14),
    ("Status", 16),
    ("Past Due", 10),
]
PAYMENT_COLUMNS = [
    ("Date", 12),
    ("Amount", 14),
    ("Method", 22),
    ("Reference", 22),
    ("Status", 12),
]


def account_export_filename(*, detail: AccountDetail) -> str:
    return f"billing-account-{detail.account.number}-{detail.today:%Y-%m-%d}.xlsx"


def account_export_write(*, detail: AccountDetail) -> bytes:
    """The workbook as bytes: sheet "Invoices" and sheet "Payments", each with a bold,
    frozen header row and an autofilter; money as currency, dates as dates."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **INERT_TEXT_OPTIONS})
    header = workbook.add_format({"bold": True, "bottom": 1})
    currency = workbook.add_format({"num_format": CURRENCY_FORMAT})
    day = workbook.add_format({"num_format": DATE_FORMAT})

    def sheet(name: str, columns: list[tuple[str, int]], rows: list[list[Any]]) -> None:
        ws = workbook.add_worksheet(name)
        for col, (title, width) in enumerate(columns):
            ws.write_string(0, col, title, header)
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    ws.write_number(r, c, float(value), currency)
                elif isinstance(value, date):
                    ws.write_datetime(r, c, value, day)
                elif value is None or value == "":
                    ws.write_blank(r, c, None)
                else:
                    ws.write_string(r, c, spreadsheet_text(str(value)))

    sheet(
        "Invoices",
        INVOICE_COLUMNS,
        [
            [
                invoice.number,
                invoice.bill_date,
                invoice.due_date,
                invoice.amount,
                invoice.amount_paid,
                invoice.balance,
                invoice.get_status_display(),
                "Yes" if detail.invoice_is_past_due(invoice) else "No",
            ]
            for invoice in detail.invoices
        ],
    )
    sheet(
        "Payments",
        PAYMENT_COLUMNS,
        [
            [
                payment.received_on,
                payment.amount,
                payment.get_method_display(),
                payment.reference,
                payment.get_status_display(),
            ]
            for payment in detail.payments
        ],
    )
    workbook.close()
    return buffer.getvalue()
