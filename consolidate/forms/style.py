"""The look shared by every workbook we write: fonts, fills, borders, headers, print setup.

Blank forms, consolidated workbooks, feedback workbooks and the sources sheet all take
their styles from here, so a printed page looks the same whichever step wrote it.
Style objects are shared (``font``, ``align``, ``Stamp``): openpyxl hashes each new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

NUMBER_FORMAT = '#,##0;-#,##0;"-"'
FONT = "Times New Roman"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
COMPUTED_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="EDEDED")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DEFAULT_WIDTH = 13  # a column openpyxl leaves without a width, as spreadsheets show it
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@lru_cache(maxsize=64)
def align(horizontal: str | None = None, vertical: str = "top", wrap: bool = True) -> Alignment:
    """Shared Alignment objects: one per combination rather than one per cell."""
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)
UNLOCKED = Protection(locked=False)


@lru_cache(maxsize=64)
def font(size: int = 12, bold: bool = False, italic: bool = False) -> Font:
    """One shared Font per style: openpyxl hashes every new style object it is given."""
    return Font(name=FONT, size=size, bold=bold, italic=italic)


class Stamp:
    """Styles many cells fast: the first cell of each style gets it attribute by attribute,
    the others copy that cell's style ids (openpyxl re-hashes every style object assigned,
    which made large consolidated sheets spend most of their time styling)."""

    def __init__(self) -> None:
        self._protos: dict[Any, Any] = {}

    def __call__(self, cell: Any, key: Any, **styles: Any) -> None:
        proto = self._protos.get(key)
        if proto is None:
            for name, value in styles.items():
                setattr(cell, name, value)
            self._protos[key] = cell
        else:  # what copy() does, without its dispatch: 300,000 cells in a national workbook
            cell._style = StyleArray(proto._style)

    def new(self, ws: Worksheet, value: Any, key: Any, **styles: Any) -> Cell:
        """A styled cell for ``ws.append``: a row of ten thousand-row listings built this way
        skips ``ws.cell``'s lookup of each coordinate (about a fifth of their time)."""
        cell = Cell(ws, value=value)
        self(cell, key, **styles)
        return cell


def header_row(ws: Worksheet, row: int, headers: list[str], widths: list[int],
               start_col: int = 1) -> None:
    """A styled header row with its column widths, as every listing sheet has."""
    for j, (text, width) in enumerate(zip(headers, widths, strict=True)):
        cell = ws.cell(row=row, column=start_col + j, value=text)
        cell.font = font(11, bold=True)
        cell.alignment = WRAP_CENTER
        cell.fill = HEADER_FILL
        cell.border = BOX
        ws.column_dimensions[get_column_letter(start_col + j)].width = width


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


FOOTER = "&A – trang &P/&N"  # the sheet's name and the page: loose sheets find their place
PORTRAIT_WIDTH = 100  # column widths (characters) a portrait A4 page prints at full size


def print_setup(ws: Worksheet, area: str, landscape: bool | None = None,
                title_rows: str | None = None) -> None:
    """A4, fitted to the page width, header rows repeated: forms get printed and signed.

    The orientation follows the printed width unless given (a wide table turns the page
    rather than shrinking its text); the rows down to the repeated header get the height
    their wrapped texts need, since LibreOffice prints a row at the height it was written.
    """
    first, last = area.split(":")
    first_col, first_row = coordinate_to_tuple(first)[::-1]
    last_col, last_row = coordinate_to_tuple(last)[::-1]
    if landscape is None:
        landscape = printed_width(ws, first_col, last_col) > PORTRAIT_WIDTH
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = area
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.font = f"{FONT},Italic"
    ws.oddFooter.center.size = 9
    head_end = first_row
    if title_rows:
        ws.print_title_rows = title_rows
        head_end = int(title_rows.split(":")[1])
    fit_rows(ws, range(first_row, min(head_end, last_row) + 1), first_col, last_col)


def printed_width(ws: Worksheet, first: int, last: int) -> float:
    """The width of the visible columns first..last: what the page has to hold."""
    return sum(ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
               for c in range(first, last + 1)
               if not ws.column_dimensions[get_column_letter(c)].hidden)


def fit_rows(ws: Worksheet, rows: Iterable[int], first_col: int = 1,
             last_col: int | None = None) -> None:
    """Grow each row to the height its wrapped texts need, a merged cell wrapping in the
    width of its columns and sharing the height of its rows (never shrinks a row)."""
    rows = [r for r in rows if not ws.row_dimensions[r].hidden]
    if not rows:
        return
    last_col = last_col or ws.max_column
    spans = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
    tall: list[tuple[list[int], float]] = []
    for row in ws.iter_rows(min_row=rows[0], max_row=rows[-1], min_col=first_col,
                            max_col=last_col):
        for cell in row:
            if cell.row not in rows or not isinstance(cell.value, str) or not cell.value:
                continue
            span = spans.get((cell.row, cell.column))
            if span is None and (cell.alignment is None or not cell.alignment.wrap_text):
                continue
            first, last = (span.min_col, span.max_col) if span else (cell.column, cell.column)
            size = int(cell.font.sz or 11) if cell.font else 11
            need = text_height(cell.value, width_of(ws, first, last), size,
                               bool(cell.font and cell.font.b))
            covered = list(range(span.min_row, span.max_row + 1)) if span else [cell.row]
            tall.append((covered, need))
    for covered, need in sorted(tall, key=lambda t: len(t[0])):
        have = sum(_height(ws, r) for r in covered)
        if have < need:
            ws.row_dimensions[covered[-1]].height = _height(ws, covered[-1]) + need - have


def _height(ws: Worksheet, row: int) -> float:
    return ws.row_dimensions[row].height or 15


def text_height(text: str, width: float, size: int = 11, bold: bool = False) -> float:
    """Points a text needs wrapped in ``width`` characters: its words laid out line by line,
    as the spreadsheet wraps them (a bold letter is wider, so fewer fit).

    Counted for Excel, whose column unit (Calibri's digit) is the narrowest: LibreOffice
    without Calibri draws columns wider and wraps fewer lines, so its rows come out roomy.
    """
    per_line = max(int((width - 1) * 11 / size * (1.0 if bold else 1.1)), 1)
    if len(text) <= per_line and "\n" not in text:  # one line: most cells of a long listing
        return max(18, round(size * 1.36) + 3)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > per_line:
                lines += 1
                used = 0
            lines += (len(word) - 1) // per_line if len(word) > per_line else 0
            used = (used + 1 if used else 0) + len(word)
    return max(18, round(size * 1.36) * lines + 3)


def plain_value(value: Any) -> Any:
    """Whole floats as int, NaN as an empty cell: what a reader of the sheet expects."""
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return int(value)
    return value


def put_text(cell: Any, text: Any) -> None:
    """Text from a submission stays text: '=…' is never turned into a formula."""
    cell.value = None if text is None else str(text)
    if cell.value is not None:
        cell.data_type = "s"


def fit_height(ws: Worksheet, row: int, texts: list[tuple[Any, float]], size: int = 11,
               bold: bool = False) -> None:
    """Row height for wrapped text (each text with the width it wraps in): LibreOffice does
    not grow the rows openpyxl writes, so a long text would print cut to one line."""
    ws.row_dimensions[row].height = max(
        (text_height(str(t or ""), w, size, bold) for t, w in texts), default=18)


def width_of(ws: Worksheet, first: int, last: int) -> float:
    """The width of columns first..last (1-based), as a merged cell spanning them wraps."""
    return sum(ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
               for c in range(first, last + 1))
