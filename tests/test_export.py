"""Issue 13 part 5: one tidy table of every accepted figure, read back as an analyst would."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate import api
from consolidate.cli import main
from consolidate.core.workspace import Campaign, Workspace

from .conftest import Filler, make_campaign
from .helpers import ANSWERS, rollup_of, write_reports

ON_TIME = {"2023": dt.datetime(2023, 7, 1, 9, 30), "2024": dt.datetime(2024, 7, 1, 9, 30)}
#: What Phường Đức Xuân typed in 2023: the same form, other figures.
ANSWERS_2023 = {"bieu_1": {("xa", "so_diem_phat_dong"): 2, ("xa", "so_tre_em_tham_du"): "650 em",
                           ("xa", "nsnn"): "3.100.000 đồng"}}
NARRATIVE = {"ton_tai": "- Điểm vui chơi còn thiếu; kinh phí \"sửa sân\" chưa có."}


def two_years(tmp_path: Path, fill: Filler) -> tuple[Campaign, Campaign]:
    """TP Bắc Kạn's Action Month in 2023 and 2024: Đức Xuân (01840) and the district
    itself (058) fill their forms each year; ingested."""
    ws = tmp_path / "ws"
    old = make_campaign(ws, period="2023")
    new = make_campaign(ws, period="2024")
    fill(old, "01840", ANSWERS_2023, name="01840-2023.xlsx", received=ON_TIME["2023"])
    fill(new, "01840", ANSWERS, name="01840-2024.xlsx", received=ON_TIME["2024"],
         narrative=NARRATIVE)
    fill(new, "058", {"bieu_1": {("huyen", "so_tre_em_tham_du"): 200}}, name="058-2024.xlsx",
         received=ON_TIME["2024"])
    assert api.ingest(ws).valid
    return Workspace(ws).campaign(old.id), Workspace(ws).campaign(new.id)


def one(frame: pd.DataFrame, **where: str) -> pd.Series:
    """The one row matching every column = value given."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    [index] = frame.index[mask]
    return frame.loc[index]


def test_export_writes_every_figure_of_both_years_as_csv_and_parquet(
        tmp_path: Path, fill: Filler) -> None:
    old, new = two_years(tmp_path, fill)
    result = api.export(tmp_path / "ws")
    assert result.valid, result.findings
    csv_path, parquet_path = result.paths
    assert csv_path == tmp_path / "ws" / "exports" / "so-lieu.csv"
    assert csv_path.read_bytes()[:3] == b"\xef\xbb\xbf"  # the BOM Excel needs for UTF-8
    csv = pd.read_csv(csv_path, encoding="utf-8-sig", dtype={"unit_code": str,
                      "district_code": str, "commune_code": str, "province_code": str,
                      "parent_code": str, "period": str}, parse_dates=["received_at"])
    parquet = pd.read_parquet(parquet_path)
    assert len(csv) == len(parquet) == result.rows
    for table in (csv, parquet):
        children = one(table, period="2024", unit_code="01840", table="bieu_1",
                       row="xa", column="so_tre_em_tham_du")
        assert children["value"] == 700  # typed "700 trẻ"
        assert children["unit_name"] == "Phường Đức Xuân"
        assert children["level"] == "commune" and children["level_name"] == "Cấp xã"
        assert (children["province_code"], children["district_code"],
                children["commune_code"]) == ("06", "058", "01840")
        assert children["parent_code"] == "058"
        assert children["row_label"] == "Cấp xã"
        assert children["column_label"] == "Số trẻ em tham dự"
        assert children["table_title"] == "Tổ chức phát động, kinh phí dành cho trẻ em"
        assert children["file_name"] == "01840-2024.xlsx" and children["sheet"] == "Biểu 1"
        assert isinstance(children["cell"], str) and children["cell"][0].isalpha()
        assert children["received_at"] == pd.Timestamp(ON_TIME["2024"])
        assert children["source"] == "form" and children["form"] == "thang-hanh-dong"
        money = one(table, period="2024", unit_code="01840", table="bieu_1", column="nsnn")
        assert money["value"] == 4_930_000 and money["unit_of_measure"] == "đồng"
        said = one(table, period="2024", unit_code="01840", table="narrative", row="ton_tai")
        assert pd.isna(said["value"]) and said["text"].strip() == NARRATIVE["ton_tai"]
    # the analyst's comparison of the two years, in a pivot table
    counts = parquet[(parquet["column"] == "so_tre_em_tham_du")]
    pivot = counts.pivot_table(index="unit_code", columns="period", values="value",
                               aggfunc="sum")
    assert pivot.at["01840", "2023"] == 650 and pivot.at["01840", "2024"] == 700
    assert pivot.at["058", "2024"] == 200 and pd.isna(pivot.at["058", "2023"])
    assert set(csv["campaign"]) == {old.id, new.id}


