"""What the clerk did and what the officer sees (issue 10, items 1, 2, 9 and 11).

Every test acts as the person did: the forms are generated through the API, a clerk
opens one with openpyxl (unprotecting a sheet to type into a locked cell where the
story says so), saves it into the inbox, and the officer ingests through the API or
the CLI and reads the findings, the status, the history and the feedback workbook.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from consolidate import api
from consolidate.cli import main
from consolidate.core.errors import Finding
from consolidate.core.numbers import ParseError, format_typed, parse_whole
from consolidate.core.workspace import Campaign, Workspace
from consolidate.forms.layout import GUIDE_SHEET, KEY_ROW, TABLE_MARK
from consolidate.intake.feedback import ERROR_FILL, WARNING_FILL
from consolidate.intake.status import unit_status
from consolidate.outputs.word.status import status_context

from .helpers import fill_workbook, form_path, rollup_of

DEADLINE = dt.date(2024, 7, 3)
ON_TIME = dt.datetime(2024, 7, 1, 9)
B1 = "Biểu 1"
XA_CHILDREN, TOTAL_CHILDREN = "D10", "D11"  # Biểu 1, Số trẻ em tham dự: Cấp xã, Tổng cộng
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def campaign(tmp_path: Path) -> Campaign:
    """TP Bắc Kạn's Action Month campaign, forms generated, as the officer sets it up."""
    ws = tmp_path / "ws"
    made = api.init(ws, "thang-hanh-dong", "2024", "058", deadline=DEADLINE)
    api.forms(ws)
    assert made.campaign is not None
    return Workspace(ws).campaign(made.campaign.id)


def send(path: Path) -> Path:
    """The file arrives on time (received time = the file's time)."""
    os.utime(path, (ON_TIME.timestamp(), ON_TIME.timestamp()))
    return path


def fill(campaign: Campaign, code: str, answers: dict[str, dict[tuple[str, str], Any]],
         name: str) -> Path:
    return send(fill_workbook(form_path(campaign, code), campaign.workspace.inbox / name,
                              answers))


def type_into_locked(path: Path, cells: dict[str, Any], sheet: str = B1) -> Path:
    """Review > Unprotect Sheet, type into cells the form locks, save."""
    wb = load_workbook(path)
    ws = wb[sheet]
    ws.protection.sheet = False
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return send(path)


def status_of(campaign: Campaign, code: str) -> dict[str, Any]:
    return next(u for u in api.status(campaign.workspace.path).units if u["code"] == code)


def archived(campaign: Campaign, path: Path) -> bool:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    return any(p.read_bytes() == data
               for p in (campaign.workspace.archive / sha[:2]).glob(f"{sha}.*"))


def reporting(campaign: Campaign) -> int:
    """How many units below the district the Word report counts as having reported."""
    fresh = Workspace(campaign.workspace.path).campaign(campaign.id)
    return status_context(unit_status(fresh), fresh.root)["received"]


def feedback_cell(result: api.IngestResult, ref: str, sheet: str = B1) -> Any:
    [path] = result.feedback
    return load_workbook(path)[sheet][ref]


def only(findings: list[Finding], code: str) -> Finding:
    [found] = [f for f in findings if f.code == code]
    return found


# --------------------------------------------------------------------------- item 1


def test_a_blank_form_sent_back_is_refused_kept_and_the_unit_stays_missing(
        campaign: Campaign) -> None:
    path = campaign.workspace.inbox / "Duc Xuan bao cao.xlsx"
    load_workbook(form_path(campaign, "01840")).save(path)  # opened, saved, sent: nothing typed
    send(path)
    result = api.ingest(campaign.workspace.path)
    assert result.report.stats["accepted"] == 0 and result.report.stats["rejected"] == 1
    err = only(result.report.errors, "form-blank")
    assert err.file == "Duc Xuan bao cao.xlsx" and err.unit == "01840"
    assert "biểu mẫu chưa nhập số liệu" in err.message.lower()
    assert archived(campaign, path)
    row = status_of(campaign, "01840")
    assert row["status"] == "Chưa nộp" and "biểu mẫu trống" in row["note"]
    assert api.status(campaign.workspace.path).counts["Chưa nộp"] == 9
    [version] = api.history(campaign.workspace.path, "01840").versions
    assert version.status == "rejected" and not version.counts
    assert reporting(campaign) == 0


