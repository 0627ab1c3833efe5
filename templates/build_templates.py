"""Build the Word report templates in this folder: ``python templates/build_templates.py``.

The .docx files are the real templates: an officer may open them in Word or LibreOffice
and edit the wording, the recipients or the layout, keeping the ``{{ … }}`` tags. This
script is how the shipped ones were made, so they can be rebuilt after a change of
format: every page, paragraph and table property of Nghị định 30/2020/NĐ-CP, Phụ lục I
is set here (A4, margins, Times New Roman, header table with the rules under the issuing
body and the motto, italic place and date, page numbers from page 2, Nơi nhận and
signature block, appendices on landscape pages).

The context the tags may use is described in ``consolidate/outputs/word/__init__.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"
CENTER, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

# Page (ND30: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm).
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH = 210 - MARGINS["left"] - MARGINS["right"]  # 165 mm
HEADER_COLUMNS = (68, 97)  # issuing body | national name and motto
CELL_PADDING = 1.9  # Word's default left/right cell margin, mm
BODY_SIZE = 14
FIRST_LINE = 12.7  # mm


# --------------------------------------------------------------------------- styles


def _fonts(rpr: OxmlElement) -> None:
    """Times New Roman for every script; no theme font that would override it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if "Theme" in attr or "theme" in attr:
            del fonts.attrib[attr]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")


def _style(doc, name: str, *, size: float = BODY_SIZE, bold: bool = False,
           italic: bool = False, align=JUSTIFY, first_line: float = 0, before: float = 0,
           after: float = 0, line: float = 1.0, keep_next: bool = False, base: str | None = None):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(
        name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    font = style.font
    font.name, font.size, font.bold, font.italic = FONT, Pt(size), bold, italic
    font.color.rgb = RGBColor(0, 0, 0)
    _fonts(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Mm(first_line) if first_line else Mm(0)
    fmt.left_indent = fmt.right_indent = Mm(0)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = line
    fmt.keep_with_next = keep_next
    fmt.widow_control = True
    return style


def setup_styles(doc) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    for style in doc.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            rpr = style.element.find(qn("w:rPr"))
            if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
                _fonts(rpr)
    _style(doc, "Normal", align=LEFT)
    # Body (ND30): 13–14 pt, justified, first line 1–1.27 cm, ≥ 6 pt apart, single–1.5 lines.
    _style(doc, "Body Text", first_line=FIRST_LINE, before=0, after=6, line=1.15, base="Normal")
    # Headings: "I. …" capitals bold; "1. …" bold.
    _style(doc, "Heading 1", bold=True, first_line=FIRST_LINE, before=6, after=6, line=1.15,
           keep_next=True, base="Normal")
    _style(doc, "Heading 2", bold=True, first_line=FIRST_LINE, before=0, after=6, line=1.15,
           keep_next=True, base="Normal")
    _style(doc, "Caption", size=13, italic=True, align=CENTER, before=0, after=6,
           base="Normal")
    for name in ("Heading 1", "Heading 2"):  # no theme colour, no Word blue
        rpr = doc.styles[name].element.get_or_add_rPr()
        color = rpr.find(qn("w:color"))
        if color is not None:
            for attr in list(color.attrib):
                if "theme" in attr.lower():
                    del color.attrib[attr]


# --------------------------------------------------------------------------- helpers


def para(container, text: str = "", *, style: str | None = None, bold: bool | None = None,
         italic: bool | None = None, size: float | None = None, align=None,
         before: float | None = None, after: float | None = None, first_line: float | None = None,
         keep_next: bool | None = None, page_break_before: bool = False, line: float | None = None):
    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    fmt = p.paragraph_format
    if align is not None:
        fmt.alignment = align
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if first_line is not None:
        fmt.first_line_indent = Mm(first_line)
    if keep_next is not None:
        fmt.keep_with_next = keep_next
    if line is not None:
        fmt.line_spacing = line
    if page_break_before:
        fmt.page_break_before = True
    return p


def tag(container, text: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}); removed when rendered."""
    return para(container, text, style="Normal")


def rule(container, length_mm: float, width_mm: float, after: float = 0):
    """A solid rule of ``length_mm`` centred in a column ``width_mm`` wide: the top border
    of an empty, 2-pt paragraph right under the line it underlines, 3 pt below it so the
    dots under Vietnamese letters (Ạ, Ộ) stay clear."""
    p = para(container, style="Normal", align=CENTER, before=3, after=after)
    indent = max((width_mm - length_mm) / 2, 0)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(indent)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{k}"), v)
    borders.append(top)
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens",
                              "w:spacing", "w:ind", "w:jc", "w:rPr")
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "4")
    rpr.append(sz)
    ppr.append(rpr)
    p.paragraph_format.line_spacing = Pt(2)
    return p


def borderless(table) -> None:
    """No borders, fixed column widths; elements in the order the schema wants."""
    table.autofit = False  # w:tblLayout fixed
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar",
                                           "w:tblLook", "w:tblCaption", "w:tblDescription")


def two_columns(doc, widths: tuple[float, float], rows: int = 1):
    table = doc.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(table)
    for i, gc in enumerate(table._tbl.tblGrid.findall(qn("w:gridCol"))):
        gc.set(qn("w:w"), str(int(Mm(widths[i]).twips)))
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Mm(widths[i])
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return table


def cant_split(row) -> None:
    """A table row Word and LibreOffice never break across two pages."""
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def page_number_field(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def preserve_spaces(doc) -> None:
    """Keep the blank number in "Số:      /BC-UBND" and every other run's spaces."""
    for t in doc.element.body.iter(qn("w:t")):
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


# --------------------------------------------------------------------------- blocks


def page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.PORTRAIT
    for side, mm in MARGINS.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Page numbers: centred in the top margin, Arabic 14 pt, not on the first page.
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.style = doc.styles["Normal"]
    p.paragraph_format.alignment = CENTER
    page_number_field(p)
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].style = doc.styles["Normal"]


