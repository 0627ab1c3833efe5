"""`consolidate demo`: the whole cycle on Bắc Kạn, with no arguments needed."""

from __future__ import annotations

import os
from pathlib import Path

import python_calamine
from click.testing import CliRunner

from consolidate.cli import main
from consolidate.demo import LATE_UNIT, MISSING_UNIT


def grid(path: Path, sheet: str) -> list[list]:
    wb = python_calamine.CalamineWorkbook.from_path(path)
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_demo_runs_the_whole_cycle_and_reproduces_seed_000(
        tmp_path: Path, seed_tables: dict) -> None:
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(main, ["demo"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("Đã tạo 117 biểu mẫu trống") == 2  # one set per form
    assert "Đã tiếp nhận 232 tệp, từ chối 0 tệp" in out
    reports = tmp_path / "demo" / "bac-kan-2024" / "reports" / "thang-hanh-dong-2024-06"
    lines = [line for line in out.splitlines() if line.startswith("  ") and ".xlsx" in line]
    assert len(lines) == 2 * 9  # the province and its 8 districts, for each form
    assert f"  Tỉnh Bắc Kạn: {Path('demo')}" in out

    rights = tmp_path / "demo" / "bac-kan-2024" / "reports" / "quyen-tre-em-2024-06"
    city = {r[0]: r for r in grid(rights / "058_Tong_hop_Thanh_pho_Bac_Kan.xlsx",
                                  "Tình hình trẻ em") if r[0]}
    seed = seed_tables["seed_002"]["situation"]
    assert city["tre_em"][3] == seed["children"] and city["dan_so"][3] == seed["population"]
    assert city["tre_em_nam"][3] == seed["boys"] and city["tre_em_nu"][3] == seed["girls"]
    assert city["dan_toc_khac"][3] == seed["other_ethnic"]

    district = grid(reports / "058_Tong_hop_Thanh_pho_Bac_Kan.xlsx", "Biểu 1")
    total = next(r for r in district if r[0] == "tong")
    assert [v or None for v in total[2:]] == seed_tables["seed_000"]["bieu_1"]["tong_cong"]

    status = grid(reports / "06_Tong_hop_Tinh_Bac_Kan.xlsx", "Tình hình nộp báo cáo")
    by_code = {r[0]: r for r in status if r[0]}
    assert by_code[LATE_UNIT][4] == "Nộp muộn"
    assert by_code[MISSING_UNIT][4] == "Chưa nộp"