def test_a_form_of_zeros_and_dashes_is_a_report_of_nothing_and_counts(
        campaign: Campaign) -> None:
    none = {"so_diem_phat_dong": 0, "so_tre_em_tham_du": "-", "cong_trinh_xay_moi": 0,
            "cong_trinh_nang_cap": "-", "nsnn": 0, "van_dong": "-"}
    fill(campaign, "01840", {"bieu_1": {("xa", k): v for k, v in none.items()}}, "dx.xlsx")
    result = api.ingest(campaign.workspace.path)
    assert result.report.valid and result.report.stats["accepted"] == 1
    assert status_of(campaign, "01840")["status"] == "Đúng hạn"
    [version] = api.history(campaign.workspace.path, "01840").versions
    assert version.counts
    assert reporting(campaign) == 1
    roll = rollup_of(Workspace(campaign.workspace.path).campaign(campaign.id), "01840")
    assert all(roll.value("bieu_1", "xa", col) == 0 for col in none)


def test_the_cli_refuses_a_blank_form_and_lists_the_unit_as_not_submitted(
        campaign: Campaign) -> None:
    path = campaign.workspace.inbox / "01840.xlsx"
    load_workbook(form_path(campaign, "01840")).save(path)
    ws = str(campaign.workspace.path)
    runner = CliRunner()
    ingested = runner.invoke(main, ["ingest", "-w", ws])
    assert ingested.exit_code == 1
    assert "tiếp nhận 0, từ chối 1" in ingested.output
    assert "Biểu mẫu chưa nhập số liệu" in ingested.output
    shown = runner.invoke(main, ["status", "-w", ws])
    assert shown.exit_code == 0 and "Chưa nộp 9" in shown.output
    assert "Đúng hạn" not in shown.output


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_a_blank_form_saved_by_an_office_program_is_still_blank(campaign: Campaign,
                                                                tmp_path: Path) -> None:
    """An office program saves the total row's formula with the value it computed ("")."""
    out = tmp_path / "saved"
    subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(form_path(campaign, "01840"))], check=True, capture_output=True,
                   timeout=180)
    [saved] = out.glob("*.xlsx")
    shutil.copy(saved, campaign.workspace.inbox / "dx.xlsx")
    [err] = api.ingest(campaign.workspace.path).report.errors
    assert err.code == "form-blank"


# --------------------------------------------------------------------------- item 2


def test_a_total_typed_over_its_rows_is_a_warning_naming_found_and_expected(
        campaign: Campaign) -> None:
    path = fill(campaign, "01840", {"bieu_1": {("xa", "so_tre_em_tham_du"): 100}}, "dx.xlsx")
    type_into_locked(path, {TOTAL_CHILDREN: 150})
    result = api.ingest(campaign.workspace.path)
    assert result.report.valid
    warn = only(result.findings, "total-mismatch")
    assert (warn.sheet, warn.cell, warn.found, warn.expected) == (B1, TOTAL_CHILDREN, "150", "100")
    assert '"150"' in warn.message and "(100)" in warn.message and "Tổng cộng" in warn.message
    roll = rollup_of(Workspace(campaign.workspace.path).campaign(campaign.id), "01840")
    assert roll.value("bieu_1", "xa", "so_tre_em_tham_du") == 100
    cell = feedback_cell(result, TOTAL_CHILDREN)
    assert cell.fill.fgColor.rgb == WARNING_FILL.fgColor.rgb and warn.message in cell.comment.text


def test_a_total_typed_with_its_rows_blank_is_refused_so_the_figure_is_not_lost(
        campaign: Campaign) -> None:
    path = fill(campaign, "01840", {}, "dx.xlsx")
    type_into_locked(path, {TOTAL_CHILDREN: 150})
    result = api.ingest(campaign.workspace.path)
    [err] = result.report.errors
    assert (err.code, err.sheet, err.cell, err.found) == (
        "total-without-parts", B1, TOTAL_CHILDREN, "150")
    assert '"150"' in err.message and "D10 (Cấp xã)" in err.message
    assert archived(campaign, path)
    assert status_of(campaign, "01840")["status"] == "Bị từ chối"
    assert reporting(campaign) == 0
    cell = feedback_cell(result, TOTAL_CHILDREN)
    assert cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb and err.message in cell.comment.text


def test_a_total_equal_to_the_sum_of_its_rows_is_no_finding(campaign: Campaign) -> None:
    path = fill(campaign, "01840", {"bieu_1": {("huyen", "so_tre_em_tham_du"): 20,
                                              ("xa", "so_tre_em_tham_du"): "100 trẻ"}},
                "dx.xlsx")
    type_into_locked(path, {TOTAL_CHILDREN: 120})
    result = api.ingest(campaign.workspace.path)
    assert result.report.valid and result.findings == []


