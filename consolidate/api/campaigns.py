"""Campaign verbs: create one, change its settings, its forms, contacts and letter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.api._base import PathLike, Progress, Result, open_campaign, progress_steps
from consolidate.core.settings import (
    SETTINGS,
    Change,
    apply_changes,
    current_values,
    parse_value,
    value_text,
)
from consolidate.core.workspace import Campaign, Workspace, init_campaign
from consolidate.forms.generate import generate_forms
from consolidate.outputs.word import convert_to_pdf

# --------------------------------------------------------------------------- list, init, forms


def campaigns(workspace: PathLike) -> list[Campaign]:
    """The workspace's campaigns, oldest first; none for a folder that holds none yet.

    The web page lists them before the first ``init``: an empty or missing folder is not
    a refusal here, as it is for the verbs that need a campaign."""
    ws = Workspace(workspace)
    return ws.campaigns() if ws.exists else []



@dataclass
class InitResult(Result):
    campaign: Campaign | None = None

    def data(self) -> dict[str, Any]:
        c = self.campaign
        assert c is not None
        return {"campaign": c.id, "form": c.form_id, "title": c.spec.title, "period": c.period,
                "period_label": c.period_label, "unit": c.root, "unit_name": c.root_unit.name,
                "units": len(c.roster), "deadline": c.deadline.isoformat() if c.deadline else None,
                "cutoff": c.cutoff.isoformat() if c.cutoff else None}


def init(workspace: PathLike, form: str, period: str, unit: str,
         deadline: dt.date | None = None, roster: str | Path | None = None,
         signer: str | None = None, settings: dict[str, Any] | None = None) -> InitResult:
    """Create a campaign: one form × one period × one root unit.

    Everything is checked before anything is written; a refused init leaves nothing behind,
    and an existing campaign is refused (its settings change through :func:`settings`).
    ``settings`` are campaign settings (see :data:`SETTINGS`), checked like those."""
    values = {k: v for k, v in (settings or {}).items() if v not in (None, "", [])}
    if signer:
        values["signer"] = signer
    stored = {key: parse_value(key, value) for key, value in values.items()}
    campaign = init_campaign(workspace, form, period, unit, deadline, roster, stored)
    return InitResult(campaign=campaign)


@dataclass
class SettingsResult(Result):
    """A campaign's settings after the call, and what changed (old → new)."""

    campaign: Campaign | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Any]:
        assert self.campaign is not None
        return current_values(self.campaign)

    def data(self) -> dict[str, Any]:
        c = self.campaign
        assert c is not None
        identity = {"form": c.form_id, "period": c.period, "period_label": c.period_label,
                    "unit": c.root, "roster": c.roster_choice}
        values = self.values
        rows = [{"key": s.key, "label": s.label, "kind": s.kind, "value": values[s.key],
                 "text": value_text(s.key, values[s.key])} for s in SETTINGS.values()]
        return {"campaign": c.id, "identity": identity, "settings": rows,
                "cutoff_effective": c.cutoff.isoformat() if c.cutoff else None,
                "changes": [ch.to_dict() for ch in self.changes]}


def settings(workspace: PathLike, campaign: str | None = None,
             changes: dict[str, Any] | None = None) -> SettingsResult:
    """A campaign's settings; with ``changes`` ({key: value}, '' clears) they are changed.

    Unknown keys and the campaign's identity (form, period, unit, roster) are refused
    before anything is stored; the findings say what a change means for forms already
    generated or sent."""
    camp = open_campaign(workspace, campaign)
    if not changes:
        return SettingsResult(campaign=camp)
    with camp.workspace.lock():
        done, findings = apply_changes(camp, changes)
    return SettingsResult(findings=findings, campaign=Workspace(workspace).campaign(camp.id),
                          changes=done)


@dataclass
class FormsResult(Result):
    campaign: str = ""
    paths: list[Path] = field(default_factory=list)

    @property
    def folder(self) -> Path | None:
        return self.paths[0].parent if self.paths else None

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "folder": str(self.folder or ""),
                "files": [str(p) for p in self.paths]}


def forms(workspace: PathLike, campaign: str | None = None, out: Path | None = None,
          progress: Progress | None = None) -> FormsResult:
    """Blank forms for the campaign's root unit and every unit below it."""
    camp = open_campaign(workspace, campaign)
    with camp.workspace.lock():
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        paths = generate_forms(camp, out, progress=progress_steps(progress, len(camp.roster)))
    return FormsResult(campaign=camp.id, paths=paths)


# --------------------------------------------------------------------------- contacts, letter


@dataclass
class ContactsResult(Result):
    campaign: str = ""
    source: str = ""  # the contacts file merged, if any
    stored: int = 0
    template: Path | None = None
    units: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missing(self) -> list[dict[str, Any]]:
        return [u for u in self.units if not u["email"]]

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "source": self.source, "stored": self.stored,
                "template": str(self.template) if self.template else None,
                "units": self.units, "missing": [u["code"] for u in self.missing]}


def contacts(workspace: PathLike, campaign: str | None = None, path: Path | None = None,
             template: Path | None = None) -> ContactsResult:
    """Merge a contacts file onto the campaign's units, or write the workbook to fill;
    either way, every unit with its address (or none) as ``send`` will use them."""
    from consolidate.mail import contactfile, contacttemplate

    camp = open_campaign(workspace, campaign)
    result = ContactsResult(campaign=camp.id)
    with camp.workspace.lock():
        if path is not None:
            loaded = contactfile.load_contacts(Path(path), camp)
            result.stored = camp.workspace.store.set_contacts(camp.id, loaded.rows)
            result.findings, result.source = loaded.findings, Path(path).name
        if template is not None:
            result.template = contacttemplate.write_template(camp, Path(template))
    result.units = contactfile.listing(camp)
    return result


@dataclass
class LetterResult(Result):
    campaign: str = ""
    document: Path | None = None
    pdf: Path | None = None

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "document": str(self.document or ""),
                "pdf": str(self.pdf) if self.pdf else None}


def letter(workspace: PathLike, campaign: str | None = None, out: Path | None = None,
           template: Path | None = None, pdf: bool = False) -> LetterResult:
    """The request letter with the report's outline, into the campaign's forms folder."""
    from consolidate.outputs.letter import write_letter

    camp = open_campaign(workspace, campaign)
    with camp.workspace.lock():
        path = write_letter(camp, out, template)
        made = convert_to_pdf([path])[0] if pdf else None
    return LetterResult(campaign=camp.id, document=path, pdf=made)