def header_block(doc) -> None:
    """Issuing body | national name and motto; Số | place and date: a borderless table."""
    left_w, right_w = HEADER_COLUMNS
    table = two_columns(doc, HEADER_COLUMNS, rows=2)
    left, right = table.cell(0, 0), table.cell(0, 1)
    tag(left, "{%p if unit.parent_body %}")
    para(left, "{{ unit.parent_body|upper }}", size=13, align=CENTER)
    tag(left, "{%p endif %}")
    tag(left, "{%p if unit.ministry %}")
    para(left, "{{ unit.ministry|upper }}", bold=True, size=13, align=CENTER)
    tag(left, "{%p else %}")
    para(left, "ỦY BAN NHÂN DÂN", bold=True, size=13, align=CENTER)
    para(left, "{{ unit.name_upper }}", bold=True, size=13, align=CENTER)
    tag(left, "{%p endif %}")
    rule(left, 22, left_w - 2 * CELL_PADDING)
    # 12 pt keeps the national name on one line (87.7 mm in Times New Roman bold)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, align=CENTER)
    para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, align=CENTER)
    rule(right, 56, right_w - 2 * CELL_PADDING)  # as long as the motto: 56 mm at 13 pt bold
    para(table.cell(1, 0), "Số: {{ document.number }}/{{ document.symbol }}", size=13,
         align=CENTER, before=6)
    para(table.cell(1, 1), "{{ document.place }}, {{ document.date|vn_date }}", italic=True,
         size=14, align=CENTER, before=6)


def title_block(doc, summary: str = "{{ document.summary }}") -> None:
    para(doc, "{{ document.kind }}", bold=True, size=14, align=CENTER, before=18, after=0,
         keep_next=True)
    para(doc, summary, bold=True, size=14, align=CENTER, keep_next=True)
    rule(doc, 55, TEXT_WIDTH, after=12)


def body(doc, text: str):
    return para(doc, text, style="Body Text")


def known(*paths: str) -> str:
    """A Jinja test that at least one of these values (``values.…``) was reported."""
    return f"[{', '.join(paths)}]|reject('none')|list"


def fig(table: str, row: str, col: str = "so_lieu", before: str = "", after: str = "",
        change: bool = False) -> tuple[str, str]:
    """One optional clause: the value it depends on and the Jinja expression it reads
    (with ``change``, the comparison with the previous period after it)."""
    expr = f"'{before}' ~ figures.{table}.{row}.{col} ~ '{after}'"
    if change:
        expr += f" ~ (changes.{table}.{row}.{col}|vn_paren)"
    return f"values.{table}.{row}.{col}", expr


def parts(items: list[tuple[str, str]], sep: str = ", ") -> str:
    """The clauses whose figure is known, joined: a missing figure leaves its clause out
    instead of reading "(chưa có số liệu)" inside a sentence."""
    inner = ", ".join(f"({expr} if {value} is not none else '')" for value, expr in items)
    return f"{{{{ [{inner}]|select|join('{sep}') }}}}"


def group(items: list[tuple[str, str]], sep: str = ", ") -> tuple[str, str]:
    """Clauses joined as one clause of a longer list ("nam 4.814 em, nữ 4.553 em")."""
    inner = ", ".join(f"({expr} if {value} is not none else '')" for value, expr in items)
    return "true", f"([{inner}]|select|join('{sep}'))"


def _with_detail(clause: tuple[str, str], detail: tuple[str, str]) -> tuple[str, str]:
    """A clause followed by its breakdown in brackets, when any part of it is known."""
    value, expr = clause
    inner = detail[1]
    return value, f"{expr} ~ ((' (' ~ {inner} ~ ')') if {inner} else '')"


def sentence(doc, needed: list[str], text: str, missing: str) -> None:
    """A sentence when any of its figures is known, else one plain line saying none is."""
    tag(doc, f"{{%p if {known(*needed)} %}}")
    body(doc, text)
    tag(doc, "{%p else %}")
    body(doc, missing)
    tag(doc, "{%p endif %}")


