"""Report verbs: the roll-up, the consolidated workbook and Word report, the export."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from consolidate.api._base import PathLike, Result, check_in_campaign, open_campaign
from consolidate.core.errors import ConsolidateError, Finding, finding
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.status import unit_status
from consolidate.outputs.word import WordRenderer, convert_to_pdf
from consolidate.outputs.word.status import coverage_findings
from consolidate.outputs.workbook import build_workbook, report_units, write_unit_files
from consolidate.rollup.compute import Rollup, RollupData, compute_rollup, of_units, prepare

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
    camp = open_campaign(workspace, campaign)
    if unit is not None:
        check_in_campaign(camp, unit)
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
    camp = open_campaign(workspace, campaign)
    if unit is not None:
        check_in_campaign(camp, unit)
    word = WordRenderer(camp, template)
    with camp.workspace.lock():
        out_dir = out or camp.folder("reports")
        out_dir.mkdir(parents=True, exist_ok=True)
        rollups = Rollups.load(camp)
        everyone = unit_status(camp, data=rollups.data)
        made = [_unit_report(rollups, code, everyone, word, out_dir)
                for code in report_units(camp, unit, all_units)]
        if pdf:
            for item, pdf_path in zip(made, convert_to_pdf([m.document for m in made]),
                                      strict=True):
                item.pdf = pdf_path
    findings = [f for m in made for f in (*m.coverage, *m.rollup.mismatches, *m.rollup.findings)]
    return ReportResult(findings=findings, campaign=camp.id, reports=made)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one unit's files are built.

    A national workbook is about 360,000 openpyxl cells, each in a reference cycle with its
    sheet, all alive until the workbook is saved: the collector walked them again and again
    as they piled up (17 full passes, about 2.5 s of a 13 s national report, for 50 MB
    less at the peak). It runs again as soon as the unit is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unit_report(rollups: Rollups, code: str, everyone: pd.DataFrame, word: WordRenderer,
                 out_dir: Path) -> UnitReport:
    with _cycle_collector_paused():
        return _build_unit_report(rollups, code, everyone, word, out_dir)


def _build_unit_report(rollups: Rollups, code: str, everyone: pd.DataFrame,
                       word: WordRenderer, out_dir: Path) -> UnitReport:
    previous = rollups.previous(code)
    roll = rollups.current(code, previous)
    members = {u.code for u in roll.campaign.roster.subtree(code).units()}
    status = of_units(everyone, members, "code").reset_index(drop=True)
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


