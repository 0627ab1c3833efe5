"""The Word report of a unit: a finished administrative document from an editable template.

The template is a .docx under ``templates/`` (one per form, ``<form id>.docx``; any
other form gets the generic ``chung.docx``), written in Word or LibreOffice with Jinja
tags and rendered with docxtpl. The officer may edit it freely, or pass their own with
``consolidate report --template FILE``; a template that uses a variable the context does
not have is refused, naming it, before anything is written.

The context is the same for every form, so a new form needs only its own template:

* ``unit``, ``document``, ``form``, ``period``, ``campaign``: who reports what, when;
* ``values`` / ``figures`` / ``changes`` / ``by_level``: the roll-up, keyed
  ``[table][row][column]`` (``by_level[table][column]``): raw numbers, the same figures
  formatted for a sentence (``242``, ``01``, ``121.450.000 đồng``), the comparison with
  the previous period (``tăng 13 so với cùng kỳ năm 2023``) and the split by level;
* ``tables`` / ``table_list``: each table as a finished Word table (``{{p t.table }}``)
  with its number, title and rows;
* ``narrative`` / ``sections``: the units' own answers, grouped and attributed;
* ``status``: who has reported; ``chart``: the picture by child unit;
* ``signature``, ``recipients``: the closing blocks, from the campaign's settings.

Numbers go through :mod:`consolidate.numbers` (Vietnamese conventions), exposed to
templates as the filters ``vn_number``, ``vn_money``, ``vn_count``, ``vn_percent``,
``vn_money_words``, ``vn_date``, ``vn_sum`` and ``vn_paren``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pandas as pd
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError
from lxml import etree

from consolidate.core.errors import ConsolidateError
from consolidate.core.files import atomic_write
from consolidate.core.numbers import (
    format_count,
    format_date_long,
    format_date_short,
    format_money,
    format_number,
    format_percent,
    money_in_words,
)
from consolidate.core.resources import shipped_templates
from consolidate.core.spec import FormSpec, Table
from consolidate.core.vocabulary import (
    ROW_LEVEL,
    TOTAL_ROW_ID,
    kinds_text,
    lower_kind,
    place_name,
    unit_kind,
)
from consolidate.core.workspace import Campaign
from consolidate.outputs import charts
from consolidate.rollup.compute import Rollup, compute_rollup, load_values, previous_campaign

GENERIC_TEMPLATE = "chung"

#: Every top-level name a template may use.
CONTEXT_KEYS = (
    "unit", "document", "form", "period", "previous_period", "campaign", "status",
    "tables", "table_list", "values", "figures", "changes", "by_level", "previous",
    "narrative", "sections", "chart", "chart_caption", "signature", "recipients",
    "page_break",
)

#: Width of the text on a landscape A4 page with the appendix margins, in mm.
APPENDIX_WIDTH_MM = 297 - 30 - 15

# ----------------------------------------------------------------------- filters


def _plain(value: Any) -> Any:
    """None for "no figure" (None, NaN); numpy scalars as Python; whole floats as int."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def vn_number(value: Any, decimals: int = 0) -> str:
    """``9367`` → ``9.367``; ``19.66, 2`` → ``19,66``; nothing → ``-``."""
    return format_number(_plain(value), decimals)


def vn_money(value: Any) -> str:
    """``121450000`` → ``121.450.000 đồng``."""
    value = _plain(value)
    return format_money(None if value is None else round(value))


def vn_count(value: Any, unit_word: str | None = None, width: int = 2) -> str:
    """Small counts with the seeds' leading zero: ``2, 'vụ'`` → ``02 vụ``; ``9367`` → ``9.367``."""
    value = _plain(value)
    text = format_count(None if value is None else round(value), width)
    return f"{text} {unit_word}" if unit_word else text


def vn_percent(value: Any, decimals: int = 2) -> str:
    """A rate already in percent: ``19.66`` → ``19,66%``."""
    return format_percent(_plain(value), decimals)


