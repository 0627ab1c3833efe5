"""A campaign's editable settings, declared once: key, Vietnamese label, kind.

The CLI (``consolidate settings``), ``--json`` and a future web page all read this table,
so a setting is named and checked the same way everywhere. Values are kept in
``Campaign.settings`` (JSON in the store) except ``deadline``, which is a column of the
campaign row (status computes lateness from it). A campaign's form, period, unit and roster
are its identity (they name its folders and are written in every form sent): they are not
settings, and changing one means a new campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from consolidate.core.errors import ConsolidateError, Finding, finding
from consolidate.core.numbers import format_date_short
from consolidate.core.period import check_in_period

if TYPE_CHECKING:
    from consolidate.core.workspace import Campaign


@dataclass(frozen=True)
class Setting:
    key: str
    label: str  # as a person reads it
    kind: str = "text"  # text | date | list
    on_forms: bool = False  # printed on the blank forms: forms already sent carry the old value


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("deadline", "Hạn nộp", "date", on_forms=True),
    Setting("cutoff", "Thời gian chốt số liệu", "date", on_forms=True),
    Setting("contact", "Người liên hệ", on_forms=True),
    Setting("signer", "Người ký"),
    Setting("signer_title", "Chức vụ người ký"),
    Setting("sign_for", "Thẩm quyền ký (TM., KT. …)"),
    Setting("parent_body", "Cơ quan chủ quản"),
    Setting("place", "Địa danh"),
    Setting("number", "Số văn bản"),
    Setting("symbol", "Ký hiệu văn bản"),
    Setting("report_date", "Ngày báo cáo", "date"),
    Setting("basis", "Căn cứ (văn bản yêu cầu của cấp trên)"),
    Setting("recipients", "Nơi nhận", "list"),
    Setting("archive", "Lưu", "list"),
)}
#: What a campaign is: shown by ``settings``, never changed by it.
IDENTITY: dict[str, str] = {"form": "biểu mẫu", "period": "kỳ báo cáo", "unit": "đơn vị chủ trì",
                            "roster": "danh mục đơn vị"}
LIST_SEPARATOR = ";"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_date(text: str) -> dt.date | None:
    """'2025-07-03' or '03/07/2025' -> a date; None when it is neither."""
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def setting(key: str) -> Setting:
    """The declared setting, or a refusal naming the known keys (and why identity is fixed)."""
    if key in IDENTITY:
        raise ConsolidateError("setting-fixed", label=IDENTITY[key], found=key)
    if key not in SETTINGS:
        raise ConsolidateError("setting-unknown", found=key, expected=", ".join(SETTINGS))
    return SETTINGS[key]


def parse_value(key: str, value: Any) -> Any:
    """A value as typed (text, or a list for lists) to what is stored; '' or None clears it.

    Dates are stored as ISO text ("2025-07-03"), lists as lists of text."""
    spec = setting(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if spec.kind == "list":
        items = value if isinstance(value, list | tuple) else str(value).split(LIST_SEPARATOR)
        return [str(i).strip() for i in items if str(i).strip()]
    if spec.kind == "date":
        day = value if isinstance(value, dt.date) else parse_date(str(value))
        if day is None:
            raise ConsolidateError("setting-invalid", label=spec.label, found=value,
                                   expected="ngày dạng 2025-07-03 hoặc 03/07/2025")
        return day.isoformat()
    return str(value).strip()


def value_text(key: str, value: Any) -> str:
    """A stored value as a person reads it: dates as the forms write them, lists joined."""
    if value is None or value == "" or value == []:
        return ""
    kind = SETTINGS[key].kind if key in SETTINGS else "text"
    if kind == "list":
        return f"{LIST_SEPARATOR} ".join(value)
    if kind == "date":
        return format_date_short(dt.date.fromisoformat(str(value)))
    return str(value)


@dataclass(frozen=True)
class Change:
    """One setting changed: its old and new stored values."""

    key: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": SETTINGS[self.key].label, "old": self.old,
                "new": self.new, "old_text": value_text(self.key, self.old),
                "new_text": value_text(self.key, self.new)}


def current_values(campaign: Campaign) -> dict[str, Any]:
    """Every declared setting's stored value (None when not set); deadline from the row."""
    values = {key: campaign.settings.get(key) for key in SETTINGS}
    values["deadline"] = campaign.deadline.isoformat() if campaign.deadline else None
    return values


def apply_changes(campaign: Campaign, changes: dict[str, Any]) -> tuple[list[Change],
                                                                        list[Finding]]:
    """Check every change, store them together, and say what they mean for forms already out.

    Nothing is stored when one change is refused. A change to a value printed on the forms
    (deadline, cut-off, contact) is not in the forms already generated: a warning names the
    folder and says to regenerate and send again, or to tell the units. A changed deadline
    also changes which files received count as late."""
    parsed = {key: parse_value(key, value) for key, value in changes.items()}
    period = campaign.period_info
    for key in ("deadline", "cutoff"):
        if parsed.get(key) and period is not None:
            check_in_period(period, SETTINGS[key].label, dt.date.fromisoformat(parsed[key]))
    before = current_values(campaign)
    done = [Change(k, before[k], v) for k, v in parsed.items() if before[k] != v]
    if not done:
        return [], []
    settings = {k: v for k, v in campaign.settings.items()}
    for change in done:
        if change.key != "deadline":
            settings.pop(change.key, None)
            if change.new is not None:
                settings[change.key] = change.new
    deadline = parsed.get("deadline", before["deadline"])
    campaign.workspace.store.update_campaign(campaign.id, deadline, settings)
    return done, _consequences(campaign, done)


def _consequences(campaign: Campaign, done: list[Change]) -> list[Finding]:
    folder = campaign.workspace.path / "forms" / campaign.id
    made = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
    findings = [finding("setting-not-on-forms", label=SETTINGS[c.key].label, count=len(made),
                        path=folder, detail=f"{value_text(c.key, c.old) or 'chưa đặt'} → "
                        f"{value_text(c.key, c.new) or 'bỏ trống'}")
                for c in done if SETTINGS[c.key].on_forms and made]
    received = campaign.workspace.store.received_count(campaign.id)
    if received and any(c.key == "deadline" for c in done):
        findings.append(finding("setting-deadline-received", count=received))
    return findings
