"""Receiving files, the status board, one unit's versions and pinning one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from consolidate import api
from consolidate.core.errors import Severity
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.status import LATE, MISSING, ON_TIME, REJECTED, RELAYED
from consolidate.mail.collect import OUTCOME_WORDS
from consolidate.web.common import campaign, finding_rows, save_upload, workspace

pages = Blueprint("intake", __name__)

#: The board's order of statuses, and each one's colour class.
STATUSES = {ON_TIME: "ok", LATE: "late", RELAYED: "ok", REJECTED: "bad", MISSING: "missing"}
WITH_NOTES = "đã tiếp nhận, có lưu ý"


# --------------------------------------------------------------------------- receive


@pages.get("/c/<cid>/receive")
def receive(cid: str) -> str:
    return render_template("receive.html", c=campaign(cid), tab="receive", results=None)


def _ingest_one(camp: Campaign, path: Path, original: str) -> dict[str, Any]:
    """One file through the API's ingest, and what became of it as the CLI words it."""
    result = api.ingest(workspace(), [path])
    entry = result.files[0] if result.files else {"status": "rejected", "unit": ""}
    status = entry["status"]
    warned = any(f.severity is Severity.WARNING for f in result.findings)
    kind = "accepted-notes" if status == "accepted" and warned else status
    unit = entry["unit"]
    return {"name": original, "saved_as": path.name, "outcome": kind,
            "outcome_text": WITH_NOTES if kind == "accepted-notes" else OUTCOME_WORDS[status],
            "unit": unit, "unit_name": camp.roster[unit].name if unit in camp.roster else "",
            "findings": finding_rows(result.findings)}


@pages.post("/c/<cid>/receive")
def upload(cid: str) -> Any:
    """Each file saved into the inbox under its own name, then ingested on its own, so its
    outcome is shown beside its name; the page's script sends one file per request."""
    camp = campaign(cid)
    inbox = Workspace(workspace()).inbox
    results = [_ingest_one(camp, save_upload(inbox, f), f.filename or "")
               for f in request.files.getlist("files") if f.filename]
    if request.accept_mimetypes.best == "application/json":
        return {"files": results}
    return render_template("receive.html", c=camp, tab="receive", results=results)


# --------------------------------------------------------------------------- status board


def _board(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per status and per unit above (district), for the board's summary."""
    by_parent: dict[str, Counter[str]] = {}
    for row in rows:
        by_parent.setdefault(row["parent"] or row["name"], Counter())[row["status"]] += 1
    return {"statuses": list(STATUSES), "by_parent": by_parent}


def _filtered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    status, parent = request.args.get("status", ""), request.args.get("parent", "")
    text = request.args.get("q", "").strip().lower()
    return [r for r in rows
            if (not status or r["status"] == status)
            and (not parent or (r["parent"] or r["name"]) == parent)
            and (not text or text in f"{r['code']} {r['name']} {r['file']}".lower())]


@pages.get("/c/<cid>/status")
def status(cid: str) -> str:
    camp = campaign(cid)
    result = api.status(workspace(), cid)
    chase = result.chase
    texts = {m["unit"]: m for m in api.preview(workspace(), cid).messages}
    return render_template("status.html", c=camp, tab="status", result=result,
                           rows=_filtered(result.units), board=_board(result.units),
                           classes=STATUSES, chase=chase, texts=texts, args=request.args)


# --------------------------------------------------------------------------- one unit


@pages.get("/c/<cid>/units/<code>")
def unit(cid: str, code: str) -> str:
    camp = campaign(cid)
    result = api.history(workspace(), code, cid)
    numbers = {v.sha256: n for n, v in enumerate(result.versions, start=1)}
    return render_template("unit.html", c=camp, tab="status", h=result, numbers=numbers,
                           version_findings={v.sha256: finding_rows(
                               [api.Finding.from_dict(f) for f in v.findings])
                               for v in result.versions})


@pages.post("/c/<cid>/units/<code>/pin")
def pin(cid: str, code: str) -> Any:
    ref = None if request.form.get("clear") else request.form.get("sha256", "")
    result = api.pin(workspace(), code, ref, cid)
    if result.sha256:
        flash(f"Đơn vị {result.unit}: dùng bản từ tệp mã {result.sha256[:12]} cho đến khi "
              "bỏ chọn.")
    else:
        flash(f"Đơn vị {result.unit}: dùng bản nhận sau cùng.")
    return redirect(url_for("intake.unit", cid=cid, code=code))
