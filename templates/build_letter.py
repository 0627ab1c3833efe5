"""Build the request letter's template: ``python templates/build_letter.py`` writes
``templates/cong-van.docx``.

A công văn (Nghị định 30/2020/NĐ-CP, Phụ lục I): the header block of the reports, the
summary "V/v …" under the number, "Kính gửi", the request (basis, deadline, cut-off,
forms attached, whom to call), Nơi nhận and signature; then on landscape pages the
outline of the report (đề cương báo cáo) with its tables, read from the form spec by
:mod:`consolidate.outputs.letter`. The page, paragraph and table helpers are those of
``build_templates.py``; an officer may edit the .docx, keeping the ``{{ … }}`` tags.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_templates import (  # noqa: E402 - the report templates' helpers
    CENTER,
    HERE,
    LEFT,
    appendix_section,
    body,
    header_block,
    heading,
    new_document,
    para,
    save,
    signature_block,
    tag,
)

NAME = "cong-van.docx"


def _summary(doc) -> None:
    """'V/v …' under the number, in the header's left column (12–13 pt, centred)."""
    cell = doc.tables[-1].cell(1, 0)
    para(cell, "{{ document.summary }}", size=12, align=CENTER, before=2)


def _request(doc) -> None:
    para(doc, "Kính gửi: {{ addressees }}.", size=14, align=CENTER, before=18, after=12)
    tag(doc, "{%p if basis %}")
    body(doc, "Thực hiện {{ basis }}; để tổng hợp, báo cáo {{ form.short_title|lower }} "
              "{{ period_label }}, {{ unit.body }} đề nghị {{ addressees }} báo cáo kết quả "
              "theo đề cương và các biểu số liệu kèm theo.")
    tag(doc, "{%p else %}")
    body(doc, "Để tổng hợp, báo cáo {{ form.short_title|lower }} {{ period_label }}, "
              "{{ unit.body }} đề nghị {{ addressees }} báo cáo kết quả theo đề cương và các "
              "biểu số liệu kèm theo.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if campaign.cutoff_text %}")
    body(doc, "Số liệu báo cáo tính {{ campaign.cutoff_text }}.")
    tag(doc, "{%p endif %}")
    body(doc, "Các biểu số liệu điền vào biểu mẫu Excel gửi kèm Công văn này (mỗi đơn vị một "
              "tệp, không sửa tên trang, không thêm hay xóa dòng, cột); gửi lại tệp Excel đã "
              "điền cùng báo cáo có chữ ký, đóng dấu về {{ unit.body }}"
              "{{ (' ' ~ campaign.deadline_text) if campaign.deadline_text else '' }} để tổng "
              "hợp, báo cáo cấp trên theo quy định.")
    tag(doc, "{%p if contact %}")
    body(doc, "Thông tin chi tiết xin liên hệ: {{ contact }}.")
    tag(doc, "{%p endif %}")
    body(doc, "Đề nghị {{ addressees }} quan tâm, thực hiện./.")


def _outline(doc) -> None:
    """The outline on landscape pages: sections, numbered items, points, tables."""
    appendix_section(doc)
    para(doc, "ĐỀ CƯƠNG", bold=True, size=14, align=CENTER, keep_next=True)
    para(doc, "{{ form.title|upper }} {{ period_label|upper }}", bold=True, size=14,
         align=CENTER, keep_next=True)
    para(doc, "(Kèm theo Công văn số {{ document.number }}/{{ document.symbol }} ngày "
              "{{ document.date|vn_date('short') }} của {{ unit.body }})",
         italic=True, size=14, align=CENTER, after=12, keep_next=True)
    tag(doc, "{%p for s in outline %}")
    tag(doc, "{%p if s.heading %}")
    heading(doc, "{{ s.heading }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for item in s.entries %}")
    heading(doc, "{{ item.label }}", 2)
    tag(doc, "{%p for p in item.points %}")
    body(doc, "- {{ p }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for t in item.tables %}")
    _table(doc)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for t in s.tables %}")
    _table(doc)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")


def _table(doc) -> None:
    para(doc, "{{ t.caption }}", italic=True, bold=True, size=13, align=LEFT, before=6,
         after=4, keep_next=True)
    para(doc, "{{p t.table }}", style="Normal")
    para(doc, style="Normal", after=6)  # a line between the table and the next item


def letter(path: Path) -> None:
    doc = new_document()
    props = doc.core_properties
    props.title = "Công văn đề nghị báo cáo {{ form.short_title }} {{ period_label }}"
    props.subject = "{{ document.summary }}"
    header_block(doc)
    _summary(doc)
    _request(doc)
    signature_block(doc)
    _outline(doc)
    save(doc, path)


def build(folder: Path = HERE) -> Path:
    letter(folder / NAME)
    return folder / NAME


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
