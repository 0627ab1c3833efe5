"""Generated forms: one per unit, identity printed and hidden, protected, validated, printable."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from consolidate.core.files import safe_filename
from consolidate.core.workspace import Campaign
from consolidate.forms.generate import token_meta
from consolidate.forms.layout import FIRST_DATA_ROW, META_SHEET
from consolidate.forms.style import PORTRAIT_WIDTH, printed_width

from .conftest import form_path, make_campaign


def meta(path: Path) -> dict[str, str]:
    ws = load_workbook(path)[META_SHEET]
    return {r[0].value: r[1].value for r in ws.iter_rows()}


def test_one_form_per_unit_named_in_ascii(district: Campaign) -> None:
    names = sorted(p.name for p in district.folder("forms").glob("*.xlsx"))
    assert len(names) == 9  # TP Bắc Kạn and its 8 wards and communes
    assert "01840_Phuong_Duc_Xuan.xlsx" in names
    assert "058_Thanh_pho_Bac_Kan.xlsx" in names
    assert all(n.isascii() and " " not in n for n in names)


def test_safe_filename_strips_diacritics_and_separators() -> None:
    assert safe_filename("01843", "Phường Phùng Chí Kiên") == "01843_Phuong_Phung_Chi_Kien.xlsx"
    assert safe_filename("1", "../..\\Đắk Lắk: x") == "1_Dak_Lak_x.xlsx"


def test_header_and_hidden_metadata_carry_the_units_identity(district: Campaign) -> None:
    path = form_path(district, "01840")
    wb = load_workbook(path)
    ws = wb["Biểu 1"]
    assert ws["B3"].value == ("Đơn vị báo cáo: Phường Đức Xuân (mã 01840), "
                              "Thành phố Bắc Kạn, Tỉnh Bắc Kạn")
    assert ws["B4"].value == ("Kỳ báo cáo: năm 2024 – Thời gian chốt số liệu: đến hết ngày "
                              "02/7/2024 – Hạn nộp: trước ngày 03/7/2024")
    assert wb[META_SHEET].sheet_state == "veryHidden"
    stamped = meta(path)
    assert {k: stamped.pop(k) for k in ("issuer", "token")} == \
        token_meta(district, "01840")  # bound to unit, form and period (issue 6)
    assert stamped == {"form_id": "thang-hanh-dong", "form_version": "1", "period": "2024",
                       "unit_code": "01840", "unit_level": "commune", "kind": "form"}
    assert meta(form_path(district, "058"))["unit_code"] == "058"


def test_only_the_units_own_rows_are_open_for_input(district: Campaign) -> None:
    commune = load_workbook(form_path(district, "01840"))["Biểu 1"]
    dist = load_workbook(form_path(district, "058"))["Biểu 1"]
    tinh, huyen, xa, tong = (FIRST_DATA_ROW + i for i in range(4))
    assert [commune.cell(r, 1).value for r in (tinh, huyen, xa, tong)] == [
        "tinh", "huyen", "xa", "tong"]
    # a commune fills Cấp xã (and upper rows if its children went to upper-level events)
    assert all(not commune.cell(r, 3).protection.locked for r in (tinh, huyen, xa))
    # a district's Cấp xã row is rolled up from its communes: locked and grey
    assert not dist.cell(huyen, 3).protection.locked
    assert dist.cell(xa, 3).protection.locked
    assert dist.cell(xa, 3).fill.fgColor.rgb.endswith("D9D9D9")
    assert dist.cell(huyen, 3).fill.fgColor.rgb.endswith("FFF2CC")
    assert commune.cell(tong, 4).value.startswith("=IF(COUNT(D8:D10)=0")
    assert commune.cell(tong, 4).protection.locked


def test_sheets_are_protected_without_password_and_structure_locked(district: Campaign) -> None:
    wb = load_workbook(form_path(district, "01840"))
    assert wb.security.lockStructure
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title


def test_counts_and_money_are_validated_as_whole_numbers(district: Campaign) -> None:
    ws = load_workbook(form_path(district, "01840"))["Biểu 1"]
    [dv] = ws.data_validations.dataValidation
    assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert "số nguyên không âm" in dv.error
    assert "C8" in str(dv.sqref) and "H10" in str(dv.sqref)
    assert "C11" not in str(dv.sqref)  # the total row is not an input


def test_table_sheets_print_on_a4_fitted_with_repeated_headers(district: Campaign) -> None:
    wb = load_workbook(form_path(district, "01840"))
    for name in ("Biểu 1", "Biểu 2", "Biểu 3"):
        ws = wb[name]
        assert int(ws.page_setup.paperSize) == 9  # A4
        wide = printed_width(ws, 2, ws.max_column) > PORTRAIT_WIDTH  # Biểu 3 fits upright
        assert ws.page_setup.orientation == ("landscape" if wide else "portrait")
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$6:$7"
        assert ws.print_area and ws.print_area.startswith(f"'{name}'!$B$1:")
        assert ws.freeze_panes == "C8"
        assert ws.column_dimensions["A"].hidden
        assert ws.column_dimensions["B"].width >= 20


def test_guide_sheet_comes_first_in_vietnamese(district: Campaign) -> None:
    wb = load_workbook(form_path(district, "01840"))
    assert wb.sheetnames[0] == "Hướng dẫn"
    text = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert "Chỉ nhập số liệu vào các ô màu vàng" in text
    assert "Phường Đức Xuân" in text


def test_two_tier_roster_forms_have_no_district_row(tmp_path: Path) -> None:
    campaign = make_campaign(tmp_path / "ws", unit="11", roster="2025")
    # the tree's levels include the country above the provinces (issue 13); the form's
    # level rows stay the two of the 2025 structure, no form declaring a national row
    assert campaign.levels == ["national", "province", "commune"]
    forms = list(campaign.folder("forms").glob("*.xlsx"))
    assert len(forms) == len(campaign.roster)
    ws = load_workbook(forms[-1])["Biểu 2"]
    labels = [ws.cell(FIRST_DATA_ROW + i, 2).value for i in range(3)]
    assert labels == ["Cấp tỉnh", "Cấp xã", "Tổng cộng"]
