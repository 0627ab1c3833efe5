"""The engine's verbs: the one door that the CLI, the mail commands and the web page all use.

Each verb opens the workspace, takes its lock where it writes (one run at a time per
workspace), loads what it needs, calls the pure steps (spec, forms, intake, roll-up,
outputs) and returns a result object. A result says what happened in plain data
(``to_dict()`` is what ``--json`` prints) and whether anything was rejected
(``valid``). A refusal (unknown campaign, damaged store, bad spec …) is raised as a
:class:`~consolidate.core.errors.ConsolidateError` carrying its finding. Nothing here
prints or knows about click.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from consolidate.core.errors import ConsolidateError, Finding, Report, Severity, finding
from consolidate.core.settings import (
    SETTINGS,
    Change,
    apply_changes,
    current_values,
    parse_value,
    value_text,
)
from consolidate.core.workspace import Campaign, Workspace, init_campaign
from consolidate.demo import CAMPAIGNS, DEMO_PERIOD, DEMO_ROOT, DEMO_SIGNER, fill_campaign
from consolidate.forms.generate import generate_forms
from consolidate.intake import feedback as feedback_step
from consolidate.intake import history as history_step
from consolidate.intake import ingest as ingest_step
from consolidate.intake.status import chase_list, unit_status
from consolidate.mail import collect as collect_step
from consolidate.mail.collect import Collected
from consolidate.outputs.word import WordRenderer, convert_to_pdf, soffice_path
from consolidate.outputs.word.status import coverage_findings
from consolidate.outputs.workbook import build_workbook, report_units, write_unit_files
from consolidate.rollup.compute import Rollup, RollupData, compute_rollup, prepare

#: Told (done, total) as a long verb advances: a terminal draws a bar, the web page a gauge.
Progress = Callable[[int, int], None]
Say = Callable[[str], None]
PathLike = str | Path


def _steps(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    """The steps count what they finish one by one; the caller is told done out of total."""
    if progress is None:
        return None
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    return step


def _open(workspace: PathLike, campaign: str | None = None) -> Campaign:
    return Workspace(workspace).campaign(campaign)


def _in_campaign(camp: Campaign, unit: str) -> None:
    if unit not in camp.roster:
        raise ConsolidateError("unit-not-in-campaign", found=unit, campaign=camp.id)


@dataclass
class Result:
    """What a verb did; ``findings`` are the problems it met, none of which stopped it."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(f.is_error for f in self.findings)

    def data(self) -> dict[str, Any]:
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, **self.data(),
                "findings": [f.to_dict() for f in self.findings]}


# --------------------------------------------------------------------------- init, forms


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
    camp = _open(workspace, campaign)
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
    camp = _open(workspace, campaign)
    with camp.workspace.lock():
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        paths = generate_forms(camp, out, progress=_steps(progress, len(camp.roster)))
    return FormsResult(campaign=camp.id, paths=paths)


# --------------------------------------------------------------------------- ingest


@dataclass
class IngestResult(Result):
    report: Report = field(default_factory=Report)
    feedback: list[Path] = field(default_factory=list)
    feedback_folder: Path | None = None

    def data(self) -> dict[str, Any]:
        return {"stats": self.report.stats, "feedback": [str(p) for p in self.feedback],
                "feedback_folder": str(self.feedback_folder or "")}


def ingest(workspace: PathLike, paths: list[Path] | None = None,
           progress: Progress | None = None) -> IngestResult:
    """Read files or folders (default: the inbox); write a feedback workbook per unit to fix."""
    ws = Workspace(workspace)
    ws.store  # noqa: B018 - refuses a folder without campaigns before reading any file
    with ws.lock():
        files = ingest_step.collect_files([ws.inbox] if paths is None else paths)
        report = ingest_step.ingest(ws, files, progress=_steps(progress, len(files)))
        written = feedback_step.write_feedback(ws)
    return IngestResult(findings=report.findings, report=report, feedback=written,
                        feedback_folder=ws.path / feedback_step.FEEDBACK_DIR)


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
    camp = _open(workspace, campaign)
    ws = camp.workspace
    with ws.lock():
        with collect_step.open_source(ws, folder, imap, password, since) as batch:
            run = collect_step.collect(camp, batch, _steps(progress, batch.total))
        written = feedback_step.write_feedback(ws)
    return CollectResult(findings=run.findings, collected=run, feedback=written,
                         feedback_folder=ws.path / feedback_step.FEEDBACK_DIR)


# --------------------------------------------------------------------------- status, history


