"""Real spreadsheet programs: a form filled and saved by LibreOffice ingests the same."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import python_calamine

from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.ingest import ingest

from .conftest import Filler
from .helpers import ANSWERS, rollup_of, write_reports

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it)",
)


def resave(path: Path, out_dir: Path, fmt: str = "xlsx") -> Path:
    """Open and save with LibreOffice headless, as a person would with File > Save As."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / ".lo-profile"
    subprocess.run(
        [SOFFICE or "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", fmt, "--outdir", str(out_dir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    return out_dir / f"{path.stem}.{fmt}"


def test_form_saved_by_libreoffice_ingests_with_the_same_values(
        district: Campaign, fill: Filler, tmp_path: Path) -> None:
    filled = fill(district, "01840", ANSWERS, name="filled.xlsx")
    saved = resave(filled, tmp_path / "lo")
    assert saved.read_bytes() != filled.read_bytes()  # really rewritten by LibreOffice
    filled.unlink()
    report = ingest(district.workspace, [saved])
    assert report.valid, report.findings
    roll = rollup_of(Workspace(district.workspace.path).campaign(district.id), "01840")
    assert roll.value("bieu_1", "xa", "so_tre_em_tham_du") == 700
    assert roll.value("bieu_1", "xa", "nsnn") == 4_930_000
    assert roll.value("bieu_2", "xa", "tang_qua_so_tre_em") == 15
    assert roll.value("bieu_2", "xa", "kham_benh_so_tre_em") == 0


def test_consolidated_workbook_opens_in_libreoffice_and_keeps_its_figures(
        district: Campaign, fill: Filler, tmp_path: Path) -> None:
    fill(district, "01840", ANSWERS)
    ingest(district.workspace)
    [result] = write_reports(Workspace(district.workspace.path).campaign(district.id))
    saved = resave(result.workbook, tmp_path / "lo")
    wb = python_calamine.CalamineWorkbook.from_path(saved)
    assert "Chi tiết Biểu 1" in wb.sheet_names and "Tình hình nộp báo cáo" in wb.sheet_names
    rows = {r[0]: r for r in wb.get_sheet_by_name("Biểu 1").to_python(skip_empty_area=False)}
    assert rows["xa"][3] == 700 and rows["tong"][6] == 4_930_000
    assert rows["tong"][1] == "Tổng cộng"


def test_a_printed_form_shows_its_guide_and_notes_whole(district: Campaign, tmp_path: Path) -> None:
    """Printed on A4 by LibreOffice, no sentence of the guide or of a table's note is cut."""
    form = next(district.folder("forms").glob("01840_*.xlsx"))
    pdf = resave(form, tmp_path / "pdf", "pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for sentence in (
        "BÁO CÁO KẾT QUẢ TRIỂN KHAI, THỰC HIỆN THÁNG HÀNH ĐỘNG VÌ TRẺ EM",
        'Không có thì nhập 0 hoặc dấu "-"; ô để trống là chưa có số liệu',
        "Lưu tệp dạng Excel (.xlsx) và gửi lại cho đơn vị cấp trên.",
        'nhập 0 hoặc "-" là không có; ô để trống là chưa có số liệu.',
    ):
        assert sentence in flat, sentence
    assert flat.count('ô để trống là chưa có số liệu.') == 3  # under each of Biểu 1, 2 and 3
