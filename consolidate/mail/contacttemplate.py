"""The contacts workbook to fill: every unit of the campaign, its current address.

The clerk types the e-mail, the officer's name and phone; everything else is locked so
a code cannot be changed by mistake (the sheet is protected without a password: it
guards against slips, not people). Codes are written as text, so Excel keeps their
leading zeros. Printed, it fits the page's width and repeats its header row. Read back
with ``consolidate contacts FILE``, it gives what was typed.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from consolidate.core.files import atomic_write
from consolidate.core.vocabulary import LEVELS
from consolidate.core.workspace import Campaign
from consolidate.mail.contactfile import listing

SHEET = "Danh bạ"
#: (header, width, key in the listing, typed by the clerk)
COLUMNS = (
    ("Mã đơn vị", 11, "code", False),
    ("Tên đơn vị", 30, "name", False),
    ("Cấp", 8, "level", False),
    ("Mã cấp trên", 11, "parent", False),
    ("Thư điện tử", 34, "email", True),
    ("Họ tên", 24, "officer", True),
    ("Điện thoại", 14, "phone", True),
)
HEADER_ROW = 4
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT = PatternFill("solid", fgColor="FFF2CC")


def write_template(campaign: Campaign, path: Path) -> Path:
    """The workbook listing every unit of the campaign, input cells unlocked."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"DANH BẠ THƯ ĐIỆN TỬ CÁC ĐƠN VỊ – {campaign.spec.short_title.upper()} " \
               f"{campaign.period_label.upper()}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = ("Điền thư điện tử (nhiều địa chỉ cách nhau bằng dấu ; – địa chỉ đầu là người "
                "nhận chính, các địa chỉ sau được gửi đồng thời), họ tên và điện thoại của cán "
                "bộ phụ trách vào các ô màu vàng; không sửa mã đơn vị. Nhập lại: consolidate "
                "contacts -w THƯ_MỤC TỆP.xlsx")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    ws.row_dimensions[2].height = 48
    for j, (label, width, _, _) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
        ws.column_dimensions[cell.column_letter].width = width
    rows = listing(campaign)
    for i, unit in enumerate(rows, start=HEADER_ROW + 1):
        values = {**unit, "level": LEVELS[unit["level"]].name,
                  "email": "; ".join([unit["email"], *unit["cc"]]) if unit["email"] else ""}
        for j, (_, _, key, typed) in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=i, column=j, value=values[key] or None)
            cell.number_format = "@"  # text: a code or phone keeps its leading zero
            cell.border = _BOX
            cell.alignment = Alignment(vertical="center", wrap_text=key == "name")
            if typed:
                cell.protection = Protection(locked=False)
                cell.fill = _INPUT
    _validation(ws, HEADER_ROW + 1, HEADER_ROW + len(rows))
    _print_setup(ws)
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False  # widen a column freely
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(path, buffer.getvalue())
    return path


def _validation(ws, first: int, last: int) -> None:
    """Excel warns as the address is typed; the reader checks again, strictly."""
    dv = DataValidation(type="custom", formula1=f'ISNUMBER(SEARCH("@",E{first}))',
                        allow_blank=True, showErrorMessage=True, errorStyle="warning",
                        errorTitle="Thư điện tử", error="Địa chỉ thư phải có dạng ten@ten-mien.vn")
    ws.add_data_validation(dv)
    dv.add(f"E{first}:E{max(first, last)}")


def _print_setup(ws) -> None:
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "Trang &P / &N"