@dataclass
class StatusResult(Result):
    campaign: str = ""
    deadline: str = ""
    closed: bool = False
    units: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.units:
            out[row["status"]] = out.get(row["status"], 0) + 1
        return out

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "deadline": self.deadline, "closed": self.closed,
                "counts": self.counts, "units": self.units}


def status(workspace: PathLike, campaign: str | None = None,
           unit: str | None = None, chase: bool = False) -> StatusResult:
    """Who has submitted, on time or late, who is missing or rejected, and why.

    ``chase``: only the units still to chase (missing or rejected), each with its e-mail
    address, the list a reminder goes to (``send --remind``)."""
    camp = _open(workspace, campaign)
    if unit is not None:
        _in_campaign(camp, unit)
    frame = unit_status(camp, unit)
    if chase:
        frame = chase_list(camp, frame)
    return StatusResult(campaign=camp.id, deadline=camp.deadline_text(),
                        closed=bool(camp.workspace.store.closed_at(camp.id)),
                        units=frame.to_dict("records"))


@dataclass
class HistoryResult(Result):
    campaign: str = ""
    unit: str = ""
    label: str = ""
    closed: bool = False
    versions: list[Any] = field(default_factory=list)
    changes: list[tuple[Any, Any, list[Any]]] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign, "unit": self.unit, "closed": self.closed,
            "versions": [v.to_dict() for v in self.versions],
            "changes": [{"from": a.sha256, "to": b.sha256, "changes": [c.to_dict() for c in d]}
                        for a, b, d in self.changes],
        }


def history(workspace: PathLike, unit: str, campaign: str | None = None) -> HistoryResult:
    """Every version a unit sent, which one counts, and what changed between them."""
    camp = _open(workspace, campaign)
    _in_campaign(camp, unit)
    items = history_step.versions(camp, unit)
    accepted = [v for v in items if v.submission is not None]
    changes = [(a, b, history_step.diff(camp, a.submission, b.submission))
               for a, b in zip(accepted, accepted[1:], strict=False)]
    return HistoryResult(campaign=camp.id, unit=unit, label=camp.unit_label(unit),
                         closed=bool(camp.workspace.store.closed_at(camp.id)),
                         versions=items, changes=changes)


# --------------------------------------------------------------------------- pin, close, reopen


@dataclass
class PinResult(Result):
    campaign: str = ""
    unit: str = ""
    sha256: str | None = None

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "unit": self.unit, "sha256": self.sha256}


def pin(workspace: PathLike, unit: str, ref: str | None,
        campaign: str | None = None) -> PinResult:
    """Count the version from file ``ref`` for ``unit``; ``ref=None`` counts the newest again."""
    camp = _open(workspace, campaign)
    _in_campaign(camp, unit)
    with camp.workspace.lock():
        sha = history_step.pin(camp, unit, ref)
    return PinResult(campaign=camp.id, unit=unit, sha256=sha)


@dataclass
class CloseResult(Result):
    campaign: str = ""
    closed: bool = True
    held: int = 0  # for reopen: files received while closed that now count

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "closed": self.closed, "held": self.held}


def close(workspace: PathLike, campaign: str | None = None) -> CloseResult:
    """Chốt số liệu: later files are kept but not counted until the campaign is reopened."""
    camp = _open(workspace, campaign)
    with camp.workspace.lock():
        history_step.close(camp)
    return CloseResult(campaign=camp.id)


def reopen(workspace: PathLike, campaign: str | None = None) -> CloseResult:
    """Mở lại: files received while closed count again."""
    camp = _open(workspace, campaign)
    with camp.workspace.lock():
        held = history_step.reopen(camp)
    return CloseResult(campaign=camp.id, closed=False, held=held)


# --------------------------------------------------------------------------- report


@dataclass
class Rollups:
    """A campaign's roll-up data, and the previous period's, each read once for all units."""

    campaign: Campaign
    data: RollupData
    earlier: Campaign | None = None
    earlier_data: RollupData | None = None

    @classmethod
    def load(cls, camp: Campaign) -> Rollups:
        earlier = camp.workspace.previous_campaign(camp)
        return cls(camp, _rollup_data(camp), earlier,
                   _rollup_data(earlier) if earlier is not None else None)

    def previous(self, code: str) -> Rollup | None:
        """The unit's roll-up a period earlier (for "so với cùng kỳ"), if there is one."""
        if self.earlier is None or self.earlier_data is None or code not in self.earlier.roster:
            return None
        return compute_rollup(self.earlier, self.earlier_data, code)

    def current(self, code: str, previous: Rollup | None) -> Rollup:
        return compute_rollup(self.campaign, self.data, code,
                              previous.values if previous is not None else None)


def _rollup_data(camp: Campaign) -> RollupData:
    return prepare(camp, *camp.workspace.store.rollup_inputs(camp.id))


