"""What the clerk and the officer read in a report: tables, dates, whose figures, bodies,
the chart, the closing blocks, and a warning when a report rests on little or nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook

from consolidate import api
from consolidate.cli import main
from consolidate.core.workspace import Campaign, init_campaign
from consolidate.outputs import charts
from consolidate.outputs.charts import CHART_SHEET

from .conftest import Filler, make_campaign
from .helpers import ANSWERS, rollup_of
from .test_rights import answers, situation

RIGHTS = "quyen-tre-em"
RECEIVED = dt.datetime(2024, 10, 1, 9)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

#: A small three-tier province of its own: two districts of two communes each.
SMALL_PROVINCE = """code,name,level,parent,email
90,Tỉnh Thử Nghiệm,province,,
901,Huyện Đồi Chè,district,90,
90101,Xã Suối Mát,commune,901,
90102,Xã Bản Mây,commune,901,
902,Huyện Ven Sông,district,90,
90201,Xã Bến Đò,commune,902,
90202,Xã Cánh Đồng,commune,902,
"""


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(path).paragraphs]


def all_text(path: Path) -> str:
    """Every paragraph, inside tables too, as one text."""
    doc = Document(path)
    cells = [p.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    return "\n".join([*paragraphs(path), *cells])


def report_of(campaign: Campaign, **kwargs: Any) -> api.ReportResult:
    return api.report(campaign.workspace.path, campaign.id, **kwargs)


def table_with(path: Path, text: str) -> Any:
    """The Word table one of whose cells reads ``text``."""
    return next(t for t in Document(path).tables
                if any(c.text == text for row in t.rows for c in row.cells))


# ------------------------------------------------------------------ Phụ lục 02 (item 7)


def test_indicator_table_in_word_has_the_workbooks_headers_and_the_texts_rates(
        tmp_path: Path, fill: Filler) -> None:
    rights = make_campaign(tmp_path / "ws", form=RIGHTS)
    for code, yes in (("01840", "Có"), ("01834", "Không")):
        fill(rights, code, answers(phu_luc_02={("ct21_diem_vui_choi", "co_khong"): yes}),
             received=RECEIVED)
    assert api.ingest(rights.workspace.path).valid
    [made] = report_of(rights).reports
    table = table_with(made.document, "Kết quả (tính từ tử số, mẫu số)")
    header = [c.text for c in table.rows[0].cells]
    assert "Số xã có / số xã trả lời" in header and "Đánh giá" in header
    assert "Kế hoạch năm nay" in header
    words = {c.text for row in table.rows for c in row.cells}
    assert not words & {"Kết quả đơn vị tự tính", "Có / Không", "danh_gia"}
    assert not any("ví dụ" in w for w in words)
    share = next(r for r in table.rows if r.cells[0].text.startswith("Chỉ tiêu 21"))
    assert "50,00%" in [c.text for c in share.cells]  # as the text writes it
    assert any("vui chơi dành cho trẻ em: 50,00%" in p for p in paragraphs(made.document))
    book = load_workbook(made.workbook)["Phụ lục 02"]
    sheet_words = {str(c.value) for row in book.iter_rows() for c in row if c.value}
    assert {"Kết quả (tính từ tử số, mẫu số)", "Số xã có / số xã trả lời", "Đánh giá"} <= (
        sheet_words)


# ------------------------------------------------------------------ dates (item 9)


def test_list_dates_read_dd_mm_yyyy_in_word_and_in_the_workbook(
        tmp_path: Path, fill: Filler) -> None:
    rights = make_campaign(tmp_path / "ws", form=RIGHTS)
    fill(rights, "01840", answers(phu_luc_01={
        ("r1", "co_quan"): "UBND phường", ("r1", "loai"): "Kế hoạch",
        ("r1", "ten"): "Số 15/KH-UBND", ("r1", "ngay"): "10/01/2024",
        ("r2", "co_quan"): "UBND phường", ("r2", "loai"): "Công văn",
        ("r2", "ten"): "Số 12/UBND", ("r2", "ngay"): dt.datetime(2024, 5, 3)}),
        received=RECEIVED)
    assert api.ingest(rights.workspace.path).valid
    [made] = report_of(rights).reports
    table = table_with(made.document, "Ngày ban hành (dd/mm/yyyy)")
    dates = [row.cells[-1].text for row in table.rows[1:]]
    assert dates == ["10/01/2024", "03/05/2024"]
    sheet = load_workbook(made.workbook)["Phụ lục 01"]
    values = {c.value for row in sheet.iter_rows() for c in row}
    assert {"10/01/2024", "03/05/2024"} <= values and "2024-01-10" not in values


# ------------------------------------------------------------------ missing figures (item 9)


def test_a_figure_nobody_reported_is_left_out_of_its_sentence(
        district: Campaign, fill: Filler) -> None:
    # ANSWERS type no "nâng cấp" works and no cost of medical care
    fill(district, "01840", ANSWERS)
    assert api.ingest(district.workspace.path).valid
    [made] = report_of(district).reports
    text = "\n".join(paragraphs(made.document))
    assert "(chưa có số liệu)" not in text
    assert "- Xây mới 0 công trình dành cho trẻ em." in text
    assert "- Tặng quà cho 15 trẻ em, kinh phí 4.000.000 đồng." in text


def test_a_rights_report_with_nothing_ingested_says_so_once_and_warns(
        tmp_path: Path) -> None:
    rights = init_campaign(tmp_path / "ws", RIGHTS, "2024", "058")
    result = CliRunner().invoke(main, ["report", "-w", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    assert "Cảnh báo: Thành phố Bắc Kạn: chưa nhận được báo cáo nào" in result.output
    [doc] = rights.folder("reports").glob("*.docx")
    text = "\n".join(paragraphs(doc))
    assert "(chưa có số liệu)" not in text and "0 văn bản" not in text
    assert "1. Tổng số trẻ em trên địa bàn: chưa có số liệu." in text
    assert "Chưa nhận được báo cáo nào của các đơn vị trực thuộc" in text
    as_json = CliRunner().invoke(main, ["report", "-w", str(tmp_path / "ws"), "--json"])
    codes = [f["code"] for f in json.loads(as_json.output)["findings"]]
    assert codes == ["report-no-data"]


# ------------------------------------------------------------------ partial data (item 8)


def test_a_partial_province_report_names_missing_districts_and_whose_figures_it_has(
        tmp_path: Path, fill: Filler) -> None:
    roster = tmp_path / "tinh.csv"
    roster.write_text(SMALL_PROVINCE, encoding="utf-8")
    rights = make_campaign(tmp_path / "ws", unit="90", form=RIGHTS, roster=roster)
    fill(rights, "90101", answers(tinh_hinh=situation(children=1000)), received=RECEIVED)
    assert api.ingest(rights.workspace.path).valid
    result = report_of(rights)
    text = "\n".join(paragraphs(result.reports[0].document))
    assert ("Chưa có báo cáo của: Huyện Ven Sông (02 xã); chưa đủ báo cáo của: Huyện Đồi Chè "
            "(01/02 xã đã báo cáo).") in text
    assert "Tổng số trẻ em trên địa bàn các đơn vị đã báo cáo: 1.000 em" in text
    assert "chỉ gồm số liệu của các đơn vị đã báo cáo (00/02 huyện và 01/04 xã)" in text
    [warning] = [f for f in result.findings if f.code == "report-partial"]
    assert "Huyện Ven Sông (02 xã)" in warning.message


# ------------------------------------------------------------------ opening (item 9)


def test_a_province_report_cites_the_ministry_not_itself(tmp_path: Path) -> None:
    province = init_campaign(tmp_path / "ws", "thang-hanh-dong", "2024", "06")
    [made] = report_of(province).reports
    opening = next(p for p in paragraphs(made.document) if p.startswith("Thực hiện"))
    assert opening.startswith("Thực hiện văn bản số …/… ngày …/…/… của Bộ Lao động - Thương "
                              "binh và Xã hội về triển khai Tháng hành động")
    assert "của Ủy ban nhân dân tỉnh Bắc Kạn" not in opening


def test_the_opening_cites_the_basis_document_of_the_campaign(tmp_path: Path) -> None:
    basis = "Kế hoạch số 35/KH-UBND ngày 10/5/2024 của Ủy ban nhân dân tỉnh Bắc Kạn"
    district = init_campaign(tmp_path / "ws", "thang-hanh-dong", "2024", "058",
                             settings={"basis": basis})
    [made] = report_of(district).reports
    assert (f"Thực hiện {basis} về triển khai Tháng hành động vì trẻ em năm 2024, Ủy ban nhân "
            "dân thành phố Bắc Kạn báo cáo") in "\n".join(paragraphs(made.document))


# ------------------------------------------------------------------ bodies (item 10)


def closing_block(path: Path) -> str:
    return "\n".join(c.text for c in table_with(path, next(
        c.text for t in Document(path).tables for c in t.rows[0].cells
        if c.text.startswith("Nơi nhận:"))).rows[0].cells)


def test_a_2025_two_tier_report_goes_to_the_health_sector(tmp_path: Path) -> None:
    lai_chau = init_campaign(tmp_path / "ws", "thang-hanh-dong", "2025", "12", roster="2025")
    [made] = report_of(lai_chau).reports
    text = all_text(made.document)
    assert "Lao động - Thương binh" not in text and "LĐTBXH" not in text
    block = closing_block(made.document)
    assert "- Bộ Y tế;" in block and "- Sở Y tế tỉnh Lai Châu;" in block
    assert "- Lưu: VT, SYT." in block
    assert "của Bộ Y tế" in next(p for p in paragraphs(made.document) if p.startswith("Thực hiện"))


def test_recipients_archive_and_signer_come_from_the_campaign_settings(tmp_path: Path) -> None:
    settings = {"recipients": ["Bộ Y tế", "Thường trực Tỉnh ủy"], "archive": ["VT", "KGVX"],
                "signer_title": "Chủ tịch", "sign_for": "TM. ỦY BAN NHÂN DÂN",
                "signer": "Nguyễn Văn A"}
    lai_chau = init_campaign(tmp_path / "ws", "thang-hanh-dong", "2025", "12", roster="2025",
                             settings=settings)
    [made] = report_of(lai_chau).reports
    block = closing_block(made.document)
    assert "- Bộ Y tế;\n- Thường trực Tỉnh ủy;\n- Lưu: VT, KGVX." in block
    assert "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" in block and "KT. CHỦ TỊCH" not in block
    assert "Nguyễn Văn A" in block


def test_recipients_and_signature_cannot_be_split_across_pages(district: Campaign) -> None:
    [made] = report_of(district).reports
    doc = Document(made.document)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    tr_pr = table.rows[0]._tr.trPr
    assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
    before = table._tbl.getprevious()
    assert before.pPr.find(qn("w:keepNext")) is not None  # nor from the sentence above


# ------------------------------------------------------------------ the chart (item 6)


def test_chart_of_38_communes_fits_a_page_and_marks_those_without_figures(
        tmp_path: Path, fill: Filler) -> None:
    lai_chau = make_campaign(tmp_path / "ws", unit="12", roster="2025", period="2025")
    communes = lai_chau.roster.children("12")
    assert len(communes) == 38
    for unit in communes[:5]:
        fill(lai_chau, unit.code, ANSWERS)
    assert api.ingest(lai_chau.workspace.path).valid
    [made] = report_of(lai_chau).reports
    [picture] = Document(made.document).inline_shapes
    assert picture.height <= Mm(297 - 20 - 20 - 30)  # the page's text, less the caption
    frame = charts.child_frame(rollup_of(lai_chau))
    assert frame is not None and len(frame) == 38
    texts = charts.bar_texts(frame, lai_chau.spec.chart.panels[0])
    assert texts.count(charts.NO_DATA) == 33
    assert texts[0] != charts.NO_DATA and texts[-1] == charts.NO_DATA


def test_the_rights_chart_draws_no_empty_panel(tmp_path: Path, fill: Filler) -> None:
    rights = make_campaign(tmp_path / "ws", form=RIGHTS)
    fill(rights, "01840", answers(kinh_phi={("xa", "ngan_sach"): 5_000_000}), received=RECEIVED)
    assert api.ingest(rights.workspace.path).valid
    [made] = report_of(rights).reports
    sheet = load_workbook(made.workbook)[CHART_SHEET]
    assert "cộng 0" not in sheet["A2"].value and "kinh phí 5.000.000 đồng" in sheet["A2"].value
    assert [c.value for c in sheet[4] if c.value] == [
        "Đơn vị", "Ngân sách địa phương", "Nguồn vận động, tài trợ", "Quỹ Bảo trợ trẻ em"]
    frame = charts.child_frame(rollup_of(rights))
    assert frame is not None
    assert charts.drawn_panels(rights.spec.chart, frame) == list(rights.spec.chart.panels)


# ------------------------------------------------------------------ on paper (LibreOffice)


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed (CI installs it)")
def test_on_paper_the_chart_and_the_closing_blocks_stay_whole(
        tmp_path: Path, fill: Filler) -> None:
    lai_chau = make_campaign(tmp_path / "ws", unit="12", roster="2025", period="2025")
    for unit in lai_chau.roster.children("12")[:5]:
        fill(lai_chau, unit.code, ANSWERS)
    assert api.ingest(lai_chau.workspace.path).valid
    [made] = report_of(lai_chau, pdf=True).reports
    assert made.pdf is not None
    pages = subprocess.run(["pdftotext", "-layout", str(made.pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    closing = next(p for p in pages if "Nơi nhận:" in p)
    assert "PHÓ CHỦ TỊCH" in closing and "Lưu: VT, SYT." in closing
    caption_page = next(i for i, p in enumerate(pages, start=1) if "Hình 1." in p)
    listing = subprocess.run(["pdfimages", "-list", str(made.pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    [image_page] = {int(line.split()[0]) for line in listing if " image " in line}
    assert image_page == caption_page  # the picture, whole, above its caption


def test_a_chart_of_many_units_sums_up_those_without_figures(
        tmp_path: Path, fill: Filler) -> None:
    city = make_campaign(tmp_path / "ws", unit="380")  # Thành phố Thanh Hóa: 47 communes
    communes = city.roster.children("380")
    assert len(communes) > charts.MAX_ROWS
    for unit in communes[:2]:
        fill(city, unit.code, ANSWERS)
    assert api.ingest(city.workspace.path).valid
    frame = charts.child_frame(rollup_of(city))
    assert frame is not None and len(frame) == len(communes)  # the workbook lists them all
    drawn = charts.summarised(frame)
    assert list(drawn.index[:2]) == [u.name for u in communes[:2]]
    assert len(drawn) == 3 and drawn.index[-1].startswith(f"{len(communes) - 2} ")
    assert charts.bar_texts(drawn, city.spec.chart.panels[0])[-1] == charts.NO_DATA
    [made] = report_of(city).reports
    [picture] = Document(made.document).inline_shapes
    assert picture.height <= Mm(297 - 20 - 20 - 30)
