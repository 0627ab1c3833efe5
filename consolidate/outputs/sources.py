"""The consolidated workbook's "Nguồn số liệu" sheet: where every counted figure came from.

For every figure of every counted submission: the unit, the element, the value, the
file it was read from, the file's hash, when it was received, the sheet and the cell,
and how it arrived (the unit's own form, its consolidated workbook, or relayed
through another unit's). The sheet is built from data handed to it and never reads
the store, so the same data always gives the same bytes.

Up to :data:`MAX_FIGURES` figures (a province: Thanh Hóa's 574 units have about 8,000)
the sheet lists them one by one. A national roll-up has about 150,000: as rows of a
workbook they took most of its minute to write, tripled the time LibreOffice takes to
open it, and no one reads them there. That listing is exactly what ``consolidate
export`` writes (every figure with its unit, levels above, element, file, hash, sheet,
cell and time of receipt, as CSV and Parquet for a pivot table, pandas or DuckDB). So
above the limit the sheet counts units, files and figures by how they arrived and names
the export command; which file of each unit counts, and when it came, stays in the
workbook on the status sheet ("Tình hình nộp báo cáo"), one row per unit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from consolidate.core import files
from consolidate.core.files import checkpoint
from consolidate.core.numbers import format_number
from consolidate.core.roster import Roster
from consolidate.core.vocabulary import when_text
from consolidate.core.workspace import Campaign
from consolidate.forms import style
from consolidate.intake.history import element_labels

SOURCES_SHEET = "Nguồn số liệu"
SOURCE_NAMES = {"form": "Biểu mẫu của đơn vị", "rollup": "Báo cáo tổng hợp của đơn vị",
                "relay": "Chuyển tiếp qua báo cáo tổng hợp", "stated": "Số liệu đơn vị tự tổng hợp"}
HEADERS = ["Mã đơn vị", "Đơn vị", "Chỉ tiêu", "Giá trị", "Tệp", "Mã tệp (SHA-256)",
           "Thời điểm nhận", "Trang", "Ô", "Nguồn"]
WIDTHS = [10, 28, 60, 24, 40, 14, 17, 18, 8, 30]
CALIBRI = 0.85  # the sheet keeps the default font (no per-cell styles), wider than Times
HEAD_ROW = 4
#: The most rows a listing sheet of a consolidated workbook holds: a province's figures
#: fit, a country's do not (they are the export's); above it the sheet sums them up.
MAX_FIGURES = 20_000
SUMMARY_HEADERS = ["Nguồn", "Số đơn vị", "Số tệp", "Số liệu được tính"]
SUMMARY_WIDTHS = [60, 14, 14, 18]


def data_time(rollup: Any) -> dt.datetime:
    """A timestamp for an output taken from its data (newest file counted), not the clock."""
    subs = rollup.submissions
    if len(subs):
        return dt.datetime.fromisoformat(str(subs["received_at"].max()))
    return files.issue_time(rollup.campaign.period)


def write_sources_sheet(wb: Workbook, rollup: Any, cells: pd.DataFrame) -> None:
    """'Nguồn số liệu': every value counted in this roll-up, traced to unit, file, sheet, cell;
    above :data:`MAX_FIGURES`, every counted file, and the command that lists the figures.

    ``cells`` are the stored cells of the roll-up's counted submissions
    (``Store.cells_of``). Call from ``report.build_workbook`` before ``layout.write_meta``.
    """
    campaign: Campaign = rollup.campaign
    ws = wb.create_sheet(SOURCES_SHEET)
    ws["A1"] = "NGUỒN SỐ LIỆU"
    ws["A1"].font = style.font(13, bold=True)
    if len(cells) <= MAX_FIGURES:
        ws["A2"] = ("Mỗi số liệu được tổng hợp: đơn vị, tệp đã nhận, trang và ô mà số liệu "
                    "được đọc ra")
        headers = HEADERS
        style.header_row(ws, HEAD_ROW, headers, WIDTHS)
        last = _figure_rows(ws, campaign, rollup.submissions, cells)
    else:
        ws["A2"] = (f"{format_number(len(cells))} số liệu được tính của "
                    f"{format_number(len(rollup.submissions))} đơn vị, quá nhiều để liệt kê "
                    "trong bảng tính. Tệp được tính của từng đơn vị và thời điểm nhận: trang "
                    "'Tình hình nộp báo cáo'")
        ws["A3"] = ("Từng số liệu (đơn vị, chỉ tiêu, giá trị, tệp, mã tệp, trang, ô): lệnh "
                    "consolidate export -w <thư mục làm việc> "
                    f"--campaign {campaign.id} --unit {rollup.unit.code}")
        ws["A3"].font = style.font(11, italic=True)
        headers = SUMMARY_HEADERS
        style.header_row(ws, HEAD_ROW, headers, SUMMARY_WIDTHS)
        last = _summary_rows(ws, campaign.roster, rollup.submissions, cells)
    ws["A2"].font = style.font(11, italic=True)
    last = max(last, HEAD_ROW)
    ws.freeze_panes = ws.cell(row=HEAD_ROW + 1, column=3)
    ws.auto_filter.ref = f"A{HEAD_ROW}:{get_column_letter(len(headers))}{last}"
    style.print_setup(ws, f"A1:{get_column_letter(len(headers))}{last}",
                      title_rows=f"{HEAD_ROW}:{HEAD_ROW}")
    checkpoint("report:sources-sheet")


def _figure_rows(ws: Worksheet, campaign: Campaign, subs: pd.DataFrame,
                 cells: pd.DataFrame) -> int:
    """One row per figure; returns the last row written."""
    labels = element_labels(campaign)
    row = HEAD_ROW
    stamp = style.Stamp()
    for record in _records(campaign, labels, subs, cells):
        row += 1
        _append(ws, row, record, campaign.roster, labels, stamp)
    return row


def _summary_rows(ws: Worksheet, roster: Roster, subs: pd.DataFrame,
                  cells: pd.DataFrame) -> int:
    """Units, files and figures per way of arriving (forms, units' own workbooks, each
    relaying workbook), in roster order, and their total; returns the last row written."""
    counts = cells.groupby("submission").size().to_dict()
    units = {u.code: i for i, u in enumerate(roster.units())}
    order = subs.assign(o=subs["unit"].map(units).fillna(len(units))).sort_values(
        ["o", "unit", "id"], kind="stable")
    groups: dict[str, tuple[set[str], set[str], list[int]]] = {}
    for r in order.to_dict("records"):
        who, which, figures = groups.setdefault(_source(r, roster), (set(), set(), []))
        who.add(r["unit"])
        which.add(r["sha256"])
        figures.append(int(counts.get(r["id"], 0)))
    rows = [[label, len(who), len(which), sum(figures)]
            for label, (who, which, figures) in groups.items()]
    rows.append(["Cộng", len(set(subs["unit"])), len(set(subs["sha256"])), len(cells)])
    for values in rows:
        ws.append(values)
    return HEAD_ROW + len(rows)


def _records(campaign: Campaign, labels: dict[tuple[str, str, str], str], subs: pd.DataFrame,
             cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Each cell with its submission's unit, file and source: units in roster order, then
    elements in form order."""
    if not len(subs):
        return []
    cells = cells.merge(subs[["id", "unit", "sha256", "file_name", "received_at", "source",
                              "via"]], left_on="submission", right_on="id")
    order = {key: i for i, key in enumerate(labels)}
    units = {u.code: i for i, u in enumerate(campaign.roster.units())}
    return sorted(cells.to_dict("records"), key=lambda r: (
        units.get(r["unit"], len(units)), order.get((r["tbl"], r["row"], r["col"]), len(order)),
        r["tbl"], r["row"], r["col"]))