def rollup(workspace: PathLike, unit: str | None = None,
           campaign: str | None = None) -> Rollup:
    """The roll-up of one unit (default: the campaign's root), as its report shows it."""
    camp = _open(workspace, campaign)
    if unit is not None:
        _in_campaign(camp, unit)
    rollups = Rollups.load(camp)
    code = unit or camp.root
    return rollups.current(code, rollups.previous(code))


@dataclass
class UnitReport:
    unit: str
    name: str
    workbook: Path
    document: Path
    rollup: Rollup
    pdf: Path | None = None
    coverage: list[Finding] = field(default_factory=list)  # no data / partial data

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "name": self.name, "workbook": str(self.workbook),
                "document": str(self.document), "pdf": str(self.pdf) if self.pdf else None}


@dataclass
class ReportResult(Result):
    campaign: str = ""
    reports: list[UnitReport] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        return {"campaign": self.campaign, "reports": [r.to_dict() for r in self.reports]}


def report(workspace: PathLike, campaign: str | None = None, unit: str | None = None,
           all_units: bool = False, out: Path | None = None, template: Path | None = None,
           pdf: bool = False) -> ReportResult:
    """The consolidated workbook and the Word report (optionally PDF) of one or more units.

    The store is read once for all units; the Word template is checked before anything is
    written. The roll-up's findings (failed checks, relay mismatches) come back with the
    result: a failed check of error severity makes the result invalid.
    """
    camp = _open(workspace, campaign)
    if unit is not None:
        _in_campaign(camp, unit)
    word = WordRenderer(camp, template)
    with camp.workspace.lock():
        out_dir = out or camp.folder("reports")
        out_dir.mkdir(parents=True, exist_ok=True)
        rollups = Rollups.load(camp)
        everyone = unit_status(camp)
        made = [_unit_report(rollups, code, everyone, word, out_dir)
                for code in report_units(camp, unit, all_units)]
        if pdf:
            for item, pdf_path in zip(made, convert_to_pdf([m.document for m in made]),
                                      strict=True):
                item.pdf = pdf_path
    findings = [f for m in made for f in (*m.coverage, *m.rollup.mismatches, *m.rollup.findings)]
    return ReportResult(findings=findings, campaign=camp.id, reports=made)


def _unit_report(rollups: Rollups, code: str, everyone: pd.DataFrame, word: WordRenderer,
                 out_dir: Path) -> UnitReport:
    previous = rollups.previous(code)
    roll = rollups.current(code, previous)
    members = {u.code for u in roll.campaign.roster.subtree(code).units()}
    status = everyone[everyone["code"].isin(members)].reset_index(drop=True)
    workbook = build_workbook(roll, status)
    document = word.render(roll, status, previous)
    path, doc_path = write_unit_files(roll, workbook, document, out_dir)
    return UnitReport(code, roll.unit.name, path, doc_path, roll,
                      coverage=coverage_findings(roll, status))


# --------------------------------------------------------------------------- export


@dataclass
class ExportResult(Result):
    """The tidy table written (one row per figure), where, and what it holds."""

    paths: list[Path] = field(default_factory=list)
    rows: int = 0
    campaigns: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None

    def data(self) -> dict[str, Any]:
        return {"files": [str(p) for p in self.paths], "rows": self.rows,
                "campaigns": self.campaigns}


def export(workspace: PathLike, campaign: str | None = None, unit: str | None = None,
           rollup: bool = False, formats: tuple[str, ...] | None = None,
           all_versions: bool = False, out: Path | None = None) -> ExportResult:
    """Every accepted figure of every campaign (or of ``campaign``; of ``unit``'s subtree)
    as one tidy table, into ``WS/exports/`` as CSV and Parquet; with ``rollup``, the
    roll-up of ``unit`` (default: each campaign's root) in the same shape.

    Only the submissions that count by default; ``all_versions`` adds the superseded ones
    and the figures units' own roll-ups state (``counted`` false). ``formats`` default:
    CSV, and Parquet when pyarrow is installed."""
    from consolidate.outputs import export as tidy
    from consolidate.outputs import exportfile

    camps = _export_campaigns(Workspace(workspace), campaign, unit)
    findings: list[Finding] = []
    if formats is None:
        formats = ("csv", "parquet")
        try:
            exportfile.require_pyarrow()
        except ConsolidateError:
            formats = ("csv",)
            findings.append(finding("export-parquet-skipped"))
    with camps[0].workspace.lock():
        frames = [_export_frame(c, unit, rollup, all_versions) for c in camps]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=tidy.COLUMNS)
        stem = "_".join(["tong-hop" if rollup else "so-lieu",
                         *([camps[0].id] if campaign else []), *([unit] if unit else [])])
        folder = out or camps[0].workspace.path / "exports"
        paths = exportfile.write(table, folder / stem, formats)
    return ExportResult(findings=findings, paths=paths, rows=len(table),
                        campaigns=[c.id for c in camps], table=table)


