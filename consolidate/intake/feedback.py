"""Feedback workbooks: what each unit must fix, in a file the officer can send back.

For every unit whose latest file has errors or warnings, ``WS/feedback/<campaign>/``
holds one workbook: a first sheet "Góp ý" listing the findings in Vietnamese (what
was found, where, what is expected), then a copy of what the unit sent with each
bad cell highlighted and a comment on it. The copy is made with openpyxl (whose XML
parsing goes through defusedxml) and only after the file passed the container
checks; macros are never copied (``keep_vba=False``), so a ``.xlsm`` comes back as
a plain ``.xlsx``. A file that could not be opened gets the list alone.

Feedback is derived from the store, so it is idempotent: its name carries the
source file's hash, an existing one is not rewritten, and a unit's older feedback is
removed when a newer file supersedes it. A run killed half-way writes the same
files when run again.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from consolidate.core import files
from consolidate.core.errors import Finding, Severity
from consolidate.core.files import atomic_write, checkpoint, safe_component, safe_filename
from consolidate.core.vocabulary import when_text
from consolidate.core.workspace import Campaign, Workspace
from consolidate.forms import layout, style
from consolidate.intake.container import check_container
from consolidate.intake.read import open_workbook, read_sheets

FEEDBACK_DIR = "feedback"
UNKNOWN_CAMPAIGN = "chua-xac-dinh"
SHEET = "Góp ý"
SUFFIX = "gop-y"
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
SEVERITY = {Severity.ERROR: "Lỗi – phải sửa", Severity.WARNING: "Lưu ý", Severity.INFO: "Ghi chú"}
AUTHOR = "Cán bộ tổng hợp"
#: Columns of the findings table: one landscape A4 page wide at near full size.
WIDTHS = [6, 14, 16, 8, 58, 20, 26]

Row = dict[str, Any]  # a row of the store's ``files`` table


def feedback_folder(workspace: Workspace, campaign: str | None) -> Path:
    return workspace.path / FEEDBACK_DIR / (campaign or UNKNOWN_CAMPAIGN)


def unit_feedback(campaign: Campaign, code: str) -> Path | None:
    """The feedback workbook about the unit's newest file, if that file needed one."""
    prefix = _unit_prefix(campaign, code)
    found = sorted(feedback_folder(campaign.workspace, campaign.id).glob(
        f"{prefix}_{SUFFIX}_*.xlsx"))
    return found[-1] if found else None


def write_feedback(workspace: Workspace) -> list[Path]:
    """Bring WS/feedback up to date with the store; returns the files written now."""
    campaigns = {c.id: c for c in workspace.campaigns()}
    only = next(iter(campaigns)) if len(campaigns) == 1 else None
    wanted, stale = _plan(workspace, campaigns, only)
    written = []
    for path, row in sorted(wanted.items()):
        if path.exists():
            continue
        campaign = campaigns.get(row["campaign"] or only or "")
        atomic_write(path, build_feedback(workspace, row, campaign))
        checkpoint("feedback:written")
        written.append(path)
    for path in stale:
        path.unlink(missing_ok=True)
    return written


def _plan(workspace: Workspace, campaigns: dict[str, Campaign],
          only: str | None) -> tuple[dict[Path, Row], list[Path]]:
    """The feedback files that should exist (each with the file row it is about), and the
    older ones of units whose newest file superseded them.

    A unit's feedback is about its newest file only; a file whose unit could not be read
    gets its own feedback, named after the file.
    """
    latest: dict[tuple[str, str], Row] = {}
    wanted: dict[Path, Row] = {}
    for row in workspace.store.files_in_order():
        if row["unit"]:
            key = (row["campaign"], row["unit"])
            if key not in latest or (row["received_at"], row["seq"]) >= (
                    latest[key]["received_at"], latest[key]["seq"]):
                latest[key] = row
        elif _needs_feedback(row):
            folder = feedback_folder(workspace, row["campaign"] or only)
            stem = safe_component(Path(row["name"]).stem, fallback="tep")
            wanted[folder / f"khong-ro-don-vi_{stem}_{SUFFIX}_{row['sha256'][:8]}.xlsx"] = row
    stale: list[Path] = []
    folders: dict[str, tuple[Path, bool]] = {}  # campaign -> its folder, and whether it exists
    for (campaign_id, code), row in latest.items():
        if campaign_id not in folders:
            folder = feedback_folder(workspace, campaign_id)
            folders[campaign_id] = folder, folder.is_dir()
        folder, exists = folders[campaign_id]
        needs = _needs_feedback(row)
        if not needs and not exists:
            continue  # nothing to write, nothing written before: a clean file, the usual case
        prefix = _unit_prefix(campaigns.get(campaign_id), code)
        target = folder / f"{prefix}_{SUFFIX}_{row['sha256'][:8]}.xlsx"
        if needs:
            wanted[target] = row
        if exists:
            stale += [p for p in folder.glob(f"{prefix}_{SUFFIX}_*.xlsx") if p != target]
    return wanted, stale