def vn_money_words(value: Any) -> str:
    """``2500000`` → ``hai triệu năm trăm nghìn đồng``."""
    value = _plain(value)
    return "" if value is None else money_in_words(round(value))


def vn_date(value: Any, style: str = "long") -> str:
    """``ngày 03 tháng 7 năm 2024`` (``style='short'``: ``03/7/2024``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date_short(value) if style == "short" else format_date_long(value)


def vn_sum(values: Iterable[Any]) -> int | float:
    """The sum of the figures that exist (a sentence reads "0 đồng" when there are none)."""
    total = sum(v for v in (_plain(x) for x in values) if isinstance(v, (int, float)))
    return _plain(total) if total else 0


def vn_paren(text: Any) -> str:
    """`` (text)`` when there is text, else nothing: for optional comparisons."""
    return f" ({text})" if text else ""


FILTERS = {
    "vn_number": vn_number, "vn_money": vn_money, "vn_count": vn_count,
    "vn_percent": vn_percent, "vn_money_words": vn_money_words, "vn_date": vn_date,
    "vn_sum": vn_sum, "vn_paren": vn_paren,
}


def jinja_env() -> Environment:
    """Autoescaped (text from submissions is text, never XML), strict about missing names."""
    env = Environment(autoescape=True, undefined=StrictUndefined)
    env.filters.update(FILTERS)
    return env


# ----------------------------------------------------------------------- templates


def default_template(spec: FormSpec) -> Traversable:
    """The form's own shipped template, else the generic one."""
    shipped = shipped_templates()
    return shipped.get(spec.id, shipped[GENERIC_TEMPLATE])


def _docx(path: Traversable) -> DocxTemplate:
    """A template read from its bytes: a shipped one may not be a plain file on disk."""
    return DocxTemplate(io.BytesIO(path.read_bytes()))


def check_template(path: Traversable) -> None:
    """Refuse a template that cannot be read, has a Jinja error or uses an unknown name."""
    name = path.name
    if not path.is_file():
        raise ConsolidateError(f"Không tìm thấy mẫu báo cáo Word {path}")
    if not zipfile.is_zipfile(io.BytesIO(path.read_bytes())):
        raise ConsolidateError(f"Mẫu báo cáo {name} không phải tệp Word .docx")
    env = jinja_env()
    try:
        used = _docx(path).get_undeclared_template_variables(env)
    except TemplateSyntaxError as exc:
        raise ConsolidateError(
            f"Mẫu báo cáo {name} có lỗi cú pháp Jinja: {exc.message}") from exc
    except Exception as exc:  # a damaged .docx: python-docx/lxml errors of many kinds
        raise ConsolidateError(f"Không đọc được mẫu báo cáo {name}: {exc}") from exc
    unknown = sorted(used - set(CONTEXT_KEYS) - set(env.globals))
    if unknown:
        listed = ", ".join(f"'{v}'" for v in unknown)
        raise ConsolidateError(
            f"Mẫu báo cáo {name} dùng biến không có trong dữ liệu báo cáo: {listed}. "
            f"Các biến dùng được: {', '.join(CONTEXT_KEYS)}. Chưa ghi tệp nào.")


class WordRenderer:
    """Renders one campaign's Word reports; the template is checked when it is created."""

    def __init__(self, campaign: Campaign, template: Path | None = None,
                 date: dt.date | None = None):
        self.campaign = campaign
        self.template = Path(template) if template else default_template(campaign.spec)
        check_template(self.template)
        self.date = date or report_date(campaign)
        self._previous: tuple[Campaign, Any] | None | bool = False

    def previous_rollup(self, unit_code: str) -> Rollup | None:
        if self._previous is False:
            prev = previous_campaign(self.campaign)
            self._previous = (prev, load_values(prev)) if prev is not None else None
        if not self._previous:
            return None
        prev, data = self._previous
        if unit_code not in prev.roster:
            return None
        return compute_rollup(prev, unit_code, data)

    def render(self, rollup: Rollup, status: pd.DataFrame) -> bytes:
        return render_document(rollup, status, self.template,
                               previous=self.previous_rollup(rollup.unit.code), date=self.date)