def _export_campaigns(ws: Workspace, campaign: str | None, unit: str | None) -> list[Campaign]:
    """The campaigns to export: the one named, else all; with a unit, those holding it."""
    camps = [ws.campaign(campaign)] if campaign else ws.campaigns() or [ws.campaign(None)]
    if unit is not None:
        holding = [c for c in camps if unit in c.roster]
        if not holding:
            raise ConsolidateError("unit-not-in-campaign", found=unit,
                                   campaign=", ".join(c.id for c in camps))
        camps = holding
    return camps


def _export_frame(camp: Campaign, unit: str | None, rollup: bool,
                  all_versions: bool) -> pd.DataFrame:
    from consolidate.outputs import export as tidy

    if rollup:
        rollups = Rollups.load(camp)
        code = unit or camp.root
        return tidy.rollup_figures(rollups.current(code, rollups.previous(code)))
    store = camp.workspace.store
    current = store.current_submissions(camp.id)
    if not all_versions:
        return tidy.figures(camp, current, store.cells_of(current["id"].tolist()), unit)
    subs = store.all_submissions(camp.id)
    subs["counted"] = subs["id"].isin(current["id"])
    return tidy.figures(camp, subs, store.campaign_cells(camp.id), unit)


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

    camp = _open(workspace, campaign)
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


# --------------------------------------------------------------------------- demo


@dataclass
class DemoResult(Result):
    workspace: Path = Path(".")
    campaigns: list[Campaign] = field(default_factory=list)
    forms: int = 0
    submitted: int = 0
    ingest: IngestResult | None = None
    reports: dict[str, ReportResult] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {"workspace": str(self.workspace), "forms": self.forms,
                "submitted": self.submitted,
                "stats": self.ingest.report.stats if self.ingest else {},
                "reports": {k: v.data()["reports"] for k, v in self.reports.items()}}


def demo(folder: PathLike, say: Say = lambda _: None) -> DemoResult:
    """The whole cycle on built-in data (Bắc Kạn), through the same verbs an office uses."""
    ws_path = Path(folder) / "bac-kan-2024"
    (ws_path / "consolidate.sqlite").unlink(missing_ok=True)
    result = DemoResult(workspace=ws_path)
    for form, deadline in CAMPAIGNS:
        made = init(ws_path, form, DEMO_PERIOD, DEMO_ROOT, deadline, signer=DEMO_SIGNER)
        camp = made.campaign
        assert camp is not None
        say(f"Đã tạo đợt báo cáo {camp.id} tại {ws_path}")
        blank = forms(ws_path, camp.id)
        say(f"Đã tạo {len(blank.paths)} biểu mẫu trống trong {blank.folder}")
        count = fill_campaign(camp, blank.paths, camp.workspace.inbox, deadline)
        say(f"Đã điền {count} biểu mẫu mẫu vào {camp.workspace.inbox}")
        result.forms += len(blank.paths)
        result.submitted += count
        result.campaigns.append(camp)
    result.ingest = ingest(ws_path)
    stats = result.ingest.report.stats
    say(f"Đã tiếp nhận {stats['accepted']} tệp, từ chối {stats['rejected']} tệp")
    for camp in result.campaigns:
        result.reports[camp.id] = report(ws_path, camp.id, all_units=True,
                                         pdf=soffice_path() is not None)
    result.findings = [*result.ingest.findings,
                       *(f for r in result.reports.values() for f in r.findings)]
    return result


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

    camp = _open(workspace, campaign)
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

    camp = _open(workspace, campaign)
    with camp.workspace.lock():
        path = write_letter(camp, out, template)
        made = convert_to_pdf([path])[0] if pdf else None
    return LetterResult(campaign=camp.id, document=path, pdf=made)


__all__ = [
    "SETTINGS", "CloseResult", "CollectResult", "ContactsResult", "DemoResult", "ExportResult",
    "FormsResult", "HistoryResult", "IngestResult", "InitResult", "LetterResult", "PinResult",
    "ReportResult", "Result", "Rollups", "SendResult", "SettingsResult", "Severity",
    "StatusResult", "UnitReport", "close", "collect", "contacts", "demo", "export", "forms",
    "history", "ingest", "init", "letter", "pin", "reopen", "report", "rollup", "send",
    "settings", "status", "value_text",
]
