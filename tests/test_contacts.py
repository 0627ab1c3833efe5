"""Contacts (issue 11, part 1): a contacts file merged onto the campaign's units, the
workbook to fill, and the listing ``send`` uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from consolidate import api
from consolidate.cli import main
from consolidate.core.workspace import Campaign
from consolidate.mail.contacts import contacts_for
from tests.conftest import make_campaign


def _run(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(main, list(args))
    return out.exit_code, out.output


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.fixture
def district(tmp_path: Path) -> Campaign:
    return make_campaign(tmp_path / "ws")


def test_contacts_xlsx_with_codes_typed_as_numbers_is_matched_to_the_units(
        district: Campaign, tmp_path: Path) -> None:
    """Excel drops the leading zeros: 58 is 058, 1840 is 01840; both are certain here."""
    f = _xlsx(tmp_path / "danh-ba.xlsx", [
        ["Mã", "Thư điện tử", "Họ tên", "Điện thoại"],
        [58, "vanphong@backan.gov.vn", "Trần Văn C", "0209 3870 123"],
        [1840, "ducxuan@backan.gov.vn", "Nguyễn Thị A", None],
    ])
    code, out = _run("contacts", "-w", str(district.workspace.path), str(f))
    assert code == 0, out
    got = contacts_for(district)
    assert got["058"].email == "vanphong@backan.gov.vn" and got["058"].name == "Trần Văn C"
    assert got["01840"].email == "ducxuan@backan.gov.vn"
    assert "Đã lưu địa chỉ thư của 2 đơn vị" in out
    assert "01843  Phường Phùng Chí Kiên: chưa có địa chỉ" in out


def test_unknown_codes_and_malformed_addresses_are_reported_per_row(
        district: Campaign, tmp_path: Path) -> None:
    f = tmp_path / "contacts.csv"
    f.write_text("code,email,name,phone\n"
                 "01834,nguyen thi minh khai@backan.gov.vn,,\n"   # a space
                 "01837,songcau@backan,,\n"                         # no domain
                 "01849,duongquang@backan.gov.vn,,\n"
                 "99999,ai@do.vn,,\n"                               # not in the campaign
                 "01852,nôngthượng@backan.gov.vn,,\n", encoding="utf-8")  # diacritics
    code, out = _run("contacts", "-w", str(district.workspace.path), str(f), "--json")
    assert code == 1
    data = json.loads(out)
    bad = {(x["code"], x["row"], x["found"]) for x in data["findings"] if x["severity"] == "error"}
    assert bad == {("contact-email-invalid", "2", "nguyen thi minh khai@backan.gov.vn"),
                   ("contact-email-invalid", "3", "songcau@backan"),
                   ("contact-unknown-unit", "5", "99999"),
                   ("contact-email-invalid", "6", "nôngthượng@backan.gov.vn")}
    assert all(x["file"] == "contacts.csv" and x["expected"] for x in data["findings"])
    assert "Dòng 5" in next(x["message"] for x in data["findings"] if x["row"] == "5")
    assert set(contacts_for(district)) == {"01849"}  # the good row is kept


def test_a_code_that_lost_its_zeros_and_fits_two_units_is_reported_not_guessed(
        tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,level,parent\n058,Thành phố Bắc Kạn,Thành phố,\n"
                      "0058,Phường Một,Phường,058\n1840,Phường Hai,Phường,058\n",
                      encoding="utf-8")
    camp = make_campaign(tmp_path / "ws", roster=roster)
    f = tmp_path / "c.csv"
    f.write_text("mã,email\n58,a@x.vn\n1840,b@x.vn\n", encoding="utf-8")
    result = api.contacts(camp.workspace.path, camp.id, f)
    [amb] = [x for x in result.findings if x.code == "contact-code-ambiguous"]
    assert "058" in amb.fields["expected"] and "0058" in amb.fields["expected"]
    assert set(contacts_for(camp)) == {"1840"}  # an exact code is certain


def test_several_addresses_in_a_cell_first_is_to_the_others_copied(
        district: Campaign, tmp_path: Path) -> None:
    f = tmp_path / "c.csv"
    f.write_text('mã,thư điện tử\n01840,"ducxuan@backan.gov.vn; Văn phòng <vp@backan.gov.vn>,'
                 'ldtbxh@backan.gov.vn"\n', encoding="utf-8")
    api.contacts(district.workspace.path, district.id, f)
    c = contacts_for(district)["01840"]
    assert c.email == "ducxuan@backan.gov.vn"
    assert c.cc == ("vp@backan.gov.vn", "ldtbxh@backan.gov.vn")


def test_template_lists_every_unit_locks_codes_and_round_trips(
        district: Campaign, tmp_path: Path) -> None:
    path = tmp_path / "danh-ba.xlsx"
    code, out = _run("contacts", "-w", str(district.workspace.path), "--template", str(path))
    assert code == 0, out
    wb = load_workbook(path)
    ws = wb.active
    header = next(r for r in ws.iter_rows() if r[0].value == "Mã đơn vị")
    cols = {c.value: c.column for c in header}
    rows = {ws.cell(row=r, column=1).value: r for r in range(header[0].row + 1, ws.max_row + 1)}
    assert set(rows) == {u.code for u in district.roster}  # codes as text, zeros kept
    assert ws.protection.sheet
    assert ws.cell(row=rows["01840"], column=cols["Mã đơn vị"]).protection.locked
    email = ws.cell(row=rows["01840"], column=cols["Thư điện tử"])
    assert not email.protection.locked
    assert ws.print_title_rows and ws.page_setup.orientation == "landscape"
    email.value = "ducxuan@backan.gov.vn"  # the clerk types into the yellow cells
    ws.cell(row=rows["01840"], column=cols["Họ tên"]).value = "Nguyễn Thị A"
    ws.cell(row=rows["058"], column=cols["Điện thoại"]).value = "0209 3870 123"
    ws.cell(row=rows["058"], column=cols["Thư điện tử"]).value = "vp@backan.gov.vn"
    wb.save(path)
    code, out = _run("contacts", "-w", str(district.workspace.path), str(path))
    assert code == 0, out
    got = contacts_for(district)
    assert (got["01840"].email, got["01840"].name) == ("ducxuan@backan.gov.vn", "Nguyễn Thị A")
    assert got["058"].phone == "0209 3870 123"
    again = tmp_path / "again.xlsx"
    api.contacts(district.workspace.path, district.id, template=again)
    ws2 = load_workbook(again).active
    values = [[c.value for c in r] for r in ws2.iter_rows()]
    assert any(r[:1] == ["01840"] and "ducxuan@backan.gov.vn" in r for r in values)


def test_a_custom_rosters_email_column_counts_and_the_listing_names_who_has_none(
        tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,level,parent,email\n"
                      "058,Thành phố Bắc Kạn,Thành phố,,\n"
                      "01840,Phường Đức Xuân,Phường,058,ducxuan@backan.gov.vn\n"
                      "01843,Phường Phùng Chí Kiên,Phường,058,\n", encoding="utf-8")
    camp = make_campaign(tmp_path / "ws", roster=roster)
    result = api.contacts(camp.workspace.path, camp.id)
    by_code = {u["code"]: u for u in result.units}
    assert by_code["01840"]["email"] == "ducxuan@backan.gov.vn"
    assert by_code["01840"]["source"] == "danh mục"
    assert [u["code"] for u in result.missing] == ["058", "01843"]
    assert by_code["01843"]["text"] == "chưa có địa chỉ"