def heading(doc, text: str, level: int = 1):
    return para(doc, text, style=f"Heading {level}")


def narrative(doc, field: str) -> None:
    """The reporting unit's own answer, then its units' answers, each attributed."""
    n = f"narrative.{field}"
    tag(doc, f"{{%p if {n}.own %}}")
    body(doc, f"- {{{{ {n}.own }}}}")
    tag(doc, "{%p endif %}")
    tag(doc, f"{{%p for a in {n}.answers %}}")
    body(doc, "- {{ a.names }}: {{ a.text }}")
    tag(doc, "{%p endfor %}")


def chart_block(doc, number: str = "1") -> None:
    tag(doc, "{%p if chart %}")
    para(doc, "{{ chart }}", style="Normal", align=CENTER, before=6, keep_next=True)
    para(doc, f"Hình {number}. {{{{ chart_caption }}}}", style="Caption")
    tag(doc, "{%p endif %}")


def signature_block(doc) -> None:
    """Nơi nhận (left) and the signing authority (right), level with each other."""
    para(doc, style="Normal", after=6, keep_next=True)
    table = two_columns(doc, (80, 85))
    cant_split(table.rows[0])  # Nơi nhận and the signature stay on one page
    left, right = table.cell(0, 0), table.cell(0, 1)
    para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=LEFT)
    tag(left, "{%p for r in recipients %}")
    para(left, "- {{ r }};", size=11, align=LEFT)
    tag(left, "{%p endfor %}")
    para(left, "- Lưu: {{ archive }}.", size=11, align=LEFT)
    para(right, "{{ signature.authority }}", bold=True, size=14, align=CENTER)
    tag(right, "{%p if signature.deputy %}")
    para(right, "{{ signature.deputy }}", bold=True, size=14, align=CENTER)
    tag(right, "{%p endif %}")
    para(right, "{{ signature.title }}", bold=True, size=14, align=CENTER)
    for _ in range(4):  # room for the signature and the seal
        para(right, size=14, align=CENTER)
    para(right, "{{ signature.name }}", bold=True, size=14, align=CENTER, before=12)


def appendix_section(doc) -> None:
    """Appendices on landscape A4 pages; page numbers go on."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side, mm in MARGINS.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.different_first_page_header_footer = False
    section.header.is_linked_to_previous = True
    section.first_page_header.is_linked_to_previous = True


def appendix(doc, table: str, first: bool) -> None:
    t = f"tables.{table}"
    para(doc, f"{{{{ {t}.sheet }}}}", bold=True, size=14, align=CENTER, keep_next=True,
         page_break_before=not first)
    para(doc, f"{{{{ {t}.title|upper }}}}", bold=True, size=14, align=CENTER, keep_next=True)
    para(doc, "(Kèm theo Báo cáo số {{ document.number }}/{{ document.symbol }} ngày "
              "{{ document.date|vn_date('short') }} của {{ unit.body }})",
         italic=True, size=14, align=CENTER, after=12, keep_next=True)
    para(doc, f"{{{{p {t}.table }}}}", style="Normal")
    para(doc, "Ghi chú: dấu “-” là không có số liệu.", italic=True, size=12, align=LEFT,
         before=6)


def new_document():
    doc = Document()
    setup_styles(doc)
    page_setup(doc)
    props = doc.core_properties
    props.author = "{{ unit.body }}"
    props.title = "Báo cáo {{ form.short_title }} {{ period_label }} – {{ unit.name }}"
    props.subject = "{{ document.summary }}"
    props.comments = "Tạo bởi consolidate từ mẫu báo cáo; cán bộ đọc, chỉnh sửa và trình ký."
    props.language = "vi-VN"
    props.last_modified_by = "consolidate"
    props.created = props.modified = dt.datetime(2024, 1, 1)
    props.revision = 1
    props.keywords = ""
    props.category = ""
    return doc


def save(doc, path: Path) -> None:
    preserve_spaces(doc)
    doc.save(path)


# --------------------------------------------------------------------------- templates


def opening(intro: str):
    """A new report: header, title, the opening sentence and who the figures come from."""
    doc = new_document()
    header_block(doc)
    title_block(doc)
    body(doc, intro)
    tag(doc, "{%p if status.sentence %}")
    body(doc, "{{ status.sentence }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if status.gaps_sentence %}")
    body(doc, "{{ status.gaps_sentence }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if status.coverage %}")
    body(doc, "Các số liệu trong báo cáo này chỉ gồm số liệu của các đơn vị đã báo cáo "
              "({{ status.coverage }}), chưa phải số liệu của toàn {{ unit.kind or 'đơn vị' }}.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if not status.received and status.total %}")
    body(doc, "Chưa nhận được báo cáo nào của các đơn vị trực thuộc; báo cáo chỉ gồm số liệu "
              "của {{ unit.body }} (nếu có).")
    tag(doc, "{%p endif %}")
    return doc


def closing(doc, assessment: list[tuple[str, str]], subject: str) -> None:
    """The assessment headings with the units' answers, the closing sentence, the signature."""
    for title, field_id in assessment:
        heading(doc, title, 2)
        narrative(doc, field_id)
    closing_line = body(doc, f"Trên đây là báo cáo {subject} {{{{ period_label }}}} của "
                             "{{ unit.body }}./.")
    closing_line.paragraph_format.keep_with_next = True  # never alone above the signature
    signature_block(doc)


