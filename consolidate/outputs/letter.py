"""The request letter (công văn đề nghị báo cáo) and its outline (đề cương báo cáo).

One document per campaign, the same for every unit: the root unit asks the units below
for the report by the deadline, with the outline of what to write and the tables to
fill. The outline follows the form spec only: its ``sections`` and ``narrative`` items
(with their ``points``), and under an item the tables it names (``tables``); tables no
item names follow at the end. A new form gets its outline with no new code.

The document is rendered from an editable docxtpl template (``templates/cong-van.docx``,
built by ``templates/build_letter.py``) with the Word report's helpers: the Decree 30
header and signature, Word tables with merged group headers.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, UndefinedError

from consolidate.core.errors import ConsolidateError
from consolidate.core.files import atomic_write
from consolidate.core.resources import shipped_templates
from consolidate.core.spec import Table
from consolidate.core.vocabulary import kinds_text, lower_kind, place_name, unit_kind
from consolidate.core.workspace import Campaign
from consolidate.outputs.word import bodies
from consolidate.outputs.word.context import _signature, document_context, report_date
from consolidate.outputs.word.filters import jinja_env
from consolidate.outputs.word.word_table import APPENDIX_WIDTH_MM, WordXml

TEMPLATE = "cong-van"
LIST_ROWS = 4  # rows of a list table shown in the outline
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
#: Every top-level name the letter's template may use.
LETTER_KEYS = ("unit", "document", "form", "period_label", "campaign", "addressees", "basis",
               "contact", "outline", "recipients", "archive", "signature")


def default_template() -> Any:
    return shipped_templates()[TEMPLATE]


def outline(campaign: Campaign) -> list[dict[str, Any]]:
    """Sections in order, each with its items (label, points, tables); loose tables last."""
    spec = campaign.spec
    placed = {t for f in spec.narrative for t in f.tables}
    levels = [lv for lv in campaign.levels
              if lv in {u.level for u in campaign.roster}]
    keys = list(spec.sections) + [f.section for f in spec.narrative
                                  if f.section not in spec.sections]
    out = []
    for key in dict.fromkeys(keys):
        items = [{"label": f.label, "points": list(f.points),
                  "tables": [_table(spec.table(t), levels) for t in f.tables]}
                 for f in spec.narrative if f.section == key]
        title = spec.sections.get(key, "")
        out.append({"heading": f"{key}. {title.upper()}" if title else "", "entries": items,
                    "tables": []})
    loose = [_table(t, levels) for t in spec.tables if t.id not in placed]
    if loose:
        out.append({"heading": "CÁC BIỂU SỐ LIỆU" if out else "", "entries": [], "tables": loose})
    return out


def _table(table: Table, levels: list[str]) -> dict[str, Any]:
    """A table of the outline: its header rows as the form has them, its rows left blank."""
    groups = [(g, [c.id for c in cols]) for g, cols in table.groups()]
    labels = {c.id: c.label for c in table.columns}
    rows = [{"label": r.label, "cells": [""] * len(table.columns), "is_total": r.is_total}
            for r in table.rows(levels)]
    if table.kind == "list":  # a list of any length: a few numbered rows show the way
        rows = rows[:LIST_ROWS - 1] + [{"label": "…", "cells": [""] * len(table.columns)}]
    corner = "Cấp" if table.has_level_rows else "Nội dung"
    numbered = any(ch.isdigit() for ch in table.sheet)  # "Biểu 1", "Phụ lục 02"
    return {"sheet": table.sheet, "title": table.title,
            "caption": f"{table.sheet}. {table.title}" if numbered else table.title,
            "table": WordXml.table(groups, labels, corner, rows, width_mm=APPENDIX_WIDTH_MM,
                                   text_columns=table.kind == "list")}


def letter_context(campaign: Campaign, date: dt.date) -> dict[str, Any]:
    """What the letter's template reads: issuer, addressees, deadline, contact, outline."""
    settings = campaign.settings or {}
    full = campaign.workspace.full_roster(campaign.roster_choice)
    root = campaign.root_unit
    in_force = bodies.sector(full, campaign.period)
    children = campaign.roster.children(root.code)
    children_kinds = kinds_text(c.name for c in children)
    national = bodies.is_national(root)  # the ministry asks the provinces
    place = str(settings.get("place") or (bodies.CAPITAL if national else place_name(root.name)))
    document = document_context(campaign, date, place)
    document["symbol"] = str(settings.get("symbol") or (
        f"{in_force.ministry_symbol.removeprefix('BC-')}-{in_force.ministry_archive}"
        if national else "UBND-VX"))
    title = campaign.spec.title
    document["summary"] = f"V/v {title[:1].lower()}{title[1:]} {campaign.period_label}"
    body = in_force.ministry if national else f"Ủy ban nhân dân {lower_kind(root.name)}"
    return {
        "unit": {"code": root.code, "name": root.name, "name_upper": root.name.upper(),
                 "body": body, "kind": unit_kind(root.name).lower(), "place": place,
                 "parent_body": str(settings.get("parent_body", "")),
                 "ministry": in_force.ministry if national else ""},
        "document": document,
        "form": {"id": campaign.spec.id, "title": title,
                 "short_title": campaign.spec.short_title},
        "period_label": campaign.period_label,
        "campaign": {"id": campaign.id, "deadline_text": campaign.deadline_text(),
                     "cutoff_text": campaign.cutoff_text()},
        "addressees": f"Ủy ban nhân dân các {children_kinds}" if children_kinds else body,
        "basis": str(settings.get("basis") or "").strip().rstrip(",;."),
        "contact": str(settings.get("contact") or "").strip().rstrip("."),
        "outline": outline(campaign),
        "recipients": ["Như trên", *(settings.get("recipients") or [
            "Lãnh đạo Bộ" if national else
            f"Chủ tịch, các Phó Chủ tịch UBND {unit_kind(root.name).lower() or root.name}"])],
        "archive": bodies.archive(settings, root, in_force, full),
        "signature": _signature(settings, national),
    }


def render_letter(campaign: Campaign, template: Path | None = None,
                  date: dt.date | None = None) -> bytes:
    """The .docx of the campaign's request letter, as bytes."""
    path = Path(template) if template else default_template()
    if not path.is_file():
        raise ConsolidateError("template-invalid", file=path, detail="không tìm thấy tệp")
    try:
        tpl = DocxTemplate(io.BytesIO(path.read_bytes()))
        tpl.render(letter_context(campaign, date or report_date(campaign)), jinja_env(),
                   autoescape=True)
    except (UndefinedError, TemplateSyntaxError) as exc:
        raise ConsolidateError("template-invalid", file=path.name,
                               detail=f"lỗi trong mẫu công văn: {exc.message}. Các biến dùng "
                                      f"được: {', '.join(LETTER_KEYS)}") from exc
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def write_letter(campaign: Campaign, out_dir: Path | None = None,
                 template: Path | None = None) -> Path:
    """Write the letter into the campaign's forms folder (or ``out_dir``); its path."""
    folder = out_dir or campaign.folder("forms")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / letter_name(campaign)
    atomic_write(path, render_letter(campaign, template))
    return path


def letter_name(campaign: Campaign) -> str:
    """The letter's file name in the forms folder: what ``send`` attaches to every message."""
    return f"Cong-van-de-nghi-bao-cao-{campaign.id}.docx"
