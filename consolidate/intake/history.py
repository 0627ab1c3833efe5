"""History and provenance: every version a unit sent, which one counts, and where each
figure came from.

Nothing here rewrites history. The store keeps every file and every submission; which
submission counts is decided at read time (``Store.current_submissions``) from three
facts kept here:

* the newest received version counts, unless an officer **pinned** an older one
  (``consolidate pin``);
* a **closed** campaign (chốt số liệu, ``consolidate close``) keeps every later file
  but counts none of them until it is reopened (``consolidate reopen``);
* a pin counts even after closing: it is the officer's explicit choice.

The consolidated workbook carries a "Nguồn số liệu" sheet: for every figure of every
counted submission, the unit, file, file hash, time received, sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from consolidate.core import files
from consolidate.core.errors import ConsolidateError, Finding, finding
from consolidate.core.files import checkpoint
from consolidate.core.numbers import format_number
from consolidate.core.store import Store
from consolidate.core.vocabulary import now_iso
from consolidate.core.workspace import Campaign
from consolidate.forms import layout, style

SOURCES_SHEET = "Nguồn số liệu"
SOURCE_NAMES = {"form": "Biểu mẫu của đơn vị", "rollup": "Báo cáo tổng hợp của đơn vị",
                "relay": "Chuyển tiếp qua báo cáo tổng hợp", "stated": "Số liệu đơn vị tự tổng hợp"}


# --------------------------------------------------------------------------- on arrival


def arrival_notes(store: Store, campaign: Campaign, unit: str, name: str) -> list[Finding]:
    """What a newly accepted file of ``unit`` means for what counts, said to the officer."""
    notes: list[Finding] = []
    if store.closed_at(campaign.id):
        notes.append(finding("campaign-closed", file=name, unit=unit))
    else:
        pinned = store.pins(campaign.id).get(unit)
        if pinned:
            row = store.file(pinned)
            notes.append(finding("version-pinned", file=name, unit=unit,
                                 detail=f"tệp {row['name'] if row else pinned[:12]}"))
    before = store.db.execute(
        "SELECT f.name, f.received_at FROM submissions s JOIN files f USING (sha256) "
        "WHERE s.campaign = ? AND s.unit = ? AND s.source IN ('form', 'rollup') "
        "ORDER BY s.received_at DESC, s.id DESC LIMIT 1", (campaign.id, unit)).fetchone()
    if before is not None:
        when = _when(before["received_at"])
        notes.append(finding("unit-resubmitted", file=name, unit=unit,
                             detail=f"tệp {before['name']}, nhận lúc {when}"))
    return notes


def _when(iso: str) -> str:
    return iso.replace("T", " ")[:16] if iso else ""


# --------------------------------------------------------------------------- versions


@dataclass
class Version:
    """One file received for a unit."""

    sha256: str
    name: str
    names: list[str]
    received_at: str
    ingested_at: str
    status: str  # accepted | rejected
    source: str  # form | rollup | relay | "" (rejected)
    via: str
    submission: int | None
    counts: bool
    pinned: bool
    held: bool  # stored after the campaign was closed: kept, not counted
    findings: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def versions(campaign: Campaign, unit: str) -> list[Version]:
    """Every version received for ``unit``, oldest first, with which one counts."""
    store = campaign.workspace.store
    subs = store.all_submissions(campaign.id)
    subs = subs[(subs["unit"] == unit) & (subs["source"] != "stated")]
    current = store.current_submissions(campaign.id)
    counting = set(current.loc[current["unit"] == unit, "id"])
    out: list[Version] = []
    seen: set[str] = set()
    for rec in subs.itertuples(index=False):
        info = store.file(rec.sha256) or {}
        seen.add(rec.sha256)
        out.append(Version(
            rec.sha256, info.get("name", rec.file_name), _names(store, rec.sha256),
            rec.received_at, info.get("ingested_at", ""), info.get("status", "accepted"),
            rec.source, rec.via or "", int(rec.id), int(rec.id) in counting, bool(rec.pinned),
            not rec.countable, json.loads(info.get("findings") or "[]")))
    rejected = store.db.execute(
        "SELECT * FROM files WHERE campaign = ? AND unit = ? AND status != 'accepted'",
        (campaign.id, unit)).fetchall()
    for row in rejected:
        if row["sha256"] not in seen:
            out.append(Version(row["sha256"], row["name"], _names(store, row["sha256"]),
                               row["received_at"], row["ingested_at"], row["status"], "", "",
                               None, False, False, False, json.loads(row["findings"] or "[]")))
    return sorted(out, key=lambda v: (v.received_at, v.submission or 0))


def _names(store: Store, sha: str) -> list[str]:
    rows = store.db.execute("SELECT name FROM file_names WHERE sha256 = ? ORDER BY seen_at, name",
                            (sha,))
    return [r["name"] for r in rows]


@dataclass
class Change:
    """One element that differs between two versions."""

    element: str
    old: str
    new: str
    sheet: str = ""
    cell: str = ""

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def diff(campaign: Campaign, old: int, new: int) -> list[Change]:
    """What changed between two submissions: element, old value, new value."""
    store = campaign.workspace.store
    cells = store.cells_of([old, new])
    labels = element_labels(campaign)
    values: dict[int, dict[tuple[str, str, str], tuple[str, str, str]]] = {old: {}, new: {}}
    for rec in cells.itertuples(index=False):
        values[int(rec.submission)][(rec.tbl, rec.row, rec.col)] = (
            _show(rec.num, rec.text), rec.sheet or "", rec.cell or "")
    order = {key: i for i, key in enumerate(labels)}
    changes = []
    for key in sorted(set(values[old]) | set(values[new]),
                      key=lambda k: (order.get(k, len(order)), k)):
        a = values[old].get(key, ("", "", ""))
        b = values[new].get(key, ("", "", ""))
        if a[0] != b[0]:
            changes.append(Change(labels.get(key, ".".join(key)), a[0] or "(trống)",
                                  b[0] or "(trống)", b[1] or a[1], b[2] or a[2]))
    return changes


def _show(num: Any, text: Any) -> str:
    if num is not None and not (isinstance(num, float) and pd.isna(num)):
        return format_number(num, 0 if float(num).is_integer() else 2)
    return "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)


def element_labels(campaign: Campaign) -> dict[tuple[str, str, str], str]:
    """(table, row, column) -> 'Biểu 1, Cấp xã, Số trẻ em tham dự', in form order."""
    spec = campaign.spec
    out: dict[tuple[str, str, str], str] = {}
    for table in spec.tables:
        for row in table.rows(campaign.levels):
            for column in table.columns:
                out[(table.id, row.id, column.id)] = (
                    f"{table.sheet}, {layout.label_text(row).splitlines()[0]}, {column.label}")
    for item in spec.narrative:
        out[("narrative", item.id, "text")] = f"{layout.NARRATIVE_SHEET}, {item.label}"
    return out


# --------------------------------------------------------------------------- pin, close


def resolve_file(campaign: Campaign, unit: str, ref: str) -> str:
    """The sha256 of an accepted file of ``unit`` named by hash prefix or by file name."""
    store = campaign.workspace.store
    rows = store.db.execute(
        "SELECT DISTINCT s.sha256 FROM submissions s LEFT JOIN file_names n USING (sha256) "
        "WHERE s.campaign = ? AND s.unit = ? AND s.source != 'stated' "
        "AND (s.sha256 LIKE ? OR n.name = ?)",
        (campaign.id, unit, f"{ref.lower()}%" if re.fullmatch(r"[0-9a-fA-F]{6,64}", ref)
         else "\x00", ref)).fetchall()
    if not rows:
        raise ConsolidateError("version-unknown", unit=unit, found=ref)
    if len(rows) > 1:
        raise ConsolidateError("version-ambiguous", unit=unit, found=ref, count=len(rows))
    return rows[0]["sha256"]


def pin(campaign: Campaign, unit: str, ref: str | None) -> str | None:
    """Make the version from file ``ref`` count for ``unit``; ``None`` removes the pin."""
    if unit not in campaign.roster:
        raise ConsolidateError("unit-not-in-campaign", found=unit, campaign=campaign.id)
    store = campaign.workspace.store
    sha = resolve_file(campaign, unit, ref) if ref else None
    with campaign.workspace.lock(), store.transaction() as db:
        store.set_pin(db, campaign.id, unit, sha, now_iso())
    return sha


def close(campaign: Campaign) -> dict[str, Any]:
    """Chốt số liệu: what is in the store now counts; later files are kept, not counted."""
    store = campaign.workspace.store
    if store.closed_at(campaign.id):
        raise ConsolidateError("campaign-closed-already", campaign=campaign.id)
    with campaign.workspace.lock(), store.transaction() as db:
        store.record_closing(db, campaign.id, "close", now_iso())
    return store.closed_at(campaign.id) or {}


def reopen(campaign: Campaign) -> int:
    """Mở lại: files received while closed count again; returns how many were held."""
    store = campaign.workspace.store
    closing = store.closed_at(campaign.id)
    if not closing:
        raise ConsolidateError("campaign-not-closed", campaign=campaign.id)
    held = store.db.execute(
        "SELECT COUNT(DISTINCT sha256) FROM submissions WHERE campaign = ? AND id > ?",
        (campaign.id, closing["last_submission"])).fetchone()[0]
    with campaign.workspace.lock(), store.transaction() as db:
        store.record_closing(db, campaign.id, "reopen", now_iso())
    return int(held)


# --------------------------------------------------------------------------- sources sheet


def data_time(rollup: Any) -> dt.datetime:
    """A timestamp for an output taken from its data (newest file counted), not the clock."""
    subs = rollup.submissions
    if len(subs):
        return dt.datetime.fromisoformat(str(subs["received_at"].max()))
    return files.issue_time(rollup.campaign.period)


def write_sources_sheet(wb: Workbook, rollup: Any) -> None:
    """'Nguồn số liệu': every value counted in this roll-up, traced to unit, file, sheet, cell.

    Call from ``report.build_workbook`` before ``layout.write_meta``.
    """
    campaign: Campaign = rollup.campaign
    subs = rollup.submissions
    ws = wb.create_sheet(SOURCES_SHEET)
    headers = ["Mã đơn vị", "Đơn vị", "Chỉ tiêu", "Giá trị", "Tệp", "Mã tệp (SHA-256)",
               "Thời điểm nhận", "Trang", "Ô", "Nguồn"]
    widths = [10, 28, 60, 16, 34, 18, 17, 14, 8, 34]
    ws["A1"] = "NGUỒN SỐ LIỆU"
    ws["A1"].font = style.font(13, bold=True)
    ws["A2"] = ("Mỗi số liệu được tổng hợp: đơn vị, tệp đã nhận, trang và ô mà số liệu "
                "được đọc ra")
    ws["A2"].font = style.font(11, italic=True)
    head = 4
    style.header_row(ws, head, headers, widths)
    if len(subs):
        cells = campaign.workspace.store.cells_of(subs["id"].tolist())
        cells = cells.merge(subs[["id", "unit", "sha256", "file_name", "received_at", "source",
                                  "via"]], left_on="submission", right_on="id")
    else:
        cells = pd.DataFrame(columns=["unit", "tbl", "row", "col", "num", "text"])
    labels = element_labels(campaign)
    order = {key: i for i, key in enumerate(labels)}
    roster = campaign.roster
    units = {u.code: i for i, u in enumerate(roster.units())}
    records = sorted(cells.to_dict("records"), key=lambda r: (
        units.get(r["unit"], len(units)), order.get((r["tbl"], r["row"], r["col"]), len(order)),
        r["tbl"], r["row"], r["col"]))
    row = head + 1
    for r in records:  # ws.append and no per-cell font: a province has thousands of rows
        key = (r["tbl"], r["row"], r["col"])
        source = SOURCE_NAMES.get(r["source"], r["source"])
        if r["source"] == "relay" and r["via"] in roster:
            source = f"{source} của {roster[r['via']].name}"
        num = r.get("num")
        numeric = num is not None and not (isinstance(num, float) and pd.isna(num))
        text = r.get("text")
        value = style.plain_value(num) if numeric else (
            None if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))
        values = [r["unit"], roster[r["unit"]].name if r["unit"] in roster else "",
                  labels.get(key, ".".join(key)), value, r["file_name"], r["sha256"][:12],
                  _when(r["received_at"]), r.get("sheet") or None, r.get("cell") or None,
                  source]
        ws.append(values)
        for j, v in enumerate(values, start=1):
            if isinstance(v, str) and v[:1] in ("=", "#"):  # '=…' or '#REF!' typed: text
                ws.cell(row=row, column=j).data_type = "s"
        if numeric:
            ws.cell(row=row, column=4).number_format = (
                style.NUMBER_FORMAT if float(num).is_integer() else "0.00")
        row += 1
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(headers))}{max(row - 1, head)}"
    style.print_setup(ws, f"A1:{get_column_letter(len(headers))}{max(row - 1, head)}",
                       title_rows=f"{head}:{head}")
    checkpoint("report:sources-sheet")