def report_date(campaign: Campaign) -> dt.date:
    raw = campaign.settings.get("report_date")
    if raw:
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            pass
    return dt.date.today()


def render_document(rollup: Rollup, status: pd.DataFrame, template: Path | None = None,
                    previous: Rollup | None = None, date: dt.date | None = None) -> bytes:
    """The .docx of one unit's report, as bytes."""
    path = Path(template) if template else default_template(rollup.campaign.spec)
    tpl = _docx(path)
    context = build_context(tpl, rollup, status, previous, date or report_date(rollup.campaign))
    try:
        tpl.render(context, jinja_env(), autoescape=True)
    except UndefinedError as exc:
        raise ConsolidateError(
            f"Mẫu báo cáo {path.name} dùng biến không có trong dữ liệu báo cáo: {exc.message}"
        ) from exc
    except TemplateSyntaxError as exc:
        raise ConsolidateError(
            f"Mẫu báo cáo {path.name} có lỗi cú pháp Jinja: {exc.message}") from exc
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------- context

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: Any) -> str:
    """Text from a submission, safe for Word: no control characters, no leading bullet."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = _CONTROL.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    return re.sub(r"^[-+•*–]\s*", "", text).strip()


def build_context(tpl: DocxTemplate, rollup: Rollup, status: pd.DataFrame,
                  previous: Rollup | None, date: dt.date) -> dict[str, Any]:
    campaign, unit = rollup.campaign, rollup.unit
    spec = campaign.spec
    settings = campaign.settings or {}
    full = campaign.workspace.full_roster(campaign.roster_choice)
    parent = full[full[unit.code].parent] if full[unit.code].parent else None
    children = campaign.roster.children(unit.code)
    prev_period = previous.campaign.period if previous is not None else ""

    unit_ctx = {
        "code": unit.code, "name": unit.name, "name_upper": unit.name.upper(),
        "level": unit.level, "kind": unit_kind(unit.name).lower(),
        "in_sentence": lower_kind(unit.name),
        "body": f"Ủy ban nhân dân {lower_kind(unit.name)}",
        "body_short": f"UBND {unit_kind(unit.name).lower() or lower_kind(unit.name)}",
        "superior_body": (f"Ủy ban nhân dân {lower_kind(parent.name)}" if parent
                          else f"Ủy ban nhân dân {lower_kind(unit.name)}"),
        "parent_name": parent.name if parent else "",
        "parent_body": str(settings.get("parent_body", "")),
        "place": str(settings.get("place") or place_name(unit.name)),
        "children_kinds": kinds_text(c.name for c in children),
    }
    number = str(settings.get("number") or "").strip()
    title = spec.title
    summary = title[len("Báo cáo "):] if title.lower().startswith("báo cáo ") else title
    summary = f"{summary[:1].upper()}{summary[1:]} năm {campaign.period}"
    document = {
        "number": number or "\u00a0" * 6, "symbol": str(settings.get("symbol", "BC-UBND")),
        "date": date, "date_text": format_date_long(date), "date_short": format_date_short(date),
        "place": unit_ctx["place"], "kind": "BÁO CÁO", "summary": summary,
    }
    tables, values, figures, changes, by_level, prev_values = _table_context(
        rollup, previous)
    chart, caption = _chart(tpl, rollup)
    narrative, sections = _narrative(rollup)
    return {
        "unit": unit_ctx,
        "document": document,
        "form": {"id": spec.id, "title": spec.title, "short_title": spec.short_title,
                 "version": spec.version},
        "period": campaign.period,
        "previous_period": prev_period,
        "campaign": {"id": campaign.id, "deadline": campaign.deadline,
                     "deadline_text": campaign.deadline_text()},
        "status": status_context(status, unit.code),
        "tables": tables,
        "table_list": list(tables.values()),
        "values": values,
        "figures": figures,
        "changes": changes,
        "by_level": by_level,
        "previous": prev_values,
        "narrative": narrative,
        "sections": sections,
        "chart": chart,
        "chart_caption": caption,
        "signature": _signature(settings),
        "recipients": _recipients(settings, unit_ctx, parent),
        "page_break": "\f",
    }


def _signature(settings: dict[str, Any]) -> dict[str, str]:
    title = str(settings.get("signer_title") or "PHÓ CHỦ TỊCH").upper()
    return {
        "authority": str(settings.get("sign_for") or "TM. ỦY BAN NHÂN DÂN"),
        "deputy": "" if title == "CHỦ TỊCH" else "KT. CHỦ TỊCH",
        "title": title,
        "name": str(settings.get("signer") or ""),
    }


def _recipients(settings: dict[str, Any], unit: dict[str, Any], parent: Any) -> list[str]:
    given = settings.get("recipients")
    if isinstance(given, list) and given:
        return [str(r).strip().lstrip("-").strip().rstrip(";.") for r in given]
    kind = unit["kind"] or "đơn vị"
    out = ([f"Sở LĐTBXH {lower_kind(parent.name)}"] if parent
           else ["Bộ Lao động - Thương binh và Xã hội"])
    out += [f"TT. HĐND {kind}", f"Lãnh đạo UBND {kind}"]
    if not parent:
        out.append(f"Sở Lao động - Thương binh và Xã hội {lower_kind(unit['name'])}")
    if unit["children_kinds"]:
        out.append(f"UBND các {unit['children_kinds']}")
    return out


# -- status


def status_context(status: pd.DataFrame, unit_code: str) -> dict[str, Any]:
    """Who has reported, counted over the units below, with a ready sentence."""
    from consolidate.intake.status import LATE, MISSING, ON_TIME, REJECTED, RELAYED

    below = status[status["code"] != unit_code] if len(status) else status
    counts = below["status"].value_counts() if len(below) else pd.Series(dtype=int)
    received = {ON_TIME, LATE, RELAYED}

    def names(state: str) -> list[str]:
        return below.loc[below["status"] == state, "name"].tolist() if len(below) else []

    by_level = []
    for level in ("province", "district", "commune"):
        rows = below[below["level"] == level] if len(below) else below
        if len(rows):
            by_level.append({
                "level": level, "kinds": kinds_text(rows["name"]),
                "received": int(rows["status"].isin(received).sum()), "total": len(rows),
            })
    ctx = {
        "total": len(below), "received": int(below["status"].isin(received).sum())
        if len(below) else 0,
        "on_time": int(counts.get(ON_TIME, 0)), "late": int(counts.get(LATE, 0)),
        "missing": int(counts.get(MISSING, 0)), "rejected": int(counts.get(REJECTED, 0)),
        "relayed": int(counts.get(RELAYED, 0)),
        "late_names": names(LATE), "missing_names": names(MISSING) + names(REJECTED),
        "by_level": by_level,
    }
    ctx["sentence"] = _status_sentence(ctx)
    return ctx


def _names_or_count(names: list[str]) -> str:
    if len(names) <= 5:
        return ", ".join(names)
    return f"{vn_count(len(names))} đơn vị"


def _status_sentence(ctx: dict[str, Any]) -> str:
    if not ctx["by_level"]:
        return ""
    parts = [f"{vn_count(b['received'])}/{vn_count(b['total'])} {b['kinds']}"
             for b in ctx["by_level"]]
    text = "Số liệu được tổng hợp từ báo cáo của " + " và ".join(parts)
    notes = []
    if ctx["late_names"]:
        notes.append(f"nộp muộn: {_names_or_count(ctx['late_names'])}")
    if ctx["missing_names"]:
        notes.append(f"chưa nộp: {_names_or_count(ctx['missing_names'])}")
    return text + (f" ({'; '.join(notes)})" if notes else "") + "."


# -- tables and figures


def _column_kind(table: Table, row_id: str, column_id: str) -> str:
    column = next((c for c in table.columns if c.id == column_id), None)
    row = next((r for r in table.explicit_rows if r.id == row_id), None)
    return (getattr(row, "kind", None) if row is not None else None) or (
        column.kind if column is not None else "")


NO_FIGURE = "(chưa có số liệu)"


def sentence_figure(value: Any, kind: str) -> str:
    """A figure as it reads in a sentence: counts ``01``/``242``, money ``… đồng``."""
    value = _plain(value)
    if value is None and kind in ("money", "count"):
        return NO_FIGURE  # nobody reported it: say so, never write a zero nobody typed
    if kind == "money":
        return vn_money(value)
    if kind == "count":
        return "0" if not value else vn_count(value)
    return _plain_figure(value, str)


def table_figure(value: Any) -> str:
    """A figure in a table cell: ``9.367``, ``19,66``, ``-`` for none, text as typed."""
    return _plain_figure(_plain(value), lambda text: clean_text(text) or "-")


def _plain_figure(value: Any, text: Callable[[Any], str]) -> str:
    """'-' for none, Vietnamese digits for numbers (two decimals for a rate), else text."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return vn_number(value, 2)
    if isinstance(value, int):
        return vn_number(value)
    return text(value)