def test_csv_reads_as_numbers_and_dates_without_our_code(tmp_path: Path, fill: Filler) -> None:
    two_years(tmp_path, fill)
    path = api.export(tmp_path / "ws", formats=("csv",)).paths[0]
    text = path.read_text(encoding="utf-8-sig")
    header, *lines = text.splitlines()
    assert next(csv.reader([header]))[:3] == ["campaign", "form", "form_title"]
    row = next(line for line in lines if ",4930000," in line)  # no ".0", no thousands
    assert "2024-07-01 09:30:00" in row  # a date-time Excel and LibreOffice recognise
    # a label that begins like a formula is written after a space for Excel
    assert '" - Điểm vui chơi' in text


@pytest.mark.libreoffice
def test_libreoffice_opens_the_csv_with_vietnamese_intact(tmp_path: Path, fill: Filler) -> None:
    """Headless, LibreOffice is told what its Text Import dialog detects from the BOM:
    comma-separated, quoted, UTF-8 (character set 76)."""
    from .test_libreoffice import SOFFICE

    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed")
    two_years(tmp_path, fill)
    path = api.export(tmp_path / "ws", formats=("csv",)).paths[0]
    out = tmp_path / "lo"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out),
                    str(path)], check=True, capture_output=True, timeout=180)
    sheet = pd.read_excel(out / "so-lieu.xlsx", engine="openpyxl")
    assert "Phường Đức Xuân" in set(sheet["unit_name"])
    assert "Số trẻ em tham dự" in set(sheet["column_label"])
    money = sheet[(sheet["column"] == "nsnn") & (sheet["period"] == 2024)]
    assert list(money["value"]) == [4_930_000]  # a number, not text
    assert pd.api.types.is_datetime64_any_dtype(sheet["received_at"])  # read as dates


def test_export_holds_only_the_counted_version_unless_all_versions(
        tmp_path: Path, fill: Filler) -> None:
    old, new = two_years(tmp_path, fill)
    fixed = {"bieu_1": {("xa", "so_tre_em_tham_du"): 720}}
    fill(new, "01840", fixed, name="01840-2024-sua.xlsx", received=dt.datetime(2024, 7, 2, 8))
    assert api.ingest(tmp_path / "ws").valid
    counted = api.export(tmp_path / "ws", campaign=new.id, formats=("parquet",)).table
    row = one(counted, unit_code="01840", column="so_tre_em_tham_du")
    assert row["value"] == 720 and row["file_name"] == "01840-2024-sua.xlsx"
    assert counted["counted"].all()
    every = api.export(tmp_path / "ws", campaign=new.id, all_versions=True).table
    both = every[(every["unit_code"] == "01840") & (every["column"] == "so_tre_em_tham_du")]
    assert sorted(zip(both["value"], both["counted"], strict=True)) == [(700, False), (720, True)]


def test_relayed_figures_name_the_workbook_they_came_through(
        tmp_path: Path, fill: Filler) -> None:
    district = make_campaign(tmp_path / "huyen")
    fill(district, "01840", ANSWERS, received=ON_TIME["2024"])
    assert api.ingest(district.workspace.path).valid
    [made] = write_reports(Workspace(district.workspace.path).campaign(district.id))
    province = make_campaign(tmp_path / "tinh", unit="06")
    assert api.ingest(province.workspace.path, [made.workbook]).valid
    table = api.export(province.workspace.path, formats=("csv",)).table
    relayed = one(table, unit_code="01840", column="so_tre_em_tham_du")
    assert relayed["value"] == 700 and relayed["source"] == "relay"
    assert relayed["via_code"] == "058" and relayed["via_name"] == "Thành phố Bắc Kạn"
    assert relayed["file_name"] == made.workbook.name
    assert "Chuyển tiếp" in relayed["source_name"]


def test_rollup_export_equals_the_rollups_values(tmp_path: Path, fill: Filler) -> None:
    old, new = two_years(tmp_path, fill)
    result = api.export(tmp_path / "ws", rollup=True, unit="058")
    assert result.paths[0].name == "tong-hop_058.csv"
    table = pd.read_parquet(result.paths[1])
    for camp in (old, new):
        roll = rollup_of(camp, "058")
        mine = table[table["campaign"] == camp.id]
        assert set(mine["unit_code"]) == {"058"} and set(mine["source_name"]) == {"Tổng hợp"}
        numbers = {(r.table, r.row, r.column): r.value for r in mine.itertuples()
                   if pd.notna(r.value)}
        expected = {k: v for k, v in roll.values.items()
                    if roll.campaign.spec.table(k[0]).kind != "list"}
        assert numbers == pytest.approx(expected)
    total = one(table, period="2024", table="bieu_1", row="tong", column="so_tre_em_tham_du")
    assert total["value"] == 900  # 200 of the district's own, 700 of Đức Xuân