def thang_hanh_dong(path: Path) -> None:
    """Tháng hành động vì trẻ em: the outline of seed 003, the figures of Biểu 1–3."""
    doc = opening("Thực hiện {{ basis }} về triển khai Tháng hành động vì trẻ em "
                  "{{ period_label }}, {{ unit.body }} báo cáo kết quả thực hiện như sau:")

    heading(doc, "I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN")
    heading(doc, "1. Công tác chỉ đạo, ban hành kế hoạch triển khai", 2)
    narrative(doc, "chi_dao")

    heading(doc, "2. Phát động Tháng hành động vì trẻ em", 2)
    v1 = "values.bieu_1.tong"
    sentence(doc, [f"{v1}.so_diem_phat_dong", f"{v1}.so_tre_em_tham_du"],
             f"- {{% if {v1}.so_diem_phat_dong is not none %}}Tổ chức "
             "{{ figures.bieu_1.tong.so_diem_phat_dong }} điểm phát động"
             f"{{% if {v1}.so_tre_em_tham_du is not none %}} với "
             "{{ figures.bieu_1.tong.so_tre_em_tham_du }} trẻ em tham dự{% endif %}"
             "{% else %}Lễ phát động có {{ figures.bieu_1.tong.so_tre_em_tham_du }} trẻ em "
             "tham dự{% endif %}{{ changes.bieu_1.tong.so_tre_em_tham_du|vn_paren }}"
             "{% if by_level.bieu_1.so_tre_em_tham_du %}, trong đó "
             "{{ by_level.bieu_1.so_tre_em_tham_du }}{% endif %}.",
             "- Lễ phát động: chưa có số liệu.")
    narrative(doc, "phat_dong")

    heading(doc, "3. Nội dung hoạt động đã triển khai", 2)
    sentence(doc, [f"{v1}.cong_trinh_xay_moi", f"{v1}.cong_trinh_nang_cap"],
             "- " + parts([fig("bieu_1", "tong", "cong_trinh_xay_moi", "Xây mới ",
                               " công trình"),
                           fig("bieu_1", "tong", "cong_trinh_nang_cap", "nâng cấp ",
                               " công trình")]) + " dành cho trẻ em.",
             "- Công trình dành cho trẻ em: chưa có số liệu.")
    narrative(doc, "noi_dung")

    heading(doc, "4. Kinh phí thực hiện", 2)
    tag(doc, f"{{%p if {known(f'{v1}.nsnn', f'{v1}.van_dong')} %}}")
    body(doc, "Tổng kinh phí thực hiện Tháng hành động: "
              "{{ [values.bieu_1.tong.nsnn, values.bieu_1.tong.van_dong]|vn_sum|vn_money }}"
              "{% if values.bieu_1.tong.nsnn is not none and values.bieu_1.tong.van_dong "
              "is not none %}, trong đó ngân sách nhà nước {{ figures.bieu_1.tong.nsnn }}, "
              "vận động {{ figures.bieu_1.tong.van_dong }}{% endif %}.")
    tag(doc, f"{{%p if {v1}.nsnn is not none %}}")
    body(doc, "a) Ngân sách Nhà nước: {{ figures.bieu_1.tong.nsnn }}"
              "{{ changes.bieu_1.tong.nsnn|vn_paren }}"
              "{% if by_level.bieu_1.nsnn %}; trong đó {{ by_level.bieu_1.nsnn }}{% endif %}.")
    tag(doc, "{%p endif %}")
    tag(doc, f"{{%p if {v1}.van_dong is not none %}}")
    body(doc, "b) Ngân sách vận động: {{ figures.bieu_1.tong.van_dong }}"
              "{{ changes.bieu_1.tong.van_dong|vn_paren }}"
              "{% if by_level.bieu_1.van_dong %}; trong đó {{ by_level.bieu_1.van_dong }}"
              "{% endif %}.")
    tag(doc, "{%p endif %}")
    body(doc, "(Chi tiết tại Biểu 1 kèm theo)")
    tag(doc, "{%p else %}")
    body(doc, "Kinh phí thực hiện: chưa có số liệu.")
    tag(doc, "{%p endif %}")
    narrative(doc, "kinh_phi")

    heading(doc, "5. Hoạt động hỗ trợ trẻ em", 2)
    v2 = "values.bieu_2.tong"
    for what, count, money in (
            ("Tặng quà cho", "tang_qua_so_tre_em", "tang_qua_kinh_phi"),
            ("Cấp học bổng cho", "hoc_bong_so_tre_em", "hoc_bong_kinh_phi"),
            ("Khám bệnh, chữa bệnh miễn phí cho", "kham_benh_so_tre_em", "kham_benh_kinh_phi")):
        tag(doc, f"{{%p if {known(f'{v2}.{count}', f'{v2}.{money}')} %}}")
        body(doc, "- " + parts([fig("bieu_2", "tong", count, f"{what} ", " trẻ em", True),
                                fig("bieu_2", "tong", money, "kinh phí ")]) + ".")
        tag(doc, "{%p endif %}")
    support = [f"{v2}.{c}" for c in ("tang_qua_so_tre_em", "hoc_bong_so_tre_em",
                                     "kham_benh_so_tre_em", "tang_qua_kinh_phi",
                                     "hoc_bong_kinh_phi", "kham_benh_kinh_phi")]
    tag(doc, f"{{%p if not {known(*support)} %}}")
    body(doc, "- Hoạt động hỗ trợ trẻ em: chưa có số liệu.")
    tag(doc, "{%p endif %}")
    body(doc, "(Chi tiết tại Biểu 2 kèm theo)")
    narrative(doc, "ho_tro")

    heading(doc, "6. Hoạt động có sự tham gia của trẻ em và vui chơi giải trí", 2)
    v3 = "values.bieu_3.tong"
    sentence(doc, [f"{v3}.tham_gia_so_hoat_dong", f"{v3}.tham_gia_so_tre_em"],
             "- " + parts([fig("bieu_3", "tong", "tham_gia_so_hoat_dong", "Tổ chức ",
                               " hoạt động có sự tham gia của trẻ em (diễn đàn, hội nghị, hội "
                               "thảo, tọa đàm, câu lạc bộ, lấy ý kiến trẻ em…)"),
                           fig("bieu_3", "tong", "tham_gia_so_tre_em", "",
                               " lượt trẻ em tham gia")], " với ")
             + "{{ changes.bieu_3.tong.tham_gia_so_tre_em|vn_paren }}.",
             "- Hoạt động có sự tham gia của trẻ em: chưa có số liệu.")
    sentence(doc, [f"{v3}.vui_choi_so_hoat_dong", f"{v3}.vui_choi_so_tre_em"],
             "- " + parts([fig("bieu_3", "tong", "vui_choi_so_hoat_dong", "Tổ chức ",
                               " hoạt động vui chơi, giải trí (hội thi, cắm trại, thể thao, du "
                               "lịch, tham quan)"),
                           fig("bieu_3", "tong", "vui_choi_so_tre_em", "",
                               " lượt trẻ em tham gia")], " với ")
             + "{{ changes.bieu_3.tong.vui_choi_so_tre_em|vn_paren }}.",
             "- Hoạt động vui chơi, giải trí: chưa có số liệu.")
    body(doc, "(Chi tiết tại Biểu 3 kèm theo)")
    narrative(doc, "tham_gia")
    chart_block(doc)

    heading(doc, "II. ĐÁNH GIÁ CHUNG")
    closing(doc, [("1. Những kết quả đã đạt được, bài học kinh nghiệm", "ket_qua"),
                  ("2. Những khó khăn, tồn tại, hạn chế", "ton_tai"),
                  ("3. Kiến nghị, đề xuất", "kien_nghi")],
            "kết quả triển khai, thực hiện Tháng hành động vì trẻ em")

    appendix_section(doc)
    for i, table in enumerate(("bieu_1", "bieu_2", "bieu_3")):
        appendix(doc, table, first=i == 0)
    save(doc, path)


