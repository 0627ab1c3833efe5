"""History: every version a unit sent, which one counts, what changed between them.

Nothing here rewrites history. The store keeps every file and every submission; which
submission counts is decided at read time (``Store.current_submissions``) from three
facts kept here:

* the newest received version counts, unless an officer **pinned** an older one
  (``consolidate pin``);
* a **closed** campaign (chốt số liệu, ``consolidate close``) keeps every later file
  but counts none of them until it is reopened (``consolidate reopen``);
* a pin counts even after closing: it is the officer's explicit choice.

Pin, close and reopen write the store; the caller holds the workspace lock
(``consolidate.api``). What a newly arrived file means for what counts is said at
intake (``intake.ingest.arrival_notes``); where each counted figure came from is the
consolidated workbook's sources sheet (``outputs.sources``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from consolidate.core.errors import ConsolidateError
from consolidate.core.numbers import format_number
from consolidate.core.vocabulary import now_iso
from consolidate.core.workspace import Campaign
from consolidate.forms import layout
from consolidate.intake.read import element_label

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
            rec.sha256, info.get("name", rec.file_name), store.file_names(rec.sha256),
            rec.received_at, info.get("ingested_at", ""), info.get("status", "accepted"),
            rec.source, rec.via or "", int(rec.id), int(rec.id) in counting, bool(rec.pinned),
            not rec.countable, json.loads(info.get("findings") or "[]")))
    for row in store.unaccepted_files(campaign.id, unit):
        if row["sha256"] not in seen:
            out.append(Version(row["sha256"], row["name"], store.file_names(row["sha256"]),
                               row["received_at"], row["ingested_at"], row["status"], "", "",
                               None, False, False, False, json.loads(row["findings"] or "[]")))
    return sorted(out, key=lambda v: (v.received_at, v.submission or 0))


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
                out[(table.id, row.id, column.id)] = element_label(table, row, column)
    for item in spec.narrative:
        out[("narrative", item.id, "text")] = f"{layout.NARRATIVE_SHEET}, {item.label}"
    return out


# --------------------------------------------------------------------------- pin, close


def resolve_file(campaign: Campaign, unit: str, ref: str) -> str:
    """The sha256 of an accepted file of ``unit`` named by hash prefix or by file name."""
    prefix = ref.lower() if re.fullmatch(r"[0-9a-fA-F]{6,64}", ref) else None
    rows = campaign.workspace.store.submitted_files(campaign.id, unit, prefix, ref)
    if not rows:
        raise ConsolidateError("version-unknown", unit=unit, found=ref)
    if len(rows) > 1:
        raise ConsolidateError("version-ambiguous", unit=unit, found=ref, count=len(rows))
    return rows[0]


def pin(campaign: Campaign, unit: str, ref: str | None) -> str | None:
    """Make the version from file ``ref`` count for ``unit``; ``None`` removes the pin."""
    if unit not in campaign.roster:
        raise ConsolidateError("unit-not-in-campaign", found=unit, campaign=campaign.id)
    store = campaign.workspace.store
    sha = resolve_file(campaign, unit, ref) if ref else None
    with store.transaction() as db:
        store.set_pin(db, campaign.id, unit, sha, now_iso())
    return sha


def close(campaign: Campaign) -> dict[str, Any]:
    """Chốt số liệu: what is in the store now counts; later files are kept, not counted."""
    store = campaign.workspace.store
    if store.closed_at(campaign.id):
        raise ConsolidateError("campaign-closed-already", campaign=campaign.id)
    with store.transaction() as db:
        store.record_closing(db, campaign.id, "close", now_iso())
    return store.closed_at(campaign.id) or {}


def reopen(campaign: Campaign) -> int:
    """Mở lại: files received while closed count again; returns how many were held."""
    store = campaign.workspace.store
    closing = store.closed_at(campaign.id)
    if not closing:
        raise ConsolidateError("campaign-not-closed", campaign=campaign.id)
    held = store.files_after(campaign.id, closing["last_submission"])
    with store.transaction() as db:
        store.record_closing(db, campaign.id, "reopen", now_iso())
    return held