def test_the_cli_names_the_total_cell_what_was_typed_and_where_it_belongs(
        campaign: Campaign) -> None:
    type_into_locked(fill(campaign, "01840", {}, "dx.xlsx"), {TOTAL_CHILDREN: 150})
    out = CliRunner().invoke(main, ["ingest", "-w", str(campaign.workspace.path)])
    assert out.exit_code == 1
    assert "D11" in out.output and '"150"' in out.output and "D10 (Cấp xã)" in out.output


def test_a_figure_typed_in_a_grey_row_says_where_the_units_figure_belongs(
        campaign: Campaign) -> None:
    """The district's Cấp xã row is summed from its communes: a figure typed there is not
    counted, and the finding says which cells are the district's own."""
    path = fill(campaign, "058", {"bieu_1": {("huyen", "so_tre_em_tham_du"): 200}}, "tp.xlsx")
    type_into_locked(path, {XA_CHILDREN: 5000})
    result = api.ingest(campaign.workspace.path)
    assert result.report.valid
    warn = only(result.findings, "value-in-computed-cell")
    assert (warn.cell, warn.found) == (XA_CHILDREN, "5.000")
    assert "D9 (Cấp huyện)" in warn.expected and "D9 (Cấp huyện)" in warn.message
    assert "không được tính" in warn.message
    assert feedback_cell(result, XA_CHILDREN).fill.fgColor.rgb == WARNING_FILL.fgColor.rgb


def ref_of(path: Path, sheet: str, row_key: str, col_key: str) -> str:
    """The cell a row key (hidden column A) and a column key (hidden key row) name."""
    ws = load_workbook(path, read_only=True)[sheet]
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value}
    [keys] = ws.iter_rows(min_row=KEY_ROW, max_row=KEY_ROW, values_only=True)
    return f"{get_column_letter(keys.index(col_key) + 1)}{rows[row_key]}"