RIGHTS_INDICATORS = (  # (id, how the seed's body names it)
    ("ct3_so_sinh", "Tỷ suất tử vong trẻ sơ sinh trên 1.000 trẻ đẻ sống"),
    ("ct3_duoi_1", "Tỷ suất tử vong của trẻ em dưới 1 tuổi trên 1.000 trẻ đẻ sống"),
    ("ct3_duoi_5", "Tỷ suất tử vong trẻ em dưới 5 tuổi trên 1.000 trẻ đẻ sống"),
    ("ct4_can_nang", "Tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể cân nặng theo tuổi"),
    ("ct4_chieu_cao", "Tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể chiều cao theo tuổi"),
    ("ct4_beo_phi", "Tỷ lệ trẻ em dưới 5 tuổi thừa cân, béo phì"),
    ("ct5_duoi_1", "Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ"),
    ("ct5_duoi_5", "Tỷ lệ trẻ em dưới 5 tuổi được tiêm chủng đầy đủ"),
    ("ct11_tai_nan", "Tỷ suất trẻ em bị tai nạn thương tích"),
    ("ct11_tu_vong", "Tỷ suất trẻ em tử vong do tai nạn thương tích"),
    ("ct13_tao_hon", "Tỷ lệ số cuộc tảo hôn"),
    ("ct14_khai_sinh", "Tỷ lệ trẻ em dưới 5 tuổi được đăng ký khai sinh"),
    ("ct21_diem_vui_choi", "Tỷ lệ xã, phường, thị trấn có điểm văn hóa, vui chơi dành cho trẻ em"),
)


