"""Every unit gets its errors back: a feedback workbook it can open, fix and return."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from consolidate import api
from consolidate.cli import main
from consolidate.core.errors import Report
from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.feedback import ERROR_FILL, SHEET

from .conftest import Filler
from .corpus import GOOD, Ctx, narrative_cell, with_answers, write_text, xlsm


def ingest(workspace: Workspace) -> Report:
    """Ingest through the API, which writes the feedback after the run."""
    return api.ingest(workspace.path).report


def feedback_files(campaign: Campaign) -> list[Path]:
    return sorted((campaign.workspace.path / "feedback").rglob("*.xlsx"))


def ctx_of(campaign: Campaign) -> Ctx:
    return Ctx(campaign.folder("forms"), campaign.workspace.inbox,
               campaign.workspace.path / "scratch")


def test_rejected_file_gets_a_copy_with_the_bad_cell_marked_and_a_list_of_findings(
        district: Campaign, fill: Filler) -> None:
    fill(district, "01840", with_answers(so_tre_em_tham_du="khoảng 700", nsnn=-5),
         name="Báo cáo Đức Xuân.xlsx")
    report = ingest(district.workspace)
    assert not report.valid
    [path] = feedback_files(district)
    assert path.parent.name == district.id
    assert path.name.startswith("01840_Phuong_Duc_Xuan_gop-y_") and path.name.isascii()
    wb = load_workbook(path)
    assert wb.sheetnames[0] == SHEET and wb.active.title == SHEET
    sheet = wb[SHEET]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "Phường Đức Xuân (mã 01840)" in text and "CHƯA TIẾP NHẬN" in text
    assert "Báo cáo Đức Xuân.xlsx" in text
    for f in report.errors:
        assert f.message in text
    b1 = wb["Biểu 1"]
    for ref, found, why in (("D10", "khoảng 700", '"khoảng 700" không đọc được chắc chắn'),
                            ("G10", -5, '"-5" là số âm')):
        cell = b1[ref]
        assert cell.value == found  # the copy keeps what they typed
        assert cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb
        assert cell.comment is not None and why in cell.comment.text
    assert "_meta" in wb.sheetnames  # still their form: they can fix it and send it back


def test_a_corrected_file_replaces_the_feedback_and_a_rerun_changes_nothing(
        district: Campaign, fill: Filler) -> None:
    fill(district, "01840", with_answers(so_tre_em_tham_du="khoảng 700"), name="v1.xlsx")
    ingest(district.workspace)
    [first] = feedback_files(district)
    data = first.read_bytes()
    ingest(district.workspace)  # nothing new: the same feedback, not rewritten
    assert feedback_files(district) == [first] and first.read_bytes() == data
    fill(district, "01840", GOOD, name="v2.xlsx")
    assert ingest(district.workspace).valid
    assert feedback_files(district) == []  # fixed: nothing left to send back


def test_macros_are_never_copied_into_feedback(district: Campaign) -> None:
    ctx = ctx_of(district)
    [path] = xlsm(ctx)
    report = ingest(district.workspace)
    assert [f.code for f in report.findings] == ["macros-ignored"]
    [made] = feedback_files(district)
    with zipfile.ZipFile(made) as zf:
        assert not [n for n in zf.namelist() if "vba" in n.lower()]
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")
    assert path.suffix == ".xlsm" and made.suffix == ".xlsx"


def test_a_file_that_cannot_be_opened_gets_the_list_alone(district: Campaign) -> None:
    (district.workspace.inbox / "..\\..\\bao cao?.xlsx").write_bytes(b"%PDF-1.7 not a form")
    ingest(district.workspace)
    [made] = feedback_files(district)
    assert made.parent == district.workspace.path / "feedback" / district.id
    assert made.name.startswith("khong-ro-don-vi_bao_cao_gop-y_")
    wb = load_workbook(made)
    assert wb.sheetnames == [SHEET]
    text = " ".join(str(c.value) for row in wb[SHEET].iter_rows() for c in row if c.value)
    assert "tệp PDF" in text and "chưa xác định" in text


def test_text_that_looks_like_a_formula_stays_text_in_the_feedback_copy(
        district: Campaign) -> None:
    ctx = ctx_of(district)
    path = ctx.filled(answers=with_answers(so_tre_em_tham_du="khoảng 700"))
    ref = narrative_cell(ctx, "kien_nghi")
    write_text(path, "Thuyết minh", ref, "=cmd|' /C calc'!A0")
    ingest(district.workspace)
    [made] = feedback_files(district)
    cell = load_workbook(made)["Thuyết minh"][ref]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"
    with zipfile.ZipFile(made) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>cmd" in zf.read(n) for n in sheets)


def test_cli_exit_code_and_json_carry_the_same_findings(district: Campaign, fill: Filler) -> None:
    fill(district, "01840", with_answers(so_tre_em_tham_du="khoảng 700"), name="a.xlsx")
    ws = str(district.workspace.path)
    text = CliRunner().invoke(main, ["ingest", "-w", ws])
    assert text.exit_code == 1
    assert "a.xlsx:" in text.output and "LỖI: trang 'Biểu 1': Ô D10" in text.output
    assert "Phiếu góp ý" in text.output
    fill(district, "01843", GOOD, name="b.xlsx")
    fill(district, "01846", with_answers(so_tre_em_tham_du="khoảng 700"), name="c.xlsx")
    result = CliRunner().invoke(main, ["ingest", "-w", ws, "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["valid"] is False and data["stats"]["rejected"] == 1
    [err] = [f for f in data["findings"] if f["severity"] == "error"]
    assert (err["code"], err["file"], err["sheet"], err["cell"], err["unit"]) == (
        "value-not-number", "c.xlsx", "Biểu 1", "D10", "01846")
    ctx = ctx_of(Workspace(ws).campaign())
    xlsm(ctx)  # only a warning: exit code 0
    warned = CliRunner().invoke(main, ["ingest", "-w", ws, "--json"])
    assert warned.exit_code == 0
    assert [f["code"] for f in json.loads(warned.output)["findings"]
            if f["severity"] != "info"] == ["macros-ignored"]