def _append(ws: Worksheet, row: int, r: dict[str, Any], roster: Roster,
            labels: dict[tuple[str, str, str], str], stamp: style.Stamp) -> None:
    """One row, by ``ws.append`` and without per-cell fonts: a province has thousands."""
    key = (r["tbl"], r["row"], r["col"])
    value = _value(r)
    values = [r["unit"], roster[r["unit"]].name if r["unit"] in roster else "",
              labels.get(key, ".".join(key)), value, r["file_name"], r["sha256"][:12],
              when_text(r["received_at"]), r.get("sheet") or None, r.get("cell") or None,
              _source(r, roster)]
    ws.append(values)
    long = []
    for j, v in enumerate(values, start=1):
        if isinstance(v, str) and v[:1] in ("=", "#"):  # '=…' or '#REF!' typed: text
            ws.cell(row=row, column=j).data_type = "s"
        if isinstance(v, str) and len(v) > WIDTHS[j - 1] * 1.1:  # a narrative, a long label
            stamp(ws.cell(row=row, column=j), "wrap", alignment=style.align())
            long.append((v, WIDTHS[j - 1] * CALIBRI))
    if long:  # wrapped in a row tall enough, or the next column's text would cut it
        style.fit_height(ws, row, long)
    if _blank(r.get("num")) is not None:
        ws.cell(row=row, column=4).number_format = (
            style.NUMBER_FORMAT if float(r["num"]).is_integer() else "0.00")


def _value(r: dict[str, Any]) -> Any:
    """The figure: its number when it has one, else its text."""
    num = _blank(r.get("num"))
    if num is not None:
        return style.plain_value(num)
    text = _blank(r.get("text"))
    return None if text is None else str(text)


def _blank(value: Any) -> Any:
    """None for a missing value, whether the store gave None or pandas gave NaN."""
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _source(r: dict[str, Any], roster: Roster) -> str:
    """How the figure arrived, naming the unit whose consolidated workbook relayed it."""
    source = SOURCE_NAMES.get(r["source"], r["source"])
    if r["source"] == "relay" and r["via"] in roster:
        source = f"{source} của {roster[r['via']].name}"
    return source