def test_a_commune_typing_in_a_district_row_is_told_the_figure_is_not_counted(
        tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    made = api.init(ws, "quyen-tre-em", "2024", "058", deadline=DEADLINE)
    api.forms(ws)
    camp = Workspace(ws).campaign(made.campaign.id)
    path = fill(camp, "01840", {"bao_luc": {("bao_luc_vu", "so_lieu"): 1}}, "dx.xlsx")
    sheet = "Bạo lực, tai nạn"
    grey = ref_of(path, sheet, "khoi_to_vu", "so_lieu")  # entered by districts only
    type_into_locked(path, {grey: 2}, sheet)
    result = api.ingest(ws)
    assert result.report.valid
    warn = only(result.findings, "value-in-computed-cell")
    assert (warn.sheet, warn.cell, warn.found) == (sheet, grey, "2")
    assert warn.expected.startswith("để trống ô này")
    assert f"Ô {grey} (Bạo lực, tai nạn, Số vụ xâm hại đã khởi tố" in warn.message
    assert feedback_cell(result, grey, sheet).fill.fgColor.rgb == WARNING_FILL.fgColor.rgb


def test_a_form_whose_only_figure_is_in_a_grey_row_is_not_silently_empty(
        campaign: Campaign) -> None:
    type_into_locked(fill(campaign, "058", {}, "tp.xlsx"), {XA_CHILDREN: 5000})
    result = api.ingest(campaign.workspace.path)
    err = only(result.report.errors, "form-no-input")
    assert XA_CHILDREN in err.message
    assert status_of(campaign, "058")["status"] == "Bị từ chối"


def test_text_typed_over_a_label_or_beside_the_table_is_reported_not_dropped(
        campaign: Campaign) -> None:
    path = fill(campaign, "01840", {"bieu_1": {("xa", "so_tre_em_tham_du"): 700}}, "dx.xlsx")
    type_into_locked(path, {"B10": "Cấp phường", "J10": "còn 150 trẻ chưa tính",
                            "D7": "Số trẻ em (lượt)"})
    result = api.ingest(campaign.workspace.path)
    assert result.report.valid
    found = {f.cell: f for f in result.findings if f.code == "text-outside-input"}
    assert set(found) == {"B10", "J10", "D7"}
    assert (found["B10"].found, found["B10"].expected) == ("Cấp phường", '"Cấp xã"')
    assert found["D7"].expected == '"Số trẻ em tham dự"'
    assert (found["J10"].found, found["J10"].expected) == ("còn 150 trẻ chưa tính", "ô trống")
    assert '"còn 150 trẻ chưa tính"' in found["J10"].message
    for ref in ("B10", "J10"):
        assert feedback_cell(result, ref).fill.fgColor.rgb == WARNING_FILL.fgColor.rgb


# --------------------------------------------------------------------------- item 11


def test_messages_quote_the_value_as_typed_and_say_what_is_wrong_with_it(
        campaign: Campaign) -> None:
    fill(campaign, "01840", {"bieu_1": {("xa", "so_tre_em_tham_du"): -1,
                                        ("xa", "so_diem_phat_dong"): 2.5,
                                        ("xa", "cong_trinh_xay_moi"): "2,5",
                                        ("xa", "nsnn"): "khoảng 700"}}, "dx.xlsx")
    errors = {f.cell: f for f in api.ingest(campaign.workspace.path).report.errors}
    assert 'giá trị "-1" là số âm; cần một số không âm' in errors[XA_CHILDREN].message
    assert errors[XA_CHILDREN].found == "-1"
    assert 'giá trị "2,5" có phần thập phân, không phải số nguyên' in errors["C10"].message
    assert "số nguyên" in errors["C10"].expected and errors["C10"].found == "2,5"
    assert 'giá trị "2,5" có phần thập phân' in errors["E10"].message
    assert 'giá trị "khoảng 700" không đọc được chắc chắn' in errors["G10"].message
    for f in errors.values():
        assert "-1.0" not in f.message and "2.5" not in f.message


def test_parse_errors_say_why_and_values_show_as_excel_shows_them() -> None:
    reasons = {}
    for typed in ("-1", -1.0, 2.5, "2,5", "9,367", "khoảng 700", 10.0**13):
        with pytest.raises(ParseError) as info:
            parse_whole(typed)
        reasons[typed] = info.value.reason
    assert reasons["-1"] == reasons[-1.0] == "là số âm"
    assert reasons[2.5] == reasons["2,5"] == "có phần thập phân, không phải số nguyên"
    assert reasons["9,367"] == reasons["khoảng 700"] == "không đọc được chắc chắn"
    assert reasons[10.0**13] == "quá lớn"
    assert [format_typed(v) for v in (-1.0, 2.5, 4930000.0, 4930000.25, "  700 trẻ")] == [
        "-1", "2,5", "4.930.000", "4.930.000,25", "  700 trẻ"]


# --------------------------------------------------------------------------- item 9


def test_the_form_says_a_blank_is_no_figure_and_a_dash_is_none_as_ingest_reads_them(
        campaign: Campaign) -> None:
    wb = load_workbook(form_path(campaign, "01840"))
    guide = " ".join(str(c.value) for row in wb[GUIDE_SHEET].iter_rows() for c in row
                     if c.value)
    assert 'Không có thì nhập 0 hoặc dấu "-"; ô để trống là chưa có số liệu' in guide
    assert "hoặc để trống" not in guide
    for ws in wb.worksheets:
        if str(ws["A1"].value or "").startswith(TABLE_MARK):
            notes = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
            assert 'nhập 0 hoặc "-" là không có; ô để trống là chưa có số liệu' in notes
    fill(campaign, "01840", {"bieu_1": {("xa", "so_diem_phat_dong"): 0,
                                        ("xa", "cong_trinh_xay_moi"): "-"}}, "dx.xlsx")
    assert api.ingest(campaign.workspace.path).report.valid
    roll = rollup_of(Workspace(campaign.workspace.path).campaign(campaign.id), "01840")
    assert roll.value("bieu_1", "xa", "so_diem_phat_dong") == 0
    assert roll.value("bieu_1", "xa", "cong_trinh_xay_moi") == 0
    assert roll.value("bieu_1", "xa", "so_tre_em_tham_du") is None  # blank: no figure given


def test_a_form_issued_before_the_deadline_moved_reads_clean(campaign: Campaign) -> None:
    """The title line of a form carries the deadline; forms already sent keep the old one."""
    fill(campaign, "01840", {"bieu_1": {("xa", "so_tre_em_tham_du"): 700}}, "dx.xlsx")
    api.settings(campaign.workspace.path, campaign.id, {"deadline": "2024-07-10"})
    assert "10/7/2024" in Workspace(campaign.workspace.path).campaign(campaign.id).deadline_text()
    result = api.ingest(campaign.workspace.path)
    assert result.report.valid and result.findings == []
