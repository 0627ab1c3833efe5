"""The workbook layout of a form: shared by blank forms and consolidated workbooks.

Both are written with this one module so that a consolidated workbook is itself a
valid submission for the level above (the relay). Machine keys sit in a hidden
column A and a hidden key row: ingestion finds every cell by those keys, never by
position, so a user who inserts a row or renames a sheet does not shift values.
Labels, titles and messages are Vietnamese; keys are ASCII.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from consolidate.core.spec import (
    ANSWER,
    EVALUATION,
    NUMERIC_KINDS,
    RESULT,
    TARGET,
    Column,
    FormSpec,
    Row,
    Table,
)
from consolidate.forms.style import (
    BOX,
    COMPUTED_FILL,
    HEADER_FILL,
    INPUT_FILL,
    NUMBER_FORMAT,
    TOTAL_FILL,
    UNLOCKED,
    WRAP_CENTER,
    align,
    fit_height,
    font,
    plain_value,
    print_setup,
    put_text,
    text_height,
    width_of,
)

META_SHEET = "_meta"
NARRATIVE_SHEET = "Thuyết minh"
GUIDE_SHEET = "Hướng dẫn"
TABLE_MARK = "#table:"  # in A1 of a table sheet: "#table:bieu_1"
NARRATIVE_MARK = "#narrative"
COLUMN_KEYS_MARK = "#cols"  # in column A of the hidden key row
KEY_ROW = 5
HEADER_ROWS = (6, 7)
FIRST_DATA_ROW = 8


@dataclass
class Identity:
    """Who a workbook belongs to, as printed in its header and stored in its metadata."""

    unit_code: str
    unit_name: str
    unit_level: str
    unit_label: str  # "Phường Đức Xuân (mã 01840), Thành phố Bắc Kạn, Tỉnh Bắc Kạn"
    period: str
    period_label: str  # "năm 2024"
    deadline_text: str  # "trước ngày 03/7/2024" or ""
    kind: str = "form"  # "form" (blank or filled by a unit) or "rollup" (consolidated)
    extra: dict[str, str] = field(default_factory=dict)
    cutoff_text: str = ""  # thời gian chốt số liệu: "đến hết ngày 14/6/2025" or ""
    contact: str = ""  # who to call about the form, or ""
    #: The longest unit label the workbook must hold: a level's form is built once with a
    #: placeholder label, so its rows are made tall enough for the longest real one.
    label_room: int = 0

    def period_line(self) -> str:
        """'Kỳ báo cáo: … – Thời gian chốt số liệu: … – Hạn nộp: …', as each sheet heads it."""
        parts = [f"Kỳ báo cáo: {self.period_label}"]
        if self.cutoff_text:
            parts.append(f"Thời gian chốt số liệu: {self.cutoff_text}")
        if self.deadline_text:
            parts.append(f"Hạn nộp: {self.deadline_text}")
        return " – ".join(parts)

    def room(self, text: str) -> str:
        """``text`` lengthened as its longest unit label would make it, to size its row."""
        missing = self.label_room - len(self.unit_label)
        return text + " mmmmm" * (missing // 6 + 1) if missing > 0 else text


#: What a blank and a 0 mean, in the guide and under every table: the one rule ingest applies
#: (a blank input is no figure given, reported as "chưa có số liệu"; 0 or "-" is none).
BLANK_RULE = ("Không có thì nhập 0 hoặc dấu \"-\"; ô để trống là chưa có số liệu "
              "(biểu mẫu không nhập ô nào thì chưa được tính là đã báo cáo).")


def write_guide(wb: Workbook, spec: FormSpec, ident: Identity) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    lines = [
        (spec.title.upper(), font(14, bold=True)),
        (f"Đơn vị báo cáo: {ident.unit_label}", font(12, bold=True)),
        (f"Kỳ báo cáo: {ident.period_label}.", font(12)),
        (f"Thời gian chốt số liệu: {ident.cutoff_text or 'theo kế hoạch'}.", font(12)),
        (f"Hạn nộp: {ident.deadline_text or 'theo kế hoạch'}.", font(12)),
        *([(f"Người liên hệ: {ident.contact}", font(12))] if ident.contact else []),
        ("", font()),
        ("HƯỚNG DẪN ĐIỀN BIỂU MẪU", font(12, bold=True)),
        ("1. Chỉ nhập số liệu vào các ô màu vàng. Các ô khác đã được khóa để tránh sửa nhầm.",
         font()),
        ("2. Số lượng và kinh phí nhập số nguyên, không âm, đơn vị kinh phí là đồng "
         f"(ví dụ: 4930000 hoặc 4.930.000). {BLANK_RULE}", font()),
        ("3. Dòng màu xám là số liệu do đơn vị cấp trên tổng hợp từ cấp dưới, "
         "đơn vị không nhập vào dòng này.", font()),
        ("4. Dòng Tổng cộng được tính tự động từ các dòng trên; không nhập vào dòng này "
         "(số liệu nhập vào dòng Tổng cộng không được tính).", font()),
        (f"5. Trang '{NARRATIVE_SHEET}': ghi ngắn gọn kết quả, tồn tại, hạn chế và kiến nghị.",
         font()),
        ("6. Không đổi tên tệp cũng được; không sao chép số liệu sang tệp khác, không xóa trang, "
         "không thêm hoặc xóa cột. Lưu tệp dạng Excel (.xlsx) và gửi lại cho đơn vị cấp trên.",
         font()),
    ]
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    for i, (text, f) in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=text)
        cell.font = f
        cell.alignment = align()
        fit_height(ws, i, [(ident.room(text), GUIDE_WIDTH)], int(f.size), bool(f.b))
    ws.protection.sheet = True
    print_setup(ws, f"A1:A{len(lines)}", landscape=False)


FORMATS = {
    "count": NUMBER_FORMAT, "money": NUMBER_FORMAT, "decimal": "#,##0.00",
    "text": "@", "target": "@", "date": "dd/mm/yyyy", "yes_no": "@",
}
ALIGN = {"count": "right", "money": "right", "decimal": "right", "date": "center",
         "yes_no": "center", "target": "center"}
#: Column headers of a consolidated workbook (and of the Word report's tables), where the
#: engine, not the unit, computed them, or where the form's hint to the clerk is no use.
ROLLUP_LABELS = {RESULT: "Kết quả (tính từ tử số, mẫu số)",
                 ANSWER: "Số xã có / số xã trả lời",
                 TARGET: "Kế hoạch năm nay",
                 EVALUATION: "Đánh giá"}


def first_data_column(table: Table) -> int:
    """Column B holds labels; a table with units (ĐVT) shows them in column C."""
    return 4 if table.has_units else 3


def label_text(row: Row) -> str:
    """A row's label; an indicator also says how it is computed, so the clerk knows the parts."""
    ind = row.indicator
    if ind is None:
        return row.label
    if ind.kind == "share":
        return f"{row.label}\n(Cấp xã trả lời Có/Không: {ind.numerator})"
    scale = "1.000" if ind.scale == 1000 else "100"
    return f"{row.label}\n(Tử số: {ind.numerator}; Mẫu số: {ind.denominator}; × {scale})"


