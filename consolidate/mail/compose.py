"""One e-mail per unit: its subject and body from a Jinja template, its attachments.

A mail template is a text file: its first line is the subject, then an empty line,
then the body (plain text). The shipped ones are ``templates/mail_form.txt.j2``,
``mail_remind.txt.j2`` and ``mail_feedback.txt.j2``; an office changes the wording by
putting a file of the same name in ``WS/templates/``, which wins. Messages are built
with the standard library's :class:`~email.message.EmailMessage` (default policy), so
Vietnamese subjects, sender names and attachment names are encoded by the RFC 2047/2231
rules every mail program reads.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import jinja2

from consolidate.core.errors import ConsolidateError
from consolidate.core.files import ascii_text, safe_filename
from consolidate.core.resources import shipped_text
from consolidate.core.roster import Unit
from consolidate.core.workspace import Campaign
from consolidate.mail.config import SmtpConfig
from consolidate.outputs.letter import letter_name

KINDS = ("form", "remind", "feedback")
TEMPLATE_NAMES = {kind: f"mail_{kind}.txt.j2" for kind in KINDS}
OVERRIDE_DIR = "templates"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The request letter's file name, folded to ASCII: "Cong_van_…", "cong-van …", "Công văn …".
LETTER_NAME = re.compile(r"cong[\s_-]*van", re.IGNORECASE)


@dataclass
class Draft:
    """What one unit is sent, before it becomes a message."""

    unit: Unit
    to_addr: str
    kind: str
    attachments: list[Path] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # more template context
    cc: tuple[str, ...] = ()  # the unit's other addresses (a contacts cell "a; b")


def form_file(campaign: Campaign, unit: Unit) -> Path:
    """Where ``consolidate forms`` wrote the unit's blank form."""
    return campaign.workspace.path / "forms" / campaign.id / safe_filename(unit.code, unit.name)


def letter_file(campaign: Campaign) -> Path | None:
    """The request letter (công văn) sent with every form: the one ``consolidate letter``
    writes, else a .docx in the forms folder whose name says "công văn" (an officer's own);
    None when there is none yet."""
    folder = campaign.workspace.path / "forms" / campaign.id
    written = folder / letter_name(campaign)
    if written.is_file():
        return written
    found = sorted(p for p in folder.glob("*.docx")
                   if LETTER_NAME.search(ascii_text(p.stem)) and not p.name.startswith("~$"))
    return found[0] if found else None


def template_source(workspace: Path, kind: str) -> tuple[str, str]:
    """(name, text) of the template for a kind: the workspace's own, else the shipped one."""
    name = TEMPLATE_NAMES[kind]
    own = Path(workspace) / OVERRIDE_DIR / name
    if own.is_file():
        return str(own), own.read_text(encoding="utf-8")
    return name, shipped_text(name)


def render(workspace: Path, kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a kind's template rendered with the context."""
    name, source = template_source(workspace, kind)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, autoescape=False)  # noqa: S701 - plain text
    try:
        text = env.from_string(source).render(**context)
    except jinja2.TemplateError as exc:
        raise ConsolidateError("mail-template-invalid", file=name, detail=str(exc)) from exc
    subject, _, body = text.lstrip("\n").partition("\n")
    if not subject.strip():
        raise ConsolidateError("mail-template-invalid", file=name,
                               detail="dòng đầu (tiêu đề thư) trống")
    return subject.strip(), body.lstrip("\n")


def context(campaign: Campaign, draft: Draft, config: SmtpConfig) -> dict[str, Any]:
    """What a template may use: unit, campaign, contact, office and the attachments."""
    office = config.sender_name or campaign.root_unit.name
    return {
        "unit": {"code": draft.unit.code, "name": draft.unit.name,
                 "label": campaign.unit_label(draft.unit.code)},
        "campaign": {"id": campaign.id, "title": campaign.spec.title,
                     "period_label": campaign.period_label,
                     "deadline_text": campaign.deadline_text(),
                     "cutoff_text": campaign.cutoff_text(),
                     "deadline": campaign.deadline},
        "contact": str(campaign.settings.get("contact") or ""),
        "office": office,
        "root": campaign.root_unit.name,
        "attachments": [p.name for p in draft.attachments],
        **draft.extra,
    }


def build_message(campaign: Campaign, draft: Draft, config: SmtpConfig) -> EmailMessage:
    """The message for one draft, with its own Message-ID (kept in the send log)."""
    subject, body = render(campaign.workspace.path, draft.kind, context(campaign, draft, config))
    msg = EmailMessage()
    office = config.sender_name or campaign.root_unit.name
    # Address objects, not formataddr(): the policy then encodes the Vietnamese names
    # word by word, which every reader decodes back without stray spaces.
    msg["From"] = Address(display_name=office, addr_spec=config.from_addr)
    msg["To"] = Address(display_name=draft.unit.name, addr_spec=draft.to_addr)
    if draft.cc:
        msg["Cc"] = [Address(addr_spec=addr) for addr in draft.cc]
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    domain = config.from_addr.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(idstring=f"{draft.kind}.{draft.unit.code}", domain=domain)
    msg["X-Consolidate"] = f"{campaign.id}; {draft.unit.code}; {draft.kind}"
    msg.set_content(body, cte="quoted-printable")  # 7-bit safe for any server
    for path in draft.attachments:
        kind = XLSX_TYPE if path.suffix.lower() == ".xlsx" else (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        maintype, subtype = kind.split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                           filename=path.name)
    return msg
