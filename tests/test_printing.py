"""Printing: every sheet the package writes prints whole on A4, as a person prints it.

Forms of both shipped forms, consolidated workbooks (a district over its communes, a
province over its communes) and a feedback workbook are printed to PDF by LibreOffice
and read back with pdftotext: every text of every printed cell must be on paper, none
cut by a row too short for its wrapped lines or a page too narrow for its columns.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from consolidate import api
from consolidate.core.workspace import Campaign, Workspace
from consolidate.demo import fill_campaign
from consolidate.forms.layout import GUIDE_WIDTH
from consolidate.forms.style import text_height, width_of

from .conftest import make_campaign
from .helpers import ANSWERS, fill_seed_000, fill_workbook, form_path, write_reports
from .test_libreoffice import SOFFICE

A4 = (595, 842)  # points, either way round
EDGE = 14  # points (5 mm) at the paper's edge that a printer cannot print on


def print_to_pdf(paths: list[Path], out_dir: Path) -> dict[str, Path]:
    """Print several workbooks with one LibreOffice run (a private profile, as
    tests/test_libreoffice.py's ``resave`` does); returns each workbook's PDF by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / ".lo-profile"
    subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation=file://{profile}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(out_dir),
                    *map(str, paths)], check=True, capture_output=True, timeout=300)
    return {p.name: out_dir / f"{p.stem}.pdf" for p in paths}


def words(text: str) -> Counter[str]:
    return Counter(unicodedata.normalize("NFC", text).split())


def printed_cells(ws: Worksheet) -> list[str]:
    """The texts of the cells a printout of the sheet shows: inside the print area, in
    visible rows and columns, formulas left out."""
    if not ws.print_area:
        return []
    area = ws.print_area.split("!")[-1].replace("$", "")
    min_col, min_row, max_col, max_row = range_boundaries(area)
    texts = []
    for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                            max_col=max_col):
        for cell in row:
            if not isinstance(cell.value, str) or cell.data_type == "f":
                continue
            if not (ws.row_dimensions[cell.row].hidden
                    or ws.column_dimensions[cell.column_letter].hidden):
                texts.append(cell.value)
    return texts


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = []
    for line in info.splitlines():
        if line.startswith("Page") and "size:" in line:
            w, _, h = line.split("size:")[1].split()[:3]
            sizes.append((float(w), float(h)))
    return sizes


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Forms, consolidated workbooks and a feedback workbook, each with its printout."""
    root = tmp_path_factory.mktemp("print")
    made: dict[str, Path] = {}
    district = make_campaign(root / "district")  # TP Bắc Kạn over its eight communes
    fill_seed_000(district)
    bad = {**ANSWERS, "bieu_1": {**ANSWERS["bieu_1"], ("xa", "nsnn"): "khoảng 4 triệu"}}
    fill_workbook(form_path(district, "01837"), district.workspace.inbox / "01837.xlsx", bad)
    api.ingest(district.workspace.path)
    district = Workspace(district.workspace.path).campaign(district.id)
    made["form-thang-hanh-dong.xlsx"] = form_path(district, "01834")  # the longest name
    made["district.xlsx"] = write_reports(district)[0].workbook
    made["feedback.xlsx"] = next((district.workspace.path / "feedback").rglob("01837_*.xlsx"))
    province = _lai_chau(root / "province")  # two tiers: the province over its communes
    made["province.xlsx"] = write_reports(province)[0].workbook
    made["form-quyen-tre-em.xlsx"] = sorted(province.workspace.inbox.glob("*.xlsx"))[1]
    copies = root / "workbooks"
    copies.mkdir()
    for name, path in made.items():
        (copies / name).write_bytes(path.read_bytes())
    pdfs = print_to_pdf([copies / n for n in made], root / "pdf")
    return {name: (copies / name, pdfs[name]) for name in made}


def _lai_chau(path: Path) -> Campaign:
    campaign = make_campaign(path, unit="12", form="quyen-tre-em", roster="2025")
    forms = sorted(campaign.folder("forms").glob("*.xlsx"))
    fill_campaign(campaign, forms, campaign.workspace.inbox, dt.date(2024, 10, 15))
    api.ingest(campaign.workspace.path)
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def sheet_pages(pdf: Path) -> dict[str, str]:
    """The printed text of each sheet, its pages found by their footer ('Biểu 1 – trang 2/9')."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    sheets: dict[str, str] = {}
    for page in unicodedata.normalize("NFC", text).split("\f"):
        footers = [m for m in re.finditer(r"^(.+) – trang \d+/\d+$", page, re.M)]
        if footers:
            sheet = footers[-1].group(1).strip()
            sheets[sheet] = sheets.get(sheet, "") + page
    return sheets


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed (CI installs it)")
def test_every_text_of_every_sheet_prints_whole(
        printed: dict[str, tuple[Path, Path]]) -> None:
    """Headers, titles, labels and notes: every word of every printed cell is on its
    sheet's pages (a header too tall for its row, a note too wide for its page loses words)."""
    cut = []
    for name, (workbook, pdf) in printed.items():
        pages = sheet_pages(pdf)
        for ws in load_workbook(workbook).worksheets:
            if ws.sheet_state != "visible":
                continue
            text = pages.get(ws.title, "")
            on_paper, joined = words(text), "".join(text.split())
            expected = words(" ".join(printed_cells(ws)))
            missing = {w: n - on_paper[w] for w, n in expected.items()
                       if on_paper[w] < n and joined.count(w) < n}  # a long name may wrap
            if missing:
                cut.append(f"{name}, trang '{ws.title}': {missing}")
    assert not cut, "\n".join(cut)


WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
                  r'yMax="([-\d.]+)">([^<]*)</word>')
Box = tuple[float, float, float, float, str]


def word_boxes(pdf: Path) -> list[tuple[float, float, list[Box]]]:
    """Each page's width, height and words with their boxes (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        size = re.search(r'width="([\d.]+)" height="([\d.]+)"', page)
        assert size is not None
        words_ = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
                  WORD.findall(page)]
        pages.append((float(size[1]), float(size[2]), words_))
    return pages


def overlapping(boxes: list[Box]) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other: what a clipped cell leaves in a PDF's text
    (the lines a row too short cannot show, a text running under its neighbour)."""
    boxes = sorted(boxes, key=lambda b: b[1])
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b[1] >= a[3]:
                break
            dx = min(a[2], b[2]) - max(a[0], b[0])
            dy = min(a[3], b[3]) - max(a[1], b[1])
            smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
            if dx > 1 and dy > 1 and dx * dy > 0.3 * smaller:
                pairs.append((a[4], b[4]))
    return pairs


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed (CI installs it)")
def test_no_printed_text_is_clipped(printed: dict[str, tuple[Path, Path]]) -> None:
    """No word lies on another word or at the paper's edge: LibreOffice clips a text to its
    cell, so overlapping text is text the reader cannot see, and a printer cuts what lies
    within a few millimetres of the edge."""
    clipped = []
    for name, (_, pdf) in printed.items():
        for number, (width, height, boxes) in enumerate(word_boxes(pdf), start=1):
            off_page = [b[4] for b in boxes if min(b[0], b[1]) < EDGE
                        or b[2] > width - EDGE or b[3] > height - EDGE]
            over = overlapping(boxes)
            if off_page or over:
                clipped.append(f"{name}, trang in {number}: {over[:5]} {off_page[:5]}")
    assert not clipped, "\n".join(clipped)


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed (CI installs it)")
def test_every_sheet_prints_on_a4_one_page_wide(printed: dict[str, tuple[Path, Path]]) -> None:
    """A4 pages, each sheet fitted to one page wide with its header rows repeated."""
    for name, (workbook, pdf) in printed.items():
        assert {tuple(sorted(map(round, size))) for size in pdf_pages(pdf)} == {A4}, name
        wb = load_workbook(workbook)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            where = f"{name}, trang '{ws.title}'"
            assert ws.print_area, where
            assert ws.page_setup.paperSize in (9, "9"), where
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert ws.page_setup.fitToWidth in (1, "1"), where
            assert ws.page_setup.fitToHeight in (0, "0"), where


def test_a_blank_form_has_room_for_its_units_longest_name(tmp_path: Path) -> None:
    """A level's forms are built once with a placeholder name: the rows naming the unit are
    as tall as the longest name of the level needs (wrapped as Excel wraps), not the
    placeholder."""
    campaign = make_campaign(tmp_path / "ws")
    wb = load_workbook(form_path(campaign, "01834"))  # the district's longest ward name
    guide, table, story = wb["Hướng dẫn"], wb["Biểu 1"], wb["Thuyết minh"]
    label = campaign.unit_label("01834")
    assert label in guide["A2"].value and label in table["B3"].value
    assert guide.row_dimensions[2].height >= text_height(guide["A2"].value, GUIDE_WIDTH, 12,
                                                         bold=True)
    assert table.row_dimensions[3].height >= text_height(table["B3"].value,
                                                         width_of(table, 2, 8), 12)
    assert story.row_dimensions[2].height >= text_height(story["B2"].value,
                                                         width_of(story, 2, 3), 13, bold=True)
