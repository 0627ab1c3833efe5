"""The consolidated workbook of a unit: finished tables, detail, narratives, status.

Its table sheets, narrative sheet and metadata use the form's own layout, with
``kind=rollup``: the workbook a district produces is itself a valid submission for
the province (the relay), and its "Chi tiết" sheet carries the commune figures
along so the province can check them.

What a person reads stays in the workbook at every scale: the tables, one row per unit
of the subtree in the detail and status sheets (a country's 10,794 rows filter well), and
the hidden ``_data`` sheet the level above re-ingests (every cell, whatever the size:
it is the relay). Listings that grow with the number of *figures* rather than units are
cut above ``sources.MAX_FIGURES`` rows: the sources sheet then sums up its figures by
how they arrived, the units' texts are the unit's and its children's, and both name
``consolidate export``, the tidy table of every figure (CSV, Parquet) that an analyst
filters in a pivot table or DuckDB. A national workbook went from 11.2 MB and a minute to
write to under 3 MB and a few seconds.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from consolidate.core import files
from consolidate.core.files import atomic_write, safe_filename
from consolidate.core.numbers import format_list_date, format_number
from consolidate.core.spec import EVALUATION, NUMERIC_KINDS, Column, Table
from consolidate.core.vocabulary import when_text
from consolidate.core.workspace import Campaign
from consolidate.forms import layout, style
from consolidate.forms.generate import identity
from consolidate.forms.relay import DATA_COLUMNS, DETAIL_MARK, SUBTOTAL_MARK, write_data_sheet
from consolidate.outputs.charts import add_chart_sheet
from consolidate.outputs.sources import MAX_FIGURES, data_time, write_sources_sheet
from consolidate.rollup.compute import Rollup

#: The columns of a stored cell, as the sources sheet reads them.
STORED_COLUMNS = ("submission", "tbl", "row", "col", "num", "text", "sheet", "cell")
DETAIL_SHEET = "Chi tiết"
NARRATIVES_SHEET = "Thuyết minh các đơn vị"
STATUS_SHEET = "Tình hình nộp báo cáo"
CHECK_SHEET = "Đối chiếu số liệu"
FINDINGS_SHEET = "Kiểm tra số liệu"
#: The status sheet's columns; file names and notes wrap, so a page holds the table near
#: full size.
STATUS_WIDTHS = [9, 30, 8, 22, 14, 16, 36, 50]


def write_unit_files(rollup: Rollup, workbook: bytes, document: bytes,
                     out_dir: Path) -> tuple[Path, Path]:
    """The consolidated workbook and the Word report of one unit, written atomically under
    ASCII names; the Word file carries the data's time, like the workbook."""
    code, name = rollup.unit.code, rollup.unit.name
    path = out_dir / safe_filename(code, f"Tong hop {name}")
    doc_path = out_dir / safe_filename(code, f"Bao cao {name}", ".docx")
    atomic_write(path, workbook)
    atomic_write(doc_path, files.fix_zip_times(document, data_time(rollup)))
    return path, doc_path


def build_workbook(rollup: Rollup, status: pd.DataFrame) -> bytes:
    campaign, unit = rollup.campaign, rollup.unit
    spec = campaign.spec
    ident = identity(campaign, unit, kind="rollup")
    wb = style.new_workbook()
    for table in spec.tables:
        if table.kind == "list":
            _list_sheet(wb, rollup, table)
            continue
        frame = rollup.tables[table.id]
        values = {(r, c): frame.at[r, c] for r in frame.index for c in frame.columns}
        extra = ((layout.ROLLUP_LABELS[EVALUATION], frame[EVALUATION].to_dict())
                 if EVALUATION in frame else None)
        layout.write_table(wb, table, campaign.levels, ident, values, extra)
    own = rollup.narrative[rollup.narrative["unit"] == unit.code]
    layout.write_narrative(wb, spec, ident, dict(zip(own["field"], own["text"], strict=True)))
    _detail_sheets(wb, rollup)
    _narratives_sheet(wb, rollup)
    _status_sheet(wb, status)
    _check_sheet(wb, rollup)
    _findings_sheet(wb, rollup)
    add_chart_sheet(wb, rollup)
    if campaign.workspace.full_roster(campaign.roster_choice)[unit.code].parent:
        _data_sheet(wb, rollup)
    write_sources_sheet(wb, rollup, rollup.cells[list(STORED_COLUMNS)])
    layout.write_meta(wb, spec, ident)
    layout.finish(wb, spec, ident)
    return files.save_workbook(wb, data_time(rollup))  # fixed timestamps: same data, same bytes