def _unit_prefix(campaign: Campaign | None, code: str) -> str:
    name = campaign.roster[code].name if campaign and code in campaign.roster else ""
    return safe_filename(code, name, suffix="")


def _findings(row: Row) -> list[Finding]:
    """A stored file's findings, as findings again."""
    return [Finding.from_dict(f) for f in json.loads(row["findings"])]


def _needs_feedback(row: Row) -> bool:
    return any(f.severity is not Severity.INFO for f in _findings(row))


def archived_bytes(workspace: Workspace, sha: str) -> bytes | None:
    for path in (workspace.archive / sha[:2]).glob(f"{sha}.*"):
        return path.read_bytes()
    return None


def build_feedback(workspace: Workspace, row: Row, campaign: Campaign | None) -> bytes:
    """The feedback workbook of one received file, as bytes (deterministic)."""
    findings = [f for f in _findings(row) if f.severity is not Severity.INFO]
    data = archived_bytes(workspace, row["sha256"]) or b""
    wb, copied = _copy_of(data, row["name"])
    marked = _mark_cells(wb, findings) if copied else set()
    _findings_sheet(wb, row, campaign, findings, marked, copied)
    received = dt.datetime.fromisoformat(row["received_at"])
    return files.save_workbook(wb, received)


def _copy_of(data: bytes, name: str) -> tuple[Workbook, bool]:
    """What the unit sent, without macros; an empty workbook if it cannot be opened safely."""
    container = check_container(name, data)
    if not container.readable:
        return style.new_workbook(), False
    if container.kind in ("xlsx", "xlsm"):
        try:
            wb = load_workbook(io.BytesIO(data), keep_vba=False, keep_links=False)
            for ws in wb.worksheets:
                ws.sheet_view.tabSelected = False
            return wb, True
        except Exception:  # noqa: BLE001 - openpyxl is stricter than calamine; fall back
            pass
    try:
        grids, _ = read_sheets(open_workbook(data))
    except Exception:  # noqa: BLE001
        return style.new_workbook(), False
    return _values_copy(grids), True


def _values_copy(grids: dict[str, Any]) -> Workbook:
    """The values of every sheet (an .xls, .ods or a workbook openpyxl refuses), text as text."""
    wb = style.new_workbook()
    for sheet, grid in grids.items():
        ws = wb.create_sheet(sheet[:31])
        for i, values in enumerate(grid, start=1):
            for j, value in enumerate(values, start=1):
                if value not in (None, ""):
                    cell = ws.cell(row=i, column=j)
                    if isinstance(value, str):
                        style.put_text(cell, value)
                    else:
                        cell.value = value
        if sheet == layout.META_SHEET:
            ws.sheet_state = "veryHidden"
        elif grid:  # printed like the sheets of an .xlsx copy: A4, one page wide
            width = max(len(r) for r in grid) or 1
            style.print_setup(ws, f"A1:{get_column_letter(width)}{len(grid)}")
    return wb


