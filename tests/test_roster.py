"""Tests for consolidate.roster: official trees, custom files, validation, lazy loading."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from consolidate.core.roster import (
    Roster,
    RosterError,
    Unit,
    load_roster_file,
    official_roster,
    resolve_roster,
)
from consolidate.core.vocabulary import LEVEL_ORDER, LEVELS

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tree2024() -> Roster:
    return official_roster("2024")


@pytest.fixture(scope="module")
def tree2025() -> Roster:
    return official_roster("2025")


def level_counts(roster: Roster) -> Counter:
    return Counter(unit.level for unit in roster.units())


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# ----------------------------------------------------------------- official three tiers


def test_constants_cover_four_levels_with_vietnamese_labels():
    # the national level above the provinces is part of the vocabulary since issue 13
    assert LEVEL_ORDER == ("national", "province", "district", "commune")
    assert [LEVELS[level].row_label for level in LEVEL_ORDER] == [
        "Cấp trung ương", "Cấp tỉnh", "Cấp huyện", "Cấp xã"]


def test_official_2024_has_63_provinces_696_districts_10035_communes(tree2024):
    # since issue 13 the official trees have the whole country ("VN") as their root
    assert level_counts(tree2024) == {"national": 1, "province": 63, "district": 696,
                                      "commune": 10035}
    assert len(tree2024) == 1 + 63 + 696 + 10035
    assert tree2024.levels() == ["national", "province", "district", "commune"]
    assert [u.code for u in tree2024.roots()] == ["VN"]
    assert len(tree2024.children("VN")) == 63


def test_bac_kan_has_8_districts_and_108_communes(tree2024):
    districts = tree2024.children("06")
    assert len(districts) == 8
    assert {u.level for u in districts} == {"district"}
    assert Counter(u.level for u in tree2024.descendants("06")) == {"district": 8, "commune": 108}


def test_duc_xuan_ward_sits_under_bac_kan_city_under_bac_kan_province(tree2024):
    assert tree2024["01840"] == Unit("01840", "Phường Đức Xuân", "commune", "058")
    assert tree2024["058"] == Unit("058", "Thành phố Bắc Kạn", "district", "06")
    assert tree2024["06"] == Unit("06", "Tỉnh Bắc Kạn", "province", "VN")


def test_official_names_write_type_prefix_in_its_own_casing(tree2024):
    # The dataset spells some as "Thành Phố ...", "Thị Xã ...", "Thị Trấn ...".
    odd = ("Thành Phố ", "Thị Xã ", "Thị Trấn ")
    assert [u.name for u in tree2024.units() if u.name.startswith(odd)] == []


def test_districts_without_communes_are_kept_and_empty(tree2024):
    assert tree2024["318"].name == "Huyện Bạch Long Vĩ"
    assert tree2024.children("318") == []
    assert tree2024.descendants("318") == []


def test_ancestors_list_parent_first_up_to_root(tree2024):
    assert [u.code for u in tree2024.ancestors("01840")] == ["058", "06", "VN"]
    assert tree2024.ancestors("VN") == []


def test_children_are_in_code_order(tree2024):
    codes = [u.code for u in tree2024.children("058")]
    assert codes == sorted(codes)
    assert codes[:3] == ["01834", "01837", "01840"]


def test_descendants_are_depth_first_district_then_its_communes(tree2024):
    below = tree2024.descendants("06")
    assert [u.code for u in below[:3]] == ["058", "01834", "01837"]
    current_district = None
    for unit in below:
        if unit.level == "district":
            assert unit.parent == "06"
            current_district = unit.code
        else:
            assert unit.parent == current_district


def test_units_are_preorder_from_roots(tree2024):
    units = tree2024.units()
    assert units[0].code == "VN" and units[0].parent is None
    assert units[1].code == "01" and units[1].parent == "VN"
    seen: set[str] = set()
    for unit in units:
        assert unit.parent is None or unit.parent in seen
        seen.add(unit.code)


def test_subtree_makes_the_unit_a_root_with_its_8_communes(tree2024):
    sub = tree2024.subtree("058")
    assert sub.roots() == [Unit("058", "Thành phố Bắc Kạn", "district", None)]
    assert len(sub.descendants("058")) == 8
    assert len(sub) == 9
    assert sub.levels() == ["district", "commune"]
    assert "06" not in sub
    assert tree2024["058"].parent == "06"  # the original tree is untouched


def test_unknown_code_raises_vietnamese_roster_error(tree2024):
    with pytest.raises(RosterError, match="Không có đơn vị mã 99999 trong danh mục"):
        tree2024["99999"]
    with pytest.raises(RosterError):
        tree2024.children("99999")
    assert "99999" not in tree2024
    assert "01840" in tree2024


def test_default_and_explicit_2024_share_one_cached_roster(tree2024):
    assert official_roster() is tree2024
    assert resolve_roster(None) is tree2024
    assert resolve_roster("2024") is tree2024


def test_unknown_official_structure_is_rejected():
    with pytest.raises(RosterError, match="2024"):
        official_roster("2019")


# ----------------------------------------------------------------- official two tiers


def test_official_2025_has_34_provinces_3321_communes_and_no_districts(tree2025):
    assert level_counts(tree2025) == {"national": 1, "province": 34, "commune": 3321}
    assert tree2025.levels() == ["national", "province", "commune"]
    assert all(tree2025[u.parent].level == "province"
               for u in tree2025.units() if u.level == "commune")
    assert resolve_roster("2025") is tree2025


# ----------------------------------------------------------------- custom files


def test_csv_two_level_tree_province_to_commune(tmp_path):
    path = write_csv(tmp_path / "two.csv",
                     "code,name,level,parent,email\n"
                     "06,Tỉnh Bắc Kạn,province,,tinh@example.vn\n"
                     "01843,Phường Phùng Chí Kiên,commune,06,\n"
                     "01840,Phường Đức Xuân,commune,06,ducxuan@example.vn\n")
    roster = load_roster_file(path)
    assert roster.levels() == ["province", "commune"]
    assert [u.code for u in roster.children("06")] == ["01843", "01840"]  # file order
    assert roster["01840"] == Unit("01840", "Phường Đức Xuân", "commune", "06",
                                   "ducxuan@example.vn")
    assert roster["06"].email == "tinh@example.vn"


def test_csv_vietnamese_headers_levels_semicolon_and_bom(tmp_path):
    path = write_csv(tmp_path / "ba-cap.csv",
                     "Mã;Tên;Cấp;Mã cấp trên;Email\n"
                     "06;Tỉnh Bắc Kạn;Tỉnh;;\n"
                     "058;Thành phố Bắc Kạn;cấp huyện;06;\n"
                     "01840;Phường Đức Xuân;XÃ;058;a@b.vn\n"
                     "\n"
                     "01843;Phường Phùng Chí Kiên;Cấp Xã;058;\n",
                     encoding="utf-8-sig")
    roster = load_roster_file(path)
    assert roster.levels() == ["province", "district", "commune"]
    assert [u.code for u in roster.units()] == ["06", "058", "01840", "01843"]
    assert [u.code for u in roster.ancestors("01843")] == ["058", "06"]
    assert roster["01840"].email == "a@b.vn"


def test_csv_accepts_don_vi_cap_tren_header(tmp_path):
    path = write_csv(tmp_path / "x.csv",
                     "mã,tên,cấp,đơn vị cấp trên\n01,Tỉnh A,tỉnh,\n0101,Xã B,xã,01\n")
    assert load_roster_file(path)["0101"].parent == "01"


def test_xlsx_first_sheet_with_numeric_codes_kept_as_text(tmp_path):
    path = tmp_path / "danh-muc.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã", "Tên", "Cấp", "Mã cấp trên", "Email"])
    sheet.append(["06", "Tỉnh Bắc Kạn", "tỉnh", None, None])
    sheet.append([58, "Thành phố Bắc Kạn", "huyện", "06", None])
    sheet.append([1840, "Phường Đức Xuân", "xã", 58, "dx@example.vn"])
    book.create_sheet("Khác").append(["không", "phải", "danh", "mục"])
    book.save(path)

    roster = resolve_roster(path)
    assert roster["1840"] == Unit("1840", "Phường Đức Xuân", "commune", "58", "dx@example.vn")
    assert roster["58"].parent == "06"
    assert len(roster) == 3


def test_xlsx_errors_use_the_row_number_excel_shows(tmp_path):
    path = tmp_path / "loi.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"] = "code", "name", "level", "parent"
    sheet["A4"], sheet["B4"], sheet["C4"] = "01", "Tỉnh A", "province"
    sheet["A6"], sheet["B6"], sheet["C6"], sheet["D6"] = "0101", "Xã B", "xã", "09"
    book.save(path)
    with pytest.raises(RosterError, match=r"loi\.xlsx, dòng 6: .*không có trong danh mục"):
        load_roster_file(path)


HEADER = "code,name,level,parent\n"


@pytest.mark.parametrize(
    ("body", "row", "phrase"),
    [
        ("01,Tỉnh A,province,\n01,Tỉnh B,province,\n", 3, "bị trùng (đã có ở dòng 2)"),
        ("01,Tỉnh A,province,\n0101,Xã B,commune,02\n", 3, "không có trong danh mục"),
        ("01,Tỉnh A,province,\n0101,Xã B,thôn,01\n", 3, "không hợp lệ"),
        ("01,Tỉnh A,tỉnh,\n0101,Xã B,xã,01\n0102,Xã C,xã,0101\n", 4,
         "phải thấp hơn cấp trên"),
        ("01,Tỉnh A,tỉnh,\n0101,,xã,01\n", 3, "thiếu tên"),
        ("01,Tỉnh A,tỉnh,\n,Xã B,xã,01\n", 3, "Thiếu mã đơn vị"),
    ],
    ids=["duplicate-code", "unknown-parent", "unknown-level", "commune-under-commune",
         "missing-name", "missing-code"],
)
def test_bad_rows_raise_vietnamese_error_naming_file_and_row(tmp_path, body, row, phrase):
    path = write_csv(tmp_path / "sai.csv", HEADER + body)
    with pytest.raises(RosterError) as caught:
        load_roster_file(path)
    message = str(caught.value)
    assert f"Tệp sai.csv, dòng {row}:" in message
    assert phrase in message


def test_missing_required_column_is_reported_on_header_row(tmp_path):
    path = write_csv(tmp_path / "thieu.csv", "\ncode,name,parent\n01,Tỉnh A,\n")
    with pytest.raises(RosterError, match=r"thieu\.csv, dòng 2: Thiếu cột cấp"):
        load_roster_file(path)


def test_unsupported_missing_and_empty_files_are_rejected(tmp_path):
    with pytest.raises(RosterError, match="Không tìm thấy"):
        load_roster_file(tmp_path / "khong-co.csv")
    with pytest.raises(RosterError, match="CSV hoặc XLSX"):
        load_roster_file(write_csv(tmp_path / "a.txt", HEADER))
    with pytest.raises(RosterError, match="không có đơn vị nào"):
        load_roster_file(write_csv(tmp_path / "rong.csv", HEADER))
    with pytest.raises(RosterError, match="không phải văn bản UTF-8"):
        legacy = tmp_path / "cp.csv"
        legacy.write_bytes(HEADER.encode() + b"01,T\xecnh H\xe0 N\xf4i,province,\n")
        load_roster_file(legacy)


# ----------------------------------------------------------------- Roster validation


def test_roster_rejects_parent_cycles():
    units = [Unit("A", "Huyện A", "district", "B"), Unit("B", "Huyện B", "district", "A")]
    with pytest.raises(RosterError, match="vòng lặp"):
        Roster(units)
    with pytest.raises(RosterError, match="vòng lặp"):
        Roster([Unit("A", "Tỉnh A", "province", "A")])


def test_roster_rejects_unknown_level_and_child_not_below_parent():
    with pytest.raises(RosterError, match="Cấp 'village'"):
        Roster([Unit("A", "Thôn A", "village", None)])
    with pytest.raises(RosterError, match="không thể trực thuộc"):
        Roster([Unit("X", "Xã X", "commune", None), Unit("H", "Huyện H", "district", "X")])


def test_roster_allows_skipping_a_level():
    roster = Roster([Unit("P", "Tỉnh P", "province", None), Unit("C", "Xã C", "commune", "P")])
    assert roster.levels() == ["province", "commune"]
    assert list(roster) == roster.units()


# ----------------------------------------------------------------- laziness


def test_importing_module_does_not_touch_the_dataset():
    script = (
        "import sqlite3, sys\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('sqlite opened at import time')\n"
        "real_connect, sqlite3.connect = sqlite3.connect, refuse\n"
        "import consolidate.core.roster as roster\n"
        "assert roster.official_roster.cache_info().currsize == 0\n"
        "assert not [m for m in sys.modules if m.startswith('vietnamadminunits')]\n"
        "sqlite3.connect = real_connect\n"
        "assert len(roster.official_roster('2025')) == 1 + 34 + 3321  # VN, provinces, communes\n"
        "assert not [m for m in sys.modules if m.startswith('vietnamadminunits')]\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=REPO_ROOT, env=env, timeout=60)
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "ok"
