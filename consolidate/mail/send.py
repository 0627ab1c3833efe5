"""``send``: one message per unit, handed to the office's SMTP server exactly once.

Three kinds: ``form`` (the unit's blank form and the request letter), ``remind`` (to units
with no accepted report, the form again) and ``feedback`` (to units whose latest file was
rejected or flagged, its feedback workbook). Each message is recorded in the store the
moment the server accepted it, so a run stopped half-way (a dropped connection, a killed
process) sends only the rest when run again:

* ``form``: a unit is sent its form once;
* ``remind``: once a day (a round of reminders; a reminder next week goes out again);
* ``feedback``: once per feedback workbook (a new rejected file makes a new one).

``again`` sends regardless. A unit without an address, or whose form is missing, is listed
with a finding, never skipped silently; a recipient the server refuses is a finding and
the run goes on; a lost connection stops the run, and the result says what went out. A dry
run writes each message as an ``.eml`` file under ``WS/outbox/<campaign>/`` and records it
as a dry run, which does not count as sent.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from consolidate.core.errors import ConsolidateError, Finding, finding
from consolidate.core.files import atomic_write, safe_filename
from consolidate.core.vocabulary import now_iso
from consolidate.core.workspace import Campaign
from consolidate.intake.feedback import SUFFIX, feedback_folder
from consolidate.intake.status import MISSING, REJECTED, unit_status
from consolidate.mail.compose import (
    Draft,
    build_message,
    context,
    form_file,
    letter_file,
    render,
)
from consolidate.mail.config import SmtpConfig
from consolidate.mail.contacts import contacts_for
from consolidate.outputs.letter import write_letter

OUTBOX = "outbox"
Step = Callable[[int], None]


@dataclass
class Outcome:
    """What a send did, unit by unit."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent before, skipped
    not_sent: list[dict[str, Any]] = field(default_factory=list)  # with the reason
    findings: list[Finding] = field(default_factory=list)
    stopped: bool = False
    letter: Path | None = None
    outbox: Path | None = None


def outbox_folder(campaign: Campaign) -> Path:
    return campaign.workspace.path / OUTBOX / campaign.id


# --------------------------------------------------------------------------- who gets what


def plan(campaign: Campaign, kind: str, only: list[str] | None, again: bool,
         outcome: Outcome) -> list[Draft]:
    """The drafts to deliver; units left out are put in the outcome with their reason."""
    addresses = contacts_for(campaign)
    done = _already_sent(campaign, kind)
    drafts = []
    for unit, extra, attachments in _targets(campaign, kind, only, outcome):
        key = attachments[0].name if kind == "feedback" else ""
        if not again and (unit.code, key) in done:
            outcome.already.append(unit.code)
        elif unit.code not in addresses:
            outcome.not_sent.append({"unit": unit.code, "name": unit.name,
                                     "reason": "chưa có địa chỉ e-mail"})
            outcome.findings.append(finding("mail-no-address", unit=unit.code, name=unit.name))
        else:
            contact = addresses[unit.code]
            drafts.append(Draft(unit, contact.email, kind, attachments, extra, contact.cc))
    return drafts


def preview(campaign: Campaign, kind: str, config: SmtpConfig) -> list[dict[str, str]]:
    """What a send of ``kind`` would say to each unit it targets, nothing sent or recorded:
    the chase list shows the reminder's text, also to units without an address (the officer
    may phone, or write from another mailbox)."""
    addresses = contacts_for(campaign)
    out = []
    for unit, extra, attachments in _targets(campaign, kind, None, Outcome()):
        contact = addresses.get(unit.code)
        draft = Draft(unit, contact.email if contact else "", kind, attachments, extra)
        subject, body = render(campaign.workspace.path, kind, context(campaign, draft, config))
        out.append({"unit": unit.code, "name": unit.name, "to_addr": draft.to_addr,
                    "subject": subject, "body": body})
    return out


def _units(campaign: Campaign, only: list[str] | None) -> list[Any]:
    """The units a campaign writes to (all but its root), restricted to ``only``."""
    for code in only or []:
        if code not in campaign.roster or code == campaign.root:
            raise ConsolidateError("unit-not-in-campaign", found=code, campaign=campaign.id)
    return [u for u in campaign.roster.units()
            if u.code != campaign.root and (not only or u.code in only)]


