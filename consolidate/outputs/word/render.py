"""Templates in, .docx bytes out: find the template, check it, render one unit's report.

A template that cannot be read, has a Jinja error or uses a name the context lacks is
refused with a message naming the problem, before any report of the run is written.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from importlib.resources.abc import Traversable
from pathlib import Path

import pandas as pd
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, UndefinedError

from consolidate.core.errors import ConsolidateError
from consolidate.core.resources import shipped_templates
from consolidate.core.spec import FormSpec
from consolidate.core.workspace import Campaign
from consolidate.outputs.word.context import CONTEXT_KEYS, build_context, report_date
from consolidate.outputs.word.filters import jinja_env
from consolidate.rollup.compute import Rollup

#: The template of a form that has none of its own.
GENERIC_TEMPLATE = "chung"


def default_template(spec: FormSpec) -> Traversable:
    """The form's own shipped template, else the generic one."""
    shipped = shipped_templates()
    return shipped.get(spec.id, shipped[GENERIC_TEMPLATE])


def _docx(path: Traversable) -> DocxTemplate:
    """A template read from its bytes: a shipped one may not be a plain file on disk."""
    return DocxTemplate(io.BytesIO(path.read_bytes()))


def check_template(path: Traversable) -> None:
    """Refuse a template that cannot be read, has a Jinja error or uses an unknown name."""
    if not path.is_file():
        raise ConsolidateError("template-invalid", file=path, detail="không tìm thấy tệp")
    if not zipfile.is_zipfile(io.BytesIO(path.read_bytes())):
        raise ConsolidateError("template-invalid", file=path.name,
                               detail="không phải tệp Word .docx")
    env = jinja_env()
    try:
        used = _docx(path).get_undeclared_template_variables(env)
    except TemplateSyntaxError as exc:
        raise ConsolidateError("template-invalid", file=path.name,
                               detail=f"có lỗi cú pháp Jinja: {exc.message}") from exc
    except Exception as exc:  # a damaged .docx: python-docx/lxml errors of many kinds
        raise ConsolidateError("template-invalid", file=path.name,
                               detail=f"không đọc được tệp: {exc}") from exc
    unknown = sorted(used - set(CONTEXT_KEYS) - set(env.globals))
    if unknown:
        listed = ", ".join(f"'{v}'" for v in unknown)
        raise ConsolidateError(
            "template-invalid", file=path.name,
            detail=f"dùng biến không có trong dữ liệu báo cáo: {listed}. "
                   f"Các biến dùng được: {', '.join(CONTEXT_KEYS)}. Chưa ghi tệp nào.")


class WordRenderer:
    """Renders one campaign's Word reports; the template is checked when it is created,
    so a bad template stops a run before its first file."""

    def __init__(self, campaign: Campaign, template: Path | None = None,
                 date: dt.date | None = None):
        self.campaign = campaign
        self.template = Path(template) if template else default_template(campaign.spec)
        check_template(self.template)
        self.date = date or report_date(campaign)

    def render(self, rollup: Rollup, status: pd.DataFrame,
               previous: Rollup | None = None) -> bytes:
        """One unit's report; ``previous`` is the same unit's roll-up a period earlier."""
        return render_document(rollup, status, self.template, previous=previous,
                               date=self.date)


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
            "template-invalid", file=path.name,
            detail=f"dùng biến không có trong dữ liệu báo cáo: {exc.message}") from exc
    except TemplateSyntaxError as exc:
        raise ConsolidateError("template-invalid", file=path.name,
                               detail=f"có lỗi cú pháp Jinja: {exc.message}") from exc
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()