def _indicator_sentence(ident: str, label: str) -> str:
    v = f"values.phu_luc_02.{ident}"
    unit = "‰" if ident.startswith(("ct3", "ct11")) else "%"
    parts = (f"{{% if {v}.co_khong %}} ({{{{ {v}.co_khong }}}} xã trả lời có)"
             f"{{% elif {v}.tu_so is not none and {v}.mau_so %}}"
             f" ({{{{ {v}.tu_so|vn_number }}}}/{{{{ {v}.mau_so|vn_number }}}}){{% endif %}}")
    plan = (f"{{% if {v}.ke_hoach %}}; kế hoạch {{{{ {v}.ke_hoach }}}}"
            f"{{% if {v}.danh_gia %}}, {{{{ {v}.danh_gia|lower }}}}{{% endif %}}{{% endif %}}")
    return (f"{{%p if {v}.ket_qua is not none %}}", f"- {label}: {{{{ {v}.ket_qua|vn_number(2) }}}}"
            f"{unit}{parts}{plan}.")


def quyen_tre_em(path: Path) -> None:
    """Quyền trẻ em: the sections of seeds 002 and 004, each opening with its figures."""
    doc = opening("Thực hiện {{ basis }} về việc báo cáo kết quả thực hiện quyền trẻ em, giải "
                  "quyết các vấn đề về trẻ em {{ period_label }}; {{ unit.body }} báo cáo kết "
                  "quả thực hiện như sau:")
    t, v = "figures.tinh_hinh", "values.tinh_hinh"
    heading(doc, "I. TÌNH HÌNH TRẺ EM")

    def th(row: str, before: str, after: str = " em") -> tuple[str, str]:
        return fig("tinh_hinh", row, before=before, after=after)

    sentence(doc, [f"{v}.tre_em.so_lieu"],
             "1. Tổng số trẻ em trên địa bàn{% if status.coverage %} các đơn vị đã báo cáo"
             f"{{% endif %}}: {{{{ {t}.tre_em.so_lieu }}}} em"
             f"{{% if {v}.dan_so.so_lieu and {v}.tre_em.so_lieu %}}, chiếm "
             f"{{{{ ({v}.tre_em.so_lieu / {v}.dan_so.so_lieu * 100)|vn_percent }}}} dân số "
             f"({{{{ {t}.tre_em.so_lieu }}}} em/{{{{ {t}.dan_so.so_lieu }}}} người){{% endif %}}"
             "{{ changes.tinh_hinh.tre_em.so_lieu|vn_paren }}"
             f"{{% if {known(*(f'{v}.{r}.so_lieu' for r in ('tre_em_nam', 'tre_em_nu', 'dan_toc_kinh', 'dan_toc_khac', 'duoi_6_tuoi')))} %}}; trong đó: "  # noqa: E501
             + parts([group([th("tre_em_nam", "nam "), th("tre_em_nu", "nữ ")]),
                      group([th("dan_toc_kinh", "trẻ em dân tộc Kinh "),
                             th("dan_toc_khac", "dân tộc khác ")]),
                      th("duoi_6_tuoi", "trẻ em dưới 6 tuổi ")], "; ")
             + "{% endif %}.",
             "1. Tổng số trẻ em trên địa bàn: chưa có số liệu.")
    tag(doc, f"{{%p if {v}.hcdb.so_lieu is not none %}}")
    body(doc, f"- Trẻ em có hoàn cảnh đặc biệt: {{{{ {t}.hcdb.so_lieu }}}} em"
              f"{{% if {known(*(f'{v}.{r}.so_lieu' for r in ('hcdb_mo_coi', 'hcdb_bo_roi', 'hcdb_khong_noi_nuong_tua', 'hcdb_khuyet_tat')))} %}} (trong đó: "  # noqa: E501
              + parts([th("hcdb_mo_coi", "mồ côi cả cha và mẹ "), th("hcdb_bo_roi", "bị bỏ rơi "),
                       th("hcdb_khong_noi_nuong_tua", "không nơi nương tựa "),
                       th("hcdb_khuyet_tat", "khuyết tật ")], "; ") + "){% endif %}.")
    tag(doc, "{%p endif %}")
    tag(doc, f"{{%p if {v}.nguy_co.so_lieu is not none %}}")
    body(doc, f"- Trẻ em có nguy cơ rơi vào hoàn cảnh đặc biệt: {{{{ {t}.nguy_co.so_lieu }}}} em"
              f"{{% if {v}.nguy_co_ho_ngheo.so_lieu is not none %}} (trong đó con hộ nghèo, hộ "
              f"cận nghèo {{{{ {t}.nguy_co_ho_ngheo.so_lieu }}}} em){{% endif %}}.")
    tag(doc, "{%p endif %}")
    tag(doc, f"{{%p if {v}.tu_16_den_18.so_lieu is not none %}}")
    body(doc, f"- Người chưa thành niên từ 16 đến dưới 18 tuổi: {{{{ {t}.tu_16_den_18.so_lieu }}}}"
              " người.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if values.tinh_hinh.co_so_tro_giup.so_lieu %}")
    body(doc, f"- Trẻ em đang sống tại cơ sở trợ giúp xã hội: {{{{ {t}.co_so_tro_giup.so_lieu }}}}"
              " em.")
    tag(doc, "{%p endif %}")
    b, vb = "figures.bao_luc", "values.bao_luc"
    body(doc, "2. Thực trạng trẻ em bị bạo lực, xâm hại")
    sentence(doc, [f"{vb}.bao_luc_vu.so_lieu"],
             f"- Bạo lực trẻ em: {{{{ {b}.bao_luc_vu.so_lieu }}}} vụ"
             f"{{% if {vb}.bao_luc_tre_em.so_lieu is not none %}} "
             f"({{{{ {b}.bao_luc_tre_em.so_lieu }}}} trẻ em){{% endif %}}"
             "{{ changes.bao_luc.bao_luc_vu.so_lieu|vn_paren }}.",
             "- Bạo lực trẻ em: chưa có số liệu.")
    sentence(doc, [f"{vb}.xam_hai_vu.so_lieu"],
             f"- Xâm hại tình dục trẻ em: {{{{ {b}.xam_hai_vu.so_lieu }}}} vụ"
             f"{{% if {vb}.xam_hai_tre_em.so_lieu is not none %}} "
             f"({{{{ {b}.xam_hai_tre_em.so_lieu }}}} trẻ em){{% endif %}}"
             f"{{% if {vb}.khoi_to_vu.so_lieu is not none %}}, khởi tố "
             f"{{{{ {b}.khoi_to_vu.so_lieu }}}} vụ{{% if {vb}.bi_can.so_lieu is not none %}} "
             f"({{{{ {b}.bi_can.so_lieu }}}} bị can){{% endif %}}{{% endif %}}.",
             "- Xâm hại tình dục trẻ em: chưa có số liệu.")

    def bl(row: str, before: str, after: str = " em") -> tuple[str, str]:
        return fig("bao_luc", row, before=before, after=after)

    sentence(doc, [f"{vb}.tai_nan.so_lieu", f"{vb}.tu_vong.so_lieu"],
             "3. Thực trạng trẻ em bị tai nạn thương tích: "
             + parts([bl("tai_nan", "tổng số trẻ em bị tai nạn thương tích ", " trẻ em"),
                      bl("tu_vong", "tử vong ", " trẻ em")])
             + f"{{% if {known(*(f'{vb}.{r}.so_lieu' for r in ('tu_vong_duoi_nuoc', 'tu_vong_giao_thong', 'tu_vong_khac')))} %}} ("  # noqa: E501
             + parts([bl("tu_vong_duoi_nuoc", "đuối nước "),
                      bl("tu_vong_giao_thong", "tai nạn giao thông "),
                      bl("tu_vong_khac", "nguyên nhân khác ")]) + "){% endif %}.",
             "3. Thực trạng trẻ em bị tai nạn thương tích: chưa có số liệu.")
    vk = "values.khai_sinh"

    def ks(row: str, before: str, after: str = "") -> tuple[str, str]:
        return fig("khai_sinh", row, before=before, after=after)

    sentence(doc, [f"{vk}.{r}.so_lieu" for r in ("khai_sinh", "con_nuoi_nuoc_ngoai",
                                                 "con_nuoi_trong_nuoc", "tao_hon")],
             "4. " + parts([_with_detail(ks("khai_sinh", "Đăng ký khai sinh cho ", " trẻ em"),
                                        group([group([ks("khai_sinh_nam", "nam "),
                                                      ks("khai_sinh_nu", "nữ ")]),
                                               group([ks("khai_sinh_dung_han", "đúng hạn "),
                                                      ks("khai_sinh_qua_han", "quá hạn ")])],
                                              "; ")),
                            ks("con_nuoi_nuoc_ngoai", "",
                               " trẻ em được nhận làm con nuôi có yếu tố nước ngoài"),
                            ks("con_nuoi_trong_nuoc", "",
                               " trẻ em được nhận làm con nuôi trong nước"),
                            ks("tao_hon", "", " cuộc tảo hôn")], "; ") + ".",
             "4. Đăng ký khai sinh, nhận con nuôi, tảo hôn: chưa có số liệu.")

    heading(doc, "II. TỔ CHỨC THỰC HIỆN CÁC QUY ĐỊNH CỦA PHÁP LUẬT VỀ TRẺ EM")
    heading(doc, "1. Công tác chỉ đạo, ban hành văn bản", 2)
    tag(doc, "{%p if tables.phu_luc_01.rows %}")
    body(doc, "Trong {{ period_label }}, các đơn vị đã báo cáo "
              "{{ tables.phu_luc_01.rows|length|vn_count }} văn bản chỉ đạo, điều hành về "
              "công tác trẻ em (chi tiết Phụ lục 01 đính kèm).")
    tag(doc, "{%p else %}")
    body(doc, "Văn bản chỉ đạo, điều hành về công tác trẻ em: chưa có đơn vị nào báo cáo.")
    tag(doc, "{%p endif %}")
    narrative(doc, "chi_dao")
    heading(doc, "2. Công tác tuyên truyền, phổ biến pháp luật về quyền trẻ em", 2)
    narrative(doc, "tuyen_truyen")
    heading(doc, "3. Công tác kiểm tra, giám sát thực hiện quyền trẻ em", 2)
    narrative(doc, "kiem_tra")
    heading(doc, "4. Kinh phí thực hiện", 2)
    vp = "values.kinh_phi.tong"
    sentence(doc, [f"{vp}.ngan_sach", f"{vp}.van_dong", f"{vp}.quy_btte"],
             parts([fig("kinh_phi", "tong", "ngan_sach", "Ngân sách địa phương "),
                    fig("kinh_phi", "tong", "van_dong", "nguồn vận động, tài trợ "),
                    fig("kinh_phi", "tong", "quy_btte", "Quỹ Bảo trợ trẻ em vận động được ")],
                   "; ")
             + "{% if by_level.kinh_phi.ngan_sach %} (ngân sách địa phương: "
               "{{ by_level.kinh_phi.ngan_sach }}){% endif %}.",
             "Kinh phí thực hiện: chưa có số liệu.")
    chart_block(doc)

    heading(doc, "III. KẾT QUẢ THỰC HIỆN MỤC TIÊU, CHỈ TIÊU VỀ TRẺ EM")
    body(doc, "1. Kết quả thực hiện một số chỉ tiêu (chi tiết Phụ lục 02 đính kèm):")
    for ident, label in RIGHTS_INDICATORS:
        guard, line = _indicator_sentence(ident, label)
        tag(doc, guard)
        body(doc, line)
        tag(doc, "{%p endif %}")
    closing(doc, [("2. Khó khăn, tồn tại, hạn chế", "kho_khan"),
                  ("3. Đề xuất, kiến nghị", "kien_nghi")],
            "kết quả thực hiện quyền trẻ em, giải quyết các vấn đề về trẻ em")
    _appendices(doc)
    save(doc, path)


