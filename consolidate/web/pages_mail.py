"""Mail: the units' addresses, sending forms, reminders and feedback, collecting replies.

The password is a field of the page, handed to the API for this one request and never
kept: not in the session, not in a file, not in the page sent back.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from consolidate import api
from consolidate.cli_send import KIND_WORDS
from consolidate.core.workspace import Campaign
from consolidate.mail.config import config_path, load_config, read_section
from consolidate.web.common import (
    campaign,
    finding_rows,
    form_value,
    uploaded_files,
    workspace,
)

pages = Blueprint("mail", __name__)

SERVER_FIELDS = ("host", "port", "security", "user")


def _config() -> dict[str, Any]:
    """What mail.toml says (for the page to show), or why it cannot be read."""
    out: dict[str, Any] = {"path": config_path(workspace()), "smtp": None, "imap": {},
                           "problem": ""}
    try:
        out["smtp"] = load_config(workspace())
        out["imap"] = read_section(workspace(), "imap")
    except api.ConsolidateError as exc:
        out["problem"] = exc.finding.message
    return out


def _page(camp: Campaign, **results: Any) -> str:
    listing = api.contacts(workspace(), camp.id)
    return render_template("mail.html", c=camp, tab="mail", mail=_config(),
                           contacts=listing, kinds=KIND_WORDS, **results)


def _server_options() -> dict[str, Any]:
    """The server fields the officer filled (over mail.toml), as the CLI's options."""
    out: dict[str, Any] = {key: form_value(request.form, key) for key in SERVER_FIELDS}
    if out["port"]:
        out["port"] = int(out["port"]) if out["port"].isdigit() else None
    return out


@pages.get("/c/<cid>/mail")
def mail(cid: str) -> str:
    return _page(campaign(cid))


@pages.post("/c/<cid>/contacts")
def contacts(cid: str) -> str:
    camp = campaign(cid)
    with uploaded_files([request.files.get("contacts_file")]) as files:
        if not files:
            raise api.ConsolidateError("setting-invalid", label="Danh bạ", found="",
                                       expected="một tệp .csv hoặc .xlsx")
        result = api.contacts(workspace(), cid, files[0])
    return _page(camp, contacts_result=result, contacts_findings=finding_rows(result.findings))


@pages.post("/c/<cid>/mail/send")
def send(cid: str) -> str:
    camp = campaign(cid)
    kind = request.form.get("kind", "form")
    if kind not in KIND_WORDS:
        kind = "form"
    result = api.send(workspace(), cid, kind, None, bool(request.form.get("dry_run")),
                      bool(request.form.get("again")), request.form.get("password") or None,
                      _server_options())
    return _page(camp, sent=result, sent_findings=finding_rows(result.findings))


@pages.post("/c/<cid>/mail/collect")
def collect(cid: str) -> str:
    """Replies from the mailbox (password on the page), or from uploaded .eml files."""
    camp = campaign(cid)
    with uploaded_files(request.files.getlist("files")) as files:
        folder = files[0].parent if files else None
        imap = {**_server_options(), "folder": form_value(request.form, "mailbox")}
        result = api.collect(workspace(), cid, folder, imap,
                             None if folder else request.form.get("password") or None)
    return _page(camp, collected=result, collected_findings=finding_rows(
        [f for f in result.findings if f.severity.value != "info"]))
