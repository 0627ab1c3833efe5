"""The look shared by every workbook we write: fonts, fills, borders, headers, print setup.

Blank forms, consolidated workbooks, feedback workbooks and the sources sheet all take
their styles from here, so a printed page looks the same whichever step wrote it.
Style objects are shared (``font``, ``align``, ``Stamp``): openpyxl hashes each new one.
"""

from __future__ import annotations

from copy import copy
from functools import lru_cache
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
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
        else:
            cell._style = copy(proto._style)


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


def print_setup(ws: Worksheet, area: str, landscape: bool = True,
                 title_rows: str | None = None) -> None:
    """A4, fitted to the page width, header rows repeated: forms get printed and signed."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = area
    if title_rows:
        ws.print_title_rows = title_rows


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


def fit_height(ws: Worksheet, row: int, texts: list[tuple[Any, float]], size: int = 11) -> None:
    """Row height for wrapped text (each text with the width it wraps in): LibreOffice does
    not grow the rows openpyxl writes, so a long text would print cut to one line."""
    per_line = 11 / size * 1.1
    lines = max((len(str(t or "")) // max(int(w * per_line), 1) + 1 for t, w in texts),
                default=1)
    ws.row_dimensions[row].height = max(18, round(size * 1.36) * lines + 3)


def width_of(ws: Worksheet, first: int, last: int) -> float:
    """The width of columns first..last (1-based), as a merged cell spanning them wraps."""
    return sum(ws.column_dimensions[get_column_letter(c)].width or 13 for c in range(first,
                                                                                     last + 1))