def _header(ws: Worksheet, title: str, subtitle: str, headers: list[str],
            widths: list[int], start_col: int = 1, row: int = 1) -> int:
    """Title, subtitle and one header row; returns the first data row."""
    last = get_column_letter(start_col + len(headers) - 1)
    first = get_column_letter(start_col)
    for r, text, f in ((row, title, style.font(13, bold=True)),
                       (row + 1, subtitle, style.font(12, italic=True))):
        ws.merge_cells(f"{first}{r}:{last}{r}")
        cell = ws[f"{first}{r}"]
        cell.value = text
        cell.font = f
        cell.alignment = style.WRAP_CENTER
    head = row + 3
    style.header_row(ws, head, headers, widths, start_col)
    ws.row_dimensions[head].height = 45
    return head + 1


def _finish_sheet(ws: Worksheet, head_row: int, last_row: int, first_col: int,
                  last_col: int, freeze_col: int, head_rows: int = 1) -> None:
    """Frozen headers and names, print area, A4 fitted to width, header rows repeated."""
    ws.freeze_panes = ws.cell(row=head_row + 1, column=freeze_col + 1)
    area = (f"{get_column_letter(first_col)}1:"
            f"{get_column_letter(last_col)}{max(last_row, head_row)}")
    style.print_setup(ws, area, title_rows=f"{head_row - head_rows + 1}:{head_row}")


def _detail_sheets(wb: Workbook, rollup: Rollup) -> None:
    """Per table: a row per descendant, a subtotal per intermediate unit; keyed for relay."""
    for table in rollup.campaign.spec.tables:
        keys = [f"{table.id}.{c.id}" for c in table.columns if c.kind in NUMERIC_KINDS]
        if keys and table.kind == "levels":
            _detail_sheet(wb, rollup, table, keys)


def _detail_sheet(wb: Workbook, rollup: Rollup, table: Table, keys: list[str]) -> None:
    ws = wb.create_sheet(f"{DETAIL_SHEET} {table.sheet}"[:31])
    campaign = rollup.campaign
    columns = {c.id: c for c in table.columns}
    ws["A1"] = DETAIL_MARK
    ws.column_dimensions["A"].hidden = True
    label = _header(ws, f"{table.sheet.upper()} – SỐ LIỆU CHI TIẾT CÁC ĐƠN VỊ",
                    f"{table.title} – {rollup.unit.name} – {campaign.period_label} "
                    "(mỗi đơn vị: số liệu ở cấp của mình)",
                    ["Mã", "Đơn vị", *[""] * len(keys)], [9, 30, *([17] * len(keys))],
                    start_col=2) - 1
    first = _group_headers(ws, label, [columns[k.partition(".")[2]] for k in keys])
    key_row = label - 1
    ws.cell(row=key_row, column=1, value=layout.COLUMN_KEYS_MARK)
    for j, key in enumerate(keys):
        ws.cell(row=key_row, column=4 + j, value=key)
    ws.row_dimensions[key_row].hidden = True
    row = first
    stamp = style.Stamp()
    styles = {(kind, number): _detail_style(kind, number)
              for kind in ("unit", "subtotal") for number in (False, True)}
    for code, values, kind in _detail_rows(rollup, keys):
        name = campaign.roster[code].name
        unit = kind == "unit"
        shown = (code if unit else "", name if unit else f"Cộng {name}",
                 *map(style.plain_value, values))
        ws.append([code if unit else f"{SUBTOTAL_MARK}:{code}",
                   *(stamp.new(ws, v, (kind, j >= 4), **styles[kind, j >= 4])
                     for j, v in enumerate(shown, start=2))])
        row += 1
    _finish_sheet(ws, first - 1, row - 1, 2, 3 + len(keys), freeze_col=3, head_rows=2)