def _validations(ws: Worksheet) -> dict[str, DataValidation]:
    common = {"allow_blank": True, "showErrorMessage": True,
              "errorTitle": "Giá trị không hợp lệ", "showInputMessage": True}
    made = {
        "whole": DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", promptTitle="Nhập số liệu",
            error="Nhập số nguyên không âm (ví dụ 700 hoặc 4930000). Kinh phí tính bằng đồng.",
            prompt="Số nguyên, không âm; kinh phí tính bằng đồng.", **common),
        "decimal": DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0",
            error="Nhập một số không âm, dấu phẩy là dấu thập phân (ví dụ 11,8).",
            promptTitle="Nhập số liệu", prompt="Số không âm, ví dụ 11,8", **common),
        "yes_no": DataValidation(
            type="list", formula1='"Có,Không"', error="Chọn Có hoặc Không.",
            promptTitle="Chọn", prompt="Có hoặc Không", **common),
    }
    return made


VALIDATION_OF = {"count": "whole", "money": "whole", "decimal": "decimal", "yes_no": "yes_no"}


def write_table(wb: Workbook, table: Table, levels: list[str], ident: Identity,
                values: Mapping[tuple[str, str], Any] | None = None,
                extra: tuple[str, Mapping[str, Any]] | None = None) -> Worksheet:
    """One table sheet: title, identity, headers, rows (total last); inputs unlocked.

    ``extra`` is a read-only column after the keyed ones (an evaluation, say): shown to
    the reader, never read back.
    """
    ws = wb.create_sheet(table.sheet)
    rows = table.rows(levels)
    first_col = first_data_column(table)
    last_col = get_column_letter(first_col + len(table.columns) - 1 + (1 if extra else 0))
    _table_header(ws, table, ident, last_col)
    _column_headers(ws, table, first_col, ROLLUP_LABELS if ident.kind == "rollup" else {})
    label_width = width_of(ws, 2, column_index_from_string(last_col))
    ws.row_dimensions[3].height = max(30, text_height(ident.room(ws["B3"].value), label_width,
                                                      12))  # the unit's label, however long
    validations = _validations(ws)
    level_rows = [r for r in rows if not r.is_total]
    for i, row in enumerate(rows):
        excel_row = FIRST_DATA_ROW + i
        _write_row(ws, table, row, excel_row, ident.unit_level, validations, values)
        if row.is_total and values is None:
            _total_formulas(ws, table, excel_row, len(level_rows))
    for dv in validations.values():
        if dv.sqref.ranges:  # an empty validation makes Excel offer to repair the file
            ws.add_data_validation(dv)
    if extra:
        _extra_column(ws, table, rows, first_col + len(table.columns), extra)
    last_row = FIRST_DATA_ROW + len(rows) - 1
    _note(ws, last_row + 2, last_col, TABLE_NOTE)
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=first_col).coordinate
    ws.protection.sheet = True
    print_setup(ws, f"B1:{last_col}{last_row + 2}",
                title_rows=f"{HEADER_ROWS[0]}:{HEADER_ROWS[1]}")
    return ws


