"""What the mail says about each unit: when its form went out, the reminders it was sent,
when and from whom its answer came.

Read from the store's ``mail_sent`` and ``mail_received`` (written by send and collect);
a dry run's .eml files were never sent, so they do not count. A reply from an address
that is not the unit's is a note for the officer, not a rejection: a clerk may answer
from a personal mailbox, or someone else may have sent the unit's form.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from consolidate.core.workspace import Campaign
from consolidate.mail.contacts import contacts_for

#: The columns unit_status adds, empty where there was no mail.
MAIL_COLUMNS = ("sent_at", "reminders", "reminded_at", "answered_at", "answered_from")


def mail_by_unit(campaign: Campaign) -> dict[str, dict[str, Any]]:
    """Unit code -> its mail columns and the notes they call for."""
    store = campaign.workspace.store
    out: dict[str, dict[str, Any]] = {}
    for row in store.sent(campaign.id):
        if row["dry_run"]:
            continue
        mine = _blank(out, row["unit"])
        if row["kind"] == "form":
            mine["sent_at"] = mine["sent_at"] or row["sent_at"]
        elif row["kind"] == "remind":
            mine["reminders"] += 1
            mine["reminded_at"] = row["sent_at"]
    contacts = contacts_for(campaign)
    for row in store.received_messages(campaign.id):
        if not row["unit"]:
            continue
        mine = _blank(out, row["unit"])
        mine["answered_at"] = row["date"] or row["read_at"]
        mine["answered_from"] = row["from_addr"]
        note = _stranger(row["from_addr"], contacts.get(row["unit"]))
        if note and note not in mine["notes"]:
            mine["notes"].append(note)
    return out


def _blank(out: dict[str, dict[str, Any]], unit: str) -> dict[str, Any]:
    return out.setdefault(unit, {"sent_at": "", "reminders": 0, "reminded_at": "",
                                 "answered_at": "", "answered_from": "", "notes": []})


def _stranger(sender: str, contact: Any) -> str:
    """A note when the answer came from an address other than the unit's own."""
    address = parseaddr(sender)[1].lower()
    if contact is None or not address or contact.owns(address):
        return ""
    return (f"Thư trả lời gửi từ {address}, không phải địa chỉ của đơn vị "
            f"({contact.email}); hãy xác nhận với đơn vị")