def test_cli_export_says_where_and_prints_json(tmp_path: Path, fill: Filler) -> None:
    two_years(tmp_path, fill)
    runner = CliRunner()
    done = runner.invoke(main, ["export", "-w", str(tmp_path / "ws")])
    assert done.exit_code == 0, done.output
    assert str(tmp_path / "ws" / "exports" / "so-lieu.csv") in done.output
    assert "dòng" in done.output
    shown = runner.invoke(main, ["export", "-w", str(tmp_path / "ws"), "--format", "csv",
                                 "--unit", "01840", "--json"])
    data = json.loads(shown.output)
    assert data["valid"] and data["files"][0].endswith("so-lieu_01840.csv")
    assert data["rows"] > 0
    wrong = runner.invoke(main, ["export", "-w", str(tmp_path / "ws"), "--unit", "99999"])
    assert wrong.exit_code == 1 and "99999" in wrong.output


def test_without_pyarrow_csv_is_written_the_same_and_parquet_refused_in_vietnamese(
        tmp_path: Path, fill: Filler) -> None:
    """pyarrow made unimportable in a fresh interpreter (``sys.modules['pyarrow'] = None``
    is how Python itself marks a module as missing)."""
    two_years(tmp_path, fill)
    ws = tmp_path / "ws"
    with_arrow = pd.read_csv(api.export(ws, formats=("csv",)).paths[0], encoding="utf-8-sig")
    code = ("import sys; sys.modules['pyarrow'] = None\n"
            "from consolidate.cli import main\n"
            "main(['export', '-w', sys.argv[1], '--format', sys.argv[2]])")
    run = [sys.executable, "-c", code, str(ws)]
    done = subprocess.run([*run, "parquet"], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "pip install" in done.stderr and "pyarrow" in done.stderr
    assert not (ws / "exports" / "so-lieu.parquet").exists()
    done = subprocess.run([*run, "csv"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    without = pd.read_csv(ws / "exports" / "so-lieu.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(without, with_arrow)


def test_rights_form_exports_rates_targets_lists_and_dates(tmp_path: Path, fill: Filler) -> None:
    from .test_rights import FORM, RECEIVED, answers

    rights = make_campaign(tmp_path / "ws", unit="058", form=FORM)
    fill(rights, "01840", answers(
        phu_luc_01={("r1", "co_quan"): "UBND phường", ("r1", "ten"): "Số 12/UBND",
                    ("r1", "ngay"): "25/01/2024"},
        phu_luc_02={("ct3_so_sinh", "tu_so"): 1, ("ct3_so_sinh", "ke_hoach"): "< 12"}),
        received=RECEIVED)
    assert api.ingest(rights.workspace.path).valid
    table = api.export(rights.workspace.path, formats=("parquet",)).table
    boys = one(table, unit_code="01840", table="tinh_hinh", row="tre_em_nam")
    assert boys["value"] == 520 and boys["unit_of_measure"] == "em"
    assert boys["row_label"] == "- Trẻ em nam" and boys["kind"] == "count"
    date = one(table, unit_code="01840", table="phu_luc_01", row="r1", column="ngay")
    assert pd.isna(date["value"]) and date["text"] == "2024-01-25" and date["kind"] == "date"
    target = one(table, unit_code="01840", table="phu_luc_02", column="ke_hoach")
    assert target["text"] == "< 12" and target["value"] == 12
    assert target["unit_of_measure"] == "‰"

    roll = api.export(rights.workspace.path, rollup=True, formats=("csv",)).table
    rate = one(roll, table="phu_luc_02", row="ct3_so_sinh", column="ket_qua")
    assert rate["value"] == pytest.approx(1000 / 42) and rate["unit_of_measure"] == "‰"
    commune = api.export(rights.workspace.path, rollup=True, unit="01840").table
    verdict = one(commune, table="phu_luc_02", row="ct3_so_sinh", column="danh_gia")
    assert verdict["text"] == "Không đạt"  # 23,8‰ against a target below 12‰
    numbers = {(r.table, r.row, r.column): r.value for r in roll.itertuples()
               if pd.notna(r.value)}
    assert numbers == pytest.approx(rollup_of(rights).values)
