"""Mail verbs: send the forms (SMTP) and collect the answers (IMAP or .eml files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.api._base import PathLike, Progress, Result, open_campaign, progress_steps
from consolidate.core.errors import ConsolidateError
from consolidate.intake import feedback as feedback_step
from consolidate.mail import collect as collect_step
from consolidate.mail.collect import Collected

# --------------------------------------------------------------------------- collect (mail)


@dataclass
class CollectResult(Result):
    """Replies read from a mailbox or a folder of .eml files, and their files ingested."""

    collected: Collected | None = None
    feedback: list[Path] = field(default_factory=list)
    feedback_folder: Path | None = None

    def data(self) -> dict[str, Any]:
        c = self.collected
        assert c is not None
        return {"source": c.source, "stats": c.stats,
                "messages": [m.to_dict() for m in c.messages],
                "feedback": [str(p) for p in self.feedback],
                "feedback_folder": str(self.feedback_folder or "")}


def collect(workspace: PathLike, campaign: str | None = None, folder: Path | None = None,
            imap: dict[str, Any] | None = None, password: str | None = None,
            since: dt.date | None = None, progress: Progress | None = None) -> CollectResult:
    """Read new replies (IMAP, or ``folder`` of .eml files), save their spreadsheets into the
    inbox and ingest them; ``imap`` overrides the ``[imap]`` settings of ``WS/mail.toml``."""
    camp = open_campaign(workspace, campaign)
    ws = camp.workspace
    with ws.lock():
        with collect_step.open_source(ws, folder, imap, password, since) as batch:
            run = collect_step.collect(camp, batch, progress_steps(progress, batch.total))
        written = feedback_step.write_feedback(ws)
    return CollectResult(findings=run.findings, collected=run, feedback=written,
                         feedback_folder=ws.path / feedback_step.FEEDBACK_DIR)


# --------------------------------------------------------------------------- send (mail)


@dataclass
class SendResult(Result):
    """Who was sent what (or written to the outbox), who was already sent, who was not
    and why; ``stopped`` when the connection was lost half-way."""

    campaign: str = ""
    kind: str = "form"
    dry_run: bool = False
    outcome: Any = None  # consolidate.mail.send.Outcome

    def data(self) -> dict[str, Any]:
        o = self.outcome
        return {"campaign": self.campaign, "kind": self.kind, "dry_run": self.dry_run,
                "sent": o.sent, "already_sent": o.already, "not_sent": o.not_sent,
                "stopped": o.stopped, "letter": str(o.letter or ""),
                "outbox": str(o.outbox or "")}


def send(workspace: PathLike, campaign: str | None = None, kind: str = "form",
         only: list[str] | None = None, dry_run: bool = False, again: bool = False,
         password: str | None = None, smtp: dict[str, Any] | None = None,
         progress: Progress | None = None) -> SendResult:
    """Mail each unit its form (``kind='form'``), a reminder (``'remind'``) or its feedback
    workbook (``'feedback'``); ``smtp`` options override the workspace's ``mail.toml``.

    The password is an argument only: nothing here reads or stores it."""
    from consolidate.mail import config as mail_config
    from consolidate.mail.send import send_mail

    camp = open_campaign(workspace, campaign)
    path = mail_config.config_path(camp.workspace.path)
    config = mail_config.load_config(camp.workspace.path).with_options(**(smtp or {}))
    if dry_run and not config.from_addr:
        raise ConsolidateError("mail-config-missing", file=str(path))
    if not dry_run:
        mail_config.check_config(config, path)
    with camp.workspace.lock():
        outcome = send_mail(camp, kind, config, password, only, again, dry_run, progress)
    return SendResult(findings=outcome.findings, campaign=camp.id, kind=kind, dry_run=dry_run,
                      outcome=outcome)




@dataclass
class PreviewResult(Result):
    """The messages a send would write (subject and body per unit), none of them sent."""

    campaign: str = ""
    kind: str = "remind"
    messages: list[dict[str, str]] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "kind": self.kind, "messages": self.messages}


def preview(workspace: PathLike, campaign: str | None = None,
            kind: str = "remind") -> PreviewResult:
    """The text ``send`` would mail each unit (default: the reminders to the units still
    missing), for the officer to read or to send by other means; nothing is written."""
    from consolidate.mail import config as mail_config
    from consolidate.mail.send import preview as preview_step

    camp = open_campaign(workspace, campaign)
    config = mail_config.load_config(camp.workspace.path)
    return PreviewResult(campaign=camp.id, kind=kind,
                         messages=preview_step(camp, kind, config))
