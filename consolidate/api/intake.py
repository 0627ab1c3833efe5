"""Intake verbs: ingest files, status of submissions, history, pin, close, reopen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consolidate.api._base import (
    PathLike,
    Progress,
    Result,
    check_in_campaign,
    open_campaign,
    progress_steps,
)
from consolidate.core.errors import Report
from consolidate.core.workspace import Workspace
from consolidate.intake import feedback as feedback_step
from consolidate.intake import history as history_step
from consolidate.intake import ingest as ingest_step
from consolidate.intake.status import chase_list, unit_status

# --------------------------------------------------------------------------- ingest


@dataclass
class IngestResult(Result):
    report: Report = field(default_factory=Report)
    feedback: list[Path] = field(default_factory=list)
    feedback_folder: Path | None = None
    #: What became of each file, in order: {"file", "status" (accepted | rejected |
    #: duplicate), "unit" (its code, '' when the file did not say)}.
    files: list[dict[str, str]] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        return {"stats": self.report.stats, "files": self.files,
                "feedback": [str(p) for p in self.feedback],
                "feedback_folder": str(self.feedback_folder or "")}


def ingest(workspace: PathLike, paths: list[Path] | None = None,
           progress: Progress | None = None) -> IngestResult:
    """Read files or folders (default: the inbox); write a feedback workbook per unit to fix."""
    ws = Workspace(workspace)
    ws.store  # noqa: B018 - refuses a folder without campaigns before reading any file
    with ws.lock():
        files = ingest_step.collect_files([ws.inbox] if paths is None else paths)
        outcomes: list[ingest_step.Outcome] = []
        report = ingest_step.ingest(ws, files, progress=progress_steps(progress, len(files)),
                                    outcomes=outcomes)
        written = feedback_step.write_feedback(ws)
    return IngestResult(findings=report.findings, report=report, feedback=written,
                        feedback_folder=ws.path / feedback_step.FEEDBACK_DIR,
                        files=[{"file": o.file, "status": o.status, "unit": o.unit}
                               for o in outcomes])


# --------------------------------------------------------------------------- status, history


@dataclass
class StatusResult(Result):
    campaign: str = ""
    deadline: str = ""
    closed: bool = False
    units: list[dict[str, Any]] = field(default_factory=list)
    #: the units still to chase (missing or rejected) with their addresses, from the same
    #: reading of the store: the status board shows both without reading it twice
    chase: list[dict[str, Any]] = field(default_factory=list)

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
    camp = open_campaign(workspace, campaign)
    if unit is not None:
        check_in_campaign(camp, unit)
    frame = unit_status(camp, unit)
    to_chase = chase_list(camp, frame).to_dict("records")
    return StatusResult(campaign=camp.id, deadline=camp.deadline_text(),
                        closed=bool(camp.workspace.store.closed_at(camp.id)),
                        units=to_chase if chase else frame.to_dict("records"), chase=to_chase)


@dataclass
class HistoryResult(Result):
    campaign: str = ""
    unit: str = ""
    label: str = ""
    closed: bool = False
    versions: list[Any] = field(default_factory=list)
    changes: list[tuple[Any, Any, list[Any]]] = field(default_factory=list)
    feedback: Path | None = None  # the feedback workbook about the newest file, if any

    def data(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign, "unit": self.unit, "closed": self.closed,
            "feedback": str(self.feedback) if self.feedback else None,
            "versions": [v.to_dict() for v in self.versions],
            "changes": [{"from": a.sha256, "to": b.sha256, "changes": [c.to_dict() for c in d]}
                        for a, b, d in self.changes],
        }


def history(workspace: PathLike, unit: str, campaign: str | None = None) -> HistoryResult:
    """Every version a unit sent, which one counts, and what changed between them."""
    camp = open_campaign(workspace, campaign)
    check_in_campaign(camp, unit)
    items = history_step.versions(camp, unit)
    accepted = [v for v in items if v.submission is not None]
    changes = [(a, b, history_step.diff(camp, a.submission, b.submission))
               for a, b in zip(accepted, accepted[1:], strict=False)]
    return HistoryResult(campaign=camp.id, unit=unit, label=camp.unit_label(unit),
                         closed=bool(camp.workspace.store.closed_at(camp.id)),
                         versions=items, changes=changes,
                         feedback=feedback_step.unit_feedback(camp, unit))


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
    camp = open_campaign(workspace, campaign)
    check_in_campaign(camp, unit)
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
    camp = open_campaign(workspace, campaign)
    with camp.workspace.lock():
        history_step.close(camp)
    return CloseResult(campaign=camp.id)


def reopen(workspace: PathLike, campaign: str | None = None) -> CloseResult:
    """Mở lại: files received while closed count again."""
    camp = open_campaign(workspace, campaign)
    with camp.workspace.lock():
        held = history_step.reopen(camp)
    return CloseResult(campaign=camp.id, closed=False, held=held)