def _detail_style(kind: str, number: bool) -> dict[str, object]:
    """A detail cell's style: boxed, bold and shaded on a subtotal, numbers formatted."""
    styles: dict[str, object] = {"border": style.BOX, "font": style.font(11, bold=kind != "unit")}
    if number:
        styles["number_format"] = style.NUMBER_FORMAT
    if kind != "unit":
        styles["fill"] = style.TOTAL_FILL
    return styles


def _group_headers(ws: Worksheet, top: int, columns: list[Column]) -> int:
    """Two header rows as the form has them: each group once over its columns, the column
    labels under it (a column without a group spans both rows); returns the first data row.

    Repeating a long group in every column's header made headers too tall to print.
    """
    bottom = top + 1
    for col in (2, 3):
        ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
    col = 4
    for group, block in itertools.groupby(columns, key=lambda c: c.group):
        block = list(block)
        end = col + len(block) - 1
        if group:
            ws.cell(row=top, column=col, value=group)
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=end)
        for j, column in enumerate(block):
            ws.cell(row=bottom if group else top, column=col + j, value=column.label)
            if not group:
                ws.merge_cells(start_row=top, start_column=col + j, end_row=bottom,
                               end_column=col + j)
        col = end + 1
    for cells in ws.iter_rows(min_row=top, max_row=bottom, min_col=2, max_col=col - 1):
        for cell in cells:
            cell.font, cell.alignment = style.font(11, bold=True), style.WRAP_CENTER
            cell.fill, cell.border = style.HEADER_FILL, style.BOX
    ws.row_dimensions[top].height = ws.row_dimensions[bottom].height = 30
    return bottom + 1


def _detail_rows(rollup: Rollup, keys: list[str]) -> list[tuple[str, list[float], str]]:
    """Units in roster order; after each intermediate unit's block, its subtotal.

    The detail is read once as plain lists (a ``.loc`` per unit of a country's 10,000
    cost seconds); a subtotal is the block's sum with ``min_count=1``: nothing reported
    stays empty, never 0."""
    roster = rollup.campaign.roster.subtree(rollup.unit.code)
    detail = rollup.detail[keys]
    values = dict(zip(detail.index.tolist(), detail.to_numpy(dtype="float64").tolist(),
                      strict=True))
    out: list[tuple[str, list[float], str]] = []
    for child in roster.children(rollup.unit.code):
        block = [child.code] + [u.code for u in roster.descendants(child.code)]
        out += [(c, values[c], "unit") for c in block]
        if len(block) > 1:
            out.append((child.code, _block_sum([values[c] for c in block]), "subtotal"))
    return out


def _block_sum(rows: list[list[float]]) -> list[float]:
    """Column sums of a block, NaN where no row has a figure (pandas' ``min_count=1``)."""
    return [math.fsum(x for x in column if x == x) if any(x == x for x in column)
            else math.nan for column in zip(*rows, strict=True)]


