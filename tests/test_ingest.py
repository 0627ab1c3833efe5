"""Ingest: values read with certainty, found by structure, nothing lost, nothing guessed."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

from openpyxl import load_workbook

from consolidate.core.workspace import Campaign, Workspace
from consolidate.intake.ingest import ingest

from .conftest import Filler
from .helpers import ANSWERS, rollup_of


def refresh(campaign: Campaign) -> Campaign:
    return Workspace(campaign.workspace.path).campaign(campaign.id)


def values(campaign: Campaign, code: str, table: str) -> dict[str, float | None]:
    roll = rollup_of(refresh(campaign), code)
    frame = roll.tables[table]
    return {c: roll.value(table, "xa", c) for c in frame.columns}


def test_values_typed_as_vietnamese_text_round_trip(district: Campaign, fill: Filler) -> None:
    fill(district, "01840", ANSWERS)
    report = ingest(district.workspace)
    assert report.valid and report.stats["accepted"] == 1
    b1 = values(district, "01840", "bieu_1")
    assert b1 == {"so_diem_phat_dong": 1, "so_tre_em_tham_du": 700, "cong_trinh_xay_moi": 0,
                  "cong_trinh_nang_cap": None, "nsnn": 4_930_000, "van_dong": 2_500_000}
    b2 = values(district, "01840", "bieu_2")
    assert b2["tang_qua_so_tre_em"] == 15 and b2["tang_qua_kinh_phi"] == 4_000_000
    assert b2["hoc_bong_so_tre_em"] == 0 and b2["kham_benh_so_tre_em"] == 0
    assert b2["hoc_bong_kinh_phi"] is None  # left empty: no figure, not a silent 0


def test_unreadable_value_rejects_the_file_naming_sheet_and_cell(
        district: Campaign, fill: Filler) -> None:
    fill(district, "01840", {"bieu_1": {("xa", "so_tre_em_tham_du"): "khoảng 700"}},
         name="Duc Xuan gui lai.xlsx")
    fill(district, "01843", ANSWERS)
    report = ingest(district.workspace)
    assert not report.valid
    assert report.stats == {"files": 2, "accepted": 1, "rejected": 1, "duplicate": 0}
    [err] = report.errors
    assert (err.code, err.file, err.sheet, err.cell) == (
        "value-not-number", "Duc Xuan gui lai.xlsx", "Biểu 1", "D10")
    assert err.found == "khoảng 700"
    assert "không đọc được chắc chắn" in err.message and "số nguyên không âm" in err.message
    assert "Cấp xã, Số trẻ em tham dự" in err.message
    assert values(district, "01843", "bieu_1")["so_tre_em_tham_du"] == 700


def test_fractional_and_negative_counts_are_rejected_not_rounded(
        district: Campaign, fill: Filler) -> None:
    fill(district, "01840", {"bieu_1": {("xa", "so_tre_em_tham_du"): 12.5,
                                        ("xa", "nsnn"): -5, ("xa", "van_dong"): "9,367"}})
    report = ingest(district.workspace)
    assert sorted(e.cell for e in report.errors) == ["D10", "G10", "H10"]
    assert refresh(district).workspace.store.current_submissions(district.id).empty


def test_inserted_row_and_column_do_not_shift_values(district: Campaign, fill: Filler) -> None:
    path = fill(district, "01840", ANSWERS)
    wb = load_workbook(path)
    ws = wb["Biểu 1"]
    ws.protection.sheet = False
    ws.insert_rows(9)  # between Cấp tỉnh and Cấp huyện, the way a user makes room for a note
    ws.insert_cols(4)  # a column of remarks before "Số trẻ em tham dự"
    ws["B9"] = "Ghi chú của xã"
    ws["D11"] = "ghi chú: 999"
    wb.save(path)
    assert ingest(district.workspace).valid
    b1 = values(district, "01840", "bieu_1")
    assert b1["so_tre_em_tham_du"] == 700 and b1["nsnn"] == 4_930_000


def test_renamed_sheet_and_renamed_file_are_read_by_their_metadata(
        district: Campaign, fill: Filler) -> None:
    path = fill(district, "01840", ANSWERS)
    wb = load_workbook(path)
    wb["Biểu 1"].title = "Bieu 1 (xa Duc Xuan)"
    wb.save(path)
    renamed = path.with_name("bao cao thang hanh dong - ban cuoi.xlsx")
    path.rename(renamed)
    report = ingest(district.workspace)
    assert report.valid
    assert values(district, "01840", "bieu_1")["nsnn"] == 4_930_000
    subs = refresh(district).workspace.store.current_submissions(district.id)
    assert subs.loc[0, "unit"] == "01840"
    assert subs.loc[0, "file_name"] == renamed.name


def test_same_file_twice_changes_nothing(district: Campaign, fill: Filler) -> None:
    path = fill(district, "01840", ANSWERS)
    copy = path.with_name("ban sao.xlsx")
    shutil.copyfile(path, copy)
    first = ingest(district.workspace, [path])
    db = refresh(district).workspace.store.db
    before = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("files", "submissions", "cells")]
    again = ingest(district.workspace, [path, copy])
    after = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
             for t in ("files", "submissions", "cells")]
    assert first.stats["accepted"] == 1
    assert again.stats == {"files": 2, "accepted": 0, "rejected": 0, "duplicate": 2}
    assert again.valid and before == after
    names = {r[0] for r in db.execute("SELECT name FROM file_names")}
    assert names == {"01840.xlsx", "ban sao.xlsx"}


def test_newer_file_supersedes_and_history_is_kept(district: Campaign, fill: Filler) -> None:
    old = fill(district, "01840", ANSWERS, name="v1.xlsx", received=dt.datetime(2024, 7, 1, 9))
    new_answers = {**ANSWERS, "bieu_1": {**ANSWERS["bieu_1"], ("xa", "so_tre_em_tham_du"): 720}}
    new = fill(district, "01840", new_answers, name="v2.xlsx",
               received=dt.datetime(2024, 7, 2, 9))
    assert ingest(district.workspace, [new]).valid
    assert ingest(district.workspace, [old]).valid  # arrives last, but is the older answer
    assert values(district, "01840", "bieu_1")["so_tre_em_tham_du"] == 720
    store = refresh(district).workspace.store
    history = store.db.execute(
        "SELECT f.name FROM submissions s JOIN files f USING (sha256) "
        "WHERE s.unit = '01840' ORDER BY s.received_at").fetchall()
    assert [r[0] for r in history] == ["v1.xlsx", "v2.xlsx"]


def test_original_bytes_are_archived_by_hash_even_when_rejected(
        district: Campaign, tmp_path: Path) -> None:
    junk = district.workspace.inbox / "bao cao.xlsx"
    junk.write_bytes(b"%PDF-1.4 this is not a workbook")
    report = ingest(district.workspace)
    [err] = report.errors
    assert err.code == "file-unreadable" and err.file == "bao cao.xlsx"
    assert "Không mở được tệp" in err.message
    sha = hashlib.sha256(junk.read_bytes()).hexdigest()
    archived = district.workspace.archive / sha[:2] / f"{sha}.xlsx"
    assert archived.read_bytes() == junk.read_bytes()
    row = refresh(district).workspace.store.file(sha)
    assert row["status"] == "rejected" and "Không mở được tệp" in row["findings"]


def test_one_bad_file_never_stops_the_run(district: Campaign, fill: Filler) -> None:
    (district.workspace.inbox / "a-empty.xlsx").write_bytes(b"")
    (district.workspace.inbox / "b-notes.txt").write_text("ghi chú", encoding="utf-8")
    fill(district, "01840", ANSWERS, name="c.xlsx")
    report = ingest(district.workspace)
    assert report.stats == {"files": 3, "accepted": 1, "rejected": 2, "duplicate": 0}
    assert {e.code for e in report.errors} == {"file-empty", "file-unreadable"}


def test_value_in_a_rolled_up_row_is_a_warning_and_not_counted(
        district: Campaign, fill: Filler) -> None:
    fill(district, "058", {"bieu_1": {("huyen", "so_tre_em_tham_du"): 200,
                                      ("xa", "so_tre_em_tham_du"): 5000}})
    report = ingest(district.workspace)
    assert report.valid
    [warn] = report.findings
    assert warn.code == "value-in-computed-cell" and warn.cell == "D10"
    roll = rollup_of(refresh(district))
    assert roll.value("bieu_1", "huyen", "so_tre_em_tham_du") == 200
    assert roll.value("bieu_1", "xa", "so_tre_em_tham_du") is None


def test_workbook_of_another_period_is_rejected(district: Campaign, fill: Filler,
                                                tmp_path: Path) -> None:
    path = fill(district, "01840", ANSWERS)
    wb = load_workbook(path)
    wb["_meta"]["B3"] = "2023"
    wb.save(path)
    [err] = ingest(district.workspace).errors
    assert err.code == "period-mismatch" and err.found == "2023" and "2024" in err.message


def test_values_pasted_into_a_fresh_workbook_are_rejected(district: Campaign,
                                                          fill: Filler) -> None:
    path = fill(district, "01840", ANSWERS)
    wb = load_workbook(path)
    del wb["_meta"]
    wb.save(path)
    [err] = ingest(district.workspace).errors
    assert err.code == "metadata-missing"
    assert "không sao chép sang tệp mới" in err.message