def change_phrase(current: Any, before: Any, kind: str, period: str) -> str:
    current, before = _plain(current), _plain(before)
    if not isinstance(current, (int, float)) or not isinstance(before, (int, float)):
        return ""
    diff = current - before
    if diff == 0:
        return f"bằng cùng kỳ năm {period}"
    amount = vn_money(abs(diff)) if kind == "money" else vn_number(
        abs(diff), 0 if float(diff).is_integer() else 2)
    return f"{'tăng' if diff > 0 else 'giảm'} {amount} so với cùng kỳ năm {period}"


def _row_labels(campaign: Campaign, table: Table) -> dict[str, str]:
    try:
        return {r.id: r.label for r in table.rows(campaign.levels)}
    except Exception:  # a table kind this module does not know: use the ids
        return {}


def _table_context(rollup: Rollup, previous: Rollup | None):
    campaign = rollup.campaign
    spec = campaign.spec
    prev_period = previous.campaign.period if previous is not None else ""
    tables: dict[str, Any] = {}
    values: dict[str, Any] = {}
    figures: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    by_level: dict[str, Any] = {}
    prev_values: dict[str, Any] | None = {} if previous is not None else None
    lists = getattr(rollup, "lists", None) or {}
    for table in spec.tables:
        frame = rollup.tables.get(table.id)
        if frame is None and table.id in lists:
            tables[table.id] = _list_table_view(table, lists[table.id])
            continue
        if frame is None:
            continue
        labels = _row_labels(campaign, table)
        pframe = previous.tables.get(table.id) if previous is not None else None
        values[table.id], figures[table.id], changes[table.id] = {}, {}, {}
        if prev_values is not None:
            prev_values[table.id] = {}
        for row in frame.index:
            values[table.id][row], figures[table.id][row], changes[table.id][row] = {}, {}, {}
            for col in frame.columns:
                v = _plain(frame.at[row, col])
                kind = _column_kind(table, row, col)
                values[table.id][row][col] = v
                figures[table.id][row][col] = sentence_figure(v, kind)
                before = None
                if pframe is not None and row in pframe.index and col in pframe.columns:
                    before = _plain(pframe.at[row, col])
                changes[table.id][row][col] = (change_phrase(v, before, kind, prev_period)
                                               if previous is not None else "")
                if prev_values is not None:
                    prev_values[table.id].setdefault(row, {})[col] = before
        by_level[table.id] = _by_level(table, frame, labels)
        tables[table.id] = _table_view(table, frame, labels)
    return tables, values, figures, changes, by_level, prev_values