def _narratives_sheet(wb: Workbook, rollup: Rollup) -> None:
    """Every unit's texts, to read and pick from for the Word report.

    A country's units write about 65,000 of them: above :data:`MAX_FIGURES` rows the
    sheet holds the texts of the unit and of the units directly below it (the ministry
    reads the provinces; each province's workbook, ``consolidate report --all``, lists its
    own units' texts), and says where the others are: the export's ``narrative`` rows.
    """
    spec = rollup.campaign.spec
    if not spec.narrative:
        return
    ws = wb.create_sheet(NARRATIVES_SHEET)
    roster = rollup.campaign.roster
    texts = rollup.narrative
    note = "Để cán bộ tổng hợp đọc, chọn lọc và biên tập vào báo cáo"
    if len(texts) > MAX_FIGURES:
        code = rollup.unit.code
        near = {code, *(u.code for u in roster.children(code))}
        texts = texts[texts["unit"].isin(near)]
        note = (f"{note}. Chỉ gồm thuyết minh của {rollup.unit.name} và các đơn vị trực "
                f"thuộc ({format_number(len(texts))} trong {format_number(len(rollup.narrative))}"
                "); thuyết minh của mọi đơn vị: lệnh consolidate export (biểu 'narrative') "
                "hoặc bảng tổng hợp của từng đơn vị (consolidate report --all)")
    first = _header(ws, "THUYẾT MINH CỦA CÁC ĐƠN VỊ", note,
                    ["Mã", "Đơn vị", "Nội dung", "Thuyết minh của đơn vị"], [9, 28, 34, 90])
    labels = {f.id: f.label for f in spec.narrative}
    order = {f.id: i for i, f in enumerate(spec.narrative)}
    units = {u.code: i for i, u in enumerate(roster.units())}
    frame = texts.assign(u=texts["unit"].map(units), f=texts["field"].map(order))
    row = first
    stamp = style.Stamp()
    for rec in frame.sort_values(["f", "u"]).itertuples():
        values = [rec.unit, roster[rec.unit].name, labels.get(rec.field, rec.field)]
        for j, v in enumerate(values, start=1):
            ws.cell(row=row, column=j, value=v)
        style.put_text(ws.cell(row=row, column=4), rec.text)
        for j in range(1, 5):
            stamp(ws.cell(row=row, column=j), "text", alignment=style.align(),
                  border=style.BOX, font=style.font(11))
        style.fit_height(ws, row, [(values[2], 34), (rec.text, 90)])
        row += 1
    _finish_sheet(ws, first - 1, row - 1, 1, 4, freeze_col=2)


def _status_sheet(wb: Workbook, status: pd.DataFrame) -> None:
    ws = wb.create_sheet(STATUS_SHEET)
    counts = status["status"].value_counts()
    summary = "; ".join(f"{k}: {v}" for k, v in counts.items())
    first = _header(ws, "TÌNH HÌNH NỘP BÁO CÁO", summary,
                    ["Mã", "Đơn vị", "Cấp", "Đơn vị cấp trên", "Tình trạng", "Thời điểm nhận",
                     "Tên tệp", "Ghi chú"], STATUS_WIDTHS)
    stamp = style.Stamp()
    styles = {wrap: {"border": style.BOX, "font": style.font(11),
                     "alignment": style.align(wrap=wrap)} for wrap in (False, True)}
    wrapped = [j in (2, 4, 7, 8) for j in range(1, 9)]
    widths = [w for w, wrap in zip(STATUS_WIDTHS, wrapped, strict=True) if wrap]
    columns = ["code", "name", "level_name", "parent", "status", "received_at", "file", "note"]
    records = zip(*(status[c].tolist() for c in columns), strict=True)  # lists: fast to walk
    for row, values in enumerate(map(list, records), start=first):
        values[5] = when_text(values[5])  # dd/mm/yyyy hh:mm, as every listing shows it
        cells = [stamp.new(ws, None, wrap, **styles[wrap]) for wrap in wrapped]
        for cell, v in zip(cells, values, strict=True):
            style.put_text(cell, v)
        ws.append(cells)
        style.fit_height(ws, row, list(zip((values[1], values[3], values[6], values[7]), widths,
                                           strict=True)))
    ws.auto_filter.ref = f"A{first - 1}:H{first - 1 + len(status)}"
    _finish_sheet(ws, first - 1, first - 1 + len(status), 1, 8, freeze_col=2)


