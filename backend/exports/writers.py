"""Writing export rows as CSV, XLSX (openpyxl) or ODS (odfpy).

CSV is made for a French Excel: UTF-8 with a byte order mark (else Excel reads it as
Windows-1252), ``;`` between fields, CRLF line ends, decimal comma and no thousands separator
(« 12500,00 », read as a number by a French Excel or LibreOffice), dates in ISO 8601
(« 2026-03-01 », recognised as dates whatever the locale), empty field for no value.

In XLSX and ODS numbers are numbers and dates are dates (formatted « 12 500,00 » and
« 01/03/2026 »); each sheet has a bold header row.

Text typed by users never becomes a formula: a CSV field starting with = + - @ or a tab is
prefixed with an apostrophe (OWASP « CSV injection »); XLSX and ODS cells are typed as text.
Control characters, which XML cannot hold, are removed.
"""

import csv
import datetime
import io
import re
from collections.abc import Sequence
from decimal import Decimal

from odf.number import DateStyle, Day, Month, Number, NumberStyle, Year
from odf.number import Text as NumberText
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties, TextProperties
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backend.exports.rows import Column

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Sheet = tuple[str, Sequence[Column], Sequence[dict]]  # (name, columns, rows)


def clean(text) -> str:
    return CONTROL.sub("", str(text))


# --- CSV -----------------------------------------------------------------------------------


def csv_value(column: Column, value) -> str:
    if value is None:
        return ""
    if column.kind == "decimal":
        return f"{Decimal(value):f}".replace(".", ",")
    if column.kind == "int":
        return str(int(value))
    if column.kind == "date":
        return value.isoformat()
    text = clean(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(columns: Sequence[Column], rows: Sequence[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    for row in rows:
        writer.writerow([csv_value(column, row[column.key]) for column in columns])
    return buffer.getvalue().encode("utf-8")


# --- XLSX ----------------------------------------------------------------------------------

XLSX_FORMATS = {"decimal": "#,##0.00", "int": "0", "date": "DD/MM/YYYY"}


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for name, columns, rows in sheets:
        sheet = workbook.create_sheet(title=name)
        widths = [len(column.header) for column in columns]
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index, value=column.header)
            cell.font = bold
        for row_number, row in enumerate(rows, start=2):
            for index, column in enumerate(columns, start=1):
                value = row[column.key]
                if value is None:
                    continue
                if column.kind == "text":
                    value = clean(value)
                    cell = sheet.cell(row=row_number, column=index, value=value)
                    cell.data_type = "s"  # never a formula, even when it starts with =
                else:
                    cell = sheet.cell(row=row_number, column=index, value=value)
                    cell.number_format = XLSX_FORMATS[column.kind]
                widths[index - 1] = max(widths[index - 1], len(str(value)))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- ODS -----------------------------------------------------------------------------------


class _OdsStyles:
    def __init__(self, document: OpenDocumentSpreadsheet):
        amount = NumberStyle(name="N2")
        amount.addElement(Number(decimalplaces="2", minintegerdigits="1", grouping="true"))
        day = DateStyle(name="D1")
        for part in (
            Day(style="long"),
            NumberText(text="/"),
            Month(style="long"),
            NumberText(text="/"),
            Year(style="long"),
        ):
            day.addElement(part)
        document.automaticstyles.addElement(amount)
        document.automaticstyles.addElement(day)
        self.decimal = Style(name="cell-decimal", family="table-cell", datastylename="N2")
        self.date = Style(name="cell-date", family="table-cell", datastylename="D1")
        self.header = Style(name="cell-header", family="table-cell")
        self.header.addElement(TextProperties(fontweight="bold"))
        self.header.addElement(TableCellProperties(backgroundcolor="#e6ebf2"))
        for style in (self.decimal, self.date, self.header):
            document.automaticstyles.addElement(style)


def _ods_cell(column: Column, value, styles: _OdsStyles) -> TableCell:
    if value is None:
        return TableCell()
    if column.kind == "decimal":
        cell = TableCell(valuetype="float", value=f"{Decimal(value):f}", stylename=styles.decimal)
        text = f"{Decimal(value):f}".replace(".", ",")
    elif column.kind == "int":
        cell = TableCell(valuetype="float", value=str(int(value)))
        text = str(int(value))
    elif column.kind == "date":
        assert isinstance(value, datetime.date)
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), stylename=styles.date)
        text = value.strftime("%d/%m/%Y")
    else:
        cell = TableCell(valuetype="string")
        text = clean(value)
    for number, line in enumerate(text.split("\n")):
        if number or line:
            cell.addElement(P(text=line))
    return cell


def write_ods(sheets: Sequence[Sheet]) -> bytes:
    document = OpenDocumentSpreadsheet()
    styles = _OdsStyles(document)
    for name, columns, rows in sheets:
        table = Table(name=name)
        header = TableRow()
        for column in columns:
            cell = TableCell(valuetype="string", stylename=styles.header)
            cell.addElement(P(text=column.header))
            header.addElement(cell)
        table.addElement(header)
        for row in rows:
            line = TableRow()
            for column in columns:
                line.addElement(_ods_cell(column, row[column.key], styles))
            table.addElement(line)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()