def _by_level(table: Table, frame: pd.DataFrame, labels: dict[str, str]) -> dict[str, str]:
    level_rows = [r for r in frame.index if r in ROW_LEVEL]
    out = {}
    for col in frame.columns:
        parts = []
        for row in level_rows:
            v = _plain(frame.at[row, col])
            if isinstance(v, (int, float)) and v:
                kind = _column_kind(table, row, col)
                parts.append(f"{labels.get(row, row).lower()} {sentence_figure(v, kind)}")
        out[col] = ", ".join(parts)
    return out


@dataclass
class TableView:
    """A table as templates see it: ``{{ t.sheet }}``, ``{{ t.title }}``, ``{{p t.table }}``."""

    id: str
    sheet: str
    title: str
    table: WordXml  # the Word table, for {{p t.table }}
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""


def _table_view(table: Table, frame: pd.DataFrame,
                labels: dict[str, str]) -> TableView:
    col_ids = list(frame.columns)
    spec_cols = {c.id: c for c in table.columns}
    groups: list[tuple[str | None, list[str]]] = []
    for group, cols in table.groups():
        present = [c.id for c in cols if c.id in col_ids]
        if present:
            groups.append((group, present))
    known = {c for _, cs in groups for c in cs}
    groups += [(None, [c]) for c in col_ids if c not in known]
    ordered = [c for _, cs in groups for c in cs]
    col_labels = {c: spec_cols[c].label if c in spec_cols else c for c in ordered}
    rows = []
    for row in frame.index:
        rows.append({
            "id": row, "label": labels.get(row, row), "is_total": row == TOTAL_ROW_ID,
            "cells": [table_figure(frame.at[row, c]) for c in ordered],
        })
    corner = "Cấp thực hiện" if table.has_level_rows else "Nội dung"
    word = WordXml.table(groups, col_labels, corner, rows)
    summary = ""
    if TOTAL_ROW_ID in frame.index:
        summary = "; ".join(
            f"{col_labels[c]}: {table_figure(frame.at[TOTAL_ROW_ID, c])}" for c in ordered)
    return TableView(table.id, table.sheet, table.title, word,
                     [{"id": c, "label": col_labels[c]} for c in ordered], rows, summary)


