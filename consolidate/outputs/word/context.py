"""The template context of one unit's report: the same names for every form.

Everything a template may use is listed in :data:`CONTEXT_KEYS`, so a template can be
checked before anything is rendered; the entries themselves come from the roll-up, the
status of submissions, the roster and the campaign's settings (signer, recipients, …).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pandas as pd
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from consolidate.core.numbers import format_date_long, format_date_short
from consolidate.core.roster import Unit
from consolidate.core.vocabulary import kinds_text, lower_kind, place_name, unit_kind
from consolidate.core.workspace import Campaign
from consolidate.outputs import charts
from consolidate.outputs.word import bodies
from consolidate.outputs.word.narrative import narrative_context
from consolidate.outputs.word.status import status_context
from consolidate.outputs.word.tables import table_context
from consolidate.rollup.compute import Rollup

#: Every top-level name a template may use.
CONTEXT_KEYS = (
    "unit", "document", "form", "period", "period_label", "previous_period",
    "previous_period_label", "campaign", "status",
    "tables", "table_list", "values", "figures", "changes", "by_level", "previous",
    "narrative", "sections", "chart", "chart_caption", "signature", "recipients",
    "archive", "basis", "page_break",
)


def report_date(campaign: Campaign) -> dt.date:
    """The date on the report: the campaign's ``report_date`` setting, else today."""
    raw = campaign.settings.get("report_date")
    if raw:
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            pass
    return dt.date.today()


def build_context(tpl: DocxTemplate, rollup: Rollup, status: pd.DataFrame,
                  previous: Rollup | None, date: dt.date) -> dict[str, Any]:
    """The context of ``tpl`` (which the chart picture is attached to) for one unit."""
    campaign, spec = rollup.campaign, rollup.campaign.spec
    settings = campaign.settings or {}
    full = campaign.workspace.full_roster(campaign.roster_choice)
    own = full[rollup.unit.code]
    parent = None if bodies.is_top(full, own) else full[own.parent]  # the nation is no parent
    in_force = bodies.sector(full, campaign.period)
    unit = unit_context(rollup, parent, settings)
    if bodies.is_national(rollup.unit):  # the ministry's report, not a People's Committee's
        unit.update(ministry=in_force.ministry, body=in_force.ministry,
                    place=str(settings.get("place") or bodies.CAPITAL))
    unit["superior_body"] = bodies.superior_body(full, full[rollup.unit.code], in_force)
    figures = table_context(rollup, previous)
    chart, caption = _chart(tpl, rollup)
    narrative, sections = narrative_context(rollup)
    document = document_context(campaign, date, unit["place"])
    if bodies.is_national(rollup.unit):
        document["symbol"] = str(settings.get("symbol") or in_force.ministry_symbol)
    return {
        "unit": unit,
        "document": document,
        "form": {"id": spec.id, "title": spec.title, "short_title": spec.short_title,
                 "version": spec.version},
        "period": campaign.period,
        "period_label": campaign.period_label,
        "previous_period": previous.campaign.period if previous is not None else "",
        "previous_period_label": previous.campaign.period_label if previous is not None else "",
        "campaign": {"id": campaign.id, "deadline": campaign.deadline,
                     "deadline_text": campaign.deadline_text()},
        "status": status_context(status, rollup.unit.code, campaign.roster),
        "tables": figures.tables,
        "table_list": list(figures.tables.values()),
        "values": figures.values,
        "figures": figures.figures,
        "changes": figures.changes,
        "by_level": figures.by_level,
        "previous": figures.previous,
        "narrative": narrative,
        "sections": sections,
        "chart": chart,
        "chart_caption": caption,
        "signature": _signature(settings, bodies.is_national(rollup.unit)),
        "recipients": bodies.recipients(settings, full, full[rollup.unit.code], in_force,
                                        unit["kind"], unit["children_kinds"]),
        "archive": bodies.archive(settings, full[rollup.unit.code], in_force, full),
        "basis": bodies.basis_text(settings, unit["superior_body"]),
        "page_break": "\f",
    }


def unit_context(rollup: Rollup, parent: Unit | None, settings: dict[str, Any]) -> dict[str, Any]:
    """The reporting unit and its bodies as the header and the sentences name them."""
    unit = rollup.unit
    children = rollup.campaign.roster.children(unit.code)
    in_sentence = lower_kind(unit.name)
    return {
        "code": unit.code, "name": unit.name, "name_upper": unit.name.upper(),
        "level": unit.level, "kind": unit_kind(unit.name).lower(),
        "in_sentence": in_sentence,
        "body": f"Ủy ban nhân dân {in_sentence}",
        "body_short": f"UBND {unit_kind(unit.name).lower() or in_sentence}",
        "superior_body": f"Ủy ban nhân dân {lower_kind(parent.name) if parent else in_sentence}",
        "parent_name": parent.name if parent else "",
        "ministry": "",  # set for the nation: the header names the ministry instead
        "parent_body": str(settings.get("parent_body", "")),
        "place": str(settings.get("place") or place_name(unit.name)),
        "children_kinds": kinds_text(c.name for c in children),
    }


def document_context(campaign: Campaign, date: dt.date, place: str) -> dict[str, Any]:
    """Number, symbol, place and date, and the summary line under "BÁO CÁO"."""
    settings = campaign.settings or {}
    number = str(settings.get("number") or "").strip()
    title = campaign.spec.title
    summary = title[len("Báo cáo "):] if title.lower().startswith("báo cáo ") else title
    return {
        "number": number or "\u00a0" * 6,  # left blank for the clerk, as on paper
        "symbol": str(settings.get("symbol", "BC-UBND")),
        "date": date, "date_text": format_date_long(date), "date_short": format_date_short(date),
        "place": place, "kind": "BÁO CÁO",
        "summary": f"{summary[:1].upper()}{summary[1:]} {campaign.period_label}",
    }


def _signature(settings: dict[str, Any], ministry: bool = False) -> dict[str, str]:
    """Signing on behalf of the People's Committee; a deputy signs "KT. CHỦ TỊCH". A
    ministry's deputy minister signs "KT. BỘ TRƯỞNG" (no collective body above the line)."""
    if ministry:
        title = str(settings.get("signer_title") or "THỨ TRƯỞNG").upper()
        return {"authority": str(settings.get("sign_for") or ""),
                "deputy": "" if title == "BỘ TRƯỞNG" else "KT. BỘ TRƯỞNG",
                "title": title, "name": str(settings.get("signer") or "")}
    title = str(settings.get("signer_title") or "PHÓ CHỦ TỊCH").upper()
    return {
        "authority": str(settings.get("sign_for") or "TM. ỦY BAN NHÂN DÂN"),
        "deputy": "" if title == "CHỦ TỊCH" else "KT. CHỦ TỊCH",
        "title": title,
        "name": str(settings.get("signer") or ""),
    }


def _chart(tpl: DocxTemplate, rollup: Rollup) -> tuple[Any, str]:
    """The chart by child unit as a picture with its caption; nothing when there is none."""
    png = charts.chart_png(rollup)
    if png is None:
        return "", ""
    definition = charts.chart_def(rollup.campaign.spec)
    children = rollup.campaign.roster.children(rollup.unit.code)
    kinds = kinds_text(c.name for c in children)
    caption = (f"{definition.title if definition else ''} theo {kinds} của "
               f"{lower_kind(rollup.unit.name)} {rollup.campaign.period_label}")
    return InlineImage(tpl, io.BytesIO(png), width=Mm(160)), caption