def _mark_cells(wb: Workbook, findings: list[Finding]) -> set[tuple[str, str]]:
    """Fill each cell a finding names and put the finding's message in a comment."""
    notes: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet and f.cell and f.sheet in wb.sheetnames:
            # "D10", a range "D10:E10" (its first cell), or a list "D9, D10, D11"
            for part in f.cell.split(","):
                ref = part.strip().split(":")[0]
                if re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]{0,6}", ref):
                    notes[(f.sheet, ref)].append(f)
    for (sheet, ref), items in notes.items():
        cell = wb[sheet][ref]
        error = any(f.is_error for f in items)
        cell.fill = ERROR_FILL if error else WARNING_FILL
        text = "\n".join(f"{SEVERITY[f.severity]}: {f.message}" for f in items)
        cell.comment = Comment(text, AUTHOR, width=320, height=max(90, 20 * (len(text) // 45 + 2)))
    return set(notes)


def _findings_sheet(wb: Workbook, row: Row, campaign: Campaign | None,
                    findings: list[Finding], marked: set[tuple[str, str]],
                    copied: bool) -> None:
    """The first sheet, the one that opens: who, which file, the verdict, every finding."""
    ws = wb.create_sheet(SHEET, 0)
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0
    lines = _heading(row, campaign, marked, copied)
    head = len(lines) + 2
    _findings_table(ws, head, findings)
    for i, (text, f) in enumerate(lines, start=1):
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=len(WIDTHS))
        style.put_text(ws.cell(row=i, column=1), text)
        ws.cell(row=i, column=1).font = f
        ws.cell(row=i, column=1).alignment = style.align()
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    style.print_setup(ws, f"A1:G{head + max(len(findings), 1)}", title_rows=f"{head}:{head}")


def _heading(row: Row, campaign: Campaign | None, marked: set[tuple[str, str]],
             copied: bool) -> list[tuple[str, Font]]:
    """The lines above the table, each with its font."""
    unit = row["unit"] or ""
    if campaign and unit in campaign.roster:
        who = campaign.unit_label(unit)
    else:
        who = "chưa xác định (không đọc được thông tin nhận dạng trong tệp)"
    return [
        ("PHIẾU GÓP Ý VỀ BÁO CÁO ĐÃ GỬI", style.font(14, bold=True)),
        (f"Đơn vị: {who}", style.font(12, bold=True)),
        (f"Đợt báo cáo: {campaign.spec.title} {campaign.period_label}" if campaign else
         "Đợt báo cáo: chưa xác định", style.font(12)),
        (f"Tệp đã nhận: {row['name']} – lúc {when_text(row['received_at'])} – "
         f"mã tệp {row['sha256'][:12]}", style.font(12)),
        (("Kết quả: CHƯA TIẾP NHẬN. Đề nghị đơn vị sửa các lỗi dưới đây trên chính tệp "
          "biểu mẫu đã được gửi và gửi lại." if row["status"] == "rejected" else
          "Kết quả: ĐÃ TIẾP NHẬN. Đề nghị đơn vị xem các điểm lưu ý dưới đây; nếu cần "
          "sửa, hãy gửi lại tệp đã sửa."), style.font(12, bold=True)),
        (("Các ô có lỗi được tô màu và có ghi chú trong các trang sau (bản sao tệp "
          "đơn vị đã gửi). Macro (nếu có) đã được loại bỏ." if copied and marked else
          "Tệp không mở được nên không kèm bản sao." if not copied else ""),
         style.font(11, italic=True)),
    ]


def _findings_table(ws: Worksheet, head: int, findings: list[Finding]) -> None:
    """One row per finding under a header row at ``head``; errors marked in red."""
    headers = ["STT", "Mức độ", "Trang", "Ô", "Nội dung", "Giá trị tìm thấy", "Cần có"]
    style.header_row(ws, head, headers, WIDTHS)
    for n, f in enumerate(findings, start=1):
        r = head + n
        values = [n, SEVERITY[f.severity], f.sheet, f.cell, f.message, f.found, f.expected]
        for j, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=j)
            if isinstance(v, int):
                cell.value = v
            else:
                style.put_text(cell, v or None)
            cell.border = style.BOX
            cell.font = style.font(11)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if f.is_error:
            ws.cell(row=r, column=2).fill = ERROR_FILL
        style.fit_height(ws, r, list(zip(values, WIDTHS, strict=True)))
    if not findings:
        ws.cell(row=head + 1, column=1, value="Không có lỗi.")