TABLE_NOTE = ("Ghi chú: ô màu vàng là ô nhập số liệu; ô màu xám do đơn vị cấp trên tổng hợp "
              "hoặc không áp dụng cho cấp này; nhập 0 hoặc \"-\" là không có; "
              "ô để trống là chưa có số liệu.")
#: Characters: narrower than a portrait A4 page between its margins even where LibreOffice
#: draws a column unit 7 pt wide (no Calibri installed); fitting to the page never shrinks a
#: lone column, so a wider one printed past both edges of the paper.
GUIDE_WIDTH = 72


def _note(ws: Worksheet, row: int, last_col: str, text: str) -> None:
    """A note under a table, wrapped across the table's width so it prints whole."""
    ws.merge_cells(f"B{row}:{last_col}{row}")
    note = ws.cell(row=row, column=2, value=text)
    note.font = font(11, italic=True)
    note.alignment = align()
    width = width_of(ws, 2, ws[f"{last_col}{row}"].column)
    fit_height(ws, row, [(text, width)])


def _table_header(ws: Worksheet, table: Table, ident: Identity, last_col: str) -> None:
    ws["A1"] = TABLE_MARK + table.id
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["A"].width = 8
    label_width = {"levels": 24, "list": 7}.get(table.kind, 58)
    ws.column_dimensions["B"].width = label_width
    ws["B1"] = table.sheet
    ws["B1"].font = font(12, bold=True)
    headings = [
        (2, table.title.upper(), font(13, bold=True)),
        (3, f"Đơn vị báo cáo: {ident.unit_label}", font(12, italic=True)),
        (4, ident.period_line(), font(12, italic=True)),
    ]
    for row, text, f in headings:
        ws.merge_cells(f"B{row}:{last_col}{row}")
        cell = ws.cell(row=row, column=2, value=text)
        cell.font = f
        cell.alignment = WRAP_CENTER
    ws.row_dimensions[2].height = 33
    ws.row_dimensions[3].height = 30
    if len(ident.period_line()) > 80:  # period, cut-off and deadline wrap onto two lines
        ws.row_dimensions[4].height = 33


COLUMN_WIDTHS = {"money": 18, "count": 14, "decimal": 14, "text": 34, "target": 16,
                 "date": 14, "yes_no": 11}


def column_width(column: Column) -> int:
    """The spec's ``width:``, else the kind's: one rule for forms and consolidated lists."""
    return column.width or COLUMN_WIDTHS[column.kind]


