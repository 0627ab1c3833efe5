"""The Word report, reopened with python-docx: Decree 30 format, figures, tables, templates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import os
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from consolidate.cli import main
from consolidate.core.errors import ConsolidateError
from consolidate.core.workspace import Campaign, Workspace, init_campaign
from consolidate.demo import (
    SEED_000_DISTRICT,
)
from consolidate.intake.ingest import ingest
from consolidate.intake.status import unit_status
from consolidate.outputs.word import (
    WordRenderer,
    convert_to_pdf,
    default_template,
    jinja_env,
    render_document,
    soffice_path,
    vn_count,
    vn_date,
    vn_money,
    vn_money_words,
    vn_number,
    vn_percent,
)
from consolidate.outputs.word import pdf as word_pdf
from consolidate.rollup.compute import Rollup

from .conftest import make_campaign
from .helpers import fill_seed_000, rollup_of, write_reports

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"

DATE = dt.date(2024, 7, 3)
@dataclass
class Seed000:
    campaign: Campaign
    rollup: Rollup
    path: Path


@pytest.fixture(scope="module")
def seed_000(tmp_path_factory: pytest.TempPathFactory) -> Seed000:
    campaign = make_campaign(tmp_path_factory.mktemp("doc") / "ws")
    fill_seed_000(campaign)
    campaign = Workspace(campaign.workspace.path).campaign(campaign.id)
    campaign.settings["signer"] = "Lê Đăng Trường"
    rollup = rollup_of(campaign, "058")
    path = campaign.workspace.path / "058.docx"
    path.write_bytes(render_document(rollup, unit_status(campaign, "058"), date=DATE))
    return Seed000(campaign, rollup, path)


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def cell_paragraphs(table) -> dict[str, object]:
    return {p.text: p for row in table.rows for cell in row.cells for p in cell.paragraphs}


def bold(paragraph) -> bool:
    return bool(paragraph.runs) and all(r.bold for r in paragraph.runs if r.text.strip())


def italic(paragraph) -> bool:
    return bool(paragraph.runs) and all(r.italic for r in paragraph.runs if r.text.strip())


def size(paragraph) -> float:
    return paragraph.runs[0].font.size.pt


# ----------------------------------------------------------------------- filters


def test_filters_write_the_seeds_own_examples() -> None:
    assert vn_number(9367) == "9.367"
    assert vn_percent(19.66) == "19,66%"
    assert vn_money(121_450_000) == "121.450.000 đồng"
    assert vn_count(2, "vụ") == "02 vụ"
    assert vn_money_words(2_500_000) == "hai triệu năm trăm nghìn đồng"
    assert vn_date(dt.date(2024, 7, 3)) == "ngày 03 tháng 7 năm 2024"
    assert vn_date(dt.date(2024, 7, 3), "short") == "03/7/2024"
    # roll-ups hand over numpy floats and NaN for "no figure"
    assert vn_number(np.float64(14209.0)) == "14.209" and vn_number(math.nan) == "-"
    assert vn_money(math.nan) == "-" and vn_count(None) == "-"


def test_filters_are_usable_in_templates() -> None:
    env = jinja_env()
    out = env.from_string("{{ 2|vn_count('vụ') }}; {{ 9367|vn_number }}; "
                          "{{ [121450000, none, 78900000]|vn_sum|vn_money }}; "
                          "{{ 2500000|vn_money_words }}").render()
    assert out == "02 vụ; 9.367; 200.350.000 đồng; hai triệu năm trăm nghìn đồng"


# ----------------------------------------------------------------------- format


def test_header_has_issuing_body_motto_number_and_italic_place_and_date(
        seed_000: Seed000) -> None:
    doc = Document(seed_000.path)
    header = cell_paragraphs(doc.tables[0])
    assert bold(header["ỦY BAN NHÂN DÂN"]) and bold(header["THÀNH PHỐ BẮC KẠN"])
    assert bold(header["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    motto = header["Độc lập - Tự do - Hạnh phúc"]
    assert bold(motto) and motto.alignment == WD_ALIGN_PARAGRAPH.CENTER
    [number] = [t for t in header if t.startswith("Số:")]
    assert re.fullmatch(r"Số:\s+/BC-UBND", number)
    date_line = header["TP. Bắc Kạn, ngày 03 tháng 7 năm 2024"]
    assert italic(date_line)
    # the header table draws no borders
    borders = doc.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    paragraphs = {p.text: p for p in doc.paragraphs}
    assert bold(paragraphs["BÁO CÁO"])
    assert paragraphs["BÁO CÁO"].alignment == WD_ALIGN_PARAGRAPH.CENTER
    summary = paragraphs["Kết quả triển khai, thực hiện Tháng hành động vì trẻ em năm 2024"]
    assert bold(summary) and summary.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_page_is_a4_with_decree_30_margins_and_page_numbers_from_page_two(
        seed_000: Seed000) -> None:
    doc = Document(seed_000.path)
    page = doc.sections[0]
    assert abs(page.page_width - Mm(210)) < Mm(1) and abs(page.page_height - Mm(297)) < Mm(1)
    def mm(length: int) -> float:  # Word stores whole twips: 15 mm is 850 twips, 14,99 mm
        return round(length / Mm(1), 1)

    assert 20 <= mm(page.top_margin) <= 25 and 20 <= mm(page.bottom_margin) <= 25
    assert 30 <= mm(page.left_margin) <= 35 and 15 <= mm(page.right_margin) <= 20
    assert page.different_first_page_header_footer  # page 1 has its own, empty header
    assert "PAGE" in page.header._element.xml
    assert "PAGE" not in page.first_page_header._element.xml
    assert page.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(14)
    body = doc.styles["Body Text"].paragraph_format
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert Mm(10) <= body.first_line_indent <= Mm(12.7) and body.space_after >= Pt(6)
    appendix = doc.sections[-1]
    assert appendix.orientation == WD_ORIENT.LANDSCAPE and appendix.page_width > Mm(290)
    assert not appendix.different_first_page_header_footer  # numbered like the rest


def test_sentences_carry_the_rolled_up_figures(seed_000: Seed000) -> None:
    roll = seed_000.rollup
    text = "\n".join(texts(Document(seed_000.path)))
    children = roll.value("bieu_1", "tong", "so_tre_em_tham_du")
    assert children == 242
    assert (f"Tổ chức {vn_count(roll.value('bieu_1', 'tong', 'so_diem_phat_dong'))} điểm "
            f"phát động với {vn_count(children)} trẻ em tham dự") in text
    assert "Tổ chức 01 điểm phát động với 242 trẻ em tham dự, trong đó cấp tỉnh 20, " \
           "cấp huyện 200, cấp xã 22." in text
    assert ("Tổng kinh phí thực hiện Tháng hành động: 200.350.000 đồng, trong đó ngân sách "
            "nhà nước 121.450.000 đồng, vận động 78.900.000 đồng.") in text
    assert ("a) Ngân sách Nhà nước: 121.450.000 đồng; trong đó cấp huyện 96.950.000 đồng, "
            "cấp xã 24.500.000 đồng.") in text
    assert "Tặng quà cho 14.209 trẻ em, kinh phí 88.630.000 đồng." in text
    assert "Cấp học bổng cho 42 trẻ em, kinh phí 9.900.000 đồng." in text
    # seed 000 prints "-": nobody reported the cost, so the sentence leaves it out (never 0 đồng)
    assert "- Khám bệnh, chữa bệnh miễn phí cho 459 trẻ em." in text
    assert "với 4.390 lượt trẻ em tham gia" in text
    assert "- Xây mới 06 công trình dành cho trẻ em." in text
    assert "(chưa có số liệu)" not in text
    assert "Số liệu được tổng hợp từ báo cáo của 08/08 xã, phường." in text
    assert "cùng kỳ" not in text  # no previous period in this workspace


def test_units_answers_are_grouped_per_section_and_attributed(seed_000: Seed000) -> None:
    paragraphs = texts(Document(seed_000.path))
    problems = paragraphs.index("2. Những khó khăn, tồn tại, hạn chế")
    section = paragraphs[problems + 1:paragraphs.index("3. Kiến nghị, đề xuất")]
    assert section[0] == "- Nguồn lực vận động còn hạn chế."  # the district's own, first
    # text from a submission stays text: no XML breakage from "&" or "<"
    assert "- Phường Đức Xuân: Chưa có kinh phí sửa sân chơi & nhà văn hóa <tổ 2>." in section
    [grouped] = [p for p in section if p.endswith("Điểm vui chơi cho trẻ em còn thiếu.")]
    assert grouped.startswith("- Phường Nguyễn Thị Minh Khai, Phường Sông Cầu, ")
    assert "Phường Đức Xuân" not in grouped and grouped.count("Phường") + grouped.count(
        "Xã ") == 7


def test_appendix_tables_repeat_their_header_align_figures_and_bold_the_total(
        seed_000: Seed000) -> None:
    doc = Document(seed_000.path)
    paragraphs = {p.text: p for p in doc.paragraphs}
    assert bold(paragraphs["Biểu 1"]) and bold(paragraphs["TỔ CHỨC PHÁT ĐỘNG, KINH PHÍ DÀNH "
                                                          "CHO TRẺ EM"])
    assert paragraphs["Biểu 2"].paragraph_format.page_break_before
    [attached] = {p.text for p in doc.paragraphs if p.text.startswith("(Kèm theo")}
    assert re.fullmatch(r"\(Kèm theo Báo cáo số\s+/BC-UBND ngày 03/7/2024 của Ủy ban nhân dân "
                        r"thành phố Bắc Kạn\)", attached)
    assert italic(paragraphs[attached])
    bieu_1 = next(t for t in doc.tables if t.cell(0, 0).text == "Cấp thực hiện")
    for row in bieu_1.rows[:2]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is not None
    assert bieu_1.rows[2]._tr.trPr.find(qn("w:tblHeader")) is None
    rows = {r.cells[0].text: r.cells for r in bieu_1.rows}
    assert [c.text for c in rows["Tổng cộng"]] == [
        "Tổng cộng", "1", "242", "6", "-", "121.450.000", "78.900.000"]
    assert [c.text for c in rows["Cấp tỉnh"][1:3]] == ["-", "20"]
    for cell in rows["Tổng cộng"]:
        assert bold(cell.paragraphs[0])
    for cell in rows["Cấp xã"][1:]:
        assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert not bold(cell.paragraphs[0])
    assert bieu_1.cell(0, 5).text == "Kinh phí cho Tháng hành động vì trẻ em"  # merged group
    assert bieu_1.cell(1, 5).text == "Ngân sách nhà nước (đồng)"


def test_signature_block_and_recipients_follow_decree_30(seed_000: Seed000) -> None:
    doc = Document(seed_000.path)
    sign = doc.tables[1]
    right = [p for p in sign.cell(0, 1).paragraphs]
    named = [p for p in right if p.text.strip()]
    assert [p.text for p in named] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                                       "Lê Đăng Trường"]
    assert all(bold(p) for p in named)
    left = [p for p in sign.cell(0, 0).paragraphs if p.text]
    assert left[0].text == "Nơi nhận:" and bold(left[0]) and italic(left[0])
    assert size(left[0]) == 12
    recipients = left[1:]
    assert recipients[0].text == "- Sở LĐTBXH tỉnh Bắc Kạn;"
    assert "- UBND các xã, phường;" in [p.text for p in recipients]
    assert all(p.text.startswith("- ") and size(p) == 11 for p in recipients)
    assert all(p.text.endswith(";") for p in recipients[:-1])
    assert recipients[-1].text == "- Lưu: VT, LĐTBXH."


def test_signer_name_is_blank_when_the_campaign_has_none(seed_000: Seed000) -> None:
    campaign = seed_000.campaign
    saved = dict(campaign.settings)
    campaign.settings.clear()
    try:
        data = render_document(seed_000.rollup, unit_status(campaign, "058"), date=DATE)
    finally:
        campaign.settings.update(saved)
    doc = Document(io.BytesIO(data))
    right = [p.text for p in doc.tables[1].cell(0, 1).paragraphs]
    assert right[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert right[-1] == ""


def test_chart_picture_is_in_the_report(seed_000: Seed000) -> None:
    with zipfile.ZipFile(seed_000.path) as z:
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(pictures) == 1 and z.read(pictures[0])[:8] == b"\x89PNG\r\n\x1a\n"
    text = texts(Document(seed_000.path))
    assert any(t.startswith("Hình 1. Lượt trẻ em tham gia, được hỗ trợ và kinh phí") and
               "theo xã, phường của thành phố Bắc Kạn năm 2024" in t for t in text)


# ----------------------------------------------------------------------- periods


def test_sentences_compare_with_the_previous_period_of_the_same_form(tmp_path: Path) -> None:
    path = tmp_path / "ws"
    earlier = make_campaign(path, period="2023")
    fill_seed_000(earlier, district_children=187)  # 229 children in 2023
    now = make_campaign(path, period="2024")
    fill_seed_000(now)
    now = Workspace(path).campaign(now.id)
    assert now.workspace.previous_campaign(now).id == earlier.id
    previous = rollup_of(now.workspace.previous_campaign(now), "058")
    assert previous.value("bieu_1", "tong", "so_tre_em_tham_du") == 229
    renderer = WordRenderer(now, date=DATE)  # the caller hands over the previous roll-up
    data = renderer.render(rollup_of(now, "058"), unit_status(now, "058"), previous)
    text = "\n".join(texts(Document(io.BytesIO(data))))
    assert "242 trẻ em tham dự (tăng 13 so với cùng kỳ năm 2023)" in text
    assert "Ngân sách Nhà nước: 121.450.000 đồng (bằng cùng kỳ năm 2023)" in text
    without = renderer.render(rollup_of(now, "058"), unit_status(now, "058"))
    assert "cùng kỳ" not in "\n".join(texts(Document(io.BytesIO(without))))
    assert Workspace(path).previous_campaign(Workspace(path).campaign(earlier.id)) is None
    # write_reports finds the previous period itself, for the root and for a commune
    results = write_reports(now, units=["058", "01840"])
    district, commune = (Document(r.document) for r in results)
    assert "242 trẻ em tham dự (tăng 13 so với cùng kỳ năm 2023)" in "\n".join(texts(district))
    assert "545 trẻ em (bằng cùng kỳ năm 2023)" in "\n".join(texts(commune))


# ----------------------------------------------------------------------- templates


def bad_template(tmp_path: Path, text: str) -> Path:
    doc = Document(TEMPLATES_DIR / "thang-hanh-dong.docx")
    doc.add_paragraph(text)
    out = tmp_path / "mau-rieng.docx"
    doc.save(out)
    return out


def test_a_template_with_an_unknown_variable_is_refused_before_anything_is_written(
        district: Campaign, fill, tmp_path: Path) -> None:
    fill(district, "058", SEED_000_DISTRICT)
    ingest(district.workspace)
    template = bad_template(tmp_path, "Kính gửi {{ so_cong_van_den }} và {{ unit.name }}")
    with pytest.raises(ConsolidateError, match="'so_cong_van_den'") as caught:
        write_reports(Workspace(district.workspace.path).campaign(district.id),
                      template=template)
    assert "biến không có" in str(caught.value) and caught.value.code == "template-invalid"
    assert list(district.folder("reports").iterdir()) == []

    result = CliRunner().invoke(main, ["report", "-w", str(district.workspace.path),
                                       "--template", str(template)])
    assert result.exit_code == 1 and "so_cong_van_den" in result.output
    assert list(district.folder("reports").iterdir()) == []


def test_a_template_naming_a_table_the_form_lacks_is_refused(
        district: Campaign, tmp_path: Path) -> None:
    template = bad_template(tmp_path, "{{ figures.bieu_9.tong.nsnn }}")
    with pytest.raises(ConsolidateError, match="bieu_9"):
        write_reports(district, template=template)
    assert list(district.folder("reports").iterdir()) == []


def test_a_missing_damaged_or_misspelt_template_is_refused_naming_the_problem(
        district: Campaign, tmp_path: Path) -> None:
    not_word = tmp_path / "mau.docx"
    not_word.write_text("không phải Word")
    cases = {tmp_path / "khong-co.docx": "không tìm thấy tệp",
             not_word: "không phải tệp Word .docx",
             bad_template(tmp_path, "{{ unit.name "): "lỗi cú pháp Jinja"}
    for template, problem in cases.items():
        with pytest.raises(ConsolidateError, match=problem) as caught:
            WordRenderer(district, template)
        assert caught.value.code == "template-invalid"
        assert str(caught.value).startswith(f"Mẫu báo cáo {caught.value.finding.file}: ")


def test_report_writes_the_word_report_beside_the_workbook(
        district: Campaign, fill) -> None:
    fill(district, "058", SEED_000_DISTRICT)
    ingest(district.workspace)
    result = CliRunner().invoke(main, ["report", "-w", str(district.workspace.path)])
    assert result.exit_code == 0, result.output
    folder = district.folder("reports")
    assert sorted(p.name for p in folder.iterdir()) == [
        "058_Bao_cao_Thanh_pho_Bac_Kan.docx", "058_Tong_hop_Thanh_pho_Bac_Kan.xlsx"]
    assert (f"Thành phố Bắc Kạn – báo cáo Word → {folder / '058_Bao_cao_Thanh_pho_Bac_Kan.docx'}"
            in result.output)
    doc = Document(folder / "058_Bao_cao_Thanh_pho_Bac_Kan.docx")
    text = "\n".join(texts(doc))
    # the number of launch events was not reported: left out, not "(chưa có số liệu)"
    assert "- Lễ phát động có 220 trẻ em tham dự" in text


def test_pdf_without_libreoffice_says_so_and_keeps_the_word_report(
        district: Campaign, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_pdf, "soffice_path", lambda: None)
    result = CliRunner().invoke(main, ["report", "-w", str(district.workspace.path), "--pdf"])
    assert result.exit_code == 1
    assert "Không chuyển được báo cáo sang PDF: máy chưa cài LibreOffice" in result.output
    assert (district.folder("reports") / "058_Bao_cao_Thanh_pho_Bac_Kan.docx").exists()


def test_a_report_with_no_submissions_still_reads(district: Campaign) -> None:
    data = render_document(rollup_of(district, "058"), unit_status(district, "058"),
                           date=DATE)
    text = "\n".join(texts(Document(io.BytesIO(data))))
    assert "Kinh phí thực hiện: chưa có số liệu." in text  # said once, plainly; never 0 đồng
    assert "(chưa có số liệu)" not in text
    assert "Số liệu được tổng hợp từ báo cáo của 00/08 xã, phường." in text
    assert "Chưa có báo cáo của: Phường Nguyễn Thị Minh Khai; Phường Sông Cầu;" in text
    assert "Hình 1." not in text  # no empty chart


def test_a_form_without_its_own_template_gets_the_generic_one(tmp_path: Path) -> None:
    campaign = init_campaign(tmp_path / "ws", "quyen-tre-em", "2024", "058")
    assert default_template(campaign.spec).name == "quyen-tre-em.docx"
    unknown = dataclasses.replace(campaign.spec, id="bieu-moi-chua-co-mau")
    generic = default_template(unknown)
    assert generic.name == "chung.docx"
    data = render_document(rollup_of(campaign, "058"), unit_status(campaign, "058"),
                           template=generic, date=DATE)
    doc = Document(io.BytesIO(data))
    assert "THÀNH PHỐ BẮC KẠN" in cell_paragraphs(doc.tables[0])
    text = "\n".join(texts(doc))
    assert "Kết quả thực hiện quyền trẻ em" in text
    assert len(doc.tables) > 2  # its tables appended


def test_shipped_templates_are_what_the_build_script_makes(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_templates",
                                                  TEMPLATES_DIR / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for built in module.build(tmp_path):
        with zipfile.ZipFile(built) as new, zipfile.ZipFile(TEMPLATES_DIR / built.name) as old:
            for part in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
                assert new.read(part) == old.read(part), (built.name, part)


# ----------------------------------------------------------------------- PDF

SOFFICE = soffice_path()


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed (CI installs it)")
def test_libreoffice_turns_the_report_into_a_pdf_with_the_figures(
        seed_000: Seed000, tmp_path: Path) -> None:
    source = tmp_path / seed_000.path.name
    source.write_bytes(seed_000.path.read_bytes())
    [pdf] = convert_to_pdf([source])
    assert pdf == source.with_suffix(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"

    def pdf_text(*pages: str) -> str:
        return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout

    text = " ".join(pdf_text().split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "TP. Bắc Kạn, ngày 03 tháng 7 năm 2024",
                     "Tổ chức 01 điểm phát động với 242 trẻ em tham dự",
                     "ngân sách nhà nước 121.450.000 đồng, vận động 78.900.000 đồng",
                     "Tặng quà cho 14.209 trẻ em", "Lê Đăng Trường", "Biểu 3",
                     "121.450.000 78.900.000"):
        assert expected in text, expected
    first = pdf_text("-f", "1", "-l", "1").split()
    second = pdf_text("-f", "2", "-l", "2").split()
    assert first[0] == "ỦY" and second[0] == "2"  # page numbers from page 2 only
