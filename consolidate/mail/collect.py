"""Collect: replies read from a mailbox or a folder of .eml files, their forms ingested.

Each new message (:mod:`.sources`) is read once: its spreadsheets, also those inside a
.zip (:mod:`.attachments`), are saved into the inbox under safe names, dated when the
message was sent (the ingest reads that as when the file was received, on time or
late), and ingested one by one exactly as ``consolidate ingest`` does
(:func:`consolidate.intake.ingest.ingest_file`): a blank form quoted back is refused as
``form-blank``, the same file twice is a duplicate. A form that came from an address
other than its unit's is kept, with a warning naming both addresses. A message with no
attachment, and files that are not spreadsheets, are listed, not guessed at. Then the
message is recorded in the store (sender, date, unit, what became of each file), so the
next run skips it and status can tell who answered when.

The caller (the API) holds the workspace lock and writes the feedback workbooks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from consolidate.core.errors import ConsolidateError, Finding, finding
from consolidate.core.vocabulary import now_iso
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.ingest import Outcome, ingest_file
from consolidate.mail.attachments import Piece, Unpacked, message_files, save_piece
from consolidate.mail.contacts import Contact, contacts_for
from consolidate.mail.sources import (
    PASSWORD_ENV,
    Batch,
    Raw,
    close_mailbox,
    folder_batch,
    folder_source,
    imap_batch,
    load_settings,
    message_date,
    open_mailbox,
    parse_message,
)

Step = Callable[[int], None]
#: What became of one attached file, as a person reads it.
OUTCOME_WORDS = {
    "accepted": "đã tiếp nhận", "rejected": "bị từ chối", "duplicate": "đã nhận trước đó",
    "left": "không phải bảng tính, để lại trong thư", "refused": "không mở được tệp nén",
}


@dataclass
class Received:
    """One message read: who sent it and when, and what became of each file it carried."""

    key: str
    sender: str = ""
    date: str = ""  # ISO, the message's own Date
    subject: str = ""
    campaign: str = ""
    unit: str = ""
    outcome: str = ""  # attachments | not-spreadsheet | no-attachment | unreadable
    attachments: list[dict[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"message_id": self.key, "from": self.sender, "date": self.date,
                "subject": self.subject, "campaign": self.campaign, "unit": self.unit,
                "outcome": self.outcome, "attachments": self.attachments}


@dataclass
class Collected:
    """What one collect run read, and what it skipped as read before."""

    source: str
    messages: list[Received] = field(default_factory=list)
    skipped: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for m in self.messages for f in m.findings]

    @property
    def stats(self) -> dict[str, int]:
        files = [a for m in self.messages for a in m.attachments]
        count = {k: sum(a["outcome"] == k for a in files) for k in OUTCOME_WORDS}
        return {"messages": len(self.messages), "skipped": self.skipped,
                "saved": sum(bool(a["saved_as"]) for a in files), **count,
                "no_attachment": sum(m.outcome == "no-attachment" for m in self.messages)}


@dataclass
class _Run:
    """What reading one message needs from the workspace, looked up once per run."""

    workspace: Workspace
    campaign: Campaign
    source: str
    campaigns: dict[str, Campaign]
    contacts: dict[str, dict[str, Contact]] = field(default_factory=dict)

    def by_form(self) -> dict[tuple[str, str], Campaign]:
        return {(c.form_id, c.period): c for c in self.campaigns.values()}

    def contact(self, campaign: str, unit: str) -> Contact | None:
        if campaign not in self.contacts and campaign in self.campaigns:
            self.contacts[campaign] = contacts_for(self.campaigns[campaign])
        return self.contacts.get(campaign, {}).get(unit)


@contextmanager
def open_source(workspace: Workspace, folder: Path | None, imap: dict[str, Any] | None,
                password: str | None, since: dt.date | None) -> Iterator[Batch]:
    """The new messages of a folder of .eml files, or of the workspace's IMAP mailbox
    (settings from ``WS/mail.toml`` with ``imap`` on top; the password given, else from
    the environment); the mailbox is logged out of afterwards."""
    if folder is not None:
        if not folder.is_dir():
            raise ConsolidateError("path-missing", path=folder)
        yield folder_batch(folder, workspace.store.received_keys(folder_source(folder)), since)
        return
    settings = load_settings(workspace.path, {**(imap or {}), "since": since})
    password = password or os.environ.get(PASSWORD_ENV, "")
    if not password:
        raise ConsolidateError("imap-password-missing", found=PASSWORD_ENV)
    box = open_mailbox(settings, password)
    try:
        yield imap_batch(box, settings, workspace.store.received_keys(settings.source))
    finally:
        close_mailbox(box)


def collect(campaign: Campaign, batch: Batch, step: Step | None = None) -> Collected:
    """Read every message of ``batch``; one strange message never stops the run."""
    ws = campaign.workspace
    run = _Run(ws, campaign, batch.source, {c.id: c for c in ws.campaigns()})
    out = Collected(batch.source, skipped=batch.skipped)
    for raw in batch.messages:
        if raw.seen:
            out.skipped += 1
        else:
            out.messages.append(_read(run, raw))
        if step:
            step(1)
    return out


def _read(run: _Run, raw: Raw) -> Received:
    """One message: its files saved and ingested, then the message recorded as read.

    Only reading the message itself is guarded: a message the mail parser cannot take
    apart is recorded as unreadable (it stays in the mailbox, the finding says so). A
    failure while saving (a full disk) stops the run before the message is recorded,
    so the next run reads it again."""
    got = Received(raw.key, campaign=run.campaign.id)
    try:
        msg = parse_message(raw.data)
        got.sender = parseaddr(str(msg.get("From", "")))[1].strip().lower()
        got.subject = str(msg.get("Subject", "")).strip()
        when = message_date(msg)
        unpacked = message_files(msg, got.sender)
    except Exception as exc:  # noqa: BLE001 - one strange message never stops the run
        got.outcome = "unreadable"
        got.findings.append(finding("mail-message-unreadable", found=got.subject or raw.key,
                                    detail=f"{type(exc).__name__}: {exc}"[:200]))
    else:
        got.date = when.isoformat(timespec="seconds") if when else ""
        _files(run, unpacked, when, got)
    _record(run, got)
    return got


def _files(run: _Run, unpacked: Unpacked, when: dt.datetime | None, got: Received) -> None:
    date = when.strftime("%d/%m/%Y lúc %H:%M") if when else "không rõ"
    for problem in unpacked.refused:
        got.attachments.append(_entry(problem.file, "refused", problem.detail))
        got.findings.append(problem)
    for piece in unpacked.pieces:
        if piece.spreadsheet:
            _ingest_piece(run, piece, when, got)
        else:
            got.attachments.append(_entry(piece.name, "left", piece.detail))
            got.findings.append(finding("mail-attachment-left", file=piece.name,
                                        sender=got.sender, date=date, detail=piece.detail))
    if not got.attachments:
        got.outcome = "no-attachment"
        got.findings.append(finding("mail-no-attachment", sender=got.sender or "(không rõ)",
                                    date=date, subject=got.subject))
    elif not any(a["saved_as"] for a in got.attachments):
        got.outcome = "not-spreadsheet"
    else:
        got.outcome = "attachments"


def _ingest_piece(run: _Run, piece: Piece, when: dt.datetime | None, got: Received) -> None:
    """Save a spreadsheet in the inbox and ingest it as ``consolidate ingest`` would."""
    path = save_piece(run.workspace.inbox, piece, when)
    outcome = ingest_file(run.workspace, run.by_form(), path)
    sha = hashlib.sha256(piece.data).hexdigest()
    row = run.workspace.store.file(sha) or {}
    campaign = row.get("campaign") or ""
    got.findings += outcome.findings
    entry = _entry(piece.name, outcome.status, _detail(outcome), path.name, sha)
    entry["unit"] = outcome.unit
    got.attachments.append(entry)
    if outcome.unit and not got.unit:
        got.unit, got.campaign = outcome.unit, campaign or got.campaign
    if outcome.unit and outcome.status != "duplicate":
        got.findings += _sender_check(run, campaign, outcome.unit, got.sender, path.name)


def _entry(name: str, outcome: str, detail: str = "", saved_as: str = "",
           sha: str = "") -> dict[str, str]:
    return {"name": name, "saved_as": saved_as, "sha256": sha, "outcome": outcome,
            "outcome_text": OUTCOME_WORDS[outcome], "detail": detail}


def _detail(outcome: Outcome) -> str:
    """Why a file was refused (its errors), or what the duplicate was."""
    errors = [f.message for f in outcome.findings if f.is_error]
    if outcome.status == "duplicate":
        errors = [f.message for f in outcome.findings if f.code == "file-duplicate"]
    return "; ".join(errors[:3])


def _sender_check(run: _Run, campaign: str, unit: str, sender: str,
                  name: str) -> list[Finding]:
    """A warning when the unit has a known address and the reply came from another one."""
    contact = run.contact(campaign, unit)
    if contact is None or not sender or contact.owns(sender):
        return []
    camp = run.campaigns[campaign]
    return [finding("mail-sender-unexpected", file=name, unit=unit,
                    unit_name=camp.unit_label(unit), found=sender, expected=contact.email)]


def _record(run: _Run, got: Received) -> None:
    """Remember the message as read, with what became of it (status shows it)."""
    attachments = [{**a, "findings": [f.code for f in got.findings if f.file == a["saved_as"]
                                      and a["saved_as"]]} for a in got.attachments]
    run.workspace.store.record_received({
        "campaign": got.campaign, "source": run.source, "message_key": got.key,
        "from_addr": got.sender, "subject": got.subject, "date": got.date,
        "read_at": now_iso(), "unit": got.unit, "outcome": got.outcome,
        "attachments": attachments})