def _check_sheet(wb: Workbook, rollup: Rollup) -> None:
    ws = wb.create_sheet(CHECK_SHEET)
    note = ("Số liệu chi tiết được dùng để tổng hợp; chênh lệch với số đơn vị đã báo cáo "
            "được liệt kê dưới đây" if rollup.mismatches else
            "Không có chênh lệch giữa số liệu tổng hợp của các đơn vị và số liệu chi tiết")
    first = _header(ws, "ĐỐI CHIẾU SỐ LIỆU", note,
                    ["Đơn vị", "Biểu", "Nội dung", "Đơn vị báo cáo", "Cộng từ chi tiết"],
                    [28, 10, 60, 18, 18])
    roster = rollup.campaign.roster
    for i, f in enumerate(rollup.mismatches):
        values = [roster[f.unit].name, f.sheet, f.message, f.found, f.expected]
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=first + i, column=j)
            style.put_text(cell, v)
            cell.border = style.BOX
            cell.font = style.font(11)
            cell.alignment = style.align("right" if j > 3 else "left")
        style.fit_height(ws, first + i, [(f.message, 60)])
    _finish_sheet(ws, first - 1, first - 1 + len(rollup.mismatches), 1, 5, freeze_col=1)


def _list_sheet(wb: Workbook, rollup: Rollup, table: Table) -> None:
    """A list table of the whole subtree, each row with its unit (e.g. Phụ lục 01)."""
    ws = wb.create_sheet(table.sheet)
    ws["A1"] = layout.TABLE_MARK + table.id
    ws.column_dimensions["A"].hidden = True
    frame = rollup.lists[table.id]
    labels = [c.label for c in table.columns]
    widths = [layout.column_width(c) for c in table.columns]
    first = _header(ws, table.title.upper(), f"{rollup.unit.name} – {rollup.campaign.period_label}",
                    ["STT", "Đơn vị", *labels], [6, 24, *widths], start_col=2)
    for i, rec in enumerate(frame.itertuples(index=False)):
        row = first + i
        values = [i + 1, rec.unit_name, *[_list_value(c.kind, getattr(rec, c.id))
                                          for c in table.columns]]
        for j, v in enumerate(values, start=2):
            cell = ws.cell(row=row, column=j)
            style.put_text(cell, v) if j > 2 else setattr(cell, "value", v)
            cell.border, cell.font = style.BOX, style.font(11)
            cell.alignment = style.align()
        style.fit_height(ws, row, [(getattr(rec, c.id), w) for c, w in zip(table.columns, widths,
                                                                        strict=True)])
    _finish_sheet(ws, first - 1, first - 1 + len(frame), 2, 3 + len(labels), freeze_col=3)


def _list_value(kind: str, value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if kind == "date":  # as the header asks: dd/mm/yyyy
        return format_list_date(value)
    return value


def _findings_sheet(wb: Workbook, rollup: Rollup) -> None:
    """The spec's cross-field checks on every roll-up: slips to look at before signing."""
    if not rollup.campaign.spec.checks and not rollup.findings:
        return
    ws = wb.create_sheet(FINDINGS_SHEET)
    note = (f"{len(rollup.findings)} điểm cần kiểm tra" if rollup.findings
            else "Số liệu tổng hợp thỏa mãn mọi quy tắc kiểm tra của biểu mẫu")
    first = _header(ws, "KIỂM TRA SỐ LIỆU", note, ["Đơn vị", "Mức độ", "Nội dung"],
                    [28, 12, 100])
    roster = rollup.campaign.roster
    for i, f in enumerate(rollup.findings):
        values = [roster[f.unit].name, "Lỗi" if f.is_error else "Cảnh báo", f.message]
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=first + i, column=j)
            style.put_text(cell, v)
            cell.border, cell.font = style.BOX, style.font(11)
            cell.alignment = style.align()
        style.fit_height(ws, first + i, [(f.message, 100)])
    _finish_sheet(ws, first - 1, first - 1 + len(rollup.findings), 1, 3, freeze_col=1)


def _data_sheet(wb: Workbook, rollup: Rollup) -> None:
    """Every cell of the subtree in long form, hidden: what the level above relays."""
    rows = rollup.cells[list(DATA_COLUMNS)]
    write_data_sheet(wb, rows.itertuples(index=False, name=None))


def report_units(campaign: Campaign, unit: str | None, all_units: bool) -> list[str]:
    """The unit asked for, or with ``all_units`` the root and every unit that has units below."""
    if not all_units:
        return [unit or campaign.root]
    roster = campaign.roster.subtree(unit or campaign.root)
    return [u.code for u in roster.units() if roster.children(u.code)]
