"""The CLI through click's CliRunner: exit codes, Vietnamese messages, JSON, quiet in scripts."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from consolidate.cli import main

from .helpers import ANSWERS, fill_workbook


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def init(ws: Path) -> None:
    code, out = run("init", "-w", str(ws), "--form", "thang-hanh-dong", "--period", "2024",
                    "--unit", "058", "--deadline", "2024-07-03")
    assert code == 0, out
    assert "Đã tạo đợt báo cáo thang-hanh-dong-2024-058" in out
    assert "Thành phố Bắc Kạn và 8 đơn vị trực thuộc" in out


def test_full_cycle_through_the_cli(tmp_path: Path) -> None:
    ws = tmp_path / "Phòng LĐTBXH thành phố"  # spaces and diacritics in the folder name
    init(ws)
    code, out = run("forms", "-w", str(ws))
    assert code == 0 and "Đã tạo 9 biểu mẫu" in out
    assert "Đang tạo" not in out  # no progress bar outside a terminal
    form = next((ws / "forms" / "thang-hanh-dong-2024-058").glob("01840_*.xlsx"))
    filled = fill_workbook(form, ws / "inbox" / "Đức Xuân.xlsx", ANSWERS)
    on_time = dt.datetime(2024, 7, 2, 10).timestamp()
    os.utime(filled, (on_time, on_time))
    code, out = run("ingest", "-w", str(ws))
    assert code == 0, out
    assert "Đã xử lý 1 tệp: tiếp nhận 1, từ chối 0, trùng lặp 0." in out
    code, out = run("status", "-w", str(ws))
    assert code == 0
    assert "Phường Đức Xuân" in out and "Đúng hạn" in out
    assert "Chưa nộp 8" in out
    code, out = run("report", "-w", str(ws))
    assert code == 0  # one ward of eight: a warning, not a failure
    assert "Cảnh báo: Thành phố Bắc Kạn: số liệu mới gồm báo cáo của 01/08" in out
    path = Path(out.strip().splitlines()[-1].split(": ", 1)[1])  # the workbook's line, last
    wb = load_workbook(path)
    assert wb["Biểu 1"]["D10"].value == 700


def test_rejected_file_exits_1_and_names_file_sheet_and_cell(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init(ws)
    run("forms", "-w", str(ws))
    form = next((ws / "forms" / "thang-hanh-dong-2024-058").glob("01843_*.xlsx"))
    fill_workbook(form, ws / "inbox" / "PCK.xlsx", {"bieu_2": {("xa", "tang_qua_kinh_phi"): "4tr"}})
    code, out = run("ingest", "-w", str(ws))
    assert code == 1
    assert "PCK.xlsx:" in out
    assert "LỖI: trang 'Biểu 2': Ô D10 (Biểu 2, Cấp xã, Kinh phí (đồng)): giá trị \"4tr\"" in out
    assert "tiếp nhận 0, từ chối 1" in out


def test_json_output_is_the_librarys_report(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    init(ws)
    (ws / "inbox" / "rong.xlsx").write_bytes(b"")
    code, out = run("ingest", "-w", str(ws), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False
    assert report["stats"]["rejected"] == 1
    [item] = report["findings"]
    assert item["code"] == "file-empty" and item["file"] == "rong.xlsx"
    assert item["severity"] == "error" and item["message"] == "Tệp rỗng (0 byte)"


def test_wrong_usage_exits_2(tmp_path: Path) -> None:
    code, out = run("init", "-w", str(tmp_path), "--period", "2024", "--unit", "058")
    assert code == 2 and "--form" in out
    code, _ = run("khong-co-lenh")
    assert code == 2
    code, out = run("init", "-w", str(tmp_path), "--form", "thang-hanh-dong", "--period",
                    "2024", "--unit", "058", "--deadline", "3 tháng 7")
    assert code == 2 and "không phải ngày" in out


def test_domain_errors_exit_1_with_a_vietnamese_message(tmp_path: Path) -> None:
    code, out = run("init", "-w", str(tmp_path), "--form", "thang-hanh-dong", "--period",
                    "2024", "--unit", "99999")
    assert code == 1 and "Không có đơn vị mã '99999'" in out
    assert "Traceback" not in out
    code, out = run("status", "-w", str(tmp_path / "chua-co"))
    assert code == 1 and "chưa có đợt báo cáo nào" in out
    code, out = run("init", "-w", str(tmp_path), "--form", "khong-co", "--period", "2024",
                    "--unit", "058")
    assert code == 1 and "Không tìm thấy biểu mẫu 'khong-co'" in out


def test_help_does_not_load_the_roster_or_pandas() -> None:
    probe = ("import sys; from click.testing import CliRunner; from consolidate.cli import main; "
             "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
             "print(sorted(m for m in ('pandas', 'consolidate.roster', 'openpyxl') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_rights_form_cycle_through_the_cli(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    code, out = run("init", "-w", str(ws), "--form", "quyen-tre-em", "--period", "2024",
                    "--unit", "058", "--deadline", "15/10/2024")
    assert code == 0 and "Báo cáo kết quả thực hiện quyền trẻ em" in out
    assert run("forms", "-w", str(ws))[0] == 0
    form = next((ws / "forms" / "quyen-tre-em-2024-058").glob("01840_*.xlsx"))
    fill_workbook(form, ws / "inbox" / "a.xlsx", {"tinh_hinh": {
        ("tre_em", "so_lieu"): "1.000 em", ("tre_em_nam", "so_lieu"): 520,
        ("tre_em_nu", "so_lieu"): 470}})
    code, out = run("ingest", "-w", str(ws))
    assert code == 1
    assert "Trẻ em nam cộng trẻ em nữ phải bằng tổng số trẻ em" in out
    assert "(520) + " in out and "(470) = " in out and "(1.000)" in out
    code, out = run("report", "-w", str(ws))
    assert code == 0 and "Thành phố Bắc Kạn" in out
