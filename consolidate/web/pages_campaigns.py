"""Campaigns: the list, creating one, its settings, its forms, letter and contacts template,
and every download (only from the workspace's output folders)."""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)

from consolidate import api
from consolidate.core.resources import shipped_specs
from consolidate.core.roster import resolve_roster
from consolidate.core.settings import parse_date
from consolidate.core.specfile import load_spec
from consolidate.core.workspace import Campaign
from consolidate.mail.compose import form_file, letter_file
from consolidate.web.common import campaign, form_value, uploaded_files, workspace

pages = Blueprint("campaigns", __name__)

#: The workspace folders a page may download from, each holding one folder per campaign.
DOWNLOAD_FOLDERS = frozenset({"forms", "reports", "feedback", "contacts", "exports", "outbox"})
OFFICIAL_ROSTERS = {"2024": "Danh mục 2024 (tỉnh → huyện → xã)",
                    "2025": "Danh mục 2025 (tỉnh → xã, sau sắp xếp)"}
DATE_EXPECTED = "một ngày dạng 03/07/2024 hoặc 2024-07-03"


@lru_cache(maxsize=4)
def leading_units(choice: str) -> list[tuple[str, str]]:
    """(code, label) of every unit of an official roster that has units below it: the
    searchable list a campaign's leading unit is chosen from."""
    roster = resolve_roster(choice)
    out = []
    for unit in roster.units():
        if not roster.children(unit.code):
            continue
        above = [a.name for a in roster.ancestors(unit.code) if a.level != "national"]
        out.append((unit.code, " – ".join([unit.code, ", ".join([unit.name, *above])])))
    return out


@lru_cache(maxsize=1)
def form_choices() -> list[tuple[str, str]]:
    return [(form_id, load_spec(form_id).title) for form_id in shipped_specs()]


@pages.get("/")
def index() -> str:
    return render_template("index.html", campaigns=api.campaigns(workspace()),
                           forms=form_choices(), rosters=OFFICIAL_ROSTERS,
                           units={c: leading_units(c) for c in OFFICIAL_ROSTERS})


def _date_field(key: str) -> Any:
    value = form_value(request.form, key)
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise api.ConsolidateError("setting-invalid", label=api.SETTINGS[key].label,
                                   found=value, expected=DATE_EXPECTED)
    return day


@pages.post("/campaigns")
def create() -> Any:
    form = request.form
    unit = (form_value(form, "unit") or "").split(" ")[0]
    settings = {"cutoff": _date_field("cutoff"), "contact": form_value(form, "contact")}
    with uploaded_files([request.files.get("roster_file")]) as files:
        roster: str | Path | None = form.get("roster", "2024")
        if roster == "file":
            if not files:
                raise api.ConsolidateError("setting-invalid", label="Danh mục đơn vị",
                                           found="", expected="một tệp .csv hoặc .xlsx")
            roster = files[0]
        result = api.init(workspace(), form.get("form", ""), form_value(form, "period") or "",
                          unit, _date_field("deadline"), roster, form_value(form, "signer"),
                          settings)
    c = result.campaign
    assert c is not None
    flash(f"Đã tạo đợt báo cáo {c.id}: {c.spec.title} {c.period_label}, "
          f"{c.root_unit.name} và {len(c.roster) - 1} đơn vị trực thuộc.")
    return redirect(url_for("campaigns.show", cid=c.id))


# --------------------------------------------------------------------------- one campaign


def _forms(camp: Campaign) -> list[dict[str, Any]]:
    """Each unit with its blank form's file name, where ``forms`` wrote one."""
    rows = []
    for unit in camp.roster.units():
        path = form_file(camp, unit)
        rows.append({"code": unit.code, "name": unit.name, "level": unit.level,
                     "file": path.name if path.is_file() else ""})
    return rows


def contacts_template(camp: Campaign) -> Path:
    return camp.workspace.path / "contacts" / camp.id / f"Danh-ba_{camp.id}.xlsx"


@pages.get("/c/<cid>/")
def show(cid: str) -> str:
    camp = campaign(cid)
    settings = api.settings(workspace(), cid).data()
    letter = letter_file(camp)
    template = contacts_template(camp)
    return render_template("campaign.html", c=camp, tab="forms", settings=settings,
                           forms=_forms(camp), letter=letter.name if letter else "",
                           contacts_template=template.name if template.is_file() else "")


@pages.post("/c/<cid>/forms")
def make_forms(cid: str) -> Any:
    result = api.forms(workspace(), cid)
    flash(f"Đã tạo {len(result.paths)} biểu mẫu trong {result.folder}.")
    return redirect(url_for("campaigns.show", cid=cid))


@pages.post("/c/<cid>/letter")
def make_letter(cid: str) -> Any:
    result = api.letter(workspace(), cid, pdf=bool(request.form.get("pdf")))
    flash(f"Đã ghi công văn đề nghị báo cáo kèm đề cương: {result.document}")
    return redirect(url_for("campaigns.show", cid=cid))


@pages.post("/c/<cid>/contacts-template")
def make_contacts_template(cid: str) -> Any:
    camp = campaign(cid)
    target = contacts_template(camp)
    target.parent.mkdir(parents=True, exist_ok=True)
    result = api.contacts(workspace(), cid, template=target)
    flash(f"Đã ghi danh bạ để điền: {result.template} ({len(result.units)} đơn vị; điền vào "
          "các ô màu vàng rồi nhập lại ở trang Thư điện tử).")
    return redirect(url_for("campaigns.show", cid=cid))


@pages.post("/c/<cid>/settings")
def change_settings(cid: str) -> Any:
    """Only the fields the officer changed are sent: the API says old → new for each."""
    current = {row["key"]: row["text"] for row in api.settings(workspace(), cid).data()["settings"]}
    changes = {key: str(request.form.get(key, "")).strip() for key in current
               if key in request.form and str(request.form[key]).strip() != current[key]}
    result = api.settings(workspace(), cid, changes)
    for change in result.changes:
        flash(f"{change.to_dict()['label']}: {api.value_text(change.key, change.old) or '(trống)'}"
              f" → {api.value_text(change.key, change.new) or '(trống)'}")
    for f in result.findings:
        flash(f.message)
    if not changes:
        flash("Không có thay đổi nào.")
    return redirect(url_for("campaigns.show", cid=cid))


# --------------------------------------------------------------------------- downloads


@pages.get("/c/<cid>/forms.zip")
def forms_zip(cid: str) -> Any:
    """Every blank form (and the letter, when written) as one .zip to attach or copy."""
    camp = campaign(cid)
    paths = [form_file(camp, u) for u in camp.roster.units()]
    paths = [p for p in paths if p.is_file()]
    if not paths:
        abort(404)
    letter = letter_file(camp)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in [*paths, *([letter] if letter else [])]:
            zf.write(path, path.name)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"Bieu-mau_{camp.id}.zip")


@pages.get("/c/<cid>/files/<kind>/<path:name>")
def download(cid: str, kind: str, name: str) -> Any:
    """A file of the campaign's output folders; anything else (another folder, a path
    leaving it) is not found: ``send_from_directory`` joins safely."""
    camp = campaign(cid)
    if kind not in DOWNLOAD_FOLDERS:
        abort(404)
    folder = (camp.workspace.path / kind / camp.id).resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        abort(404)
    return send_from_directory(folder, name, as_attachment=True)