def _list_table_view(table: Table, frame: pd.DataFrame) -> TableView:
    cols = [c for c in table.columns if c.id in frame.columns]
    groups: list[tuple[str | None, list[str]]] = [(None, ["unit_name"])] + [
        (None, [c.id]) for c in cols]
    col_labels = {"unit_name": "Đơn vị", **{c.id: c.label for c in cols}}
    rows = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        rows.append({"id": str(i), "label": str(i), "is_total": False,
                     "cells": [clean_text(rec.get("unit_name")) or "-"]
                     + [table_figure(rec.get(c.id)) for c in cols]})
    word = WordXml.table(groups, col_labels, "STT", rows, text_columns=True)
    return TableView(table.id, table.sheet, table.title, word,
                     [{"id": c, "label": col_labels[c]} for c in col_labels], rows)


# -- Word tables


class WordXml:
    """A block of WordprocessingML that a template places with ``{{p … }}``.

    Built with python-docx in a scratch document and inserted as XML: the tables use
    direct formatting only, so nothing else (styles, media) has to travel with them.
    ``__html__`` marks it safe for the autoescaping environment.
    """

    def __init__(self, xml: str):
        self.xml = xml

    def __str__(self) -> str:
        return self.xml

    __html__ = __str__

    @classmethod
    def table(cls, *args: Any, **kwargs: Any) -> WordXml:
        scratch = Document()
        table = add_word_table(scratch, *args, **kwargs)
        return cls(etree.tostring(table._tbl, encoding="unicode"))


def _set_cell_width(cell: Any, mm: float) -> None:
    cell.width = Mm(mm)


