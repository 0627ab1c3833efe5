"""The consolidated workbook, reopened with openpyxl: figures, formats, sheets, safety."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from openpyxl import load_workbook

from consolidate.core.workspace import Campaign, Workspace
from consolidate.demo import SEED_000_COMMUNES, SEED_000_DISTRICT, seed_000_commune_answers
from consolidate.forms.layout import META_SHEET, NUMBER_FORMAT
from consolidate.intake.ingest import ingest
from consolidate.outputs.word import WordRenderer

from .conftest import Filler
from .helpers import write_reports


def consolidated(district: Campaign, fill: Filler, narrative: dict[str, str] | None = None):
    fill(district, "058", SEED_000_DISTRICT, narrative=narrative,
         received=dt.datetime(2024, 7, 2))
    for code in list(SEED_000_COMMUNES)[:-2]:  # Xuất Hóa (01855) never answers
        fill(district, code, seed_000_commune_answers(code), received=dt.datetime(2024, 7, 1))
    fill(district, "01852", seed_000_commune_answers("01852"), name="late.xlsx",
         received=dt.datetime(2024, 7, 5, 8))
    assert ingest(district.workspace).valid
    [result] = write_reports(Workspace(district.workspace.path).campaign(district.id))
    return result, load_workbook(result.workbook)


def test_tables_carry_rolled_up_values_and_totals_as_numbers(
        district: Campaign, fill: Filler) -> None:
    result, wb = consolidated(district, fill)
    ws = wb["Biểu 1"]
    assert [ws.cell(r, 2).value for r in range(8, 12)] == [
        "Cấp tỉnh", "Cấp huyện", "Cấp xã", "Tổng cộng"]
    assert ws["D8"].value == 20 and ws["D9"].value == 200 and ws["D10"].value == 22
    assert ws["D11"].value == 242  # a value, not a formula: the report is finished
    assert ws["G11"].value == 121_450_000 - 3_000_000  # Xuất Hóa's 3.000.000 is missing
    assert ws["G11"].number_format == NUMBER_FORMAT
    assert ws["F11"].value is None  # nobody upgraded a play area: "-"
    assert ws["B11"].font.b and ws["D11"].font.b


def test_consolidated_workbook_is_a_submission_of_the_district(
        district: Campaign, fill: Filler) -> None:
    _, wb = consolidated(district, fill)
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows()}
    assert meta["kind"] == "rollup" and meta["unit_code"] == "058"
    assert wb["Biểu 1"]["B3"].value.startswith("Đơn vị báo cáo: Thành phố Bắc Kạn (mã 058)")


def test_status_sheet_lists_late_and_missing_units(district: Campaign, fill: Filler) -> None:
    _, wb = consolidated(district, fill)
    ws = wb["Tình hình nộp báo cáo"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]}
    assert rows["01852"][4] == "Nộp muộn" and rows["01852"][6] == "late.xlsx"
    assert rows["01852"][5] == "05/07/2024 08:00"  # received, written as the documents write dates
    assert rows["01855"][4] == "Chưa nộp"
    assert rows["01840"][4] == "Đúng hạn"
    assert ws["A2"].value == "Đúng hạn: 7; Nộp muộn: 1; Chưa nộp: 1"
    assert ws.freeze_panes == "C5" and ws.print_title_rows == "$4:$4"


def test_text_from_submissions_is_never_turned_into_a_formula(
        district: Campaign, fill: Filler) -> None:
    # openpyxl would store "=..." as a formula; a user types it as text in a text cell
    text = "'=HYPERLINK(\"http://x\") kinh phí còn thiếu"
    _, wb = consolidated(district, fill, narrative={"ton_tai": text})
    ws = wb["Thuyết minh các đơn vị"]
    cells = [c for row in ws.iter_rows(min_row=5) for c in row if c.column == 4 and c.value]
    [cell] = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert cell.data_type == "s"


def test_each_detail_sheet_prints_readably(district: Campaign, fill: Filler) -> None:
    _, wb = consolidated(district, fill)
    for name in ("Chi tiết Biểu 1", "Chi tiết Biểu 2", "Chi tiết Biểu 3"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$4:$5" and ws.freeze_panes == "D6"  # groups, labels
        assert all(ws.column_dimensions[c].width >= 9 for c in "BCDEFG")
    assert wb["Chi tiết Biểu 1"]["C6"].value == "Phường Nguyễn Thị Minh Khai"


def test_the_garbage_collector_runs_again_after_a_report_even_a_failed_one(
        district: Campaign, fill: Filler, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report pauses the cyclic collector while a unit's files are built (a national
    workbook's cells made it walk them again and again); a report must hand it back, also
    when building fails, or a long-running page would never collect cycles again."""
    consolidated(district, fill)
    assert gc.isenabled()

    def broken(*_args: object, **_kwargs: object) -> None:
        assert not gc.isenabled()  # paused while the unit's files are built
        raise RuntimeError("the Word template broke")

    monkeypatch.setattr(WordRenderer, "render", broken)
    with pytest.raises(RuntimeError):
        write_reports(Workspace(district.workspace.path).campaign(district.id))
    assert gc.isenabled()
