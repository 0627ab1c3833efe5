"""The report: the roll-up's findings first, then the workbook, Word and PDF; close, reopen."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from consolidate import api
from consolidate.core.workspace import Campaign
from consolidate.intake.status import MISSING, REJECTED
from consolidate.web.common import campaign, finding_rows, uploaded_files, workspace

pages = Blueprint("reports", __name__)


def _report_units(camp: Campaign) -> list[Any]:
    """The units a report can be made for: the leading unit and every unit with units below."""
    return [u for u in camp.roster.units()
            if u.code == camp.root or camp.roster.children(u.code)]


def _page(camp: Campaign, unit: str, made: api.ReportResult | None = None,
          exported: api.ExportResult | None = None) -> str:
    roll = api.rollup(workspace(), unit, camp.id)
    folder = camp.workspace.path / "reports" / camp.id
    files = sorted(p.name for p in folder.glob("*") if p.is_file() and
                   not p.name.startswith((".", "~$"))) if folder.is_dir() else []
    status = api.status(workspace(), camp.id, unit)
    counted = sum(1 for u in status.units if u["status"] not in (MISSING, REJECTED))
    return render_template(
        "report.html", c=camp, tab="report", unit=unit, units=_report_units(camp),
        checks=finding_rows([*roll.mismatches, *roll.findings]), files=files, made=made,
        made_findings=finding_rows(made.findings) if made else [], closed=status.closed,
        coverage={"counted": counted, "total": len(status.units)}, exported=exported,
        export_findings=finding_rows(exported.findings) if exported else [])


@pages.get("/c/<cid>/report")
def report(cid: str) -> str:
    camp = campaign(cid)
    return _page(camp, request.args.get("unit") or camp.root)


@pages.post("/c/<cid>/report")
def build(cid: str) -> str:
    camp = campaign(cid)
    unit = request.form.get("unit") or camp.root
    with uploaded_files([request.files.get("template")]) as template:
        made = api.report(workspace(), cid, unit, bool(request.form.get("all")),
                          template=template[0] if template else None,
                          pdf=bool(request.form.get("pdf")))
    return _page(camp, unit, made)


@pages.post("/c/<cid>/export")
def export(cid: str) -> str:
    """The campaign's figures (or the unit's roll-up) as one tidy table, written into the
    campaign's own exports folder so the page can offer it for download."""
    camp = campaign(cid)
    unit = request.form.get("unit") or camp.root
    rollup = request.form.get("what") == "rollup"
    exported = api.export(workspace(), cid, unit if rollup else None, rollup,
                          all_versions=bool(request.form.get("all_versions")),
                          out=camp.folder("exports"))
    return _page(camp, unit, exported=exported)


@pages.post("/c/<cid>/close")
def close(cid: str) -> Any:
    result = api.close(workspace(), cid)
    flash(f"Đã chốt số liệu đợt báo cáo {result.campaign}. Tệp nhận sau đó vẫn được lưu "
          "nhưng không được tính cho đến khi mở lại.")
    return redirect(url_for("reports.report", cid=cid))


@pages.post("/c/<cid>/reopen")
def reopen(cid: str) -> Any:
    result = api.reopen(workspace(), cid)
    flash(f"Đã mở lại đợt báo cáo {result.campaign}; {result.held} tệp nhận trong thời gian "
          "chốt nay được tính.")
    return redirect(url_for("reports.report", cid=cid))