def _borders(table: Any) -> None:
    """Thin black borders and fixed widths; elements in the order the schema wants."""
    table.autofit = False  # w:tblLayout fixed
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar",
                                           "w:tblLook", "w:tblCaption", "w:tblDescription")


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def _no_split(row: Any) -> None:
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _write(cell: Any, text: str, *, bold: bool = False, italic: bool = False,
           align: Any = WD_ALIGN_PARAGRAPH.CENTER, size: float = 12) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    para = cell.paragraphs[0]
    para.alignment = align
    fmt = para.paragraph_format
    fmt.space_before = fmt.space_after = Pt(2)
    fmt.first_line_indent = Mm(0)
    fmt.left_indent = fmt.right_indent = Mm(0)
    fmt.line_spacing = 1.0
    for child in list(para._p):
        if child.tag != qn("w:pPr"):
            para._p.remove(child)
    run = para.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)


def add_word_table(doc: Any, groups: list[tuple[str | None, list[str]]],
                   col_labels: dict[str, str], corner: str, rows: list[dict[str, Any]],
                   width_mm: float = APPENDIX_WIDTH_MM, text_columns: bool = False) -> Any:
    """A real Word table: merged group headers repeated on every page, figures right-aligned,
    the total row bold, "-" where there is no figure."""
    ordered = [c for _, cs in groups for c in cs]
    two_rows = any(g is not None for g, _ in groups)
    n_head = 2 if two_rows else 1
    n = max(len(ordered), 1)
    if text_columns:  # a list: STT then text columns sharing the width
        label_mm, other_mm = 14, (width_mm - 14) / n
    else:  # figures 22–40 mm wide; a long-labelled table with few columns stays narrower
        other_mm = min(max((width_mm - 46) / n, 22), 40)
        label_mm = min(max(width_mm - other_mm * n, 46), 120)
    table = doc.add_table(rows=n_head + len(rows), cols=1 + len(ordered))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    grid = table._tbl.tblGrid
    for i, gc in enumerate(grid.findall(qn("w:gridCol"))):
        gc.set(qn("w:w"), str(int(Mm(label_mm if i == 0 else other_mm).twips)))
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            _set_cell_width(cell, label_mm if i == 0 else other_mm)
    for r in range(n_head):
        _repeat_header(table.rows[r])
    # header
    if two_rows:
        corner_cell = table.cell(0, 0).merge(table.cell(1, 0))
        _write(corner_cell, corner, bold=True)
        j = 1
        for group, cols in groups:
            if group is None:
                for c in cols:
                    cell = table.cell(0, j).merge(table.cell(1, j))
                    _write(cell, col_labels[c], bold=True, size=11)
                    j += 1
                continue
            top = table.cell(0, j)
            if len(cols) > 1:
                top = top.merge(table.cell(0, j + len(cols) - 1))
            _write(top, group, bold=True, size=11)
            for c in cols:
                _write(table.cell(1, j), col_labels[c], bold=True, size=11)
                j += 1
    else:
        _write(table.cell(0, 0), corner, bold=True)
        for j, c in enumerate(ordered, start=1):
            _write(table.cell(0, j), col_labels[c], bold=True, size=11)
    # body (a row's cells at once: table.cell() walks the whole grid each time)
    for row, word_row in zip(rows, table.rows[n_head:], strict=True):
        _no_split(word_row)
        bold = bool(row.get("is_total"))
        cells = word_row.cells
        _write(cells[0], row["label"], bold=bold,
               align=WD_ALIGN_PARAGRAPH.CENTER if text_columns else WD_ALIGN_PARAGRAPH.LEFT)
        for cell, text in zip(cells[1:], row["cells"], strict=True):
            numeric = bool(re.fullmatch(r"-|[\d.]+(,\d+)?%?‰?", text))
            _write(cell, text, bold=bold,
                   align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
    return table


# -- narrative


def _narrative(rollup: Rollup) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Per narrative field: the unit's own text and its units' answers, grouped and named.

    Answers are the direct children's (the communes of a district, the districts of a
    province); a child that wrote nothing is represented by its own units' answers.
    Identical answers are listed once, with every unit that gave them.
    """
    campaign, unit = rollup.campaign, rollup.unit
    spec = campaign.spec
    roster = campaign.roster.subtree(unit.code)
    texts: dict[tuple[str, str], str] = {}
    for rec in rollup.narrative.itertuples(index=False):
        text = clean_text(rec.text)
        if text:
            texts[(rec.unit, rec.field)] = text
    narrative: dict[str, Any] = {}
    for f in spec.narrative:
        answers: list[tuple[str, str]] = []
        for child in roster.children(unit.code):
            if (child.code, f.id) in texts:
                answers.append((child.name, texts[(child.code, f.id)]))
                continue
            for d in roster.descendants(child.code):
                if (d.code, f.id) in texts:
                    answers.append((d.name, texts[(d.code, f.id)]))
        grouped: dict[str, dict[str, Any]] = {}
        for name, text in answers:
            key = " ".join(text.casefold().split())
            entry = grouped.setdefault(key, {"units": [], "text": text})
            entry["units"].append(name)
        items = [{"names": ", ".join(g["units"]), "units": g["units"], "text": g["text"]}
                 for g in grouped.values()]
        own = texts.get((unit.code, f.id), "")
        narrative[f.id] = {"id": f.id, "label": f.label, "section": f.section, "own": own,
                           "answers": items, "any": bool(own or items)}
    sections = []
    for key, title in (spec.sections or {}).items():
        fields = [narrative[f.id] for f in spec.narrative if f.section == key]
        sections.append({"id": key, "title": title,
                         "heading": f"{key}. {title.upper()}", "fields": fields})
    loose = [narrative[f.id] for f in spec.narrative if f.section not in (spec.sections or {})]
    if loose:
        sections.append({"id": "", "title": "", "heading": "", "fields": loose})
    return narrative, sections


# -- chart


def _chart(tpl: DocxTemplate, rollup: Rollup) -> tuple[Any, str]:
    png = charts.chart_png(rollup)
    if png is None:
        return "", ""
    definition = charts.chart_def(rollup.campaign.spec)
    children = rollup.campaign.roster.children(rollup.unit.code)
    kinds = kinds_text(c.name for c in children)
    caption = (f"{definition.title if definition else ''} theo {kinds} của "
               f"{lower_kind(rollup.unit.name)} năm {rollup.campaign.period}")
    return InlineImage(tpl, io.BytesIO(png), width=Mm(160)), caption


# ----------------------------------------------------------------------- PDF


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(documents: list[Path], timeout: float | None = None) -> list[Path]:
    """PDFs beside the .docx files, through LibreOffice headless with a private profile."""
    if not documents:
        return []
    soffice = soffice_path()
    if soffice is None:
        written = "; ".join(str(d) for d in documents)
        raise ConsolidateError(
            "Không tạo được tệp PDF vì máy chưa cài LibreOffice (không có lệnh soffice). "
            f"Báo cáo Word đã được ghi: {written}. Hãy cài LibreOffice rồi chạy lại với --pdf, "
            "hoặc mở tệp .docx và lưu dưới dạng PDF.")
    with tempfile.TemporaryDirectory(prefix="consolidate-pdf-") as tmp:
        work = Path(tmp)
        out = work / "out"
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nologo", "--convert-to", "pdf",
                   "--outdir", str(out), *(str(d) for d in documents)]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=timeout or 120 + 30 * len(documents),
                                  env={**os.environ, "HOME": str(work)})
        except subprocess.TimeoutExpired as exc:
            raise ConsolidateError("LibreOffice không chuyển xong sang PDF trong thời gian "
                                   "cho phép; báo cáo Word vẫn đã được ghi") from exc
        pdfs = []
        for doc in documents:
            produced = out / f"{doc.stem}.pdf"
            if not produced.exists():
                detail = (done.stderr or done.stdout or "").strip().splitlines()
                raise ConsolidateError(
                    f"LibreOffice không chuyển được {doc.name} sang PDF"
                    + (f": {detail[-1]}" if detail else "") + "; báo cáo Word vẫn đã được ghi")
            target = doc.with_suffix(".pdf")
            atomic_write(target, produced.read_bytes())
            pdfs.append(target)
    return pdfs