def _column_headers(ws: Worksheet, table: Table, first_col: int,
                    relabel: Mapping[str, str]) -> None:
    top, bottom = HEADER_ROWS
    ws.cell(row=KEY_ROW, column=1, value=COLUMN_KEYS_MARK)
    ws.row_dimensions[KEY_ROW].hidden = True
    ws.merge_cells(f"B{top}:B{bottom}")
    ws.cell(row=top, column=2, value={"levels": "Cấp tổ chức", "list": "STT"}.get(
        table.kind, "Nội dung"))
    if table.has_units:
        ws.merge_cells(f"C{top}:C{bottom}")
        ws.cell(row=top, column=3, value="ĐVT")
        ws.column_dimensions["C"].width = 8
    col = first_col
    for group, cols in table.groups():
        if group is not None:
            ws.cell(row=top, column=col, value=group)
            if len(cols) > 1:
                ws.merge_cells(start_row=top, start_column=col, end_row=top,
                               end_column=col + len(cols) - 1)
        for c in cols:
            label = relabel.get(c.id, c.label)
            ws.cell(row=KEY_ROW, column=col, value=c.id)
            ws.cell(row=bottom, column=col, value=label)
            if group is None:
                ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
                ws.cell(row=top, column=col, value=label)
            ws.column_dimensions[get_column_letter(col)].width = column_width(c)
            col += 1
    longest = max((len(g or "") for g, _ in table.groups()), default=0)
    ws.row_dimensions[top].height = 48 if longest > 60 else 33
    ws.row_dimensions[bottom].height = 33
    for row in ws.iter_rows(min_row=top, max_row=bottom, min_col=2, max_col=col - 1):
        for cell in row:
            cell.font = font(11, bold=True)
            cell.alignment = WRAP_CENTER
            cell.fill = HEADER_FILL
            cell.border = BOX


def _write_row(ws: Worksheet, table: Table, row: Row, excel_row: int, unit_level: str,
               validations: dict[str, DataValidation],
               values: Mapping[tuple[str, str], Any] | None) -> None:
    text = label_text(row)
    ws.row_dimensions[excel_row].height = max(22, text_height(text, width_of(ws, 2, 2), 12))
    ws.cell(row=excel_row, column=1, value=row.id)
    label = ws.cell(row=excel_row, column=2, value=text)
    label.font = font(12, bold=row.is_total)
    label.border = BOX
    label.alignment = align("center" if table.kind == "list" else None, "center")
    if table.has_units:
        unit = ws.cell(row=excel_row, column=3, value=row.unit)
        unit.border = BOX
        unit.alignment = WRAP_CENTER
        unit.font = font(11)
    any_input = False
    for j, column in enumerate(table.columns):
        cell = ws.cell(row=excel_row, column=first_data_column(table) + j)
        kind = table.kind_of(row, column)
        editable = table.accepts(row, column, unit_level)
        any_input |= editable
        _style_value_cell(cell, kind, row.is_total, editable)
        if values is not None:
            value = plain_value(values.get((row.id, column.id)))
            if kind in NUMERIC_KINDS or kind == "decimal":
                cell.value = value
            else:
                put_text(cell, value)
        if editable and kind in VALIDATION_OF:
            validations[VALIDATION_OF[kind]].add(cell)
    if not any_input and not row.is_total:
        label.fill = COMPUTED_FILL
    if row.is_total:
        label.fill = TOTAL_FILL


def _extra_column(ws: Worksheet, table: Table, rows: list[Row], col: int,
                  extra: tuple[str, Mapping[str, Any]]) -> None:
    title, by_row = extra
    top, bottom = HEADER_ROWS
    ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
    head = ws.cell(row=top, column=col, value=title)
    for r in (top, bottom):
        c = ws.cell(row=r, column=col)
        c.font, c.alignment, c.fill, c.border = font(11, bold=True), WRAP_CENTER, HEADER_FILL, BOX
    head.value = title
    ws.column_dimensions[get_column_letter(col)].width = 13
    for i, row in enumerate(rows):
        cell = ws.cell(row=FIRST_DATA_ROW + i, column=col)
        put_text(cell, by_row.get(row.id))
        cell.border, cell.font, cell.alignment = BOX, font(12, bold=True), WRAP_CENTER


