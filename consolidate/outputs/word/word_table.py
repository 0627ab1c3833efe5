"""Word tables as WordprocessingML: merged group headers, fixed widths, thin borders.

A table is built with python-docx in a scratch document and handed to the template as
XML (:class:`WordXml`, placed with ``{{p … }}``). It uses direct formatting only, so no
style or media has to travel with it into the template's document.
"""

from __future__ import annotations

import re
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

#: Column groups in order: a group header (None: a column without one) and its column ids.
Groups = list[tuple[str | None, list[str]]]

#: Width of the text on a landscape A4 page with the appendix margins, in mm.
APPENDIX_WIDTH_MM = 297 - 30 - 15

_NUMERIC = re.compile(r"-|[\d.]+(,\d+)?%?‰?|\d+/\d+")  # "1/2": a share's count


class WordXml:
    """A block of WordprocessingML that a template places with ``{{p … }}``.

    ``__html__`` marks it safe for the autoescaping environment: it is XML already.
    """

    def __init__(self, xml: str):
        self.xml = xml

    def __str__(self) -> str:
        return self.xml

    __html__ = __str__

    @classmethod
    def table(cls, *args: Any, **kwargs: Any) -> WordXml:
        """The XML of :func:`add_word_table` built in a scratch document."""
        scratch = Document()
        table = add_word_table(scratch, *args, **kwargs)
        return cls(etree.tostring(table._tbl, encoding="unicode"))


def add_word_table(doc: Any, groups: Groups, col_labels: dict[str, str], corner: str,
                   rows: list[dict[str, Any]], width_mm: float = APPENDIX_WIDTH_MM,
                   text_columns: bool = False) -> Any:
    """A real Word table: merged group headers repeated on every page, figures right-aligned,
    the total row bold, "-" where there is no figure.

    ``rows`` are dicts with ``label``, ``cells`` (text, in column order) and ``is_total``;
    ``text_columns`` makes a list (STT, then text columns sharing the width).
    """
    ordered = [c for _, cs in groups for c in cs]
    two_rows = any(g is not None for g, _ in groups)
    n_head = 2 if two_rows else 1
    label_mm, other_mm = _column_widths(width_mm, max(len(ordered), 1), text_columns)
    table = doc.add_table(rows=n_head + len(rows), cols=1 + len(ordered))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    _set_widths(table, label_mm, other_mm)
    for r in range(n_head):
        _repeat_header(table.rows[r])
    if two_rows:
        _two_row_header(table, groups, col_labels, corner)
    else:
        _one_row_header(table, ordered, col_labels, corner)
    _body(table.rows[n_head:], rows, text_columns)
    return table


def _column_widths(width_mm: float, n: int, text_columns: bool) -> tuple[float, float]:
    """The label column's width and every other column's, in mm."""
    if text_columns:  # a list: STT then text columns sharing the width
        return 14, (width_mm - 14) / n
    # figures 22–40 mm wide; a long-labelled table with few columns stays narrower
    other_mm = min(max((width_mm - 46) / n, 22), 40)
    return min(max(width_mm - other_mm * n, 46), 120), other_mm


def _set_widths(table: Any, label_mm: float, other_mm: float) -> None:
    """Widths on the grid and on every cell: Word reads one, LibreOffice the other."""
    grid = table._tbl.tblGrid
    for i, gc in enumerate(grid.findall(qn("w:gridCol"))):
        gc.set(qn("w:w"), str(int(Mm(label_mm if i == 0 else other_mm).twips)))
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Mm(label_mm if i == 0 else other_mm)


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
    """A header row is repeated on every page and never split across two."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def _no_split(row: Any) -> None:
    """A body row stays on one page, so a figure is never separated from its label."""
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _two_row_header(table: Any, groups: Groups, col_labels: dict[str, str],
                    corner: str) -> None:
    """Group headers merged across their columns; a column without a group spans both rows."""
    _write(table.cell(0, 0).merge(table.cell(1, 0)), corner, bold=True)
    j = 1
    for group, cols in groups:
        if group is None:
            for c in cols:
                _write(table.cell(0, j).merge(table.cell(1, j)), col_labels[c], bold=True,
                       size=11)
                j += 1
            continue
        top = table.cell(0, j)
        if len(cols) > 1:
            top = top.merge(table.cell(0, j + len(cols) - 1))
        _write(top, group, bold=True, size=11)
        for c in cols:
            _write(table.cell(1, j), col_labels[c], bold=True, size=11)
            j += 1


def _one_row_header(table: Any, ordered: list[str], col_labels: dict[str, str],
                    corner: str) -> None:
    _write(table.cell(0, 0), corner, bold=True)
    for j, c in enumerate(ordered, start=1):
        _write(table.cell(0, j), col_labels[c], bold=True, size=11)


def _body(word_rows: Any, rows: list[dict[str, Any]], text_columns: bool) -> None:
    """A row's cells at once: ``table.cell()`` walks the whole grid each time."""
    label_align = WD_ALIGN_PARAGRAPH.CENTER if text_columns else WD_ALIGN_PARAGRAPH.LEFT
    for row, word_row in zip(rows, word_rows, strict=True):
        _no_split(word_row)
        bold = bool(row.get("is_total"))
        cells = word_row.cells
        _write(cells[0], row["label"], bold=bold, align=label_align)
        for cell, text in zip(cells[1:], row["cells"], strict=True):
            numeric = bool(_NUMERIC.fullmatch(text))
            _write(cell, text, bold=bold,
                   align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)


def _write(cell: Any, text: str, *, bold: bool = False, italic: bool = False,
           align: Any = WD_ALIGN_PARAGRAPH.CENTER, size: float = 12) -> None:
    """One cell's only paragraph, tight and unindented whatever the template's styles say."""
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