def _targets(campaign: Campaign, kind: str, only: list[str] | None,
             outcome: Outcome) -> list[tuple[Any, dict[str, Any], list[Path]]]:
    units = _units(campaign, only)
    if kind == "feedback":
        return _feedback_targets(campaign, units)
    notes: dict[str, str] = {}
    if kind == "remind":
        units, notes = _missing(campaign, units)
    out = []
    for unit in units:
        form = form_file(campaign, unit)
        if not form.is_file():
            outcome.not_sent.append({"unit": unit.code, "name": unit.name,
                                     "reason": "chưa có biểu mẫu"})
            outcome.findings.append(finding("mail-form-missing", unit=unit.code,
                                            name=unit.name, file=str(form)))
            continue
        attachments = [form]
        if kind == "form" and outcome.letter is not None:
            attachments.append(outcome.letter)
        extra = {"note": notes.get(unit.code, ""), "overdue": _overdue(campaign)} \
            if kind == "remind" else {}
        out.append((unit, extra, attachments))
    return out


def _overdue(campaign: Campaign) -> bool:
    return campaign.deadline is not None and dt.date.today() > campaign.deadline


def _missing(campaign: Campaign, units: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """The units with no accepted report (missing, or only rejected files), with the note
    status gives them."""
    status = unit_status(campaign)
    rows = status[status["status"].isin([MISSING, REJECTED])].set_index("code")
    return [u for u in units if u.code in rows.index], rows["note"].to_dict()


def _feedback_targets(campaign: Campaign,
                      units: list[Any]) -> list[tuple[Any, dict[str, Any], list[Path]]]:
    """Units with a feedback workbook about their latest file (ingest keeps only those)."""
    folder = feedback_folder(campaign.workspace, campaign.id)
    files = campaign.workspace.store.files_for(campaign.id)
    out = []
    for unit in units:
        prefix = safe_filename(unit.code, unit.name, suffix="")
        found = sorted(folder.glob(f"{prefix}_{SUFFIX}_*.xlsx"))
        if not found:
            continue
        latest = _latest_file(files, unit.code)
        out.append((unit, {"rejected": latest.get("status") == "rejected",
                           "file": latest.get("name", "")}, [found[-1]]))
    return out


def _latest_file(files: pd.DataFrame, code: str) -> dict[str, Any]:
    mine = files[files["unit"] == code]
    return {} if mine.empty else dict(mine.iloc[-1])


def _already_sent(campaign: Campaign, kind: str) -> set[tuple[str, str]]:
    """(unit, key) of what really went out for this kind; key: the feedback workbook's
    name for feedback, '' otherwise. A reminder counts only on the day it was sent."""
    today = dt.date.today().isoformat()
    out = set()
    for row in campaign.workspace.store.sent(campaign.id):
        if row["dry_run"] or row["kind"] != kind:
            continue
        if kind == "remind" and not row["sent_at"].startswith(today):
            continue
        out.add((row["unit"], Path(row["path"]).name if kind == "feedback" else ""))
    return out


# --------------------------------------------------------------------------- delivery


def _letter(campaign: Campaign) -> Path | None:
    """The request letter that goes with the forms, written first if it is not there yet
    (every unit is asked by the same letter)."""
    found = letter_file(campaign)
    if found is None and campaign.workspace.path.joinpath("forms", campaign.id).is_dir():
        found = write_letter(campaign)
    return found


def send_mail(campaign: Campaign, kind: str, config: SmtpConfig, password: str | None,
              only: list[str] | None = None, again: bool = False, dry_run: bool = False,
              progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Plan, then deliver (or write the outbox); the outcome lists every unit's fate."""
    outcome = Outcome(letter=_letter(campaign) if kind == "form" else None)
    drafts = plan(campaign, kind, only, again, outcome)
    if kind == "form" and outcome.letter is None and drafts:
        outcome.findings.append(finding("mail-letter-missing",
                                        file=str(campaign.workspace.path / "forms" / campaign.id)))
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(drafts))

    if dry_run:
        write_outbox(campaign, drafts, config, outcome, step)
    else:
        deliver(campaign, drafts, config, password, outcome, step)
    return outcome


def write_outbox(campaign: Campaign, drafts: list[Draft], config: SmtpConfig,
                 outcome: Outcome, step: Step | None) -> None:
    """The dry run: each message as an .eml file, recorded as a dry run."""
    folder = outbox_folder(campaign)
    outcome.outbox = folder
    for draft in drafts:
        msg = build_message(campaign, draft, config)
        path = folder / f"{draft.kind}_{safe_filename(draft.unit.code, draft.unit.name, '.eml')}"
        atomic_write(path, msg.as_bytes())
        _record(campaign, draft, msg["Message-ID"], outcome, dry_run=True, path=path)
        if step:
            step(1)


def deliver(campaign: Campaign, drafts: list[Draft], config: SmtpConfig,
            password: str | None, outcome: Outcome, step: Step | None) -> None:
    """Hand each message to the server; record it as soon as it was accepted."""
    if not drafts:
        return
    smtp = connect(config, password)
    try:
        for draft in drafts:
            if not _deliver_one(smtp, campaign, draft, config, outcome):
                outcome.stopped = True
                return
            if step:
                step(1)
    finally:
        _quit(smtp)


def _deliver_one(smtp: smtplib.SMTP, campaign: Campaign, draft: Draft, config: SmtpConfig,
                 outcome: Outcome) -> bool:
    """One message; False when the connection is lost and the run must stop."""
    msg = build_message(campaign, draft, config)
    where = f"{config.host}:{config.effective_port}"
    try:
        smtp.send_message(msg, from_addr=config.from_addr,
                          to_addrs=[draft.to_addr, *draft.cc])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        _refused(outcome, draft, f"{code} {_text(text)}")
        return True
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 421 or isinstance(exc, smtplib.SMTPSenderRefused):
            _lost(outcome, draft, where, f"{exc.smtp_code} {_text(exc.smtp_error)}")
            return False
        _refused(outcome, draft, f"{exc.smtp_code} {_text(exc.smtp_error)}")
        return True
    except OSError as exc:  # smtplib's disconnects are OSErrors too
        _lost(outcome, draft, where, str(exc) or type(exc).__name__)
        return False
    _record(campaign, draft, msg["Message-ID"], outcome, dry_run=False,
            path=draft.attachments[0] if draft.attachments else None)
    return True


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _refused(outcome: Outcome, draft: Draft, detail: str) -> None:
    outcome.not_sent.append({"unit": draft.unit.code, "name": draft.unit.name,
                             "reason": f"máy chủ từ chối người nhận: {detail}"})
    outcome.findings.append(finding("mail-recipient-refused", unit=draft.unit.code,
                                    name=draft.unit.name, found=draft.to_addr, detail=detail))


def _lost(outcome: Outcome, draft: Draft, where: str, detail: str) -> None:
    outcome.findings.append(finding("mail-connection-lost", found=where, detail=detail,
                                    unit=draft.unit.code, name=draft.unit.name,
                                    count=len(outcome.sent)))


def _record(campaign: Campaign, draft: Draft, message_id: str, outcome: Outcome,
            dry_run: bool, path: Path | None) -> None:
    row = {"campaign": campaign.id, "unit": draft.unit.code, "kind": draft.kind,
           "to_addr": draft.to_addr, "message_id": message_id, "sent_at": now_iso(),
           "dry_run": int(dry_run), "path": str(path or "")}
    campaign.workspace.store.record_sent(row)
    outcome.sent.append({**row, "name": draft.unit.name, "dry_run": dry_run,
                         "attachments": [p.name for p in draft.attachments]})


def connect(config: SmtpConfig, password: str | None) -> smtplib.SMTP:
    """An open, authenticated connection; refusals say what to check, in Vietnamese."""
    where = f"{config.host}:{config.effective_port}"
    if config.user and not password:
        raise ConsolidateError("mail-password-missing", found=config.user)
    context = ssl.create_default_context()  # the system's authorities, and the office's own
    if config.ca_file:
        context.load_verify_locations(cafile=config.ca_file)
    try:
        if config.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.effective_port,
                                                  timeout=config.timeout, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.effective_port, timeout=config.timeout)
            if config.security == "starttls":
                smtp.starttls(context=context)
        if config.user:
            smtp.login(config.user, password or "")
    except smtplib.SMTPAuthenticationError as exc:
        raise ConsolidateError("mail-auth-failed", found=config.user, expected=where,
                               detail=f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
    except OSError as exc:
        raise ConsolidateError("mail-connect-failed", found=where,
                               detail=(str(exc) or type(exc).__name__).rstrip(".")) from exc
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except OSError:
        smtp.close()