def _style_value_cell(cell: Any, kind: str, total: bool, editable: bool) -> None:
    cell.border = BOX
    cell.font = font(12, bold=total)
    cell.number_format = FORMATS[kind]
    cell.alignment = align(ALIGN.get(kind, "left"), "center", kind == "text")
    if editable:
        cell.fill = INPUT_FILL
        cell.protection = UNLOCKED
    else:
        cell.fill = TOTAL_FILL if total else COMPUTED_FILL


def _total_formulas(ws: Worksheet, table: Table, total_row: int, n_level_rows: int) -> None:
    first, last = FIRST_DATA_ROW, FIRST_DATA_ROW + n_level_rows - 1
    for j, column in enumerate(table.columns):
        if column.kind in NUMERIC_KINDS:
            letter = get_column_letter(first_data_column(table) + j)
            ws.cell(row=total_row, column=first_data_column(table) + j,
                    value=f'=IF(COUNT({letter}{first}:{letter}{last})=0,"",'
                          f"SUM({letter}{first}:{letter}{last}))")


NARRATIVE_WIDTHS = (30, 64)  # question, answer: a portrait page at full size


def write_narrative(wb: Workbook, spec: FormSpec, ident: Identity,
                    answers: Mapping[str, str] | None = None) -> None:
    """The outline's narrative questions, one large unlocked cell each."""
    if not spec.narrative:
        return
    ws = wb.create_sheet(NARRATIVE_SHEET)
    ws["A1"] = NARRATIVE_MARK
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["B"].width = NARRATIVE_WIDTHS[0]
    ws.column_dimensions["C"].width = NARRATIVE_WIDTHS[1]
    ws.merge_cells("B2:C2")
    ws["B2"] = f"THUYẾT MINH – {ident.unit_label}"
    ws["B2"].font = font(13, bold=True)
    ws["B2"].alignment = WRAP_CENTER
    ws.row_dimensions[2].height = max(33, text_height(ident.room(ws["B2"].value),
                                                      sum(NARRATIVE_WIDTHS), 13, bold=True))
    row = 4
    section = None
    for item in spec.narrative:
        if item.section != section:
            section = item.section
            heading = spec.sections.get(section, "")
            ws.cell(row=row, column=2, value=f"{section}. {heading}".strip(". ").upper())
            ws.cell(row=row, column=2).font = font(12, bold=True)
            row += 1
        ws.cell(row=row, column=1, value=item.id)
        label = ws.cell(row=row, column=2, value=item.label)
        label.font = font(12)
        label.alignment = align()
        answer = ws.cell(row=row, column=3)
        put_text(answer, (answers or {}).get(item.id))
        answer.alignment = align()
        answer.font = font(12)
        answer.number_format = "@"
        answer.border = BOX
        if answers is None or ident.kind == "form":
            answer.fill = INPUT_FILL
            answer.protection = UNLOCKED
        ws.row_dimensions[row].height = max(
            96, *(text_height(str(t or ""), w, 12)
                  for t, w in zip((item.label, answer.value), NARRATIVE_WIDTHS, strict=True)))
        row += 1
    ws.protection.sheet = True
    print_setup(ws, f"B1:C{row - 1}", landscape=False)


def write_meta(wb: Workbook, spec: FormSpec, ident: Identity) -> None:
    """Hidden identity, so ingestion never relies on the file name."""
    ws = wb.create_sheet(META_SHEET)
    pairs = {
        "form_id": spec.id,
        "form_version": str(spec.version),
        "period": ident.period,
        "unit_code": ident.unit_code,
        "unit_level": ident.unit_level,
        "kind": ident.kind,
        **ident.extra,
    }
    for i, (key, value) in enumerate(pairs.items(), start=1):
        ws.cell(row=i, column=1, value=key)
        ws.cell(row=i, column=2, value=value).number_format = "@"
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def finish(wb: Workbook, spec: FormSpec, ident: Identity) -> None:
    """Workbook-level properties: title, structure lock (no password), first sheet active."""
    wb.properties.title = f"{spec.title} – {ident.unit_name} – {ident.period}"
    wb.properties.creator = "consolidate"
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