def _appendices(doc) -> None:
    """Every table of the form as an appendix, each on its own page."""
    appendix_section(doc)
    tag(doc, "{%p for t in table_list %}")
    para(doc, "{% if not loop.first %}{{ page_break }}{% endif %}{{ t.sheet }}", bold=True,
         size=14, align=CENTER, keep_next=True)
    para(doc, "{{ t.title|upper }}", bold=True, size=14, align=CENTER, keep_next=True)
    para(doc, "(Kèm theo Báo cáo số {{ document.number }}/{{ document.symbol }} ngày "
              "{{ document.date|vn_date('short') }} của {{ unit.body }})",
         italic=True, size=14, align=CENTER, after=12, keep_next=True)
    para(doc, "{{p t.table }}", style="Normal")
    tag(doc, "{%p endfor %}")
    para(doc, "Ghi chú: dấu “-” là không có số liệu.", italic=True, size=12, align=LEFT,
         before=6)


def generic(path: Path) -> None:
    """Any form: its sections and narrative, a sentence per table, every table appended."""
    doc = opening("Thực hiện {{ basis }}, "
                  "{{ unit.body }} báo cáo {{ form.short_title|lower }} {{ period_label }} như "
                  "sau:")
    heading(doc, "I. SỐ LIỆU TỔNG HỢP")
    tag(doc, "{%p for t in table_list %}")
    tag(doc, "{%p if t.summary %}")
    body(doc, "- {{ t.title }}: {{ t.summary }} (chi tiết tại {{ t.sheet }} kèm theo).")
    tag(doc, "{%p else %}")
    body(doc, "- {{ t.title }}: chi tiết tại {{ t.sheet }} kèm theo.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    chart_block(doc)
    tag(doc, "{%p for s in sections %}")
    tag(doc, "{%p if s.heading %}")
    heading(doc, "{{ s.heading }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for f in s.fields %}")
    heading(doc, "{{ f.label }}", 2)
    tag(doc, "{%p if f.own %}")
    body(doc, "- {{ f.own }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for a in f.answers %}")
    body(doc, "- {{ a.names }}: {{ a.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    closing_line = body(doc, "Trên đây là báo cáo {{ form.short_title|lower }} "
                             "{{ period_label }} của {{ unit.body }}./.")
    closing_line.paragraph_format.keep_with_next = True
    signature_block(doc)
    _appendices(doc)
    save(doc, path)


TEMPLATES = {"thang-hanh-dong.docx": thang_hanh_dong, "quyen-tre-em.docx": quyen_tre_em,
             "chung.docx": generic}


def build(folder: Path = HERE) -> list[Path]:
    paths = []
    for name, make in TEMPLATES.items():
        make(folder / name)
        paths.append(folder / name)
    return paths


if __name__ == "__main__":
    for written in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
