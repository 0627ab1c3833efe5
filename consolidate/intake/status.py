"""Who has submitted, who is late, missing or rejected, and why.

Derived on demand from the store: the submission that counts for each unit, and
the files that were rejected for it. A deadline is a date: anything received on
that day is on time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from consolidate.core.errors import Finding
from consolidate.core.roster import Roster
from consolidate.core.spec import RESULT
from consolidate.core.vocabulary import LEVELS
from consolidate.core.workspace import Campaign
from consolidate.mail.contacts import contacts_for
from consolidate.mail.track import MAIL_COLUMNS, mail_by_unit
from consolidate.rollup.checks import typed_rates
from consolidate.rollup.compute import RollupData, prepare, unit_values

ON_TIME = "Đúng hạn"
LATE = "Nộp muộn"
MISSING = "Chưa nộp"
REJECTED = "Bị từ chối"
RELAYED = "Qua báo cáo tổng hợp"
#: Warnings about a unit's figures that stay with its row of the status listing.
FIGURE_WARNINGS = frozenset({"rate-inconsistent", "rollup-rate-inconsistent", "check-failed"})


def unit_status(campaign: Campaign, unit_code: str | None = None,
                data: RollupData | None = None) -> pd.DataFrame:
    """One row per unit of the subtree, in roster order."""
    roster = campaign.roster.subtree(unit_code or campaign.root)
    store = campaign.workspace.store
    # a report passes the data its roll-ups were computed from: the same submissions count
    counted = data.submissions if data is not None else store.current_submissions(campaign.id)
    current = _by_unit(counted, ["received_at", "file_name", "source", "via", "sha256"])
    files = store.files_for(campaign.id)
    file_columns = ["received_at", "name", "findings", "status"]
    rejected = _by_unit(files[files["status"] == "rejected"], file_columns)
    subs = store.all_submissions(campaign.id)
    direct = subs[subs["source"].isin(["form", "rollup"])]
    versions = (pd.concat([direct[["unit", "sha256"]], files[["unit", "sha256"]]])
                .drop_duplicates().groupby("unit").size().to_dict())
    held = direct[~direct["countable"]].groupby("unit").size().to_dict()
    pinned = set(direct.loc[direct["pinned"], "unit"])
    latest = _by_unit(files, file_columns)
    # the findings of the first file stored with each content (a hash is one content)
    findings = dict(zip(files["sha256"][::-1], files["findings"][::-1], strict=True))
    over = _typed_over_units(campaign, roster, data)
    mail = mail_by_unit(campaign)
    rows = []
    for unit in roster.units():
        row = {"code": unit.code, "name": unit.name, "level": unit.level,
               "level_name": LEVELS[unit.level].name,
               "parent": campaign.roster[unit.parent].name if unit.parent else "",
               "status": MISSING, "received_at": "", "file": "", "note": ""}
        sub = current.get(unit.code)
        if sub is not None:
            row.update(received_at=sub["received_at"], file=sub["file_name"],
                       status=_timeliness(campaign, sub["received_at"]))
            if sub["source"] == "relay":
                row.update(status=RELAYED,
                           note=f"Số liệu lấy từ báo cáo tổng hợp của {roster[sub['via']].name}")
        elif unit.code in rejected:
            bad = rejected[unit.code]
            row.update(status=REJECTED, received_at=bad["received_at"], file=bad["name"],
                       note=_first_error(bad["findings"]))
            if _blank_form(bad["findings"]):  # sent the form back unfilled: not a report
                row.update(status=MISSING, note=f"Tệp '{bad['name']}' là biểu mẫu trống, "
                                                "chưa nhập số liệu")
        row["versions"] = int(versions.get(unit.code, 0))
        notes = [row["note"]] if row["note"] else []
        if sub is not None:
            notes += _warnings(findings.get(sub["sha256"]), unit.code)
        notes += [n for n in over.get(unit.code, []) if n not in notes]
        if unit.code in pinned:
            notes.append("Đang dùng bản được chọn cố định")
        if unit.code in held:
            notes.append(f"{held[unit.code]} tệp nhận sau khi chốt số liệu, chưa được tính")
        last = latest.get(unit.code)
        if sub is not None and last is not None and last["status"] == "rejected" \
                and unit.code not in pinned:
            why = _first_error(last["findings"])
            notes.append(f"Tệp mới nhất '{last['name']}' bị từ chối ({why}); đang dùng bản trước")
        post = mail.get(unit.code, {})
        row.update({key: post.get(key, 0 if key == "reminders" else "") for key in MAIL_COLUMNS})
        notes += post.get("notes", [])
        row["note"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows)


def _by_unit(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, Any]]:
    """The last row of each unit (its ``columns``) as a dict: one pass, where ``.loc`` per
    unit of a country (10,000 units) cost seconds."""
    return {rec["unit"]: rec for rec in frame[["unit", *columns]].to_dict("records")}


def chase_list(campaign: Campaign, frame: pd.DataFrame) -> pd.DataFrame:
    """The units still to chase (nothing counted: missing or rejected), each with the
    address a reminder goes to, "" where the campaign has none."""
    contacts = contacts_for(campaign)
    todo = frame[frame["status"].isin([MISSING, REJECTED])].copy()
    todo["email"] = [contacts[c].email if c in contacts else "" for c in todo["code"]]
    return todo


def _timeliness(campaign: Campaign, received_at: str) -> str:
    if campaign.deadline is None:
        return ON_TIME
    received = dt.datetime.fromisoformat(received_at).date()
    return LATE if received > campaign.deadline else ON_TIME


def _blank_form(findings_json: str) -> bool:
    """Whether a rejected file was refused only because nothing was typed in it."""
    errors = [f for f in json.loads(findings_json or "[]") if f.get("severity") == "error"]
    return bool(errors) and all(f.get("code") == "form-blank" for f in errors)


def _typed_over_units(campaign: Campaign, roster: Roster,
                      data: RollupData | None) -> dict[str, list[str]]:
    """Results a unit with units below typed in its own form that their figures do not
    give: known only from the figures stored so far, so computed here, not at ingest."""
    store = campaign.workspace.store
    parents = [u for u in roster.units() if roster.children(u.code)]
    if not parents:
        return {}
    if data is None:  # a report passes the data its roll-ups were computed from
        data = prepare(campaign, *store.rollup_inputs(campaign.id))
    typed = data.cells[(data.cells["col"] == RESULT) & data.cells["num"].notna()
                       & data.cells["unit"].isin({u.code for u in parents})]
    out: dict[str, list[str]] = {}
    for code, mine in typed.groupby("unit"):
        sub = roster.subtree(str(code))
        values = unit_values(campaign, sub, sub[str(code)], data.cells)
        results = {(r.tbl, r.row, r.col): float(r.num) for r in mine.itertuples()}
        out[str(code)] = [f.message for f in typed_rates(campaign.spec, results, values,
                                                         str(code), below=True)]
    return out


def _warnings(findings_json: str | None, unit: str) -> list[str]:
    """What the officer should look at in the figures that count: the warnings of the
    counted file about this unit's own figures (a result it typed that its figures do not
    give, a rule its figures break)."""
    if findings_json is None:
        return []
    findings = [Finding.from_dict(f) for f in json.loads(findings_json or "[]")]
    return [f.message for f in findings
            if f.code in FIGURE_WARNINGS and not f.is_error and f.unit == unit]


def _first_error(findings_json: str) -> str:
    findings = [Finding.from_dict(f) for f in json.loads(findings_json or "[]")]
    errors = [f for f in findings if f.is_error]
    if not errors:
        return ""
    more = f" (và {len(errors) - 1} lỗi khác)" if len(errors) > 1 else ""
    first = errors[0]
    where = f"trang '{first.sheet}', " if first.sheet else ""
    return f"{where}{first.message}{more}"
